"""Edit > Find (Ctrl+F): look for words anywhere in the open assessment.

A small window beside the main one: type in the field and the matches are listed
as you type (question, where on the page, the text around the match).  Down moves
into the list; Enter or a double-click goes to that question with the match
selected (in the findings or the chair's comment, the question or its guidance,
or the evidence or recommendation row), and the Find window closes.  Ctrl+F
opens it again with the same words and list.  Escape closes it.

The searching is ``services.search``; this module only shows its matches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.services import search
from scrutiny_desktop.services.search import Match
from scrutiny_desktop.ui.widgets import activate_window, named

if TYPE_CHECKING:
    from scrutiny_desktop.ui.main_window import MainWindow

#: Wait this long after the last keystroke before searching.
DEFAULT_DELAY_MS = 200
#: At most this many matches are listed.
LIMIT = 500


def qt_offset(text: str, index: int) -> int:
    """A Python string offset as Qt counts it (UTF-16 code units)."""
    return len(text[:index].encode("utf-16-le")) // 2


def count_text(query: str, matches: int) -> str:
    if not query.split():
        return ""
    if matches > LIMIT:
        return f"More than {LIMIT} matches: the first {LIMIT} are listed. Add words to narrow it."
    if matches == 0:
        return "No matches"
    return "1 match" if matches == 1 else f"{matches} matches"


def where_text(match: Match) -> str:
    if match.where == search.EVIDENCE and match.part != "title":
        return f"Evidence ({match.part})"
    return match.where


class FindDialog(QDialog):
    """The Find window (one per main window: :meth:`show_for`)."""

    #: The list was refilled: the number of matches found.
    results_shown = Signal(int)
    #: A match was gone to (its question id).
    match_shown = Signal(str)

    def __init__(self, window: MainWindow, delay_ms: int = DEFAULT_DELAY_MS):
        super().__init__(window)
        self.window_ = window
        self.matches: list[Match] = []
        self.setWindowTitle("Find")
        self.setModal(False)
        self.setAccessibleName("Find")
        self.resize(680, 420)

        self.field = named(QLineEdit(), "Find",
                           "Words to look for in the questions, guidance, findings, evidence "
                           "and recommendations; press Down to move to the matches")
        self.field.setClearButtonEnabled(True)
        field_label = QLabel("&Find:")
        field_label.setBuddy(self.field)
        self.count = named(QLabel(""), "Number of matches")
        self.results = named(QTreeWidget(), "Matches",
                             "Press Enter to go to the selected match")
        self.results.setColumnCount(3)
        self.results.setHeaderLabels(["Question", "In", "Text"])
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setAllColumnsShowFocus(True)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.results.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        results_label = QLabel("&Matches:")
        results_label.setBuddy(self.results)
        self.go_button = named(QPushButton("&Go to match"), "Go to match")
        self.close_button = named(QPushButton("Close"), "Close")
        # Enter is handled by the field and the list themselves, never by a default button.
        for button in (self.go_button, self.close_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.go_button.clicked.connect(self.go_to_current)
        self.close_button.clicked.connect(self.reject)

        top = QGridLayout()
        top.addWidget(field_label, 0, 0)
        top.addWidget(self.field, 0, 1)
        top.addWidget(self.count, 1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.go_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(results_label)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self.run_search)
        self.field.textChanged.connect(lambda _text: self.timer.start())
        self.field.returnPressed.connect(self.go_to_current)
        self.field.installEventFilter(self)
        self.results.installEventFilter(self)
        self.results.itemActivated.connect(lambda _item, _col: self.go_to_current())
        self.results.currentItemChanged.connect(lambda *_: self._update_buttons())
        again = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        again.activated.connect(self.focus_field)
        window.document_opened.connect(lambda _path: self.clear_results())
        window.document_closed.connect(self._document_closed)
        self._update_buttons()

    # -- opening ------------------------------------------------------------------
    @classmethod
    def show_for(cls, window: MainWindow) -> FindDialog:
        """Show the window's Find dialog (made the first time), its words selected,
        the matches brought up to date."""
        dialog = window.findChild(cls)
        if dialog is None:
            dialog = cls(window)
        dialog.show()
        activate_window(dialog)
        dialog.focus_field()
        if dialog.field.text().split():
            dialog.run_search()
        return dialog

    def focus_field(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def reject(self) -> None:
        """Escape or Close: back to the main window, where the focus was."""
        super().reject()
        activate_window(self.window_)

    def clear_results(self) -> None:
        self.timer.stop()
        self.matches = []
        self.results.clear()
        self.count.setText("")
        self._update_buttons()

    def _document_closed(self) -> None:
        self.clear_results()
        self.hide()

    # -- searching ----------------------------------------------------------------
    def run_search(self) -> None:
        """Search the open document for the field's words and list the matches."""
        self.timer.stop()
        query = self.field.text()
        doc = self.window_.doc
        previous = self.results.currentIndex().row()
        self.results.clear()
        self.matches = []
        found: list[Match] = []
        if doc is not None and query.split():
            self.window_.autosaver.flush()  # what was just typed is searched too
            try:
                found = search.search(doc, query, limit=LIMIT + 1)
            except (DocumentError, InvalidInput) as exc:
                self.count.setText(f"Could not search: {exc}")
                self._update_buttons()
                self.results_shown.emit(0)
                return
        self.matches = found[:LIMIT]
        items = []
        for index, match in enumerate(self.matches):
            item = QTreeWidgetItem([match.question_id, where_text(match), match.snippet])
            item.setData(0, Qt.ItemDataRole.UserRole, index)
            item.setToolTip(0, match.question_label)
            item.setToolTip(2, match.snippet)
            items.append(item)
        self.results.addTopLevelItems(items)
        if items:
            row = previous if 0 <= previous < len(items) else 0
            self.results.setCurrentItem(items[row])
        self.count.setText(count_text(query, len(found)))
        self._update_buttons()
        self.results_shown.emit(len(self.matches))

    def _update_buttons(self) -> None:
        self.go_button.setEnabled(self.results.currentItem() is not None)

    def current_match(self) -> Match | None:
        item = self.results.currentItem()
        if item is None:
            return None
        return self.matches[int(item.data(0, Qt.ItemDataRole.UserRole))]

    # -- keys ---------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down (or Page Down) in the field moves into the matches; Up on the first
        match goes back to the field."""
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier):
            key = event.key()
            if watched is self.field and key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self._enter_results()
                return True
            if watched is self.results and key == Qt.Key.Key_Up and self._current_row() <= 0:
                self.focus_field()
                return True
        return super().eventFilter(watched, event)

    def _current_row(self) -> int:
        return self.results.currentIndex().row()

    def _enter_results(self) -> None:
        if self.timer.isActive():
            self.run_search()
        if self.results.topLevelItemCount():
            self.results.setFocus(Qt.FocusReason.TabFocusReason)
            if self.results.currentItem() is None:
                self.results.setCurrentItem(self.results.topLevelItem(0))

    # -- going to a match ---------------------------------------------------------
    def go_to_current(self) -> None:
        """Enter, a double-click or Go to match: show the current match."""
        if self.timer.isActive():
            self.run_search()
        match = self.current_match()
        if match is not None:
            self.go_to(match)

    def go_to(self, match: Match) -> None:
        """Close this window and show ``match`` selected on its question page."""
        window = self.window_
        if window.doc is None:
            return
        self.hide()
        activate_window(window)
        window.show_questions()
        window.go_to_question(match.question_id)
        page, template = window.assessment.page, window.assessment.template
        if page.question_id != match.question_id:
            return  # the question could not be shown (the window said why)
        if match.where in (search.FINDINGS, search.CHAIR_COMMENT):
            box = page.findings if match.where == search.FINDINGS else page.review_comment
            self._select_text(box, match)
            page.scroll_area.ensureWidgetVisible(box)
        elif match.where in (search.QUESTION, search.GUIDANCE) and template is not None:
            question = template.question(match.question_id)
            if match.where == search.QUESTION:
                label, field = page.question_label, search.question_heading(question)
            else:
                page.set_guidance_visible(True)
                label, field = page.guidance_text, question.guidance
            if label.text().startswith(field):
                start = qt_offset(field, match.start)
                label.setSelection(start, qt_offset(field, match.start + match.length) - start)
            page.scroll_area.ensureWidgetVisible(label)
        elif match.where in (search.EVIDENCE, search.RECOMMENDATION) \
                and match.item_index is not None:
            table = page.evidence_table if match.where == search.EVIDENCE else page.rec_table
            self._select_row(table, match.item_index)
            page.scroll_area.ensureWidgetVisible(table)
        self.match_shown.emit(match.question_id)

    @staticmethod
    def _select_text(box: QPlainTextEdit, match: Match) -> None:
        text = box.toPlainText()
        end = min(match.start + match.length, len(text))
        start = min(match.start, end)
        cursor = QTextCursor(box.document())
        cursor.setPosition(qt_offset(text, start))
        cursor.setPosition(qt_offset(text, end), QTextCursor.MoveMode.KeepAnchor)
        box.setTextCursor(cursor)
        box.ensureCursorVisible()
        box.setFocus(Qt.FocusReason.OtherFocusReason)

    @staticmethod
    def _select_row(table: QTableWidget, row: int) -> None:
        if 0 <= row < table.rowCount():
            table.selectRow(row)
            table.setCurrentCell(row, 0)
            item = table.item(row, 0)
            if item is not None:
                table.scrollToItem(item)
            table.setFocus(Qt.FocusReason.OtherFocusReason)


def show_for(window: MainWindow) -> FindDialog:
    return FindDialog.show_for(window)

