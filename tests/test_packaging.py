"""Packaging files: build.spec, the Linux desktop integration, INSTALL.md.

Fast checks only; building the bundle itself is `make dist` (run by .ci/run).
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scrutiny_desktop import paths
from scrutiny_desktop.settings import ManagedConfig
from scrutiny_desktop.storage import APPLICATION_ID

ROOT = Path(__file__).resolve().parents[1]
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

def test_build_spec_is_valid_python():
    """The spec compiles (PyInstaller executes it as Python)."""
    compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")


def test_build_spec_makes_a_one_folder_bundle_without_upx():
    text = SPEC.read_text(encoding="utf-8")
    assert "COLLECT(" in text, "one-folder builds end in COLLECT"
    assert "upx=False" in text and "upx=True" not in text
    assert "exclude_binaries=True" in text
    assert 'bundle_identifier=BUNDLE_ID' in text
    assert '"org.scrutinydesktop.ScrutinyDesktop"' in text


def test_build_spec_bundles_resources_and_migrations_where_paths_looks():
    """Frozen, paths.py looks in sys._MEIPASS/resources and, for migrations, next to
    the package's modules: sys._MEIPASS/scrutiny_desktop/storage/migrations."""
    text = SPEC.read_text(encoding="utf-8")
    assert 'tree_datas(RESOURCES, "resources")' in text
    assert '"scrutiny_desktop/storage/migrations"' in text
    assert paths.migrations_dir().relative_to(paths._PACKAGE_DIR).as_posix() == "storage/migrations"
    assert (paths.migrations_dir() / "env.py").is_file()
    assert (paths.migrations_dir() / "script.py.mako").is_file()
    assert list((paths.migrations_dir() / "versions").glob("*.py"))


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
