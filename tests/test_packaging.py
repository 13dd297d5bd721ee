"""Packaging files: build.spec, the Linux desktop integration, INSTALL.md.

Fast checks only; building the bundle itself is `make dist` (run by .ci/run).
"""

from __future__ import annotations

import configparser
import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scrutiny_desktop import __version__, paths
from scrutiny_desktop.settings import ManagedConfig
from scrutiny_desktop.storage import APPLICATION_ID
from tests.helpers import REPO as ROOT

SPEC = ROOT / "build.spec"
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / "scrutiny-desktop.desktop"
MIME_XML = LINUX / "scrutiny-desktop-mime.xml"
INSTALL = ROOT / "docs" / "INSTALL.md"
MIME_NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def bundle_filters():
    path = ROOT / "packaging" / "pyinstaller" / "bundle_filters.py"
    spec = importlib.util.spec_from_file_location("bundle_filters", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- build.spec ------------------------------------------------------------------
#
# The spec is run as PyInstaller runs it (``exec`` with SPECPATH, DISTPATH and the
# build targets in its namespace), for each platform it builds on, with stand-ins for
# the targets that record what the spec gives them: the tests check those values, not
# the spec's text.  Building the real bundle is `make dist`.

#: What the stand-in Analysis reports having found besides the spec's own data, as
#: (name in the bundle, source, type): some of it is what the spec must filter out.
FOUND_BINARIES = [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", "/site/libqxcb.so", "BINARY"),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", "/site/libqvnc.so", "BINARY"),
    ("PySide6/Qt/lib/libQt6Core.so.6", "/site/libQt6Core.so.6", "BINARY"),
    ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
    ("libqvnc.so", "PySide6/Qt/plugins/platforms/libqvnc.so", "SYMLINK"),
]
FOUND_DATAS = [("PySide6/Qt/translations/qtbase_de.qm", "/site/qtbase_de.qm", "DATA")]


class Target:
    """Stands in for one of PyInstaller's build targets and keeps its arguments."""

    def __init__(self, kind: str, *args, **kwargs):
        self.kind, self.args, self.kwargs = kind, args, kwargs


class FakeAnalysis(Target):
    """Analysis: ``scripts``, ``pure``, and the spec's data plus ``FOUND_*`` as TOC entries."""

    def __init__(self, scripts, **kwargs):
        super().__init__("Analysis", scripts, **kwargs)
        self.scripts = [("launcher", scripts[0], "PYSOURCE")]
        self.pure = [("scrutiny_desktop", str(ROOT / "scrutiny_desktop" / "__init__.py"), "PYMODULE")]
        self.binaries = list(FOUND_BINARIES)
        self.datas = [(f"{folder}/{Path(src).name}", src, "DATA")
                      for src, folder in kwargs["datas"]] + list(FOUND_DATAS)


def run_spec(tmp_path: Path, platform: str) -> dict[str, list[Target]]:
    """Execute build.spec as if on ``platform``; the targets it made, by kind."""
    made: dict[str, list[Target]] = {}

    def target(kind):
        def make(*args, **kwargs):
            made.setdefault(kind, []).append(
                FakeAnalysis(*args, **kwargs) if kind == "Analysis" else Target(kind, *args, **kwargs))
            return made[kind][-1]
        return make

    dist = tmp_path / "dist"
    (dist / "scrutiny-desktop").mkdir(parents=True, exist_ok=True)
    namespace = {"__name__": "__main__", "__file__": str(SPEC), "SPECPATH": str(ROOT),
                 "DISTPATH": str(dist), **{k: target(k) for k in
                                           ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}}
    # Windows only: the version resource's classes (PyInstaller's need pefile).
    versioninfo = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in ("FixedFileInfo", "StringFileInfo", "StringStruct", "StringTable", "VarFileInfo",
                 "VarStruct", "VSVersionInfo"):
        setattr(versioninfo, name, functools.partial(Target, name))
    real_platform, real_path = sys.platform, list(sys.path)  # the spec extends sys.path
    real_versioninfo = sys.modules.get(versioninfo.__name__)
    sys.modules[versioninfo.__name__] = versioninfo
    sys.platform = platform
    try:
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    finally:
        sys.platform, sys.path[:] = real_platform, real_path
        if real_versioninfo is None:
            del sys.modules[versioninfo.__name__]
        else:
            sys.modules[versioninfo.__name__] = real_versioninfo
    return made


