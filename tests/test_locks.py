"""Locks that help rather than trap: created atomically (one editor however many open at
once), stale ones cleared and reported, another computer's taken over on request (and
audited), never a half-written or left-behind lock file."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from scrutiny_desktop import errors
from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.storage import lockfile
from scrutiny_desktop.storage.audit import verify_chain
from scrutiny_desktop.storage.models import AuditEntry

OPENERS = 20


def write_lock(document: Path, *, host: str | None = None, pid: int = 4242, user: str = "alex",
               since: str = "2026-01-05T09:30:00+00:00") -> Path:
    """A lock file as another copy of the app writes it (without a process identity, as
    an older version or another operating system writes it)."""
    path = lockfile.lock_path(document)
    path.write_text(json.dumps({"user": user, "host": host or socket.gethostname(), "pid": pid,
                                "since": since}), encoding="utf-8")
    return path


def folder_names(document: Path) -> list[str]:
    return sorted(os.listdir(document.parent))


def dead_pid() -> int:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


# -- one editor, however many open at once -------------------------------------------

def _open_in_process(path: str, barrier, results, done) -> None:  # pragma: no cover - child
    barrier.wait()
    try:
        doc = assessments.open_assessment(path, actor="racer", lock=True)
    except errors.DocumentInUse as exc:
        results.put(("in use", getattr(exc, "can_take_over", None)))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        results.put(("error", repr(exc)))
        return
    results.put(("editor", doc.readonly))
    done.wait(60)
    doc.close()


def test_twenty_simultaneous_opens_in_separate_processes_give_one_editor(new_doc_path):
    """Twenty processes released by one barrier all open the document for editing:
    exactly one gets it, the other nineteen are told it is in use (and cannot take over
    from a live app on this computer).  Five rounds; it used to give two editors in 5
    rounds out of 20."""
    ctx = multiprocessing.get_context("fork")
    for _round in range(5):
        barrier, results, done = ctx.Barrier(OPENERS), ctx.Queue(), ctx.Event()
        procs = [ctx.Process(target=_open_in_process,
                             args=(str(new_doc_path), barrier, results, done))
                 for _ in range(OPENERS)]
        for p in procs:
            p.start()
        got = []
        try:
            for _ in procs:
                got.append(results.get(timeout=60))
        finally:
            done.set()
            for p in procs:
                p.join(60)
        assert got.count(("editor", False)) == 1, got
        assert got.count(("in use", False)) == OPENERS - 1, got
        assert not lockfile.lock_path(new_doc_path).exists(), "the editor's lock went on close"
        assert [n for n in folder_names(new_doc_path) if n.endswith(".tmp")] == []


def test_twenty_simultaneous_opens_in_threads_give_one_editor(new_doc_path):
    """The same in one process: a lock held by another open document of this process
    counts as live."""
    barrier = threading.Barrier(OPENERS)
    outcomes: list[object] = []
    guard = threading.Lock()

    def opener():
        barrier.wait()
        try:
            doc = assessments.open_assessment(new_doc_path, lock=True)
        except errors.DocumentInUse as exc:
            with guard:
                outcomes.append(("in use", exc.can_take_over))
            return
        with guard:
            outcomes.append(doc)

    threads = [threading.Thread(target=opener) for _ in range(OPENERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    docs = [o for o in outcomes if isinstance(o, assessments.Document)]
    try:
        assert len(docs) == 1, outcomes
        assert outcomes.count(("in use", False)) == OPENERS - 1
    finally:
        for d in docs:
            d.close()
    assert not lockfile.lock_path(new_doc_path).exists()


# -- stale locks are cleared and reported -----------------------------------------------------

def test_a_lock_naming_a_dead_process_is_cleared_and_reported(new_doc_path):
    """A lock left by a crashed app on this computer: the document opens editable and says
    whose lock it cleared."""
    pid = dead_pid()
    write_lock(new_doc_path, pid=pid)
    with assessments.open_assessment(new_doc_path, lock=True) as doc:
        assert not doc.readonly
        assert doc.cleared_stale_lock is not None and doc.cleared_stale_lock.pid == pid
        assert doc.cleared_stale_lock.user == "alex"
        assert lockfile.read_holder(new_doc_path).pid == os.getpid()
    assert not lockfile.lock_path(new_doc_path).exists()


def test_a_lock_naming_a_live_process_that_is_not_the_app_is_stale(new_doc_path):
    """After a crash the process id may belong to some other program by now: a running
    `sleep` does not keep the document read-only (it used to, for ever)."""
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        write_lock(new_doc_path, pid=sleeper.pid)
        with assessments.open_assessment(new_doc_path, lock=True) as doc:
            assert not doc.readonly
            assert doc.cleared_stale_lock.pid == sleeper.pid
            answers.set_judgement(doc, "ARR-01", "strong")
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_lock_whose_process_started_after_it_was_written_is_stale(new_doc_path):
    """With the process's start time recorded, a reused process id is recognised even if the
    new process happens to be running the app."""
    app_like = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()  # scrutiny"],
                                stdin=subprocess.PIPE)
    try:
        path = write_lock(new_doc_path, pid=app_like.pid)
        data = json.loads(path.read_text())
        data["process"] = "some-earlier-boot:12345"
        path.write_text(json.dumps(data))
        with assessments.open_assessment(new_doc_path, lock=True) as doc:
            assert doc.cleared_stale_lock.pid == app_like.pid
    finally:
        app_like.stdin.close()
        app_like.wait()


@pytest.mark.parametrize("content", [b"", b"{\"user\": \"al", b"\x00\x00\x00", b"[]",
                                     b"{\"user\": \"a\", \"host\": \"\", \"pid\": 1, \"since\": \"\"}"])
def test_an_empty_or_unreadable_lock_is_stale(new_doc_path, content):
    """A 0-byte or garbled lock file (a disk that filled up while it was written) does
    not keep the document read-only."""
    lockfile.lock_path(new_doc_path).write_bytes(content)
    with assessments.open_assessment(new_doc_path, lock=True) as doc:
        assert not doc.readonly
        assert doc.cleared_stale_lock == lockfile.UNREADABLE
        assert doc.cleared_stale_lock.describe() == "an unreadable lock file"
    assert not lockfile.lock_path(new_doc_path).exists()


# -- live locks -------------------------------------------------------------------------

def test_a_live_app_on_this_computer_cannot_be_taken_over(new_doc_path):
    """A lock held by a running Scrutiny Desktop here: in use, naming who and since when,
    with no take-over (the other window may hold unsaved text)."""
    other = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()  # python -m scrutiny_desktop"],
        stdin=subprocess.PIPE)
    try:
        path = write_lock(new_doc_path, pid=other.pid)
        before = path.read_bytes()
        with pytest.raises(errors.DocumentInUse) as info:
            assessments.open_assessment(new_doc_path, lock=True)
        assert info.value.can_take_over is False
        assert info.value.holder_info.pid == other.pid
        assert f"alex on {socket.gethostname()} since" in str(info.value)
        with pytest.raises(errors.DocumentInUse):
            assessments.take_over(new_doc_path, "Ann Jones")
        assert path.read_bytes() == before
    finally:
        other.stdin.close()
        other.wait()


def test_a_lock_from_another_computer_can_be_taken_over_and_it_is_audited(new_doc_path):
    """Another computer's lock cannot be checked from here: the open is refused with
    can_take_over; take_over replaces the lock with ours, records who it was taken from
    in the audit log, and returns the document editable."""
    path = write_lock(new_doc_path, host="PC-LAPTOP-17", pid=99, user="bea")
    before = path.read_bytes()
    with pytest.raises(errors.DocumentInUse) as info:
        assessments.open_assessment(new_doc_path, lock=True)
    exc = info.value
    assert exc.can_take_over is True
    assert exc.holder_info == lockfile.Holder("bea", "PC-LAPTOP-17", 99, "2026-01-05T09:30:00+00:00")
    assert "bea on PC-LAPTOP-17 since 5 January 2026" in str(exc)
    assert "take over editing" in str(exc)
    assert path.read_bytes() == before, "refusing changes nothing"

    with assessments.take_over(new_doc_path, "Ann Jones") as doc:
        assert not doc.readonly
        assert doc.took_over_from == exc.holder_info
        held = lockfile.read_holder(new_doc_path)
        assert (held.pid, held.host) == (os.getpid(), socket.gethostname())
        with doc.read() as session:
            last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
            assert verify_chain(session).ok
        assert last.action == "editing.taken_over"
        assert last.actor == "Ann Jones"
        assert last.old_value == exc.holder_info.describe()
        assert last.new_value.startswith(f"Editing was taken over from {exc.holder_info.describe()}")
        answers.set_judgement(doc, "ARR-01", "strong")
    assert not path.exists(), "our lock is removed on close"


def test_taking_over_a_document_nobody_holds_is_an_ordinary_open(new_doc_path):
    with assessments.take_over(new_doc_path, "Ann Jones") as doc:
        assert not doc.readonly and doc.took_over_from is None
        with doc.read() as session:
            actions = list(session.scalars(select(AuditEntry.action)))
    assert "editing.taken_over" not in actions


# -- our own lock file ------------------------------------------------------------------

def test_the_lock_never_appears_half_written(new_doc_path, monkeypatch):
    """The lock gets its name only once its bytes are on disk, and a lock that cannot be
    written completely (a full disk) leaves no file behind: the document still opens."""
    real_write = os.write

    def full_disk(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(lockfile.os, "write", full_disk)
    before = folder_names(new_doc_path)
    acquired = lockfile.acquire(new_doc_path)
    assert acquired.lock is None
    assert folder_names(new_doc_path) == before
    monkeypatch.setattr(lockfile.os, "write", real_write)
    acquired = lockfile.acquire(new_doc_path)
    try:
        assert json.loads(lockfile.lock_path(new_doc_path).read_text())["pid"] == os.getpid()
        assert [n for n in folder_names(new_doc_path) if n.endswith(".tmp")] == []
    finally:
        acquired.lock.release()


def test_release_removes_only_our_own_lock(new_doc_path):
    """If someone took over while we had the document open, closing leaves their lock."""
    doc = assessments.open_assessment(new_doc_path, lock=True)
    theirs = write_lock(new_doc_path, host="PC-LAPTOP-17", user="bea")
    content = theirs.read_bytes()
    doc.close()
    assert theirs.read_bytes() == content


def test_the_lock_records_who_and_which_process(new_doc_path):
    with assessments.open_assessment(new_doc_path, lock=True):
        data = json.loads(lockfile.lock_path(new_doc_path).read_text())
    assert data["host"] == socket.gethostname() and data["pid"] == os.getpid()
    assert set(data) == {"user", "host", "pid", "since", "process"}
    if Path("/proc/self/stat").exists():
        assert data["process"] == lockfile.process_identity(os.getpid())


def test_a_second_editable_open_in_the_same_process_is_refused(new_doc_path):
    with assessments.open_assessment(new_doc_path, lock=True):
        with pytest.raises(errors.DocumentInUse) as info:
            assessments.open_assessment(new_doc_path, lock=True)
        assert info.value.can_take_over is False
        with assessments.open_assessment(new_doc_path, readonly=True) as viewer:
            assert viewer.readonly
