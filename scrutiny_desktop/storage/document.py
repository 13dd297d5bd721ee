"""Create and open ``.scrutiny`` documents safely.

A document is one SQLite file (SQLite as an application file format).  Opening
runs checks in order -- path, SQLite header, application id, format version,
``PRAGMA quick_check`` -- and every check before the file is accepted only
reads.  An older document is copied aside with the SQLite backup API and then
migrated with Alembic.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scrutiny_desktop.storage import errors, lockfile
from scrutiny_desktop.storage.models import Base

#: ``PRAGMA application_id``: "SCRT" in ASCII.  Marks a file as ours.
APPLICATION_ID = 0x53435254
#: The document format this version writes (the Alembic head, as a number).
FORMAT_VERSION = 1
SUFFIX = ".scrutiny"
BUSY_TIMEOUT_MS = 1500

_SQLITE_MAGIC = b"SQLite format 3\x00"
_KNOWN_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "a PNG picture"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xd8\xff", "a JPEG picture"),
    (b"GIF8", "a GIF picture"),
    (b"{", "a text file"),
]


@dataclass(frozen=True)
class Header:
    """What the first 100 bytes of a SQLite file say."""

    page_size: int
    page_count: int
    page_count_valid: bool
    user_version: int
    application_id: int


def read_header(path: Path) -> Header:
    """Check the path and the SQLite header without opening the database."""
    path = Path(path)
    if not path.exists():
        raise errors.DocumentNotFound(path)
    if not path.is_file():
        raise errors.NotAFile(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(100)
    except PermissionError:
        raise errors.DocumentReadOnly(path, "you do not have permission to read it") from None
    except OSError as exc:
        raise errors.DocumentCorrupt(path, f"it cannot be read: {exc.strerror}") from None
    if size == 0:
        raise errors.NotADocument(path, "empty (0 bytes), not a Scrutiny Desktop document")
    if not head.startswith(_SQLITE_MAGIC):
        for magic, what in _KNOWN_MAGIC:
            if head.startswith(magic):
                raise errors.NotADocument(path, f"{what}, not a Scrutiny Desktop document")
        raise errors.NotADocument(path)
    if len(head) < 100:
        raise errors.DocumentCorrupt(path, "the file is cut short")
    (page_size,) = struct.unpack(">H", head[16:18])
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", head[24:32])
    (valid_for,) = struct.unpack(">I", head[92:96])
    (user_version,) = struct.unpack(">I", head[60:64])
    (application_id,) = struct.unpack(">I", head[68:72])
    valid = valid_for == change_counter and page_count > 0
    if page_size < 512 or page_size & (page_size - 1):
        raise errors.DocumentCorrupt(path, "the file header is damaged")
    if valid and size < page_size * page_count:
        raise errors.DocumentCorrupt(path, "the file is cut short")
    return Header(page_size, page_count, valid, user_version, application_id)


def _is_wal(path: Path) -> bool:
    """True for a file another program switched to WAL mode (bytes 18-19 of the header)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(20)
    except OSError:
        return False
    return len(head) == 20 and head[18:20] == b"\x02\x02"


def ro_uri(path: Path) -> str:
    # A WAL-mode file would make even a read-only reader create -wal and -shm
    # files beside it; "immutable" reads it without touching anything.
    extra = "&immutable=1" if _is_wal(path) else ""
    return path.resolve().as_uri() + "?mode=ro" + extra


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def has_journal(path: Path) -> bool:
    """A rollback journal beside the document: a save in progress, or one interrupted."""
    j = journal_path(path)
    try:
        return j.is_file() and j.stat().st_size > 0
    except OSError:
        return False