def version_strings(version: Target) -> dict[str, str]:
    """The strings of a (stand-in) Windows version resource:
    VSVersionInfo > StringFileInfo > StringTable > StringStruct(name, value)."""
    (string_file_info,) = [k for k in version.kwargs["kids"] if k.kind == "StringFileInfo"]
    (table,) = string_file_info.args[0]
    return {struct.args[0]: struct.args[1] for struct in table.args[1]}


PLATFORMS = ["linux", "win32", "darwin"]


def test_build_spec_is_valid_python():
    """The spec compiles (PyInstaller executes it as Python)."""
    compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_build_spec_makes_a_one_folder_bundle_without_upx(tmp_path, platform):
    """One folder: the executables leave their binaries out (``exclude_binaries``) and a
    single COLLECT gathers them with the analysed binaries and data; UPX nowhere."""
    made = run_spec(tmp_path, platform)
    (analysis,) = made["Analysis"]
    (pyz,) = made["PYZ"]
    (collect,) = made["COLLECT"]
    assert pyz.args == (analysis.pure,)
    assert collect.kwargs["name"] == "scrutiny-desktop"
    assert list(collect.args) == [*made["EXE"], analysis.binaries, analysis.datas]
    for exe in made["EXE"]:
        assert exe.args == (pyz, analysis.scripts, [])
        assert exe.kwargs["exclude_binaries"] is True
    every_target = [t for targets in made.values() for t in targets]
    assert [t.kwargs["upx"] for t in every_target if "upx" in t.kwargs] == [False] * (
        len(made["EXE"]) + 1)
    assert collect.kwargs["upx_exclude"] == []


@pytest.mark.parametrize(("platform", "executables"), [
    ("linux", {"scrutiny-desktop": True}),
    ("win32", {"scrutiny-desktop": True, "ScrutinyDesktop": False}),
    ("darwin", {"scrutiny-desktop": False}),
])
def test_build_spec_executables_for_each_platform(tmp_path, platform, executables):
    """Name -> console: a console executable for IT and scripts (it also opens the GUI);
    on Windows a windowed one besides; on macOS a windowed one inside the .app."""
    made = run_spec(tmp_path, platform)
    assert {e.kwargs["name"]: e.kwargs["console"] for e in made["EXE"]} == executables
    for exe in made["EXE"]:
        assert exe.kwargs["argv_emulation"] is (platform == "darwin")
        assert exe.kwargs["strip"] is (platform == "linux")
        icon = exe.kwargs["icon"]
        if platform == "linux":
            assert icon is None  # the .desktop file names the icon
        else:
            assert Path(icon).is_file() and Path(icon).suffix == (".ico" if platform == "win32" else ".png")
        if platform == "win32":
            strings = version_strings(exe.kwargs["version"])
            assert strings["OriginalFilename"] == exe.kwargs["name"] + ".exe"
            assert strings["ProductVersion"] == __version__
        else:
            assert exe.kwargs["version"] is None
    assert ("BUNDLE" in made) is (platform == "darwin")
    if platform == "linux":  # the per-user installer and freedesktop files beside the executable
        copied = sorted(p.name for p in (tmp_path / "dist" / "scrutiny-desktop").iterdir())
        assert copied == ["install-user.sh", "scrutiny-desktop-mime.xml", "scrutiny-desktop.desktop",
                          "uninstall-user.sh"]


def test_build_spec_makes_a_mac_app_that_opens_scrutiny_documents(tmp_path):
    made = run_spec(tmp_path, "darwin")
    (app,) = made["BUNDLE"]
    assert app.args == tuple(made["COLLECT"])
    assert app.kwargs["name"] == "Scrutiny Desktop.app"
    assert app.kwargs["bundle_identifier"] == "org.scrutinydesktop.ScrutinyDesktop"
    assert app.kwargs["version"] == __version__
    plist = app.kwargs["info_plist"]
    assert plist["CFBundleShortVersionString"] == __version__
    (doc_type,) = plist["CFBundleDocumentTypes"]
    assert doc_type["CFBundleTypeExtensions"] == ["scrutiny"]
    assert doc_type["CFBundleTypeMIMETypes"] == [desktop_entry()["MimeType"].rstrip(";")]
    (uti,) = plist["UTExportedTypeDeclarations"]
    assert doc_type["LSItemContentTypes"] == [uti["UTTypeIdentifier"]]
    assert uti["UTTypeTagSpecification"]["public.filename-extension"] == ["scrutiny"]


