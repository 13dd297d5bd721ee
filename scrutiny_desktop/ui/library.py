"""The library: every assessment in one or more folders, in a sortable, filterable table.

``LibraryPage`` lists the ``.scrutiny`` documents in the chosen folders (and
their subfolders) on a worker thread through :func:`run_in_background`; the
listing only reads metadata over read-only connections
(:func:`scrutiny_desktop.services.library.list_library`), so it never changes,
locks or migrates a file.  Unreadable files are rows with their problem.  The
table fills as the listing goes: the worker hands over batches of rows (worked
out there, see :func:`~scrutiny_desktop.ui.library_table.table_row`) and the
model inserts each batch in its sorted place.  A refresh reads again only the
files that changed (the service keeps the others' summaries) and reuses their rows.

The page talks to the main window only through signals (``open_requested``,
``compare_requested``, ``folders_changed``) and two injectable callables: the
folder prompt (``ask_folder``) and ``save_folders``, which stores the folder
list in the app state.

``LibraryWindow`` shows the page as a window of its own beside the main window
(so browsing the library never closes the open assessment); Escape or Ctrl+W
closes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from scrutiny_desktop import APP_NAME
from scrutiny_desktop.services.library import DocumentSummary, list_library
from scrutiny_desktop.ui.library_table import (
    CANNOT_BE_READ,
    COL_FILE,
    COL_PARTNERSHIP,
    COL_PERIOD,
    COL_PROBLEM,
    COL_PROGRESS,
    COL_REVIEWED,
    COL_SCRUTINEER,
    COL_SIGNED,
    COL_STATUS,
    COLUMNS,
    ElideLeft,
    LibraryModel,
    Row,
    earlier_first,
    listing_status,
    plural,
    table_row,
)
from scrutiny_desktop.ui.ops import BackgroundOp, run_in_background
from scrutiny_desktop.ui.widgets import named, restoring_focus


class _Batches(QObject):
    """Carries batches of rows from the listing's worker thread to the page (queued to
    the UI thread).  Owned by the application, like the listing itself, so a batch sent
    after the page has gone is dropped safely."""

    #: (the listing's number, a list of Row)
    arrived = Signal(int, list)

    def send(self, listing: int, rows: list[Row]) -> None:
        if isValid(self):
            with contextlib.suppress(RuntimeError):  # deleted meanwhile: nobody is waiting
                self.arrived.emit(listing, rows)


class _Count:
    """How far the listing under way has got: written by its worker thread at each
    report, read by the page's timer.  (A plain attribute, not a signal per report: the
    window looks when it is ready to show it, and the reading goes on undisturbed.)"""

    def __init__(self) -> None:
        self.state = (0, 0)

    def report(self, done: int, total: int) -> None:
        self.state = (done, total)  # one assignment: the reader sees a whole pair


#: How often the listing's progress is shown (milliseconds).
PROGRESS_MS = 100


def _default_ask_folder(parent: QWidget) -> Path | None:
    with restoring_focus(parent):
        chosen = QFileDialog.getExistingDirectory(parent, "Add a folder to the library")
    return Path(chosen) if chosen else None


class LibraryPage(QWidget):
    """Every assessment in the chosen folders; open one, or compare two."""

    #: Open this document (Enter or double-click on a row, or "Open selected").
    open_requested = Signal(Path)
    #: Compare these two documents: (earlier, later).
    compare_requested = Signal(Path, Path)
    #: The folder list changed (a list of str): store it.
    folders_changed = Signal(list)
    #: A listing finished and the table shows it (a list of DocumentSummary).
    listing_finished = Signal(list)

    def __init__(self, folders: Sequence[str | Path] = (), *,
                 ask_folder: Callable[[QWidget], Path | str | None] | None = None,
                 save_folders: Callable[[list[str]], None] | None = None,
                 passphrases: Callable[[], dict[str, str]] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        #: The session's passphrases (by path): encrypted assessments opened this session
        #: are listed in full; the others by name, with a padlock.
        self._passphrases = passphrases or dict
        self._ask_folder = ask_folder or _default_ask_folder
        self._save_folders = save_folders or (lambda folders: None)
        self._folders: list[str] = []
        for f in folders:
            if str(f) not in self._folders:
                self._folders.append(str(f))
        self._op: BackgroundOp | None = None
        #: The listing under way (batches of another are dropped), whether its first
        #: batch has come (it replaces the rows shown), what was selected when it began,
        #: and the channel its batches come through.
        self._listing = 0
        self._batched = False
        self._selected_before: set[str] = set()
        self._batches: _Batches | None = None
        self._count = _Count()
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(PROGRESS_MS)
        self._progress_timer.timeout.connect(self._show_progress)
        #: The rows of the last listing, by id() of their summary (the service gives the
        #: same summary object back for a file that has not changed), and the folders
        #: they were worked out for (a row shows the path relative to its folder).
        self._rows_by_summary: dict[int, Row] = {}
        self._rows_folders: tuple[str, ...] = ()
        self._again = False
        self._missing_folders: set[str] = set()
        self._listing_text = ""
        self._shown_once = False
        self._requested = False

        title = QLabel("Library")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel("Every assessment in these folders and their subfolders. Listing only reads "
                       "the files; it never changes them. Select one to open it, or two to "
                       "compare them.")
        intro.setWordWrap(True)

        # -- folders ------------------------------------------------------------
        folders_label = QLabel("F&olders")
        bold = folders_label.font()
        bold.setBold(True)
        folders_label.setFont(bold)
        self.folder_list = named(QListWidget(), "Library folders",
                                 "The folders listed; press Delete to remove the selected folder")
        folders_label.setBuddy(self.folder_list)
        self.folder_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.folder_list.setUniformItemSizes(True)
        self.folder_list.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.folder_list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.add_button = named(QPushButton("Add folder…"), "Add folder",
                                "Choose a folder to add to the library")
        self.remove_button = named(QPushButton("Remove folder"), "Remove folder",
                                   "Stop listing the selected folder; no file is deleted")
        self.add_button.clicked.connect(self.add_folder)
        self.remove_button.clicked.connect(self.remove_selected_folder)
        folder_buttons = QVBoxLayout()
        folder_buttons.addWidget(self.add_button)
        folder_buttons.addWidget(self.remove_button)
        folder_buttons.addStretch(1)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_list, 1)
        folder_row.addLayout(folder_buttons)

        # -- filter and actions -------------------------------------------------------
        filter_label = QLabel("Fi&lter:")
        self.filter_edit = named(QLineEdit(), "Filter assessments",
                                 "Type words from the partnership, period, scrutineer, status "
                                 "or file name")
        self.filter_edit.setPlaceholderText("Partnership, period, scrutineer, status or file")
        self.filter_edit.setClearButtonEnabled(True)
        filter_label.setBuddy(self.filter_edit)
        self.refresh_button = named(QPushButton("Refresh"), "Refresh", "List the folders again (F5)")
        self.open_button = named(QPushButton("Open selected"), "Open selected",
                                 "Open the selected assessment (Enter)")
        self.compare_button = named(QPushButton("Compare selected"), "Compare selected",
                                    "Compare the two selected assessments, earlier with later")
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self._open_selected)
        self.compare_button.clicked.connect(self._compare_selected)
        actions = QHBoxLayout()
        actions.addWidget(filter_label)
        actions.addWidget(self.filter_edit, 1)
        actions.addSpacing(12)
        actions.addWidget(self.open_button)
        actions.addWidget(self.compare_button)
        actions.addWidget(self.refresh_button)

        # -- progress ---------------------------------------------------------------
        self.progress_bar = named(QProgressBar(), "Listing progress")
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumWidth(240)
        self.progress_bar.hide()
        self.status_label = named(QLabel(""), "Library status")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        status_row = QHBoxLayout()
        status_row.addWidget(self.progress_bar)
        status_row.addWidget(self.status_label, 1)

        # -- the table ---------------------------------------------------------------
        self.model = LibraryModel(self)
        self.table = named(QTableView(), "Assessments in the library",
                           "Press Enter to open the selected assessment; select two to compare them")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_PARTNERSHIP, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setItemDelegateForColumn(COL_FILE, ElideLeft(self.table))
        header = self.table.horizontalHeader()
        header.setSectionsMovable(False)
        header.setHighlightSections(False)
        # The columns fit the width: Partnership takes what the others leave, File and
        # Problem give way when space is short (_fit_columns), and long text is elided
        # (the full text is in its tooltip).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_PARTNERSHIP, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("Progress") + 24)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._set_column_widths()
        # Double-click (or the platform's activation) opens; Enter is handled in
        # eventFilter so that it works the same on every platform.
        self.table.activated.connect(self._open_index)
        self.table.installEventFilter(self)
        self.table.viewport().installEventFilter(self)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.filter_edit.textChanged.connect(self._filter_changed)
        table_label = QLabel("A&ssessments")
        table_label.setFont(bold)
        table_label.setBuddy(self.table)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(folders_label)
        layout.addLayout(folder_row)
        layout.addSpacing(4)
        layout.addLayout(actions)
        layout.addLayout(status_row)
        layout.addWidget(table_label)
        layout.addWidget(self.table, 1)

        self._fill_folder_list()
        self._show_status()
        self._update_buttons()

    # -- folders -------------------------------------------------------------------
    @property
    def folders(self) -> list[str]:
        return list(self._folders)

    def offer_folder(self, folder: Path | str) -> bool:
        """List ``folder`` when no folder has been chosen yet and it exists (the
        documents folder at first start); it is remembered only once the person
        changes the folder list.  True if it is now listed."""
        folder = str(Path(folder).expanduser())
        if self._folders or not Path(folder).is_dir():
            return False
        self._folders.append(folder)
        self._fill_folder_list()
        self._show_status()
        return True

    def add_folder(self) -> None:
        chosen = self._ask_folder(self)
        if not chosen:
            return
        folder = str(Path(chosen).expanduser())
        known = {str(Path(f).expanduser().resolve()): n for n, f in enumerate(self._folders)}
        existing = known.get(str(Path(folder).resolve()))
        if existing is not None:
            self.folder_list.setCurrentRow(existing)
            self.status_label.setText(f"{folder} is already in the library.")
            return
        self._folders.append(folder)
        self._fill_folder_list()
        self.folder_list.setCurrentRow(len(self._folders) - 1)
        self._folders_changed()

    def remove_selected_folder(self) -> None:
        row = self.folder_list.currentRow()
        if not 0 <= row < len(self._folders):
            return
        del self._folders[row]
        self._fill_folder_list()
        if self._folders:
            self.folder_list.setCurrentRow(min(row, len(self._folders) - 1))
        self._folders_changed()

    def _folders_changed(self) -> None:
        folders = self.folders
        self._save_folders(folders)
        self.folders_changed.emit(folders)
        self.refresh()

    def _fill_folder_list(self) -> None:
        current = self.folder_list.currentRow()
        self.folder_list.clear()
        for folder in self._folders:
            item = QListWidgetItem(folder)
            if folder in self._missing_folders:
                item.setText(f"{folder} (not found)")
                item.setToolTip(f"{folder} cannot be found. Is the drive connected?")
            else:
                item.setToolTip(folder)
            self.folder_list.addItem(item)
        if self._folders:
            self.folder_list.setCurrentRow(max(0, min(current, len(self._folders) - 1)))
        self._update_buttons()

    # -- listing --------------------------------------------------------------------
    @property
    def listing(self) -> bool:
        return self._op is not None

    @property
    def summaries(self) -> list[DocumentSummary]:
        """The summaries listed (so far, while listing), in listing order."""
        return [row.summary for row in self.model.rows]

    def showEvent(self, event) -> None:
        """The first time the page is shown, list its folders."""
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self._folders and not self._requested:
                self.refresh()

    def refresh(self) -> None:
        """List the folders again, on a worker thread (a second request waits for the first)."""
        if self._op is not None:
            self._again = True
            return
        folders = self.folders
        self._requested = True
        self._again = False
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self._listing_text = "Looking for assessments…"
        self.status_label.setText(self._listing_text)
        self.refresh_button.setEnabled(False)

        known = {Path(p): v for p, v in self._passphrases().items()}
        self._listing += 1
        listing = self._listing
        self._batched = False
        self._selected_before = {str(p) for p in self.selected_paths()}
        before = self._rows_by_summary if self._rows_folders == tuple(folders) else {}
        kept: dict[int, Row] = {}
        # The channel and the operation belong to the application, not to the page: if
        # the page is deleted mid-listing (the window closes), late batches and the late
        # result still arrive safely and are dropped.
        app = QCoreApplication.instance() or self
        batches = self._batches = _Batches(app)
        batches.arrived.connect(self._batch)

        def found(summaries: list[DocumentSummary]) -> None:
            # On the worker thread: the rows' text is worked out here, off the UI thread
            # (plain data, no Qt object), or taken over from the last listing.
            rows = []
            for summary in summaries:
                row = before.get(id(summary))
                if row is None or row.summary is not summary:
                    row = table_row(summary, folders)
                kept[id(summary)] = row
                rows.append(row)
            batches.send(listing, rows)

        count = self._count = _Count()

        def work(_progress):
            missing = [f for f in folders if not Path(f).expanduser().is_dir()]
            return (list_library(folders, count.report, passphrases=known, found=found),
                    missing, kept)

        self._op = run_in_background(app, work, self._listed, self._listing_failed)
        self._progress_timer.start()

    def _batch(self, listing: int, rows: list[Row]) -> None:
        """A batch of rows from the listing under way: the first replaces the rows shown,
        the others join them, each in its sorted place."""
        if listing != self._listing or not self._alive():
            return
        if self._batched:
            self.model.add_rows(rows)
        else:
            self._batched = True
            self.model.set_rows(rows)
        if self.table.isColumnHidden(COL_PROBLEM) and not all(r.summary.ok for r in rows):
            self.table.setColumnHidden(COL_PROBLEM, False)
            self._fit_columns()

    def _alive(self) -> bool:
        """False once Qt has deleted the page (a listing may finish after that)."""
        return isValid(self) and isValid(self.status_label)

    def _show_progress(self) -> None:
        """Every PROGRESS_MS while listing: say how far the listing has got."""
        done, total = self._count.state
        if total and self._alive() and self.progress_bar.value() != done:
            self._listing_text = f"Listing {done:,} of {total:,}…"
            self.status_label.setText(self._listing_text)
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)

    def _listed(self, result) -> None:
        self._op = None
        self._drop_batches()
        if not self._alive():
            return
        summaries, missing, kept = result
        self._missing_folders = set(missing)
        self._fill_folder_list()
        rows = self.model.rows
        if not (self._batched and len(rows) == len(summaries)
                and all(r.summary is s for r, s in zip(rows, summaries, strict=True))):
            rows = [kept.get(id(s)) or table_row(s, self._folders) for s in summaries]
            self.model.set_rows(rows)
        self._rows_by_summary = {id(r.summary): r for r in rows}
        self._rows_folders = tuple(self._folders)
        # What was selected before the listing, unless something was chosen meanwhile.
        self._filled(self._selected_before if not self.selected_paths() else set())
        self._end_listing()
        self.listing_finished.emit(list(summaries))

    def _drop_batches(self) -> None:
        if self._batches is not None:
            if isValid(self._batches):
                self._batches.deleteLater()
            self._batches = None

    def _listing_failed(self, exc: Exception) -> None:
        self._op = None
        self._drop_batches()
        if not self._alive():
            return
        self._end_listing()
        self._listing_text = ""
        message = " ".join(str(exc).split()) or exc.__class__.__name__
        self.status_label.setText(f"The folders could not be listed: {message}")
        self.listing_finished.emit(list(self.summaries))

    def _end_listing(self) -> None:
        self._progress_timer.stop()
        self.progress_bar.hide()
        self.refresh_button.setEnabled(True)
        if self._again:
            self.refresh()

    def show_summaries(self, summaries: Sequence[DocumentSummary]) -> None:
        """Fill the table with these summaries in one go (the selection stays on its files)."""
        selected = {str(p) for p in self.selected_paths()}
        self.model.set_rows(table_row(s, self._folders) for s in summaries)
        self._filled(selected)

    def _filled(self, selected: set[str]) -> None:
        """The rows are in: fit the columns, select these files again, say what is listed."""
        self._set_column_widths()
        if selected:
            self._reselect(selected)
        self._listing_text = ""
        self._show_status()
        self._update_buttons()

    def _reselect(self, paths: set[str]) -> None:
        sel = self.table.selectionModel()
        selection = QItemSelection()
        for row in range(self.model.rowCount()):
            if str(self._summary_at(row).path) in paths:
                selection.select(self.model.index(row, 0),
                                 self.model.index(row, len(COLUMNS) - 1))
        sel.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _set_column_widths(self) -> None:
        fm = self.table.fontMetrics()
        pad = 24

        def width(*samples: str) -> int:
            return max(fm.horizontalAdvance(t) for t in samples) + pad

        header = self.table.horizontalHeader()
        header.resizeSection(COL_PERIOD, width("Period", "April 2025 to Ma"))
        header.resizeSection(COL_SCRUTINEER, width("Scrutineer", "Alexandra Smith"))
        header.resizeSection(COL_STATUS, width(CANNOT_BE_READ, "Signed off"))
        header.resizeSection(COL_PROGRESS, width("Progress", "100/100"))
        header.resizeSection(COL_SIGNED, width("28 September 2026"))
        header.resizeSection(COL_REVIEWED, width("28 September 2026"))
        self._wanted = {COL_PARTNERSHIP: width("Northshire Safeguarding Children Partnership"),
                        COL_FILE: width("Northshire/2025-26/assessment.scrutiny"),
                        COL_PROBLEM: width("This file is a PNG picture, not an assess")}
        # Problem is hidden when every file reads.
        self.table.setColumnHidden(COL_PROBLEM, all(s.ok for s in self.summaries))
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Share the width the fixed columns leave between Partnership (which stretches),
        File and Problem, so that the table needs no horizontal scroll bar: File and
        Problem take what they want when there is room, and give way to Partnership
        (which keeps at least two fifths of the room) when there is not."""
        header = self.table.horizontalHeader()
        flexible = [COL_FILE] + ([] if self.table.isColumnHidden(COL_PROBLEM) else [COL_PROBLEM])
        fixed = sum(header.sectionSize(c) for c in range(len(COLUMNS))
                    if c not in (COL_PARTNERSHIP, *flexible) and not self.table.isColumnHidden(c))
        room = self.table.viewport().width() - fixed
        wanted = sum(self._wanted[c] for c in flexible)
        partnership = self._wanted[COL_PARTNERSHIP]
        least = header.minimumSectionSize()
        if room - partnership >= wanted:
            shares = {c: self._wanted[c] for c in flexible}
        else:  # Partnership first (File and Problem keep twice the least width)
            keep = max(min(partnership, room - 2 * least * len(flexible)), round(room * 0.4))
            spare = max(0, room - keep)
            shares = {c: spare * self._wanted[c] // wanted for c in flexible}
        for c, share in shares.items():
            header.resizeSection(c, max(least, share))

    def _show_status(self) -> None:
        if self._listing_text:
            self.status_label.setText(self._listing_text)
            return
        if not self._folders:
            self.status_label.setText("Add a folder to list the assessments in it.")
            return
        text = listing_status(self.summaries)
        if self._missing_folders:
            text += f"; {plural(len(self._missing_folders), 'folder')} not found"
        shown = self.model.rowCount()
        if self.model.active and self.model.rows:
            text += f"; {shown} shown by the filter"
        self.status_label.setText(text)

    def _filter_changed(self, text: str) -> None:
        self.model.set_text(text)
        self._show_status()
        self._update_buttons()

    # -- selection ---------------------------------------------------------------------
    def _summary_at(self, row: int) -> DocumentSummary:
        return self.model.summary_at(row)

    def selected_summaries(self) -> list[DocumentSummary]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self._summary_at(r) for r in rows]

    def selected_paths(self) -> list[Path]:
        return [s.path for s in self.selected_summaries()]

    def _update_buttons(self) -> None:
        chosen = self.selected_summaries()
        self.open_button.setEnabled(len(chosen) == 1 and not chosen[0].missing)
        pair = len(chosen) == 2 and all(s.ok for s in chosen)
        self.compare_button.setEnabled(pair)
        if len(chosen) == 2 and not pair:
            self.compare_button.setToolTip("One of the selected files cannot be read.")
        else:
            self.compare_button.setToolTip("Select two assessments to compare them.")
        self.remove_button.setEnabled(0 <= self.folder_list.currentRow() < len(self._folders))

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        s = self._summary_at(index.row())
        if not s.missing:
            self.open_requested.emit(s.path)

    def _open_selected(self) -> None:
        chosen = self.selected_summaries()
        if len(chosen) == 1 and not chosen[0].missing:
            self.open_requested.emit(chosen[0].path)

    def _compare_selected(self) -> None:
        chosen = self.selected_summaries()
        if len(chosen) != 2 or not all(s.ok for s in chosen):
            return
        earlier, later = earlier_first(*chosen)
        self.compare_requested.emit(earlier.path, later.path)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
            return False
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier)):
            self._open_index(self.table.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Delete and self.folder_list.hasFocus():
            self.remove_selected_folder()
            return
        super().keyPressEvent(event)


class LibraryWindow(QWidget):
    """The library in a window of its own ("Library — Scrutiny Desktop"), not modal:
    the open assessment stays open in the main window while the library is browsed.
    Escape (once the filter is empty) or Ctrl+W closes it."""

    #: The window was closed (its geometry can be remembered now).
    closed = Signal()

    def __init__(self, page: LibraryPage, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.page = page
        self.setWindowTitle(f"Library — {APP_NAME}")
        self.setObjectName("library_window")
        # Closing the main window ends the program even while the library is open.
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(page)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape)
        keys = [QKeySequence("Ctrl+W"), *QKeySequence.keyBindings(QKeySequence.StandardKey.Close)]
        for key in dict.fromkeys(k.toString() for k in keys if not k.isEmpty()):
            QShortcut(QKeySequence(key), self, self.close)

    def _escape(self) -> None:
        """Escape first clears the filter being typed in, then closes the window."""
        edit = self.page.filter_edit
        if edit.hasFocus() and edit.text():
            edit.clear()
            return
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()
