"""What the screen shows, a screen reader can say (issue 15), checked in-process
through Qt's accessibility interfaces and the app's announcements.  The same
promises are checked out of process, through AT-SPI, by ``make a11y``."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QScrollArea, QToolButton

from scrutiny_desktop.ui.announce import announcer
from scrutiny_desktop.ui.widgets import ErrorLabel
from tests.helpers import make_signed


def name_of(widget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def description_of(widget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Description)


@pytest.fixture
def said(qtbot):
    """Everything announced to screen readers during the test: (text, assertive)."""
    heard: list[tuple[str, bool]] = []
    announcer.announced.connect(lambda text, assertive: heard.append((text, assertive)))
    yield heard
    announcer.announced.disconnect()


def test_the_save_status_is_readable_and_failures_are_announced(make_window, qtbot,
                                                                new_doc_path, said):
    window = make_window()
    window.open_path(new_doc_path)
    status = window.save_status
    assert name_of(status) == status.text() == "All changes saved"
    page = window.assessment.page
    page.findings.setFocus()
    qtbot.keyClicks(page.findings, "Minutes")
    qtbot.waitUntil(lambda: status.text().startswith("All changes saved "), timeout=5000)
    assert name_of(status) == status.text()  # "All changes saved 12:31:05"
    said.clear()
    window._on_save_failed("the disk is full")
    assert name_of(status) == "Not saved: retrying…"
    assert said == [("Not saved: retrying…", True)]
    window.note_saved()
    assert said[-1][0].startswith("All changes saved") and said[-1][1] is False


def test_a_new_question_is_described_and_announced(make_window, qtbot, new_doc_path, said):
    window = make_window()
    window.open_path(new_doc_path)
    page = window.assessment.page
    template = window.assessment.template
    first, second = template.question_ids()[:2]
    assert f"{first}:" in description_of(page.findings)
    assert any(text.startswith("Opened Northshire") for text, _a in said)
    said.clear()
    page.findings.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.findings)
    qtbot.keyClick(page.findings, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.assessment.current_question == second)
    question = template.question(second)
    expected = f"Question 2 of {len(template.question_ids())}, {second}: {question.text}"
    assert description_of(page.findings) == f"Judgement: none yet. Findings for {expected}"
    assert said == [(expected, False)]
    assert QApplication.focusWidget() is page.findings  # typing goes on where it was


def test_the_question_and_its_guidance_are_tab_stops_and_alt_q_reaches_them(make_window, qtbot,
                                                                           new_doc_path):
    window = make_window()
    window.open_path(new_doc_path)
    window.activateWindow()
    page = window.assessment.page
    chain = page.tab_chain()
    assert chain[:3] == [page.question_label, page.guidance_button, page.guidance_text]
    assert page.question_label.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert page.guidance_text.focusPolicy() == Qt.FocusPolicy.StrongFocus
    window.menus.question_text_action.trigger()
    assert page.focusWidget() is page.question_label
    assert name_of(page.question_label).startswith("Question 1 of ")
    assert window.menus.question_text_action.shortcut().toString() == "Alt+Q"


def test_guidance_is_a_button_that_says_what_it_will_do(make_window, qtbot, new_doc_path):
    window = make_window()
    window.open_path(new_doc_path)
    button: QToolButton = window.assessment.page.guidance_button
    assert not button.isCheckable()  # not announced as a check box
    shown = window.assessment.page.guidance_text.isVisible()
    assert button.accessibleName() == ("Hide guidance" if shown else "Show guidance")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.assessment.page.guidance_text.isVisible() is not shown
    assert button.accessibleName() == ("Show guidance" if shown else "Hide guidance")


def test_each_judgement_option_says_its_place_in_the_group(make_window, qtbot, new_doc_path):
    window = make_window()
    window.open_path(new_doc_path)
    radios = window.assessment.page.radios
    assert radios[0].accessibleDescription().startswith(f"Option 1 of {len(radios)}.")
    assert radios[-1].accessibleDescription().startswith(f"Option {len(radios)} of {len(radios)}.")


def test_the_review_page_says_where_things_stand_first(make_window, qtbot, new_doc_path, said):
    window = make_window()
    window.open_path(new_doc_path)
    window.activateWindow()
    window.show_ready()
    status = window.ready.status
    assert status.text().startswith("Not ready to sign off yet.")
    assert name_of(status) == status.text()  # its text, not a label standing for it
    assert window.ready.focusWidget() is status
    assert status.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert said[-1] == (status.text(), False)
    # No silent, unnamed Tab stop: the scroll area is not one.
    for area in window.ready.findChildren(QScrollArea):
        assert area.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_errors_are_alerts_tied_to_their_field(qtbot, said):
    from PySide6.QtWidgets import QLineEdit

    field = QLineEdit()
    field.setAccessibleDescription("The partnership's full name")
    error = ErrorLabel(field=field)
    qtbot.addWidget(field)
    qtbot.addWidget(error)
    error.show_error("Enter the partnership's name.")
    assert said == [("Enter the partnership's name.", True)]
    assert description_of(field) == "Enter the partnership's name. The partnership's full name"
    assert name_of(error) == "Enter the partnership's name."
    error.show_error("Enter the partnership's name.")  # the same message is not said twice
    assert len(said) == 1
    error.show_error("")
    assert description_of(field) == "The partnership's full name"


def test_the_new_assessment_dialog_ties_its_errors_to_their_fields(qtbot, tmp_path, said):
    from scrutiny_desktop.checklist import discover_templates
    from scrutiny_desktop.settings import Settings
    from scrutiny_desktop.ui.new_assessment import NewAssessmentDialog

    dialog = NewAssessmentDialog(discover_templates([]), Settings(documents_dir=str(tmp_path)))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert ("Enter the partnership's name.", True) in said
    assert description_of(dialog.partnership).startswith("Enter the partnership's name.")
    assert dialog.focusWidget() is dialog.partnership


def test_the_navigator_names_whole_questions_and_its_column(make_window, qtbot, new_doc_path):
    window = make_window()
    window.open_path(new_doc_path)
    nav = window.assessment.navigator
    assert nav.tree.headerItem().text(0) == "Questions"
    template = window.assessment.template
    for _section, q in template.questions():
        text = nav._items[q.id].data(0, Qt.ItemDataRole.AccessibleTextRole)
        assert text.startswith(f"{q.id}  {q.text}, ")


def test_a_signed_off_assessment_is_announced_with_its_notice(make_window, qtbot, doc_path, said):
    make_signed(doc_path)
    window = make_window()
    window.open_path(doc_path)
    opened = next(text for text, _a in said if text.startswith("Opened "))
    assert "Read-only." in opened and "Signed off by Ann Jones" in opened


def test_a_judgement_chosen_by_key_is_announced(make_window, qtbot, new_doc_path, said):
    window = make_window()
    window.open_path(new_doc_path)
    said.clear()
    window.assessment.page.choose_option(1)
    label = window.assessment.template.judgement_options()[1][1]
    assert said == [(f"Judgement: {label}", False)]
    # Also in Findings' description, which screen readers without announcements read
    # when it changes (Orca 43).
    assert description_of(window.assessment.page.findings).startswith(f"Judgement: {label}. ")


def test_the_navigator_is_one_flat_list_so_its_selection_is_the_current_row(make_window, qtbot,
                                                                            new_doc_path):
    """Qt reports a nested row's selection by its place under its parent: a flat list
    keeps what a screen reader is told selected the row that is."""
    window = make_window()
    window.open_path(new_doc_path)
    tree = window.assessment.navigator.tree
    assert all(tree.topLevelItem(i).childCount() == 0 for i in range(tree.topLevelItemCount()))
    second = window.assessment.template.question_ids()[1]
    window.go_to_question(second)
    window.focus_navigator()
    rows = tree.selectionModel().selectedRows()
    assert [tree.itemFromIndex(r).data(0, Qt.ItemDataRole.UserRole) for r in rows] == [second]
    assert rows[0].row() == tree.indexOfTopLevelItem(tree.currentItem())
