"""Help, About and Preferences."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QMessageBox, QTextBrowser

from scrutiny_desktop import __version__
from scrutiny_desktop.settings import Managed, ManagedConfig, Settings
from tests.ui.helpers import find, run_modal


def test_f1_opens_the_offline_user_guide(make_window, qtbot):
    """F1 shows the bundled guide; its links stay inside it."""
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "_guide", None) is not None and window._guide.isVisible())
    browser = find(window._guide, "User guide", QTextBrowser)
    text = browser.toPlainText()
    assert "Scrutiny Desktop" in text and "Working Together" in text
    assert not browser.openExternalLinks()
    from scrutiny_desktop import paths

    source = paths.resource("help", "guide.html").read_text(encoding="utf-8")
    assert "http://" not in source and "https://" not in source


def test_about_shows_version_sources_and_managed_settings(make_window, qtbot):
    """About names the version, the checklist's sources and what IT manages,
    and its button has a name a screen reader can say."""
    shown = {}
    window = make_window()
    window.managed = Managed(ManagedConfig(protective_marking="OFFICIAL", locked=["protective_marking"]),
                             None)

    def read(box):
        assert isinstance(box, QMessageBox)
        shown.update(title=box.windowTitle(), text=box.text())
        qtbot.mouseClick(find(box, "OK", QAbstractButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, window.show_about, read)
    assert shown["title"] == "About Scrutiny Desktop"
    assert __version__ in shown["text"]
    assert "Working Together" in shown["text"] and "not the official" in shown["text"]
    assert "protective marking (set by your organisation)" in shown["text"]


def test_preferences_save_only_what_changed_and_respect_locks(make_window, qtbot):
    """Preferences change the user's defaults; a setting IT locked cannot be changed."""
    window = make_window(settings=Settings())
    window.managed = Managed(ManagedConfig(protective_marking="OFFICIAL", locked=["protective_marking"]),
                             None)
    window.settings = window.settings.model_copy(update={"protective_marking": "OFFICIAL"})

    def fill(dialog):
        assert not find(dialog, "Protective marking", QLineEdit).isEnabled()
        name = find(dialog, "Default scrutineer name", QLineEdit)
        name.setText("Ann Jones")
        find(dialog, "Organisation name", QLineEdit).setText("Northshire Council")
        qtbot.mouseClick(find(dialog, "Save preferences", QAbstractButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, window.preferences, fill)
    saved = window.saved_store["settings"]
    assert saved.scrutineer_name == "Ann Jones"
    assert saved.organisation_name == "Northshire Council"
    assert "protective_marking" not in saved.model_dump(exclude_unset=True)
    assert window.settings.protective_marking == "OFFICIAL"
