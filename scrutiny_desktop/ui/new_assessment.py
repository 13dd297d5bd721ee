"""The New assessment dialog, validated as the person types."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from scrutiny_desktop.checklist import Template, TemplateInfo
from scrutiny_desktop.services.assessments import NewAssessment, suggested_file_name
from scrutiny_desktop.settings import Settings
from scrutiny_desktop.storage import SUFFIX
from scrutiny_desktop.ui.passphrase import LOST_WARNING, NewPassphrase
from scrutiny_desktop.ui.style import primary
from scrutiny_desktop.ui.widgets import ErrorLabel, document_target, named, restoring_focus, run_dialog


def location_problem(text: str) -> str:
    """Why a new document cannot be created where "Save as" says ("" if it can)."""
    path, problem = document_target(text)
    if path is None:
        return problem
    try:
        if path.exists():
            return "A file with this name already exists. Choose another name."
        if path.parent.exists() and not path.parent.is_dir():
            return "The folder for this file is not a folder."
    except (OSError, ValueError) as exc:
        return f"This name cannot be used ({exc.__class__.__name__}). Choose another name."
    return ""


def _short(reason: str, limit: int = 90) -> str:
    first = " ".join(reason.split(";")[0].split(". ")[0].split())
    return first if len(first) <= limit else first[:limit - 1].rstrip() + "…"


def unusable_note(templates: list[TemplateInfo]) -> str:
    """A short note naming the template files that cannot be used, and why ("" if none)."""
    bad = [info for info in templates if info.template is None]
    if not bad:
        return ""
    lines = [f"{info.path.name}: {_short(info.reason)}" for info in bad]
    head = ("This template file cannot be used and is not listed:" if len(bad) == 1 else
            f"These {len(bad)} template files cannot be used and are not listed:")
    return "\n".join([head, *lines, "Run 'scrutiny-desktop templates' for the full reasons."])


#: How each missing or wrong field is named in the "Still needed" line.
NEEDED = {"partnership": "the partnership's name", "period": "the period covered",
          "name": "the scrutineer's name", "location": "where to save it",
          "passphrase": "a passphrase"}


@dataclass(frozen=True)
class NewAssessmentResult:
    template: Template
    details: NewAssessment
    path: Path
    #: The new document's passphrase, or None for an unencrypted one.
    passphrase: str | None = None


class NewAssessmentDialog(QDialog):
    def __init__(self, templates: list[TemplateInfo], settings: Settings,
                 parent: QWidget | None = None, defaults: dict | None = None,
                 encryption: str = "optional"):
        """``encryption``: "optional", "default" (ticked) or "required" (IT's settings)."""
        super().__init__(parent)
        self.setWindowTitle("New assessment")
        self.setMinimumWidth(560)
        self._settings = settings
        self._path_edited = False
        defaults = defaults or {}

        self.template = named(QComboBox(), "Template", "The checklist this assessment follows")
        for info in templates:
            if info.template is not None:
                self.template.addItem(info.label, info.template)
        # A broken file in a templates folder is not offered, but is named, so that the
        # person who dropped it there knows why their checklist is missing.
        self.unusable = named(QLabel(unusable_note(templates)), "Unusable templates")
        self.unusable.setTextFormat(Qt.TextFormat.PlainText)
        self.unusable.setWordWrap(True)
        self.unusable.setVisible(bool(self.unusable.text()))
        self.partnership = named(QLineEdit(defaults.get("partnership", "")), "Partnership")
        self.partnership.setPlaceholderText("e.g. Northshire Safeguarding Children Partnership")
        self.area = named(QLineEdit(defaults.get("area", "")), "Area")
        self.area.setPlaceholderText("e.g. Northshire County Council area")
        self.period = named(QLineEdit(defaults.get("period", "")), "Period covered")
        self.period.setPlaceholderText("e.g. April 2025 to March 2026")
        self.name = named(QLineEdit(defaults.get("scrutineer_name", settings.scrutineer_name)),
                          "Scrutineer name")
        self.role = named(QLineEdit(defaults.get("scrutineer_role", settings.scrutineer_role)),
                          "Scrutineer role")
        self.role.setPlaceholderText("e.g. Independent scrutineer")
        self.location = named(QLineEdit(), "Save as", "Where the new assessment file is saved")
        browse = named(QPushButton("Browse…"), "Choose where to save")
        browse.clicked.connect(self._browse)
        loc_row = QHBoxLayout()
        loc_row.addWidget(self.location, 1)
        loc_row.addWidget(browse)

        self.errors = {key: ErrorLabel(field=field) for key, field in (
            ("partnership", self.partnership), ("period", self.period), ("name", self.name),
            ("location", self.location))}
        form = QFormLayout()
        form.addRow("&Template:", self.template)
        form.addRow("&Partnership:", self.partnership)
        form.addRow("", self.errors["partnership"])
        form.addRow("&Area:", self.area)
        form.addRow("Period &covered:", self.period)
        form.addRow("", self.errors["period"])
        form.addRow("Scrutineer &name:", self.name)
        form.addRow("", self.errors["name"])
        form.addRow("Scrutineer &role:", self.role)
        save_label = QLabel("&Save as:")
        save_label.setBuddy(self.location)
        form.addRow(save_label, loc_row)
        form.addRow("", self.errors["location"])

        # Encryption: offered, on by default, or required, as IT's settings say.
        self.encrypt = named(QCheckBox("&Encrypt with a passphrase"), "Encrypt with a passphrase",
                             "Only someone with the passphrase can open the file")
        self.encrypt.setChecked(encryption in ("default", "required"))
        self.encrypt.setEnabled(encryption != "required")
        if encryption == "required":
            self.encrypt.setToolTip("Your organisation requires assessments to be encrypted.")
        self.passphrase = NewPassphrase()
        self.lost_warning = QLabel(LOST_WARNING)
        self.lost_warning.setWordWrap(True)
        form.addRow("", self.encrypt)
        form.addRow("", self.passphrase)
        form.addRow("", self.lost_warning)
        self.encrypt.toggled.connect(self._encryption_toggled)
        self.passphrase.first.textChanged.connect(self._validate)
        self.passphrase.repeat.textChanged.connect(self._validate)
        self.passphrase.repeat.textEdited.connect(lambda _t: self._touch("passphrase"))

        note = QLabel("The assessment is saved as you work; there is no Save button.")
        note.setWordWrap(True)
        # Create is never greyed out without a reason: what is still needed is said
        # here, and pressing Create with something missing shows where.
        self.needed = named(QLabel(), "Still needed")
        self.needed.setObjectName("still_needed")
        self.needed.setWordWrap(True)
        self.needed.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create")
        named(self.ok_button, "Create")
        primary(self.ok_button)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.unusable)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.needed)
        layout.addWidget(self.buttons)

        for edit in (self.partnership, self.period, self.name):
            edit.textChanged.connect(self._suggest_path)
            edit.textChanged.connect(self._validate)
        self.location.textEdited.connect(self._mark_path_edited)
        self.location.textChanged.connect(self._validate)
        self._touched: set[str] = set()
        for key, edit in (("partnership", self.partnership), ("period", self.period),
                          ("name", self.name), ("location", self.location)):
            edit.textEdited.connect(lambda _t, k=key: self._touch(k))
        self._suggest_path()
        self._encryption_toggled(self.encrypt.isChecked())

    # -- behaviour ----------------------------------------------------------
    def _touch(self, key: str) -> None:
        self._touched.add(key)
        self._validate()

    def _mark_path_edited(self) -> None:
        self._path_edited = True

    def _suggest_path(self) -> None:
        if self._path_edited:
            return
        folder = self._settings.documents_folder()
        name = suggested_file_name(self.partnership.text() or "New assessment", self.period.text())
        self.location.setText(str(folder / name))

    def _browse(self) -> None:
        with restoring_focus(self):
            chosen, _ = QFileDialog.getSaveFileName(self, "Save the new assessment as",
                                                    self.location.text(),
                                                    f"Scrutiny Desktop assessments (*{SUFFIX})")
        if chosen:
            if not chosen.endswith(SUFFIX):
                chosen += SUFFIX
            self._path_edited = True
            self.location.setText(chosen)
            self._touch("location")

    def problems(self) -> dict[str, str]:
        out = {}
        if not self.partnership.text().strip():
            out["partnership"] = "Enter the partnership's name."
        if not self.period.text().strip():
            out["period"] = "Enter the period this assessment covers."
        if not self.name.text().strip():
            out["name"] = "Enter the scrutineer's name."
        problem = location_problem(self.location.text())
        if problem:
            out["location"] = problem
        if self.encrypt.isChecked():
            problem = self.passphrase.problem()
            if problem:
                out["passphrase"] = problem
        return out

    def _validate(self) -> None:
        problems = self.problems()
        for key, label in self.errors.items():
            # Blank fields are only flagged once someone has typed in them.
            show = key in problems and (key in self._touched or key == "location")
            label.show_error(problems[key] if show else "")
        passphrase_problem = problems.get("passphrase", "") if "passphrase" in self._touched else ""
        self.passphrase.error.show_error(passphrase_problem)
        missing = [NEEDED[key] for key in ("partnership", "period", "name", "location", "passphrase")
                   if key in problems]
        self.needed.setText(f"Still needed before Create: {', '.join(missing)}." if missing else "")
        self.needed.setVisible(bool(missing))
        self.ok_button.setToolTip(self.needed.text())
        self.ok_button.setAccessibleDescription(self.needed.text())

    def target_path(self) -> Path | None:
        """The file to create (``.scrutiny`` added), or None while "Save as" names none."""
        return document_target(self.location.text())[0]

    def _encryption_toggled(self, on: bool) -> None:
        self.passphrase.setVisible(on)
        self.lost_warning.setVisible(on)
        self._validate()
        self.adjustSize()

    def accept(self) -> None:
        self._touched.update([*self.errors, "passphrase"])
        self._validate()
        problems = self.problems()
        if problems:
            # Show every problem, and put the cursor where the first one is.
            fields = {"partnership": self.partnership, "period": self.period, "name": self.name,
                      "location": self.location, "passphrase": self.passphrase.first}
            first = next(key for key in fields if key in problems)
            fields[first].setFocus()
            return
        super().accept()

    def result_value(self) -> NewAssessmentResult:
        path = self.target_path()
        if path is None:  # accept() refuses while "Save as" names no file
            raise RuntimeError("the dialog was not accepted: it names no file to create")
        return NewAssessmentResult(
            template=self.template.currentData(),
            details=NewAssessment(partnership=self.partnership.text(), period=self.period.text(),
                                  scrutineer_name=self.name.text(), area=self.area.text(),
                                  scrutineer_role=self.role.text()),
            path=path,
            passphrase=self.passphrase.value() if self.encrypt.isChecked() else None,
        )

    @classmethod
    def ask(cls, parent, templates: list[TemplateInfo], settings: Settings,
            defaults: dict | None = None, encryption: str = "optional") -> NewAssessmentResult | None:
        dialog = cls(templates, settings, parent, defaults, encryption)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return dialog.result_value()
        return None
