"""The library listing (issue 6, item 1): every document in a folder tree, read
without changing a byte, with unreadable files as rows that carry their error.

The document builders (``make_document``, ``build_library``...) are in tests/helpers.py,
shared with tests/ui/test_library_ui.py.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import shutil
import sqlite3
import time
from itertools import pairwise
from pathlib import Path

import pytest

from scrutiny_desktop.services.library import find_documents, list_library, summarise_file
from tests.fixtures import badfiles
from tests.helpers import (
    FIXTURES,
    NORTHSHIRE,
    WESTVALE,
    build_library,
    make_many,
    tree_snapshot,
)

# -- finding and describing documents ---------------------------------------------------


def test_lists_every_document_in_the_folder_and_its_subfolders(tmp_path, answered):
    """Each .scrutiny file at any depth is listed once, with its partnership, period,
    scrutineer, status, progress and sign-off / review dates; other files are not."""
    docs = build_library(tmp_path / "shared", answered, broken=False)
    deep = tmp_path / "shared" / "Deep" / "er"
    deep.mkdir(parents=True)
    upper = Path(shutil.copyfile(docs["west_2025"], deep / "COPY.SCRUTINY"))
    before = dt.datetime.now(dt.UTC)

    summaries = list_library([tmp_path / "shared", tmp_path / "shared" / "Northshire"])

    by_path = {s.path.resolve(): s for s in summaries}
    assert set(by_path) == {p.resolve() for p in [*docs.values(), upper]}, \
        "every document once (the overlapping folder adds no duplicates), nothing else"
    assert all(s.ok and not s.error for s in summaries)

    north_2024 = by_path[docs["north_2024"].resolve()]
    assert (north_2024.partnership, north_2024.period, north_2024.scrutineer) == (
        NORTHSHIRE, "2024-25", "Ann Jones")
    assert north_2024.status_label == "Signed off"
    assert (north_2024.answered, north_2024.total) == (51, 51)
    assert north_2024.progress_text == "51/51"
    assert north_2024.signed_off_at == dt.datetime(2025, 5, 9, 12, 0, tzinfo=dt.UTC)
    assert north_2024.reviewed_at is None

    north_2025 = by_path[docs["north_2025"].resolve()]
    assert (north_2025.scrutineer, north_2025.status_label) == ("Bea Khan", "Reviewed")
    assert north_2025.signed_off_at is not None and north_2025.reviewed_at is not None
    assert north_2025.signed_off_at <= north_2025.reviewed_at <= before + dt.timedelta(seconds=5)

    west = by_path[docs["west_2025"].resolve()]
    assert (west.partnership, west.status_label, west.scrutineer) == (WESTVALE, "Draft", "Cy Evans")
    # "Not yet" is on the scale but does not count as an answer.
    assert west.progress_text == "2/51"
    assert west.signed_off_at is None and west.reviewed_at is None


def test_a_missing_folder_or_a_folder_named_like_a_document_is_no_error(tmp_path, answered):
    (tmp_path / "lib" / "looks-like.scrutiny").mkdir(parents=True)
    shutil.copyfile(answered, tmp_path / "lib" / "real.scrutiny")
    summaries = list_library([tmp_path / "lib", tmp_path / "not-there"])
    assert [s.path.name for s in summaries] == ["real.scrutiny"]


@pytest.mark.parametrize("kind", ["empty", "random", "png", "zip", "truncated", "foreign",
                                  "too_new", "damaged_index"])
def test_an_unreadable_file_is_a_row_with_its_error(tmp_path, answered, kind):
    """Broken files come back as rows carrying a sentence about the problem; the
    listing never raises and the good documents beside them are still listed."""
    folder = tmp_path / "lib"
    folder.mkdir()
    good = shutil.copyfile(answered, folder / "good.scrutiny")
    maker, _error, _words = badfiles.BAD_FILES[kind]
    bad = maker(folder, answered)

    summaries = {s.path.name: s for s in list_library([folder])}

    assert summaries[good.name].ok
    row = summaries[bad.name]
    if kind == "damaged_index":
        # An index the listing never reads: it may list fine; opening the
        # document (which runs quick_check) is where that damage is caught.
        assert row.ok or row.error
        return
    assert not row.ok
    assert str(bad) in row.error or bad.name in row.error
    assert len(row.error) > 20 and row.progress_text == ""
    assert not row.partnership and row.signed_off_at is None


def test_a_file_that_disappears_during_listing_is_reported_missing(tmp_path):
    row = summarise_file(tmp_path / "gone.scrutiny")
    assert row.missing and not row.ok and "missing" in row.error


# -- the no-write guarantee --------------------------------------------------------------

def test_listing_changes_no_byte_and_leaves_no_file(tmp_path, answered):
    """Every file keeps its bytes, size, modification time and mode; no folder gains or
    loses an entry or changes its mtime (no journal, lock or backup file comes and goes),
    including for a document of an older format and one that is read-only on disk."""
    folder = tmp_path / "shared"
    build_library(folder, answered)
    for kind in ("random", "truncated", "foreign", "too_new", "zip"):
        badfiles.BAD_FILES[kind][0](folder / "Problems", answered)
    older = shutil.copyfile(FIXTURES / "golden-format1.scrutiny", folder / "golden.scrutiny")
    readonly = shutil.copyfile(answered, folder / "read-only.scrutiny")
    readonly.chmod(0o444)
    before = tree_snapshot(folder)
    time.sleep(0.02)  # a write after this would show in the nanosecond mtimes

    for _ in range(2):
        summaries = list_library([folder])

    assert tree_snapshot(folder) == before
    assert {s.path.name for s in summaries} >= {older.name, readonly.name}
    assert summarise_file(older).ok


def without_hanging(listing):
    """What ``listing()`` returns; it fails the test if the listing is still waiting
    after 30 s (a listing that waits on a lock at all gives up after a second: the
    guard tells waiting briefly from hanging, and times nothing finer)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(listing)
        try:
            return future.result(timeout=30)
        except concurrent.futures.TimeoutError:
            pytest.fail("the listing hung on a file another program holds")


