"""SQLite errors are told apart by result code (storage.sqlite_errors), and the raw
per-file summary is read in storage (storage.summary)."""

from __future__ import annotations

import errno
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from scrutiny_desktop.errors import DocumentWriteFailed, NotADocument
from scrutiny_desktop.storage import sqlite_errors
from scrutiny_desktop.storage.sqlite_errors import SqliteProblem, classify, is_busy, os_errno
from scrutiny_desktop.storage.summary import read_summary

PACKAGE = Path(__file__).resolve().parents[1] / "scrutiny_desktop"


def _error(action) -> Exception:
    with pytest.raises(Exception) as info:
        action()
    return info.value


def test_a_busy_database_is_busy_raw_and_wrapped(tmp_path):
    path = tmp_path / "a.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    try:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        raw = _error(lambda: other.execute("BEGIN IMMEDIATE"))
        assert raw.sqlite_errorcode == sqlite_errors.SQLITE_BUSY
        assert classify(raw) is SqliteProblem.BUSY and is_busy(raw)
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(path, timeout=0))
        try:
            with engine.connect() as conn:
                wrapped = _error(lambda: conn.execute(text("INSERT INTO t VALUES (1)")))
        finally:
            engine.dispose()
        assert isinstance(wrapped, OperationalError) and is_busy(wrapped)
        other.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_full_database_is_full_and_means_no_space(tmp_path):
    conn = sqlite3.connect(tmp_path / "a.db")
    conn.execute("CREATE TABLE t (x)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 1}")
    exc = _error(lambda: conn.execute("INSERT INTO t VALUES (?)", (b"x" * 100_000,)))
    conn.close()
    assert classify(exc) is SqliteProblem.FULL and os_errno(exc) == errno.ENOSPC


def test_cannot_open_not_a_database_and_read_only(tmp_path):
    exc = _error(lambda: sqlite3.connect(tmp_path / "no" / "such" / "folder.db"))
    assert classify(exc) is SqliteProblem.CANTOPEN and os_errno(exc) == errno.EACCES
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all, not even close" * 100)
    conn = sqlite3.connect(junk)
    exc = _error(lambda: conn.execute("SELECT * FROM sqlite_master").fetchall())
    conn.close()
    assert classify(exc) is SqliteProblem.NOTADB
    good = tmp_path / "good.db"
    sqlite3.connect(good).execute("CREATE TABLE t (x)").connection.close()
    ro = sqlite3.connect(good.as_uri() + "?mode=ro", uri=True)
    exc = _error(lambda: ro.execute("INSERT INTO t VALUES (1)"))
    ro.close()
    assert classify(exc) is SqliteProblem.READONLY


def test_the_code_decides_not_the_words():
    """An error's code wins over its message; only a code-less error is read by SQLite's
    own standard text for a code; anything else is OTHER."""
    liar = sqlite3.OperationalError("database is locked")
    liar.sqlite_errorcode = sqlite_errors.SQLITE_FULL
    assert classify(liar) is SqliteProblem.FULL
    assert classify(sqlite3.OperationalError("unable to open database file")) is SqliteProblem.CANTOPEN
    assert classify(sqlite3.OperationalError("database is locked")) is SqliteProblem.BUSY
    assert classify(sqlite3.OperationalError("the table is busy being locked")) is SqliteProblem.OTHER
    assert classify(ValueError("database is locked")) is SqliteProblem.OTHER
    assert classify(None) is SqliteProblem.OTHER
    failed = DocumentWriteFailed("x.scrutiny", "whatever the words",
                                 sqlite_errorcode=sqlite_errors.SQLITE_FULL)
    assert classify(failed) is SqliteProblem.FULL and os_errno(failed) == errno.ENOSPC
    extended = sqlite3.OperationalError("x")
    extended.sqlite_errorcode = sqlite_errors.SQLITE_READONLY_ROLLBACK
    assert classify(extended) is SqliteProblem.READONLY


def test_no_module_matches_sqlite_error_words():
    """Message text is read in one place only: storage/sqlite_errors.py."""
    pattern = re.compile(r"""["'](locked|busy|readonly|disk is full|no space|disk i/o)["']\s+in\s""",
                         re.IGNORECASE)
    found = [f"{path.relative_to(PACKAGE.parent)}:{n}"
             for path in PACKAGE.rglob("*.py") if path.name != "sqlite_errors.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if pattern.search(line)]
    assert found == []


# -- the summary reader --------------------------------------------------------------------

def test_read_summary_reads_the_rows_without_changing_the_file(new_doc_path):
    before = new_doc_path.read_bytes()
    stored = read_summary(new_doc_path)
    assert (stored.partnership, stored.period, stored.status) == (
        "Northshire Safeguarding Children Partnership", "2025-26", "draft")
    assert stored.template_snapshot and len(stored.judgements) > 10
    assert stored.signed_off_at is None and stored.countersigned_at is None
    again = read_summary(new_doc_path, known_templates={stored.template_sha256})
    assert again.template_snapshot is None
    assert new_doc_path.read_bytes() == before


def test_read_summary_raises_typed_errors(tmp_path):
    """(A file another program is saving is covered in test_library.py.)"""
    junk = tmp_path / "junk.scrutiny"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 200)
    with pytest.raises(NotADocument, match="PNG"):
        read_summary(junk)
