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
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import stat
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scrutiny_desktop import errors
from scrutiny_desktop.atomic import atomic_path
from scrutiny_desktop.storage import lockfile
from scrutiny_desktop.storage.models import Base
from scrutiny_desktop.storage.sqlite_errors import (
    SQLITE_READONLY_ROLLBACK,
    SqliteProblem,
    classify,
    is_busy,
    result_code,
)
from scrutiny_desktop.text import stamp_for_name

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


#: Held while this process has a Python-level file descriptor open on a document,
#: and for the whole of every write transaction.  POSIX drops *all* of a process's
#: fcntl locks on a file when *any* descriptor of it is closed, so a header read on
#: a library thread must never close a descriptor while a write transaction of this
#: process holds SQLite's lock on the same file ("How To Corrupt An SQLite Database
#: File", section 2.2).  Short-held; never held while waiting for anything else.
RAW_FD_LOCK = threading.RLock()


def _describe_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check_mode(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise errors.NotAFile(path)
    if not stat.S_ISREG(mode):
        raise errors.NotARegularFile(path, _describe_kind(mode))


def check_path(path: Path | str, *, display: Path | None = None) -> os.stat_result:
    """The path names a regular file that exists (looked at with ``os.stat`` only, so
    nothing blocks on a named pipe or a device).  Raises the matching typed error."""
    path = Path(path)
    shown = display or path
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise errors.DocumentNotFound(shown) from None
    except PermissionError:
        raise errors.DocumentUnreadable(shown) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise errors.LinkLoop(shown) from None
        if exc.errno in (errno.ENOTDIR, errno.ENAMETOOLONG):
            raise errors.DocumentNotFound(shown) from None
        raise errors.DocumentCorrupt(shown, f"it cannot be read: {exc.strerror}") from None
    _check_mode(shown, st.st_mode)
    return st


def _read_head(path: Path, shown: Path) -> tuple[bytes, int]:
    """The first 100 bytes and the size, read without blocking (the mode is checked
    again on the open descriptor, in case the file was swapped since ``stat``)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) \
        | getattr(os, "O_BINARY", 0)
    with RAW_FD_LOCK:
        try:
            fd = os.open(path, flags)
        except PermissionError:
            raise errors.DocumentUnreadable(shown) from None
        except FileNotFoundError:
            raise errors.DocumentNotFound(shown) from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise errors.LinkLoop(shown) from None
            raise errors.DocumentCorrupt(shown, f"it cannot be read: {exc.strerror}") from None
        try:
            st = os.fstat(fd)
            _check_mode(shown, st.st_mode)
            head = os.read(fd, 100)
        except PermissionError:
            raise errors.DocumentUnreadable(shown) from None
        except OSError as exc:
            raise errors.DocumentCorrupt(shown, f"it cannot be read: {exc.strerror}") from None
        finally:
            os.close(fd)
    return head, st.st_size


def _sniff(path: Path, shown: Path) -> tuple[bytes, int]:
    """The path is a readable regular file that starts like a SQLite database: its
    first 100 bytes and its size.  (Nothing here depends on a save having finished:
    the first 16 bytes never change.)"""
    check_path(path, display=shown)
    head, size = _read_head(path, shown)
    if size == 0:
        raise errors.NotADocument(shown, "empty (0 bytes), not a Scrutiny Desktop document")
    if not head.startswith(_SQLITE_MAGIC):
        for magic, what in _KNOWN_MAGIC:
            if head.startswith(magic):
                raise errors.NotADocument(shown, f"{what}, not a Scrutiny Desktop document")
        raise errors.NotADocument(shown)
    return head, size


def read_header(path: Path, *, display: Path | None = None) -> Header:
    """Check the path and the SQLite header without opening the database.

    ``display`` is the name used in messages when ``path`` is a private copy.
    """
    path = Path(path)
    shown = display or path
    head, size = _sniff(path, shown)
    if len(head) < 100:
        raise errors.DocumentCorrupt(shown, "the file is cut short")
    (page_size,) = struct.unpack(">H", head[16:18])
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", head[24:32])
    (valid_for,) = struct.unpack(">I", head[92:96])
    (user_version,) = struct.unpack(">I", head[60:64])
    (application_id,) = struct.unpack(">I", head[68:72])
    valid = valid_for == change_counter and page_count > 0
    if page_size < 512 or page_size & (page_size - 1):
        raise errors.DocumentCorrupt(shown, "the file header is damaged")
    if valid and size < page_size * page_count:
        raise errors.DocumentCorrupt(shown, "the file is cut short")
    return Header(page_size, page_count, valid, user_version, application_id)


def _is_wal_head(head: bytes) -> bool:
    """Bytes 18-19 of the header say WAL mode (another program switched it)."""
    return len(head) >= 20 and head[18:20] == b"\x02\x02"


def _is_wal(path: Path) -> bool:
    """True for a file another program switched to WAL mode (bytes 18-19 of the header)."""
    try:
        head, _size = _read_head(path, path)
    except errors.DocumentError:
        return False
    return _is_wal_head(head)


def ro_uri(path: Path) -> str:
    # A WAL-mode file would make even a read-only reader create -wal and -shm
    # files beside it; "immutable" reads it without touching anything.
    extra = "&immutable=1" if _is_wal(path) else ""
    return path.resolve().as_uri() + "?mode=ro" + extra


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _sidecar_size(path: Path) -> int:
    try:
        st = os.stat(path)
    except OSError:
        return 0
    return st.st_size if stat.S_ISREG(st.st_mode) else 0


def has_journal(path: Path) -> bool:
    """A rollback journal beside the document: a save in progress, or one interrupted."""
    return _sidecar_size(journal_path(path)) > 0


def _journal_may_be_hot(path: Path) -> bool:
    """SQLite's own rule: a journal is a candidate for rollback when it is there, not
    empty and its first byte is not zero.  (In synchronous=FULL mode SQLite writes the
    journal header with its magic number zeroed and fills it in only when the journal
    is safely on disk, just before it changes the database: a crash before that leaves
    a zero-header journal and an untouched database.)"""
    if _sidecar_size(journal_path(path)) == 0:
        return False
    try:
        fd = os.open(journal_path(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError:
        return False
    try:
        first = os.read(fd, 1)
    except OSError:
        return False
    finally:
        os.close(fd)
    return first not in (b"", b"\x00")


# SQLite's lock bytes (os_unix.c): PENDING, RESERVED, then the SHARED range.
_PENDING_BYTE = 0x40000000
_LOCK_RANGE = 2 + 510


def _other_process_writing(path: Path) -> bool | None:
    """Does another process hold SQLite's RESERVED, PENDING or EXCLUSIVE lock on the file?

    Asked with ``fcntl(F_GETLK)``, which takes no lock and changes nothing.  It cannot
    see locks of this process (SQLite's own in-process bookkeeping covers those, see
    :func:`probe`).  None where the question cannot be asked this way.
    """
    if not sys.platform.startswith("linux") or struct.calcsize("P") != 8:
        return None
    import fcntl

    layout = "hhqqi4x"  # struct flock on 64-bit Linux
    query = struct.pack(layout, fcntl.F_RDLCK, os.SEEK_SET, _PENDING_BYTE, _LOCK_RANGE, 0)
    with RAW_FD_LOCK:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        except OSError:
            return None
        finally:
            os.close(fd)
    return struct.unpack(layout, answer)[0] != fcntl.F_UNLCK


#: What :func:`probe` finds beside a document.
CLEAN, HOT_JOURNAL, WAL_LEFTOVERS, WRITER = "clean", "hot journal", "wal leftovers", "writer"


def _probe_once(path: Path) -> str:
    try:
        head, _size = _read_head(path, path)
    except errors.DocumentError:
        return CLEAN  # the checks that follow say what is wrong
    if _is_wal_head(head):
        return WAL_LEFTOVERS if _sidecar_size(wal_path(path)) > 0 else CLEAN
    if _other_process_writing(path):
        return WRITER
    if not _journal_may_be_hot(path):
        return CLEAN  # no journal, or a harmless zero-header or empty one
    # Let SQLite judge the journal: a read-only reader that finds it hot (no connection
    # anywhere holds the RESERVED lock) stops with SQLITE_READONLY_ROLLBACK.
    conn = None
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=0,
                               isolation_level=None)
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        # SQLite read the file and did not call the journal hot, so a connection holds
        # the RESERVED lock: a save is under way.  While we hold our read lock nobody
        # can finish it, so if the journal is still there, the writer is live.
        return WRITER if _journal_may_be_hot(path) else CLEAN
    except sqlite3.OperationalError as exc:
        if result_code(exc) == SQLITE_READONLY_ROLLBACK or classify(exc) is SqliteProblem.READONLY:
            return HOT_JOURNAL
        return WRITER if is_busy(exc) else CLEAN
    except sqlite3.Error:
        return CLEAN
    finally:
        if conn is not None:
            conn.close()


def probe(path: Path | str, *, wait: float = 0.0) -> str:
    """What is beside the document, judged without writing anything:

    * ``HOT_JOURNAL``: an interrupted save that SQLite's rollback will undo;
    * ``WAL_LEFTOVERS``: a WAL-mode file with a ``-wal`` file beside it;
    * ``WRITER``: a program holds a SQLite write lock on the file right now (another
      process, seen with ``fcntl`` lock probing; or a connection of this process that
      is in the middle of a save, as SQLite itself reports it);
    * ``CLEAN``: none of those (a zero-header or empty journal is harmless).

    A writer is looked for again until ``wait`` seconds have passed (saves are short).
    """
    path = Path(path)
    deadline = time.monotonic() + wait
    while True:
        state = _probe_once(path)
        if state != WRITER or time.monotonic() >= deadline:
            return state
        time.sleep(0.05)


def _connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(ro_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA query_only = ON")
    return conn


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


def quick_check(path: Path, *, schema: bool = True, display: Path | None = None) -> None:
    """``PRAGMA quick_check`` and the schema, on a read-only connection; raises on damage."""
    shown = display or path
    try:
        conn = _connect_ro(path)
    except sqlite3.Error as exc:
        raise errors.DocumentCorrupt(shown, str(exc)) from None
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            raise errors.DocumentCorrupt(shown, "its pages failed the integrity check")
        if schema:
            _check_schema(shown, conn)
        else:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "assessments" not in names or "alembic_version" not in names:
                raise errors.DocumentCorrupt(shown, "its tables are missing")
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            raise errors.DocumentInUse(shown) from None
        if classify(exc) is SqliteProblem.READONLY and has_journal(path):
            # Only a hot journal (no live writer) makes a read-only reader fail so.
            raise errors.DocumentNeedsRecovery(shown) from None
        raise errors.DocumentCorrupt(shown, str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise errors.DocumentCorrupt(shown, str(exc)) from None
    finally:
        conn.close()


def check_header(path: Path | str, *, display: Path | None = None) -> Header:
    """The cheap checks (path, SQLite, ours, not too new) from the header alone."""
    path = Path(path)
    shown = display or path
    header = read_header(path, display=shown)
    if header.application_id != APPLICATION_ID:
        raise errors.ForeignDatabase(shown)
    if header.user_version > FORMAT_VERSION:
        raise errors.DocumentTooNew(shown, header.user_version, FORMAT_VERSION)
    if header.user_version < 1:
        raise errors.DocumentCorrupt(shown, "its format version is missing")
    return header


def inspect(path: Path | str, *, display: Path | None = None) -> Header:
    """Every read-only check, in order.  Returns the header when all pass."""
    path = Path(path)
    header = check_header(path, display=display)
    quick_check(path, schema=header.user_version == FORMAT_VERSION, display=display)
    return header


def recover(path: Path) -> Path:
    """Finish an interrupted save: keep a copy of the file and its journal, then
    let SQLite roll the unfinished change back (the standard recovery)."""
    stamp = stamp_for_name()
    backup = path.with_name(f"{path.stem}.before-recovery-{stamp}{path.suffix}")
    with RAW_FD_LOCK:
        shutil.copy2(path, backup)
    with contextlib.suppress(FileNotFoundError):  # another program finished it meanwhile
        shutil.copy2(journal_path(path), backup.with_name(backup.name + "-journal"))
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        raise errors.DocumentCorrupt(path, f"it could not be recovered ({exc})") from None
    finally:
        conn.close()
    return backup


class PrivateCopy:
    """A copy of a document (with its journal or WAL) in a private temporary folder,
    where SQLite may finish its recovery without touching the original."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="scrutiny-read-"))
        self.path = self.folder / "document.scrutiny"

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _file_stamps(path: Path) -> tuple:
    out = []
    for p in (path, journal_path(path), wal_path(path)):
        try:
            st = os.stat(p)
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def private_copy(path: Path, *, display: Path | None = None) -> PrivateCopy:
    """Copy the document and its ``-journal`` or ``-wal`` to a private folder and let
    SQLite recover the copy there: the original and its sidecars stay byte for byte."""
    shown = display or path
    for _attempt in range(5):
        before = _file_stamps(path)
        copy = PrivateCopy()
        try:
            with RAW_FD_LOCK:
                shutil.copyfile(path, copy.path)
            wal = False
            for source, target in ((journal_path(path), journal_path(copy.path)),
                                   (wal_path(path), wal_path(copy.path))):
                if _sidecar_size(source) > 0:
                    shutil.copyfile(source, target)
                    wal = wal or source == wal_path(path)
            if _file_stamps(path) != before:
                copy.close()  # another program changed it while we copied: again
                time.sleep(0.05)
                continue
            conn = sqlite3.connect(str(copy.path), isolation_level=None)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls back
                if wal:
                    conn.execute("PRAGMA journal_mode = DELETE").fetchone()  # merges the WAL
            finally:
                conn.close()
            return copy
        except sqlite3.DatabaseError as exc:
            copy.close()
            raise errors.DocumentCorrupt(shown, f"it could not be recovered ({exc})") from None
        except OSError:
            copy.close()
            raise errors.DocumentNeedsRecovery(shown) from None
        except BaseException:
            copy.close()
            raise
    raise errors.DocumentInUse(shown)


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
        if is_busy(exc):
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
    """An open assessment document.  Services take one of these.

    ``path`` is the user's file; ``db_path`` is where SQLite reads it, which is a
    private recovered copy when a read-only document had an interrupted save (use
    ``raw()`` or ``db_path`` for any direct SQLite connection, never ``path``).
    """

    def __init__(self, path: Path, engine: Engine, *, readonly: bool, readonly_reason: str = "",
                 actor: str = "", lock: lockfile.LockFile | None = None,
                 format_version: int = FORMAT_VERSION, backup_path: Path | None = None,
                 db_path: Path | None = None, copy: PrivateCopy | None = None):
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
        except sqlite3.OperationalError as exc:  # pragma: no cover - raw driver errors are wrapped
            raise errors.DocumentWriteFailed(self.path, str(exc),
                                             sqlite_errorcode=result_code(exc)) from None
        except Exception as exc:
            from sqlalchemy.exc import OperationalError

            if isinstance(exc, OperationalError):
                if is_busy(exc):
                    raise errors.DocumentInUse(self.path) from None
                raise errors.DocumentWriteFailed(self.path, str(exc.orig),
                                                 sqlite_errorcode=result_code(exc)) from None
            raise

    def raw(self) -> sqlite3.Connection:
        """A plain read-only sqlite3 connection (for integrity checks, other threads)."""
        return _connect_ro(self.db_path)

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self._copy is not None:
            self._copy.close()
            self._copy = None

    def __enter__(self) -> "Document":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _in_use(path: Path, exc: lockfile.LockHeld) -> errors.DocumentInUse:
    return errors.DocumentInUse(path, exc.holder.describe(), holder_info=exc.holder,
                                can_take_over=exc.can_take_over)


def open_document(path: Path | str, *, readonly: bool = False, actor: str = "",
                  lock: bool = False, detect_writer: bool = False,
                  take_over: bool = False) -> Document:
    """Open a document after every safety check.

    ``readonly`` asks for read-only access; a file that cannot be written opens
    read-only anyway, with the reason in ``Document.readonly_reason``.
    ``lock`` takes the editing lock (the app does; one-shot commands need not);
    ``take_over`` (with ``lock``) replaces a lock from another computer.
    ``detect_writer`` reports a file that another program is writing even when
    opening read-only (``check`` uses it; nothing is written to find out).
    An interrupted save is recovered first (see the module notes); the document
    says so in ``recovered_interrupted_save`` and ``recovery_message``.
    """
    path = Path(path).expanduser()
    head, _size = _sniff(path, path)
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
        state = probe(path, wait=BUSY_TIMEOUT_MS / 1000 if (editable or detect_writer) else 0.0)
        if state == WRITER and (editable or detect_writer):
            raise errors.DocumentInUse(path)
        recovered_backup = None
        recovered = False
        ours = struct.unpack(">I", head[68:72])[0] == APPLICATION_ID if len(head) >= 72 else False
        if state == HOT_JOURNAL and editable and ours:
            recovered_backup = recover(path)
            recovered = True
        elif state == HOT_JOURNAL or (state == WAL_LEFTOVERS and not editable):
            copy = private_copy(path)
            recovered = state == HOT_JOURNAL
        if copy is not None and editable:  # (only for a file that is not ours at all)
            editable, reason = False, "an interrupted save could not be recovered in place"
        db_path = copy.path if copy is not None else path
        header = inspect(db_path, display=path)
        if editable:
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
        engine = _make_engine(db_path, readonly=not editable)
        doc = Document(path, engine, readonly=not editable, readonly_reason=reason or "",
                       actor=actor, lock=acquired.lock, backup_path=backup, db_path=db_path,
                       copy=copy)
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


def create_document(path: Path | str, *, overwrite: bool = False) -> Path:
    """Create an empty document with the current schema, stamped at head.

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
            _create_at(tmp)
    except FileExistsError:
        raise FileExistsError(f"{path} already exists. Choose another name.") from None
    except (sqlite3.Error, SQLAlchemyError) as exc:
        detail = getattr(exc, "orig", None) or exc
        raise errors.DocumentWriteFailed(path, f"it cannot be written there: {detail}",
                                         retry=False, sqlite_errorcode=result_code(exc)) from None
    return path


def _create_at(tmp: Path) -> None:
    from scrutiny_desktop.storage import migrate

    conn = sqlite3.connect(str(tmp))
    try:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.commit()
    finally:
        conn.close()
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(str(tmp)))
    try:
        Base.metadata.create_all(engine)
        migrate.stamp_head(engine)
    finally:
        engine.dispose()


def save_copy(doc: Document, target: Path | str) -> Path:
    """``VACUUM INTO`` a clean single file (deleted text purged), written under a
    temporary name and given the target's name only when complete
    (:func:`scrutiny_desktop.atomic.atomic_path`)."""
    target = Path(target).expanduser()
    if target.resolve() == doc.path.resolve():
        raise errors.InvalidInput("Choose a different file from the one that is open.")
    with atomic_path(target, tag="copying") as tmp:
        conn = sqlite3.connect(ro_uri(doc.db_path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("VACUUM INTO ?", (str(tmp),))
        except sqlite3.Error as exc:
            raise errors.DocumentWriteFailed(target, str(exc),
                                             sqlite_errorcode=result_code(exc)) from None
        finally:
            conn.close()
    return target

