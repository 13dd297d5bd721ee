"""Create and open ``.scrutiny`` documents safely.

A document is one SQLite file (SQLite as an application file format).  Opening
runs checks in order:

1. the path (``os.stat`` only, so a named pipe can never block us): it exists,
   is a regular file, is not a loop of links, and can be read;
2. the first bytes say SQLite (else "a PNG picture", "a ZIP archive"...);
3. the editing lock, when asked for (:mod:`.lockfile`);
4. what a crash may have left beside it, judged the way SQLite judges it
   (:func:`probe`): a *hot journal* (an interrupted save, which SQLite's own
   rollback recovers), *WAL leftovers*, or a *live writer* -- a program that
   holds a SQLite lock on the file right now.  A hot journal is rolled back
   before any header or size check judges the file: in place (after keeping a
   copy) when the document is opened for editing, otherwise in a private
   temporary copy, so read-only viewers and ``check`` see the recovered
   content without writing a byte;
5. application id, format version, size and ``PRAGMA quick_check``.

An older document is copied aside with the SQLite backup API and then migrated
with Alembic.

An encrypted document (SQLCipher, :mod:`.sqlite`) is recognised at step 2; without
its passphrase ``PassphraseNeeded`` is raised, and a wrong one raises
``WrongPassphrase`` after a read-only test that writes nothing.  Every step after
that runs as for a plain document, with the passphrase on each connection.  The
passphrase is kept on the open ``Document`` in memory only (copies made from it
are encrypted with it too); it is never written anywhere.
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scrutiny_desktop import errors
from scrutiny_desktop.atomic import atomic_path
from scrutiny_desktop.storage import lockfile
from scrutiny_desktop.storage.fileformat import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    FORMAT_VERSION,
    HOT_JOURNAL,
    RAW_FD_LOCK,
    WAL_LEFTOVERS,
    WRITER,
    PrivateCopy,
    check_header,
    check_passphrase,
    connect_ro,
    inspect,
    private_copy,
    probe,
    recover,
    ro_uri,
    sniff,
)
from scrutiny_desktop.storage.models import Base
from scrutiny_desktop.storage.sqlite import (
    DB_ERRORS,
    OPERATIONAL_ERRORS,
    Connection,
    connect,
    engine_url,
    export_database,
)
from scrutiny_desktop.storage.sqlite_errors import (
    is_busy,
    result_code,
)


def writable_reason(path: Path) -> str | None:
    """Why the file cannot be written, or None if it can."""
    # The mode bits count as well as access(): an administrator (or root on a
    # server) can write anything, but a file marked read-only means "keep".
    if not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222:
        return "the file is read-only"
    if not os.access(path.parent, os.W_OK) or not path.parent.stat().st_mode & 0o222:
        return "its folder is read-only"
    return None


def _probe_writer(path: Path, passphrase: str | None = None) -> None:
    """Raise DocumentInUse if another connection is in the middle of a write."""
    conn = connect(path, timeout=0.2, isolation_level=None, passphrase=passphrase)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except OPERATIONAL_ERRORS as exc:
        if is_busy(exc):
            raise errors.DocumentInUse(path) from None
        raise errors.DocumentCorrupt(path, str(exc)) from None
    finally:
        conn.close()


def _make_engine(path: Path, readonly: bool, passphrase: str | None = None) -> Engine:
    if readonly:
        uri = ro_uri(path)

        def creator():
            return connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False, passphrase=passphrase)
    else:
        target = str(path)

        def creator():
            return connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False, passphrase=passphrase)

    engine = create_engine(engine_url(passphrase), creator=creator)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        if readonly:
            cur.execute("PRAGMA query_only = ON")
        else:
            cur.execute("PRAGMA journal_mode = DELETE")
            cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock at the start, so a transaction never
        # fails half-way because another connection got in first.
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


class Document:
    """An open assessment document.  Services take one of these.

    ``path`` is the user's file; ``db_path`` is where SQLite reads it, which is a
    private recovered copy when a read-only document had an interrupted save (use
    ``raw()`` or ``db_path`` for any direct SQLite connection, never ``path``).
    """

    def __init__(self, path: Path, engine: Engine, *, readonly: bool, readonly_reason: str = "",
                 actor: str = "", lock: lockfile.LockFile | None = None,
                 format_version: int = FORMAT_VERSION, backup_path: Path | None = None,
                 db_path: Path | None = None, copy: PrivateCopy | None = None,
                 passphrase: str | None = None):
        self.path = path
        self.db_path = db_path or path
        self.engine = engine
        self.readonly = readonly
        self.readonly_reason = readonly_reason
        self.actor = actor
        self.format_version = format_version
        self.backup_path = backup_path
        self._lock = lock
        self._copy = copy
        #: Set when opening finished an interrupted save in place: the copy kept first.
        self.recovered_backup: Path | None = None
        #: True when opening found an interrupted save and SQLite rolled it back (in
        #: place, with ``recovered_backup``; or, read-only, in a private copy).
        self.recovered_interrupted_save = False
        #: The stale editing lock that opening cleared (a crashed or unrelated process,
        #: or an unreadable lock file), or None.
        self.cleared_stale_lock: lockfile.Holder | None = None
        #: The holder whose lock was replaced by Take over editing, or None.
        self.took_over_from: lockfile.Holder | None = None
        #: What the integrity check found when it made an editable open read-only ("" if
        #: nothing): the same words ``check`` prints.
        self.integrity_problem = ""
        #: Services keep derived, read-mostly values here (the parsed template).
        self.cache: dict = {}
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        #: The passphrase of an encrypted document, in memory only (never written
        #: anywhere): copies made from the document are encrypted with it.
        self.passphrase = passphrase

    @property
    def encrypted(self) -> bool:
        """True for an encrypted (SQLCipher) document."""
        return self.passphrase is not None

    @property
    def recovery_message(self) -> str:
        """One sentence for the person when an interrupted save was recovered, else ""."""
        if not self.recovered_interrupted_save:
            return ""
        if self.recovered_backup is not None:
            return (f"Recovered an interrupted save: the last change, which was not finished "
                    f"when the program or computer stopped, was undone and everything saved "
                    f"before it is here. The file as it was found is kept as "
                    f"{self.recovered_backup.name}.")
        return ("Recovered an interrupted save: you are seeing everything saved before the "
                "program or computer stopped, without the unfinished last change. The file "
                "itself is unchanged until it is opened for editing.")

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One short transaction, committed on success, rolled back on error."""
        if self.readonly:
            raise errors.DocumentReadOnly(self.path, self.readonly_reason or "it is open read-only")
        try:
            with RAW_FD_LOCK, self._sessions.begin() as session:
                yield session
        except Exception as exc:
            translated = self._write_error(exc)
            if translated is exc:
                raise
            raise translated from None

    @contextlib.contextmanager
    def write_raw(self) -> Iterator[Connection]:
        """One short transaction on the driver's own connection, for the one write made
        while a person types (findings): the same connection pool, settings, lock
        order and errors as :meth:`write`, without the ORM's work per statement.

        Yields the sqlite3 (or sqlcipher3) connection inside ``BEGIN IMMEDIATE``; it
        commits when the block ends, rolls back if it raises.  Statements are
        parameterised and reused from the driver's statement cache.
        """
        if self.readonly:
            raise errors.DocumentReadOnly(self.path, self.readonly_reason or "it is open read-only")
        with RAW_FD_LOCK:
            try:
                pooled = self.engine.raw_connection()
            except Exception as exc:
                translated = self._write_error(exc)
                if translated is exc:
                    raise
                raise translated from None
            try:
                db: Connection = pooled.driver_connection
                assert db is not None  # (a checked-out connection has its driver's)
                try:
                    db.execute("BEGIN IMMEDIATE")
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except OPERATIONAL_ERRORS as exc:
                raise self._write_error(exc) from None
            finally:
                pooled.close()  # back to the pool, for the next write

    def _write_error(self, exc: Exception) -> Exception:
        """The person's error for a failed write (``DocumentInUse`` if another program
        holds the file); anything not from SQLite as it is."""
        from sqlalchemy.exc import OperationalError

        if not isinstance(exc, (*OPERATIONAL_ERRORS, OperationalError)):
            return exc
        if is_busy(exc):
            return errors.DocumentInUse(self.path)
        return errors.DocumentWriteFailed(self.path, str(getattr(exc, "orig", None) or exc),
                                          sqlite_errorcode=result_code(exc))

    def raw(self) -> Connection:
        """A read-only driver connection (for integrity checks, other threads): sqlite3,
        or for an encrypted document sqlcipher3, keyed (see :mod:`.sqlite`)."""
        return connect_ro(self.db_path, self.passphrase)

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self._copy is not None:
            self._copy.close()
            self._copy = None

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _in_use(path: Path, exc: lockfile.LockHeld) -> errors.DocumentInUse:
    return errors.DocumentInUse(path, exc.holder.describe(), holder_info=exc.holder,
                                can_take_over=exc.can_take_over)


