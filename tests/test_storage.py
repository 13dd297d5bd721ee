"""The .scrutiny document: file format, safe opening of bad files, locks, copies, audit chain."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from scrutiny_desktop import errors
from scrutiny_desktop.services import answers, evidence, recommendations
from scrutiny_desktop.services.assessments import info, open_assessment
from scrutiny_desktop.services.integrity import integrity_report
from scrutiny_desktop.services.progress import progress
from scrutiny_desktop.storage import (
    APPLICATION_ID,
    FORMAT_VERSION,
    create_document,
    inspect,
    lockfile,
    open_document,
    save_copy,
)
from scrutiny_desktop.storage.audit import verify_chain
from scrutiny_desktop.storage.migrate import head_format, head_revision
from scrutiny_desktop.storage.models import Attachment, AuditEntry
from tests.fixtures import badfiles
from tests.helpers import FIXTURES, NORTHSHIRE, tamper


@contextlib.contextmanager
def raw(path: Path):
    """A plain sqlite3 connection that is always closed (filterwarnings=error)."""
    with contextlib.closing(sqlite3.connect(str(path), isolation_level=None)) as conn:
        yield conn


def sidecars(path: Path) -> list[Path]:
    return [p for p in (path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
                        path.with_name(path.name + "-shm")) if p.exists()]


def assert_actionable(message: str, path: Path) -> None:
    """One line, names the file, and ends as a full sentence."""
    assert "\n" not in message
    assert str(path) in message
    assert message.rstrip().endswith(".")
    assert len(message.split()) >= 8


# -- the file format -------------------------------------------------------------

def test_new_document_header_and_pragmas(new_doc_path):
    """The file says it is ours, carries the format number and uses a rollback journal."""
    assert APPLICATION_ID != 0
    assert head_format() == FORMAT_VERSION
    with raw(new_doc_path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)]
    assert sidecars(new_doc_path) == []


def test_new_document_holds_the_template_snapshot(new_doc_path, cis):
    """The document is self-contained: the whole checklist it was made from is inside it."""
    with raw(new_doc_path) as conn:
        snapshot, digest, tid, tver = conn.execute(
            "SELECT template_snapshot, template_sha256, template_id, template_version "
            "FROM assessments").fetchone()
        answer_ids = [r[0] for r in conn.execute("SELECT question_id FROM answers ORDER BY position")]
    assert hashlib.sha256(snapshot.encode("utf-8")).hexdigest() == digest
    data = json.loads(snapshot)
    assert (data["id"], data["version"]) == (cis.id, cis.version) == (tid, tver)
    assert len(data["sections"]) == len(cis.sections)
    assert answer_ids == cis.question_ids()


def test_app_connections_use_foreign_keys_and_full_sync(doc_path):
    """Every connection the app opens enforces foreign keys and syncs fully to disk."""
    with open_document(doc_path) as doc:
        with doc.read() as session:
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "delete"
        with doc.write() as session:
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with open_document(doc_path, readonly=True) as doc, doc.read() as session:
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_no_journal_or_wal_left_after_edits_and_close(doc_path):
    """After editing and closing, only the .scrutiny file is left in the folder."""
    before = sorted(os.listdir(doc_path.parent))
    with open_assessment(doc_path) as doc:
        answers.set_judgement(doc, "ARR-01", "strong")
        answers.set_findings(doc, "ARR-01", "Seen.")
    assert sidecars(doc_path) == []
    assert sorted(os.listdir(doc_path.parent)) == before
    with raw(doc_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_create_document_refuses_an_existing_file(doc_path):
    """Creating a document over an existing file is refused and the file is untouched."""
    before = badfiles.snapshot(doc_path)
    with pytest.raises(FileExistsError):
        create_document(doc_path)
    assert badfiles.snapshot(doc_path) == before


def test_inspect_accepts_a_good_document(doc_path):
    """A good document passes every open check without being changed."""
    before = badfiles.snapshot(doc_path)
    header = inspect(doc_path)
    assert header.application_id == APPLICATION_ID
    assert header.user_version == FORMAT_VERSION
    assert badfiles.snapshot(doc_path) == before


# -- the bad-file set ---------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(badfiles.BAD_FILES))
def test_bad_file_is_refused_with_its_own_error_and_left_unchanged(tmp_path, pristine, kind):
    """Opening a file that is not a usable document says why and never changes it."""
    maker, error_name, words = badfiles.BAD_FILES[kind]
    path = maker(tmp_path, pristine)
    before = badfiles.snapshot(path)
    with pytest.raises(errors.DocumentError) as info_:
        open_document(path)
    assert type(info_.value).__name__ == error_name
    assert isinstance(info_.value, getattr(errors, error_name))
    message = str(info_.value)
    assert_actionable(message, path)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert badfiles.snapshot(path) == before
    # the same file through the read-only path and the lock path is refused the same way
    with pytest.raises(getattr(errors, error_name)):
        open_document(path, readonly=True, lock=True)
    assert badfiles.snapshot(path) == before


def test_bad_file_set_includes_a_real_png_and_zip(tmp_path, pristine):
    """The PNG and ZIP used in the bad-file tests are real files of those kinds."""
    import zipfile

    png = badfiles.make_png(tmp_path, pristine)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert png.read_bytes().endswith(b"IEND\xaeB`\x82")
    zpath = badfiles.make_zip(tmp_path, pristine)
    assert zipfile.is_zipfile(zpath)


def test_too_new_document_message_names_both_formats(tmp_path, pristine):
    """A file from a newer version says which format it is and which this version reads."""
    path = badfiles.make_too_new(tmp_path, pristine)
    with pytest.raises(errors.DocumentTooNew) as info_:
        open_document(path)
    assert info_.value.found == FORMAT_VERSION + 5
    assert info_.value.supported == FORMAT_VERSION
    assert (f"format {FORMAT_VERSION + 5}); this version reads up to format {FORMAT_VERSION}"
            in str(info_.value))


def test_read_only_document_opens_read_only_and_refuses_writes(doc_path):
    """A file marked read-only opens for reading with a notice; edits are refused, bytes kept."""
    doc_path.chmod(0o444)
    before = badfiles.snapshot(doc_path)
    with open_assessment(doc_path) as doc:
        assert doc.readonly is True
        assert "read-only" in doc.readonly_reason
        about = info(doc)
        assert about.readonly and about.partnership == NORTHSHIRE
        assert progress(doc).answered == 0
        with pytest.raises(errors.DocumentReadOnly) as info_:
            answers.set_judgement(doc, "ARR-01", "strong")
        assert_actionable(str(info_.value), doc_path)
        assert "Save a copy" in str(info_.value)
        with pytest.raises(errors.DocumentReadOnly):
            answers.set_findings(doc, "ARR-01", "x")
        with pytest.raises(errors.DocumentReadOnly):
            recommendations.add_recommendation(
                doc, "ARR-01", recommendations.RecommendationInput("Do it"))
    assert badfiles.snapshot(doc_path) == before
    assert not lockfile.lock_path(doc_path).exists()


def test_opening_read_only_on_request_never_writes(doc_path):
    """Choosing 'open read-only' on a writable file still refuses edits and changes nothing."""
    before = badfiles.snapshot(doc_path)
    with open_document(doc_path, readonly=True, lock=True) as doc:
        assert doc.readonly
        assert doc.readonly_reason == "you opened it read-only"
        with pytest.raises(errors.DocumentReadOnly):
            answers.set_judgement(doc, "ARR-01", "strong")
    assert badfiles.snapshot(doc_path) == before


def test_document_being_written_by_another_connection_is_reported(doc_path):
    """A file another program is in the middle of writing is reported as in use, not touched."""
    before = badfiles.snapshot(doc_path)
    with raw(doc_path) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE answers SET findings = 'half-written' WHERE position = 0")
        with pytest.raises(errors.DocumentInUse) as info_:
            open_document(doc_path)
        assert_actionable(str(info_.value), doc_path)
        assert "another program" in str(info_.value)
        assert "read-only" in str(info_.value)
        other.execute("ROLLBACK")
    assert badfiles.snapshot(doc_path) == before
    with open_assessment(doc_path) as doc:  # and it opens normally once the writer is done
        assert answers.get_answer(doc, "ARR-01").findings == ""


def test_edit_while_another_program_writes_is_reported_not_lost(doc_path):
    """Saving while another program holds the file reports it in use; the edit can be retried."""
    with open_assessment(doc_path) as doc:
        with raw(doc_path) as other:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(errors.DocumentInUse) as info_:
                answers.set_judgement(doc, "ARR-01", "strong")
            assert_actionable(str(info_.value), doc_path)
            other.execute("ROLLBACK")
        assert answers.get_answer(doc, "ARR-01").judgement is None
        assert answers.set_judgement(doc, "ARR-01", "strong") is True
        with doc.read() as session:
            assert verify_chain(session).ok


def test_document_in_a_read_only_folder_opens_read_only(doc_path):
    """A document in a folder marked read-only opens for reading, with the reason given."""
    folder = doc_path.parent
    folder.chmod(0o555)
    try:
        before = badfiles.snapshot(doc_path)
        with open_document(doc_path, lock=True) as doc:
            assert doc.readonly
            assert "folder is read-only" in doc.readonly_reason
            with pytest.raises(errors.DocumentReadOnly):
                answers.set_judgement(doc, "ARR-01", "strong")
        assert badfiles.snapshot(doc_path) == before
    finally:
        folder.chmod(0o755)


def _write_lock(document: Path, pid: int, user: str = "alex") -> Path:
    path = lockfile.lock_path(document)
    path.write_text(json.dumps({"user": user, "host": socket.gethostname(), "pid": pid,
                                "since": "2026-01-05T09:30:00+00:00"}), encoding="utf-8")
    return path


@pytest.fixture
def live_pid():
    """The pid of another Scrutiny Desktop process that is running for the whole test (it
    waits on stdin; its command line names the app, as a running app's does)."""
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()  # scrutiny_desktop"],
                             stdin=subprocess.PIPE)
    try:
        yield child.pid
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def test_editing_lock_held_by_a_live_process_is_reported(doc_path, live_pid):
    """A document someone else has open for editing is refused, naming who holds it."""
    lock = _write_lock(doc_path, live_pid, user="alex")
    lock_before = lock.read_bytes()
    before = badfiles.snapshot(doc_path)
    with pytest.raises(errors.DocumentInUse) as info_:
        open_document(doc_path, lock=True)
    message = str(info_.value)
    assert_actionable(message, doc_path)
    assert f"alex on {socket.gethostname()}" in message
    assert info_.value.holder.startswith("alex on ")
    assert badfiles.snapshot(doc_path) == before
    assert lock.read_bytes() == lock_before
    # Read-only opening is still possible, as the message suggests.
    with open_document(doc_path, readonly=True, lock=True) as doc:
        assert doc.readonly
    assert lock.read_bytes() == lock_before


