"""Spell-checking in the text boxes: red wavy underlines and a right-click menu.

``enable_spellcheck(box)`` is all a page does.  Behind it, one :class:`SpellService`
per app holds the :class:`~scrutiny_desktop.spelling.Speller`, loads the dictionary
off the UI thread the first time a box asks (about a second; nothing is underlined
until then, and every box is re-checked when it arrives: ``loaded``), finds
suggestions off the UI thread too, and tells every box to re-check when a word is
added to the personal dictionary or ignored (``changed``).

Each box gets a :class:`SpellCheck`: a syntax highlighter that checks only the
paragraph Qt asks it to (so typing re-checks one paragraph), and a context menu with
up to six suggestions, "Add “word” to dictionary" and "Ignore" above the usual
Undo/Cut/Copy/Paste.  The word being typed is not marked until the cursor leaves it,
and a read-only box is not marked at all (nothing can be done about it there).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QPlainTextEdit, QWidget

from scrutiny_desktop.errors import FileWriteFailed
from scrutiny_desktop.spelling import SUGGESTIONS, Speller
from scrutiny_desktop.ui.ops import BackgroundOp, run_in_background
from scrutiny_desktop.ui.widgets import message_box, run_dialog

log = logging.getLogger(__name__)

#: The underline of a misspelt word.
MISSPELT_COLOUR = QColor("#d32f2f")

#: How long after the first box asks the dictionary starts to load.  Loading is a
#: second of Python work; on a worker thread it still shares the interpreter with the
#: UI, so it waits until the window is up and the document open (issue 17).
LOAD_DELAY_MS = 1000

LOOKING = "Looking for suggestions…"
NO_SUGGESTIONS = "No suggestions"


def _show_error(parent: QWidget | None, title: str, text: str) -> None:
    run_dialog(message_box(parent, QMessageBox.Icon.Warning, title, text))


class SpellService(QObject):
    """The app's one speller, its loading and its suggestions (see the module's notes)."""

    loaded = Signal()
    changed = Signal()

    def __init__(self, speller: Speller | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.speller = speller or Speller()
        self._loading: BackgroundOp | None = None
        self._load_queued = False
        self._suggestions: dict[str, list[str]] = {}
        #: How a failure to save the personal dictionary is shown; a test may replace it.
        self.report_error: Callable[[QWidget | None, str, str], None] = _show_error

    @property
    def ready(self) -> bool:
        return self.speller.loaded

    def start_loading(self, delay_ms: int | None = None) -> None:
        """Load the dictionary in the background (once), after ``delay_ms`` (by default
        ``LOAD_DELAY_MS``); ``loaded`` is emitted when done."""
        if self.speller.loaded or self._loading is not None or self._load_queued:
            return
        self._load_queued = True
        QTimer.singleShot(LOAD_DELAY_MS if delay_ms is None else delay_ms, self, self._load_now)

    def _load_now(self) -> None:
        self._load_queued = False
        if self.speller.loaded or self._loading is not None:
            return
        self._loading = run_in_background(self, self._load, self._on_loaded,
                                          self._on_load_failed)

    def _load(self, _progress: object) -> Speller:
        """Load on a worker thread, handing the interpreter back to the UI thread often.

        Loading is a second of pure Python.  With Python's usual 5 ms turns, each time
        the UI thread lets go of the interpreter (every call into Qt does) it may wait
        a whole turn to get it back, and a click that takes 5 ms took over 200 (issue 17,
        benchmarks/edit_latency.py).  Half-millisecond turns, only while loading."""
        previous = sys.getswitchinterval()
        sys.setswitchinterval(min(previous, 0.0005))
        try:
            return self.speller.load()
        finally:
            sys.setswitchinterval(previous)

    def _on_loaded(self, _speller: object) -> None:
        self._loading = None
        self.loaded.emit()

    def _on_load_failed(self, exc: Exception) -> None:
        self._loading = None
        # Spell-checking stays off; writing is unaffected.
        log.warning("The spelling dictionary could not be loaded: %s", exc)

    def suggest(self, word: str, parent: QObject, done: Callable[[list[str]], None]) -> None:
        """Call ``done`` with suggestions for ``word``: at once if known, else from the
        background (never, if ``parent`` is deleted first)."""
        known = self._suggestions.get(word)
        if known is not None:
            done(known)
            return

        def found(result: object) -> None:
            assert isinstance(result, list)
            self._suggestions[word] = result
            done(result)

        run_in_background(parent, lambda _progress: self.speller.suggest(word, SUGGESTIONS), found,
                          lambda exc: done([]))

    def add_to_personal(self, word: str, parent: QWidget | None = None) -> None:
        try:
            self.speller.add_to_personal(word)
        except FileWriteFailed as exc:
            self.report_error(parent, "Personal dictionary not saved",
                              f"“{word}” is accepted until you close Scrutiny Desktop, but it could "
                              f"not be added to your personal dictionary.\n\n{exc}")
        self.changed.emit()

    def ignore(self, word: str) -> None:
        self.speller.ignore(word)
        self.changed.emit()


_shared: SpellService | None = None


def shared_service() -> SpellService:
    """The app's one SpellService (made on first use, owned by the QApplication)."""
    global _shared
    if _shared is None or not shiboken6.isValid(_shared):
        _shared = SpellService(parent=QApplication.instance())
    return _shared


