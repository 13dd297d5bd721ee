"""The library page, driven by accessible names, keyboard and mouse (issue 6, item 1)."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableView,
    QWidget,
)

from scrutiny_desktop.ui.library import LibraryPage
from scrutiny_desktop.ui.library_table import (
    COL_FILE,
    COL_PERIOD,
    COL_PROBLEM,
    COL_REVIEWED,
    COL_SIGNED,
    COLUMNS,
)
from tests.helpers import NORTHSHIRE, build_library, make_many, set_signed_at, tree_snapshot
from tests.ui.helpers import find

LISTING_TIMEOUT_MS = 10_000


@pytest.fixture
def library(tmp_path, answered):
    folder = tmp_path / "Shared assessments"
    return folder, build_library(folder, answered)


@pytest.fixture
def make_page(qtbot):
    def build(folders=(), ask_folder=None) -> LibraryPage:
        saved: list[list[str]] = []
        page = LibraryPage(folders, ask_folder=ask_folder or (lambda parent: None),
                           save_folders=saved.append)
        qtbot.addWidget(page)
        page.resize(1366, 768)
        page.saved = saved
        return page
    return build


def show_and_list(qtbot, page: LibraryPage) -> list:
    with qtbot.waitSignal(page.listing_finished, timeout=LISTING_TIMEOUT_MS) as blocker:
        page.show()
    qtbot.waitExposed(page)
    return blocker.args[0]


def table(page) -> QTableView:
    return find(page, "Assessments in the library", QTableView)


def column(page, col: int) -> list[str]:
    model = table(page).model()
    return [model.index(r, col).data() or "" for r in range(model.rowCount())]


def row_of(page, file_text: str) -> int:
    return column(page, COL_FILE).index(file_text)


def click_row(qtbot, page, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    view = table(page)
    rect = view.visualRect(view.model().index(row, COL_PERIOD))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def click_header(qtbot, page, col: int) -> None:
    header = table(page).horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_add_a_folder_and_see_every_assessment(qtbot, make_page, library):
    """Add folder… asks for a folder, remembers it, and lists every document in it and
    its subfolders, with unreadable files as rows that say so and carry their error."""
    folder, docs = library
    page = make_page(ask_folder=lambda parent: folder)
    page.show()
    qtbot.waitExposed(page)
    assert find(page, "Library status", QLabel).text() == "Add a folder to list the assessments in it."

    with qtbot.waitSignal(page.folders_changed) as changed, \
            qtbot.waitSignal(page.listing_finished, timeout=LISTING_TIMEOUT_MS) as listed:
        qtbot.mouseClick(find(page, "Add folder", QPushButton), Qt.MouseButton.LeftButton)

    assert changed.args == [[str(folder)]]
    assert page.saved == [[str(folder)]], "the folder list is handed over to be remembered"
    assert find(page, "Library folders", QListWidget).item(0).text() == str(folder)
    assert len(listed.args[0]) == 5
    assert find(page, "Library status", QLabel).text() == "3 assessments, 2 cannot be read"
    assert not find(page, "Listing progress", QProgressBar, visible=False).isVisible()

    view = table(page)
    model = view.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == COLUMNS
    row = row_of(page, "Northshire/2024-25.scrutiny")
    cells = [model.index(row, c).data() for c in range(len(COLUMNS))]
    assert cells == [NORTHSHIRE, "2024-25", "Ann Jones", "Signed off", "51/51", "9 May 2025", "",
                     "Northshire/2024-25.scrutiny", ""]
    reviewed = row_of(page, "Northshire/2025-26/final.scrutiny")
    today = dt.datetime.now().astimezone().date()
    assert model.index(reviewed, 3).data() == "Reviewed"
    assert model.index(reviewed, COL_REVIEWED).data() == f"{today.day} {today:%B %Y}"
    west = row_of(page, "Westvale-2025-26.scrutiny")
    assert [model.index(west, c).data() for c in (2, 3, 4, COL_SIGNED)] == ["Cy Evans", "Draft", "2/51", ""]
    assert model.index(west, COL_FILE).data(Qt.ItemDataRole.ToolTipRole) == str(docs["west_2025"])

    bad = row_of(page, "Problems/picture.scrutiny")
    assert model.index(bad, 3).data() == "Cannot be read"
    assert "PNG picture" in model.index(bad, COL_PROBLEM).data()
    assert "PNG picture" in model.index(bad, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert not view.isColumnHidden(COL_PROBLEM)


def test_the_filter_narrows_the_rows(qtbot, make_page, library):
    folder, _docs = library
    page = make_page([folder])
    show_and_list(qtbot, page)
    box = find(page, "Filter assessments", QLineEdit)
    view = table(page)

    def shown(text: str) -> list[str]:
        box.clear()
        qtbot.keyClicks(box, text)
        return sorted(column(page, COL_FILE))

    assert shown("westvale") == ["Westvale-2025-26.scrutiny"]
    assert shown("cannot") == ["Problems/empty.scrutiny", "Problems/picture.scrutiny"]
    assert shown("2025-26 NORTHSHIRE") == ["Northshire/2025-26/final.scrutiny"], "every word must match"
    assert shown("bea") == ["Northshire/2025-26/final.scrutiny"], "scrutineer"
    assert shown("signed off") == ["Northshire/2024-25.scrutiny"], "status"
    assert shown("final.scrutiny") == ["Northshire/2025-26/final.scrutiny"], "file"
    assert "1 shown by the filter" in find(page, "Library status", QLabel).text()
    assert shown("nothing like this") == []
    box.clear()
    assert view.model().rowCount() == 5


def test_sorting_by_period_and_by_real_dates(qtbot, make_page, library):
    """Clicking a column header sorts by it; dates sort as dates, not as text
    ("10 November 2025" comes after "9 May 2025"); the order survives a refresh."""
    folder, docs = library
    set_signed_at(docs["north_2024"], dt.datetime(2025, 5, 9, 12, 0, tzinfo=dt.UTC))
    set_signed_at(docs["north_2025"], dt.datetime(2025, 11, 10, 12, 0, tzinfo=dt.UTC))
    page = make_page([folder])
    show_and_list(qtbot, page)

    click_header(qtbot, page, COL_PERIOD)
    assert column(page, COL_PERIOD) == ["", "", "2024-25", "2025-26", "2025-26"]
    click_header(qtbot, page, COL_PERIOD)
    assert column(page, COL_PERIOD) == ["2025-26", "2025-26", "2024-25", "", ""]

    click_header(qtbot, page, COL_SIGNED)
    header = table(page).horizontalHeader()
    assert header.sortIndicatorSection() == COL_SIGNED
    if header.sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
        click_header(qtbot, page, COL_SIGNED)
    dates = [d for d in column(page, COL_SIGNED) if d]
    assert dates == ["9 May 2025", "10 November 2025"]

    with qtbot.waitSignal(page.listing_finished, timeout=LISTING_TIMEOUT_MS):
        qtbot.mouseClick(find(page, "Refresh", QPushButton), Qt.MouseButton.LeftButton)
    assert [d for d in column(page, COL_SIGNED) if d] == ["9 May 2025", "10 November 2025"]

    click_header(qtbot, page, 4)  # Progress: numerically, 2/51 before 51/51
    progress = [p for p in column(page, 4) if p]
    assert progress in (["2/51", "51/51", "51/51"], ["51/51", "51/51", "2/51"])


def test_enter_opens_the_selected_assessment(qtbot, make_page, library):
    folder, docs = library
    page = make_page([folder])
    show_and_list(qtbot, page)
    opened = []
    page.open_requested.connect(opened.append)
    view = table(page)
    click_row(qtbot, page, row_of(page, "Westvale-2025-26.scrutiny"))
    assert find(page, "Open selected", QPushButton).isEnabled()

    view.setFocus()
    with qtbot.waitSignal(page.open_requested) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args == [docs["west_2025"]]
    qtbot.keyClick(view, Qt.Key.Key_Enter)
    assert opened == [docs["west_2025"]] * 2, "one signal per key press"

    click_row(qtbot, page, row_of(page, "Northshire/2024-25.scrutiny"))
    with qtbot.waitSignal(page.open_requested) as blocker:
        qtbot.mouseClick(find(page, "Open selected", QPushButton), Qt.MouseButton.LeftButton)
    assert blocker.args == [docs["north_2024"]]


def test_compare_selected_sends_the_earlier_period_first(qtbot, make_page, library):
    folder, docs = library
    page = make_page([folder])
    show_and_list(qtbot, page)
    compare = find(page, "Compare selected", QPushButton)
    ctrl = Qt.KeyboardModifier.ControlModifier

    click_row(qtbot, page, row_of(page, "Northshire/2025-26/final.scrutiny"))
    assert not compare.isEnabled(), "one row is not a pair"
    click_row(qtbot, page, row_of(page, "Northshire/2024-25.scrutiny"), ctrl)
    assert compare.isEnabled()
    assert not find(page, "Open selected", QPushButton).isEnabled()

    with qtbot.waitSignal(page.compare_requested) as blocker:
        qtbot.mouseClick(compare, Qt.MouseButton.LeftButton)
    assert blocker.args == [docs["north_2024"], docs["north_2025"]]

    click_row(qtbot, page, row_of(page, "Westvale-2025-26.scrutiny"), ctrl)
    assert not compare.isEnabled(), "three rows are not a pair"
    click_row(qtbot, page, row_of(page, "Northshire/2024-25.scrutiny"), ctrl)
    click_row(qtbot, page, row_of(page, "Northshire/2025-26/final.scrutiny"), ctrl)
    click_row(qtbot, page, row_of(page, "Problems/empty.scrutiny"), ctrl)
    assert len(page.selected_paths()) == 2
    assert not compare.isEnabled(), "a file that cannot be read cannot be compared"


def test_remove_a_folder(qtbot, make_page, library, tmp_path):
    folder, _docs = library
    missing = tmp_path / "Unplugged drive"
    page = make_page([folder, missing])
    show_and_list(qtbot, page)
    folders = find(page, "Library folders", QListWidget)
    assert folders.item(1).text() == f"{missing} (not found)"
    assert find(page, "Library status", QLabel).text() == \
        "3 assessments, 2 cannot be read; 1 folder not found"

    folders.setCurrentRow(0)
    with qtbot.waitSignal(page.folders_changed) as changed, \
            qtbot.waitSignal(page.listing_finished, timeout=LISTING_TIMEOUT_MS) as listed:
        qtbot.mouseClick(find(page, "Remove folder", QPushButton), Qt.MouseButton.LeftButton)
    assert changed.args == [[str(missing)]]
    assert page.saved == [[str(missing)]]
    assert listed.args == [[]]
    assert table(page).model().rowCount() == 0
    assert table(page).isColumnHidden(COL_PROBLEM)

    folders.setCurrentRow(0)
    folders.setFocus()
    with qtbot.waitSignal(page.folders_changed) as changed, \
            qtbot.waitSignal(page.listing_finished, timeout=LISTING_TIMEOUT_MS):
        qtbot.keyClick(folders, Qt.Key.Key_Delete)
    assert changed.args == [[]]
    assert find(page, "Library status", QLabel).text() == "Add a folder to list the assessments in it."
    assert not find(page, "Remove folder", QPushButton).isEnabled()


def test_adding_a_folder_twice_keeps_one(qtbot, make_page, library):
    folder, _docs = library
    page = make_page([folder], ask_folder=lambda parent: str(folder))
    show_and_list(qtbot, page)
    changed = []
    page.folders_changed.connect(changed.append)
    qtbot.mouseClick(find(page, "Add folder", QPushButton), Qt.MouseButton.LeftButton)
    assert changed == [] and page.folders == [str(folder)]
    assert "already in the library" in find(page, "Library status", QLabel).text()


def test_listing_through_the_page_changes_no_file(qtbot, make_page, library):
    folder, _docs = library
    before = tree_snapshot(folder)
    time.sleep(0.02)
    page = make_page([folder])
    show_and_list(qtbot, page)
    with qtbot.waitSignal(page.listing_finished, timeout=LISTING_TIMEOUT_MS):
        page.refresh()
    assert tree_snapshot(folder) == before


def test_five_hundred_documents_are_listed_while_the_window_goes_on(qtbot, make_page, tmp_path,
                                                                  answered, monkeypatch):
    """500 documents are read on a worker thread: while the reading is held at the
    250th file, the window goes on handling events and says how far the listing has
    got; then every row arrives, and nothing changes on disk.  (How fast is for
    ``benchmarks/library.py``: nothing here is timed.)"""
    from scrutiny_desktop.services import library as service

    folder = tmp_path / "many"
    make_many(folder, answered, 500)
    before = tree_snapshot(folder)
    page = make_page(ask_folder=lambda parent: folder)
    page.show()
    qtbot.waitExposed(page)
    ui_thread = threading.get_ident()
    threads: set[int] = set()
    reads = []
    held, gate = threading.Event(), threading.Event()
    real = service.read_summary

    def reading(path, **kwargs):
        threads.add(threading.get_ident())
        reads.append(path)
        if len(reads) == 250:
            held.set()
            gate.wait(timeout=60)
        return real(path, **kwargs)

    monkeypatch.setattr(service, "read_summary", reading)
    status = find(page, "Library status", QLabel)
    bar = find(page, "Listing progress", QProgressBar, visible=False)
    try:
        with qtbot.waitSignal(page.listing_finished, timeout=LISTING_TIMEOUT_MS) as listed:
            qtbot.mouseClick(find(page, "Add folder", QPushButton), Qt.MouseButton.LeftButton)
            qtbot.waitUntil(held.is_set, timeout=LISTING_TIMEOUT_MS)
            # The worker is held: only a window that goes on handling events shows this.
            qtbot.waitUntil(lambda: re.fullmatch(r"Listing 2[0-4]\d of 500…", status.text())
                            is not None, timeout=LISTING_TIMEOUT_MS)
            assert bar.isVisible() and bar.maximum() == 500 and 200 <= bar.value() < 250
            assert not find(page, "Refresh", QPushButton).isEnabled()
            gate.set()
    finally:
        gate.set()

    assert len(listed.args[0]) == 500 and len(reads) == 500
    assert threads and ui_thread not in threads, "the files are read off the UI thread"
    assert table(page).model().rowCount() == 500
    assert status.text() == "500 assessments"
    assert not bar.isVisible() and find(page, "Refresh", QPushButton).isEnabled()
    assert tree_snapshot(folder) == before


def test_every_control_has_an_accessible_name(qtbot, make_page, library):
    folder, _docs = library
    page = make_page([folder])
    show_and_list(qtbot, page)
    controls = [w for w in page.findChildren(QWidget)
                if isinstance(w, (QAbstractButton, QLineEdit, QAbstractItemView, QComboBox,
                                  QProgressBar))
                and not isinstance(w, QHeaderView) and w.isVisible()
                and not isinstance(w.parent(), QLineEdit)]
    assert len(controls) >= 8
    unnamed = [w for w in controls if not w.accessibleName()]
    assert unnamed == []


def test_a_listing_that_ends_after_the_page_is_gone_is_ignored(qtbot, tmp_path, answered):
    """Closing the window mid-listing: the late result is dropped, not an error."""
    from PySide6.QtCore import QThreadPool

    folder = tmp_path / "many"
    make_many(folder, answered, 100)
    page = LibraryPage([folder])
    page.refresh()
    assert page.listing
    page.deleteLater()
    qtbot.wait(1)
    assert QThreadPool.globalInstance().waitForDone(10_000)
    qtbot.wait(50)  # the queued results arrive now, after the page was deleted


def test_the_table_fills_in_batches_sorted_and_keeps_the_selection(qtbot, make_page, tmp_path,
                                                                    answered, monkeypatch):
    """Rows arrive in batches while listing (never one reset per file), each in its sorted
    place; a refresh keeps the selected file selected and the order."""
    from scrutiny_desktop.services import library as service

    folder = tmp_path / "many"
    docs = make_many(folder, answered, 40)
    monkeypatch.setattr(service, "BATCH_SECONDS", 0.0)  # a batch per file
    page = make_page([folder])
    model = page.table.model()
    inserted, resets = [], []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append(last - first + 1))
    model.modelReset.connect(lambda: resets.append(True))
    show_and_list(qtbot, page)
    assert model.rowCount() == 40 and len(resets) == 1 and sum(inserted) == 39
    table(page).sortByColumn(COL_FILE, Qt.SortOrder.DescendingOrder)
    files = column(page, COL_FILE)
    assert files == sorted(files, key=str.casefold, reverse=True)

    click_row(qtbot, page, row_of(page, "team-03/assessment-013.scrutiny"))
    with qtbot.waitSignal(page.listing_finished, timeout=LISTING_TIMEOUT_MS):
        page.refresh()
    assert [s.path for s in page.selected_summaries()] == [docs[13]]
    assert column(page, COL_FILE) == files


def test_counts_of_a_thousand_or_more_carry_a_thousands_separator(tmp_path):
    from scrutiny_desktop.services.library import DocumentSummary
    from scrutiny_desktop.ui.library_table import listing_status

    good = [DocumentSummary(tmp_path / f"{n}.scrutiny", ok=True) for n in range(1234)]
    bad = [DocumentSummary(tmp_path / f"bad-{n}.scrutiny", ok=False, error="x") for n in range(1001)]
    assert listing_status(good) == "1,234 assessments"
    assert listing_status(good[:1] + bad) == "1 assessment, 1,001 cannot be read"
