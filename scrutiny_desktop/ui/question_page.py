"""One question: guidance, judgement, findings, evidence, recommendations.

This is a view: it shows what it is given and emits signals; the assessment
page turns those into service calls.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.checklist.marks import mark_for
from scrutiny_desktop.checklist.model import DIRECTIONS, Question, Section, Template
from scrutiny_desktop.services.answers import AnswerView
from scrutiny_desktop.ui.announce import announce, description_changed
from scrutiny_desktop.ui.marks import badge_html, badge_style, mark_icon
from scrutiny_desktop.ui.spelling import enable_spellcheck
from scrutiny_desktop.ui.style import primary
from scrutiny_desktop.ui.undo import undo_by_word
from scrutiny_desktop.ui.widgets import named, uk_date

JUDGEMENT_COLUMNS = 3
EDITING_PLACEHOLDER = "Write your findings here. They are saved as you type."
LOCKED_PLACEHOLDER = "No findings were written for this question."


def word_count_text(text: str) -> str:
    """"1 word", "250 words": what the count beside a text box says."""
    n = len(text.split())
    return "1 word" if n == 1 else f"{n:,} words"


def dropped_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    """The local files (not folders) being dragged in ``event``."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
    return [p for p in paths if p.is_file()]


class _FileDrops(QObject):
    """Lets files be dropped on a list (the evidence list): accepts local files
    while dragging when ``enabled()`` says so, and hands them to ``dropped``."""

    def __init__(self, target: QWidget, enabled, dropped) -> None:
        super().__init__(target)
        self._enabled, self._dropped = enabled, dropped
        target.setAcceptDrops(True)
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDropEvent)
            if self._enabled() and dropped_files(event):
                event.acceptProposedAction()
            else:
                event.ignore()
            return True
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            files = dropped_files(event) if self._enabled() else []
            if files:
                event.acceptProposedAction()
                self._dropped(files)
            else:
                event.ignore()
            return True
        return super().eventFilter(watched, event)


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = named(QTableWidget(0, len(headers)), name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    # Rows follow their wrapped text as the columns resize.
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setTabKeyNavigation(False)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for col in range(1, len(headers)):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    table.setMinimumHeight(90)
    table.setMaximumHeight(150)
    return table


class QuestionPage(QWidget):
    judgement_chosen = Signal(str, object)  # question id, value or None
    direction_chosen = Signal(str, object)  # question id, direction value or None
    findings_edited = Signal(str, str)  # question id, text
    add_evidence = Signal()
    edit_evidence = Signal(int)
    remove_evidence = Signal(int)
    open_attachment = Signal(int)
    add_recommendation = Signal()
    edit_recommendation = Signal(int)
    remove_recommendation = Signal(int)
    previous_requested = Signal()
    next_requested = Signal()
    #: "Review ▶" on the last question: go to the review before signing off.
    review_requested = Signal()
    #: Files dropped on the evidence list (each becomes an evidence item).
    files_dropped = Signal(list)
    guidance_toggled = Signal(bool)
    review_comment_edited = Signal(str, str)  # question id, text
    respond_recommendation = Signal(int)
    #: "Confirm judgement": keep a judgement carried forward from the previous assessment.
    confirm_requested = Signal(str)  # question id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.question_id = ""
        self._loading = False
        self._editable = True
        self._evidence_ids: list[int] = []
        self._evidence_attachments: list[int | None] = []
        self._rec_ids: list[int] = []

        self.section_label = QLabel()
        self.section_label.setObjectName("section_title")
        self.section_label.setWordWrap(True)
        font = self.section_label.font()
        font.setBold(True)
        self.section_label.setFont(font)
        self.position_label = QLabel()
        self.position_label.setObjectName("question_position")
        self.question_label = QLabel()
        self.question_label.setObjectName("question_text")
        self.question_label.setWordWrap(True)
        self.question_label.setTextFormat(Qt.TextFormat.PlainText)
        # A Tab stop (and Go > Question text, Alt+Q): read and selectable by keyboard.
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                    | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.question_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        qfont = self.question_label.font()
        qfont.setPointSizeF(qfont.pointSizeF() * 1.25)
        self.question_label.setFont(qfont)

        # A plain button whose name says what it will do ("Hide guidance"), not a
        # check box: that is how a screen reader best tells a show/hide toggle.
        self._guidance_shown = True
        self.guidance_button = named(QToolButton(), "Hide guidance",
                                     "Show or hide what good evidence looks like for this question")
        self.guidance_button.setText("Guidance")
        self.guidance_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.guidance_button.setArrowType(Qt.ArrowType.DownArrow)
        self.guidance_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.guidance_text = QLabel()
        self.guidance_text.setObjectName("guidance_text")
        self.guidance_text.setWordWrap(True)
        self.guidance_text.setTextFormat(Qt.TextFormat.PlainText)
        self.guidance_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                   | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.guidance_text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.guidance_text.setAccessibleName("Guidance")
        self.guidance_text.setContentsMargins(18, 0, 0, 0)
        self.source_text = QLabel()
        self.source_text.setWordWrap(True)
        self.source_text.setTextFormat(Qt.TextFormat.PlainText)
        self.source_text.setContentsMargins(18, 0, 0, 0)
        italic = self.source_text.font()
        italic.setItalic(True)
        self.source_text.setFont(italic)
        self.guidance_button.clicked.connect(lambda: self._guidance_toggled(not self._guidance_shown))

        self.judgement_box = QGroupBox("Judgement")
        # A grid rather than a row, so the options wrap with large fonts.
        self.judgement_layout = QGridLayout(self.judgement_box)
        self.judgement_layout.setHorizontalSpacing(18)
        self.judgement_group = QButtonGroup(self)
        self.judgement_group.setExclusive(True)
        self.judgement_group.idClicked.connect(self._judgement_clicked)
        self.clear_judgement = named(QPushButton("Clear"), "Clear judgement")
        self.clear_judgement.clicked.connect(self._clear_judgement)
        self.judgement_layout.addWidget(self.clear_judgement, 0, JUDGEMENT_COLUMNS + 1)
        # A locked document shows its judgement as a badge (the radios are hidden).
        self.judgement_badge = named(QLabel(), "Judgement given")
        self.judgement_badge.setObjectName("judgement_badge")
        self.judgement_badge.setTextFormat(Qt.TextFormat.RichText)
        self.judgement_badge.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.judgement_badge.hide()
        self._judgement_value: str | None = None
        #: "Question 2 of 58, ARR-05: …": the question shown, as a screen reader hears it.
        self._where = ""
        self._options: list[tuple[str, str]] = []
        self.radios: list[QRadioButton] = []
        self._template: Template | None = None

        # Direction of travel (format-2 checklists that ask for it): saved at once.
        self.direction = named(QComboBox(), "Direction of travel",
                               "Whether things are improving, stable or declining for this "
                               "question; saved as soon as you choose")
        self.direction.addItem("Not given", None)
        for value, label in DIRECTIONS:
            self.direction.addItem(label, value)
        self.direction.currentIndexChanged.connect(self._direction_changed)
        direction_label = QLabel("&Direction of travel:")
        direction_label.setBuddy(self.direction)
        self.direction_row = QWidget()
        self.direction_row.setObjectName("direction_row")
        row_layout = QHBoxLayout(self.direction_row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(direction_label)
        row_layout.addWidget(self.direction)
        row_layout.addStretch(1)
        self.direction_row.hide()

        # A judgement carried forward from the previous assessment, to confirm.
        self.carried_label = named(QLabel(), "Carried-forward judgement")
        self.carried_label.setObjectName("carried_label")
        self.carried_label.setWordWrap(True)
        self.carried_label.setTextFormat(Qt.TextFormat.PlainText)
        self.confirm_button = named(QPushButton("Confir&m judgement"), "Confirm judgement",
                                    "Keep the judgement carried forward, as it is, for this "
                                    "assessment (choosing any judgement also confirms it)")
        self.confirm_button.clicked.connect(
            lambda: self.confirm_requested.emit(self.question_id))
        self.carried_row = QWidget()
        self.carried_row.setObjectName("carried_row")
        # Fixed dark text on amber, as the page banners: readable in any palette.
        self.carried_row.setStyleSheet("#carried_row { background: #ffe08a; border: 1px solid "
                                       "#b38600; } #carried_label { color: #1f1f1f; }")
        carried_layout = QHBoxLayout(self.carried_row)
        carried_layout.setContentsMargins(8, 4, 8, 4)
        carried_layout.addWidget(self.carried_label, 1)
        carried_layout.addWidget(self.confirm_button)
        self.carried_row.hide()
        self._carried_from: str | None = None

        self.findings = named(QPlainTextEdit(), "Findings",
                              "What you found for this question, in your own words")
        self.findings.setPlaceholderText(EDITING_PLACEHOLDER)
        enable_spellcheck(self.findings)
        undo_by_word(self.findings)
        self.findings.setTabChangesFocus(True)
        self.findings.setMinimumHeight(140)
        self.findings.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.findings.textChanged.connect(self._findings_changed)
        findings_label = QLabel("F&indings")
        findings_label.setBuddy(self.findings)
        self.word_count = QLabel(word_count_text(""))
        self.word_count.setObjectName("findings_word_count")
        self.word_count.setAccessibleName("Findings word count")
        self.findings.textChanged.connect(
            lambda: self.word_count.setText(word_count_text(self.findings.toPlainText())))

        # Evidence
        self.evidence_table = _table("Evidence list", ["Title", "Kind", "Date", "Source", "Attached file"])
        self.evidence_table.itemDoubleClicked.connect(lambda _i: self._emit_selected(
            self.evidence_table, self._evidence_ids, self.edit_evidence))
        self.add_evidence_button = named(QPushButton("Add evidence…"), "Add evidence")
        self.edit_evidence_button = named(QPushButton("Edit…"), "Edit evidence")
        self.remove_evidence_button = named(QPushButton("Remove"), "Remove evidence")
        self.open_attachment_button = named(QPushButton("Open attached file"), "Open attached file",
                                            "Opens a temporary copy with the system viewer")
        self.add_evidence_button.clicked.connect(self.add_evidence)
        self.edit_evidence_button.clicked.connect(lambda: self._emit_selected(
            self.evidence_table, self._evidence_ids, self.edit_evidence))
        self.remove_evidence_button.clicked.connect(lambda: self._emit_selected(
            self.evidence_table, self._evidence_ids, self.remove_evidence))
        self.open_attachment_button.clicked.connect(self._open_selected_attachment)
        self.evidence_table.itemSelectionChanged.connect(self._update_buttons)
        self.evidence_table.setAccessibleDescription(
            "Evidence for this question. You can also drop files here to add them as evidence.")
        self._drops = _FileDrops(self.evidence_table.viewport(), lambda: self._editable,
                                 self.files_dropped.emit)
        evidence_box = QGroupBox("Evidence reviewed")
        ev_layout = QVBoxLayout(evidence_box)
        ev_layout.addWidget(self.evidence_table)
        ev_buttons = QHBoxLayout()
        for b in (self.add_evidence_button, self.edit_evidence_button,
                  self.remove_evidence_button, self.open_attachment_button):
            ev_buttons.addWidget(b)
        ev_buttons.addStretch(1)
        ev_layout.addLayout(ev_buttons)

        # Recommendations
        self.rec_table = _table("Recommendations list", ["Recommendation", "Owner", "Priority",
                                                         "Target date", "Status",
                                                         "Partnership decision"])
        self.rec_table.setColumnHidden(5, True)
        self.rec_table.itemDoubleClicked.connect(lambda _i: self._emit_selected(
            self.rec_table, self._rec_ids, self.edit_recommendation))
        self.add_rec_button = named(QPushButton("Add recommendation…"), "Add recommendation")
        self.edit_rec_button = named(QPushButton("Edit…"), "Edit recommendation")
        self.remove_rec_button = named(QPushButton("Remove"), "Remove recommendation")
        self.respond_button = named(QPushButton("Respond…"), "Respond to recommendation",
                                    "Record the partnership's decision on this recommendation")
        self.respond_button.clicked.connect(lambda: self._emit_selected(
            self.rec_table, self._rec_ids, self.respond_recommendation))
        self.respond_button.hide()
        self.add_rec_button.clicked.connect(self.add_recommendation)
        self.edit_rec_button.clicked.connect(lambda: self._emit_selected(
            self.rec_table, self._rec_ids, self.edit_recommendation))
        self.remove_rec_button.clicked.connect(lambda: self._emit_selected(
            self.rec_table, self._rec_ids, self.remove_recommendation))
        self.rec_table.itemSelectionChanged.connect(self._update_buttons)
        rec_box = QGroupBox("Recommendations")
        rec_layout = QVBoxLayout(rec_box)
        rec_layout.addWidget(self.rec_table)
        rec_buttons = QHBoxLayout()
        for b in (self.add_rec_button, self.edit_rec_button, self.remove_rec_button,
                  self.respond_button):
            rec_buttons.addWidget(b)
        rec_buttons.addStretch(1)
        rec_layout.addLayout(rec_buttons)

        # The chair's comment (review mode only)
        self.review_comment = named(QPlainTextEdit(), "Chair's comment",
                                    "The partnership's comment on this question; saved as you type")
        self.review_comment.setTabChangesFocus(True)
        enable_spellcheck(self.review_comment)
        self.review_comment.setPlaceholderText("Comment on the scrutineer's findings for this question.")
        self.review_comment.setMinimumHeight(80)
        self.review_comment.setMaximumHeight(140)
        self.review_comment.textChanged.connect(self._review_comment_changed)
        self.review_box = QGroupBox("Chair's comment")
        rv_layout = QVBoxLayout(self.review_box)
        rv_layout.addWidget(self.review_comment)
        self.review_box.hide()
        self._review_mode = False
        self._review_editable = False
        self._decisions: dict[int, str] = {}

        # Previous / Next
        self.previous_button = named(QPushButton("◀ Previous"), "Previous question",
                                     "Go to the previous question (Alt+Left)")
        self.next_button = primary(named(QPushButton("Next ▶"), "Next question",
                                         "Go to the next question (Alt+Right)"))
        self.previous_button.clicked.connect(self.previous_requested)
        self.next_button.clicked.connect(self._next_clicked)
        self._last = False

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(14, 10, 14, 10)
        body.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(self.section_label, 1)
        top.addWidget(self.position_label, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        body.addLayout(top)
        body.addWidget(self.question_label)
        body.addWidget(self.guidance_button, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.guidance_text)
        body.addWidget(self.source_text)
        body.addWidget(self.judgement_box)
        body.addWidget(self.carried_row)
        body.addWidget(self.direction_row)
        findings_row = QHBoxLayout()
        findings_row.addWidget(findings_label)
        findings_row.addStretch(1)
        findings_row.addWidget(self.word_count)
        body.addLayout(findings_row)
        body.addWidget(self.findings, 1)
        body.addWidget(self.review_box)
        body.addWidget(evidence_box)
        body.addWidget(rec_box)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        nav = QHBoxLayout()
        nav.setContentsMargins(14, 4, 14, 8)
        nav.addWidget(self.previous_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(nav)
        self._update_buttons()
        self._update_tab_order()

    # -- showing --------------------------------------------------------------
    def set_scale(self, template: Template) -> None:
        """Build the judgement options from the template's scale (each question then
        shows only the ones it may be given: see ``show_question``), and the direction
        of travel when the template asks for one."""
        self._template = template
        self.direction_row.setVisible(template.directions)
        for radio in self.radios:
            self.judgement_group.removeButton(radio)
            radio.hide()  # at once: deleteLater waits for the event loop
            radio.deleteLater()
        self.judgement_layout.removeWidget(self.clear_judgement)
        self.radios = []
        columns = JUDGEMENT_COLUMNS
        self._options = template.judgement_options()
        descriptions = {p.value: p.description for p in template.scale.points}
        for index, (value, label) in enumerate(self._options):
            radio = QRadioButton(label)
            named(radio, label)
            radio.setIcon(mark_icon(mark_for(template, value)))
            hint = descriptions.get(value, "")
            if index < 9:
                hint = (hint + " " if hint else "") + f"(Alt+{index + 1})"
            radio.setToolTip(hint)
            # Screen readers are not told the group's size by Qt: say it.
            radio.setAccessibleDescription(f"Option {index + 1} of {len(self._options)}. {hint}")
            self.judgement_group.addButton(radio, index)
            self.judgement_layout.addWidget(radio, index // columns, index % columns)
            self.radios.append(radio)
        self.judgement_layout.setColumnStretch(columns, 1)
        self.judgement_layout.addWidget(self.clear_judgement, 0, columns + 1)
        self.judgement_layout.addWidget(self.judgement_badge, 0, 0, 1, columns,
                                        Qt.AlignmentFlag.AlignLeft)
        self._show_locked_judgement()
        self._update_tab_order()

    def tab_chain(self) -> list[QWidget]:
        """The page's controls in the order Tab visits them: top to bottom, as seen.

        Hidden or disabled ones (the chair's comment outside review mode, Previous
        on the first question...) are skipped by Qt when tabbing.
        """
        return [self.question_label, self.guidance_button, self.guidance_text, *self.radios,
                self.clear_judgement, self.confirm_button,
                self.direction,
                self.findings,
                self.review_comment, self.evidence_table, self.add_evidence_button,
                self.edit_evidence_button, self.remove_evidence_button,
                self.open_attachment_button, self.rec_table, self.add_rec_button,
                self.edit_rec_button, self.remove_rec_button, self.respond_button,
                self.previous_button, self.next_button]

    def _update_tab_order(self) -> None:
        # The radios are made in set_scale, after everything else, so by creation
        # order Tab would reach them last. Tab enters the group at one option;
        # the arrow keys move between options.
        chain = self.tab_chain()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def show_question(self, section: Section, question: Question, index: int, total: int,
                      answer: AnswerView, review_comment: str = "") -> None:
        self._loading = True
        try:
            self.question_id = question.id
            self.section_label.setText(section.title)
            self.position_label.setText(f"Question {index + 1} of {total}")
            suffix = "" if question.required else "  (optional)"
            self.question_label.setText(f"{question.id}  {question.text}{suffix}")
            where = f"Question {index + 1} of {total}, {question.id}: {question.text}"
            self.question_label.setAccessibleName(where)
            # Whoever is typing findings hears which question they now belong to.
            if where != self._where:
                self._where = where
                announce(self.findings, where)
            self.guidance_text.setText(question.guidance or "No guidance for this question.")
            self.source_text.setText(f"Source: {question.source}" if question.source else "")
            self.source_text.setVisible(bool(question.source) and self._guidance_shown)
            self._show_allowed_options(question.id, answer.judgement)
            self.set_judgement(answer.judgement)
            self.set_direction(answer.direction)
            self.set_carried(answer.carried_from if answer.judgement is not None else None)
            self.findings.setPlainText(answer.findings)
            self.show_evidence(answer)
            self.show_recommendations(answer)
            self.review_comment.setPlainText(review_comment)
            self.previous_button.setEnabled(index > 0)
            self._last = index == total - 1
            if self._last:
                self.next_button.setText("Review ▶")
                self.next_button.setAccessibleName("Review before signing off")
                self.next_button.setToolTip("This is the last question: review the assessment "
                                            "before signing it off (Ctrl+R)")
            else:
                self.next_button.setText("Next ▶")
                self.next_button.setAccessibleName("Next question")
                self.next_button.setToolTip("Go to the next question (Alt+Right)")
            self.scroll_area.verticalScrollBar().setValue(0)
        finally:
            self._loading = False

    def _show_allowed_options(self, question_id: str, current: str | None) -> None:
        """Only the judgements this question may be given (``Template.options_for``:
        no "Not applicable" on a required question of a format-2 checklist).  One
        recorded before that rule (an imported file) stays shown while it is chosen."""
        if self._template is None:
            return
        allowed = {v for v, _label in self._template.options_for(question_id)}
        for radio, (value, _label) in zip(self.radios, self._options, strict=True):
            radio.setProperty("allowed", value in allowed or value == current)
            radio.setVisible(self._editable and (value in allowed or value == current))

    def set_carried(self, period: str | None) -> None:
        """Show that the judgement was carried forward from ``period`` and waits to be
        confirmed (None: it was not, or it is confirmed)."""
        self._carried_from = period
        self.carried_row.setVisible(period is not None)
        if period is not None:
            self.carried_label.setText(
                f"Carried from {period} — confirm or change it." if self._editable else
                f"Carried from {period}, not confirmed.")
        self.confirm_button.setVisible(self._editable)
        self.confirm_button.setEnabled(self._editable and period is not None)

    def set_direction(self, value: str | None) -> None:
        index = self.direction.findData(value) if value is not None else 0
        was = self._loading
        self._loading = True
        try:
            self.direction.setCurrentIndex(max(index, 0))
        finally:
            self._loading = was

    def set_judgement(self, value: str | None) -> None:
        self.judgement_group.setExclusive(False)
        for radio in self.radios:
            radio.setChecked(False)
        self.judgement_group.setExclusive(True)
        for index, (v, _label) in enumerate(self._options):
            if v == value:
                self.radios[index].setChecked(True)
        self._judgement_value = value
        self._show_locked_judgement()
        self._describe_findings()

    def _describe_findings(self) -> None:
        """The Findings box's description: the judgement, then the question.  A screen
        reader reads it on arrival, for "where am I", and (Orca 43, which does not speak
        announcements) whenever it changes: a judgement chosen with Alt+1 is heard."""
        if not self._where:
            return
        label = dict(self._options).get(self._judgement_value or "", "") or "none yet"
        described = f"Judgement: {label}. Findings for {self._where}"
        if self.findings.accessibleDescription() != described:
            self.findings.setAccessibleDescription(described)
            description_changed(self.findings)

    def _show_locked_judgement(self) -> None:
        """Editable: the radios.  Locked: only the judgement given, as a badge."""
        locked = not self._editable
        for radio in self.radios:
            radio.setVisible(not locked and radio.property("allowed") is not False)
        self.clear_judgement.setVisible(not locked)
        self.judgement_badge.setVisible(locked and self._template is not None)
        if not locked or self._template is None:
            return
        value = self._judgement_value
        label = dict(self._options).get(value, "") if value is not None else "No judgement given"
        mark = mark_for(self._template, value)
        self.judgement_badge.setText(badge_html(mark, label or str(value)))
        self.judgement_badge.setStyleSheet(badge_style(mark))
        self.judgement_badge.setAccessibleName(f"Judgement: {label or value}")

    def show_evidence(self, answer: AnswerView) -> None:
        t = self.evidence_table
        t.setRowCount(0)
        self._evidence_ids = []
        self._evidence_attachments = []
        for e in answer.evidence:
            row = t.rowCount()
            t.insertRow(row)
            for col, text in enumerate((e.title, e.kind_label, uk_date(e.date), e.source,
                                        e.attachment.filename if e.attachment else "")):
                item = QTableWidgetItem(text)
                item.setToolTip(text if col else f"{e.title}\n{e.note}".strip())
                t.setItem(row, col, item)
            self._evidence_ids.append(e.id)
            self._evidence_attachments.append(e.attachment.id if e.attachment else None)
        self._update_buttons()

    def show_recommendations(self, answer: AnswerView) -> None:
        t = self.rec_table
        t.setRowCount(0)
        self._rec_ids = []
        for r in answer.recommendations:
            row = t.rowCount()
            t.insertRow(row)
            text = r.text if not r.carried_from else f"{r.text}\n(Carried forward from {r.carried_from})"
            for col, value in enumerate((text, r.owner_label, r.priority_label, uk_date(r.due),
                                         r.status_label, self._decisions.get(r.id, ""))):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                t.setItem(row, col, item)
            self._rec_ids.append(r.id)
        self._update_buttons()

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        for radio in self.radios:
            radio.setEnabled(editable)
        self.clear_judgement.setEnabled(editable)
        self.direction.setEnabled(editable)
        # Read-only rather than disabled, so the text can still be read and copied.
        self.findings.setReadOnly(not editable)
        self.findings.setPlaceholderText(EDITING_PLACEHOLDER if editable else LOCKED_PLACEHOLDER)
        self._show_locked_judgement()
        self.add_evidence_button.setEnabled(editable)
        self.add_rec_button.setEnabled(editable)
        self.set_carried(self._carried_from)
        self._update_buttons()

    def set_review_mode(self, review: bool, editable: bool) -> None:
        """Signed-off documents: show the chair's comment and decisions."""
        self._review_mode = review
        self._review_editable = editable
        self.review_box.setVisible(review)
        self.review_comment.setReadOnly(not editable)
        self.rec_table.setColumnHidden(5, not review)
        self.respond_button.setVisible(review)
        self._update_buttons()

    def set_decisions(self, decisions: dict[int, str]) -> None:
        """Decision labels by recommendation id, shown in review mode."""
        self._decisions = dict(decisions)

    def _review_comment_changed(self) -> None:
        if self._loading or not self._review_editable:
            return
        self.review_comment_edited.emit(self.question_id, self.review_comment.toPlainText())

    def set_guidance_visible(self, visible: bool) -> None:
        self._apply_guidance(visible)

    # -- user actions ---------------------------------------------------------
    def choose_option(self, index: int) -> None:
        """Choose judgement option ``index`` (0-based), as Alt+1... do."""
        if not self._editable or not (0 <= index < len(self.radios)) \
                or self.radios[index].isHidden():
            return
        # Focus stays where it was: a person typing findings chooses the
        # judgement with Alt+digit and carries on typing.
        self.radios[index].setChecked(True)
        self._judgement_clicked(index)

    def _judgement_clicked(self, index: int) -> None:
        if self._loading or not self._editable:
            return
        self._judgement_value = self._options[index][0]
        self._describe_findings()
        self.judgement_chosen.emit(self.question_id, self._options[index][0])

    def _direction_changed(self, index: int) -> None:
        if self._loading or not self._editable or index < 0:
            return
        self.direction_chosen.emit(self.question_id, self.direction.itemData(index))

    def _next_clicked(self) -> None:
        if self._last:
            self.review_requested.emit()
        else:
            self.next_requested.emit()

    def _clear_judgement(self) -> None:
        self.set_judgement(None)
        self.judgement_chosen.emit(self.question_id, None)

    def _findings_changed(self) -> None:
        if self._loading or not self._editable:
            return
        self.findings_edited.emit(self.question_id, self.findings.toPlainText())

    def _guidance_toggled(self, visible: bool) -> None:
        self._apply_guidance(visible)
        self.guidance_toggled.emit(visible)

    def _apply_guidance(self, visible: bool) -> None:
        self._guidance_shown = visible
        self.guidance_button.setAccessibleName("Hide guidance" if visible else "Show guidance")
        self.guidance_button.setArrowType(Qt.ArrowType.DownArrow if visible else Qt.ArrowType.RightArrow)
        self.guidance_text.setVisible(visible)
        self.source_text.setVisible(visible and bool(self.source_text.text()))

    def _selected_row(self, table: QTableWidget) -> int:
        rows = table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _emit_selected(self, table: QTableWidget, ids: list[int], signal) -> None:
        row = self._selected_row(table)
        if 0 <= row < len(ids):
            signal.emit(ids[row])

    def _open_selected_attachment(self) -> None:
        row = self._selected_row(self.evidence_table)
        if 0 <= row < len(self._evidence_attachments) and self._evidence_attachments[row]:
            self.open_attachment.emit(self._evidence_attachments[row])

    def _update_buttons(self) -> None:
        ev_row = self._selected_row(self.evidence_table)
        has_ev = ev_row >= 0
        self.edit_evidence_button.setEnabled(has_ev and self._editable)
        self.remove_evidence_button.setEnabled(has_ev and self._editable)
        self.open_attachment_button.setEnabled(
            has_ev and ev_row < len(self._evidence_attachments)
            and self._evidence_attachments[ev_row] is not None)
        has_rec = self._selected_row(self.rec_table) >= 0
        self.edit_rec_button.setEnabled(has_rec and self._editable)
        self.remove_rec_button.setEnabled(has_rec and self._editable)
        self.respond_button.setEnabled(has_rec and self._review_editable)
        # Scrutineer-only controls make no sense while reviewing.
        for b in (self.add_rec_button, self.edit_rec_button, self.remove_rec_button):
            b.setVisible(not self._review_mode)
