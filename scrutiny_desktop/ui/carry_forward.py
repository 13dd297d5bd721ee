"""New assessment from a previous one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.checklist import Template, TemplateInfo
from scrutiny_desktop.services.assessments import AssessmentInfo, suggested_file_name
from scrutiny_desktop.services.carry_forward import CarryResult, next_period
from scrutiny_desktop.settings import Settings
from scrutiny_desktop.ui.new_assessment import location_problem
from scrutiny_desktop.ui.widgets import ErrorLabel, document_target, named, ok_cancel, run_dialog


def result_note(result: CarryResult) -> tuple[str, bool]:
    """What to tell the person once the new assessment exists, and whether it needs a
    message box (some recommendations were re-homed) rather than the status bar alone."""
    n = result.carried
    note = f"{n} recommendation{'s' if n != 1 else ''} brought forward."
    if result.judgements:
        j = result.judgements
        note += (f" {j} judgement{'s' if j != 1 else ''} brought in to confirm: each is marked "
                 "“carried from” until you confirm or change it.")
    if result.moved:
        note += " Moved to the questions that replace theirs: " + "; ".join(
            f"{old} to {new}" for old, new in result.moved) + "."
    if result.rehomed:
        count = len(result.rehomed)
        first = result.rehomed[0].placed_on
        items = []
        for r in result.rehomed:
            text = " ".join(r.text.split())
            text = text if len(text) <= 60 else text[:59] + "…"
            items.append(f"{r.question_id}: {text}" + (f" (retired: {r.reason})" if r.reason else ""))
        note += (f" {count} {'were' if count != 1 else 'was'} on a question the new checklist no "
                 f"longer has, so {'they are' if count != 1 else 'it is'} on the first question "
                 f"({first}), labelled with the original question: " + "; ".join(items) + ".")
    return note, bool(result.rehomed or result.skipped)


@dataclass(frozen=True)
class CarryForwardChoice:
    period: str
    scrutineer_name: str
    scrutineer_role: str
    template: Template | None  # None: the same checklist as last time
    copy_findings: bool
    path: Path
    #: Bring last year's judgements in, each to confirm (False: leave them blank).
    bring_judgements: bool = True


class CarryForwardDialog(QDialog):
    def __init__(self, parent: QWidget | None, previous: AssessmentInfo, open_count: int,
                 templates: list[TemplateInfo], settings: Settings):
        super().__init__(parent)
        self.setWindowTitle("New assessment from a previous one")
        self.setMinimumWidth(600)
        self._settings = settings
        self._path_edited = False
        intro = QLabel(
            f"Starts the next assessment of {previous.partnership} from the one for "
            f"{previous.period}. {open_count} recommendation{'s' if open_count != 1 else ''} not yet "
            "marked done will be brought forward to follow up, each on the same question (in a "
            "newer checklist, the question that replaces it) and labelled with where it came "
            "from.")
        intro.setWordWrap(True)
        self.partnership = QLabel(previous.partnership)
        self.area = QLabel(previous.area or "—")
        self.period = named(QLineEdit(next_period(previous.period)), "Period covered")
        self.name = named(QLineEdit(settings.scrutineer_name or previous.scrutineer_name), "Scrutineer name")
        self.role = named(QLineEdit(settings.scrutineer_role or previous.scrutineer_role), "Scrutineer role")
        self.template = named(QComboBox(), "Template")
        self.template.addItem(f"The same checklist as last time ({previous.template_title}, "
                              f"version {previous.template_version})", None)
        for info in templates:
            if info.template is not None and info.template.id == previous.template_id \
                    and info.template.version != previous.template_version:
                self.template.addItem(f"{info.label} (newer)", info.template)
        if self.template.count() > 1:
            self.template.setCurrentIndex(1)
        self.bring = named(QRadioButton("&Bring last year's judgements, each marked to confirm"),
                           "Bring judgements to confirm",
                           "Each judgement comes in marked “carried from "
                           f"{previous.period}” and counts as answered only once you "
                           "confirm or change it")
        self.blank = named(QRadioButton("&Leave the judgements blank"), "Leave judgements blank")
        self.judgements = QButtonGroup(self)
        self.judgements.addButton(self.bring)
        self.judgements.addButton(self.blank)
        self.bring.setChecked(True)
        self.copy = named(QCheckBox("Start from last year's findings"),
                          "Start from last year's findings",
                          "Copy each question's findings into the new assessment")
        self.location = named(QLineEdit(), "Save as")
        self.location.textEdited.connect(lambda _t: setattr(self, "_path_edited", True))
        self.error = ErrorLabel(field=self.location)
        self._previous = previous
        form = QFormLayout()
        form.addRow("Partnership:", self.partnership)
        form.addRow("Area:", self.area)
        form.addRow("Period &covered:", self.period)
        form.addRow("Scrutineer &name:", self.name)
        form.addRow("Scrutineer &role:", self.role)
        form.addRow("&Template:", self.template)
        form.addRow("Judgements:", self.bring)
        form.addRow("", self.blank)
        form.addRow("", self.copy)
        form.addRow("&Save as:", self.location)
        form.addRow("", self.error)
        box, self.ok = ok_cancel(self, "Create")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(box)
        self.period.textChanged.connect(self._suggest)
        for w in (self.period, self.name, self.location):
            w.textChanged.connect(self._validate)
        self._suggest()
        self._validate()

    def _suggest(self) -> None:
        if not self._path_edited:
            folder = self._previous.path.parent
            self.location.setText(str(folder / suggested_file_name(self._previous.partnership,
                                                                   self.period.text())))

    def target(self) -> Path | None:
        """The file to create (``.scrutiny`` added), or None while "Save as" names none."""
        return document_target(self.location.text())[0]

    def problem(self) -> str:
        if not self.period.text().strip():
            return "Enter the period the new assessment covers."
        if not self.name.text().strip():
            return "Enter the scrutineer's name."
        if not self.location.text().strip():
            return "Choose where to save the new assessment."
        return location_problem(self.location.text())

    def _validate(self, *_a) -> None:
        problem = self.problem()
        self.error.show_error(problem)
        self.ok.setEnabled(not problem)

    def result_value(self) -> CarryForwardChoice:
        path = self.target()
        if path is None:  # the OK button is disabled while "Save as" names no file
            raise RuntimeError("the dialog was not accepted: it names no file to create")
        return CarryForwardChoice(self.period.text().strip(), self.name.text().strip(),
                                  self.role.text().strip(), self.template.currentData(),
                                  self.copy.isChecked(), path, self.bring.isChecked())

    @classmethod
    def ask(cls, parent, previous: AssessmentInfo, open_count: int, templates: list[TemplateInfo],
            settings: Settings) -> CarryForwardChoice | None:
        dialog = cls(parent, previous, open_count, templates, settings)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return dialog.result_value()
        return None
