"""Creating and opening documents from the window: "Save as" paths typed by
hand, where a document opens, and damaged documents."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit
from sqlalchemy.exc import OperationalError

from scrutiny_desktop.checklist import discover_templates
from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.services.assessments import create_assessment
from scrutiny_desktop.settings import Settings
from scrutiny_desktop.storage import lockfile
from scrutiny_desktop.ui.carry_forward import CarryForwardDialog
from scrutiny_desktop.ui.new_assessment import NewAssessmentDialog
from tests.ui.helpers import fill_new_assessment, find, run_modal

# Each is typed one key at a time, so every prefix ("/", "/t", "/tm"...) is seen too.
TYPED = ["/tmp/x", ".", "/", "./", "..", "~", "~/", "sub/", "a/./"]


def _new_dialog(qtbot, tmp_path) -> NewAssessmentDialog:
    dialog = NewAssessmentDialog(discover_templates(),
                                 Settings(documents_dir=str(tmp_path), scrutineer_name="Ann Jones"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(find(dialog, "Partnership", QLineEdit), "Northshire")
    qtbot.keyClicks(find(dialog, "Period covered", QLineEdit), "2025-26")
    return dialog


def _type_location(qtbot, dialog, text: str) -> None:
    location = find(dialog, "Save as", QLineEdit)
    location.setFocus()
    location.selectAll()
    qtbot.keyClick(location, Qt.Key.Key_Delete)
    qtbot.keyClicks(location, text)


@pytest.mark.parametrize("typed", TYPED)
def test_typing_any_save_as_path_never_fails(qtbot, tmp_path, monkeypatch, typed):
    """Every half-typed path is checked as it is typed, without an exception
    (an exception in a slot fails the test), and the result is either a file
    name or an inline error, named beside Create too."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    dialog = _new_dialog(qtbot, tmp_path)
    _type_location(qtbot, dialog, typed)
    create = find(dialog, "Create", QAbstractButton)
    if dialog.target_path() is None:
        assert dialog.errors["location"].isVisible() and dialog.errors["location"].text()
        assert "where to save it" in dialog.needed.text()
        create.click()  # refused, not accepted
        assert dialog.isVisible() and dialog.result() == 0
    else:
        assert dialog.target_path().name.endswith(".scrutiny")


@pytest.mark.parametrize("typed", ["/", ".", "..", "./", "FOLDER", "FOLDER/", "FOLDER/."])
def test_a_folder_or_an_empty_name_is_flagged_inline(qtbot, tmp_path, monkeypatch, typed):
    """A folder, a path ending in a separator, "." or ".." names no file."""
    monkeypatch.chdir(tmp_path)
    dialog = _new_dialog(qtbot, tmp_path)
    _type_location(qtbot, dialog, typed.replace("FOLDER", str(tmp_path)))
    assert dialog.target_path() is None
    error = dialog.errors["location"]
    assert error.isVisible()
    assert "folder" in error.text() or "file name" in error.text()
    assert error.accessibleName() == error.text()
    assert "where to save it" in dialog.needed.text()
    # Finishing the name makes it good.
    qtbot.keyClicks(find(dialog, "Save as", QLineEdit), "" if typed.endswith("/") else "/")
    qtbot.keyClicks(find(dialog, "Save as", QLineEdit), "fresh")
    assert dialog.target_path() is not None and dialog.target_path().name == "fresh.scrutiny"
    assert not error.isVisible()
    assert "where to save it" not in dialog.needed.text()


def test_carry_forward_checks_save_as_the_same_way(qtbot, tmp_path, monkeypatch, new_doc_path):
    """The carry-forward dialog's "Save as" is checked with the same rules."""
    monkeypatch.chdir(tmp_path)
    with assessments.open_assessment(new_doc_path, readonly=True) as doc:
        previous = assessments.info(doc)
    dialog = CarryForwardDialog(None, previous, 0, discover_templates(),
                                Settings(scrutineer_name="Ann Jones"))
    qtbot.addWidget(dialog)
    dialog.show()
    create = find(dialog, "Create", QAbstractButton)
    for typed in ("/", ".", str(tmp_path), str(tmp_path) + "/"):
        _type_location(qtbot, dialog, typed)
        assert dialog.target() is None
        assert dialog.error.isVisible() and dialog.error.text()
        assert not create.isEnabled()
    _type_location(qtbot, dialog, str(tmp_path / "next"))
    assert dialog.target() == tmp_path / "next.scrutiny"
    assert create.isEnabled()


