"""Starting the real app through the command line's front door."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from scrutiny_desktop import cli


def test_cli_main_reuses_the_running_qapplication_and_returns_its_exit_code(qapp, new_doc_path):
    """Scripts can start the app with a file, drive it, close it and get 0 back."""
    seen = {}

    def close_when_ready():
        window = getattr(qapp, "_scrutiny_main_window", None)
        if window is None or window.doc is None:
            QTimer.singleShot(10, close_when_ready)
            return
        seen["path"] = window.doc.path
        seen["title"] = window.windowTitle()
        seen["file"] = window.windowFilePath()
        seen["same_app"] = QApplication.instance() is qapp
        window.close()

    QTimer.singleShot(0, close_when_ready)
    assert cli.main([str(new_doc_path)]) == 0
    assert seen["path"] == new_doc_path
    assert seen["same_app"]
    assert seen["title"].startswith("Northshire Safeguarding Children Partnership, 2025-26 — ")
    assert seen["file"] == str(new_doc_path)


def test_bad_managed_config_still_starts_and_explains(qapp, tmp_path, monkeypatch):
    """A broken config.toml from IT does not stop the app; it says which file and setting."""
    config = tmp_path / "config.toml"
    config.write_text('protective_marking = 7\n')
    monkeypatch.setenv("SCRUTINY_DESKTOP_CONFIG", str(config))
    shown = []

    def close_when_ready():
        window = getattr(qapp, "_scrutiny_main_window", None)
        if window is None or not window.isVisible():
            QTimer.singleShot(10, close_when_ready)
            return
        window.show_error = lambda title, text: shown.append(text)
        QTimer.singleShot(50, window.close)

    QTimer.singleShot(0, close_when_ready)
    assert cli.main([]) == 0
    window = qapp._scrutiny_main_window
    assert window.settings.protective_marking == "OFFICIAL-SENSITIVE"
    assert "config.toml" in window.managed.error and "protective_marking" in window.managed.error


def test_a_script_starting_at_once_finds_the_window_active(qapp, qtbot, new_doc_path):
    """A script that drives the app by keyboard from QTimer.singleShot(0) finds
    the window active, with the focus in it, so window shortcuts work at once."""
    from PySide6.QtCore import Qt

    seen = {}

    def drive():
        window = qapp._scrutiny_main_window
        try:
            seen["active"] = QApplication.activeWindow() is window
            focus = QApplication.focusWidget()
            seen["focus"] = focus.accessibleName() if focus is not None else None
            before = window.assessment.current_question
            qtbot.keyClick(focus or window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
            seen["moved"] = window.assessment.current_question != before
        finally:
            window.close()

    QTimer.singleShot(0, drive)
    assert cli.main([str(new_doc_path)]) == 0
    assert seen == {"active": True, "focus": "Findings", "moved": True}


def test_the_collector_is_held_off_until_the_app_has_started(qapp, new_doc_path):
    """The front door holds the collector off while the app starts (issue 17); at the
    first idle moment with the document open, what the start made is frozen and the
    collector runs again (see scrutiny_desktop.gc_pause)."""
    import gc

    gc.unfreeze()
    assert gc.isenabled()
    seen: dict[str, object] = {}
    ticks = [0]

    def watch():
        window = getattr(qapp, "_scrutiny_main_window", None)
        seen.setdefault("collector while starting", gc.isenabled())
        seen.setdefault("frozen while starting", gc.get_freeze_count())
        ticks[0] += 1
        if (window is None or window.doc is None or not gc.isenabled()) and ticks[0] < 1000:
            QTimer.singleShot(0, watch)
            return
        seen["collector once started"] = gc.isenabled()
        seen["frozen once started"] = gc.get_freeze_count() > 1000
        window.close()

    QTimer.singleShot(0, watch)
    try:
        assert cli.main([str(new_doc_path)]) == 0
    finally:
        gc.unfreeze()
        gc.enable()
    assert seen == {"collector while starting": False, "frozen while starting": 0,
                    "collector once started": True, "frozen once started": True}
    assert qapp._scrutiny_main_window.doc is None  # closed, as a script closes it
