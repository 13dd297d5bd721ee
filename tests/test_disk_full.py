"""Disk full and permission errors (issue 9, item 8).

Every export (PDF, comparison PDF, JSON, CSV) and ``import`` writes through one helper,
:func:`scrutiny_desktop.atomic.atomic_write` / ``atomic_path``.  A failure names the
file and the folder and says what to do, leaves any earlier file as it was, and leaves
no temporary file behind.

A full disk is simulated by a file object whose ``write`` raises ``ENOSPC`` (the
``full_disk`` fixture in tests/conftest.py, which the window's tests share) and, for
SQLite, by ``PRAGMA max_page_count``, which makes SQLite report "database or disk is
full" exactly as a full disk does; a read-only folder by ``PermissionError`` from the
calls that create or rename files, because the tests run as root, whom ``chmod`` does
not stop.
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from scrutiny_desktop import atomic
from scrutiny_desktop.atomic import atomic_path, atomic_write
from scrutiny_desktop.errors import FileWriteFailed
from scrutiny_desktop.report.csvout import export_csv
from scrutiny_desktop.report.data import ReportOptions, collect
from scrutiny_desktop.report.jsonio import export_json
from scrutiny_desktop.report.pdf import build_pdf
from scrutiny_desktop.services import transfer
from scrutiny_desktop.services.assessments import open_assessment
from tests.helpers import DENIED, NO_SPACE, cli_error, patch_open


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# -- the helper ----------------------------------------------------------------------------

def test_atomic_write_replaces_the_target_and_syncs_the_folder(out_dir, monkeypatch):
    target = out_dir / "a.txt"
    target.write_bytes(b"old")
    synced = []
    real = atomic._fsync_folder
    monkeypatch.setattr(atomic, "_fsync_folder", lambda folder: (synced.append(folder), real(folder)))
    with atomic_write(target) as fh:
        fh.write(b"new bytes")
        assert target.read_bytes() == b"old", "the target changes only at the end"
    assert target.read_bytes() == b"new bytes"
    assert _names(out_dir) == {"a.txt"}
    assert synced == [out_dir]


def test_atomic_write_on_a_full_disk(out_dir, full_disk):
    target = out_dir / "a.txt"
    target.write_bytes(b"old")
    full_disk(out_dir, room=10)
    with pytest.raises(FileWriteFailed) as info, atomic_write(target) as fh:
        fh.write(b"x" * 1_000_000)
    assert str(info.value) == "Could not write a.txt: " + NO_SPACE.format(folder=out_dir)
    assert info.value.errno == errno.ENOSPC and isinstance(info.value, OSError)
    assert target.read_bytes() == b"old"
    assert _names(out_dir) == {"a.txt"}


@pytest.mark.parametrize("call", ["replace", "create"])
def test_atomic_write_in_a_read_only_folder(out_dir, monkeypatch, call):
    target = out_dir / "a.txt"
    if call == "replace":
        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")
        monkeypatch.setattr(os, "replace", refuse)
    else:
        real_open = io.open

        def refuse(file, mode="r", *args, **kwargs):
            if "x" in mode:
                raise PermissionError(errno.EACCES, "Permission denied", str(file))
            return real_open(file, mode, *args, **kwargs)
        patch_open(monkeypatch, refuse)
    with pytest.raises(FileWriteFailed) as info, atomic_write(target) as fh:
        fh.write(b"data")
    assert str(info.value) == "Could not write a.txt: " + DENIED.format(folder=out_dir)
    assert _names(out_dir) == set()


@pytest.mark.parametrize("code, words", [
    (errno.EROFS, "the disk holding {folder} is read-only. Choose another folder."),
    (errno.EIO, "the disk holding {folder} reported an input/output error"),
    (errno.EDQUOT, NO_SPACE),
    (errno.ENAMETOOLONG, "the name is too long. Choose a shorter name or folder."),
])
def test_other_write_errors_are_one_sentence(out_dir, monkeypatch, code, words):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(FileWriteFailed) as info, atomic_write(out_dir / "a.txt") as fh:
        fh.write(b"data")
    assert words.format(folder=out_dir) in str(info.value)
    assert "a.txt" in str(info.value)
    assert _names(out_dir) == set()


def test_an_error_in_the_body_is_raised_as_it_is_and_cleans_up(out_dir):
    with pytest.raises(ValueError, match="cancelled"), atomic_write(out_dir / "a.txt") as fh:
        fh.write(b"half")
        raise ValueError("cancelled")
    assert _names(out_dir) == set()


def test_atomic_path_never_replaces_when_asked_not_to(out_dir):
    target = out_dir / "a.db"
    target.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="already exists"), \
            atomic_path(target, overwrite=False) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"precious"
    with atomic_path(out_dir / "b.db", overwrite=False) as tmp:
        tmp.write_bytes(b"new")
        (tmp.parent / (tmp.name + "-journal")).write_bytes(b"")  # removed too
    assert _names(out_dir) == {"a.db", "b.db"}


# -- every export writer -------------------------------------------------------------------

def _writers(doc_path: Path):
    def pdf(doc, out):
        return build_pdf(collect(doc, ReportOptions()), out)

    return {"pdf": pdf, "json": export_json, "csv": export_csv}


@pytest.mark.parametrize("kind", ["pdf", "json", "csv"])
def test_each_export_on_a_full_disk(doc_with_file, out_dir, full_disk, kind):
    """Named file and folder, the earlier export kept, nothing left behind."""
    target = out_dir / f"summary.{kind}"
    target.write_bytes(b"the previous export")
    full_disk(out_dir, room=100)
    with open_assessment(doc_with_file, readonly=True) as doc, pytest.raises(FileWriteFailed) as info:
        _writers(doc_with_file)[kind](doc, target)
    assert str(info.value) == f"Could not write summary.{kind}: " + NO_SPACE.format(folder=out_dir)
    assert target.read_bytes() == b"the previous export"
    assert _names(out_dir) == {f"summary.{kind}"}


def test_comparison_pdf_on_a_full_disk(tmp_path, new_doc_path, out_dir, full_disk, cis, details):
    from scrutiny_desktop.report.compare_pdf import build_compare_pdf
    from scrutiny_desktop.services.assessments import create_assessment
    from scrutiny_desktop.services.compare import compare

    later = create_assessment(tmp_path / "later.scrutiny", cis, details)
    with open_assessment(new_doc_path, readonly=True) as a, open_assessment(later, readonly=True) as b:
        comparison = compare(a, b)
    full_disk(out_dir, room=100)
    with pytest.raises(FileWriteFailed) as info:
        build_compare_pdf(comparison, out_dir / "comparison.pdf")
    assert str(info.value) == "Could not write comparison.pdf: " + NO_SPACE.format(folder=out_dir)
    assert _names(out_dir) == set()


@pytest.mark.parametrize("option", ["--csv", "--json", "--pdf"])
def test_cli_export_on_a_full_disk(capsys, doc_with_file, out_dir, full_disk, option):
    """Was `error: : No space left on device` (and CSV left `.NAME.writing-PID`)."""
    target = out_dir / f"out.{option[2:]}"
    full_disk(out_dir, room=0)
    line = cli_error(capsys, "export", doc_with_file, option, target)
    assert line == f"error: Could not write {target.name}: " + NO_SPACE.format(folder=out_dir)
    assert _names(out_dir) == set()


def test_cli_export_into_a_read_only_folder(capsys, doc_with_file, out_dir, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(os, "replace", refuse)
    line = cli_error(capsys, "export", doc_with_file, "--csv", out_dir / "out.csv")
    assert line == "error: Could not write out.csv: " + DENIED.format(folder=out_dir)
    assert _names(out_dir) == set()


# -- import --------------------------------------------------------------------------------

@pytest.fixture
def export_file(doc_with_file, tmp_path) -> Path:
    out = tmp_path / "export.json"
    with open_assessment(doc_with_file, readonly=True) as doc:
        export_json(doc, out)
    return out


def test_cli_import_on_a_full_disk(capsys, export_file, out_dir, monkeypatch):
    """SQLite's own "database or disk is full" while the new document is built: the
    message names the new file (not the hidden temporary one) and its folder, does not
    promise a retry, and no file is left."""
    restore = transfer._restore

    def restore_on_a_full_disk(session, *args, **kwargs):
        pages = session.execute(text("PRAGMA page_count")).scalar()
        session.execute(text(f"PRAGMA max_page_count = {pages + 1}"))
        return restore(session, *args, **kwargs)

    monkeypatch.setattr(transfer, "_restore", restore_on_a_full_disk)
    target = out_dir / "copy.scrutiny"
    line = cli_error(capsys, "import", export_file, "--to", target)
    assert line == "error: Could not write copy.scrutiny: " + NO_SPACE.format(folder=out_dir)
    assert "retried" not in line and ".importing" not in line
    assert _names(out_dir) == set()


def test_cli_import_into_a_read_only_folder(capsys, export_file, out_dir, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(os, "link", refuse)
    monkeypatch.setattr(os, "replace", refuse)
    line = cli_error(capsys, "import", export_file, "--to", out_dir / "copy.scrutiny")
    assert line == "error: Could not write copy.scrutiny: " + DENIED.format(folder=out_dir)
    assert _names(out_dir) == set()


def test_cli_import_when_sqlite_cannot_create_the_file(capsys, export_file, out_dir, monkeypatch):
    """A folder SQLite cannot create a file in ("unable to open database file")."""
    import sqlite3

    real_connect = sqlite3.connect

    def connect(database, *args, **kwargs):
        if str(out_dir) in str(database):
            raise sqlite3.OperationalError("unable to open database file")
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    line = cli_error(capsys, "import", export_file, "--to", out_dir / "copy.scrutiny")
    assert line == "error: Could not write copy.scrutiny: " + DENIED.format(folder=out_dir)
    assert _names(out_dir) == set()
