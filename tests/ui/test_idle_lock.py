"""The optional inactivity lock: after some minutes without use the window saves what
was typed, hides the assessment until a key is pressed and Unlock confirmed, and
gives the focus back; it waits while a modal dialog is open.  Minutes come from
Preferences or from IT's managed config.  The minute is shortened for the tests."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
)

from scrutiny_desktop import APP_NAME, paths
from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.settings import (
    AppState,
    Managed,
    ManagedConfig,
    Settings,
    effective,
    load_settings,
)
from scrutiny_desktop.ui.main_window import MainWindow
from tests.helpers import NORTHSHIRE
from tests.ui.helpers import find, run_modal

TYPED = "The board minutes show the partnership met six times."


def stored_findings(path, qid: str) -> str:
    with assessments.open_assessment(path, readonly=True) as doc:
        return answers.get_answer(doc, qid).findings


def lockable(make_window, qtbot, path, ms_per_minute: int = 300) -> MainWindow:
    """An active window with ``path`` open, autosave too slow to run by itself, and
    the lock set to one (shortened) minute."""
    window = make_window(delay_ms=60_000)
    assert window.open_path(path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.idle_lock.ms_per_minute = ms_per_minute
    window.idle_lock.set_minutes(1)
    return window


def test_the_lock_saves_hides_the_content_and_gives_it_back(make_window, qtbot, new_doc_path):
    """Typed text is written before the content is hidden; the title loses the
    partnership; no shortcut works; a key and Unlock bring everything back with the
    cursor where it was."""
    window = lockable(make_window, qtbot, new_doc_path)
    qid = window.assessment.current_question
    findings = find(window, "Findings", QPlainTextEdit)
    findings.setFocus()
    qtbot.waitUntil(findings.hasFocus)
    assert NORTHSHIRE in window.windowTitle()
    shortcut_hits: list[bool] = []
    probe = QAction("Probe", window)
    probe.setShortcut(QKeySequence("Ctrl+Shift+F12"))
    probe.triggered.connect(lambda: shortcut_hits.append(True))
    window.addAction(probe)

    with qtbot.waitSignal(window.idle_lock.locked, timeout=5000):
        qtbot.keyClicks(findings, TYPED)
        # Still only on screen: the autosave delay is a minute.
        assert stored_findings(new_doc_path, qid) == ""

    assert window.idle_lock.is_locked
    assert stored_findings(new_doc_path, qid) == TYPED
    assert not findings.isVisible()
    assert not any(box.isVisible() for box in window.findChildren(QPlainTextEdit))
    assert window.windowTitle() == APP_NAME and window.windowFilePath() == ""
    assert not window.menuBar().isEnabled()
    message = find(window, "Lock message", QLabel).text()
    assert message == "Locked after 1 minute without use. Press any key to continue."
    unlock = find(window, "Unlock", QAbstractButton)
    assert unlock.hasFocus()

    qtbot.keyClick(unlock, Qt.Key.Key_F12, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert shortcut_hits == []  # menu commands are off while locked
    qtbot.keyClick(unlock, Qt.Key.Key_A)
    assert find(window, "Lock message", QLabel).text() == "Press Enter or choose Unlock to carry on."
    assert window.idle_lock.is_locked  # a key alone does not unlock

    with qtbot.waitSignal(window.idle_lock.unlocked, timeout=2000):
        qtbot.mouseClick(unlock, Qt.MouseButton.LeftButton)
    assert not unlock.isVisible()
    assert findings.isVisible() and findings.toPlainText() == TYPED
    qtbot.waitUntil(findings.hasFocus)
    assert QApplication.focusWidget() is findings
    assert NORTHSHIRE in window.windowTitle()
    assert window.menuBar().isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_F12, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert shortcut_hits == [True]  # and back on afterwards
    assert window.idle_lock.active  # counting towards the next lock


def test_enter_unlocks_and_input_keeps_the_window_open(make_window, qtbot, new_doc_path):
    """Typing keeps postponing the lock; once locked, Enter confirms."""
    window = lockable(make_window, qtbot, new_doc_path, ms_per_minute=400)
    findings = find(window, "Findings", QPlainTextEdit)
    findings.setFocus()
    typed: list[str] = []
    typist = QTimer()
    typist.setInterval(120)

    def one() -> None:
        qtbot.keyClicks(findings, "x")
        typed.append("x")
        if len(typed) == 6:  # 6 x 120 ms of typing: longer than the 400 ms spell
            typist.stop()

    typist.timeout.connect(one)
    with qtbot.assertNotEmitted(window.idle_lock.locked, wait=0):
        typist.start()
        qtbot.waitUntil(lambda: len(typed) == 6, timeout=5000)
    assert not window.idle_lock.is_locked
    with qtbot.waitSignal(window.idle_lock.locked, timeout=5000):
        pass
    with qtbot.waitSignal(window.idle_lock.unlocked, timeout=2000):
        qtbot.keyClick(find(window, "Unlock", QAbstractButton), Qt.Key.Key_Return)
    assert findings.isVisible()


def test_a_modal_dialog_defers_the_lock(make_window, qtbot, new_doc_path):
    """While a modal dialog is open the lock waits; it comes once the dialog closes."""
    window = lockable(make_window, qtbot, new_doc_path, ms_per_minute=200)
    dialog = QDialog(window)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.show()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog)
    with qtbot.waitSignal(window.idle_lock.deferred, timeout=5000):
        pass
    assert not window.idle_lock.is_locked
    assert find(window, "Findings", QPlainTextEdit).isVisible()
    dialog.close()
    with qtbot.waitSignal(window.idle_lock.locked, timeout=5000):
        pass
    assert window.idle_lock.is_locked


def test_other_windows_are_hidden_but_the_guide_stays(make_window, qtbot, new_doc_path):
    """A non-modal window showing content is hidden while locked and shown again after."""
    window = lockable(make_window, qtbot, new_doc_path)
    other = QDialog(window)
    other.setWindowTitle("Comparison")
    other.show()
    window.show_guide()
    guide = window._guide
    qtbot.waitExposed(guide)
    window.idle_lock.lock()
    assert not other.isVisible()
    assert guide.isVisible()
    page = window.idle_lock.page
    window.resize(1280, 720)  # the lock page keeps covering the content area
    qtbot.waitUntil(lambda: page.width() == window.width()
                    and page.geometry().bottom() < window.statusBar().geometry().top()
                    and page.geometry().top() > window.menuBar().geometry().bottom() - 1
                    and page.height() > 400)
    window.idle_lock.unlock()
    assert other.isVisible()


def test_the_lock_is_off_by_default(make_window, qtbot):
    window = make_window()
    assert window.idle_lock.minutes == 0 and not window.idle_lock.active
    assert Settings().lock_after_minutes == 0


def test_settings_keep_the_minutes_in_range(tmp_path):
    """0 to 240 minutes; a hand-edited bad value falls back to never."""
    assert Settings(lock_after_minutes=240).lock_after_minutes == 240
    for bad in (-1, 241):
        with pytest.raises(ValidationError):
            Settings(lock_after_minutes=bad)
    paths.settings_file().parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file().write_text(json.dumps({"lock_after_minutes": 999, "scrutineer_name": "Ann"}),
                                     encoding="utf-8")
    loaded = load_settings()
    assert loaded.lock_after_minutes == 0 and loaded.scrutineer_name == "Ann"


def test_preferences_set_the_minutes(make_window, qtbot):
    """The Preferences spin box sets the lock at once and saves the choice."""
    window = make_window(settings=Settings())

    def fill(dialog):
        spin = find(dialog, "Lock after minutes without use", QSpinBox)
        assert spin.isEnabled() and spin.value() == 0
        spin.setValue(15)
        qtbot.mouseClick(find(dialog, "Save preferences", QAbstractButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, window.preferences, fill)
    assert window.saved_store["settings"].lock_after_minutes == 15
    assert window.idle_lock.minutes == 15 and window.idle_lock.active


def test_it_can_set_and_lock_the_minutes(qtbot):
    """IT's managed config gives a default the user may change, or a locked value."""
    default = Managed(ManagedConfig(lock_after_minutes=10), None)
    assert effective(Settings(), default).lock_after_minutes == 10
    assert effective(Settings(lock_after_minutes=5), default).lock_after_minutes == 5
    locked = Managed(ManagedConfig(lock_after_minutes=10, locked=["lock_after_minutes"]), None)
    assert effective(Settings(lock_after_minutes=0), locked).lock_after_minutes == 10
    assert "inactivity lock (set by your organisation)" in locked.describe()
    with pytest.raises(ValidationError):
        ManagedConfig(lock_after_minutes=300)

    window = MainWindow(Settings(lock_after_minutes=0), AppState(), managed=locked)
    qtbot.addWidget(window)
    assert window.idle_lock.minutes == 10

    def fill(dialog):
        assert not find(dialog, "Lock after minutes without use", QSpinBox).isEnabled()
        dialog.reject()

    run_modal(qtbot, window.preferences, fill)
