"""Run-time hook for PySide6 in the bundle, without loading Qt at start-up.

PyInstaller's stock hook sets the plug-in search paths and then imports
PySide6.QtCore to register an embedded qt.conf, so every start of the bundle,
`scrutiny-desktop --version` and the other command-line commands included, loads
Qt.  The PySide6 wheels register that qt.conf themselves when QtCore is first
imported, so this hook only sets the paths, and Qt loads when the window needs it.
(Only one Qt binding is bundled: PySide6.)
"""


def _pyi_rthook() -> None:
    import os
    import sys

    base = sys._MEIPASS  # type: ignore[attr-defined]  # set by PyInstaller's bootloader
    qt = os.path.join(base, "PySide6") if sys.platform.startswith("win") \
        else os.path.join(base, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")
    if sys.platform.startswith("win"):
        os.environ["PATH"] = base + os.pathsep + os.environ.get("PATH", "")
    elif sys.platform == "darwin":
        os.environ["DYLD_LIBRARY_PATH"] = base + os.pathsep + os.environ.get("DYLD_LIBRARY_PATH", "")


_pyi_rthook()
del _pyi_rthook
