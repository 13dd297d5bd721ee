"""Honest readiness: the ready-to-sign page warns (without blocking) about judgements
with no findings and about carried-forward judgements not yet confirmed, each one a
way to its question; carry-forward brings judgements "to confirm" (or not at all),
shown on the question page and in the navigator, confirmed with one click or key."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QListWidget,
    QRadioButton,
)

from scrutiny_desktop.services import answers, assessments, progress
from tests.helpers import answer_all_in, audit_rows
from tests.ui.helpers import find, run_modal


def test_ready_page_warns_about_judgements_without_findings(make_window, qtbot, new_doc_path):
    """Every question judged, one with findings: sign-off stays possible, the page says
    how many have no findings and lists them; Enter on one goes to it."""
    answer_all_in(new_doc_path)
    with assessments.open_assessment(new_doc_path) as doc:
        ids = assessments.question_ids(doc)
        answers.set_findings(doc, ids[0], "Seen the terms of reference.")
    window = make_window()
    assert window.open_path(new_doc_path)
    window.menus.ready_action.trigger()
    ready = window.ready
    assert window.stack.currentWidget() is ready
    assert ready.sign.isEnabled()  # a warning, not a blocker
    n = len(ids) - 1
    assert ready.warning.isVisible()
    assert ready.warning.text().startswith(
        f"{n} questions have a judgement but no findings: {ids[1]}, {ids[2]}, ")
    assert "It can be signed off, but check the questions listed below first." in ready.status.text()
    listed = find(window, "Questions to check", QListWidget)
    assert listed.count() == n
    assert listed.item(0).text().startswith(f"{ids[1]}  ")
    assert listed.item(0).text().endswith("— a judgement but no findings")
    listed.setFocus()
    listed.setCurrentRow(2)
    qtbot.keyClick(listed, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.assessment
    assert window.assessment.current_question == ids[3]


def carry_through_the_dialog(qtbot, window, previous, target, *, blank: bool = False) -> dict:
    """File > New assessment from a previous one, with the judgements brought in to
    confirm (the default) or left blank."""
    window.ask_open_path = lambda: previous
    seen = {}

    def fill(dialog):
        bring = find(dialog, "Bring judgements to confirm", QRadioButton)
        seen["default"] = bring.isChecked()
        if blank:  # a click on the button (the row is wider than it is)
            leave = find(dialog, "Leave judgements blank", QRadioButton)
            qtbot.mouseClick(leave, Qt.MouseButton.LeftButton,
                             pos=QPoint(8, leave.height() // 2))
            assert leave.isChecked() and not bring.isChecked()
        find(dialog, "Save as", QLineEdit).setText(str(target))
        qtbot.mouseClick(find(dialog, "Create", QAbstractButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, window.menus.carry_action.trigger, fill)
    assert window.doc is not None and window.doc.path == target
    return seen


def test_carried_judgements_are_confirmed_on_the_question_page(make_window, qtbot,
                                                              new_doc_path, tmp_path):
    """Last year's judgements come in marked "carried from 2025-26": a distinct mark in
    the navigator, a line on the question page, not counted as answered; Confirm
    judgement (a click or Alt+M) or choosing a judgement confirms, and the ready page
    lists those still to confirm."""
    answer_all_in(new_doc_path, "reasonable")
    window = make_window()
    seen = carry_through_the_dialog(qtbot, window, new_doc_path, tmp_path / "next.scrutiny")
    assert seen["default"] is True
    ids = assessments.question_ids(window.doc)
    page, nav = window.assessment.page, window.assessment.navigator
    assert nav.state_of(ids[0]) == "carried"
    item = nav._items[ids[0]]
    assert item.data(0, Qt.ItemDataRole.AccessibleDescriptionRole) == (
        "Carried from 2025-26: confirm or change the judgement")
    assert nav.progress.value() == 0  # nothing counts until confirmed

    window.go_to_question(ids[0])
    assert page.carried_row.isVisible()
    assert page.carried_label.text() == "Carried from 2025-26 — confirm or change it."
    confirm = find(window, "Confirm judgement", QAbstractButton)
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
    assert not page.carried_row.isVisible()
    assert nav.state_of(ids[0]) == "answered" and nav.progress.value() == 1

    # One key: Alt+M while writing the findings.
    window.go_to_question(ids[1])
    page.findings.setFocus()
    assert page.carried_row.isVisible()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: nav.state_of(ids[1]) == "answered", timeout=3000)
    assert not page.carried_row.isVisible()

    # Choosing a judgement (here another one) also confirms.
    window.go_to_question(ids[2])
    strong = find(window, "Strong assurance", QRadioButton)
    qtbot.mouseClick(strong, Qt.MouseButton.LeftButton, pos=QPoint(8, strong.height() // 2))
    assert nav.state_of(ids[2]) == "answered" and not page.carried_row.isVisible()
    assert answers.get_answer(window.doc, ids[2]).judgement == "strong"

    confirmed = [r.target for r in audit_rows(window.doc)
                 if r.action == "answer.judgement_confirmed"]
    assert confirmed == [ids[0], ids[1]]
    assert progress.progress(window.doc).answered == 3

    window.menus.ready_action.trigger()
    ready = window.ready
    assert ready.sign.isEnabled()
    rest = len(ids) - 3
    assert f"{rest} judgements carried forward from 2025-26 are not yet confirmed: {ids[3]}, " \
        in ready.warning.text()
    listed = find(window, "Questions to check", QListWidget)
    assert listed.item(0).text().startswith(f"{ids[3]}  ")
    assert listed.item(0).text().endswith("— not yet confirmed (carried from 2025-26)")


def test_carry_forward_can_leave_the_judgements_blank(make_window, qtbot, new_doc_path,
                                                      tmp_path):
    answer_all_in(new_doc_path, "reasonable")
    window = make_window()
    carry_through_the_dialog(qtbot, window, new_doc_path, tmp_path / "blank.scrutiny",
                             blank=True)
    ids = assessments.question_ids(window.doc)
    assert answers.get_answer(window.doc, ids[0]).judgement is None
    assert window.assessment.navigator.state_of(ids[0]) == "not_started"
    assert not window.assessment.page.carried_row.isVisible()
