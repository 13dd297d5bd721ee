"""Passphrases: asking for one to open an encrypted assessment, and choosing a new one.

A passphrase typed here lives only in memory for this session (the window keeps
it by path so the same file opens again without asking); it is never written to
disk.  Nothing can recover an encrypted assessment whose passphrase is lost, and
the dialogs that choose one say so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services import encryption
from scrutiny_desktop.ui.widgets import ErrorLabel, named, ok_cancel, refused, run_dialog

LOST_WARNING = ("If the passphrase is lost, nothing can open this assessment again: not the "
                "app, not your IT team, not us. Keep it somewhere safe, apart from the file.")


def _secret(name: str) -> QLineEdit:
    edit = named(QLineEdit(), name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    return edit


def _show_toggle(edits: list[QLineEdit], text: str = "Sho&w the passphrase") -> QCheckBox:
    box = named(QCheckBox(text), "Show the passphrase")

    def toggled(shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for edit in edits:
            edit.setEchoMode(mode)

    box.toggled.connect(toggled)
    return box


class UnlockDialog(QDialog):
    """Enter the passphrase of an encrypted assessment."""

    def __init__(self, parent: QWidget | None, file_name: str, problem: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Encrypted assessment")
        intro = QLabel(f"{file_name} is encrypted. Enter its passphrase to open it.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.passphrase = _secret("Passphrase")
        self.error = ErrorLabel(field=self.passphrase)
        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase)
        form.addRow("", self.error)
        form.addRow("", _show_toggle([self.passphrase]))
        box, self.ok = ok_cancel(self, "Open")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(box)
        self.setMinimumWidth(460)
        if problem:
            self.error.show_error(problem)
        self.passphrase.setFocus()

    def problem(self) -> str:
        return "" if self.passphrase.text() else "Enter the passphrase."

    def accept(self) -> None:
        if not refused(self.problem(), self.error):
            super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, file_name: str, problem: str = "") -> str | None:
        dialog = cls(parent, file_name, problem)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return dialog.passphrase.text()
        return None


class NewPassphrase(QWidget):
    """A new passphrase typed twice, with a strength hint as it is typed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.first = _secret("New passphrase")
        self.repeat = _secret("Repeat the passphrase")
        self.hint = QLabel()
        self.hint.setObjectName("passphrase_strength")
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Passphrase strength")
        self.error = ErrorLabel(field=self.first)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        # Letters clear of the New assessment dialog's (which holds these fields too).
        form.addRow("Passp&hrase:", self.first)
        form.addRow("", self.hint)
        form.addRow("Repeat &it:", self.repeat)
        form.addRow("", self.error)
        form.addRow("", _show_toggle([self.first, self.repeat]))
        self.first.textChanged.connect(self._update_hint)
        self._update_hint()

    def _update_hint(self) -> None:
        _score, hint = encryption.strength(self.first.text())
        self.hint.setText(hint)
        self.first.setAccessibleDescription(hint)

    def problem(self) -> str:
        try:
            encryption.check_new_passphrase(self.first.text(), self.repeat.text())
        except InvalidInput as exc:
            return str(exc)
        return ""

    def value(self) -> str:
        return self.first.text()


class NewPassphraseDialog(QDialog):
    """Choose a passphrase (File > Encryption > Encrypt… or Change passphrase…)."""

    def __init__(self, parent: QWidget | None, title: str, intro: str, ok_text: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        label = QLabel(intro)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        warning = QLabel(LOST_WARNING)
        warning.setWordWrap(True)
        warning.setObjectName("passphrase_lost_warning")
        self.fields = NewPassphrase()
        box, self.ok = ok_cancel(self, ok_text)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.fields)
        layout.addWidget(warning)
        layout.addWidget(box)
        self.setMinimumWidth(520)
        self.fields.first.setFocus()

    def accept(self) -> None:
        if not refused(self.fields.problem(), self.fields.error):
            super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, intro: str, ok_text: str) -> str | None:
        dialog = cls(parent, title, intro, ok_text)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return dialog.fields.value()
        return None
