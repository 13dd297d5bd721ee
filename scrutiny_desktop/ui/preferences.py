"""Preferences: the scrutineer's defaults and what the PDF prints."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.checklist.model import DEFAULT_SIGNOFF_STATEMENT
from scrutiny_desktop.settings import DEFAULT_MARKING, MAX_LOCK_MINUTES, TEXT_SIZES, Settings
from scrutiny_desktop.ui.spelling import enable_spellcheck
from scrutiny_desktop.ui.text_size import text_size_label
from scrutiny_desktop.ui.widgets import named, restoring_focus, run_dialog


def _with_browse(edit: QLineEdit, name: str, pick) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    button = named(QPushButton("Browse…"), name)
    button.clicked.connect(pick)
    row.addWidget(button)
    return row


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 managed: set[str] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(560)
        self._settings = settings
        managed = managed or set()

        self.name = named(QLineEdit(settings.scrutineer_name), "Default scrutineer name")
        self.role = named(QLineEdit(settings.scrutineer_role), "Default scrutineer role")
        self.documents = named(QLineEdit(str(settings.documents_folder())), "Documents folder",
                               "Where new assessments are saved by default")
        self.marking = named(QLineEdit(settings.protective_marking), "Protective marking",
                             "Printed in the header and footer of every PDF page")
        self.marking.setPlaceholderText(f"e.g. {DEFAULT_MARKING}; leave empty for none")
        self.organisation = named(QLineEdit(settings.organisation_name), "Organisation name")
        self.logo = named(QLineEdit(settings.organisation_logo), "Organisation logo",
                          "A PNG or JPEG printed on the PDF cover")
        self.statement = named(QPlainTextEdit(settings.signoff_statement), "Default sign-off statement")
        enable_spellcheck(self.statement)
        self.statement.setPlaceholderText(DEFAULT_SIGNOFF_STATEMENT)
        self.statement.setTabChangesFocus(True)
        self.statement.setMaximumHeight(90)
        self.text_size = named(QComboBox(), "Text size",
                               "The size of the text in every window, from the platform's usual size")
        for percent in TEXT_SIZES:
            self.text_size.addItem(text_size_label(percent), percent)
        self.text_size.setCurrentIndex(max(0, self.text_size.findData(settings.text_size)))
        self.lock_minutes = named(QSpinBox(), "Lock after minutes without use",
                                  "Hide the window's content after this many minutes without use; "
                                  "0 means never")
        self.lock_minutes.setRange(0, MAX_LOCK_MINUTES)
        self.lock_minutes.setValue(settings.lock_after_minutes)

        you = QGroupBox("You")
        f1 = QFormLayout(you)
        f1.addRow("Your &name:", self.name)
        f1.addRow("Your &role:", self.role)
        docs_label = QLabel("&Documents folder:")
        docs_label.setBuddy(self.documents)
        f1.addRow(docs_label, _with_browse(self.documents, "Choose documents folder", self._pick_folder))
        pdf = QGroupBox("PDF summary")
        f2 = QFormLayout(pdf)
        f2.addRow("Protective &marking:", self.marking)
        f2.addRow("&Organisation:", self.organisation)
        logo_label = QLabel("&Logo:")
        logo_label.setBuddy(self.logo)
        f2.addRow(logo_label, _with_browse(self.logo, "Choose logo", self._pick_logo))
        f2.addRow("Sign-off &statement:", self.statement)
        screen = QGroupBox("Screen")
        f3 = QFormLayout(screen)
        f3.addRow("Te&xt size:", self.text_size)
        lock_label = QLabel("Loc&k the window after:")
        lock_label.setBuddy(self.lock_minutes)
        lock_row = QHBoxLayout()
        lock_row.addWidget(self.lock_minutes)
        lock_row.addWidget(QLabel("minutes without use (0 = never)"), 1)
        f3.addRow(lock_label, lock_row)

        layout = QVBoxLayout(self)
        layout.addWidget(you)
        layout.addWidget(pdf)
        layout.addWidget(screen)
        if managed:
            note = QLabel("Some settings are set by your organisation and cannot be changed here: "
                          + ", ".join(sorted(managed)) + ".")
            note.setWordWrap(True)
            layout.addWidget(note)
        for key, widget in (("protective_marking", self.marking),
                            ("organisation_name", self.organisation),
                            ("organisation_logo", self.logo), ("documents_dir", self.documents),
                            ("lock_after_minutes", self.lock_minutes)):
            if key in managed:
                widget.setEnabled(False)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        named(box.button(QDialogButtonBox.StandardButton.Save), "Save preferences")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

    def _pick_folder(self) -> None:
        with restoring_focus(self):
            chosen = QFileDialog.getExistingDirectory(self, "Documents folder", self.documents.text())
        if chosen:
            self.documents.setText(chosen)

    def _pick_logo(self) -> None:
        with restoring_focus(self):
            chosen, _ = QFileDialog.getOpenFileName(self, "Organisation logo", self.logo.text(),
                                                    "Pictures (*.png *.jpg *.jpeg)")
        if chosen:
            self.logo.setText(chosen)

    def result_value(self) -> Settings:
        s = self._settings.model_copy()
        s.scrutineer_name = self.name.text().strip()
        s.scrutineer_role = self.role.text().strip()
        docs = self.documents.text().strip()
        s.documents_dir = "" if not docs or Path(docs) == Settings().documents_folder() else docs
        s.protective_marking = self.marking.text().strip()
        s.organisation_name = self.organisation.text().strip()
        s.organisation_logo = self.logo.text().strip()
        s.signoff_statement = self.statement.toPlainText().strip()
        s.text_size = int(self.text_size.currentData())
        s.lock_after_minutes = self.lock_minutes.value()
        return s

    @classmethod
    def ask(cls, parent, settings: Settings, managed: set[str] | None = None) -> Settings | None:
        dialog = cls(settings, parent, managed)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return dialog.result_value()
        return None