def test_build_spec_bundles_resources_and_migrations_where_paths_looks(tmp_path, monkeypatch):
    """Frozen, paths.py looks in sys._MEIPASS/resources and, for migrations, next to
    the package's modules: sys._MEIPASS/scrutiny_desktop/storage/migrations.  The data
    the spec collects, laid out as the bundle's _internal folder, is found there."""
    made = run_spec(tmp_path, "linux")
    (collect,) = made["COLLECT"]
    bundled = {dest: src for dest, src, _kind in collect.args[-1]}
    internal = tmp_path / "_internal"
    for dest in bundled:
        (internal / dest).parent.mkdir(parents=True, exist_ok=True)
        (internal / dest).touch()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)
    assert paths.resources_dir() == internal / "resources"

    resources = ROOT / "resources"
    for path in resources.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert Path(bundled[f"resources/{path.relative_to(resources).as_posix()}"]) == path
    # A frozen module's __file__ is _MEIPASS/scrutiny_desktop/<module>.pyc.
    migrations = paths.migrations_dir().relative_to(paths._PACKAGE_DIR.parent).as_posix()
    assert migrations == "scrutiny_desktop/storage/migrations"
    sources = [p for p in paths.migrations_dir().rglob("*") if p.suffix in (".py", ".mako")
               and "__pycache__" not in p.parts]
    assert {f"{migrations}/{p.relative_to(paths.migrations_dir()).as_posix()}" for p in sources} == {
        dest for dest in bundled if dest.startswith(migrations + "/")}
    assert (internal / migrations / "env.py").is_file()
    assert (internal / migrations / "script.py.mako").is_file()
    assert list((internal / migrations / "versions").glob("*.py"))
    assert not [dest for dest in bundled if "__pycache__" in dest or dest.endswith(".pyc")]


def test_build_spec_leaves_out_what_the_app_does_not_use(tmp_path):
    """Qt beyond QtCore/QtGui/QtWidgets (QtNetwork included), test and packaging tools and
    Tk are excluded; Python's ssl module is kept (pyHanko imports it, unused, when it
    loads); what Alembic's migration files import (PyInstaller cannot see it) is put in."""
    made = run_spec(tmp_path, "linux")
    (analysis,) = made["Analysis"]
    excludes = set(analysis.kwargs["excludes"])
    assert {"tkinter", "pytest", "PyInstaller", "unittest", "PySide6.QtNetwork",
            "PySide6.QtWebEngineCore", "PySide6.QtQml"} <= excludes
    assert not {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "sqlite3",
                "sqlalchemy", "alembic", "reportlab", "PIL", "ssl", "docx"} & excludes
    hidden = set(analysis.kwargs["hiddenimports"])
    assert {"alembic.op", "alembic.context", "sqlalchemy", "sqlalchemy.dialects.sqlite"} <= hidden
    assert analysis.kwargs["hookspath"] == [str(ROOT / "packaging" / "pyinstaller" / "hooks")]
    assert analysis.args == ([str(ROOT / "packaging" / "pyinstaller" / "launcher.py")],)


def test_build_spec_filters_what_analysis_found(tmp_path):
    """Dropped Qt plugins and translations never reach COLLECT, nor a symlink to one."""
    made = run_spec(tmp_path, "linux")
    (collect,) = made["COLLECT"]
    binaries, datas = collect.args[-2], collect.args[-1]
    assert [b[0] for b in binaries] == ["PySide6/Qt/plugins/platforms/libqxcb.so",
                                        "PySide6/Qt/lib/libQt6Core.so.6", "libQt6Core.so.6"]
    assert not [d for d in datas if d[0].endswith(".qm")]


