"""The library table: its columns, the text of each cell, sorting and filtering.

One row per assessment file.  Every cell carries a sort key (``SORT_ROLE``), so
dates sort as dates and periods as text; column 0 carries the row's index and
the text the filter box searches.  Used by ``ui.library.LibraryPage``.

A row's cells are worked out once, as plain data (:func:`table_row`, safe on the
listing's worker thread), and :class:`LibraryModel` serves them, sorts them and
filters them itself: thousands of rows are added in a few batches as the listing
reads them, without building a Qt item per cell or asking Python for every
comparison of a sort.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QStyledItemDelegate

from scrutiny_desktop.services.library import DocumentSummary
from scrutiny_desktop.text import date_text

COLUMNS = ["Partnership", "Period", "Scrutineer", "Status", "Progress", "Signed off", "Reviewed",
           "File", "Problem"]
(COL_PARTNERSHIP, COL_PERIOD, COL_SCRUTINEER, COL_STATUS, COL_PROGRESS, COL_SIGNED,
 COL_REVIEWED, COL_FILE, COL_PROBLEM) = range(len(COLUMNS))

#: What the proxy sorts on (set on every cell): casefolded text, or a number.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: On column 0: the row's position in ``LibraryPage.summaries``.
INDEX_ROLE = Qt.ItemDataRole.UserRole + 2
#: On column 0: the casefolded text the filter box searches.
FILTER_ROLE = Qt.ItemDataRole.UserRole + 3

CANNOT_BE_READ = "Cannot be read"
MISSING = "Missing"


def plural(n: int, word: str) -> str:
    """"1 folder", "3 folders", "5,000 assessments"."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _local_date(value: dt.datetime | None) -> str:
    return date_text(value.astimezone().date()) if value is not None else ""


def _stamp(value: dt.datetime | None) -> float:
    """A sortable number for a date (no date sorts first)."""
    return value.timestamp() if value is not None else float("-inf")


def earlier_first(a: DocumentSummary, b: DocumentSummary) -> tuple[DocumentSummary, DocumentSummary]:
    """The two summaries in time order: by period text, then by when last changed, then by path."""
    def key(s: DocumentSummary):
        modified = s.modified_at.timestamp() if s.modified_at is not None else float("-inf")
        return (s.period.casefold(), modified, str(s.path))

    return (a, b) if key(a) <= key(b) else (b, a)


#: How an encrypted assessment is listed before its passphrase is given.
LOCKED = "🔒 Encrypted: open it to unlock"


def status_text(s: DocumentSummary) -> str:
    if s.ok:
        return f"🔒 {s.status_label}" if s.encrypted else s.status_label
    if s.encrypted and not s.error:
        return LOCKED
    return MISSING if s.missing else CANNOT_BE_READ


def listing_status(summaries: Sequence[DocumentSummary]) -> str:
    """"500 assessments, 3 cannot be read" (files that cannot be read are counted apart)."""
    bad = sum(1 for s in summaries if not s.ok)
    good = len(summaries) - bad
    if not summaries:
        return "No assessments were found in these folders."
    text = plural(good, "assessment")
    if bad:
        text += f", {bad:,} cannot be read"
    return text


def shown_path(path: Path, folders: Sequence[str | Path]) -> str:
    """The path as shown: relative to the library folder it was found in."""
    full = str(path)
    for prefix in _prefixes(tuple(str(f) for f in folders)):
        if full.startswith(prefix):
            return full[len(prefix):]
    return full


@functools.lru_cache(maxsize=8)
def _prefixes(folders: tuple[str, ...]) -> tuple[str, ...]:
    """Each folder as the start of the paths found in it (as the listing spells them),
    worked out once for a listing of thousands."""
    out = []
    for folder in folders:
        top = str(Path(folder).expanduser())
        out.append(top if top.endswith(os.sep) else top + os.sep)
    return tuple(out)


def problem_text(s: DocumentSummary) -> str:
    """The error, with the full path it usually starts with (the File column has that)
    turned into "This file"."""
    error = s.error
    full = str(s.path)
    if error.startswith(full):
        error = "This file" + error[len(full):]
    return error


@dataclass(frozen=True, eq=False)
class Row:
    """One table row worked out as plain data (no Qt object): safe to build on a worker
    thread, and kept while its summary is unchanged."""

    summary: DocumentSummary
    #: Per column: the text shown and the sort key.
    texts: tuple[str, ...]
    keys: tuple[Any, ...]
    #: A file that cannot be read is shown in italics.
    italic: bool
    #: The casefolded text the filter box searches.
    haystack: str

    def tip(self, col: int) -> str:
        """The tooltip of a column ("" for none), worked out when the pointer rests on
        it (a listing of thousands never needs most of them)."""
        s = self.summary
        if s.encrypted and not s.ok and not s.error:
            return (f"{s.path}\nEncrypted: its details show once you open it with its "
                    "passphrase (kept for this session only).")
        if not s.ok:
            return f"{s.path}\n{s.error}"
        if col == COL_FILE:
            return str(s.path)
        if col == COL_PROGRESS:
            return f"{s.answered} of {s.total} questions answered"
        return self.texts[col]


_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
#: The invisible root (the table has no tree).
_ROOT = QModelIndex()