def _connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(ro_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _check_schema(path: Path, conn: sqlite3.Connection) -> None:
    """Every table and column of the current format is there (a current-format file)."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = [t for t in Base.metadata.tables if t not in names]
    if "alembic_version" not in names:
        missing.append("alembic_version")
    if missing:
        raise errors.DocumentCorrupt(path, f"its tables are missing ({', '.join(sorted(missing))})")
    for name, table in Base.metadata.tables.items():
        have = {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
        lost = [c.name for c in table.columns if c.name not in have]
        if lost:
            raise errors.DocumentCorrupt(path, f"columns are missing from {name} ({', '.join(lost)})")


def quick_check(path: Path, *, schema: bool = True) -> None:
    """``PRAGMA quick_check`` and the schema, on a read-only connection; raises on damage."""
    try:
        conn = _connect_ro(path)
    except sqlite3.Error as exc:
        raise errors.DocumentCorrupt(path, str(exc)) from None
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            raise errors.DocumentCorrupt(path, "its pages failed the integrity check")
        if schema:
            _check_schema(path, conn)
        else:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "assessments" not in names or "alembic_version" not in names:
                raise errors.DocumentCorrupt(path, "its tables are missing")
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise errors.DocumentInUse(path) from None
        if "readonly" in str(exc).lower() and has_journal(path):
            # Only a hot journal (no live writer) makes a read-only reader fail so.
            raise errors.DocumentNeedsRecovery(path) from None
        raise errors.DocumentCorrupt(path, str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise errors.DocumentCorrupt(path, str(exc)) from None
    finally:
        conn.close()


def check_header(path: Path | str) -> Header:
    """The cheap checks (path, SQLite, ours, not too new) from the header alone."""
    path = Path(path)
    header = read_header(path)
    if header.application_id != APPLICATION_ID:
        if header.application_id == 0 and header.user_version == 0 and header.page_count <= 1:
            # An empty SQLite database: certainly not one of ours.
            raise errors.ForeignDatabase(path)
        raise errors.ForeignDatabase(path)
    if header.user_version > FORMAT_VERSION:
        raise errors.DocumentTooNew(path, header.user_version, FORMAT_VERSION)
    if header.user_version < 1:
        raise errors.DocumentCorrupt(path, "its format version is missing")
    return header


def inspect(path: Path | str) -> Header:
    """Every read-only check, in order.  Returns the header when all pass."""
    path = Path(path)
    header = check_header(path)
    quick_check(path, schema=header.user_version == FORMAT_VERSION)
    return header


def recover(path: Path) -> Path:
    """Finish an interrupted save: keep a copy of the file and its journal, then
    let SQLite roll the unfinished change back (the standard recovery)."""
    stamp = timestamp_for_name()
    backup = path.with_name(f"{path.stem}.before-recovery-{stamp}{path.suffix}")
    shutil.copy2(path, backup)
    shutil.copy2(journal_path(path), backup.with_name(backup.name + "-journal"))
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        raise errors.DocumentCorrupt(path, f"it could not be recovered ({exc})") from None
    finally:
        conn.close()
    return backup


def writable_reason(path: Path) -> str | None:
    """Why the file cannot be written, or None if it can."""
    # The mode bits count as well as access(): an administrator (or root on a
    # server) can write anything, but a file marked read-only means "keep".
    if not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222:
        return "the file is read-only"
    if not os.access(path.parent, os.W_OK) or not path.parent.stat().st_mode & 0o222:
        return "its folder is read-only"
    return None


def _probe_writer(path: Path) -> None:
    """Raise DocumentInUse if another connection is in the middle of a write."""
    conn = sqlite3.connect(str(path), timeout=0.2, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise errors.DocumentInUse(path) from None
        raise errors.DocumentCorrupt(path, str(exc)) from None
    finally:
        conn.close()


def _make_engine(path: Path, readonly: bool) -> Engine:
    if readonly:
        uri = ro_uri(path)

        def creator():
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
            return conn
    else:
        target = str(path)

        def creator():
            return sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)

    engine = create_engine("sqlite://", creator=creator)

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
    """An open assessment document.  Services take one of these."""

    def __init__(self, path: Path, engine: Engine, *, readonly: bool, readonly_reason: str = "",
                 actor: str = "", lock: lockfile.LockFile | None = None,
                 format_version: int = FORMAT_VERSION, backup_path: Path | None = None):
        self.path = path
        self.engine = engine
        self.readonly = readonly
        self.readonly_reason = readonly_reason
        self.actor = actor
        self.format_version = format_version
        self.backup_path = backup_path
        self._lock = lock
        #: Set when opening finished an interrupted save: the copy kept first.
        self.recovered_backup: Path | None = None
        #: Services keep derived, read-mostly values here (the parsed template).
        self.cache: dict = {}
        self._sessions = sessionmaker(engine, expire_on_commit=False)

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
            with self._sessions.begin() as session:
                yield session
        except sqlite3.OperationalError as exc:  # pragma: no cover - raw driver errors are wrapped
            raise errors.DocumentWriteFailed(self.path, str(exc)) from None
        except Exception as exc:
            from sqlalchemy.exc import OperationalError

            if isinstance(exc, OperationalError):
                orig = exc.orig
                if isinstance(orig, sqlite3.OperationalError) and _is_busy(orig):
                    raise errors.DocumentInUse(self.path) from None
                raise errors.DocumentWriteFailed(self.path, str(orig)) from None
            raise

    def raw(self) -> sqlite3.Connection:
        """A plain read-only sqlite3 connection (for integrity checks, other threads)."""
        return _connect_ro(self.path)

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Document":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_document(path: Path | str, *, readonly: bool = False, actor: str = "",
                  lock: bool = False, detect_writer: bool = False) -> Document:
    """Open a document after every safety check.

    ``readonly`` asks for read-only access; a file that cannot be written opens
    read-only anyway, with the reason in ``Document.readonly_reason``.
    ``lock`` takes the editing lock (the app does; one-shot commands need not).
    ``detect_writer`` reports a file that another program is writing even when
    opening read-only (``check`` uses it; nothing is written to find out).
    """
    path = Path(path).expanduser()
    recovered = None
    try:
        header = inspect(path)
    except errors.DocumentNeedsRecovery:
        if readonly or writable_reason(path) is not None:
            raise
        recovered = recover(path)
        header = inspect(path)
    reason = "you opened it read-only" if readonly else writable_reason(path)
    doc_lock = None
    if reason is None:
        holder = lockfile.current_holder(path)
        if holder is not None and lock:
            raise errors.DocumentInUse(path, holder.describe())
        _probe_writer(path)
    elif detect_writer and writable_reason(path) is None:
        if has_journal(path):
            # inspect() read it, so the journal is not hot: a writer is at work.
            raise errors.DocumentInUse(path)
        _probe_writer(path)
    backup = None
    if header.user_version < FORMAT_VERSION:
        if reason is not None:
            raise errors.DocumentReadOnly(
                path,
                f"it was made by an earlier version and needs updating, but {reason}",
            )
        from scrutiny_desktop.storage import migrate

        backup = migrate.backup_copy(path, header.user_version)
        migrate.upgrade(path)
    if reason is None and lock:
        doc_lock = lockfile.acquire(path)
    engine = _make_engine(path, readonly=reason is not None)
    doc = Document(path, engine, readonly=reason is not None, readonly_reason=reason or "",
                   actor=actor, lock=doc_lock, backup_path=backup)
    doc.recovered_backup = recovered
    return doc


def create_document(path: Path | str, *, overwrite: bool = False) -> Path:
    """Create an empty document with the current schema, stamped at head.

    The file is built under a temporary name and renamed into place, so a
    failure never leaves a half-made document.
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
    tmp = path.with_name(f".{path.name}.creating-{os.getpid()}")
    try:
        if tmp.exists():
            tmp.unlink()
        _create_at(tmp)
        os.replace(tmp, path)
    except (sqlite3.Error, SQLAlchemyError, OSError) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        detail = getattr(exc, "strerror", None) or getattr(exc, "orig", None) or exc
        raise errors.DocumentWriteFailed(path, f"it cannot be written there: {detail}",
                                         retry=False) from None
    return path


def _create_at(tmp: Path) -> None:
    from scrutiny_desktop.storage import migrate

    try:
        conn = sqlite3.connect(str(tmp))
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.commit()
        conn.close()
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(str(tmp)))
        try:
            Base.metadata.create_all(engine)
            migrate.stamp_head(engine)
        finally:
            engine.dispose()
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def save_copy(doc: Document, target: Path | str) -> Path:
    """``VACUUM INTO`` a clean single file (deleted text purged)."""
    target = Path(target).expanduser()
    if target.resolve() == doc.path.resolve():
        raise errors.InvalidInput("Choose a different file from the one that is open.")
    tmp = target.with_name(f".{target.name}.copying-{os.getpid()}")
    if tmp.exists():
        tmp.unlink()
    conn = sqlite3.connect(ro_uri(doc.path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("VACUUM INTO ?", (str(tmp),))
    except sqlite3.Error as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise errors.DocumentWriteFailed(target, str(exc)) from None
    finally:
        conn.close()
    os.replace(tmp, target)
    return target


def timestamp_for_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return now.strftime("%Y%m%d-%H%M%S")
