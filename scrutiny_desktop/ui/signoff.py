"""Ready to sign, the sign-off dialog with a signature pad, and reopening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.services.progress import Progress, ReadinessWarnings
from scrutiny_desktop.services.recommendations import RecommendationView
from scrutiny_desktop.services.signoff import Readiness
from scrutiny_desktop.text import when_text
from scrutiny_desktop.ui.identity import CertificatePicker
from scrutiny_desktop.ui.spelling import enable_spellcheck
from scrutiny_desktop.ui.style import primary
from scrutiny_desktop.ui.widgets import (
    ErrorLabel,
    named,
    refused,
    run_dialog,
    scrolling_page,
    uk_date,
)

if TYPE_CHECKING:
    from scrutiny_desktop.services.identity import Identity


class SignaturePad(QWidget):
    """Draw a signature with a mouse, pen or finger.  An empty pad is no signature."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Signature pad", "Draw your signature here with the mouse, a pen or a finger")
        self.setMinimumSize(360, 120)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._strokes: list[QPainterPath] = []
        self._current: QPainterPath | None = None

    def is_empty(self) -> bool:
        return not any(p.elementCount() > 1 for p in self._strokes)

    def clear(self) -> None:
        self._strokes = []
        self._current = None
        self.update()
        self.changed.emit()

    def _begin(self, pos: QPointF) -> None:
        self._current = QPainterPath(pos)
        self._strokes.append(self._current)

    def _extend(self, pos: QPointF) -> None:
        if self._current is not None:
            self._current.lineTo(pos)
            self.update()

    def _end(self) -> None:
        if self._current is not None:
            self._current = None
            self.changed.emit()

    def add_stroke(self, points: list[tuple[float, float]]) -> None:
        """Draw a stroke programmatically (tests, scripted use)."""
        if not points:
            return
        self._begin(QPointF(*points[0]))
        for p in points[1:]:
            self._extend(QPointF(*p))
        self._end()

    def mousePressEvent(self, event) -> None:
        self._begin(event.position())

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())

    def mouseReleaseEvent(self, event) -> None:
        self._end()

    def tabletEvent(self, event) -> None:
        t = event.type()
        if t == event.Type.TabletPress:
            self._begin(event.position())
        elif t == event.Type.TabletMove:
            self._extend(event.position())
        elif t == event.Type.TabletRelease:
            self._end()
        event.accept()

    def event(self, event) -> bool:
        t = event.type()
        if t in (event.Type.TouchBegin, event.Type.TouchUpdate, event.Type.TouchEnd):
            points = event.points()
            if points:
                pos = points[0].position()
                if t == event.Type.TouchBegin:
                    self._begin(pos)
                elif t == event.Type.TouchUpdate:
                    self._extend(pos)
                else:
                    self._end()
            event.accept()
            return True
        return super().event(event)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        p.setPen(QPen(QColor("#9e9e9e"), 1, Qt.PenStyle.DashLine))
        baseline = self.height() - 24
        p.drawLine(12, baseline, self.width() - 12, baseline)
        if self.is_empty():
            p.setPen(QColor("#757575"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Sign here (optional)")
        p.setPen(QPen(QColor("#0d1b4c"), 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        for stroke in self._strokes:
            p.drawPath(stroke)
        if self.hasFocus():
            p.setPen(QPen(self.palette().highlight().color(), 2))
            p.drawRect(self.rect().adjusted(1, 1, -2, -2))
        p.end()

    def to_png(self) -> bytes | None:
        """The signature cropped to its strokes, on a transparent background."""
        if self.is_empty():
            return None
        bounds = QPainterPath()
        for s in self._strokes:
            bounds.addPath(s)
        rect = bounds.boundingRect().adjusted(-4, -4, 4, 4).toAlignedRect()
        scale = 2
        image = QImage(rect.width() * scale, rect.height() * scale, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(scale, scale)
        p.translate(-rect.topLeft())
        p.setPen(QPen(QColor("#0d1b4c"), 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        for stroke in self._strokes:
            p.drawPath(stroke)
        p.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # stub says bytes; PySide6 wants str
        buffer.close()
        return bytes(data.data())


class SignOffDialog(QDialog):
    def __init__(self, parent: QWidget | None, *, name: str, role: str, statement: str,
                 title: str = "Sign off the assessment", confirm_text: str = "I confirm the statement above",
                 button_text: str = "Sign off", key_path: str = "",
                 identity_folder: Path | None = None,
                 name_problem: Callable[[str], str] = lambda _name: ""):
        super().__init__(parent)
        #: Why a name may not sign here ("" if it may): the countersignature refuses
        #: the scrutineer who signed off (``review.name_independence_problem``).
        self._name_problem = name_problem
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.now = dt.datetime.now().astimezone()
        self.name = named(QLineEdit(name), "Signer name")
        self.role = named(QLineEdit(role), "Signer role")
        self.when = QLabel(when_text(self.now))
        self.when.setAccessibleName("Date and time of signing")
        self.when.setToolTip("The time is taken when you sign, and kept to the minute")
        # The record takes the time of signing, so the clock shown keeps up with it
        # (a dialog left open over a minute would otherwise show an earlier time).
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._clock.start(1000)
        self.statement = named(QPlainTextEdit(statement), "Sign-off statement")
        enable_spellcheck(self.statement)
        self.statement.setTabChangesFocus(True)
        self.statement.setMaximumHeight(110)
        self.confirm = named(QCheckBox(confirm_text), "I confirm")
        self.pad = SignaturePad()
        clear = named(QPushButton("Clear"), "Clear signature")
        clear.clicked.connect(self.pad.clear)
        pad_row = QHBoxLayout()
        pad_row.addWidget(self.pad, 1)
        pad_row.addWidget(clear, 0, Qt.AlignmentFlag.AlignBottom)
        self.certificate = CertificatePicker(self, key_path=key_path, signer_name=name,
                                             folder=identity_folder)
        self.identity: Identity | None = None
        self.error = ErrorLabel()
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Role:", self.role)
        form.addRow("Date and time:", self.when)
        form.addRow("&Statement:", self.statement)
        form.addRow("", self.confirm)
        sig_label = QLabel("Si&gnature:")
        sig_label.setBuddy(self.pad)
        form.addRow(sig_label, pad_row)
        cert_label = QLabel("&Certificate:")
        cert_label.setBuddy(self.certificate.path)
        form.addRow(cert_label, self.certificate)
        pass_label = QLabel("Pass&phrase:")
        pass_label.setBuddy(self.certificate.passphrase)
        form.addRow(pass_label, self.certificate.passphrase)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(button_text)
        named(self.ok, button_text)
        named(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for sig in (self.name.textChanged, self.confirm.toggled, self.statement.textChanged,
                    self.certificate.changed):
            sig.connect(self._validate)
        self._validate()

    def _tick(self) -> None:
        now = dt.datetime.now().astimezone()
        if when_text(now) != when_text(self.now):
            self.when.setText(when_text(now))
        self.now = now

    def problem(self) -> str:
        if not self.name.text().strip():
            return "Enter your name."
        refused = self._name_problem(self.name.text())
        if refused:
            return refused
        if not self.statement.toPlainText().strip():
            return "The statement cannot be blank."
        if not self.confirm.isChecked():
            return "Tick “I confirm” to sign."
        return self.certificate.problem()

    def _validate(self, *_a) -> None:
        self.ok.setEnabled(not self.problem())
        # Independence is said at once, not only when the button is pressed.
        refused = self._name_problem(self.name.text()) if self.name.text().strip() else ""
        if refused or self.error.text() == self._shown_refusal:
            self.error.show_error(refused)
        self._shown_refusal = refused

    _shown_refusal = ""

    def accept(self) -> None:
        if refused(self.problem(), self.error):
            return
        try:
            self.identity = self.certificate.load()
        except (InvalidInput, DocumentError, OSError) as exc:
            self.error.show_error(" ".join(str(exc).split()))
            return
        super().accept()

    def result_value(self) -> dict:
        """What the services need to sign, and the certificate file to remember."""
        return {"name": self.name.text().strip(), "role": self.role.text().strip(),
                "statement": self.statement.toPlainText().strip(),
                "confirmed": self.confirm.isChecked(), "signature_png": self.pad.to_png(),
                "identity": self.identity}

    @property
    def key_path(self) -> str:
        return self.certificate.path.text().strip()

    @classmethod
    def ask(cls, parent, **kwargs) -> dict | None:
        """The signing details with the opened ``identity`` and its ``key_path``; None if cancelled."""
        dialog = cls(parent, **kwargs)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return {**dialog.result_value(), "key_path": dialog.key_path}
        return None


class ReasonDialog(QDialog):
    """Asks why (reopening a sign-off or a review); a reason is required."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str, button_text: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.reason = named(QPlainTextEdit(), "Reason")
        enable_spellcheck(self.reason)
        self.reason.setTabChangesFocus(True)
        label.setBuddy(self.reason)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(button_text)
        named(self.ok, button_text)
        self.ok.setEnabled(False)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        self.reason.textChanged.connect(lambda: self.ok.setEnabled(bool(self.reason.toPlainText().strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(box)

    @classmethod
    def ask(cls, parent, title: str, prompt: str, button_text: str) -> str | None:
        dialog = cls(parent, title, prompt, button_text)
        if run_dialog(dialog) == QDialog.DialogCode.Accepted:
            return dialog.reason.toPlainText().strip()
        return None


class ReadyPage(QWidget):
    """Ready to sign: how the checklist stands before signing off."""

    back_requested = Signal()
    sign_requested = Signal()
    question_requested = Signal(str)
    summary_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        #: What the page says about the summary ("" for nothing), asked on each redraw.
        self.summary_warning_source: Callable[[], str] = lambda: ""
        self.title = title = QLabel("Review before signing off")
        title.setObjectName("ready_title")
        f = title.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        title.setFont(f)
        # The page's main message: its text is its accessible name (so a screen reader
        # reads what it says), and it is the first Tab stop, focused on arrival, so
        # the reason Sign off is unavailable is always reachable.
        self.status = QLabel()
        self.status.setObjectName("sign_off_readiness")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.status.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.status.setAccessibleDescription("Sign-off readiness")
        self.sections = named(QTableWidget(0, 4), "Sections summary")
        self.sections.setHorizontalHeaderLabels(["Section", "Answered", "Required answered", "Judgements"])
        self.sections.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sections.verticalHeader().setVisible(False)
        # Rows follow their wrapped text as the columns resize.
        self.sections.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.sections.setTabKeyNavigation(False)
        self.sections.setWordWrap(True)
        h = self.sections.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.missing = named(QListWidget(), "Unanswered required questions",
                             "Press Enter to go to the question")
        self.missing.itemActivated.connect(self._go)
        self.missing.itemClicked.connect(self._go)
        # What to check before signing (never stops the sign-off).
        self.warning = QLabel()
        self.warning.setObjectName("readiness_warning")
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setAccessibleName("Readiness warnings")
        self.warning.setStyleSheet("#readiness_warning { background: #ffe08a; color: #1f1f1f;"
                                   " border: 1px solid #b38600; padding: 4px 8px; }")
        self.warning.hide()
        self.to_check = named(QListWidget(), "Questions to check",
                              "Judgements without findings, and carried-forward judgements not "
                              "yet confirmed; press Enter to go to the question")
        self.to_check.setWordWrap(True)
        self.to_check.itemActivated.connect(self._go)
        self.to_check.itemClicked.connect(self._go)
        self.recs = named(QListWidget(), "All recommendations")
        self.recs.setWordWrap(True)
        self.back = named(QPushButton("◀ Back to the questions"), "Back to the questions")
        self.sign = primary(named(QPushButton("Sign off…"), "Sign off"))
        self.back.clicked.connect(self.back_requested)
        self.sign.clicked.connect(self.sign_requested)
        self.summary_warning = QLabel()
        self.summary_warning.setObjectName("summary_warning")
        self.summary_warning.setWordWrap(True)
        self.summary_warning.setTextFormat(Qt.TextFormat.PlainText)
        # Fixed dark text on amber, as the page banners: readable in any palette.
        self.summary_warning.setStyleSheet("#summary_warning { background: #ffe08a; color: #1f1f1f;"
                                           " border: 1px solid #b38600; padding: 4px 8px; }")
        self.summary_warning.hide()
        self.summary_button = named(QPushButton("&Write the summary…"), "Write the summary",
                                    "Open the summary page: the overall judgement, conclusion "
                                    "and section summaries")
        self.summary_button.clicked.connect(self.summary_requested)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary_warning, 1)
        summary_row.addWidget(self.summary_button, 0,
                              Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(18, 12, 18, 12)
        body.addWidget(title)
        body.addWidget(self.status)
        body.addLayout(summary_row)
        body.addWidget(QLabel("How each section stands:"))
        body.addWidget(self.sections)
        self.missing_label = QLabel("Required questions without a judgement (choose one to go to it):")
        self.missing_label.setBuddy(self.missing)
        body.addWidget(self.missing_label)
        body.addWidget(self.missing)
        body.addWidget(self.warning)
        self.to_check_label = QLabel("Questions to &check (choose one to go to it):")
        self.to_check_label.setBuddy(self.to_check)
        body.addWidget(self.to_check_label)
        body.addWidget(self.to_check)
        recs_label = QLabel("All recommendations:")
        recs_label.setBuddy(self.recs)
        body.addWidget(recs_label)
        body.addWidget(self.recs)
        scrolling_page(self, content, self.back, self.sign)

    def show_state(self, template: Template, prog: Progress, ready: Readiness,
                   recommendations: list[RecommendationView], signed_text: str = "",
                   warnings: ReadinessWarnings | None = None) -> None:
        labels = dict(template.judgement_options())
        self.sections.setRowCount(0)
        for sp in prog.sections:
            r = self.sections.rowCount()
            self.sections.insertRow(r)
            spread = ", ".join(f"{labels.get(v, v)}: {n}" for v, n in
                               sorted(sp.judgements.items(), key=lambda kv: list(labels).index(kv[0])
                                      if kv[0] in labels else 99)) or "None yet"
            for c, text in enumerate((sp.title, f"{sp.answered} of {sp.total}",
                                      f"{sp.required_answered} of {sp.required}", spread)):
                self.sections.setItem(r, c, QTableWidgetItem(text))
        self.sections.setMinimumHeight(min(420, 30 + 26 * max(1, len(prog.sections))))
        self.missing.clear()
        for qid in ready.missing_required:
            q = template.question(qid)
            item = QListWidgetItem(f"{qid}  {q.text}")
            item.setData(Qt.ItemDataRole.UserRole, qid)
            self.missing.addItem(item)
        has_missing = bool(ready.missing_required)
        self.missing.setVisible(has_missing)
        self.missing_label.setVisible(has_missing)
        self.recs.clear()
        for n, r in enumerate(recommendations, start=1):
            due = f", by {uk_date(r.due)}" if r.due else ""
            self.recs.addItem(f"{n}. {r.text} ({r.owner_label}; {r.priority_label} priority{due}; "
                              f"question {r.question_id})")
        if not recommendations:
            self.recs.addItem("No recommendations yet.")
        # After sign-off the page is a record of what was signed, not a step before it.
        self.title.setText("Signed off" if signed_text else "Review before signing off")
        if signed_text:
            self.status.setText(signed_text)
        elif ready.ready and warnings is not None and warnings.any:
            self.status.setText(f"{prog.answered} of {prog.total} questions answered and confirmed, "
                                "every required question has a judgement, and the document passed "
                                "its integrity check. It can be signed off, but check the "
                                "questions listed below first.")
        elif ready.ready:
            self.status.setText(f"{prog.answered} of {prog.total} questions answered, every required "
                                "question has a judgement, and the document passed its integrity "
                                "check. It is ready to sign off.")
        else:
            self.status.setText("Not ready to sign off yet. " + " ".join(ready.reasons))
        self.sign.setEnabled(ready.ready)
        self.sign.setToolTip("" if ready.ready else " ".join(ready.reasons))
        self.show_warnings(template, None if signed_text else warnings)
        self.set_summary_warning("" if signed_text else self.summary_warning_source())

    def show_warnings(self, template: Template, warnings: ReadinessWarnings | None) -> None:
        """List the questions to check before signing off, each one a way to it."""
        self.to_check.clear()
        shown = warnings is not None and warnings.any
        self.warning.setText(" ".join(warnings.texts) if warnings is not None else "")
        for widget in (self.warning, self.to_check, self.to_check_label):
            widget.setVisible(shown)
        if warnings is None:
            return
        carried = f"carried from {warnings.carried_period}" if warnings.carried_period \
            else "carried forward"
        rows = [(qid, f"not yet confirmed ({carried})") for qid in warnings.unconfirmed]
        rows += [(qid, "a judgement but no findings") for qid in warnings.no_findings]
        for qid, why in rows:
            item = QListWidgetItem(f"{qid}  {template.question(qid).text} — {why}")
            item.setData(Qt.ItemDataRole.UserRole, qid)
            self.to_check.addItem(item)

    def set_summary_warning(self, text: str) -> None:
        """Show what the summary still lacks ("" hides the line)."""
        self.summary_warning.setText(text)
        self.summary_warning.setAccessibleName(text or "Summary")
        self.summary_warning.setVisible(bool(text))

    def _go(self, item: QListWidgetItem) -> None:
        qid = item.data(Qt.ItemDataRole.UserRole)
        if qid:
            self.question_requested.emit(qid)