def table_row(s: DocumentSummary, folders: Sequence[str | Path] = ()) -> Row:
    """The cells of one table row (display text, sort key, tooltip)."""
    status = status_text(s)
    shown = shown_path(s.path, folders)
    problem = problem_text(s)
    if s.ok:
        fraction = s.answered / s.total if s.total else 0.0
        progress_sort = fraction + s.answered * 1e-6
    else:
        progress_sort = -1.0
    cells: list[tuple[str, Any]] = [
        (s.partnership, s.partnership.casefold()),
        (s.period, s.period.casefold()),
        (s.scrutineer, s.scrutineer.casefold()),
        (status, status.casefold()),
        (s.progress_text, progress_sort),
        (_local_date(s.signed_off_at), _stamp(s.signed_off_at)),
        (_local_date(s.reviewed_at), _stamp(s.reviewed_at)),
        (shown, str(s.path).casefold()),
        (problem, problem.casefold()),
    ]
    texts = tuple(text for text, _key in cells)
    # The file as shown (relative to its library folder), so that a word in the
    # folder's own path does not match every row.
    haystack = " ".join((s.partnership, s.area, s.period, s.scrutineer, status, shown, problem))
    return Row(s, texts, tuple(key for _text, key in cells),
               italic=not s.ok and not (s.encrypted and not s.error),
               haystack=haystack.casefold())


class LibraryModel(QAbstractTableModel):
    """The rows of a listing, sorted by a column and narrowed by the filter words.

    ``rows`` are in listing order (a row's place there is its ``INDEX_ROLE``); the view
    shows those the filter keeps, sorted by the sort column, ties in listing order.
    Rows added while listed, and filter changes, are inserted and removed in place
    (the selection and the current row stay on their files); a new sort moves rows
    as a layout change."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Row] = []
        #: Per column, every row's sort key (in listing order), for sorting in C.
        self._keys: list[list[Any]] = [[] for _ in COLUMNS]
        #: What the view shows: indexes into ``rows``, in the order shown.
        self._order: list[int] = []
        self._column = -1
        self._descending = False
        self._terms: list[str] = []
        self._italic: QFont | None = None

    # -- the model interface -----------------------------------------------------------
    # (Qt's names: the view calls these.)
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        n = self._order[index.row()]
        row = self.rows[n]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tip(col) or None
        if role == SORT_ROLE:
            return row.keys[col]
        if role == Qt.ItemDataRole.FontRole:
            if not row.italic:
                return None
            if self._italic is None:
                self._italic = QFont()
                self._italic.setItalic(True)
            return self._italic
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_PROGRESS, COL_SIGNED,
                                                                 COL_REVIEWED):
            return _LEFT
        if col == 0 and role == INDEX_ROLE:
            return n
        if col == 0 and role == FILTER_ROLE:
            return row.haystack
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        if (column, descending) == (self._column, self._descending):
            return
        self._column, self._descending = column, descending
        self.layoutAboutToBeChanged.emit()
        before = self._order
        self._order = self._ordered(before)
        place = {n: row for row, n in enumerate(self._order)}
        old = self.persistentIndexList()
        self.changePersistentIndexList(old, [
            self.index(place[before[i.row()]], i.column()) if 0 <= i.row() < len(before)
            else QModelIndex() for i in old])
        self.layoutChanged.emit()

    # -- rows ------------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[Row]) -> None:
        """Show these rows instead (a listing starts again)."""
        self.beginResetModel()
        self.rows = list(rows)
        self._keys = [[row.keys[col] for row in self.rows] for col in range(len(COLUMNS))]
        self._order = self._ordered(n for n in range(len(self.rows)) if self._accepts(n))
        self.endResetModel()

    def add_rows(self, rows: Iterable[Row]) -> None:
        """Add rows at the end of the listing; each appears in its sorted place."""
        first = len(self.rows)
        self.rows.extend(rows)
        for col, keys in enumerate(self._keys):
            keys.extend(row.keys[col] for row in self.rows[first:])
        added = [n for n in range(first, len(self.rows)) if self._accepts(n)]
        if added:
            self._show({*self._order, *added})

    def summary_at(self, row: int) -> DocumentSummary:
        """The summary shown on this row of the view."""
        return self.rows[self._order[row]].summary

    # -- filtering ---------------------------------------------------------------------
    def set_text(self, text: str) -> None:
        """Keep the rows whose text contains every word typed."""
        terms = text.casefold().split()
        if terms == self._terms:
            return
        self._terms = terms
        self._show({n for n in range(len(self.rows)) if self._accepts(n)})

    @property
    def active(self) -> bool:
        return bool(self._terms)

    def _accepts(self, n: int) -> bool:
        haystack = self.rows[n].haystack
        return all(term in haystack for term in self._terms)

    # -- keeping the order -------------------------------------------------------------
    def _ordered(self, indexes: Iterable[int]) -> list[int]:
        """These rows in the order shown: by the sort column, ties in listing order."""
        order = sorted(indexes)
        if self._column >= 0:
            order.sort(key=self._keys[self._column].__getitem__, reverse=self._descending)
        return order

    def _show(self, wanted: set[int]) -> None:
        """Show exactly the rows in ``wanted``: rows that go are removed and new rows
        inserted, each run of neighbours at once, so that the rows that stay keep
        their selection.  (The shown order and the new one agree on every row both
        hold: both follow ``_ordered``.)"""
        shown = set(self._order)
        merged = self._ordered(shown | wanted)
        parent = QModelIndex()
        at = i = 0
        while i < len(merged):
            n = merged[i]
            if n in shown and n in wanted:
                at += 1
                i += 1
                continue
            going = n in shown
            j = i + 1
            while j < len(merged) and (merged[j] in shown) == going and (
                    (merged[j] in wanted) != going):
                j += 1
            count = j - i
            if going:
                self.beginRemoveRows(parent, at, at + count - 1)
                del self._order[at:at + count]
                self.endRemoveRows()
            else:
                self.beginInsertRows(parent, at, at + count - 1)
                self._order[at:at] = merged[i:j]
                self.endInsertRows()
                at += count
            i = j


class ElideLeft(QStyledItemDelegate):
    """Paths keep their end (the file name) when the column is narrow."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft
