"""The library is a window of its own (issue 14, items 7 and 10): browsing it leaves
the open assessment open, it offers the documents folder from the start, its
columns fit a laptop screen, and it remembers where it was, kept on the screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QListWidget, QTableView

from scrutiny_desktop.settings import AppState, Settings
from scrutiny_desktop.ui import main_window as mw
from scrutiny_desktop.ui.library import LibraryWindow
from scrutiny_desktop.ui.library_table import COL_FILE, COL_PARTNERSHIP, COL_PROBLEM
from tests.helpers import NORTHSHIRE, build_library, make_document
from tests.ui.helpers import find

LISTING_MS = 10_000


def library_windows() -> list[LibraryWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, LibraryWindow)
            and w.isVisible()]


def show_and_list(qtbot, window) -> list:
    """File > Library…, waiting for its listing to finish."""
    with qtbot.waitSignal(window.library.listing_finished, timeout=LISTING_MS) as listed:
        window.menus.library_action.trigger()
    qtbot.waitExposed(window.library_actions.window)
    return listed.args[0]


def test_the_library_window_is_made_when_first_asked_for(make_window, qtbot, new_doc_path):
    """Not at start-up: the main window starts without a library window, File >
    Library… makes one, and asking again brings back that same one."""
    window = make_window()
    assert window.open_path(new_doc_path)
    assert window.findChildren(LibraryWindow) == []
    show_and_list(qtbot, window)
    made = window.findChildren(LibraryWindow)
    assert made == [window.library_actions.window] and made[0].isVisible()
    assert window.library.window() is made[0]
    made[0].close()
    window.menus.library_action.trigger()
    qtbot.waitExposed(made[0])
    assert window.findChildren(LibraryWindow) == made


def test_the_open_assessment_stays_open_while_the_library_opens_and_closes(
        make_window, qtbot, new_doc_path):
    """File > Library… shows a separate, non-modal window titled "Library — Scrutiny
    Desktop"; the assessment stays open in the main window, on its page; asking
    again raises the same window; Escape and Ctrl+W close it, and the assessment is
    still open afterwards."""
    window = make_window()
    assert window.open_path(new_doc_path)
    show_and_list(qtbot, window)
    library = window.library_actions.window
    assert library.isWindow() and library is not window.window()
    assert library.windowTitle() == "Library — Scrutiny Desktop"
    assert not library.isModal() and QApplication.activeModalWidget() is None
    assert window.doc is not None and window.doc.path == new_doc_path
    assert window.stack.currentWidget() is window.assessment

    window.menus.library_action.trigger()  # again: the one window, brought forward
    assert library_windows() == [library]

    library.activateWindow()
    qtbot.waitUntil(library.isActiveWindow)
    qtbot.keyClick(find(library, "Assessments in the library", QTableView), Qt.Key.Key_Escape)
    assert not library.isVisible()
    assert window.doc is not None and window.doc.path == new_doc_path
    assert window.stack.currentWidget() is window.assessment

    show_and_list(qtbot, window)
    library.activateWindow()
    qtbot.waitUntil(library.isActiveWindow)
    qtbot.keyClick(find(library, "Assessments in the library", QTableView), Qt.Key.Key_W,
                   Qt.KeyboardModifier.ControlModifier)
    assert not library.isVisible()
    assert window.doc is not None and window.doc.path == new_doc_path


def test_escape_first_clears_the_filter(make_window, qtbot):
    window = make_window()
    show_and_list(qtbot, window)
    library = window.library_actions.window
    library.activateWindow()
    qtbot.waitUntil(library.isActiveWindow)
    edit = window.library.filter_edit
    edit.setFocus()
    qtbot.keyClicks(edit, "Northshire")
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert edit.text() == "" and library.isVisible()
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert not library.isVisible()


def test_opening_from_the_library_replaces_the_open_assessment(make_window, qtbot, tmp_path):
    """Enter on a row opens that assessment in the main window (closing the one that
    was open, as any open does) and makes the main window the active one."""
    folder = tmp_path / "shared"
    first = make_document(folder / "first.scrutiny", period="2024-25")
    second = make_document(folder / "second.scrutiny", period="2025-26")
    window = make_window(state=AppState(library_folders=[str(folder)]))
    assert window.open_path(first)
    assert len(show_and_list(qtbot, window)) == 2
    library = window.library_actions.window
    table = find(library, "Assessments in the library", QTableView)
    row = next(r for r in range(table.model().rowCount())
               if table.model().index(r, COL_FILE).data() == "second.scrutiny")
    table.setFocus()
    table.setCurrentIndex(table.model().index(row, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.doc is not None and window.doc.path == second
    assert window.stack.currentWidget() is window.assessment
    qtbot.waitUntil(window.isActiveWindow)
    assert library.isVisible(), "the library stays open behind the main window"


def test_the_documents_folder_is_offered_at_first_start(make_window, qtbot, tmp_path):
    """With no folder chosen yet, the library lists the documents folder (and lists
    what is in it); it is remembered as chosen only once the folders are changed."""
    documents = Settings().documents_folder()
    make_document(documents / "northshire.scrutiny", period="2025-26")
    other = tmp_path / "other"
    make_document(other / "westvale.scrutiny", period="2024-25")
    window = make_window()
    window.ask_folder = lambda: other

    listed = show_and_list(qtbot, window)
    folders = find(window.library_actions.window, "Library folders", QListWidget)
    assert [folders.item(i).text() for i in range(folders.count())] == [str(documents)]
    assert [s.path.name for s in listed] == ["northshire.scrutiny"]
    assert window.state.library_folders == [] and not window.state.library_folders_chosen

    with qtbot.waitSignal(window.library.listing_finished, timeout=LISTING_MS) as again:
        window.library.add_folder()
    assert window.state.library_folders == [str(documents), str(other)]
    assert window.state.library_folders_chosen
    assert sorted(s.path.name for s in again.args[0]) == ["northshire.scrutiny", "westvale.scrutiny"]


def test_the_documents_folder_is_not_offered_once_folders_were_chosen(make_window, qtbot):
    """Someone who removed every folder is not given the documents folder back; and a
    documents folder that does not exist is not offered."""
    documents = Settings().documents_folder()
    window = make_window()
    show_and_list(qtbot, window)
    assert window.library.folders == []  # it does not exist yet
    window.library_actions.close_library()

    make_document(documents / "northshire.scrutiny", period="2025-26")
    chosen = make_window(state=AppState(library_folders_chosen=True))
    show_and_list(qtbot, chosen)
    assert chosen.library.folders == []


@pytest.mark.parametrize("size", [QSize(1366, 768), None], ids=["1366x768", "as-placed"])
def test_the_columns_fit_a_laptop_screen(make_window, qtbot, tmp_path, answered, monkeypatch,
                                        size):
    """On a 1366 by 768 screen (the library at 1366 by 768, or as it first opens there)
    the table needs no horizontal scroll bar, even with the Problem column shown, and
    the Partnership column still shows a partnership's full name."""
    monkeypatch.setattr(mw, "available_area", lambda near=None: QRect(0, 0, 1366, 768))
    folder = tmp_path / "Shared assessments"
    build_library(folder, answered)
    window = make_window(state=AppState(library_folders=[str(folder)]))
    assert len(show_and_list(qtbot, window)) == 5
    library = window.library_actions.window
    if size is not None:
        library.resize(size)
        qtbot.waitUntil(lambda: library.size() == size)
    else:
        assert library.width() >= 1300, "on a laptop screen the library takes its width"
    qtbot.waitExposed(library)
    table = find(library, "Assessments in the library", QTableView)
    assert not table.isColumnHidden(COL_PROBLEM)
    QApplication.processEvents()
    assert not table.horizontalScrollBar().isVisible()
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width()
    assert header.sectionSize(COL_PARTNERSHIP) >= table.fontMetrics().horizontalAdvance(NORTHSHIRE)


