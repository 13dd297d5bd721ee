"""One way to connect to a document, plain or encrypted.

A plain document is read with Python's own ``sqlite3``.  An encrypted one is a
SQLCipher 4 database in SQLCipher's standard layout (the first 16 bytes are the
random per-file salt of its key derivation; every page after is encrypted and
authenticated), read with ``sqlcipher3`` (the ``sqlcipher3-wheels`` distribution)
and keyed from the person's passphrase with SQLCipher 4's key derivation
(PBKDF2-HMAC-SHA512, 256,000 iterations, with the file's salt): the passphrase is
never stored anywhere.

That derivation is slow on purpose (about 0.1 s), and opening a document makes
several connections (the passphrase test, the journal probe, the checks, the
engine).  So once a file's salt is known, the key SQLCipher would derive from the
passphrase is derived once with ``hashlib`` (the same PBKDF2, the same parameters)
and kept in this process's memory, and later connections give SQLCipher that
derived key (``PRAGMA key = "x'...'"``) instead of deriving it again.  The file is
exactly what ``PRAGMA key = 'passphrase'`` makes and opens, so any SQLCipher 4 tool
opens it with the passphrase (the tests check both ways).

The two drivers raise different exception classes, so code that may see either
catches :data:`DB_ERRORS`, :data:`DATABASE_ERRORS` or :data:`OPERATIONAL_ERRORS`
instead of ``sqlite3.Error`` and friends; :mod:`.sqlite_errors` reads the result
code of both.  SQLAlchemy engines use :func:`engine_url` so that they wrap the
right driver's errors.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlcipher import SQLiteDialect_pysqlcipher
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlcipher3 import dbapi2 as sqlcipher

#: SQLCipher's page size, set explicitly (it is SQLCipher 4's default too).
CIPHER_PAGE_SIZE = 4096

#: Every driver error, of either driver.
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher.Error)
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
OPERATIONAL_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError,
                                                   sqlcipher.OperationalError)

#: Either driver's connection (typed loosely: sqlcipher3 ships no usable stubs).
Connection = Any


def quote(text: str) -> str:
    """``text`` as an SQL string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


#: SQLCipher 4's key derivation (``PRAGMA cipher_compatibility = 4``).
KDF_ITERATIONS = 256_000
KDF_HASH = "sha512"
KEY_BYTES = 32
SALT_BYTES = 16


@functools.lru_cache(maxsize=32)
def derived_key(passphrase: str, salt: bytes) -> bytes:
    """The key SQLCipher 4 derives from ``passphrase`` and a file's ``salt``."""
    return hashlib.pbkdf2_hmac(KDF_HASH, passphrase.encode("utf-8"), salt, KDF_ITERATIONS,
                               KEY_BYTES)


def _file_of(target: Path | str, uri: bool) -> Path | None:
    text = str(target)
    if not uri:
        return Path(text)
    if not text.startswith("file:"):
        return None
    from urllib.request import url2pathname  # here: it pulls in http and email (start-up)

    parsed = urllib.parse.urlsplit(text)
    return Path(url2pathname(parsed.path)) if parsed.path else None


def _salt_of(path: Path | None) -> bytes | None:
    """The first 16 bytes of an existing encrypted file (its KDF salt), or None."""
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            salt = fh.read(SALT_BYTES)
    except OSError:
        return None
    if len(salt) < SALT_BYTES or salt == b"SQLite format 3\x00":
        return None
    return salt


#: First bytes a new file's salt never starts with: those of SQLite and of the other
#: kinds of file the format check names (a PNG, ZIP, PDF, JPEG, GIF or text file), so
#: an encrypted document is never taken for one of them.
_AVOIDED_FIRST_BYTES = frozenset(b"S\x89P%\xffG{")


def new_salt() -> bytes:
    """A random salt for a new encrypted file (SQLCipher keeps it as its first 16 bytes)."""
    while True:
        salt = os.urandom(SALT_BYTES)
        if salt[0] not in _AVOIDED_FIRST_BYTES:
            return salt


def raw_key(passphrase: str, salt: bytes, *, with_salt: bool = False) -> str:
    """SQLCipher's raw key literal for the key derived from ``passphrase`` and ``salt``
    (``with_salt`` adds the salt, which a new file then takes as its own)."""
    return f"\"x'{derived_key(passphrase, salt).hex()}{salt.hex() if with_salt else ''}'\""


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def key_pragmas(passphrase: str, schema: str = "", salt: bytes | None = None, *,
                new: bool = False) -> list[str]:
    """The statements that key a connection (or an attached ``schema``) from a
    passphrase: with the file's ``salt`` known (or, for a ``new`` file, chosen), the
    derived key itself (see the module notes), else the passphrase for SQLCipher to
    derive it."""
    prefix = f"{schema}." if schema else ""
    if salt is not None:
        key = f"PRAGMA {prefix}key = {raw_key(passphrase, salt, with_salt=new)}"
    else:
        key = f"PRAGMA {prefix}key = {quote(passphrase)}"
    return [key, f"PRAGMA {prefix}cipher_compatibility = 4",
            f"PRAGMA {prefix}cipher_page_size = {CIPHER_PAGE_SIZE}"]


