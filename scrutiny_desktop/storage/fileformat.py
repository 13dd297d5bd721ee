"""The file on disk, judged before (and without) opening it as a document.

Everything here only reads, or works on a private copy:

* ``check_path`` and ``read_header``: the path (``os.stat`` only, so a named pipe
  can never block us), the SQLite header, and what other kinds of file look like;
* ``probe``: what a crash may have left beside the file, judged the way SQLite
  judges it -- a hot journal (an interrupted save), WAL leftovers, or a live
  writer (a program that holds a SQLite lock on the file right now);
* ``check_header``, ``quick_check`` and ``inspect``: ours, not too new, and sound;
* ``recover`` (in place, after keeping a copy) and ``private_copy`` (a temporary
  copy with the crash rolled back, for read-only viewers and ``check``).

An encrypted document (SQLCipher 4, see :mod:`.sqlite`) has no readable header:
``is_encrypted`` recognises one, ``check_passphrase`` tests a passphrase without
writing a byte, and the functions that connect take the ``passphrase`` (None for
a plain document) and read the header values with SQL once it is unlocked.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from scrutiny_desktop import errors
from scrutiny_desktop.storage.models import Base
from scrutiny_desktop.storage.sqlite import (
    CIPHER_PAGE_SIZE,
    DATABASE_ERRORS,
    DB_ERRORS,
    OPERATIONAL_ERRORS,
    Connection,
    connect,
)
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
FORMAT_VERSION = 6
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

    @property
    def page_size_sound(self) -> bool:
        return self.page_size >= 512 and not self.page_size & (self.page_size - 1)

    def cut_short(self, size: int) -> bool:
        """Whether a file of ``size`` bytes is shorter than its header says."""
        return self.page_count_valid and size < self.page_size * self.page_count


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


def sniff(path: Path, shown: Path, *, allow_encrypted: bool = False) -> tuple[bytes, int]:
    """The path is a readable regular file that starts like a SQLite database (or, with
    ``allow_encrypted``, like an encrypted one: see :func:`is_encrypted`): its first 100
    bytes and its size.  (Nothing here depends on a save having finished: the first 16
    bytes never change.)"""
    check_path(path, display=shown)
    head, size = _read_head(path, shown)
    if size == 0:
        raise errors.NotADocument(shown, "empty (0 bytes), not a Scrutiny Desktop document")
    if not head.startswith(_SQLITE_MAGIC):
        for magic, what in _KNOWN_MAGIC:
            if head.startswith(magic) and not (allow_encrypted and is_encrypted(path)):
                raise errors.NotADocument(shown, f"{what}, not a Scrutiny Desktop document")
        if is_encrypted(path):
            if allow_encrypted:
                return head, size
            raise errors.PassphraseNeeded(shown)  # a check that cannot take a passphrase
        raise errors.NotADocument(shown)
    return head, size


def _looks_encrypted(page: bytes, size: int) -> bool:
    """SQLCipher's standard layout: no SQLite magic (the first 16 bytes are the random
    salt), a whole number of pages, no other known kind of file, and a first page that
    looks like ciphertext (no 16-byte block repeats, as none does in random bytes; a
    patterned or mostly empty file is not taken for an encrypted document)."""
    if page.startswith(_SQLITE_MAGIC) or size == 0 or size % CIPHER_PAGE_SIZE:
        return False
    if len(page) < CIPHER_PAGE_SIZE:
        return False
    blocks = {page[i:i + 16] for i in range(0, CIPHER_PAGE_SIZE, 16)}
    if len(blocks) != CIPHER_PAGE_SIZE // 16:
        return False
    # The app never gives a new file a salt that starts like another kind of file; one
    # made by another SQLCipher tool may, by chance, start like a text file ("{"), but
    # then its first page is not text.
    for magic, _what in _KNOWN_MAGIC:
        if page.startswith(magic):
            if magic != b"{":
                return False
            try:
                page.decode("utf-8")
            except UnicodeDecodeError:
                return True
            return False
    return True


def is_encrypted(path: Path | str) -> bool:
    """Is the file an encrypted (SQLCipher) document?  Read without blocking or
    writing; False for anything that cannot be read (the usual checks say why)."""
    start = read_start(path, CIPHER_PAGE_SIZE)
    return start is not None and _looks_encrypted(start[0], start[1].st_size)


def read_header(path: Path, *, display: Path | None = None) -> Header:
    """Check the path and the SQLite header without opening the database.

    ``display`` is the name used in messages when ``path`` is a private copy.
    """
    path = Path(path)
    shown = display or path
    head, size = sniff(path, shown)
    if len(head) < 100:
        raise errors.DocumentCorrupt(shown, "the file is cut short")
    header = header_fields(head)
    if not header.page_size_sound:
        raise errors.DocumentCorrupt(shown, "the file header is damaged")
    if header.cut_short(size):
        raise errors.DocumentCorrupt(shown, "the file is cut short")
    return header


def header_fields(head: bytes) -> Header:
    """The values in the first 100 bytes of a SQLite file, as they are (unchecked)."""
    (page_size,) = struct.unpack(">H", head[16:18])
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", head[24:32])
    (valid_for,) = struct.unpack(">I", head[92:96])
    (user_version,) = struct.unpack(">I", head[60:64])
    (application_id,) = struct.unpack(">I", head[68:72])
    return Header(page_size, page_count, valid_for == change_counter and page_count > 0,
                  user_version, application_id)


#: Read only, never waiting on a named pipe, not inherited by child processes.
_READ_START_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)


def read_start(path: Path | str, size: int) -> tuple[bytes, os.stat_result] | None:
    """The first ``size`` bytes of a regular file and its status, read without
    blocking or writing; None for anything that cannot be read so (the full checks
    then say why)."""
    with RAW_FD_LOCK:  # see RAW_FD_LOCK: never close a descriptor during a save
        try:
            fd = os.open(path, _READ_START_FLAGS)
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None
            return os.read(fd, size), st
        except OSError:
            return None
        finally:
            os.close(fd)


def _is_wal_head(head: bytes) -> bool:
    """Bytes 18-19 of the header say WAL mode (another program switched it).  (Never
    for an encrypted document, whose header is not readable.)"""
    return head.startswith(_SQLITE_MAGIC) and len(head) >= 20 and head[18:20] == b"\x02\x02"


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


def _probe_once(path: Path, passphrase: str | None = None) -> str:
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
        conn = connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=0,
                       isolation_level=None, passphrase=passphrase)
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        # SQLite read the file and did not call the journal hot, so a connection holds
        # the RESERVED lock: a save is under way.  While we hold our read lock nobody
        # can finish it, so if the journal is still there, the writer is live.
        return WRITER if _journal_may_be_hot(path) else CLEAN
    except OPERATIONAL_ERRORS as exc:
        if result_code(exc) == SQLITE_READONLY_ROLLBACK or classify(exc) is SqliteProblem.READONLY:
            return HOT_JOURNAL
        return WRITER if is_busy(exc) else CLEAN
    except DB_ERRORS:
        return CLEAN
    finally:
        if conn is not None:
            conn.close()


def probe(path: Path | str, *, wait: float = 0.0, passphrase: str | None = None) -> str:
    """What is beside the document, judged without writing anything:

    * ``HOT_JOURNAL``: an interrupted save that SQLite's rollback will undo;
    * ``WAL_LEFTOVERS``: a WAL-mode file with a ``-wal`` file beside it;
    * ``WRITER``: a program holds a SQLite write lock on the file right now (another
      process, seen with ``fcntl`` lock probing; or a connection of this process that
      is in the middle of a save, as SQLite itself reports it);
    * ``CLEAN``: none of those (a zero-header or empty journal is harmless).

    A writer is looked for again until ``wait`` seconds have passed (saves are short).
    An encrypted document's journal is judged with its ``passphrase``.
    """
    path = Path(path)
    deadline = time.monotonic() + wait
    while True:
        state = _probe_once(path, passphrase)
        if state != WRITER or time.monotonic() >= deadline:
            return state
        time.sleep(0.05)


def connect_ro(path: Path, passphrase: str | None = None) -> Connection:
    conn = connect(ro_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000, passphrase=passphrase)
    conn.execute("PRAGMA query_only = ON")
    return conn


def check_passphrase(path: Path, passphrase: str, *, display: Path | None = None) -> None:
    """Raise ``WrongPassphrase`` unless ``passphrase`` decrypts the encrypted document at
    ``path``.  Nothing is written: the first page is read over a read-only connection,
    or, when an interrupted save must be rolled back first, in a private copy."""
    shown = display or path
    try:
        conn = connect_ro(path, passphrase)
    except DB_ERRORS as exc:
        raise errors.DocumentCorrupt(shown, f"it cannot be read: {exc}") from None
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return
    except DB_ERRORS as exc:
        problem = classify(exc)
        if problem is SqliteProblem.NOTADB:
            raise errors.WrongPassphrase(shown) from None
        if problem is not SqliteProblem.READONLY:
            return  # busy or damaged: the checks that follow say which
    finally:
        conn.close()
    private_copy(path, display=shown, passphrase=passphrase).close()  # a hot journal


def _check_schema(path: Path, conn: Connection) -> None:
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


def quick_check(path: Path, *, schema: bool = True, display: Path | None = None,
                passphrase: str | None = None) -> None:
    """``PRAGMA quick_check`` and the schema, on a read-only connection; raises on damage."""
    shown = display or path
    try:
        conn = connect_ro(path, passphrase)
    except DB_ERRORS as exc:
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
    except DATABASE_ERRORS as exc:
        raise _document_error(exc, path, shown, passphrase) from None
    finally:
        conn.close()


def _document_error(exc: Exception, path: Path, shown: Path,
                    passphrase: str | None) -> errors.DocumentError:
    """What a SQLite error met while checking a document means for the person."""
    if is_busy(exc):
        return errors.DocumentInUse(shown)
    problem = classify(exc)
    if problem is SqliteProblem.READONLY and has_journal(path):
        # Only a hot journal (no live writer) makes a read-only reader fail so.
        return errors.DocumentNeedsRecovery(shown)
    if passphrase is not None and problem is SqliteProblem.NOTADB:
        return errors.WrongPassphrase(shown)
    return errors.DocumentCorrupt(shown, str(exc))


def read_keyed_header(path: Path, passphrase: str, *, display: Path | None = None) -> Header:
    """The header values of an encrypted document, read with SQL once it is unlocked
    (its first page is ciphertext on disk)."""
    shown = display or path
    size = check_path(path, display=shown).st_size
    try:
        conn = connect_ro(path, passphrase)
    except DB_ERRORS as exc:
        raise errors.DocumentCorrupt(shown, f"it cannot be read: {exc}") from None
    try:
        values = [conn.execute(f"PRAGMA {name}").fetchone()[0] for name in
                  ("page_size", "page_count", "user_version", "application_id")]
    except DATABASE_ERRORS as exc:
        raise _document_error(exc, path, shown, passphrase) from None
    finally:
        conn.close()
    page_size, page_count, user_version, application_id = (int(v) for v in values)
    if size < CIPHER_PAGE_SIZE * page_count:
        raise errors.DocumentCorrupt(shown, "the file is cut short")
    return Header(page_size, page_count, True, user_version, application_id)


def check_header(path: Path | str, *, display: Path | None = None,
                 passphrase: str | None = None) -> Header:
    """The cheap checks (path, SQLite, ours, not too new) from the header alone (an
    encrypted document's, given its ``passphrase``, from SQL)."""
    path = Path(path)
    shown = display or path
    if passphrase is not None:
        header = read_keyed_header(path, passphrase, display=shown)
    else:
        header = read_header(path, display=shown)
    if header.application_id != APPLICATION_ID:
        raise errors.ForeignDatabase(shown)
    if header.user_version > FORMAT_VERSION:
        raise errors.DocumentTooNew(shown, header.user_version, FORMAT_VERSION)
    if header.user_version < 1:
        raise errors.DocumentCorrupt(shown, "its format version is missing")
    return header


def inspect(path: Path | str, *, display: Path | None = None,
            passphrase: str | None = None) -> Header:
    """Every read-only check, in order.  Returns the header when all pass."""
    path = Path(path)
    header = check_header(path, display=display, passphrase=passphrase)
    quick_check(path, schema=header.user_version == FORMAT_VERSION, display=display,
                passphrase=passphrase)
    return header


def recover(path: Path, passphrase: str | None = None) -> Path:
    """Finish an interrupted save: keep a copy of the file and its journal, then
    let SQLite roll the unfinished change back (the standard recovery)."""
    stamp = stamp_for_name()
    backup = path.with_name(f"{path.stem}.before-recovery-{stamp}{path.suffix}")
    with RAW_FD_LOCK:
        shutil.copy2(path, backup)
    with contextlib.suppress(FileNotFoundError):  # another program finished it meanwhile
        shutil.copy2(journal_path(path), backup.with_name(backup.name + "-journal"))
    conn = connect(path, timeout=BUSY_TIMEOUT_MS / 1000, passphrase=passphrase)
    try:
        conn.execute("PRAGMA quick_check").fetchall()
    except DB_ERRORS as exc:
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


def _file_stamps(path: Path) -> tuple[tuple[int, int, int] | None, ...]:
    """Inode, size and mtime of the file and its sidecars (None where absent)."""
    out: list[tuple[int, int, int] | None] = []
    for p in (path, journal_path(path), wal_path(path)):
        try:
            st = os.stat(p)
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def private_copy(path: Path, *, display: Path | None = None,
                 passphrase: str | None = None) -> PrivateCopy:
    """Copy the document and its ``-journal`` or ``-wal`` to a private folder and let
    SQLite recover the copy there: the original and its sidecars stay byte for byte.
    (An encrypted document's journal holds encrypted pages: it is rolled back with
    the ``passphrase``; a wrong one raises ``WrongPassphrase``.)"""
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
            conn = connect(copy.path, isolation_level=None, passphrase=passphrase)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls back
                if wal:
                    conn.execute("PRAGMA journal_mode = DELETE").fetchone()  # merges the WAL
            finally:
                conn.close()
            return copy
        except DB_ERRORS as exc:
            copy.close()
            if passphrase is not None and classify(exc) is SqliteProblem.NOTADB:
                raise errors.WrongPassphrase(shown) from None
            raise errors.DocumentCorrupt(shown, f"it could not be recovered ({exc})") from None
        except OSError:
            copy.close()
            raise errors.DocumentNeedsRecovery(shown) from None
        except BaseException:
            copy.close()
            raise
    raise errors.DocumentInUse(shown)
