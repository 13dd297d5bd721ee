"""Dialogs for one evidence item and one recommendation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.services.evidence import (
    EVIDENCE_KINDS,
    MAX_ATTACHMENT_BYTES,
    EvidenceInput,
    EvidenceView,
)
from scrutiny_desktop.services.recommendations import (
    OWNERS,
    PRIORITIES,
    RECOMMENDATION_STATUSES,
    RecommendationInput,
    RecommendationView,
)
from scrutiny_desktop.ui.spelling import enable_spellcheck
from scrutiny_desktop.ui.widgets import (
    ErrorLabel,
    OptionalDate,
    named,
    ok_cancel,
    restoring_focus,
    run_dialog,
)


@dataclass(frozen=True)
class EvidenceResult:
    item: EvidenceInput
    attach: Path | None
    remove_attachment: bool


class EvidenceDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, existing: EvidenceView | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit evidence" if existing else "Add evidence")
        self.setMinimumWidth(520)
        self.title = named(QLineEdit(), "Evidence title", "What the evidence is, e.g. the name of a report")
        self.kind = named(QComboBox(), "Kind of evidence")
        for value, label in EVIDENCE_KINDS.items():
            self.kind.addItem(label, value)
        self.date = OptionalDate("Evidence date")
        self.source = named(QLineEdit(), "Evidence source", "Who provided it or where it came from")
        self.note = named(QPlainTextEdit(), "Evidence note")
        enable_spellcheck(self.note)
        self.note.setTabChangesFocus(True)
        self.note.setMinimumHeight(80)
        self._attach: Path | None = None
        self._remove = False
        self.attachment_label = QLabel("No file attached")
        self.attachment_label.setWordWrap(True)
        self.attach_button = named(QPushButton("Attach file…"), "Attach file",
                                   "Copy a file into the assessment document")
        self.attach_button.clicked.connect(self._choose_file)
        self.remove_button = named(QPushButton("Remove file"), "Remove attached file")
        self.remove_button.clicked.connect(self._remove_file)
        # The file's name on its own line (a long name wraps there, never clipped),
        # the buttons beneath it.
        att_row = QVBoxLayout()
        att_row.setContentsMargins(0, 0, 0, 0)
        att_row.addWidget(self.attachment_label)
        att_buttons = QHBoxLayout()
        att_buttons.addWidget(self.attach_button)
        att_buttons.addWidget(self.remove_button)
        att_buttons.addStretch(1)
        att_row.addLayout(att_buttons)
        self.error = ErrorLabel(field=self.title)

        form = QFormLayout()
        form.addRow("&Title:", self.title)
        form.addRow("", self.error)
        form.addRow("&Kind:", self.kind)
        form.addRow("&Date:", self.date)
        form.addRow("&Source:", self.source)
        form.addRow("&Note:", self.note)
        form.addRow("Attached file:", att_row)
        self.buttons, _ok = ok_cancel(self, "Save evidence" if existing else "Add evidence")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self._existing_attachment = existing.attachment if existing else None
        if existing:
            self.title.setText(existing.title)
            self.kind.setCurrentIndex(max(0, self.kind.findData(existing.kind)))
            self.date.set_value(existing.date)
            self.source.setText(existing.source)
            self.note.setPlainText(existing.note)
        self.title.textChanged.connect(self._validate)
        self._refresh_attachment()
        self._validate(initial=True)

    def _refresh_attachment(self) -> None:
        if self._attach is not None:
            self.attachment_label.setText(f"{self._attach.name} (will be copied in)")
        elif self._existing_attachment is not None and not self._remove:
            a = self._existing_attachment
            self.attachment_label.setText(f"{a.filename} ({a.size:,} bytes)")
        else:
            self.attachment_label.setText("No file attached")
        has = self._attach is not None or (self._existing_attachment is not None and not self._remove)
        self.remove_button.setEnabled(has)

    def _choose_file(self) -> None:
        with restoring_focus(self):
            chosen, _ = QFileDialog.getOpenFileName(self, "Attach a file")
        if chosen:
            self.set_attachment(Path(chosen))

    def set_attachment(self, path: Path) -> None:
        if path.stat().st_size > MAX_ATTACHMENT_BYTES:
            self.error.show_error(
                f"{path.name} is larger than {MAX_ATTACHMENT_BYTES // 1048576} MB and cannot be attached.")
            return
        self._attach = path
        self._remove = False
        self._refresh_attachment()

    def _remove_file(self) -> None:
        self._attach = None
        self._remove = True
        self._refresh_attachment()

    def _validate(self, *_args, initial: bool = False) -> bool:
        ok = bool(self.title.text().strip())
        if not initial:
            self.error.show_error("" if ok else "Give the evidence a title.")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def accept(self) -> None:
        if self._validate():
            super().accept()

    def result_value(self) -> EvidenceResult:
        item = EvidenceInput(title=self.title.text(), kind=self.kind.currentData(),
                             date=self.date.value(), source=self.source.text(),
                             note=self.note.toPlainText())
        return EvidenceResult(item, self._attach, self._remove and self._attach is None)

    @classmethod
    def ask(cls, parent, existing: EvidenceView | None = None) -> EvidenceResult | None:
        dialog = cls(parent, existing)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return dialog.result_value()
        return None


class RecommendationDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, existing: RecommendationView | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit recommendation" if existing else "Add recommendation")
        self.setMinimumWidth(520)
        self.text = named(QPlainTextEdit(), "Recommendation text", "What the partners should do")
        enable_spellcheck(self.text)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(90)
        self.owner = named(QComboBox(), "Owner", "Who is responsible for acting on it")
        for value, label in OWNERS.items():
            self.owner.addItem(label, value)
        self.owner.setCurrentIndex(self.owner.findData("partnership"))
        self.owner_other = named(QLineEdit(), "Named agency")
        self.owner_other.setPlaceholderText("Name the agency")
        self.priority = named(QComboBox(), "Priority")
        for value, label in PRIORITIES.items():
            self.priority.addItem(label, value)
        self.priority.setCurrentIndex(self.priority.findData("medium"))
        self.due = OptionalDate("Target date")
        self.status = named(QComboBox(), "Recommendation status")
        for value, label in RECOMMENDATION_STATUSES.items():
            self.status.addItem(label, value)
        self.progress = named(QPlainTextEdit(), "Progress on this recommendation")
        enable_spellcheck(self.progress)
        self.progress.setTabChangesFocus(True)
        self.progress.setMaximumHeight(80)
        self.error = ErrorLabel(field=self.text)

        form = QFormLayout()
        form.addRow("&Recommendation:", self.text)
        form.addRow("", self.error)
        form.addRow("&Owner:", self.owner)
        form.addRow("&Named agency:", self.owner_other)
        form.addRow("&Priority:", self.priority)
        form.addRow("Target &date:", self.due)
        form.addRow("&Status:", self.status)
        form.addRow("Pro&gress:", self.progress)
        self.buttons, _ok = ok_cancel(self, "Save recommendation" if existing else "Add recommendation")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        if existing:
            self.text.setPlainText(existing.text)
            self.owner.setCurrentIndex(max(0, self.owner.findData(existing.owner)))
            self.owner_other.setText(existing.owner_other)
            self.priority.setCurrentIndex(max(0, self.priority.findData(existing.priority)))
            self.due.set_value(existing.due)
            self.status.setCurrentIndex(max(0, self.status.findData(existing.status)))
            self.progress.setPlainText(existing.progress)
        self.owner.currentIndexChanged.connect(self._owner_changed)
        self.text.textChanged.connect(self._validate)
        self.owner_other.textChanged.connect(self._validate)
        self._owner_changed()
        self._validate(initial=True)

    def _owner_changed(self) -> None:
        self.owner_other.setEnabled(self.owner.currentData() == "other")
        self._validate()

    def problem(self) -> str:
        if not self.text.toPlainText().strip():
            return "Write the recommendation."
        if self.owner.currentData() == "other" and not self.owner_other.text().strip():
            return "Name the agency that owns this recommendation."
        return ""

    def _validate(self, *_args, initial: bool = False) -> bool:
        problem = self.problem()
        if not initial:
            self.error.show_error(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)
        return not problem

    def accept(self) -> None:
        if self._validate():
            super().accept()

    def result_value(self) -> RecommendationInput:
        return RecommendationInput(text=self.text.toPlainText(), owner=self.owner.currentData(),
                                   owner_other=self.owner_other.text(),
                                   priority=self.priority.currentData(), due=self.due.value(),
                                   status=self.status.currentData(),
                                   progress=self.progress.toPlainText())

    @classmethod
    def ask(cls, parent, existing: RecommendationView | None = None) -> RecommendationInput | None:
        dialog = cls(parent, existing)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return dialog.result_value()
        return None