def connect(target: Path | str, *, passphrase: str | None = None, uri: bool = False,
            timeout: float = 5.0, isolation_level: str | None = "",
            check_same_thread: bool = True) -> Connection:
    """A connection to ``target`` (a path, or with ``uri`` a ``file:`` URI).

    With a ``passphrase`` it is a SQLCipher connection keyed before anything is read
    (a wrong passphrase shows up at the first read as ``SQLITE_NOTADB``, "file is not
    a database"); without one it is a standard ``sqlite3`` connection.
    """
    # (Typed loosely: the two drivers' stubs allow different spellings of the levels.)
    level: Any = isolation_level
    if passphrase is None:
        return sqlite3.connect(str(target), uri=uri, timeout=timeout, isolation_level=level,
                               check_same_thread=check_same_thread)
    conn = sqlcipher.connect(str(target), uri=uri, timeout=timeout,
                             isolation_level=level,
                             check_same_thread=check_same_thread)
    try:
        # SQLCipher logs a failed key to stderr by default; the app says it in a sentence.
        conn.execute("PRAGMA cipher_log_level = NONE")
        file = _file_of(target, uri)
        salt = _salt_of(file)
        new = salt is None and file is not None and not _has_content(file)
        for statement in key_pragmas(passphrase, salt=new_salt() if new else salt, new=new):
            conn.execute(statement)
    except BaseException:
        conn.close()
        raise
    return conn


def is_cipher_connection(conn: object) -> bool:
    return isinstance(conn, sqlcipher.Connection)


class _Blob:
    """sqlcipher3's blob handle with the ``with``/``read()`` manners of ``sqlite3.Blob``."""

    def __init__(self, blob) -> None:
        self._blob = blob

    def read(self, length: int = -1) -> bytes:
        if length < 0:
            length = 1 << 62
        return self._blob.read(length)

    def write(self, data: bytes) -> None:
        self._blob.write(data)

    def close(self) -> None:
        self._blob.close()

    def __enter__(self) -> _Blob:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def blob_open(conn: Connection, table: str, column: str, row: int, *,
              readonly: bool = False) -> Any:
    """Incremental blob I/O on either driver's connection (a context manager with
    ``read`` and ``write``)."""
    if is_cipher_connection(conn):
        return _Blob(conn.open_blob(table, column, row, readonly, "main"))
    return conn.blobopen(table, column, row, readonly=readonly)


@contextlib.contextmanager
def closing(conn: Connection) -> Iterator[Connection]:
    try:
        yield conn
    finally:
        conn.close()


class CipherDialect(SQLiteDialect_pysqlcipher):
    """SQLAlchemy's ``sqlite+pysqlcipher`` dialect (so SQLAlchemy wraps sqlcipher3's
    errors), for connections that :func:`connect` has already keyed: it does not key
    them again from the (empty) URL."""

    supports_statement_cache = True

    def on_connect_url(self, url):
        return SQLiteDialect_pysqlite.on_connect_url(self, url)


registry.register("sqlite.scrutiny_cipher", __name__, "CipherDialect")


def engine_url(passphrase: str | None) -> str:
    """The SQLAlchemy URL for an engine whose ``creator`` calls :func:`connect`."""
    return "sqlite://" if passphrase is None else "sqlite+scrutiny_cipher://"


def export_database(source: Path | str, target: Path | str, *, source_passphrase: str | None,
                    target_passphrase: str | None) -> None:
    """Copy every table, index, trigger and row of ``source`` into a new database at
    ``target`` with SQLCipher's ``sqlcipher_export``, encrypted with
    ``target_passphrase`` (plain when None), in one transaction read consistently from
    the source.  The header values ``sqlcipher_export`` leaves out (``user_version``,
    ``application_id``) are copied too.  ``source`` is opened read-only; ``target``
    must not exist (the caller writes it under a temporary name)."""
    conn = sqlcipher.connect(Path(source).resolve().as_uri() + "?mode=ro", uri=True,
                             isolation_level=None, timeout=5.0)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if source_passphrase is not None:
            for statement in key_pragmas(source_passphrase, salt=_salt_of(Path(source))):
                conn.execute(statement)
        user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        key = "''" if target_passphrase is None else raw_key(target_passphrase, new_salt(),
                                                              with_salt=True)
        conn.execute(f"ATTACH DATABASE {quote(str(target))} AS export KEY {key}")
        if target_passphrase is not None:
            conn.execute(f"PRAGMA export.cipher_page_size = {CIPHER_PAGE_SIZE}")
        conn.execute("PRAGMA export.journal_mode = DELETE")
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT sqlcipher_export('export')").fetchall()
            conn.execute(f"PRAGMA export.user_version = {user_version}")
            conn.execute(f"PRAGMA export.application_id = {application_id}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("DETACH DATABASE export")
    finally:
        conn.close()


def table_digests(conn: Connection) -> dict[str, str]:
    """SHA-256 of every row of every table (in rowid order), by table name: two databases
    with equal digests hold the same records."""
    import hashlib

    out = {}
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for name in names:
        digest = hashlib.sha256()
        ident = '"' + name.replace('"', '""') + '"'
        for row in conn.execute(f"SELECT * FROM {ident} ORDER BY rowid"):
            digest.update(repr(row).encode("utf-8"))
        out[name] = digest.hexdigest()
    return out