def test_stale_editing_lock_from_a_dead_process_is_taken_over(doc_path):
    """A lock left behind by a program that crashed does not keep the user out."""
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    assert finished.wait() == 0  # reaped, so its pid no longer belongs to a running process
    lock = _write_lock(doc_path, finished.pid)
    with open_document(doc_path, lock=True) as doc:
        assert not doc.readonly
        held = json.loads(lock.read_text(encoding="utf-8"))
        assert held["pid"] == os.getpid()
        assert held["host"] == socket.gethostname()
        answers.set_judgement(doc, "ARR-01", "strong")
    assert not lock.exists(), "our lock is removed when the document is closed"


def test_editing_lock_is_written_while_open_and_removed_on_close(doc_path):
    """While the app edits a document a lock file names us; closing removes it."""
    lock = lockfile.lock_path(doc_path)
    with open_document(doc_path, lock=True):
        assert lock.exists()
        holder = lockfile.read_holder(doc_path)
        assert holder.pid == os.getpid()
        # our own lock does not count as someone else's
        assert lockfile.current_holder(doc_path) is None
    assert not lock.exists()


# -- save a copy ------------------------------------------------------------------

def test_save_copy_makes_an_openable_document(doc_path, tmp_path):
    """Save a copy writes a complete, valid document with the same answers."""
    with open_assessment(doc_path) as doc:
        answers.set_judgement(doc, "ARR-02", "limited")
        answers.set_findings(doc, "ARR-02", "Gaps in access.")
        target = save_copy(doc, tmp_path / "copy.scrutiny")
    assert target == tmp_path / "copy.scrutiny"
    assert sidecars(target) == []
    assert not list(tmp_path.glob(".copy.scrutiny*")), "no temporary file left behind"
    with raw(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION
    with open_assessment(target) as copy:
        got = answers.get_answer(copy, "ARR-02")
        assert (got.judgement, got.findings) == ("limited", "Gaps in access.")
        with copy.read() as session:
            assert verify_chain(session).ok
        answers.set_judgement(copy, "ARR-03", "strong")  # the copy is editable


def test_save_copy_refuses_the_open_files_own_path(doc_path):
    """Saving a copy over the file that is open is refused and the file is unchanged."""
    before = badfiles.snapshot(doc_path)
    with open_document(doc_path) as doc:
        with pytest.raises(errors.InvalidInput):
            save_copy(doc, doc_path)
        roundabout = doc_path.parent / "sub" / ".." / doc_path.name
        (doc_path.parent / "sub").mkdir()
        with pytest.raises(errors.InvalidInput):
            save_copy(doc, roundabout)
    (doc_path.parent / "sub").rmdir()
    assert badfiles.snapshot(doc_path) == before


# -- the audit chain --------------------------------------------------------------

def _edit_a_few(path: Path) -> None:
    with open_assessment(path) as doc:
        answers.set_judgement(doc, "ARR-01", "strong")
        answers.set_findings(doc, "ARR-01", "Clear roles.")
        answers.set_judgement(doc, "ARR-02", "reasonable")
        recommendations.add_recommendation(
            doc, "ARR-02", recommendations.RecommendationInput("Declare interests yearly."))


def _chain(path: Path):
    with open_document(path, readonly=True) as doc, doc.read() as session:
        return verify_chain(session)


def test_audit_chain_verifies_after_edits(doc_path):
    """After ordinary editing the audit log checks out, one row per change."""
    _edit_a_few(doc_path)
    report = _chain(doc_path)
    assert report.ok, report.problem
    assert report.rows == 5  # created + 4 edits
    with open_document(doc_path) as doc:
        assert integrity_report(doc).ok


def test_audit_chain_detects_an_edited_row(doc_path):
    """Changing what an audit row says afterwards is detected."""
    _edit_a_few(doc_path)
    tamper(doc_path, "UPDATE audit_entries SET new_value = 'limited' WHERE seq = 2")
    report = _chain(doc_path)
    assert not report.ok
    assert "2" in report.problem and "changed" in report.problem
    with open_document(doc_path) as doc:
        result = integrity_report(doc)
    assert not result.ok and "tampered" in result.problem


def test_audit_chain_detects_a_deleted_middle_row(doc_path):
    """Removing a row from the middle of the audit log is detected."""
    _edit_a_few(doc_path)
    tamper(doc_path, "DELETE FROM audit_entries WHERE seq = 3")
    report = _chain(doc_path)
    assert not report.ok
    assert "missing" in report.problem


def test_audit_chain_detects_a_deleted_last_row(doc_path):
    """Removing the newest audit row is detected too."""
    _edit_a_few(doc_path)
    tamper(doc_path, "DELETE FROM audit_entries WHERE seq = (SELECT MAX(seq) FROM audit_entries)")
    report = _chain(doc_path)
    assert not report.ok
    assert "removed" in report.problem


def test_audit_log_refuses_update_and_delete(doc_path):
    """The file itself refuses to change or delete audit rows."""
    _edit_a_few(doc_path)
    with raw(doc_path) as conn:
        with pytest.raises(sqlite3.DatabaseError, match="audit log cannot be changed"):
            conn.execute("UPDATE audit_entries SET actor = 'someone else' WHERE seq = 1")
        with pytest.raises(sqlite3.DatabaseError, match="audit log cannot be changed"):
            conn.execute("DELETE FROM audit_entries WHERE seq = 1")
        assert conn.execute("SELECT COUNT(*) FROM audit_entries").fetchone()[0] == 5
    assert _chain(doc_path).ok


# -- the golden document of format 1 ---------------------------------------------------

GOLDEN = FIXTURES / "golden-format1.scrutiny"
GOLDEN_ATTACHMENT = b"Goldshire terms of reference\nVersion 3, agreed by all partners.\n"


@pytest.fixture
def golden(tmp_path):
    """A copy of the format-1 golden document (opening may migrate it, so never the original)."""
    target = tmp_path / GOLDEN.name
    shutil.copyfile(GOLDEN, target)
    return target


def test_golden_document_is_a_format_1_document():
    """The kept format-1 document is really format 1 (what later upgrades start from)."""
    data = GOLDEN.read_bytes()
    assert data.startswith(b"SQLite format 3\x00")
    assert int.from_bytes(data[60:64], "big") == 1
    assert int.from_bytes(data[68:72], "big") == APPLICATION_ID


def test_golden_document_opens_with_its_answers(golden):
    """A document made by the first release opens and shows its answers, evidence and recommendation."""
    with open_assessment(golden) as doc:
        about = info(doc)
        assert about.partnership == "Goldshire Safeguarding Children Partnership"
        assert about.scrutineer_name == "Gwen Golden"
        assert about.template_id == "cis"
        assert about.status == "draft"
        assert about.format_version == FORMAT_VERSION
        a1 = answers.get_answer(doc, "ARR-01")
        assert a1.judgement == "strong"
        assert a1.findings == "Terms of reference seen.\nRoles are clear — including lay members.  "
        assert answers.get_answer(doc, "ARR-02").judgement == "reasonable"
        assert answers.get_answer(doc, "ARR-03").judgement == "not_applicable"
        assert answers.get_answer(doc, "ARR-04").judgement is None
        (ev,) = a1.evidence
        assert (ev.title, ev.kind, ev.date) == ("Terms of reference", "document", dt.date(2025, 4, 1))
        assert ev.attachment.filename == "terms-of-reference.txt"
        assert ev.attachment.sha256 == hashlib.sha256(GOLDEN_ATTACHMENT).hexdigest()
        _view, content = evidence.attachment_content(doc, ev.attachment.id)
        assert content == GOLDEN_ATTACHMENT
        (rec,) = a1.recommendations
        assert rec.priority == "high" and rec.due == dt.date(2026, 3, 31)
        assert progress(doc).answered == 3


def test_golden_document_audit_chain_verifies(golden):
    """The golden document's audit log is intact: every change since creation checks out."""
    with open_assessment(golden) as doc:
        with doc.read() as session:
            report = verify_chain(session)
            actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
            assert session.scalar(select(Attachment.size)) == len(GOLDEN_ATTACHMENT)
        assert integrity_report(doc).ok
    assert report.ok, report.problem
    assert actions == ["assessment.created", "answer.judgement", "answer.judgement",
                       "answer.judgement", "answer.findings", "evidence.added",
                       "recommendation.added"]
