"""A chair's session through the real main window: library, open, compare."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QTableView

from scrutiny_desktop.ui.compare import CompareDialog
from tests.helpers import cis_pair
from tests.ui.helpers import find


def test_library_lists_a_folder_and_compares_two_years(make_window, qtbot, tmp_path):
    """From the home screen a chair opens the library, adds a shared folder, sees both
    years, compares them and opens one."""
    folder = tmp_path / "shared"
    folder.mkdir()
    _earlier, _later = cis_pair(folder)
    (folder / "broken.scrutiny").write_bytes(b"not a database")
    before = {p: p.read_bytes() for p in folder.iterdir()}

    window = make_window()
    window.ask_folder = lambda: folder
    qtbot.mouseClick(find(window, "Library", QAbstractButton), Qt.MouseButton.LeftButton)
    library_window = window.library_actions.window
    assert library_window.isVisible() and library_window.isWindow()
    assert window.stack.currentWidget() is window.home  # the library is its own window
    with qtbot.waitSignal(window.library.listing_finished, timeout=10000,
                          check_params_cb=lambda found: len(found) == 3) as listed:
        qtbot.mouseClick(find(window, "Add folder", QAbstractButton), Qt.MouseButton.LeftButton)
    summaries = listed.args[0]
    assert sorted(s.path.name for s in summaries) == ["2024-25.scrutiny", "2025-26.scrutiny",
                                                      "broken.scrutiny"]
    assert [s.ok for s in sorted(summaries, key=lambda s: s.path.name)] == [True, True, False]
    assert window.state.library_folders == [str(folder)]
    assert {p: p.read_bytes() for p in folder.iterdir()} == before  # listing wrote nothing

    table = find(window, "Assessments in the library", QTableView)
    model = table.model()
    rows = [r for r in range(model.rowCount())
            if any(model.index(r, c).data() in ("2024-25", "2025-26") for c in range(model.columnCount()))]
    assert len(rows) == 2
    selection = table.selectionModel()
    selection.clearSelection()
    for r in rows:
        selection.select(model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)
    seen = {}

    def grab_dialog():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, CompareDialog):
            QTimer.singleShot(20, grab_dialog)
            return
        seen["earlier"] = dialog.comparison.earlier.period
        seen["later"] = dialog.comparison.later.period
        seen["done"] = True
        dialog.reject()

    QTimer.singleShot(0, grab_dialog)
    qtbot.mouseClick(find(window, "Compare selected", QAbstractButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: seen.get("done") is True, timeout=10000)
    assert (seen["earlier"], seen["later"]) == ("2024-25", "2025-26")

    # Enter on a row opens it.
    table.setFocus()
    selection.clearSelection()
    table.setCurrentIndex(model.index(rows[0], 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=5000)
    assert window.doc.path.name in ("2024-25.scrutiny", "2025-26.scrutiny")
    assert window.stack.currentWidget() is window.assessment  # opened in the main window