def test_a_document_being_written_is_listed_or_reported_without_waiting(tmp_path, answered):
    """Another program holds a write transaction open (BEGIN IMMEDIATE and an UPDATE
    not yet committed): the listing does not wait for it, does not see the uncommitted
    change, and changes nothing."""
    folder = tmp_path / "lib"
    folder.mkdir()
    doc = shutil.copyfile(answered, folder / "busy.scrutiny")
    other = shutil.copyfile(answered, folder / "other.scrutiny")
    before = doc.read_bytes()
    with contextlib.closing(sqlite3.connect(str(doc), isolation_level=None, timeout=0)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE assessments SET partnership = 'Changed by someone else'")
        summaries = {s.path.name: s for s in without_hanging(lambda: list_library([folder]))}
        writer.execute("ROLLBACK")
    row = summaries[doc.name]
    if row.ok:
        assert row.partnership == NORTHSHIRE
    else:
        assert "another program" in row.error
    assert summaries[other.name].ok
    assert doc.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["busy.scrutiny", "other.scrutiny"]


def test_a_document_locked_exclusively_is_reported_after_a_short_wait(tmp_path, answered):
    """While another program commits (an exclusive lock), the row says so within about
    a second instead of hanging the listing."""
    folder = tmp_path / "lib"
    folder.mkdir()
    doc = shutil.copyfile(answered, folder / "busy.scrutiny")
    before = doc.read_bytes()
    with contextlib.closing(sqlite3.connect(str(doc), isolation_level=None, timeout=0)) as writer:
        writer.execute("BEGIN EXCLUSIVE")
        (row,) = without_hanging(lambda: list_library([folder]))
        writer.execute("ROLLBACK")
    assert not row.ok and "another program" in row.error and "try again" in row.error
    assert doc.read_bytes() == before


# -- speed -----------------------------------------------------------------------------------

def test_five_hundred_documents_list_with_progress_as_they_go(tmp_path, answered):
    """Every one of 500 documents is listed, in order, with progress reported at least
    every 10 files.  (How fast is for ``benchmarks/library.py``: nothing here is timed.)"""
    folder = tmp_path / "many"
    make_many(folder, answered, 500)
    paths = find_documents([folder])
    assert len(paths) == 500
    calls = []

    summaries = list_library([folder], lambda done, total: calls.append((done, total)))

    assert [s.path for s in summaries] == paths and all(s.ok for s in summaries)
    assert {s.answered for s in summaries} == {summarise_file(paths[0]).answered}
    assert calls[-1] == (500, 500) and all(total == 500 for _done, total in calls)
    done = [d for d, _total in calls]
    assert done == sorted(set(done)) and max(b - a for a, b in pairwise([0, *done])) <= 10


def test_listing_a_wal_mode_document_leaves_no_files_behind(tmp_path, new_doc_path):
    """A document another program switched to WAL mode is listed without -wal/-shm files
    appearing in the shared folder, and without a byte changing."""
    import shutil
    import sqlite3
    from contextlib import closing

    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "wal.scrutiny"
    shutil.copy(new_doc_path, path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    rows = list_library([folder])
    assert [r.ok for r in rows] == [True]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
