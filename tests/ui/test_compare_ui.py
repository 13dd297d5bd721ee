"""The comparison dialog, driven by accessible names (issue 6, item 5)."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services.compare import CHANGES, compare_paths, in_time_order
from scrutiny_desktop.ui.compare import CompareDialog
from tests.helpers import CIS_CASES, MINI_V1, OTHER, cis_pair, make_doc, mini_pair, write_template
from tests.ui.helpers import find, run_modal


@pytest.fixture
def open_dialog(qtbot):
    def build(comparison, ask_save_path=None, **kwargs) -> CompareDialog:
        dialog = CompareDialog(None, comparison, ask_save_path or (lambda *a: None), **kwargs)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog
    return build


def cells(table: QTableWidget, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def visible_rows(table: QTableWidget) -> list[list[str]]:
    return [cells(table, r) for r in range(table.rowCount()) if not table.isRowHidden(r)]


def test_compare_paths_reads_both_files_and_changes_neither(tmp_path):
    earlier, later = cis_pair(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    comparison = compare_paths(earlier, later)
    assert (comparison.earlier.period, comparison.later.period) == ("2024-25", "2025-26")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert in_time_order(later, earlier) == (earlier, later)
    assert in_time_order(earlier, later) == (earlier, later)


def test_compare_paths_refuses_checklists_with_nothing_in_common(tmp_path):
    a = make_doc(tmp_path / "a.scrutiny", write_template(tmp_path, "v1", MINI_V1), period="2024-25")
    b = make_doc(tmp_path / "b.scrutiny", write_template(tmp_path, "other", OTHER), period="2025-26")
    with pytest.raises(InvalidInput, match="share no questions"):
        compare_paths(a, b)


def test_the_dialog_shows_both_assessments_counts_and_changes(qtbot, tmp_path, open_dialog):
    comparison = compare_paths(*cis_pair(tmp_path))
    dialog = open_dialog(comparison)
    room = dialog.screen().availableGeometry()
    assert dialog.size() == dialog.preferred_size()
    assert dialog.width() == min(1200, room.width() - 40)
    assert dialog.height() == min(760, room.height() - 70)
    assert dialog.isSizeGripEnabled(), "resizable"

    assert find(dialog, "Earlier period", QLabel).text() == "2024-25"
    assert find(dialog, "Later period", QLabel).text() == "2025-26"
    assert find(dialog, "Earlier status", QLabel).text().startswith("Draft")
    assert "2024-25.scrutiny" in find(dialog, "Earlier file and checklist", QLabel).text()
    assert "version 1.0.0" in find(dialog, "Later file and checklist", QLabel).text()

    summary = find(dialog, "Changes by section", QTableWidget)
    heads = [summary.horizontalHeaderItem(c).text() for c in range(summary.columnCount())]
    assert heads == ["Section", *list(CHANGES.values())]
    totals = comparison.totals()
    assert cells(summary, 0) == ["All sections"] + [str(totals[k]) for k in CHANGES]
    assert cells(summary, 0)[1:4] == ["2", "44", "2"]
    assert cells(summary, 1) == ["The scrutiny arrangements", "2", "3", "1", "–", "–", "–"]
    assert summary.rowCount() == len(comparison.sections) + 1

    questions = find(dialog, "Questions compared", QTableWidget)
    heads = [questions.horizontalHeaderItem(c).text() for c in range(questions.columnCount())]
    assert heads == ["ID", "Question", "Earlier", "Later", "Change", "Wording"]
    rows = {r[0]: r for r in visible_rows(questions)}
    assert len(rows) == 51
    assert rows["ARR-01"][2:] == ["Limited assurance", "Strong assurance", "Improved", ""]
    assert rows["ARR-02"][2:5] == ["Strong assurance", "Reasonable assurance", "Worsened"]
    assert rows["LEAD-02"][2:5] == ["Not answered", "Strong assurance", "Changed"]
    for qid, (_e, _l, change) in CIS_CASES.items():
        assert rows[qid][4] == CHANGES[change], "the change is written out, not only coloured"
    # Rows are tinted by change (a colour on top of the words, never instead of them).
    r_improved = next(r for r in range(questions.rowCount()) if questions.item(r, 0).text() == "ARR-01")
    r_worse = next(r for r in range(questions.rowCount()) if questions.item(r, 0).text() == "ARR-02")
    r_same = next(r for r in range(questions.rowCount()) if questions.item(r, 0).text() == "ARR-03")
    tint = [questions.item(r, 1).background().color().name() for r in (r_improved, r_worse)]
    assert tint[0] != tint[1]
    assert questions.item(r_same, 1).background().style() == Qt.BrushStyle.NoBrush
    assert not find(dialog, "Notice", QLabel, visible=False).isVisible(), "same checklist: no note"


def test_the_show_filter_and_the_findings_of_the_selected_question(qtbot, tmp_path, open_dialog):
    comparison = compare_paths(*cis_pair(tmp_path))
    dialog = open_dialog(comparison)
    show = find(dialog, "Show", QComboBox)
    questions = find(dialog, "Questions compared", QTableWidget)
    shown = find(dialog, "Questions shown", QLabel)
    assert [show.itemText(i) for i in range(show.count())] == [
        "All", "Changes only", "Improved", "Worsened", "New or removed"]

    show.setFocus()
    qtbot.keyClick(show, Qt.Key.Key_Down)
    assert show.currentText() == "Changes only"
    assert sorted(r[0] for r in visible_rows(questions)) == sorted(
        q for q, (_e, _l, c) in CIS_CASES.items() if c != "same")
    assert shown.text() == "Showing 7 of 51 questions"

    show.setCurrentText("Improved")
    assert [r[0] for r in visible_rows(questions)] == ["ARR-01", "ARR-04"]
    show.setCurrentText("Worsened")
    assert [r[0] for r in visible_rows(questions)] == ["ARR-02", "LEAD-04"]
    # The selection follows the filter: the first shown question is selected.
    assert find(dialog, "Selected question", QLabel).text().startswith("ARR-02")
    earlier = find(dialog, "Earlier findings", QPlainTextEdit)
    later = find(dialog, "Later findings", QPlainTextEdit)
    assert earlier.isReadOnly() and later.isReadOnly()
    assert earlier.toPlainText() == "Strong challenge in the minutes."
    assert later.toPlainText() == "" and later.placeholderText() == "No findings recorded."

    show.setCurrentText("New or removed")
    assert visible_rows(questions) == []
    assert shown.text() == "Showing 0 of 51 questions"
    assert earlier.toPlainText() == "" and later.toPlainText() == ""

    show.setCurrentText("All")
    row = next(r for r in range(questions.rowCount()) if questions.item(r, 0).text() == "ARR-01")
    rect = questions.visualItemRect(questions.item(row, 1))
    qtbot.mouseClick(questions.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert earlier.toPlainText() == "The arrangements were not published."
    assert later.toPlainText() == "Published in June 2025."
    assert "Improved" in find(dialog, "Selected question", QLabel).text()


def test_across_checklist_versions_new_removed_and_wording(qtbot, tmp_path, open_dialog):
    comparison = compare_paths(*mini_pair(tmp_path))
    dialog = open_dialog(comparison)
    notice = find(dialog, "Notice", QLabel)
    assert "different checklist versions" in notice.text() and "0.1" in notice.text()
    questions = find(dialog, "Questions compared", QTableWidget)
    rows = {r[0]: r for r in visible_rows(questions)}
    assert rows["Q2"][4:] == ["Improved", "Wording changed"]
    assert rows["Q1"][5] == ""
    assert rows["Q3"][2:5] == ["Partly", "—", "Removed"]
    assert rows["Q4"][2:5] == ["—", "Yes", "New question"]

    find(dialog, "Show", QComboBox).setCurrentText("New or removed")
    assert sorted(r[0] for r in visible_rows(questions)) == ["Q3", "Q4"]

    find(dialog, "Show", QComboBox).setCurrentText("All")
    dialog.select_question("Q2")
    wording = find(dialog, "Earlier wording", QLabel)
    assert wording.text() == "Earlier wording: Is the second question worded like this?"
    assert find(dialog, "Earlier findings", QPlainTextEdit).toPlainText() == "Old findings for Q2."
    assert find(dialog, "Later findings", QPlainTextEdit).toPlainText() == "New findings for Q2."

    dialog.select_question("Q4")
    assert not find(dialog, "Earlier wording", QLabel, visible=False).isVisible()
    assert find(dialog, "Earlier findings", QPlainTextEdit).placeholderText() == \
        "This question was not in the earlier checklist."
    dialog.select_question("Q3")
    assert find(dialog, "Later findings", QPlainTextEdit).placeholderText() == \
        "This question is not in the later checklist."


def test_export_pdf_writes_the_comparison(qtbot, tmp_path, open_dialog):
    comparison = compare_paths(*cis_pair(tmp_path))
    asked = []

    def ask_save_path(title, suggested, file_filter):
        asked.append((title, suggested, file_filter))
        return tmp_path / "out" / "comparison"  # no extension: .pdf is added

    (tmp_path / "out").mkdir()
    dialog = open_dialog(comparison, ask_save_path, protective_marking="OFFICIAL")
    with qtbot.waitSignal(dialog.export_finished, timeout=20_000) as blocker:
        qtbot.mouseClick(find(dialog, "Export PDF", QPushButton), Qt.MouseButton.LeftButton)
    path, error = blocker.args
    assert error == "" and path == tmp_path / "out" / "comparison.pdf"
    assert asked[0][1].suffix == ".pdf" and asked[0][1].parent == tmp_path
    assert asked[0][1].name.startswith("Comparison-Northshire")
    assert "Saved as" in find(dialog, "Export status", QLabel).text()
    assert find(dialog, "Export PDF", QPushButton).isEnabled()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["comparison.pdf"]

    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Comparison" in text and "2024-25" in text and "2025-26" in text
    assert "OFFICIAL" in reader.pages[0].extract_text()


def test_export_cancelled_writes_nothing(qtbot, tmp_path, open_dialog):
    comparison = compare_paths(*cis_pair(tmp_path, findings=False))
    dialog = open_dialog(comparison, lambda *a: None)
    before = sorted(p.name for p in tmp_path.iterdir())
    qtbot.mouseClick(find(dialog, "Export PDF", QPushButton), Qt.MouseButton.LeftButton)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert find(dialog, "Export status", QLabel).text() == ""


def test_ask_shows_the_dialog_until_closed(qtbot, tmp_path):
    comparison = compare_paths(*mini_pair(tmp_path))
    seen = {}

    def fill(dialog):
        seen["title"] = dialog.windowTitle()
        seen["modal"] = dialog.isModal()
        qtbot.mouseClick(find(dialog, "Close", QPushButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: CompareDialog.ask(None, comparison, lambda *a: None), fill)
    assert seen["modal"]
    assert "2024-25" in seen["title"] and "2025-26" in seen["title"]


def test_every_control_has_an_accessible_name(qtbot, tmp_path, open_dialog):
    dialog = open_dialog(compare_paths(*mini_pair(tmp_path)))
    controls = [w for w in dialog.findChildren(QWidget)
                if isinstance(w, (QAbstractButton, QAbstractItemView, QComboBox, QPlainTextEdit))
                and not isinstance(w, QHeaderView) and w.isVisible()]
    assert len(controls) >= 7
    assert [w for w in controls if not w.accessibleName()] == []


def test_closing_during_an_export_waits_for_the_pdf(qtbot, tmp_path, open_dialog):
    comparison = compare_paths(*cis_pair(tmp_path))
    dialog = open_dialog(comparison, lambda *a: tmp_path / "closing.pdf")
    with qtbot.waitSignal(dialog.export_finished, timeout=20_000) as blocker:
        qtbot.mouseClick(find(dialog, "Export PDF", QPushButton), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(find(dialog, "Close", QPushButton), Qt.MouseButton.LeftButton)
        assert dialog.isVisible(), "still open while the PDF is written"
    assert blocker.args == [tmp_path / "closing.pdf", ""]
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert (tmp_path / "closing.pdf").read_bytes().startswith(b"%PDF")
