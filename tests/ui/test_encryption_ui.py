"""Encrypted assessments in the window (issue 16): the New assessment dialog, the
passphrase prompt on open, the library and recent list, exports said to be plain,
and File > Encryption."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from scrutiny_desktop.checklist import bundled_template, discover_templates
from scrutiny_desktop.services import answers, assessments, library
from scrutiny_desktop.services.assessments import NewAssessment
from scrutiny_desktop.settings import AppState, Managed, ManagedConfig, Settings
from scrutiny_desktop.ui.new_assessment import NewAssessmentDialog, NewAssessmentResult
from scrutiny_desktop.ui.passphrase import NewPassphraseDialog

PASSPHRASE = "plum orchard lantern river"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def secret_path(tmp_path) -> Path:
    path = assessments.create_assessment(
        tmp_path / "secret.scrutiny", bundled_template(),
        NewAssessment(partnership="Westvale Safeguarding Children Partnership", period="2025-26",
                      scrutineer_name="Ann Jones"), passphrase=PASSPHRASE)
    with assessments.open_assessment(path, passphrase=PASSPHRASE) as doc:
        answers.set_findings(doc, bundled_template().question_ids()[0], "Hidden findings.")
    return path


def asked(answers_given: list[str | None]):
    """A stand-in for the passphrase prompt: gives each answer in turn, records problems."""
    problems: list[str] = []

    def ask(_path, problem=""):
        problems.append(problem)
        return answers_given.pop(0)

    return ask, problems


def test_opening_asks_for_the_passphrase_and_a_wrong_one_is_said_plainly(make_window, qtbot,
                                                                        secret_path):
    window = make_window()
    before = sha(secret_path)
    ask, problems = asked(["wrong one entirely", PASSPHRASE])
    window.ask_passphrase = ask
    assert window.open_path(secret_path)
    assert problems[0] == ""
    assert problems[1].startswith("That passphrase does not open secret.scrutiny.")
    assert window.doc is not None and window.doc.encrypted
    assert window.assessment.page.findings.toPlainText() == "Hidden findings."
    window.close_document()
    # The session remembers it: opening again does not ask.
    window.ask_passphrase = lambda *_a: pytest.fail("asked again")
    assert window.open_path(secret_path)
    window.close_document()
    assert window.recorder.errors == []
    assert before != "" and secret_path.exists()


def test_cancelling_the_prompt_opens_nothing_and_changes_nothing(make_window, qtbot, secret_path):
    window = make_window()
    before = sha(secret_path)
    window.ask_passphrase, _problems = asked([None])
    assert not window.open_path(secret_path)
    assert window.doc is None
    assert sha(secret_path) == before
    assert window.recorder.errors == []


def test_new_assessment_can_be_encrypted(make_window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "new.scrutiny"
    result = NewAssessmentResult(bundled_template(), NewAssessment(
        partnership="Eastmoor Partnership", period="2026-27", scrutineer_name="Ann Jones"),
        target, passphrase=PASSPHRASE)
    seen: dict = {}

    def ask(cls, parent, templates, settings, defaults=None, encryption="optional"):
        seen["encryption"] = encryption
        return result

    monkeypatch.setattr(NewAssessmentDialog, "ask", classmethod(ask))
    window = make_window()
    window.new_assessment()
    assert seen["encryption"] == "optional"
    assert window.doc is not None and window.doc.encrypted
    assert b"Eastmoor" not in target.read_bytes()
    assert window.menus.change_passphrase_action.isEnabled()
    assert not window.menus.encrypt_action.isEnabled()


def test_it_managed_settings_make_encryption_default_or_required(qtbot, tmp_path):
    from scrutiny_desktop.ui.main_window import MainWindow

    required = MainWindow(Settings(), AppState(),
                          managed=Managed(ManagedConfig(require_encryption=True), None))
    qtbot.addWidget(required)
    assert required.encryption_policy() == "required"
    dialog = NewAssessmentDialog(discover_templates([]), Settings(documents_dir=str(tmp_path)),
                                 encryption="required")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.encrypt.isChecked() and not dialog.encrypt.isEnabled()
    assert dialog.passphrase.isVisible()
    dialog.partnership.setText("Northshire")
    dialog.period.setText("2025-26")
    dialog.name.setText("Ann Jones")
    assert "a passphrase" in dialog.needed.text()
    dialog.passphrase.first.setText("short")
    assert dialog.passphrase.hint.text().startswith("Weak")
    dialog.passphrase.first.setText(PASSPHRASE)
    dialog.passphrase.repeat.setText(PASSPHRASE)
    assert "a passphrase" not in dialog.needed.text()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result_value().passphrase == PASSPHRASE

    optional = NewAssessmentDialog(discover_templates([]), Settings(documents_dir=str(tmp_path)))
    qtbot.addWidget(optional)
    optional.show()
    assert not optional.encrypt.isChecked() and not optional.passphrase.isVisible()
    default = NewAssessmentDialog(discover_templates([]), Settings(documents_dir=str(tmp_path)),
                                  encryption="default")
    qtbot.addWidget(default)
    assert default.encrypt.isChecked() and default.encrypt.isEnabled()


def test_the_library_and_recent_list_show_an_encrypted_file_by_name_only(make_window, qtbot,
                                                                        secret_path):
    locked = library.summarise_file(secret_path)
    assert locked.encrypted and not locked.partnership
    window = make_window()
    window.state.recent = [str(secret_path)]
    window.refresh_home()  # (an encrypted recent file lists without an error)
    assert window.recorder.errors == []
    from scrutiny_desktop.ui.home import recent_entry, status_text

    assert status_text(locked) == "🔒 Encrypted"
    assert recent_entry(locked).title == "secret.scrutiny"
    from scrutiny_desktop.ui.library_table import LOCKED
    from scrutiny_desktop.ui.library_table import status_text as listed

    assert listed(locked) == LOCKED
    # Once unlocked this session, its details show.
    window.ask_passphrase, _p = asked([PASSPHRASE])
    window.open_path(secret_path)
    window.close_document()
    unlocked = library.summarise_file(secret_path, passphrase=window.known_passphrase(secret_path))
    assert unlocked.ok and unlocked.partnership.startswith("Westvale")
    assert listed(unlocked).startswith("🔒 ")


def test_exports_from_an_encrypted_assessment_say_they_are_plain(make_window, qtbot, secret_path,
                                                                 tmp_path):
    window = make_window()
    window.ask_passphrase, _p = asked([PASSPHRASE])
    window.open_path(secret_path)
    titles: list[str] = []

    def ask_save_path(title, suggested, file_filter=""):
        titles.append(title)
        return tmp_path / "answers.csv"

    window.ask_save_path = ask_save_path
    window.menus.export_csv_action.trigger()
    assert titles == ["Export CSV (the exported file is not encrypted)"]
    assert window.notice.label.text() == "CSV file (not encrypted) saved as answers.csv."


def test_encrypt_change_and_remove_from_the_file_menu(make_window, qtbot, new_doc_path,
                                                      monkeypatch):
    window = make_window()
    window.open_path(new_doc_path)
    qid = window.assessment.current_question
    answers.set_findings(window.doc, qid, "Findings to keep.")
    menus = window.menus
    assert menus.encrypt_action.isEnabled()
    assert not menus.change_passphrase_action.isEnabled()
    choices = [PASSPHRASE, "another long passphrase here"]
    monkeypatch.setattr(NewPassphraseDialog, "ask",
                        classmethod(lambda cls, *a, **k: choices.pop(0)))
    menus.encrypt_action.trigger()
    assert window.doc is not None and window.doc.encrypted
    assert b"Findings to keep." not in new_doc_path.read_bytes()
    assert window.assessment.current_question == qid
    assert window.assessment.page.findings.toPlainText() == "Findings to keep."

    menus.change_passphrase_action.trigger()
    assert window.known_passphrase(new_doc_path) == "another long passphrase here"
    window.close_document()
    with assessments.open_assessment(new_doc_path, passphrase="another long passphrase here") as doc:
        assert answers.get_answer(doc, qid).findings == "Findings to keep."

    window.open_path(new_doc_path)
    menus.decrypt_action.trigger()
    assert window.doc is not None and not window.doc.encrypted
    assert window.recorder.confirms and window.recorder.confirms[-1][0] == "Remove encryption"
    assert b"Findings to keep." in new_doc_path.read_bytes()
    assert window.known_passphrase(new_doc_path) is None
    assert window.recorder.errors == []
