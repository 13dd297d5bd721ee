"""Start the app: QApplication, settings, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from scrutiny_desktop import APP_NAME, __version__, paths
from scrutiny_desktop.gc_pause import start_up_done
from scrutiny_desktop.settings import (
    load_managed,
    load_settings,
    load_state,
    save_settings,
    save_state,
)
from scrutiny_desktop.ui.text_size import apply_text_size, remember_default_font
from scrutiny_desktop.ui.widgets import activate_window


def application() -> QApplication:
    """The running QApplication, or a new one."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    elif not isinstance(app, QApplication):
        raise RuntimeError("a Qt application without widgets is already running in this process")
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Scrutiny Desktop")
    app.setDesktopFileName("scrutiny-desktop")
    remember_default_font()  # before any text size is applied
    icon = paths.resource("icons", "scrutiny-desktop.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def create_main_window(file: Path | None = None, *, autosave_delay_ms: int | None = None):
    from scrutiny_desktop.ui.autosave import DEFAULT_DELAY_MS
    from scrutiny_desktop.ui.main_window import MainWindow

    managed = load_managed()
    settings = load_settings()
    # The chosen text size, before the window is built (its headings scale from it).
    apply_text_size(settings.text_size)
    window = MainWindow(settings, load_state(), save_settings=save_settings,
                        save_state=save_state, managed=managed,
                        autosave_delay_ms=autosave_delay_ms or DEFAULT_DELAY_MS)
    # Fit the screen it opens on: remembered geometry clamped, or sized for the screen.
    window.place_on_screen()
    if managed.error:
        # The app still starts, with safe defaults; say why once it is on screen.
        QTimer.singleShot(0, lambda: window.show_error("Managed settings not applied", managed.error))
    if file is not None:
        window.open_path(file)
    return window


class _FileOpenFilter(QObject):
    """macOS sends documents opened from Finder as FileOpen events, not arguments."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.FileOpen and event.file():
            self.window.open_path(Path(event.file()))
            return True
        return False


def run_app(file: Path | None = None) -> int:
    """Show the main window and run the event loop; returns the exit code."""
    app = application()
    window = create_main_window()
    # Keep a reference, where scripts and tests can find it.
    app._scrutiny_main_window = window  # type: ignore[attr-defined]  # a Python attribute on a Qt object
    window.show()
    # Window shortcuts only work in the active window, and a script may start
    # driving the app by keyboard as soon as the event loop runs.
    activate_window(window)
    file_open = _FileOpenFilter(window)
    app.installEventFilter(file_open)
    if file is not None:
        window.open_path(file)
    # Started: at the first idle moment, what the start made is kept out of the
    # collector's way (see scrutiny_desktop.gc_pause; nothing unless launch_gui held it).
    QTimer.singleShot(0, start_up_done)
    try:
        code = app.exec()
    finally:
        app.removeEventFilter(file_open)
    return int(code)