def test_the_library_remembers_where_it_was_and_stays_on_screen(make_window, qtbot, monkeypatch):
    """Closing the library remembers its geometry; next time it opens there, made to
    fit (and moved onto) the screen it opens on."""
    window = make_window()
    show_and_list(qtbot, window)
    library = window.library_actions.window
    library.setGeometry(QRect(200, 150, 900, 700))
    window.library_actions.close_library()
    saved = window.state.library_geometry
    assert saved, "the geometry is remembered"
    assert window.saved_store["state"].library_geometry == saved

    small = QRect(0, 0, 640, 480)
    monkeypatch.setattr(mw, "available_area", lambda near=None: QRect(small))
    again = make_window(state=AppState(library_geometry=saved))
    show_and_list(qtbot, again)
    placed = again.library_actions.window.geometry()
    room = small.adjusted(mw.FRAME_SIDE, mw.FRAME_TOP, -mw.FRAME_SIDE, -mw.FRAME_SIDE)
    assert room.contains(placed), f"{placed} is not inside {room}"
    assert placed.width() == room.width() and placed.height() == room.height()


def test_a_first_library_window_fits_the_screen(make_window, qtbot, monkeypatch):
    small = QRect(0, 0, 1024, 600)
    monkeypatch.setattr(mw, "available_area", lambda near=None: QRect(small))
    window = make_window()
    show_and_list(qtbot, window)
    placed = window.library_actions.window.geometry()
    room = small.adjusted(mw.FRAME_SIDE, mw.FRAME_TOP, -mw.FRAME_SIDE, -mw.FRAME_SIDE)
    assert room.contains(placed), f"{placed} is not inside {room}"


def test_closing_the_main_window_closes_the_library(make_window, qtbot, tmp_path):
    folder = tmp_path / "shared"
    make_document(folder / "a.scrutiny", period="2025-26")
    window = make_window(state=AppState(library_folders=[str(folder)]))
    show_and_list(qtbot, window)
    library = window.library_actions.window
    assert window.close()
    assert not library.isVisible()
    assert window.state.library_geometry
