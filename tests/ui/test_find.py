"""Edit > Find (Ctrl+F): matches listed as you type, and Enter goes to the question
with the match selected, whether it is in the findings, the evidence, a
recommendation, the guidance or the question itself."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from scrutiny_desktop.services import evidence, recommendations, review
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.services.recommendations import RecommendationInput
from scrutiny_desktop.settings import Settings
from scrutiny_desktop.ui import find as find_ui
from scrutiny_desktop.ui.find import FindDialog
from tests.helpers import make_signed
from tests.ui.helpers import find

Ctrl = Qt.KeyboardModifier.ControlModifier


def _active(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key sent where a person's keystroke goes: to the focused control."""
    focus = QApplication.focusWidget()
    assert focus is not None, "nothing has the keyboard focus"
    qtbot.keyClick(focus, key, modifier)


def _open_find(qtbot, window) -> FindDialog:
    """Ctrl+F, pressed wherever the focus is in the window."""
    _press(qtbot, Qt.Key.Key_F, Ctrl)
    dialog = window.findChild(FindDialog)
    assert dialog is not None, "Ctrl+F opened nothing"
    qtbot.waitUntil(lambda: dialog.isVisible() and QApplication.focusWidget() is dialog.field)
    return dialog


def _type(qtbot, dialog: FindDialog, text: str) -> int:
    """Type into the Find field; the list is refilled once typing stops."""
    with qtbot.waitSignal(dialog.results_shown, timeout=3000) as shown:
        qtbot.keyClicks(dialog.field, text)
    return shown.args[0]


def _rows(dialog: FindDialog) -> list[tuple[str, str]]:
    return [(dialog.results.topLevelItem(i).text(0), dialog.results.topLevelItem(i).text(1))
            for i in range(dialog.results.topLevelItemCount())]


def test_ctrl_f_finds_typed_findings_and_enter_selects_the_match(make_window, qtbot, new_doc_path):
    """Findings typed on question 1, then Alt+Right to question 2; Ctrl+F, type a
    word in other capitals, Enter: back on question 1 with exactly that word
    selected in the findings, which have the focus, and the Find window closed."""
    window = make_window()
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    assert window.menus.find_action.isEnabled()
    box = find(window, "Findings", QPlainTextEdit)
    box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box)
    qtbot.keyClicks(box, "We read the section 11 audit and the Walrus report of March.")
    _press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.assessment.current_question == "ARR-02"

    dialog = _open_find(qtbot, window)
    assert _type(qtbot, dialog, "WALRUS report") == 1
    assert dialog.count.text() == "1 match"
    assert _rows(dialog) == [("ARR-01", "Findings")]
    assert "Walrus report" in dialog.results.topLevelItem(0).text(2)

    _press(qtbot, Qt.Key.Key_Return)
    assert window.assessment.current_question == "ARR-01"
    assert box.textCursor().selectedText() == "Walrus report"
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box)