def open_document(path: Path | str, *, readonly: bool = False, actor: str = "",
                  lock: bool = False, detect_writer: bool = False,
                  take_over: bool = False, passphrase: str | None = None) -> Document:
    """Open a document after every safety check.

    ``readonly`` asks for read-only access; a file that cannot be written opens
    read-only anyway, with the reason in ``Document.readonly_reason``.
    ``lock`` takes the editing lock (the app does; one-shot commands need not);
    ``take_over`` (with ``lock``) replaces a lock from another computer.
    ``detect_writer`` reports a file that another program is writing even when
    opening read-only (``check`` uses it; nothing is written to find out).
    An interrupted save is recovered first (see the module notes); the document
    says so in ``recovered_interrupted_save`` and ``recovery_message``.
    An encrypted document needs its ``passphrase`` (``PassphraseNeeded``,
    ``WrongPassphrase``: the file is left as it is); a plain one ignores it.
    """
    path = Path(path).expanduser()
    head, _size = sniff(path, path, allow_encrypted=True)
    key: str | None = None
    if not head.startswith(b"SQLite format 3\x00"):  # sniff: an encrypted document
        if passphrase is None:
            raise errors.PassphraseNeeded(path)
        check_passphrase(path, passphrase)
        key = passphrase
    reason = "you opened it read-only" if readonly else writable_reason(path)
    acquired = lockfile.Acquired(None)
    copy: PrivateCopy | None = None
    try:
        if reason is None and lock:
            try:
                acquired = lockfile.acquire(path, take_over=take_over)
            except lockfile.LockHeld as exc:
                raise _in_use(path, exc) from None
        editable = reason is None
        state = probe(path, wait=BUSY_TIMEOUT_MS / 1000 if (editable or detect_writer) else 0.0,
                      passphrase=key)
        if state == WRITER and (editable or detect_writer):
            raise errors.DocumentInUse(path)
        recovered_backup = None
        recovered = False
        ours = struct.unpack(">I", head[68:72])[0] == APPLICATION_ID if len(head) >= 72 else False
        if key is not None:  # the header is ciphertext: ours if a private copy says so
            ours = state != HOT_JOURNAL or _encrypted_is_ours(path, key)
        if state == HOT_JOURNAL and editable and ours:
            recovered_backup = recover(path, key)
            recovered = True
        elif state == HOT_JOURNAL or (state == WAL_LEFTOVERS and not editable):
            copy = private_copy(path, passphrase=key)
            recovered = state == HOT_JOURNAL
        if copy is not None and editable:  # (only for a file that is not ours at all)
            editable, reason = False, "an interrupted save could not be recovered in place"
        db_path = copy.path if copy is not None else path
        header = inspect(db_path, display=path, passphrase=key)
        if editable:
            _probe_writer(path, key)
        backup = None
        if header.user_version < FORMAT_VERSION:
            from scrutiny_desktop.storage import migrate

            if reason is not None:
                # Read-only: the update is made to a private copy, which is what is read;
                # the file itself stays byte for byte as it is.
                if copy is None:
                    copy = private_copy(path, passphrase=key)
                    db_path = copy.path
                migrate.upgrade(copy.path, key)
            else:
                backup = migrate.backup_copy(path, header.user_version, key)
                migrate.upgrade(path, key)
        engine = _make_engine(db_path, readonly=not editable, passphrase=key)
        # The file's own format: an older one read through an updated private copy keeps it.
        file_format = header.user_version if reason is not None else FORMAT_VERSION
        doc = Document(path, engine, readonly=not editable, readonly_reason=reason or "",
                       actor=actor, lock=acquired.lock, backup_path=backup, db_path=db_path,
                       copy=copy, format_version=min(file_format, FORMAT_VERSION),
                       passphrase=key)
    except BaseException:
        if acquired.lock is not None:
            acquired.lock.release()
        if copy is not None:
            copy.close()
        raise
    doc.recovered_backup = recovered_backup
    doc.recovered_interrupted_save = recovered
    doc.cleared_stale_lock = acquired.cleared_stale
    doc.took_over_from = acquired.took_over_from
    return doc


