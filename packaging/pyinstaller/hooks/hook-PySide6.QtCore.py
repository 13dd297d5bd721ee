"""PyInstaller's own hook for PySide6.QtCore, minus the Qt plugins and
translations Scrutiny Desktop leaves out (rules in ../bundle_filters.py).
Filtering here, before PyInstaller follows a plugin's library dependencies,
keeps a dropped plugin's libraries out of the bundle as well."""

from bundle_filters import filter_toc, keep_binary, keep_data  # build.spec puts it on sys.path
from PyInstaller.utils.hooks.qt import add_qt6_dependencies

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = filter_toc(binaries, keep_binary)
datas = filter_toc(datas, keep_data)
