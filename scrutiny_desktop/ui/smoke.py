"""A quick offscreen check that Qt and the main window work (used by self-test)."""

from __future__ import annotations


def qt_smoke() -> str:
    from PySide6.QtCore import qVersion
    from PySide6.QtWidgets import QApplication

    from scrutiny_desktop.settings import AppState, Settings
    from scrutiny_desktop.ui.app import application
    from scrutiny_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or application()
    window = MainWindow(Settings(), AppState())
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    image = window.grab()
    window.close()
    window.deleteLater()
    app.processEvents()
    if image.isNull():
        raise RuntimeError("the main window could not be drawn")
    return f"Qt {qVersion()} on the '{app.platformName()}' platform drew the main window"
