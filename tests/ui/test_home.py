"""The home screen (issue 14, items 8 and 10): a centred column of readable width, the
three ways in as one compact row, and the recent assessments as a compact list that
shows each one's progress and status."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QListWidget, QPushButton

from scrutiny_desktop.services.library import DocumentSummary, summarise_file
from scrutiny_desktop.settings import AppState
from scrutiny_desktop.storage.models import Status
from scrutiny_desktop.ui.home import COLUMN_WIDTH, HomePage, recent_entry, status_text
from tests.helpers import NORTHSHIRE, make_document, set_signed_at
from tests.ui.helpers import find


def summary(**changes) -> DocumentSummary:
    base = DocumentSummary(path=Path("/shared/northshire.scrutiny"), ok=True,
                           partnership=NORTHSHIRE, period="2025-26", status=Status.DRAFT,
                           status_label="Draft", answered=34, total=58,
                           modified_at=dt.datetime(2026, 3, 3, 14, 5).astimezone())
    return dataclasses.replace(base, **changes)


def test_an_entry_says_progress_status_file_and_last_saved():
    entry = recent_entry(summary())
    assert entry.title == f"{NORTHSHIRE}, 2025-26"
    assert entry.progress == "34 of 58 answered" and entry.status == "Draft"
    assert entry.detail == "northshire.scrutiny · Last saved 3 March 2026 14:05"
    assert entry.spoken == (f"{NORTHSHIRE}, 2025-26. Draft. 34 of 58 answered. "
                            "northshire.scrutiny · Last saved 3 March 2026 14:05")


def test_status_names_the_sign_off_and_countersignature_dates():
    signed = dt.datetime(2026, 3, 3, 12, 0, tzinfo=dt.UTC)
    reviewed = dt.datetime(2026, 4, 5, 12, 0, tzinfo=dt.UTC)
    assert status_text(summary(status=Status.SIGNED_OFF, status_label="Signed off",
                               signed_off_at=signed)) == "Signed off 3 March 2026"
    assert status_text(summary(status=Status.REVIEWED, status_label="Reviewed",
                               signed_off_at=signed, reviewed_at=reviewed)) == "Countersigned 5 April 2026"
    missing = recent_entry(DocumentSummary(Path("/shared/gone.scrutiny"), ok=False, missing=True))
    assert (missing.title, missing.status, missing.progress) == ("gone.scrutiny", "Missing", "")
    broken = recent_entry(DocumentSummary(Path("/shared/x.scrutiny"), ok=False,
                                          error="/shared/x.scrutiny is a PNG picture."))
    assert (broken.status, broken.detail) == ("Cannot be opened", "This file is a PNG picture.")


def test_home_shows_the_progress_and_status_of_recent_files(make_window, tmp_path, answered):
    """Real files: a draft with two answers and a signed-off assessment."""
    draft = make_document(tmp_path / "draft.scrutiny", period="2025-26",
                          judgements={"ARR-01": "strong", "ARR-02": "limited"})
    signed = make_document(tmp_path / "signed.scrutiny", period="2024-25", base=answered, sign=True)
    set_signed_at(signed, dt.datetime(2025, 5, 9, 12, 0, tzinfo=dt.UTC))
    window = make_window(state=AppState(recent=[str(draft), str(signed)]))
    recent = find(window, "Recent assessments", QListWidget)
    assert recent.count() == 2
    first, second = window.home.entries
    total = summarise_file(draft).total
    assert (first.title, first.status, first.progress) == (
        f"{NORTHSHIRE}, 2025-26", "Draft", f"2 of {total} answered")
    assert (second.title, second.status, second.progress) == (
        f"{NORTHSHIRE}, 2024-25", "Signed off 9 May 2025", f"{total} of {total} answered")
    spoken = recent.item(1).data(Qt.ItemDataRole.AccessibleTextRole)
    assert "Signed off 9 May 2025" in spoken and f"{total} of {total} answered" in spoken
    # Two lines each: the list is compact, not a tall empty box.
    row = recent.sizeHintForRow(0)
    assert 2 * recent.fontMetrics().height() < row < 5 * recent.fontMetrics().height()
    assert recent.height() <= 2 * row + 2 * recent.frameWidth() + 2


def test_enter_opens_and_delete_removes(qtbot, tmp_path):
    page = HomePage()
    qtbot.addWidget(page)
    a, b = tmp_path / "a.scrutiny", tmp_path / "b.scrutiny"
    page.show_recent([summary(path=a), summary(path=b)])
    page.show()
    qtbot.waitExposed(page)
    recent = find(page, "Recent assessments", QListWidget)
    recent.setFocus()
    recent.setCurrentRow(1)
    with qtbot.waitSignal(page.open_path) as opened:
        qtbot.keyClick(recent, Qt.Key.Key_Return)
    assert opened.args == [b]
    with qtbot.waitSignal(page.remove_requested) as removed:
        qtbot.keyClick(recent, Qt.Key.Key_Delete)
    assert removed.args == [b]
    # The list shown again without b: the selection moves to the entry in its place.
    page.show_recent([summary(path=a)])
    assert page.selected_path() == a


def test_a_centred_column_of_readable_width_with_no_default_button(make_window, tmp_path):
    """At 1366 by 768 the home screen is one centred column no wider than COLUMN_WIDTH,
    its actions in one row; no button is a default button (which would be announced
    and drawn as such, though Enter never reaches it on a page of the main window)."""
    window = make_window(state=AppState(recent=[str(tmp_path / "gone.scrutiny")]))
    home = window.home
    column = home.column
    assert column.width() == COLUMN_WIDTH
    left = column.mapTo(home, QPoint(0, 0)).x()
    right = home.width() - (left + column.width())
    assert abs(left - right) <= 2, f"not centred: {left} px on the left, {right} px on the right"
    tops = {b.mapTo(home, QPoint(0, 0)).y() for b in (home.new_button, home.open_button,
                                                       home.library_button)}
    assert len(tops) == 1, "New, Open and Library are one row"
    for button in home.findChildren(QPushButton):
        assert not button.isDefault() and not button.autoDefault(), button.text()
