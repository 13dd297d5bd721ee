"""The side panel: sections and questions with their state, and progress."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QProgressBar,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.checklist.marks import mark_for
from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.services.answers import QuestionState
from scrutiny_desktop.ui.marks import mark_icon
from scrutiny_desktop.ui.widgets import named

STATE_TEXT = {
    "answered": "Answered",
    "missing": "Required but missing a judgement",
    "in_progress": "Begun, not answered",
    "not_started": "Not started",
    # A judgement carried forward from the previous assessment, not yet confirmed.
    "carried": "Carried forward: confirm or change the judgement",
}


def _state_icon(state: str, size: int = 16) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if state == "answered":
        p.setBrush(QColor("#2e7d32"))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(1, 1, size - 2, size - 2)
        pen = QPen(QColor("white"), 2)
        p.setPen(pen)
        p.drawLine(4, size // 2, size // 2 - 1, size - 5)
        p.drawLine(size // 2 - 1, size - 5, size - 4, 4)
    elif state == "missing":
        p.setBrush(QColor("#c62828"))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(1, 1, size - 2, size - 2)
        p.setPen(QPen(QColor("white"), 2))
        p.drawLine(size // 2, 4, size // 2, size - 7)
        p.drawPoint(size // 2, size - 4)
    elif state == "carried":
        # Amber with a question mark: a judgement waiting to be confirmed.
        p.setBrush(QColor("#f9a825"))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(1, 1, size - 2, size - 2)
        p.setPen(QColor("#1f1f1f"))
        font = p.font()
        font.setBold(True)
        font.setPixelSize(size - 4)
        p.setFont(font)
        p.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, "?")
    elif state == "in_progress":
        p.setPen(QPen(QColor("#1565c0"), 2))
        p.setBrush(QColor("#90caf9"))
        p.drawEllipse(2, 2, size - 4, size - 4)
    else:
        p.setPen(QPen(QColor("#808080"), 2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(2, 2, size - 4, size - 4)
    p.end()
    return QIcon(pix)


SUMMARY_TITLE = "Summary and conclusions"


#: Item data: 1 for a question (drawn indented under its section), else 0.
DEPTH_ROLE = Qt.ItemDataRole.UserRole + 1
#: How far a question is drawn in from its section's title.
INDENT = 18


class _WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped text at the tree's present width, questions
    drawn indented under their section.

    Qt's tree asks each row's height without saying how wide the column is, so
    wrapped text would be measured as one line and cut short; this tells the
    style the width the text actually has (the viewport less the indentation).
    The rows are all top-level (see ``Navigator.populate``): the indentation is
    drawn here.
    """

    def __init__(self, tree: QTreeWidget):
        super().__init__(tree)
        self._tree = tree
        self._width = -1
        tree.viewport().installEventFilter(self)

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        indent = INDENT if index.data(DEPTH_ROLE) else 0
        sized = QStyleOptionViewItem(option)
        # (less a little: the style's own margins round differently from this sum)
        width = self._tree.viewport().width() - indent - 8
        # (``rect`` is handed out as a copy: set it whole.)
        sized.rect = QRect(0, 0, max(60, width), max(1, option.rect.height()))
        return super().sizeHint(sized, index)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        if index.data(DEPTH_ROLE):
            option = QStyleOptionViewItem(option)
            option.rect = option.rect.adjusted(INDENT, 0, 0, 0)
        super().paint(painter, option, index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self._tree.viewport().width() != self._width:
            self._width = self._tree.viewport().width()
            self._tree.doItemsLayout()  # the rows' heights again, for the new width
        return super().eventFilter(watched, event)


class Navigator(QWidget):
    question_activated = Signal(str)
    #: The "Summary and conclusions" item above the sections was chosen.
    summary_activated = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.progress = named(QProgressBar(), "Progress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v of %m answered")
        self.progress_label = QLabel()
        self.filter = named(QCheckBox("Only &unanswered"), "Only unanswered",
                            "Show only the questions that still need a judgement")
        self.tree = named(QTreeWidget(), "Questions", "Sections and questions; press Enter to go to one")
        self.tree.setHeaderHidden(True)
        # One flat list (sections and questions all top-level, questions drawn
        # indented): Qt reports a nested row's selection to screen readers by its
        # place under its parent, so in a nested tree Ctrl+L announced the wrong row.
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(0)
        # (Hidden, but its one column's name reaches screen readers: not Qt's "1".)
        self.tree.setHeaderLabel("Questions")
        # The whole question, wrapped to the panel's width (never cut short): the
        # column follows the width, so there is no sideways scrolling.
        self.tree.header().setStretchLastSection(True)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setIconSize(QSize(16, 16))
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setItemDelegate(_WrappingDelegate(self.tree))
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        self.filter.toggled.connect(self.apply_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.progress)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._sections: list[QTreeWidgetItem] = []
        #: Each section item's question items (by id() of the section item).
        self._questions_of: dict[int, list[QTreeWidgetItem]] = {}
        self._summary_item: QTreeWidgetItem | None = None
        self._states: dict[str, QuestionState] = {}
        self._icons = {k: _state_icon(k) for k in STATE_TEXT}
        self._template: Template | None = None

    def populate(self, template: Template, states: list[QuestionState]) -> None:
        self.tree.clear()
        self._template = template
        self._items = {}
        self._sections = []
        self._questions_of = {}
        # The summary comes first, as it does in the PDF a board reads.
        summary = QTreeWidgetItem([SUMMARY_TITLE])
        summary.setData(0, Qt.ItemDataRole.UserRole, None)
        summary.setToolTip(0, "The overall judgement, conclusion and section summaries: what a "
                              "board reads first")
        summary.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole,
                        "Opens the summary page; press Enter to go to it")
        font = summary.font(0)
        font.setBold(True)
        summary.setFont(0, font)
        self.tree.addTopLevelItem(summary)
        self._summary_item = summary
        for number, section in enumerate(template.sections, start=1):
            s_item = QTreeWidgetItem([f"{number}. {section.title}"])
            s_item.setData(0, Qt.ItemDataRole.UserRole, None)
            font = s_item.font(0)
            font.setBold(True)
            s_item.setFont(0, font)
            self.tree.addTopLevelItem(s_item)
            self._sections.append(s_item)
            children: list[QTreeWidgetItem] = []
            for q in section.questions:
                item = QTreeWidgetItem([f"{q.id}  {q.text}"])
                item.setData(0, Qt.ItemDataRole.UserRole, q.id)
                item.setData(0, DEPTH_ROLE, 1)
                item.setToolTip(0, q.text)
                self.tree.addTopLevelItem(item)
                self._items[q.id] = item
                children.append(item)
            self._questions_of[id(s_item)] = children
        self.update_states(states)

    def update_states(self, states: list[QuestionState]) -> None:
        """Show every question's state (on opening; see ``update_some`` after an edit)."""
        self._states = {s.question_id: s for s in states}
        for qid, state in self._states.items():
            self._show_state(qid, state)
        self._show_progress()
        self.apply_filter()

    def update_some(self, states: list[QuestionState]) -> None:
        """Show the new state of the questions an edit touched (usually one): only
        their rows, their sections' visibility and the progress count change."""
        self._states.update((s.question_id, s) for s in states)
        for state in states:
            self._show_state(state.question_id, state)
        self._show_progress()
        if self.filter.isChecked():
            ids = {s.question_id for s in states}
            self.apply_filter(sections=[
                s for s in self._sections
                if any(i.data(0, Qt.ItemDataRole.UserRole) in ids
                       for i in self._questions_of.get(id(s), []))])

    def _show_state(self, qid: str, state: QuestionState) -> None:
        item = self._items.get(qid)
        if item is None:
            return
        label = STATE_TEXT[state.state]
        if state.state == "answered" and self._template is not None:
            # The judgement's own mark, as in the PDF, and its name.
            item.setIcon(0, mark_icon(mark_for(self._template, state.judgement)))
            options = dict(self._template.judgement_options())
            label = f"{label}: {options.get(state.judgement or '', state.judgement)}"
        else:
            item.setIcon(0, self._icons[state.state])
        if state.state == "carried":
            label = f"Carried from {state.carried_from}: confirm or change the judgement"
        if state.state == "not_started" and state.required:
            label += " (required)"
        item.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole, label)
        item.setData(0, Qt.ItemDataRole.AccessibleTextRole,
                     f"{item.text(0)}, {label}")
        item.setToolTip(0, f"{item.toolTip(0).split(chr(10))[0]}\n{label}")

    def _show_progress(self) -> None:
        total = len(self._states)
        answered = sum(s.answered for s in self._states.values())
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(answered)
        self.progress.setAccessibleName(f"{answered} of {total} answered")

    def state_of(self, question_id: str) -> str:
        state = self._states.get(question_id)
        return state.state if state else "not_started"

    def apply_filter(self, *_args, sections: list[QTreeWidgetItem] | None = None) -> None:
        only_open = self.filter.isChecked()
        for s_item in self._sections if sections is None else sections:
            visible_children = 0
            for child in self._questions_of.get(id(s_item), []):
                qid = child.data(0, Qt.ItemDataRole.UserRole)
                hide = only_open and self.state_of(qid) == "answered"
                child.setHidden(hide)
                visible_children += not hide
            s_item.setHidden(visible_children == 0)

    def select(self, question_id: str) -> None:
        item = self._items.get(question_id)
        if item is not None:
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(item)
            self.tree.blockSignals(False)
            self.tree.scrollToItem(item)

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        if item is self._summary_item:
            self.summary_activated.emit()
            return
        qid = item.data(0, Qt.ItemDataRole.UserRole)
        if qid:
            self.question_activated.emit(qid)
