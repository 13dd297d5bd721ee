"""The library table: its columns, the text of each cell, sorting and filtering.

One row per assessment file.  Every cell carries a sort key (``SORT_ROLE``), so
dates sort as dates and periods as text; column 0 carries the row's index and
the text the filter box searches.  Used by ``ui.library.LibraryPage``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem
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
    return f"{n} {word}{'' if n == 1 else 's'}"


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
        text += f", {bad} cannot be read"
    return text


def shown_path(path: Path, folders: Sequence[str | Path]) -> str:
    """The path as shown: relative to the library folder it was found in."""
    for folder in folders:
        try:
            return str(path.relative_to(Path(folder).expanduser()))
        except ValueError:
            continue
    return str(path)


def problem_text(s: DocumentSummary) -> str:
    """The error, with the full path it usually starts with (the File column has that)
    turned into "This file"."""
    error = s.error
    full = str(s.path)
    if error.startswith(full):
        error = "This file" + error[len(full):]
    return error


def row_items(n: int, s: DocumentSummary, folders: Sequence[str | Path] = ()) -> list[QStandardItem]:
    """The cells of one table row (display text, sort key, tooltip)."""
    status = status_text(s)
    shown = shown_path(s.path, folders)
    problem = problem_text(s)
    if s.ok:
        fraction = s.answered / s.total if s.total else 0.0
        progress_sort = fraction + s.answered * 1e-6
    else:
        progress_sort = -1.0
    cells: list[tuple[str, object]] = [
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
    items = []
    for col, (text, key) in enumerate(cells):
        item = QStandardItem(text)
        item.setEditable(False)
        item.setData(key, SORT_ROLE)
        if s.encrypted and not s.ok and not s.error:
            item.setToolTip(f"{s.path}\nEncrypted: its details show once you open it with its "
                            "passphrase (kept for this session only).")
        elif not s.ok:
            item.setToolTip(f"{s.path}\n{s.error}")
            font = item.font()
            font.setItalic(True)
            item.setFont(font)
        elif col == COL_FILE:
            item.setToolTip(str(s.path))
        elif col == COL_PROGRESS:
            item.setToolTip(f"{s.answered} of {s.total} questions answered")
        elif text:
            item.setToolTip(text)
        if col in (COL_PROGRESS, COL_SIGNED, COL_REVIEWED):
            item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        items.append(item)
    items[0].setData(n, INDEX_ROLE)
    # The file as shown (relative to its library folder), so that a word in the
    # folder's own path does not match every row.
    haystack = " ".join((s.partnership, s.area, s.period, s.scrutineer, status, shown, problem))
    items[0].setData(haystack.casefold(), FILTER_ROLE)
    return items


class LibraryFilter(QSortFilterProxyModel):
    """Keeps rows whose partnership, period, scrutineer, status or file contain every word typed."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._terms: list[str] = []
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_text(self, text: str) -> None:
        terms = text.casefold().split()
        if terms == self._terms:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and later
            self.beginFilterChange()
            self._terms = terms
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self._terms = terms
            self.invalidateRowsFilter()

    @property
    def active(self) -> bool:
        return bool(self._terms)

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._terms:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        haystack = index.data(FILTER_ROLE) or ""
        return all(term in haystack for term in self._terms)


class ElideLeft(QStyledItemDelegate):
    """Paths keep their end (the file name) when the column is narrow."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft
