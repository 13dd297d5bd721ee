"""Keyboard use of the main window: Tab order on the question page, window
shortcuts after dialogs and message boxes, and Quit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QMessageBox, QRadioButton

from scrutiny_desktop.ui.main_window import MainWindow
from tests.ui.helpers import find, run_modal


def _active(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def _focus_name() -> str:
    widget = QApplication.focusWidget()
    return widget.accessibleName() if widget is not None else "(nothing)"


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key sent where a person's keystroke goes: to the focused control."""
    focus = QApplication.focusWidget()
    assert focus is not None, "nothing has the keyboard focus"
    qtbot.keyClick(focus, key, modifier)


def test_tab_follows_the_page_from_the_question_through_the_judgement(make_window, qtbot,
                                                                     new_doc_path):
    """Tab goes down the page as it is seen: the question's wording, Guidance (the
    button, then its text), the judgement options, Clear, Findings, evidence,
    recommendations, Previous/Next, then round to the navigator on the left and
    back to the question."""
    window = make_window()
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    template = window.assessment.template
    first_option = template.judgement_options()[0][1]
    first = template.question_ids()[0]
    question = (f"Question 1 of {len(template.question_ids())}, {first}: "
                f"{template.question(first).text}")
    window.assessment.page.question_label.setFocus()
    walk = [_focus_name()]
    for _ in range(13):
        _press(qtbot, Qt.Key.Key_Tab)
        walk.append(_focus_name())
    # Question 1 of a new draft: Previous, Edit, Remove... are disabled, the
    # chair's comment and Respond are hidden, so Tab passes them by.
    assert walk == [question, "Hide guidance", "Guidance", first_option, "Clear judgement",
                    "Findings", "Evidence list", "Add evidence", "Recommendations list",
                    "Add recommendation", "Next question", "Only unanswered", "Questions", question]
    # Shift+Tab goes back the same way.
    _press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert _focus_name() == "Questions"


def test_tab_enters_the_judgement_group_once_and_arrows_move_within(make_window, qtbot, new_doc_path):
    """The options are one stop for Tab; the arrow keys move between them."""
    window = make_window()
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    labels = [label for _v, label in window.assessment.template.judgement_options()]
    window.assessment.page.guidance_text.setFocus()
    _press(qtbot, Qt.Key.Key_Tab)
    assert _focus_name() == labels[0]
    _press(qtbot, Qt.Key.Key_Right)
    assert _focus_name() == labels[1]
    _press(qtbot, Qt.Key.Key_Space)
    assert find(window, labels[1], QRadioButton).isChecked()
    _press(qtbot, Qt.Key.Key_Tab)
    assert _focus_name() == "Clear judgement"
    _press(qtbot, Qt.Key.Key_Tab)
    assert _focus_name() == "Findings"


def test_shortcuts_still_work_after_adding_evidence_through_its_dialog(make_window, qtbot, new_doc_path):
    """After a dialog closes, the window is active again and the focus is back
    on the button that opened it, so Alt+Right moves to the next question."""
    window = make_window()
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    order = window.assessment.template.question_ids()
    add = find(window, "Add evidence", QAbstractButton)
    add.setFocus()

    def fill(dialog):
        qtbot.keyClicks(find(dialog, "Evidence title", QLineEdit), "Board minutes")
        qtbot.mouseClick(find(dialog, "Add evidence", QAbstractButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.keyClick(add, Qt.Key.Key_Space), fill)
    assert window.assessment.page.evidence_table.rowCount() == 1
    assert QApplication.activeWindow() is window
    assert QApplication.focusWidget() is add
    _press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.assessment.current_question == order[1]

    # Cancelled with Escape: the same.
    rec = find(window, "Add recommendation", QAbstractButton)
    rec.setFocus()
    run_modal(qtbot, lambda: qtbot.keyClick(rec, Qt.Key.Key_Space),
              lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
    assert QApplication.focusWidget() is rec
    _press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.assessment.current_question == order[2]


def test_shortcuts_still_work_after_a_message_box(make_window, qtbot, new_doc_path):
    """show_error's box has a named OK button; once it is closed Alt+Right works."""
    window = make_window()
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    order = window.assessment.template.question_ids()
    findings = find(window, "Findings")
    findings.setFocus()
    seen = {}

    def press_ok(box):
        assert isinstance(box, QMessageBox)
        seen["text"] = box.text()
        qtbot.mouseClick(find(box, "OK", QAbstractButton), Qt.MouseButton.LeftButton)

    # The real prompt, not the recorder make_window puts in its place.
    run_modal(qtbot, lambda: MainWindow.show_error(window, "Cannot do that", "Because."), press_ok)
    assert seen["text"] == "Because."
    assert QApplication.focusWidget() is findings
    _press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.assessment.current_question == order[1]

    run_modal(qtbot, lambda: MainWindow.show_info(window, "Done", "All done."), press_ok)
    _press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.assessment.current_question == order[2]


def test_confirm_buttons_are_named_yes_and_no(make_window, qtbot):
    """The question box answers Yes or No, by buttons a screen reader can name."""
    window = make_window()
    answers = []
    for name in ("Yes", "No"):
        def click(box, name=name):
            assert find(box, "Yes", QAbstractButton) and find(box, "No", QAbstractButton)
            qtbot.mouseClick(find(box, name, QAbstractButton), Qt.MouseButton.LeftButton)

        run_modal(qtbot, lambda: answers.append(MainWindow.confirm(window, "Remove", "Remove it?")), click)
    assert answers == [True, False]


def test_ctrl_q_quits(make_window, qtbot, new_doc_path):
    """Ctrl+Q closes the window (and the document) on every platform."""
    window = make_window()
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    assert window.menus.quit_action.shortcut().toString() == "Ctrl+Q"
    _press(qtbot, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.doc is None


def test_activate_window_waits_for_a_platform_that_activates_later(qtbot, monkeypatch):
    """Where activation is confirmed asynchronously, activate_window waits for
    it (in a bounded local loop) and returns True once the window is active."""
    from PySide6.QtWidgets import QWidget

    from scrutiny_desktop.ui import widgets

    monkeypatch.setattr(widgets, "_HEADLESS_PLATFORMS", ())  # take the general path
    first, second = QWidget(), QWidget()
    for w in (first, second):
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
    second.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is second)
    assert widgets.activate_window(first, timeout_ms=1000)
    assert QApplication.activeWindow() is first
    first.hide()
    assert not widgets.activate_window(first)
