"""Review as chair: who is reviewing a signed-off assessment.

Opening a signed-off assessment shows it read-only to everyone.  The chair's review
(comments, the partnership's response, decisions, the countersignature) starts only
from Assessment > Review as chair…, which asks for the chair's name and role here.
They are remembered for this computer (``Settings.chair_name``/``chair_role``) and
never taken from the scrutineer's name; the scrutineer who signed off may not review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.ui.widgets import ErrorLabel, named, ok_cancel, refused, run_dialog


@dataclass(frozen=True)
class Chair:
    """The person reviewing as the partnership's chair, for this session."""

    name: str
    role: str

    @property
    def status_text(self) -> str:
        """What the status bar says while they review."""
        return f"Reviewing as {self.name} (chair)"


class ChairDialog(QDialog):
    """Asks who is reviewing as the chair; refuses the scrutineer who signed off."""

    def __init__(self, parent: QWidget | None, *, name: str = "", role: str = "",
                 signed_by: str = "", problem_for: Callable[[str], str] = lambda _n: ""):
        super().__init__(parent)
        self.setWindowTitle("Review as chair")
        self.setMinimumWidth(480)
        who = f" by {signed_by}" if signed_by else ""
        intro = QLabel(
            f"This assessment was signed off{who}. The partnership's chair reviews it: a "
            "comment on any question, the partnership's response and a decision on each "
            "recommendation, then the countersignature. The review is kept apart from the "
            "scrutineer's work, so give the chair's own name.")
        intro.setWordWrap(True)
        self._problem_for = problem_for
        self.name = named(QLineEdit(name), "Chair's name")
        self.role = named(QLineEdit(role), "Chair's role",
                          "For example, Independent chair of the safeguarding partnership")
        self.role.setPlaceholderText("For example, Independent chair")
        self.error = ErrorLabel(field=self.name)
        form = QFormLayout()
        form.addRow("Chair's &name:", self.name)
        form.addRow("Chair's r&ole:", self.role)
        form.addRow("", self.error)
        box, self.ok = ok_cancel(self, "Start the review")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(box)
        self.name.textChanged.connect(self._validate)
        self._validate()
        (self.role if name and not role else self.name).setFocus()

    def problem(self) -> str:
        name = " ".join(self.name.text().split())
        if not name:
            return "Enter the chair's name."
        return self._problem_for(name)

    def _validate(self, *_a) -> None:
        problem = self.problem()
        # Say why only once something is typed: an empty name explains itself.
        self.error.show_error(problem if self.name.text().strip() else "")
        self.ok.setEnabled(not problem)

    def accept(self) -> None:
        if not refused(self.problem(), self.error):
            super().accept()

    def result_value(self) -> Chair:
        return Chair(" ".join(self.name.text().split()), " ".join(self.role.text().split()))

    @classmethod
    def ask(cls, parent, *, name: str = "", role: str = "", signed_by: str = "",
            problem_for: Callable[[str], str] = lambda _n: "") -> Chair | None:
        """The chair's name and role, or None if cancelled."""
        dialog = cls(parent, name=name, role=role, signed_by=signed_by, problem_for=problem_for)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return dialog.result_value()
        return None
