"""Summaries read over one connection (storage.summary.SummaryReader), the header's
short-path check, and the garbage collector's pause, all of which the library's
listing leans on (issue 17).  Nothing here is timed: ``benchmarks/library.py`` is."""

from __future__ import annotations

import contextlib
import gc
import shutil
import sqlite3
import struct
import threading
from pathlib import Path

import pytest

from scrutiny_desktop import errors
from scrutiny_desktop.gc_pause import collector_paused
from scrutiny_desktop.services import library
from scrutiny_desktop.storage import FORMAT_VERSION
from scrutiny_desktop.storage.fileformat import APPLICATION_ID
from scrutiny_desktop.storage.summary import SummaryReader, _plainly_ours, read_summary
from tests.fixtures import badfiles
from tests.helpers import trace_connections, tree_snapshot

FIXTURES = Path(__file__).parent / "fixtures"


def _read_all(paths, reader=None):
    """Each path's summary, or the class and message of the error it raised."""
    out = []
    for path in paths:
        try:
            out.append(read_summary(path, reader=reader))
        except errors.DocumentError as exc:
            out.append((type(exc).__name__, str(exc)))
    return out


@pytest.fixture
def mixed(tmp_path, answered, new_doc_path):
    """A folder of good documents with bad files between them."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    paths = [shutil.copyfile(answered, folder / "01-answered.scrutiny")]
    for n, kind in enumerate(("random", "truncated", "foreign", "too_new", "png", "missing"),
                             start=2):
        bad = badfiles.BAD_FILES[kind][0](folder, answered)
        paths.append(bad)
        paths.append(shutil.copyfile(new_doc_path, folder / f"{n:02d}-new.scrutiny"))
    paths.append(shutil.copyfile(FIXTURES / "golden-format1.scrutiny",
                                 folder / "90-format1.scrutiny"))
    return folder, [Path(p) for p in paths]


def test_one_reader_reads_every_file_as_it_reads_alone(mixed):
    """Good files read the same rows, bad ones raise the same one-line error, and a bad
    file does not spoil the reader for the files after it."""
    folder, paths = mixed
    before = tree_snapshot(folder)
    alone = _read_all(paths)
    with SummaryReader() as reader:
        together = _read_all(paths, reader)
        again = _read_all(paths, reader)
    assert together == alone == again
    good = [s for s in alone if not isinstance(s, tuple)]
    assert len(good) == 8 and all(s.partnership for s in good)
    assert sum(isinstance(s, tuple) for s in alone) == 6
    assert tree_snapshot(folder) == before  # nothing written, no journal left behind


def test_the_reader_attaches_each_file_read_only_and_detaches_it(answered, tmp_path, monkeypatch):
    statements: list[str] = []
    trace_connections(monkeypatch, sqlite3, statements)
    paths = [Path(shutil.copyfile(answered, tmp_path / f"{n}.scrutiny")) for n in range(3)]
    with SummaryReader() as reader:
        summaries = [read_summary(p, known_templates={"none"}, reader=reader) for p in paths]
    attaches = [s for s in statements if s.startswith("ATTACH")]
    assert len(attaches) == 3 and all("mode=ro" in s for s in attaches)
    assert sum(s.startswith("DETACH") for s in statements) == 3
    assert len({s.template_sha256 for s in summaries}) == 1


def test_a_file_being_saved_reads_its_last_save_through_the_reader(answered, tmp_path):
    """Another program is part-way through a save (a write lock and an UPDATE not yet
    committed): the reader sees what was saved before; under an exclusive lock it says
    the file is in use, and the next file still reads."""
    doc = Path(shutil.copyfile(answered, tmp_path / "busy.scrutiny"))
    other = Path(shutil.copyfile(answered, tmp_path / "other.scrutiny"))
    before = doc.read_bytes()
    with SummaryReader() as reader, \
            contextlib.closing(sqlite3.connect(doc, isolation_level=None, timeout=0)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE assessments SET partnership = 'Not yet saved'")
        assert read_summary(doc, reader=reader).partnership == read_summary(other).partnership
        writer.execute("ROLLBACK")
        writer.execute("BEGIN EXCLUSIVE")
        with pytest.raises(errors.DocumentInUse):
            read_summary(doc, reader=reader)
        writer.execute("ROLLBACK")
        assert read_summary(other, reader=reader).partnership
    assert doc.read_bytes() == before


def test_a_listing_reads_over_one_reader_and_frees_it(tmp_path, answered, monkeypatch):
    readers: list[SummaryReader] = []
    real = library.read_summary

    def spying(path, **kwargs):
        readers.append(kwargs["reader"])
        return real(path, **kwargs)

    monkeypatch.setattr(library, "read_summary", spying)
    for n in range(4):
        shutil.copyfile(answered, tmp_path / f"{n}.scrutiny")
    rows = library.list_library([tmp_path], cache=False)
    assert [r.ok for r in rows] == [True] * 4
    assert len({id(r) for r in readers}) == 1 and readers[0]._conn is None  # closed


# -- the header's short path ---------------------------------------------------------------

def _with_header(tmp_path: Path, source: Path, name: str, **changes: int) -> Path:
    """A copy of ``source`` with header fields changed (offset -> (format, value))."""
    path = Path(shutil.copyfile(source, tmp_path / f"{name}.scrutiny"))
    data = bytearray(path.read_bytes())
    fields = {"page_size": (16, ">H"), "versions": (18, ">H"), "page_count": (28, ">I"),
              "user_version": (60, ">I"), "application_id": (68, ">I")}
    for field, value in changes.items():
        offset, fmt = fields[field]
        struct.pack_into(fmt, data, offset, value)
    path.write_bytes(bytes(data))
    return path


def test_the_short_path_takes_only_a_plain_sound_header_of_ours(tmp_path, answered):
    assert _plainly_ours(Path(answered)) == FORMAT_VERSION
    assert _plainly_ours(FIXTURES / "golden-format1.scrutiny") == 1
    refused = {
        "wal": {"versions": 0x0202},
        "odd-page-size": {"page_size": 1000},
        "tiny-page-size": {"page_size": 256},
        "cut-short": {"page_count": 100_000},
        "foreign": {"application_id": APPLICATION_ID ^ 1},
        "too-new": {"user_version": FORMAT_VERSION + 1},
        "no-version": {"user_version": 0},
    }
    for name, changes in refused.items():
        assert _plainly_ours(_with_header(tmp_path, answered, name, **changes)) is None, name
    short = tmp_path / "short.scrutiny"
    short.write_bytes(Path(answered).read_bytes()[:99])
    assert _plainly_ours(short) is None
    assert _plainly_ours(tmp_path / "absent.scrutiny") is None
    assert _plainly_ours(tmp_path) is None  # a folder


def test_a_document_in_wal_mode_is_not_attached_and_leaves_nothing_behind(tmp_path, answered):
    """SQLite would create -wal and -shm files beside a WAL-mode file it opens read-only;
    the header check sends such a file to a private copy instead."""
    folder = tmp_path / "shared"
    folder.mkdir()
    doc = Path(shutil.copyfile(answered, folder / "wal.scrutiny"))
    with contextlib.closing(sqlite3.connect(doc)) as conn:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
    before = tree_snapshot(folder)
    with SummaryReader() as reader:
        assert read_summary(doc, reader=reader).partnership
    assert tree_snapshot(folder) == before


# -- the collector's pause -----------------------------------------------------------------

def test_overlapping_pauses_on_two_threads_end_with_the_collector_back():
    """The collector stays off until the last of overlapping pauses ends, whichever
    ends first, and is then as it was."""
    assert gc.isenabled()
    entered, release = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other() -> None:
        with collector_paused():
            entered.set()
            release.wait(timeout=30)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        assert entered.wait(timeout=30)
    assert not gc.isenabled()  # the other thread's pause is still on
    release.set()
    thread.join(timeout=30)
    assert seen == [False] and gc.isenabled()


def test_a_pause_leaves_a_collector_that_was_off_off():
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("inside")
    assert gc.isenabled()


# -- counting answered questions -------------------------------------------------------------

def test_the_set_count_of_answered_questions_agrees_with_the_templates_rule(cis):
    """Counting by (question, judgement) pairs gives what the template's own rule gives,
    for judgements of every kind: ones that count, ones that do not (none yet, carried
    and unconfirmed), values the template does not know and questions it does not have
    (an answer kept for a retired question)."""
    import random

    counting = library._Counting(cis)
    ids = cis.question_ids()
    values = [v for v, _label in cis.judgement_options()] + [None, "no-such-value", ""]
    rng = random.Random(17)
    for trial in range(300):
        judgements = {q: rng.choice(values) for q in rng.sample(ids, rng.randrange(len(ids) + 1))}
        if trial % 3 == 0:
            judgements["RETIRED-01"] = values[0]
        expected = sum(cis.counts_as_answered(judgements.get(q)) for q in ids)
        assert counting.answered(judgements) == expected, judgements
    assert counting.answered({q: values[0] for q in ids}) == counting.total == len(ids)