class SpellHighlighter(QSyntaxHighlighter):
    """Underlines the misspelt words of one paragraph at a time."""

    def __init__(self, edit: QPlainTextEdit, service: SpellService):
        super().__init__(edit.document())
        self._edit = edit
        self._service = service
        self.misspelt_format = QTextCharFormat()
        self.misspelt_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self.misspelt_format.setUnderlineColor(MISSPELT_COLOUR)
        #: (block number, end) of a word left unmarked because it was being typed.
        self.deferred: tuple[int, int] | None = None

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        if not self._service.ready or self._edit.isReadOnly():
            return
        block = self.currentBlock()
        typing_at = -1
        if self._edit.hasFocus():
            cursor = self._edit.textCursor()
            if cursor.block() == block and not cursor.hasSelection():
                typing_at = cursor.positionInBlock()
        for start, length in self._service.speller.misspelt(text):
            if start + length == typing_at:
                self.deferred = (block.blockNumber(), typing_at)
                continue
            self.setFormat(start, length, self.misspelt_format)


class SpellCheck(QObject):
    """Spell-checking of one text box: its highlighter and its context menu."""

    def __init__(self, edit: QPlainTextEdit, service: SpellService):
        super().__init__(edit)
        self.setObjectName("spellcheck")
        self.edit = edit
        self.service = service
        self.highlighter = SpellHighlighter(edit, service)
        service.loaded.connect(self.rehighlight)
        service.changed.connect(self.rehighlight)
        edit.cursorPositionChanged.connect(self._cursor_moved)
        edit.installEventFilter(self)
        edit.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        edit.customContextMenuRequested.connect(self._show_menu)
        # Now, not in Qt's own delayed first pass (which would announce a text change).
        self.rehighlight()
        service.start_loading()

    def rehighlight(self, block: QTextBlock | None = None) -> None:
        """Re-check the whole box (or one paragraph) without it counting as an edit.

        Qt reports re-highlighting as a change of the text (``textChanged``), which
        would make the page save the same text again; so the box's signals are held
        while it runs.  Highlighting while typing is part of the typing and needs none.
        """
        blocked = self.edit.blockSignals(True)
        try:
            if block is None:
                self.highlighter.rehighlight()
            else:
                self.highlighter.rehighlightBlock(block)
        finally:
            self.edit.blockSignals(blocked)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ReadOnlyChange:
            self.rehighlight()
        elif event.type() == QEvent.Type.FocusOut:
            self._cursor_moved(left=True)
        return False

    def _cursor_moved(self, left: bool = False) -> None:
        """Mark the word just typed once the cursor has left it (or the box)."""
        deferred = self.highlighter.deferred
        if deferred is None:
            return
        cursor = self.edit.textCursor()
        if left or (cursor.blockNumber(), cursor.positionInBlock()) != deferred:
            self.highlighter.deferred = None
            block = self.edit.document().findBlockByNumber(deferred[0])
            if block.isValid():
                self.rehighlight(block)

    # -- the context menu -----------------------------------------------------------------

    def misspelt_word_at(self, pos: QPoint) -> tuple[int, int, str] | None:
        """(block position, start in block, word) of the misspelt word at viewport ``pos``."""
        if not self.service.ready or self.edit.isReadOnly():
            return None
        cursor = self.edit.cursorForPosition(pos)
        block = cursor.block()
        found = self.service.speller.word_at(block.text(), cursor.positionInBlock())
        if found is None or self.service.speller.check(found[1]):
            return None
        return block.position(), found[0], found[1]

    def context_menu(self, pos: QPoint) -> QMenu:
        """The menu for a right-click at viewport ``pos``: for a misspelt word, its
        suggestions, "Add “word” to dictionary" and "Ignore", then the usual menu."""
        menu = self.edit.createStandardContextMenu()
        target = self.misspelt_word_at(pos)
        if target is None:
            return menu
        position, start, word = target
        first = menu.actions()[0] if menu.actions() else None
        looking = QAction(LOOKING, menu)
        looking.setEnabled(False)
        add = QAction(f"Add “{word}” to dictionary".replace("&", "&&"), menu)
        add.setObjectName("spelling_add")
        add.triggered.connect(lambda: self.service.add_to_personal(word, self.edit))
        ignore = QAction("Ignore", menu)
        ignore.setObjectName("spelling_ignore")
        ignore.setStatusTip(f"Accept “{word}” until Scrutiny Desktop closes")
        ignore.triggered.connect(lambda: self.service.ignore(word))
        menu.insertActions(first, [looking, add, ignore])  # type: ignore[arg-type]
        menu.insertSeparator(first)  # type: ignore[arg-type]

        def show(suggestions: list[str]) -> None:
            if not shiboken6.isValid(menu) or not shiboken6.isValid(looking):
                return
            for suggestion in suggestions:
                action = QAction(suggestion.replace("&", "&&"), menu)
                action.setObjectName("spelling_suggestion")
                action.triggered.connect(
                    lambda _checked=False, s=suggestion: self.replace(position, start, word, s))
                menu.insertAction(looking, action)
            if suggestions:
                menu.removeAction(looking)
                looking.deleteLater()
            else:
                looking.setText(NO_SUGGESTIONS)

        self.service.suggest(word, menu, show)
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        menu = self.context_menu(pos)
        menu.exec(self.edit.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def replace(self, position: int, start: int, word: str, replacement: str) -> None:
        """Put ``replacement`` in place of ``word`` (one undo step), if it is still there."""
        document: QTextDocument = self.edit.document()
        cursor = QTextCursor(document)
        cursor.setPosition(position + start)
        cursor.setPosition(position + start + len(word), QTextCursor.MoveMode.KeepAnchor)
        if cursor.selectedText() != word:
            return
        cursor.insertText(replacement)
        self.edit.setTextCursor(cursor)


def spellcheck_of(edit: QPlainTextEdit) -> SpellCheck | None:
    """The spell-checking of ``edit``, if it has any."""
    return edit.findChild(SpellCheck, "spellcheck", Qt.FindChildOption.FindDirectChildrenOnly)


def enable_spellcheck(edit: QPlainTextEdit, service: SpellService | None = None) -> SpellCheck:
    """Underline misspelt words in ``edit`` and offer corrections on right-click.
    Calling it again on the same box does nothing more."""
    existing = spellcheck_of(edit)
    if existing is not None:
        return existing
    return SpellCheck(edit, service or shared_service())