def test_pyinstaller_hooks_and_launcher_compile():
    for path in [*(ROOT / "packaging" / "pyinstaller" / "hooks").glob("hook-*.py"),
                 ROOT / "packaging" / "pyinstaller" / "launcher.py"]:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6\\plugins\\platforms\\qwindows.dll", True),
    ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", True),
    ("PySide6\\opengl32sw.dll", False),
    ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("PIL/_imaging.cpython-311-x86_64-linux-gnu.so", True),
])
def test_qt_plugin_filter(dest, kept):
    assert bundle_filters().keep_binary(dest) is kept


def test_qt_translations_are_left_out_and_our_data_kept():
    keep_data = bundle_filters().keep_data
    assert not keep_data("PySide6/Qt/translations/qtbase_de.qm")
    assert not keep_data("PySide6\\translations\\qt_fr.qm")
    assert keep_data("resources/checklists/cis.toml")
    assert keep_data("scrutiny_desktop/storage/migrations/versions/0001_initial_schema.py")


def test_hook_pairs_are_filtered_by_their_destination():
    filters = bundle_filters()
    pairs = [("/x/PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms"),
             ("/x/PySide6/Qt/plugins/platforms/libqvnc.so", "PySide6/Qt/plugins/platforms")]
    assert filters.filter_toc(pairs, filters.keep_binary) == pairs[:1]


# -- Linux desktop integration ------------------------------------------------

def test_desktop_file_has_the_required_keys():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Scrutiny Desktop"
    assert entry["Exec"] == "scrutiny-desktop %f"
    assert entry["Icon"] == "scrutiny-desktop"
    assert "Office;" in entry["Categories"]
    assert entry["MimeType"].endswith(";")
    assert entry["Terminal"] == "false"


def test_desktop_file_matches_what_the_app_tells_qt():
    """QGuiApplication.setDesktopFileName must name this file (window grouping, icons)."""
    app_py = (ROOT / "scrutiny_desktop" / "ui" / "app.py").read_text(encoding="utf-8")
    assert f'setDesktopFileName("{DESKTOP.stem}")' in app_py


def test_mime_xml_defines_the_type_the_desktop_file_opens():
    root = ET.parse(MIME_XML).getroot()
    types = root.findall("m:mime-type", MIME_NS)
    assert [t.get("type") for t in types] == ["application/x-scrutiny-desktop"]
    assert desktop_entry()["MimeType"].rstrip(";").split(";") == ["application/x-scrutiny-desktop"]
    mime = types[0]
    assert [g.get("pattern") for g in mime.findall("m:glob", MIME_NS)] == ["*.scrutiny"]
    assert mime.find("m:comment", MIME_NS).text


def test_mime_magic_matches_our_sqlite_header():
    """SQLite header at 0, and our PRAGMA application_id (big-endian) at offset 68."""
    mime = ET.parse(MIME_XML).getroot().find("m:mime-type", MIME_NS)
    outer = mime.find("m:magic/m:match", MIME_NS)
    assert (outer.get("type"), outer.get("offset")) == ("string", "0")
    assert outer.get("value").startswith("SQLite format 3")
    inner = outer.find("m:match", MIME_NS)
    assert (inner.get("type"), inner.get("offset")) == ("big32", "68")
    assert int(inner.get("value"), 16) == APPLICATION_ID


@pytest.mark.parametrize("script", ["install-user.sh", "uninstall-user.sh", "measure-startup.sh"])
def test_linux_scripts_are_executable_bash(script):
    path = LINUX / script
    assert os.access(path, os.X_OK), f"{script} must be executable"
    subprocess.run(["bash", "-n", str(path)], check=True)


