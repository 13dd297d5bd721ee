"""The direction of travel on the question page (format-2 checklists that ask for
it), the judgements each question may be given, and how cross-version results
(re-homed recommendations, questions with no counterpart) are told."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QRadioButton

from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.services.carry_forward import CarryResult, Rehomed
from scrutiny_desktop.services.compare import Comparison, UnmatchedQuestion
from scrutiny_desktop.ui.carry_forward import result_note
from scrutiny_desktop.ui.compare import UNMATCHED_HEADING, CompareDialog
from tests.helpers import DIRECTED_TEMPLATE, UNDIRECTED_TEMPLATE, make_doc, write_template
from tests.ui.helpers import find

DIRECTED, PLAIN = DIRECTED_TEMPLATE, UNDIRECTED_TEMPLATE

ITEMS = ["Not given", "Improving", "Stable", "Declining", "Not known"]


def _open(make_window, tmp_path: Path, text: str, name: str):
    path = make_doc(tmp_path / f"{name}.scrutiny", write_template(tmp_path, name, text),
                    period="2025-26")
    window = make_window()
    assert window.open_path(path)
    return window, path


def _stored(path: Path, qid: str) -> str | None:
    with assessments.open_assessment(path, readonly=True) as doc:
        return answers.get_answer(doc, qid).direction


def test_direction_combo_saves_at_once_and_follows_the_question(make_window, qtbot, tmp_path):
    window, path = _open(make_window, tmp_path, DIRECTED, "directed")
    page = window.assessment.page
    combo = find(window, "Direction of travel", QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ITEMS
    assert combo.accessibleDescription()
    assert combo.currentText() == "Not given" and combo.isEnabled()
    label = next(lb for lb in window.findChildren(QLabel) if lb.buddy() is combo)
    assert label.text() == "&Direction of travel:"
    # Alt+D clashes with no other mnemonic on the page or in the menu bar.
    others = [lb.text() for lb in window.findChildren(QLabel) if lb is not label and "&" in lb.text()]
    others += [a.text() for a in window.menuBar().actions()]
    assert not any(t.replace("&&", "").lower().count("&d") for t in others), others

    assert page.question_id == "Q1"
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        combo.setCurrentIndex(ITEMS.index("Declining"))
    assert _stored(path, "Q1") == "declining"

    window.assessment.go_to("Q2")
    assert combo.currentText() == "Not given"  # Q2's own (none), and no write for it
    assert _stored(path, "Q2") is None
    window.assessment.go_to("Q1")
    assert combo.currentText() == "Declining"

    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        combo.setCurrentIndex(0)
    assert _stored(path, "Q1") is None


def test_direction_is_read_only_when_locked(make_window, tmp_path):
    window, path = _open(make_window, tmp_path, DIRECTED, "locked")
    page = window.assessment.page
    page.set_editable(False)
    combo = find(window, "Direction of travel", QComboBox)
    assert not combo.isEnabled()
    combo.setCurrentIndex(1)  # programmatically: still no write
    window.autosaver.flush()
    assert _stored(path, "Q1") is None


def test_not_applicable_only_where_the_question_allows_it(make_window, tmp_path):
    window, _path = _open(make_window, tmp_path, DIRECTED, "na")
    na = find(window, "Not applicable", QRadioButton, visible=False)
    assert window.assessment.page.question_id == "Q1"  # required
    assert not na.isVisible()
    window.assessment.page.choose_option(2)  # Alt+3 reaches nothing on a required question
    assert not na.isChecked()
    window.assessment.go_to("Q2")  # optional
    assert na.isVisible()


def test_no_direction_for_a_checklist_that_does_not_ask(make_window, tmp_path):
    window, _path = _open(make_window, tmp_path, PLAIN, "plain")
    combo = find(window, "Direction of travel", QComboBox, visible=False)
    assert not combo.isVisible()
    # Format 1: "Not applicable" stays offered on required questions.
    assert find(window, "Not applicable", QRadioButton).isVisible()


def test_carry_forward_note_names_rehomed_recommendations(tmp_path):
    plain = CarryResult(tmp_path / "a.scrutiny", 2)
    assert result_note(plain) == ("2 recommendations brought forward.", False)
    result = CarryResult(tmp_path / "a.scrutiny", 3, moved=(("Q3", "N1"),), rehomed=(
        Rehomed("Q5", "Publish the plan", "Covered elsewhere.", "Q1"),))
    note, tell = result_note(result)
    assert tell
    assert "Q3 to N1" in note
    assert "first question (Q1)" in note and "Q5: Publish the plan (retired: Covered elsewhere.)" in note


def test_compare_dialog_lists_questions_with_no_counterpart(qtbot, tmp_path):
    earlier = make_doc(tmp_path / "e.scrutiny", write_template(tmp_path, "p", PLAIN), period="2024-25")
    with assessments.open_assessment(earlier, readonly=True) as doc:
        info = assessments.info(doc)
    comparison = Comparison(info, info, (), (), True, (
        UnmatchedQuestion("Q9", "Section one", "Gone?", "Yes", "Retired for a reason."),))
    dialog = CompareDialog(None, comparison)
    qtbot.addWidget(dialog)
    dialog.show()
    box = find(dialog, UNMATCHED_HEADING, QPlainTextEdit)
    assert "Q9" in box.toPlainText() and "Retired for a reason." in box.toPlainText()
