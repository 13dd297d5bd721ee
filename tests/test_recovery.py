"""Every file a crash can leave reopens: SQLite's own recovery runs before any header or
size check judges the file, read-only readers recover in a private copy, and a stale
journal is never mistaken for a program writing the file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from scrutiny_desktop import errors
from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.services.library import summarise_file
from scrutiny_desktop.storage import fileformat as document
from tests.fixtures import badfiles
from tests.helpers import KEPT, crash_during, live_writer, make_crashed_growing_save, with_committed_edit


def sidecars(path: Path) -> dict[str, bytes]:
    """The bytes of the file and of everything SQLite may keep beside it."""
    out = {}
    for suffix in ("", "-journal", "-wal", "-shm"):
        p = path.with_name(path.name + suffix)
        if p.exists():
            out[suffix or "file"] = p.read_bytes()
    return out


@pytest.fixture
def crashed(new_doc_path):
    return make_crashed_growing_save(new_doc_path)


def test_a_save_that_grew_the_file_and_crashed_reopens_for_editing(crashed):
    """The file SQLite left with a hot journal opens editable: the unfinished change is
    rolled back, every committed edit is there, a copy of the file as found is kept, and
    the document says it recovered an interrupted save."""
    with assessments.open_assessment(crashed, lock=True) as doc:
        assert not doc.readonly
        assert doc.recovered_interrupted_save
        assert doc.recovered_backup is not None and doc.recovered_backup.exists()
        assert "Recovered an interrupted save" in doc.recovery_message
        assert answers.get_answer(doc, "ARR-01").findings == KEPT
        assert all(len(answers.get_answer(doc, q).findings) < 1000
                   for q in assessments.question_ids(doc))
        answers.set_findings(doc, "ARR-02", "Editing goes on.")
    assert not document.journal_path(crashed).exists()
    with assessments.open_assessment(crashed) as doc:
        assert not doc.recovered_interrupted_save and doc.recovery_message == ""


def test_a_read_only_viewer_sees_the_recovered_content_without_writing(crashed):
    """Opened read-only, the interrupted save is rolled back in a private copy: the
    viewer sees the committed content and the file and its journal keep every byte."""
    before = sidecars(crashed)
    listing = sorted(os.listdir(crashed.parent))
    with assessments.open_assessment(crashed, readonly=True) as doc:
        assert doc.readonly and doc.recovered_interrupted_save
        assert doc.recovered_backup is None
        assert "unchanged" in doc.recovery_message
        assert answers.get_answer(doc, "ARR-01").findings == KEPT
        copy_folder = doc.db_path.parent
        assert copy_folder != crashed.parent
    assert not copy_folder.exists(), "the private copy is removed on close"
    assert sidecars(crashed) == before
    assert sorted(os.listdir(crashed.parent)) == listing


def test_a_read_only_file_with_an_interrupted_save_opens_read_only(crashed):
    """A file marked read-only cannot be recovered in place; it opens read-only with the
    recovered content (it used to be refused)."""
    crashed.chmod(0o444)
    before = sidecars(crashed)
    with assessments.open_assessment(crashed, lock=True) as doc:
        assert doc.readonly and "read-only" in doc.readonly_reason
        assert doc.recovered_interrupted_save
        assert answers.get_answer(doc, "ARR-01").findings == KEPT
    assert sidecars(crashed) == before


def test_check_reads_an_interrupted_save_without_changing_a_byte(crashed, capsys):
    """`check` reports the recovered document, says a save was interrupted, exits 0 and
    leaves the file and its journal exactly as they were."""
    from scrutiny_desktop.cli import main

    before = sidecars(crashed)
    code = main(["check", str(crashed)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "integrity: ok" in out and "interrupted save:" in out
    assert "being changed" not in out + err
    assert sidecars(crashed) == before


def test_the_library_lists_a_file_with_an_interrupted_save(crashed):
    """The library row shows what was saved before the crash, and writes nothing."""
    before = sidecars(crashed)
    row = summarise_file(crashed)
    assert row.ok, row.error
    assert row.partnership == "Northshire Safeguarding Children Partnership"
    assert sidecars(crashed) == before


def make_zero_header_journal(path: Path) -> Path:
    """A crash before SQLite synced the journal: its header is still zeroed and the
    database was not touched.  Harmless, and not a program writing the file."""
    with_committed_edit(path)
    crash_during(path, "UPDATE answers SET findings = 'never committed' WHERE position = 0",
                 cache_size=2000)
    journal = document.journal_path(path).read_bytes()
    assert journal and journal[:8] == bytes(8), "a zero-header journal"
    return path


def test_a_zero_header_journal_is_not_a_program_writing_the_file(new_doc_path, capsys):
    """`check` on a file with a zero-header journal left by a crash passes (it used to say
    "being changed by another program"), changes nothing, and the file opens editable."""
    from scrutiny_desktop.cli import main

    path = make_zero_header_journal(new_doc_path)
    before = sidecars(path)
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "being changed" not in out + err and "interrupted save" not in out
    assert sidecars(path) == before
    assert document.probe(path) == document.CLEAN
    assert summarise_file(path).ok
    with assessments.open_assessment(path, lock=True) as doc:
        assert not doc.readonly and not doc.recovered_interrupted_save
        assert answers.get_answer(doc, "ARR-01").findings == KEPT


def test_an_empty_journal_is_harmless(new_doc_path, capsys):
    from scrutiny_desktop.cli import main

    document.journal_path(new_doc_path).write_bytes(b"")
    assert document.probe(new_doc_path) == document.CLEAN
    assert main(["check", str(new_doc_path)]) == 0, capsys.readouterr().err


def test_a_live_writer_is_found_by_its_lock_not_by_its_journal(new_doc_path):
    """Another process that holds SQLite's write lock (its journal still zero-header) is a
    live writer; once it has gone, the same journal is not."""
    with live_writer(new_doc_path, "UPDATE answers SET findings = 'half' WHERE position = 0") as writer:
        assert document.probe(new_doc_path) == document.WRITER
        with pytest.raises(errors.DocumentInUse) as info:
            assessments.open_assessment(new_doc_path, readonly=True, detect_writer=True)
        assert info.value.holder_info is None and info.value.can_take_over is False
        writer.kill()
        writer.wait(timeout=30)
    assert document.journal_path(new_doc_path).exists()
    assert document.probe(new_doc_path) == document.CLEAN


def make_wal_leftovers(path: Path) -> Path:
    """Another program switched the file to WAL mode, committed a change and was killed:
    the change lives only in the -wal file beside it."""
    script = ("import sqlite3, os\n"
              f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
              "c.execute('PRAGMA journal_mode = WAL').fetchall()\n"
              "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
              "c.execute(\"UPDATE assessments SET partnership = 'Only in the WAL'\")\n"
              "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    return path


def test_check_never_changes_a_file_with_wal_leftovers(new_doc_path, capsys):
    """`check` on a file with -wal/-shm left beside it reads the committed change from a
    private copy and leaves the file, the -wal and the -shm byte for byte (it used to merge
    and delete them)."""
    from scrutiny_desktop.cli import main

    path = make_wal_leftovers(new_doc_path)
    before = sidecars(path)
    assert set(before) == {"file", "-wal", "-shm"}
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "partnership: Only in the WAL" in out
    assert sidecars(path) == before
    row = summarise_file(path)
    assert row.ok and row.partnership == "Only in the WAL"
    assert sidecars(path) == before
    with assessments.open_assessment(path, readonly=True) as doc:
        assert assessments.info(doc).partnership == "Only in the WAL"
    assert sidecars(path) == before


def test_every_kill_point_of_a_growing_save_reopens(tmp_path, new_doc_path):
    """A child commits growing saves in a loop and is killed at several moments; each time
    the file reopens editable with every committed save in it (a small in-suite version of
    tests/torture/service_torture.py)."""
    import random
    import signal
    import time

    path = tmp_path / "loop.scrutiny"
    shutil.copyfile(new_doc_path, path)
    log = tmp_path / "committed.log"
    script = (
        "import os, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
        "from scrutiny_desktop.services import answers, assessments\n"
        f"doc = assessments.open_assessment({str(path)!r}, lock=True)\n"
        f"log = os.open({str(log)!r}, os.O_WRONLY | os.O_APPEND | os.O_CREAT)\n"
        "n = int(sys.argv[1])\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    n += 1\n"
        "    answers.set_findings(doc, 'ARR-01', f'save {n} ' + 'x' * (n % 50 * 4000))\n"
        "    os.write(log, f'{n}\\n'.encode()); os.fsync(log)\n")
    rng = random.Random(9)
    start = 0
    for _trial in range(5):
        with subprocess.Popen([sys.executable, "-c", script, str(start)],
                              stdout=subprocess.PIPE, text=True) as child:
            assert child.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.05, 0.3))
            child.send_signal(signal.SIGKILL)
            child.wait()
        done = [int(x) for x in log.read_text().split()] if log.exists() else []
        with assessments.open_assessment(path, lock=True) as doc:
            assert not doc.readonly and not doc.integrity_problem
            stored = answers.get_answer(doc, "ARR-01").findings
        if done:
            n = int(stored.split()[1])
            assert n >= done[-1], "a committed save was lost"
            start = n + 1000
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_kept_copy_is_beside_the_file_and_named_for_recovery(crashed):
    with assessments.open_assessment(crashed) as doc:
        kept = doc.recovered_backup
    assert kept.parent == crashed.parent and "before-recovery" in kept.name
    assert badfiles.snapshot(crashed)[0] == "file"