def _encrypted_is_ours(path: Path, passphrase: str) -> bool:
    """An encrypted document with an interrupted save: its application id, read from a
    private copy with the save rolled back (the file itself is not touched)."""
    copy = private_copy(path, passphrase=passphrase)
    try:
        return check_header(copy.path, display=path, passphrase=passphrase) \
            .application_id == APPLICATION_ID
    except errors.DocumentError:
        return False
    finally:
        copy.close()


#: What creating a document may raise from below (either driver's errors, SQLAlchemy's).
_CREATE_ERRORS: tuple[type[Exception], ...] = (*DB_ERRORS, SQLAlchemyError)


def create_document(path: Path | str, *, overwrite: bool = False,
                    passphrase: str | None = None) -> Path:
    """Create an empty document with the current schema, stamped at head (encrypted
    with ``passphrase`` when one is given).

    The file is built under a temporary name beside it and takes its name only when
    complete (:func:`scrutiny_desktop.atomic.atomic_path`), so a failure never leaves a
    half-made document; without ``overwrite`` an existing file is never replaced.
    """
    path = Path(path).expanduser()
    if not path.name or path.name in (".", ".."):
        raise errors.InvalidInput(f"'{path}' is not a file name. Give a name such as "
                                  "northshire-2025-26.scrutiny.")
    if path.is_dir():
        raise errors.InvalidInput(f"{path} is a folder. Give a file name inside it.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists. Choose another name.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.DocumentWriteFailed(path, f"its folder cannot be created: {exc.strerror}",
                                         retry=False) from None
    try:
        with atomic_path(path, overwrite=overwrite, tag="creating") as tmp:
            _create_at(tmp, passphrase)
    except FileExistsError:
        raise FileExistsError(f"{path} already exists. Choose another name.") from None
    except _CREATE_ERRORS as exc:
        detail = getattr(exc, "orig", None) or exc
        raise errors.DocumentWriteFailed(path, f"it cannot be written there: {detail}",
                                         retry=False, sqlite_errorcode=result_code(exc)) from None
    return path


