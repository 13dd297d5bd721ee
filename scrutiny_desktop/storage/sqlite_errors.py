"""SQLite errors told apart by their result code, in one place.

``sqlite3`` errors carry SQLite's (extended) result code in ``sqlite_errorcode``;
SQLAlchemy wraps them and keeps the original in ``.orig``; this app's
:class:`~scrutiny_desktop.errors.DocumentWriteFailed` keeps the code it was made
from.  :func:`classify` reads the code wherever it is, so no caller matches words
in a message (which change between SQLite versions and languages).  Only an
exception that carries no code at all (one made by hand, or by a layer that dropped
it) is recognised by SQLite's own standard text for a code (``sqlite3_errstr``).
"""

from __future__ import annotations

import errno
import sqlite3
from enum import StrEnum

from scrutiny_desktop.storage.sqlite import DB_ERRORS


def _code(name: str, value: int) -> int:
    return getattr(sqlite3, name, value)


SQLITE_PERM = _code("SQLITE_PERM", 3)
SQLITE_BUSY = _code("SQLITE_BUSY", 5)
SQLITE_LOCKED = _code("SQLITE_LOCKED", 6)
SQLITE_READONLY = _code("SQLITE_READONLY", 8)
SQLITE_IOERR = _code("SQLITE_IOERR", 10)
SQLITE_CORRUPT = _code("SQLITE_CORRUPT", 11)
SQLITE_FULL = _code("SQLITE_FULL", 13)
SQLITE_CANTOPEN = _code("SQLITE_CANTOPEN", 14)
SQLITE_AUTH = _code("SQLITE_AUTH", 23)
SQLITE_NOTADB = _code("SQLITE_NOTADB", 26)
#: A read-only connection found a hot journal it may not roll back (an interrupted save).
SQLITE_READONLY_ROLLBACK = _code("SQLITE_READONLY_ROLLBACK", SQLITE_READONLY | (3 << 8))


class SqliteProblem(StrEnum):
    """What kind of failure a SQLite error is."""

    BUSY = "busy"            # SQLITE_BUSY, SQLITE_LOCKED: another connection holds a lock
    READONLY = "readonly"    # SQLITE_READONLY (and its extended codes)
    DENIED = "denied"        # SQLITE_PERM, SQLITE_AUTH
    FULL = "full"            # SQLITE_FULL: the disk (or max_page_count) is full
    IOERR = "ioerr"          # SQLITE_IOERR: the disk reported an input/output error
    CANTOPEN = "cantopen"    # SQLITE_CANTOPEN: the file (or its journal) cannot be opened
    NOTADB = "notadb"        # SQLITE_NOTADB: not a database
    CORRUPT = "corrupt"      # SQLITE_CORRUPT: the database is damaged
    OTHER = "other"          # anything else, or not a SQLite error


_BY_PRIMARY = {
    SQLITE_BUSY: SqliteProblem.BUSY,
    SQLITE_LOCKED: SqliteProblem.BUSY,
    SQLITE_READONLY: SqliteProblem.READONLY,
    SQLITE_PERM: SqliteProblem.DENIED,
    SQLITE_AUTH: SqliteProblem.DENIED,
    SQLITE_FULL: SqliteProblem.FULL,
    SQLITE_IOERR: SqliteProblem.IOERR,
    SQLITE_CANTOPEN: SqliteProblem.CANTOPEN,
    SQLITE_NOTADB: SqliteProblem.NOTADB,
    SQLITE_CORRUPT: SqliteProblem.CORRUPT,
}

#: SQLite's standard text for each primary code (``sqlite3_errstr``), for an exception
#: that carries no code.
_STANDARD_TEXT = {
    "access permission denied": SQLITE_PERM,
    "database is locked": SQLITE_BUSY,
    "database table is locked": SQLITE_LOCKED,
    "database schema is locked": SQLITE_LOCKED,
    "attempt to write a readonly database": SQLITE_READONLY,
    "disk i/o error": SQLITE_IOERR,
    "database disk image is malformed": SQLITE_CORRUPT,
    "database or disk is full": SQLITE_FULL,
    "unable to open database file": SQLITE_CANTOPEN,
    "authorization denied": SQLITE_AUTH,
    "file is not a database": SQLITE_NOTADB,
}

#: The operating-system error each kind of failure amounts to, for a sentence about a
#: file that could not be written (:func:`scrutiny_desktop.atomic.write_error`).
_ERRNO = {
    SqliteProblem.FULL: errno.ENOSPC,
    SqliteProblem.READONLY: errno.EACCES,
    SqliteProblem.DENIED: errno.EACCES,
    SqliteProblem.CANTOPEN: errno.EACCES,
    SqliteProblem.IOERR: errno.EIO,
}


def result_code(exc: BaseException | None) -> int | None:
    """SQLite's (extended) result code behind ``exc``: its own ``sqlite_errorcode``, that
    of the ``sqlite3`` error a SQLAlchemy error wraps (``.orig``), or, for an error that
    carries none, the code whose standard text its message is.  None if there is none."""
    seen = 0
    while exc is not None and seen < 4:
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code
        orig = getattr(exc, "orig", None)
        if orig is None or orig is exc:
            break
        exc, seen = orig, seen + 1
    if not isinstance(exc, DB_ERRORS):  # either driver's (plain or encrypted document)
        return None
    text = " ".join(str(exc).split()).lower()
    for words, code in _STANDARD_TEXT.items():
        if text == words or text.startswith(words + ":") or text.startswith(words + " ("):
            return code
    return None


def classify(exc: BaseException | None) -> SqliteProblem:
    """What kind of SQLite failure ``exc`` is (:class:`SqliteProblem`)."""
    code = result_code(exc)
    if code is None:
        return SqliteProblem.OTHER
    return _BY_PRIMARY.get(code & 0xFF, SqliteProblem.OTHER)


def is_busy(exc: BaseException | None) -> bool:
    """Another connection holds a lock on the database (``SQLITE_BUSY``/``SQLITE_LOCKED``)."""
    return classify(exc) is SqliteProblem.BUSY


def os_errno(exc: BaseException | None) -> int | None:
    """The ``errno`` a failure to write amounts to (``ENOSPC`` for a full disk, ``EACCES``
    for a file that may not be written or created, ``EIO``), or None."""
    own = getattr(exc, "errno", None)
    if isinstance(own, int):
        return own
    return _ERRNO.get(classify(exc))