def test_install_and_uninstall_for_one_user_keep_documents_and_settings(tmp_path):
    """install-user.sh against a stand-in bundle and a temporary HOME, then
    uninstall-user.sh: everything installed goes, the user's files stay."""
    bundle = tmp_path / "bundle"
    (bundle / "_internal" / "resources" / "icons").mkdir(parents=True)
    shutil.copy(paths.icons_dir() / "scrutiny-desktop.png", bundle / "_internal" / "resources" / "icons")
    exe = bundle / "scrutiny-desktop"
    exe.write_text("#!/bin/sh\necho 'Scrutiny Desktop 0.0-test'\n", encoding="utf-8")
    exe.chmod(0o755)
    home = tmp_path / "home 'with' space"
    home.mkdir()
    document = home / "Documents" / "Scrutiny Desktop" / "mine.scrutiny"
    settings = home / ".config" / "scrutiny-desktop" / "settings.json"
    for path in (document, settings):
        path.parent.mkdir(parents=True)
        path.write_text("keep me", encoding="utf-8")
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}

    out = subprocess.run([str(LINUX / "install-user.sh"), str(bundle)], env=env, check=True,
                         capture_output=True, text=True).stdout
    assert "Scrutiny Desktop 0.0-test" in out
    opt = home / ".local" / "opt" / "scrutiny-desktop"
    link = home / ".local" / "bin" / "scrutiny-desktop"
    desktop = home / ".local" / "share" / "applications" / "scrutiny-desktop.desktop"
    icon = home / ".local" / "share" / "icons" / "hicolor" / "256x256" / "apps" / "scrutiny-desktop.png"
    assert (opt / "scrutiny-desktop").is_file()
    assert link.is_symlink() and link.resolve() == (opt / "scrutiny-desktop").resolve()
    assert icon.is_file()
    assert (home / ".local" / "share" / "mime" / "packages" / "scrutiny-desktop-mime.xml").is_file()
    exec_line = [ln for ln in desktop.read_text(encoding="utf-8").splitlines() if ln.startswith("Exec=")]
    assert exec_line == [f'Exec="{opt}/scrutiny-desktop" %f']

    # Re-running upgrades in place.
    subprocess.run([str(LINUX / "install-user.sh"), str(bundle)], env=env, check=True,
                   capture_output=True)

    subprocess.run([str(LINUX / "uninstall-user.sh")], env=env, check=True, capture_output=True)
    for gone in (opt, link, desktop, icon,
                 home / ".local" / "share" / "mime" / "packages" / "scrutiny-desktop-mime.xml"):
        assert not os.path.lexists(gone), gone
    assert document.read_text(encoding="utf-8") == "keep me"
    assert settings.read_text(encoding="utf-8") == "keep me"


# -- the build and CI wiring ----------------------------------------------------

def test_make_dist_and_ci_build_and_smoke_test_the_bundle():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^dist: ", makefile, re.MULTILINE)
    assert "pyinstaller --noconfirm --clean" in makefile and "build.spec" in makefile
    assert "BUNDLE_BUDGET_MB ?= 200" in makefile
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    steps = [line.strip() for line in ci.splitlines() if line.strip() in ("make test", "make dist")]
    assert steps == ["make test", "make dist"]
    assert "unshare -n" in ci and "self-test" in ci and "--version" in ci
    assert "BUDGET_MB=200" in ci


# -- docs/INSTALL.md -------------------------------------------------------------

def install_md() -> str:
    return INSTALL.read_text(encoding="utf-8")


@pytest.mark.parametrize("needle", [
    r"%PROGRAMDATA%\ScrutinyDesktop\config.toml",
    "/Library/Application Support/ScrutinyDesktop/config.toml",
    "/etc/xdg/scrutiny-desktop/config.toml",
    "SCRUTINY_DESKTOP_CONFIG",
    "scrutiny-desktop self-test",
    "unshare -n",
    "make dist",
    "install-user.sh",
    "uninstall-user.sh",
    r"HKCU\Software\Classes",
    "CFBundleDocumentTypes",
])
def test_install_md_mentions(needle):
    assert needle in install_md()


def test_install_md_documents_every_managed_setting():
    text = install_md()
    missing = [key for key in ManagedConfig.model_fields if f"`{key}`" not in text]
    assert not missing, f"docs/INSTALL.md does not document: {missing}"


def test_install_md_names_the_linux_managed_config_path_the_app_reads(monkeypatch):
    monkeypatch.delenv("SCRUTINY_DESKTOP_CONFIG", raising=False)
    monkeypatch.delenv("XDG_CONFIG_DIRS", raising=False)
    path = paths.managed_config_file()
    assert path is not None
    assert str(path) in install_md()


