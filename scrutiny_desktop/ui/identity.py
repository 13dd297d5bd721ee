"""Choosing and creating the signing certificate that a sign-off is signed with.

``CertificatePicker`` is the part of the sign-off and countersignature dialogs
that names the certificate file (a PKCS#12 from the organisation, or one the app
made), asks for its passphrase and shows the certificate's fingerprint.
``CreateIdentityDialog`` makes a personal, self-signed certificate in the user
data folder.  A passphrase is never stored: not in settings, not on disk.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.ui.widgets import ErrorLabel, named, refused, restoring_focus, run_dialog

if TYPE_CHECKING:
    from scrutiny_desktop.services.identity import Identity

KEY_FILTER = "Signing certificates (*.p12 *.pfx);;All files (*)"
#: The shortest passphrase accepted for a new certificate.
MIN_PASSPHRASE = 10


def passphrase_hint(text: str) -> str:
    """A plain-English strength hint for a new passphrase."""
    if not text:
        return f"Choose a passphrase of at least {MIN_PASSPHRASE} characters."
    if len(text) < MIN_PASSPHRASE:
        return f"Too short: use at least {MIN_PASSPHRASE} characters."
    kinds = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if len(text) >= 16 or (len(text) >= 12 and kinds >= 3):
        return "Strong: a long passphrase, such as three or four unrelated words, is best."
    return "Acceptable. Longer is stronger: three or four unrelated words work well."


def fingerprint_lines(fingerprint: str) -> str:
    """A SHA-256 fingerprint (32 hex pairs) on two lines of 16 pairs, easier to read aloud."""
    pairs = fingerprint.split(":")
    half = (len(pairs) + 1) // 2
    return ":".join(pairs[:half]) + "\n" + ":".join(pairs[half:])


def _file_name_for(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "signing"
    return f"{stem}.p12"


class CreateIdentityDialog(QDialog):
    """Make a personal signing certificate (self-signed) protected by a passphrase."""

    def __init__(self, parent: QWidget | None, *, name: str, folder: Path):
        super().__init__(parent)
        self.setWindowTitle("Create my signing certificate")
        self.setMinimumWidth(520)
        self.folder = folder
        self.identity: Identity | None = None
        intro = QLabel(
            "Your certificate proves that a sign-off is yours. It is kept in your user folder "
            "and protected by a passphrase that only you know: Scrutiny Desktop never stores "
            "it, and nobody can recover it if it is lost. After it is made you will see its "
            "fingerprint: give that to the partnership so they can check your signatures.")
        intro.setWordWrap(True)
        self.name = named(QLineEdit(name), "Name on the certificate")
        self.email = named(QLineEdit(), "Email on the certificate (optional)")
        self.passphrase = named(QLineEdit(), "New passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = named(QLineEdit(), "Repeat the passphrase")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.hint = QLabel(passphrase_hint(""))
        self.hint.setAccessibleName("Passphrase strength")
        self.hint.setWordWrap(True)
        self.error = ErrorLabel()
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Email:", self.email)
        form.addRow("&Passphrase:", self.passphrase)
        form.addRow("&Repeat:", self.repeat)
        form.addRow("", self.hint)
        form.addRow("", self.error)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
        self.ok = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Create")
        named(self.ok, "Create certificate")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        self.passphrase.textChanged.connect(lambda t: self.hint.setText(passphrase_hint(t)))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(box)

    def problem(self) -> str:
        if not self.name.text().strip():
            return "Enter your name as it should appear on the certificate."
        if len(self.passphrase.text()) < MIN_PASSPHRASE:
            return f"Choose a passphrase of at least {MIN_PASSPHRASE} characters."
        if self.passphrase.text() != self.repeat.text():
            return "The two passphrases are not the same."
        return ""

    def accept(self) -> None:
        if refused(self.problem(), self.error):
            return
        target = self.folder / _file_name_for(self.name.text())
        n = 2
        while target.exists():
            target = self.folder / _file_name_for(f"{self.name.text()} {n}")
            n += 1
        try:
            from scrutiny_desktop.services.identity import create_identity

            self.identity = create_identity(
                target, name=self.name.text().strip(), email=self.email.text().strip(),
                passphrase=self.passphrase.text().encode())
        except (InvalidInput, DocumentError, OSError) as exc:
            self.error.show_error(" ".join(str(exc).split()))
            return
        self.path = target
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, *, name: str,
            folder: Path) -> tuple[Path, Identity] | None:
        dialog = cls(parent, name=name, folder=folder)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.identity is not None:
            return dialog.path, dialog.identity
        return None


class CertificatePicker(QWidget):
    """Certificate file, passphrase, and the fingerprint once the certificate is open."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, key_path: str = "", signer_name: str = "",
                 folder: Path | None = None):
        super().__init__(parent)
        if folder is None:
            # Loaded when a dialog first needs it: keys and certificates (cryptography)
            # stay off the start-up path.
            from scrutiny_desktop.services.identity import default_identity_folder

            folder = default_identity_folder()
        self.folder = folder
        self.signer_name = signer_name
        self.path = named(QLineEdit(key_path), "Signing certificate file",
                          "A .p12 or .pfx file holding your certificate and key")
        choose = named(QPushButton("Choose…"), "Choose a signing certificate")
        choose.clicked.connect(self._choose)
        self.create_button = named(QPushButton("Create my signing certificate…"),
                            "Create my signing certificate")
        self.create_button.clicked.connect(self._create)
        self.passphrase = named(QLineEdit(), "Certificate passphrase",
                                "The passphrase that protects your certificate; never stored")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.fingerprint = QLabel("")
        self.fingerprint.setAccessibleName("Certificate fingerprint")
        self.fingerprint.setWordWrap(True)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.create_button)
        layout.addWidget(self.fingerprint)
        for sig in (self.path.textChanged, self.passphrase.textChanged):
            sig.connect(self.changed)
        self._created: Identity | None = None

    def _choose(self) -> None:
        start = self.path.text() or str(self.folder)
        with restoring_focus(self):
            chosen, _ = QFileDialog.getOpenFileName(self, "Choose your signing certificate",
                                                    start, KEY_FILTER)
        if chosen:
            self.path.setText(chosen)

    def _create(self) -> None:
        made = CreateIdentityDialog.ask(self, name=self.signer_name, folder=self.folder)
        if made is None:
            return
        path, identity = made
        self._created = identity
        self.path.setText(str(path))
        self._show_fingerprint("Certificate created. Give its fingerprint (SHA-256) to the "
                               "partnership so they can check your signatures:",
                               identity.fingerprint)

    def problem(self) -> str:
        if not self.path.text().strip():
            return "Choose your signing certificate, or create one."
        if not self.passphrase.text():
            return "Enter the passphrase of your signing certificate."
        return ""

    def load(self) -> Identity:
        """Open the certificate with the passphrase; raises a one-line error if it cannot."""
        from scrutiny_desktop.services.identity import load_identity

        identity = load_identity(Path(self.path.text().strip()).expanduser(),
                                            self.passphrase.text().encode())
        self._show_fingerprint("Certificate fingerprint (SHA-256):", identity.fingerprint)
        return identity

    def _show_fingerprint(self, intro: str, fingerprint: str) -> None:
        self.fingerprint.setText(f"{intro}\n{fingerprint_lines(fingerprint)}")
        self.fingerprint.show()
        window = self.window()
        if window is not None:
            window.adjustSize()