def _create_at(tmp: Path, passphrase: str | None = None) -> None:
    from scrutiny_desktop.storage import migrate

    conn = connect(tmp, passphrase=passphrase)
    try:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.commit()
    finally:
        conn.close()
    engine = create_engine(engine_url(passphrase),
                           creator=lambda: connect(tmp, passphrase=passphrase))
    try:
        Base.metadata.create_all(engine)
        migrate.stamp_head(engine)
    finally:
        engine.dispose()


def save_copy(doc: Document, target: Path | str) -> Path:
    """``VACUUM INTO`` a clean single file (deleted text purged), written under a
    temporary name and given the target's name only when complete
    (:func:`scrutiny_desktop.atomic.atomic_path`).  The copy of an encrypted document
    is encrypted with the same passphrase (``sqlcipher_export``, a logical copy)."""
    target = Path(target).expanduser()
    if target.resolve() == doc.path.resolve():
        raise errors.InvalidInput("Choose a different file from the one that is open.")
    with atomic_path(target, tag="copying") as tmp:
        if doc.passphrase is not None:
            # A logical copy (deleted text is not carried either), with a new salt.
            try:
                export_database(doc.db_path, tmp, source_passphrase=doc.passphrase,
                                target_passphrase=doc.passphrase)
            except DB_ERRORS as exc:
                raise errors.DocumentWriteFailed(target, str(exc),
                                                 sqlite_errorcode=result_code(exc)) from None
            return target
        conn = connect(ro_uri(doc.db_path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("VACUUM INTO ?", (str(tmp),))
        except DB_ERRORS as exc:
            raise errors.DocumentWriteFailed(target, str(exc),
                                             sqlite_errorcode=result_code(exc)) from None
        finally:
            conn.close()
    return target

