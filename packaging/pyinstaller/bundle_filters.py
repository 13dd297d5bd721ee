"""What build.spec leaves out of the bundle: Qt plugins, Qt translations, and
the rest.  Shared by build.spec and the PySide6 hooks in ./hooks, which apply
the filters *before* PyInstaller follows each plugin's library dependencies,
so a dropped plugin does not drag its libraries in (the GTK3 theme would bring
cairo, pango and atk; the EGLFS platform its own Qt libraries, and so on).

Plain Python without PyInstaller imports, so tests can check the rules.
"""

from __future__ import annotations

import re

# Qt plugins kept, by plugin folder; None keeps every plugin in that folder.
# A folder not listed is dropped entirely: egldeviceintegrations, generic
# (evdev/tslib input for kiosk devices), networkinformation, tls, sqldrivers,
# qmltooling, designer, vectorimageformats, the Wayland
# compositor (server) plugins, multimedia and so on.
QT_PLUGINS_KEPT: dict[str, set[str] | None] = {
    "platforms": {
        "qxcb", "qwayland", "qwayland-generic", "qwayland-egl",  # Linux desktops (X11, Wayland)
        "qwindows",                                              # Windows
        "qcocoa",                                                # macOS
        "qoffscreen", "qminimal",                                # self-test, CI, headless use
    },  # not eglfs, linuxfb, minimalegl, vnc (a network server), vkkhrdisplay
    "platformthemes": {"qxdgdesktopportal"},  # native file dialogs through the XDG portal; not gtk3
    "platforminputcontexts": {
        "composeplatforminputcontextplugin",  # dead keys and the Compose key on Linux
        "ibusplatforminputcontextplugin",     # IBus input methods
    },  # not the Qt Quick virtual keyboard
    "xcbglintegrations": None,
    "wayland-shell-integration": {"xdg-shell"},
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": {"qt-plugin-wayland-egl"},
    # PNG and BMP are built into QtGui.  ICO for the Windows icon, JPEG and GIF
    # for pictures, SVG for icons from the desktop's theme, ICNS on macOS.
    "imageformats": {"qico", "qjpeg", "qgif", "qsvg", "qicns"},
    "iconengines": {"qsvgicon"},
    "styles": None,  # the native Windows 11 / macOS widget styles
    "accessiblebridge": None,  # screen readers (where Qt ships it as a plugin)
    "printsupport": None,  # File > Print: the CUPS printers on Linux (uses the system's libcups)
}

_PLUGIN_RE = re.compile(
    r"(?:^|/)PySide6/(?:Qt/)?plugins/(?P<folder>[^/]+(?:/darwin)?)/(?:lib)?(?P<name>[^/]+?)"
    r"\.(?:so|dll|dylib)$")

_DATA_DROPPED_RE = re.compile(
    # Qt's own translations: the app is English-only and installs no QTranslator.
    r"(?:^|/)PySide6/(?:Qt/)?translations(?:/|$)"
    # QML modules and developer files of Qt parts we do not ship.
    r"|(?:^|/)PySide6/(?:Qt/)?(?:qml|metatypes|typesystems|include|glue|doc)(?:/|$)")

# Individual libraries left out, whatever pulled them in (lower case).
DROPPED_FILES = {
    "opengl32sw.dll",  # Windows: 20 MB software OpenGL; a widgets app draws with the CPU
    # Linux: the CUPS client library that Qt's print plugin loads, and the chain it
    # pulls in (TLS, Kerberos, Avahi...: 10 MB, and network code the app never uses).
    # Printing uses the computer's own libcups (libcups2), as every Linux desktop that
    # prints has; without it File > Print can still print to a PDF file.  Nothing else
    # in the bundle needs these (checked with readelf -d over the bundle).
    "libcups.so.2", "libgssapi_krb5.so.2", "libkrb5.so.3", "libkrb5support.so.0",
    "libk5crypto.so.3", "libcom_err.so.2", "libkeyutils.so.1", "libavahi-client.so.3",
    "libavahi-common.so.3", "libgnutls.so.30", "libp11-kit.so.0", "libidn2.so.0",
    "libunistring.so.2", "libtasn1.so.6", "libnettle.so.8", "libhogweed.so.6", "libgmp.so.10",
}


def _norm(path: str) -> str:
    return str(path).replace("\\", "/")


def qt_plugin(dest: str) -> tuple[str, str] | None:
    """(folder, name) when ``dest`` is a Qt plugin inside PySide6, else None."""
    m = _PLUGIN_RE.search(_norm(dest))
    if not m:
        return None
    folder = m.group("folder").split("/")[0]
    return folder, m.group("name")


def keep_binary(dest: str) -> bool:
    """Whether a binary (by its path inside the bundle) belongs in the bundle."""
    dest = _norm(dest)
    if dest.rsplit("/", 1)[-1].lower() in DROPPED_FILES:
        return False
    plugin = qt_plugin(dest)
    if plugin is None:
        return True
    folder, name = plugin
    if folder not in QT_PLUGINS_KEPT:
        return False
    allowed = QT_PLUGINS_KEPT[folder]
    return allowed is None or name in allowed


def keep_data(dest: str) -> bool:
    """Whether a data file (by its path inside the bundle) belongs in the bundle."""
    return not _DATA_DROPPED_RE.search(_norm(dest))


def filter_toc(entries, keep):
    """Filter hook-style (source, dest_dir) pairs or TOC (dest, source, kind) tuples.

    ``keep`` is given the file's path inside the bundle.
    """
    out = []
    for entry in entries:
        if len(entry) == 3:          # TOC entry: (dest_name, src_name, typecode)
            dest = entry[0]
        else:                        # hook pair: (src_path, dest_dir)
            src, dest_dir = entry
            dest = f"{_norm(dest_dir).rstrip('/')}/{_norm(src).rsplit('/', 1)[-1]}"
        if keep(dest):
            out.append(entry)
    return out