def test_a_new_document_at_an_old_path_starts_at_its_first_question(make_window, qtbot, tmp_path):
    """Where a document was left is remembered by path; a new assessment created
    at the same path later is a different assessment and starts at question 1."""
    window = make_window()
    run_modal(qtbot, window.new_assessment, fill_new_assessment(qtbot, tmp_path, "same"))
    path = tmp_path / "same.scrutiny"
    order = window.assessment.template.question_ids()
    window.assessment.go_to(order[3])
    assert window.close_document()
    assert window.state.document(path).question_id == order[3]
    path.unlink()

    run_modal(qtbot, window.new_assessment, fill_new_assessment(qtbot, tmp_path, "same"))
    assert window.doc is not None and window.doc.path == path
    assert window.assessment.current_question == order[0]
    # And from now on its own place is remembered.
    window.assessment.go_to(order[2])
    assert window.close_document()
    assert window.open_path(path)
    assert window.assessment.current_question == order[2]


def test_a_document_replaced_outside_the_app_does_not_inherit_the_place(
        make_window, tmp_path, cis, details):
    """The same, when the new document comes from elsewhere (the command line, a
    copy): the remembered place belongs to the assessment's uid, not its path."""
    path = create_assessment(tmp_path / "replaced.scrutiny", cis, details)
    window = make_window()
    assert window.open_path(path)
    order = window.assessment.template.question_ids()
    window.assessment.go_to(order[3])
    assert window.close_document()
    assert window.open_path(path)
    assert window.assessment.current_question == order[3]  # same assessment: remembered
    assert window.close_document()
    path.unlink()
    create_assessment(path, cis, details)
    assert window.open_path(path)
    assert window.assessment.current_question == order[0]


def _assert_refused_cleanly(window, path) -> str:
    assert window.open_path(path) is False
    assert window.doc is None
    assert len(window.recorder.errors) == 1
    _title, text = window.recorder.errors[0]
    assert "\n" not in text
    assert not lockfile.lock_path(path).exists()
    assert not window.assessment.isVisible()
    assert window.home.isVisible()
    return text


def test_a_document_damaged_inside_is_refused_without_a_lock_or_exception(make_window, new_doc_path):
    """A document that opens but cannot be read (a date that is not a date) is
    closed again, lock file and all, with one line saying it is damaged."""
    with closing(sqlite3.connect(new_doc_path)) as conn:
        conn.execute("UPDATE answers SET updated_at = 'not a date' WHERE id = 1")
        conn.commit()
    window = make_window()
    text = _assert_refused_cleanly(window, new_doc_path)
    assert text.startswith(f"{new_doc_path.name} is damaged and cannot be shown: ")


def test_a_database_error_while_showing_is_refused_cleanly(make_window, new_doc_path, monkeypatch):
    """An SQLAlchemy error while the questions are read is handled the same way."""
    def broken(doc):
        raise OperationalError("SELECT * FROM answers", {},
                               sqlite3.OperationalError("no such table: answers"))

    monkeypatch.setattr(answers, "question_states", broken)
    window = make_window()
    text = _assert_refused_cleanly(window, new_doc_path)
    assert "is damaged and cannot be shown: no such table: answers" in text


def test_a_document_missing_its_answers_table_is_refused_cleanly(make_window, new_doc_path):
    """The reviewer's case: the answers table dropped with sqlite3."""
    with closing(sqlite3.connect(new_doc_path)) as conn:
        conn.execute("DROP TABLE answers")
        conn.commit()
    window = make_window()
    text = _assert_refused_cleanly(window, new_doc_path)
    assert "damaged" in text
