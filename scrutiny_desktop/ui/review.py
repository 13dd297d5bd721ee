"""Review mode for chairs: the partnership's response and the countersignature."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.services.recommendations import RecommendationView
from scrutiny_desktop.services.review import DECISIONS, ResponseView, ReviewView
from scrutiny_desktop.text import when_text
from scrutiny_desktop.ui.spelling import enable_spellcheck
from scrutiny_desktop.ui.widgets import (
    ErrorLabel,
    OptionalDate,
    named,
    ok_cancel,
    refused,
    run_dialog,
    scrolling_page,
    uk_date,
)


class ResponseDialog(QDialog):
    """The partnership's decision on one recommendation."""

    def __init__(self, parent: QWidget | None, recommendation: RecommendationView,
                 existing: ResponseView | None = None):
        super().__init__(parent)
        self.setWindowTitle("Respond to the recommendation")
        self.setMinimumWidth(560)
        text = QLabel(recommendation.text)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setAccessibleName("Recommendation")
        meta = QLabel(f"Owner: {recommendation.owner_label} · Priority: {recommendation.priority_label}"
                      + (f" · Target date: {uk_date(recommendation.due)}" if recommendation.due else ""))
        self.decision = named(QComboBox(), "Decision")
        for value, label in DECISIONS.items():
            self.decision.addItem(label, value)
        self.detail_label = QLabel()
        self.detail = named(QPlainTextEdit(), "Decision detail")
        enable_spellcheck(self.detail)
        self.detail.setTabChangesFocus(True)
        self.detail.setMaximumHeight(110)
        self.detail_label.setBuddy(self.detail)
        self.owner = named(QLineEdit(), "Action owner", "Who in the partnership will act on it")
        self.due = OptionalDate("Action date")
        self.error = ErrorLabel(field=self.detail)
        form = QFormLayout()
        form.addRow("Recommendation:", text)
        form.addRow("", meta)
        form.addRow("&Decision:", self.decision)
        form.addRow(self.detail_label, self.detail)
        form.addRow("", self.error)
        form.addRow("Action &owner:", self.owner)
        form.addRow("Action da&te:", self.due)
        box, self.ok = ok_cancel(self, "Save response")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(box)
        if existing:
            self.decision.setCurrentIndex(max(0, self.decision.findData(existing.decision)))
            self.detail.setPlainText(existing.detail)
            self.owner.setText(existing.action_owner)
            self.due.set_value(existing.action_due)
        self.decision.currentIndexChanged.connect(self._refresh)
        self.detail.textChanged.connect(self._refresh)
        self._refresh()

    def problem(self) -> str:
        d = self.decision.currentData()
        if d == "accepted_with_changes" and not self.detail.toPlainText().strip():
            return "Say what change the partnership will make."
        if d == "not_accepted" and not self.detail.toPlainText().strip():
            return "Give the reason the partnership does not accept it."
        return ""

    def _refresh(self, *_a) -> None:
        d = self.decision.currentData()
        self.detail_label.setText({"accepted": "&Note (optional):",
                                   "accepted_with_changes": "The &change:",
                                   "not_accepted": "The &reason:"}[d])
        self.ok.setEnabled(not self.problem())

    def accept(self) -> None:
        if not refused(self.problem(), self.error):
            super().accept()

    def result_value(self) -> dict:
        return {"decision": self.decision.currentData(), "detail": self.detail.toPlainText(),
                "action_owner": self.owner.text(), "action_due": self.due.value()}

    @classmethod
    def ask(cls, parent, recommendation: RecommendationView,
            existing: ResponseView | None = None) -> dict | None:
        dialog = cls(parent, recommendation, existing)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return dialog.result_value()
        return None