def test_down_arrow_and_enter_reach_evidence_and_recommendations(make_window, qtbot, new_doc_path):
    """Down from the field moves into the list (Up from its top goes back); Enter on
    an evidence match selects that evidence row, and Ctrl+F again brings back the
    same list, where a double-click goes to the recommendation."""
    with open_assessment(new_doc_path) as doc:
        evidence.add_evidence(doc, "ARR-04", evidence.EvidenceInput("Terms of reference"))
        evidence.add_evidence(doc, "ARR-04", evidence.EvidenceInput(
            "Budget papers", note="Shows the walrus budget line."))
        recommendations.add_recommendation(doc, "ARR-05", RecommendationInput("Explain the walrus"))
    window = make_window()
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    dialog = _open_find(qtbot, window)
    assert _type(qtbot, dialog, "walrus") == 2
    assert _rows(dialog) == [("ARR-04", "Evidence (note)"), ("ARR-05", "Recommendation")]
    assert dialog.count.text() == "2 matches"

    _press(qtbot, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is dialog.results
    assert dialog.results.currentIndex().row() == 0
    _press(qtbot, Qt.Key.Key_Return)
    page = window.assessment.page
    assert window.assessment.current_question == "ARR-04"
    assert [i.row() for i in page.evidence_table.selectionModel().selectedRows()] == [1]
    assert QApplication.focusWidget() is page.evidence_table

    dialog = _open_find(qtbot, window)
    assert dialog.field.selectedText() == "walrus"
    assert dialog.results.currentIndex().row() == 0
    _press(qtbot, Qt.Key.Key_Down)
    _press(qtbot, Qt.Key.Key_Down)
    assert dialog.results.currentIndex().row() == 1
    _press(qtbot, Qt.Key.Key_Up)
    _press(qtbot, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is dialog.field  # Up from the first match
    # A double-click on a match goes there too.
    rect = dialog.results.visualItemRect(dialog.results.topLevelItem(1))
    qtbot.mousePress(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.assessment.current_question == "ARR-05"
    assert [i.row() for i in page.rec_table.selectionModel().selectedRows()] == [0]


def test_matches_in_guidance_and_question_are_selected(make_window, qtbot, new_doc_path):
    """A guidance match opens the (hidden) guidance and selects the words in it; a
    match in the question's wording selects them in the question."""
    window = make_window()
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    page = window.assessment.page
    page.set_guidance_visible(False)
    dialog = _open_find(qtbot, window)
    assert _type(qtbot, dialog, "Declaration  of   INTERESTS") == 1
    assert _rows(dialog) == [("ARR-02", "Guidance")]
    _press(qtbot, Qt.Key.Key_Return)
    assert window.assessment.current_question == "ARR-02"
    assert page.guidance_text.isVisible()
    assert page.guidance_text.selectedText() == "declaration of interests"

    dialog = _open_find(qtbot, window)
    dialog.field.clear()
    assert _type(qtbot, dialog, "timely access") == 1
    assert _rows(dialog) == [("ARR-03", "Question")]
    _press(qtbot, Qt.Key.Key_Return)
    assert window.assessment.current_question == "ARR-03"
    assert page.question_label.selectedText() == "timely access"


def test_typing_is_debounced_and_escape_closes(make_window, qtbot, new_doc_path, monkeypatch):
    """Typing a word searches once, after the typing stops (a timer, not per key);
    "No matches" says so; Escape closes the Find window and gives the focus back."""
    calls: list[str] = []
    real = find_ui.search.search

    def counting(doc, text, limit=None):
        calls.append(text)
        return real(doc, text, limit)

    monkeypatch.setattr(find_ui.search, "search", counting)
    window = make_window()
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    box = find(window, "Findings", QPlainTextEdit)
    box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box)
    dialog = _open_find(qtbot, window)
    qtbot.keyClicks(dialog.field, "xylophonic")
    assert dialog.timer.isActive() and calls == []
    with qtbot.waitSignal(dialog.results_shown, timeout=3000) as shown:
        pass
    assert shown.args == [0] and calls == ["xylophonic"]
    assert dialog.count.text() == "No matches"
    assert not dialog.go_button.isEnabled()

    _press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box)


def test_find_needs_an_open_assessment_and_works_window_wide(make_window, qtbot, new_doc_path):
    """Edit > Find is available only with an assessment open; its key works from any
    control in the window, and closing the assessment closes the Find window."""
    window = make_window()
    action = window.menus.find_action
    assert not action.isEnabled()
    assert action.shortcuts() == QKeySequence.keyBindings(QKeySequence.StandardKey.Find)
    assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    assert action.isEnabled()
    window.assessment.navigator.tree.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.assessment.navigator.tree)
    dialog = _open_find(qtbot, window)
    assert _type(qtbot, dialog, "scrutiny") > 0
    assert window.close_document()
    assert not dialog.isVisible() and dialog.results.topLevelItemCount() == 0
    assert not action.isEnabled()


def test_chairs_comment_match_is_selected_in_review(make_window, qtbot, new_doc_path):
    """On a signed-off assessment a chair finds words in a comment they wrote, and
    Enter selects them in the chair's comment box."""
    make_signed(new_doc_path)
    with open_assessment(new_doc_path, actor="Chris Chair") as doc:
        review.set_question_comment(doc, "ARR-02", "Ask the panel about the Walrus review.")
    window = make_window(settings=Settings(scrutineer_name="Chris Chair", scrutineer_role="Chair"))
    assert window.open_path(new_doc_path)
    _active(qtbot, window)
    dialog = _open_find(qtbot, window)
    assert _type(qtbot, dialog, "walrus") == 1
    assert _rows(dialog) == [("ARR-02", "Chair's comment")]
    _press(qtbot, Qt.Key.Key_Return)
    assert window.assessment.current_question == "ARR-02"
    comment = window.assessment.page.review_comment
    assert comment.isVisible() and comment.textCursor().selectedText() == "Walrus"
