"""Choosing and creating a signing certificate in the sign-off dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from scrutiny_desktop.services import identity as identities
from scrutiny_desktop.ui.identity import CreateIdentityDialog, passphrase_hint
from scrutiny_desktop.ui.signoff import SignOffDialog
from tests.ui.helpers import find, run_modal

PASSPHRASE = "correct horse battery staple"


def test_passphrase_hint_says_too_short_and_strong():
    assert "at least" in passphrase_hint("")
    assert passphrase_hint("short").startswith("Too short")
    assert passphrase_hint("four unrelated words here").startswith("Strong")


def test_create_my_certificate_makes_a_protected_file_and_shows_its_fingerprint(qtbot, tmp_path):
    dialog = CreateIdentityDialog(None, name="Ann Jones", folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    find(dialog, "New passphrase", QLineEdit).setText("too short")
    find(dialog, "Repeat the passphrase", QLineEdit).setText("too short")
    dialog.accept()
    assert dialog.identity is None and "at least" in dialog.error.text()
    find(dialog, "New passphrase", QLineEdit).setText(PASSPHRASE)
    find(dialog, "Repeat the passphrase", QLineEdit).setText(PASSPHRASE + "!")
    dialog.accept()
    assert dialog.identity is None and "not the same" in dialog.error.text()
    find(dialog, "Repeat the passphrase", QLineEdit).setText(PASSPHRASE)
    dialog.accept()
    assert dialog.identity is not None
    made = tmp_path / "ann-jones.p12"
    assert dialog.path == made and made.is_file()
    assert PASSPHRASE.encode() not in made.read_bytes()
    again = identities.load_identity(made, PASSPHRASE.encode())
    assert again.fingerprint == dialog.identity.fingerprint


def test_sign_off_dialog_needs_a_certificate_and_its_passphrase(qtbot, tmp_path):
    key = tmp_path / "ann.p12"
    made = identities.create_identity(key, name="Ann Jones", passphrase=PASSPHRASE.encode())
    dialog = SignOffDialog(None, name="Ann Jones", role="Scrutineer", statement="I confirm.",
                           identity_folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.confirm.setChecked(True)
    assert not dialog.ok.isEnabled()  # no certificate chosen yet
    assert "certificate" in dialog.problem()
    find(dialog, "Signing certificate file", QLineEdit, visible=False).setText(str(key))
    assert "passphrase" in dialog.problem()
    find(dialog, "Certificate passphrase", QLineEdit, visible=False).setText("wrong passphrase")
    assert dialog.ok.isEnabled()
    dialog.accept()
    assert dialog.result() != SignOffDialog.DialogCode.Accepted
    assert "passphrase" in dialog.error.text().lower()
    find(dialog, "Certificate passphrase", QLineEdit, visible=False).setText(PASSPHRASE)
    dialog.accept()
    assert dialog.identity is not None and dialog.identity.fingerprint == made.fingerprint
    shown = find(dialog, "Certificate fingerprint", QLabel, visible=False).text()
    assert made.fingerprint == shown.split("\n", 1)[1].replace("\n", ":")
    assert dialog.result_value()["identity"] is dialog.identity


def test_create_from_the_sign_off_dialog_fills_in_the_new_certificate(qtbot, tmp_path):
    dialog = SignOffDialog(None, name="Ann Jones", role="Scrutineer", statement="I confirm.",
                           identity_folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()

    def fill(create):
        find(create, "New passphrase", QLineEdit).setText(PASSPHRASE)
        find(create, "Repeat the passphrase", QLineEdit).setText(PASSPHRASE)
        qtbot.mouseClick(find(create, "Create certificate"), Qt.MouseButton.LeftButton)

    run_modal(qtbot, dialog.certificate.create_button.click, fill)
    assert dialog.certificate.path.text() == str(tmp_path / "ann-jones.p12")
    assert "fingerprint" in dialog.certificate.fingerprint.text()