def test_install_md_quotes_the_bundle_size_and_startup_figures():
    text = install_md()
    assert re.search(r"du -sh dist/scrutiny-desktop", text)
    assert "hyperfine" in text or "timing loop" in text
    assert re.search(r"\d+(\.\d+)?\s*ms", text)


def test_the_bundle_starts_without_loading_qt_until_the_window_needs_it():
    """Issue 17: our run-time hook replaces PyInstaller's stock PySide6 one, which
    imports QtCore at every start (command-line commands included)."""
    import ast

    hooks = Path(__file__).resolve().parents[1] / "packaging" / "pyinstaller" / "hooks"
    table = ast.literal_eval((hooks / "rthooks.dat").read_text(encoding="utf-8"))
    assert sorted(table) == ["PySide6", "inspect", "multiprocessing", "pkgutil"]
    assert all(table[name] == ["pyi_rth_after_import.py"]
               for name in ("inspect", "multiprocessing", "pkgutil"))
    for name in table["PySide6"]:
        source = (hooks / "rthooks" / name).read_text(encoding="utf-8")
        tree = ast.parse(source)
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom)}
        assert not any(m.startswith("PySide6") for m in imported), imported
        assert "QT_PLUGIN_PATH" in source


AFTER_IMPORT_DRIVER = """
import os, sys
sys._MEIPASS = sys.argv[1]
sys.argv = [sys.argv[0], *sys.argv[2:]]
hook = os.path.join({hooks!r}, "rthooks", "pyi_rth_after_import.py")
exec(compile(open(hook, encoding="utf-8").read(), hook, "exec"), {{"__name__": "__main__"}})
exec(compile(open(hook, encoding="utf-8").read(), hook, "exec"), {{"__name__": "__main__"}})
ran = lambda: os.environ.get("RAN", "")
print("before:", ran(), "imported:", "colorsys" in sys.modules)
import colorsys
print("after:", ran(), "loader works:", colorsys.rgb_to_hsv(1, 0, 0)[2] == 1)
import colorsys
print("again:", ran())
"""


@pytest.mark.parametrize("child", [False, True])
def test_the_stock_hooks_run_when_their_module_is_first_imported(tmp_path, child):
    """Issue 17: pyi_rth_after_import.py runs a stock hook once, straight after its
    module's first import (not at start-up), with the module working as usual; in a
    multiprocessing child process, the multiprocessing hook runs at once, as before.
    (The watched names are PyInstaller's; this stands colorsys in for inspect.)"""
    hooks = Path(__file__).resolve().parents[1] / "packaging" / "pyinstaller" / "hooks"
    later = tmp_path / "pyi_rthooks_later"
    later.mkdir()
    for name in ("inspect", "pkgutil", "multiprocessing"):
        (later / f"pyi_rth_{name}.py").write_text(
            "import os\n"
            f"os.environ['RAN'] = os.environ.get('RAN', '') + '{name[0]}'\n", encoding="utf-8")
    hook_text = (hooks / "rthooks" / "pyi_rth_after_import.py").read_text(encoding="utf-8")
    assert '"inspect": "pyi_rth_inspect.py"' in hook_text
    # Watch colorsys (never imported at start-up) in place of inspect.
    fake_hooks = tmp_path / "hooks" / "rthooks"
    fake_hooks.mkdir(parents=True)
    (fake_hooks / "pyi_rth_after_import.py").write_text(
        hook_text.replace('"inspect": "pyi_rth_inspect.py"', '"colorsys": "pyi_rth_inspect.py"'),
        encoding="utf-8")
    driver = AFTER_IMPORT_DRIVER.format(hooks=str(tmp_path / "hooks"))
    argv = ["--multiprocessing-fork", "tracker_fd=5"] if child else ["--version"]
    done = subprocess.run([sys.executable, "-S", "-c", driver, str(tmp_path), *argv],
                          capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin"})
    assert done.returncode == 0, done.stderr
    first = "m" if child else ""
    assert done.stdout.splitlines() == [
        f"before: {first} imported: False",
        f"after: {first}i loader works: True",
        f"again: {first}i",
    ]