class ReviewPage(QWidget):
    """The partnership's response: overall response, decisions, countersignature."""

    back_requested = Signal()
    countersign_requested = Signal()
    respond_requested = Signal(int)
    overall_edited = Signal(str)

    COLUMNS = ("#", "Recommendation", "Question", "Owner", "Decision", "Detail", "Action owner",
               "Action date")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loading = False
        self._ids: list[int] = []
        title = QLabel("Partnership response")
        f = title.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        title.setFont(f)
        self.signed = QLabel()
        self.signed.setWordWrap(True)
        self.overall = named(QPlainTextEdit(), "Overall response",
                             "The partnership's overall response to the assessment; saved as you type")
        enable_spellcheck(self.overall)
        self.overall.setTabChangesFocus(True)
        self.overall.setMinimumHeight(120)
        self.overall.setPlaceholderText("The partnership's response to the scrutineer's assessment.")
        self.overall.textChanged.connect(self._overall_changed)
        overall_label = QLabel("&Overall response:")
        overall_label.setBuddy(self.overall)
        self.table = named(QTableWidget(0, len(self.COLUMNS)), "Recommendations and decisions",
                           "Press Enter or choose Respond to record a decision")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # Rows follow their wrapped text as the columns resize.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        h = self.table.horizontalHeader()
        for c in range(len(self.COLUMNS)):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.itemActivated.connect(lambda _i: self._respond())
        self.respond = named(QPushButton("Respond…"), "Respond to recommendation")
        self.respond.clicked.connect(self._respond)
        self.readiness = QLabel()
        self.readiness.setWordWrap(True)
        self.readiness.setAccessibleName("Countersignature readiness")
        self.back = named(QPushButton("◀ Back to the questions"), "Back to the questions")
        self.countersign = named(QPushButton("Countersign…"), "Countersign")
        self.back.clicked.connect(self.back_requested)
        self.countersign.clicked.connect(self.countersign_requested)

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(18, 12, 18, 12)
        body.addWidget(title)
        body.addWidget(self.signed)
        body.addWidget(overall_label)
        body.addWidget(self.overall)
        recs_label = QLabel("&Recommendations and the partnership's decisions:")
        recs_label.setBuddy(self.table)
        body.addWidget(recs_label)
        body.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.respond)
        row.addStretch(1)
        body.addLayout(row)
        body.addWidget(self.readiness)
        scrolling_page(self, content, self.back, self.countersign)

    def show_review(self, review: ReviewView, recs: list[RecommendationView], *, signed_text: str,
                    editable: bool, ready: bool, reasons: list[str]) -> None:
        self._loading = True
        try:
            if self.overall.toPlainText() != review.overall:
                self.overall.setPlainText(review.overall)
        finally:
            self._loading = False
        self.overall.setReadOnly(not editable)
        self.signed.setText(signed_text)
        self.table.setRowCount(0)
        self._ids = []
        for n, r in enumerate(recs, start=1):
            resp = review.responses.get(r.id)
            values = [str(n), r.text, r.question_id, r.owner_label,
                      resp.decision_label if resp else "No decision yet",
                      resp.detail if resp else "", resp.action_owner if resp else "",
                      uk_date(resp.action_due) if resp else ""]
            row = self.table.rowCount()
            self.table.insertRow(row)
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                self.table.setItem(row, c, item)
            self._ids.append(r.id)
        if recs:
            self.table.selectRow(0)
        self.respond.setEnabled(editable and bool(recs))
        cs = review.countersignature
        if cs is not None:
            self.readiness.setText(f"Countersigned by {cs.name} on {when_text(cs.signed_at)}. "
                                   "The response is locked; reopen the review to change it.")
        elif ready:
            self.readiness.setText("Every recommendation has a decision and the overall response is "
                                   "written. The review is ready to countersign.")
        else:
            self.readiness.setText("Not ready to countersign yet. " + " ".join(reasons))
        self.countersign.setEnabled(editable and ready)

    def selected_recommendation(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self._ids[rows[0].row()] if rows else None

    def _respond(self) -> None:
        rec = self.selected_recommendation()
        if rec is not None and self.respond.isEnabled():
            self.respond_requested.emit(rec)

    def _overall_changed(self) -> None:
        if not self._loading and not self.overall.isReadOnly():
            self.overall_edited.emit(self.overall.toPlainText())
