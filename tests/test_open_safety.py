"""Suspicious files open read-only, saying what failed in the words `check` uses; odd
paths given as the document are described as what they are."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from scrutiny_desktop import errors
from scrutiny_desktop.cli import main
from scrutiny_desktop.services import answers, assessments, evidence
from scrutiny_desktop.storage import lockfile
from scrutiny_desktop.storage.document import open_document
from tests.helpers import refuse_to_open, tamper


def check_problem(capsys, path: Path) -> str:
    """What `check` prints on its integrity line."""
    assert main(["check", str(path)]) == 1
    out, _err = capsys.readouterr()
    (line,) = [x for x in out.splitlines() if x.startswith("integrity: ")]
    return line.removeprefix("integrity: ")


@pytest.fixture
def with_attachment(new_doc_path, tmp_path):
    attachment = tmp_path / "minutes.txt"
    attachment.write_text("Minutes of the March meeting.")
    with assessments.open_assessment(new_doc_path) as doc:
        answers.set_judgement(doc, "ARR-01", "strong")
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Minutes"), attach=attachment)
    return new_doc_path


@pytest.mark.parametrize("sql", [
    "UPDATE audit_entries SET new_value = 'limited' WHERE seq = 2",
    "UPDATE attachments SET content = CAST(content AS TEXT)",
    "UPDATE attachments SET content = 'Some other minutes.'",
    "UPDATE answers SET updated_at = 'garbage' WHERE position = 0",
])
def test_a_file_check_flags_opens_read_only_with_the_same_words(capsys, with_attachment, sql):
    """An edited audit row or text in the attachment column: `check` flags it, and the
    app's editable open (lock=True) now agrees -- the document opens read-only, with the
    problem in the words `check` prints, and takes no lock.  It used to open editable
    with no notice."""
    tamper(with_attachment, sql)
    problem = check_problem(capsys, with_attachment)
    with assessments.open_assessment(with_attachment, lock=True) as doc:
        assert doc.readonly
        assert doc.integrity_problem == problem
        assert problem in doc.readonly_reason
        assert not lockfile.lock_path(with_attachment).exists()
        with pytest.raises(errors.DocumentReadOnly) as info:
            answers.set_findings(doc, "ARR-01", "Edited anyway.")
        assert problem in str(info.value)
    assert not lockfile.lock_path(with_attachment).exists()


def test_a_sound_file_opens_editable_with_no_problem(with_attachment):
    with assessments.open_assessment(with_attachment, lock=True) as doc:
        assert not doc.readonly and doc.integrity_problem == ""
        assert doc.cleared_stale_lock is None and not doc.recovered_interrupted_save


def test_take_over_leaves_a_suspicious_file_read_only_and_the_lock_alone(with_attachment):
    import json

    tamper(with_attachment, "UPDATE audit_entries SET actor = 'Mallory' WHERE seq = 1")
    lock = lockfile.lock_path(with_attachment)
    lock.write_text(json.dumps({"user": "bea", "host": "PC-LAPTOP-17", "pid": 9,
                                "since": "2026-01-05T09:30:00+00:00"}))
    before = lock.read_bytes()
    with assessments.take_over(with_attachment, "Ann Jones") as doc:
        assert doc.readonly and "audit log" in doc.integrity_problem
    assert lock.read_bytes() == before


# -- odd paths -------------------------------------------------------------------------

def assert_one_sentence_naming(message: str, path: Path) -> None:
    assert "\n" not in message and str(path) in message and message.endswith(".")


def test_a_named_pipe_is_not_a_folder_and_never_blocks(tmp_path):
    """A FIFO is looked at with stat only: opening it would wait for a writer for ever."""
    fifo = tmp_path / "pipe.scrutiny"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def attempt():
        try:
            open_document(fifo, lock=True)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "opening a named pipe blocked"
    (exc,) = outcome
    assert isinstance(exc, errors.NotARegularFile)
    assert "named pipe" in str(exc) and "folder" not in str(exc)
    assert_one_sentence_naming(str(exc), fifo)


def test_a_link_to_a_device_is_not_a_regular_file(tmp_path):
    link = tmp_path / "zero.scrutiny"
    link.symlink_to("/dev/zero")
    with pytest.raises(errors.NotARegularFile) as info:
        open_document(link)
    assert "a device" in str(info.value) and "folder" not in str(info.value)


def test_a_link_loop_says_so(tmp_path):
    a, b = tmp_path / "a.scrutiny", tmp_path / "b.scrutiny"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(errors.LinkLoop) as info:
        open_document(a, readonly=True)
    assert "points back to itself" in str(info.value)
    assert_one_sentence_naming(str(info.value), a)


def test_a_file_you_may_not_read_says_so(new_doc_path, monkeypatch):
    """Not "Save a copy" (which would need reading it too): ask for access.  The tests run
    as root, who may read anything, so the refusal is simulated."""
    refuse_to_open(monkeypatch, new_doc_path)
    with pytest.raises(errors.DocumentUnreadable) as info:
        assessments.open_assessment(new_doc_path, lock=True)
    message = str(info.value)
    assert "do not have permission to read" in message and "Save a copy" not in message
    assert "owner" in message and "permissions" in message
    assert_one_sentence_naming(message, new_doc_path)
    assert not lockfile.lock_path(new_doc_path).exists()


def test_a_link_to_nowhere_does_not_exist(tmp_path):
    link = tmp_path / "gone.scrutiny"
    link.symlink_to(tmp_path / "never-made.scrutiny")
    with pytest.raises(errors.DocumentNotFound):
        open_document(link)
