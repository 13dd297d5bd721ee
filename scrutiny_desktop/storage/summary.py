"""A document's summary read straight from the file, never changing it.

For the recent list and the library, which must be quick on a folder of thousands
of documents and must never change a file: the header is checked, then one query
reads what a summary shows over a read-only SQLite connection.  Nothing is
migrated, locked or written.  A journal beside the file is judged as SQLite judges
it (see :func:`~scrutiny_desktop.storage.fileformat.probe`): a program saving right
now is reported; an interrupted save is rolled back in a private copy and what was
saved before it is read; WAL leftovers are read from a private copy too.  An
encrypted document is read only with its passphrase (``PassphraseNeeded`` without
one).

The usual case (a plain document in rollback-journal mode whose header is plainly ours)
takes a short path: one 100-byte read of the header, then the one query.  Anything
else, and any failure on the short path, goes through the full checks, which say
exactly what is wrong.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import struct
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_from_bytes

from scrutiny_desktop import errors
from scrutiny_desktop.storage.fileformat import (
    APPLICATION_ID,
    FORMAT_VERSION,
    HOT_JOURNAL,
    WAL_LEFTOVERS,
    WRITER,
    check_header,
    check_passphrase,
    check_path,
    is_encrypted,
    private_copy,
    probe,
    read_start,
    ro_uri,
)
from scrutiny_desktop.storage.sqlite import DATABASE_ERRORS, DB_ERRORS, Connection, connect
from scrutiny_desktop.storage.sqlite_errors import is_busy


@dataclass(frozen=True)
class StoredSummary:
    """The few values a summary shows, as they are stored (text, not yet parsed)."""

    partnership: str
    area: str
    period: str
    scrutineer: str
    status: str
    modified_at: str | None
    template_sha256: str
    #: The template snapshot (JSON), or None when the caller said it knows this template.
    template_snapshot: str | None
    #: Question id -> judgement (None where there is none, or one carried from last year
    #: is not yet confirmed).
    judgements: dict[str, str | None]
    #: When the newest sign-off and countersignature in force were made (ISO text), if any.
    signed_off_at: str | None
    countersigned_at: str | None


#: The format that added ``answers.carried_from`` (a judgement carried from last year
#: counts once it is confirmed).
_CARRIED_FROM_FORMAT = 6


def _summary_sql(version: int, schema: str = "main") -> str:
    """Everything a summary shows in one row: the assessment's details, every answer's
    judgement as a JSON object and the newest sign-off and countersignature in force
    (from the database attached as ``schema``)."""
    judgement = ("CASE WHEN carried_from IS NULL THEN judgement END"
                 if version >= _CARRIED_FROM_FORMAT else "judgement")
    return ("SELECT partnership, area, period, scrutineer_name, status, modified_at, "
            "template_sha256, "
            f"(SELECT json_group_object(question_id, {judgement}) FROM {schema}.answers), "
            f"(SELECT max(signed_at) FROM {schema}.signoffs WHERE voided_at IS NULL), "
            f"(SELECT max(signed_at) FROM {schema}.countersignatures "
            "WHERE voided_at IS NULL) "
            f"FROM {schema}.assessments WHERE id = 1")


#: The name a document is attached under on a reader's connection.
_ATTACHED = "doc"

_SQL = {(v, schema): _summary_sql(v, schema)
        for v in range(1, FORMAT_VERSION + 1) for schema in ("main", _ATTACHED)}

_SQLITE_MAGIC = b"SQLite format 3\x00"


def read_summary(path: Path | str, *, known_templates: Container[str] = (),
                 passphrase: str | None = None,
                 reader: SummaryReader | None = None) -> StoredSummary:
    """Read the summary of the document at ``path`` without changing, locking or
    migrating it.  The template snapshot is left out when its SHA-256 is in
    ``known_templates`` (a folder of documents shares one or two).  A ``reader`` makes
    reading many documents quicker (see :class:`SummaryReader`).

    Raises the typed errors of opening (``DocumentNotFound``, ``NotADocument``,
    ``DocumentTooNew``...), ``DocumentInUse`` when another program is writing the file
    right now, and ``DocumentCorrupt`` when its rows cannot be read.  An encrypted
    document raises ``PassphraseNeeded`` without its ``passphrase`` and
    ``WrongPassphrase`` with a wrong one (a plain document ignores it).
    """
    path = path if isinstance(path, Path) else Path(path)
    version = _plainly_ours(path)
    if version is not None:
        try:
            if reader is not None:
                return reader.attached(path, known_templates, version)
            return _read_rows(path, _fast_uri(path), known_templates, None, version)
        except errors.DocumentError:
            pass  # the full checks below say what is wrong (or read it after all)
    check_path(path)
    key = None
    if is_encrypted(path):
        if passphrase is None:
            raise errors.PassphraseNeeded(path)
        check_passphrase(path, passphrase)
        key = passphrase
    state = probe(path, passphrase=key)
    if state == WRITER:
        raise errors.DocumentInUse(path)
    copy = None
    try:
        if state in (HOT_JOURNAL, WAL_LEFTOVERS):
            copy = private_copy(path, passphrase=key)
        db_path = copy.path if copy is not None else path
        header = check_header(db_path, display=path, passphrase=key)
        return _read_rows(path, ro_uri(db_path), known_templates, key, header.user_version)
    finally:
        if copy is not None:
            copy.close()


class SummaryReader:
    """Reads the summaries of many documents over one connection of its own.

    A plain document on the short path (see :func:`_plainly_ours`) is attached to an
    in-memory database, read only (``ATTACH`` with ``mode=ro``), read with the one
    query and detached.  That costs less than a connection of its own for each file:
    a listing of thousands reads about a tenth faster (issue 17; ``make bench``).
    SQLite treats an attached file exactly as a file it opened: the same locks, the
    same refusal of a hot journal, nothing written.  Anything off the short path is
    read as :func:`read_summary` reads it alone.

    For one thread (a listing's); close it, or use it in a ``with`` block, when done.
    """

    def __init__(self) -> None:
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> SummaryReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def attached(self, path: Path, known_templates: Container[str],
                 version: int) -> StoredSummary:
        """The summary of a document on the short path, read attached."""
        conn = self._conn
        if conn is None:
            conn = self._conn = sqlite3.connect(":memory:", uri=True, timeout=1.0,
                                                isolation_level=None)
        try:
            conn.execute(f"ATTACH DATABASE ? AS {_ATTACHED}", (_fast_uri(path),))
        except DB_ERRORS as exc:
            raise errors.DocumentCorrupt(path, f"it cannot be read: {exc}") from None
        try:
            return _rows(path, conn, known_templates, version, _ATTACHED)
        finally:
            try:
                conn.execute(f"DETACH DATABASE {_ATTACHED}")
            except DB_ERRORS:  # never expected: start again with a new connection
                self.close()


def _plainly_ours(path: Path) -> int | None:
    """The format version of a plain document in rollback-journal mode whose header is
    plainly ours and sound: the usual case, read without the full checks.  None for
    anything else (the full checks then say what it is)."""
    start = read_start(path, 100)
    if start is None or len(start[0]) < 100:
        return None
    head, st = start
    (magic, page_size, write_version, read_version, changes, pages, user_version,
     application_id, valid_for) = _HEADER.unpack_from(head)
    if magic != _SQLITE_MAGIC or (write_version, read_version) == (2, 2):
        return None  # not SQLite, or WAL mode (read from a private copy)
    if page_size == 1:
        page_size = 65536
    if page_size < 512 or page_size & (page_size - 1):
        return None
    if valid_for == changes and pages > 0 and st.st_size < page_size * pages:
        return None  # cut short
    if application_id != APPLICATION_ID or not 1 <= user_version <= FORMAT_VERSION:
        return None
    # A journal beside the file needs no look here: SQLite reads what was saved before
    # a save under way, and a read-only connection refuses a file whose journal is hot
    # (SQLITE_READONLY_ROLLBACK), which sends it through the full checks.
    return int(user_version)


#: The fields of the 100-byte header the short path looks at, in one unpacking (as
#: ``fileformat.header_fields`` reads them): the magic string, the page size, the write
#: and read versions (2 and 2 in WAL mode), the change counter, the page count, the user
#: version, the application id and the change counter the page count is valid for.
_HEADER = struct.Struct(">16sHBB4xII28xI4xI20xI")


def _fast_uri(path: Path) -> str:
    """``ro_uri`` for a file known not to be in WAL mode (without resolving links:
    SQLite follows them itself to find the journal)."""
    full = os.path.abspath(path)
    if os.name == "posix":  # what Path.as_uri does there, without building two paths
        if _URI_SAFE.fullmatch(full) is None:
            full = quote_from_bytes(os.fsencode(full))
        return "file://" + full + "?mode=ro"
    return Path(full).as_uri() + "?mode=ro"


#: A path that percent-encoding leaves as it is.
_URI_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")


def _read_rows(path: Path, uri: str, known_templates: Container[str],
               passphrase: str | None, version: int) -> StoredSummary:
    try:
        conn = connect(uri, uri=True, timeout=1.0, passphrase=passphrase)
    except DB_ERRORS as exc:
        raise errors.DocumentCorrupt(path, f"it cannot be read: {exc}") from None
    try:
        return _rows(path, conn, known_templates, version)
    finally:
        conn.close()


def _rows(path: Path, conn: Connection, known_templates: Container[str], version: int,
          schema: str = "main") -> StoredSummary:
    """The summary of the document attached to ``conn`` as ``schema``."""
    try:
        sql = _SQL.get((version, schema)) or _summary_sql(version, schema)
        rows = conn.execute(sql).fetchall()  # (fetchall: the statement is done with)
        if not rows:
            raise errors.DocumentCorrupt(path, "it holds no assessment")
        (partnership, area, period, scrutineer, status, modified, sha, judged, signed,
         countersigned) = rows[0]
        snapshot = None
        if sha not in known_templates:
            snapshot = conn.execute(f"SELECT template_snapshot FROM {schema}.assessments "
                                    "WHERE id = 1").fetchall()[0][0]
    except DATABASE_ERRORS as exc:
        if is_busy(exc):
            raise errors.DocumentInUse(path) from None
        raise errors.DocumentCorrupt(path, str(exc)[:120]) from None
    try:
        judgements = json.loads(judged) if judged else {}
    except ValueError:
        raise errors.DocumentCorrupt(path, "its answers cannot be read") from None
    return StoredSummary(partnership, area, period, scrutineer, status, modified, sha, snapshot,
                         judgements, signed, countersigned)
