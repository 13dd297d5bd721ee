"""A document's summary read straight from the file, never changing it.

For the recent list and the library, which must be quick on a folder of hundreds
of documents and must never change a file: the header is checked, then a few rows
are read over a read-only SQLite connection.  Nothing is migrated, locked or
written.  A journal beside the file is judged as SQLite judges it (see
:func:`~scrutiny_desktop.storage.fileformat.probe`): a program saving right now is
reported; an interrupted save is rolled back in a private copy and what was saved
before it is read; WAL leftovers are read from a private copy too.  An encrypted
document is read only with its passphrase (``PassphraseNeeded`` without one).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from scrutiny_desktop import errors
from scrutiny_desktop.storage.fileformat import (
    HOT_JOURNAL,
    WAL_LEFTOVERS,
    WRITER,
    check_header,
    check_passphrase,
    check_path,
    is_encrypted,
    private_copy,
    probe,
    ro_uri,
)
from scrutiny_desktop.storage.sqlite import DATABASE_ERRORS, DB_ERRORS, connect
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


def read_summary(path: Path | str, *, known_templates: Container[str] = (),
                 passphrase: str | None = None) -> StoredSummary:
    """Read the summary of the document at ``path`` without changing, locking or
    migrating it.  The template snapshot is left out when its SHA-256 is in
    ``known_templates`` (a folder of documents shares one or two).

    Raises the typed errors of opening (``DocumentNotFound``, ``NotADocument``,
    ``DocumentTooNew``...), ``DocumentInUse`` when another program is writing the file
    right now, and ``DocumentCorrupt`` when its rows cannot be read.  An encrypted
    document raises ``PassphraseNeeded`` without its ``passphrase`` and
    ``WrongPassphrase`` with a wrong one (a plain document ignores it).
    """
    path = Path(path)
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
        check_header(db_path, display=path, passphrase=key)
        return _read_rows(path, db_path, known_templates, key)
    finally:
        if copy is not None:
            copy.close()


def _read_rows(path: Path, db_path: Path, known_templates: Container[str],
               passphrase: str | None = None) -> StoredSummary:
    try:
        conn = connect(ro_uri(db_path), uri=True, timeout=1.0, passphrase=passphrase)
    except DB_ERRORS as exc:
        raise errors.DocumentCorrupt(path, f"it cannot be read: {exc}") from None
    try:
        conn.execute("PRAGMA query_only = ON")
        row = conn.execute(
            "SELECT partnership, area, period, scrutineer_name, status, modified_at, "
            "template_sha256 FROM assessments WHERE id = 1").fetchone()
        if row is None:
            raise errors.DocumentCorrupt(path, "it holds no assessment")
        partnership, area, period, scrutineer, status, modified, sha = row
        snapshot = None
        if sha not in known_templates:
            snapshot = conn.execute(
                "SELECT template_snapshot FROM assessments WHERE id = 1").fetchone()[0]
        # A judgement carried from last year counts once it is confirmed (format 6 on).
        columns = {r[1] for r in conn.execute("PRAGMA table_info(answers)")}
        judgement = ("CASE WHEN carried_from IS NULL THEN judgement END"
                     if "carried_from" in columns else "judgement")
        judgements = dict(conn.execute(
            f"SELECT question_id, {judgement} FROM answers").fetchall())
        signed = conn.execute(
            "SELECT max(signed_at) FROM signoffs WHERE voided_at IS NULL").fetchone()[0]
        countersigned = conn.execute(
            "SELECT max(signed_at) FROM countersignatures WHERE voided_at IS NULL").fetchone()[0]
    except DATABASE_ERRORS as exc:
        if is_busy(exc):
            raise errors.DocumentInUse(path) from None
        raise errors.DocumentCorrupt(path, str(exc)[:120]) from None
    finally:
        conn.close()
    return StoredSummary(partnership, area, period, scrutineer, status, modified, sha, snapshot,
                         judgements, signed, countersigned)
