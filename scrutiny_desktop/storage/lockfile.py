"""The editing lock: a small file beside an open document.

SQLite locks last only for a transaction, so two people could otherwise edit
one document on a shared folder at once.  While the app has a document open
for editing it keeps ``.~lock.NAME#`` beside it (the convention office suites
use), naming who holds it: user, computer, process id, since when, and (on
Linux) the process's boot id and start time.

Rules (see :func:`acquire`):

* The lock is created atomically: the JSON is written and fsynced under a
  temporary name, then hard-linked to the lock name, which fails if the name is
  taken, so two openers can never both succeed, and no reader ever sees a
  half-written lock.  (A file system without hard links gets an exclusive
  create, write and fsync instead.)
* A lock naming this computer is *live* only while the process that wrote it
  is running Scrutiny Desktop.  With the start time recorded in the lock, that
  is exact: the same process id with the same start time since the same boot.
  For a lock without it, the process must be running and its command line
  (``/proc/PID/cmdline``) must mention "scrutiny" -- the ``scrutiny-desktop``
  executable, ``python -m scrutiny_desktop``, the packaged bundle; where there
  is no ``/proc`` a running process counts as live.  Any other lock naming this
  computer is *stale*: it is replaced, and the caller is told whose it was.
* A lock from another computer cannot be checked from here: the document is in
  use, but the person may take over editing (:func:`acquire` with
  ``take_over=True``), which replaces the lock atomically.
* A 0-byte or unreadable lock is stale (after a short wait, in case a
  computer without hard links is in the middle of writing it).
* Releasing removes the lock only if it is still exactly the one we wrote.

All changes to a folder's lock files happen while holding an advisory lock
(``flock``) on the folder, so processes on this computer take turns; the
kernel drops it if a process dies, so it can never be left behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import getpass
import json
import os
import secrets
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scrutiny_desktop.atomic import atomic_write, fsync_folder
from scrutiny_desktop.text import local_time_text

#: How long an unreadable lock may be "being written" before it counts as stale.
UNREADABLE_GRACE_S = 0.15
#: How long to wait for another process on this computer to finish changing a lock.
GUARD_WAIT_S = 2.0


def lock_path(document: Path) -> Path:
    """Beside the real file (links followed), so every way of reaching it finds one lock."""
    real = Path(os.path.realpath(document))
    return real.with_name(f".~lock.{real.name}#")


def _hostname() -> str:
    # gethostname() reads the local name; it opens no connection.
    return socket.gethostname()


def _username() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser raises various errors when unset
        return "unknown"


def this_user_on_this_computer(user: str = "") -> str:
    """"ann on PC-12": how a lock or an audit entry names this person and computer."""
    return f"{user or _username()} on {_hostname()}"


@dataclass(frozen=True)
class Holder:
    """Who a lock file says holds the document."""

    user: str
    host: str
    pid: int
    since: str
    #: "BOOT_ID:START_TICKS" of the process (Linux), or "" when not recorded.
    process: str = ""

    @property
    def readable(self) -> bool:
        return bool(self.user or self.host)

    def describe(self) -> str:
        """"alex on PC-12 since 05 January 2026 09:30" (or "an unreadable lock file")."""
        if not self.readable:
            return "an unreadable lock file"
        when = ""
        with contextlib.suppress(ValueError, OverflowError, OSError):
            when = " since " + local_time_text(dt.datetime.fromisoformat(self.since))
        return f"{self.user} on {self.host}{when}"

    def on_this_computer(self) -> bool:
        return self.host.casefold() == _hostname().casefold()


#: What an unreadable (0-byte, truncated, not JSON) lock file is reported as.
UNREADABLE = Holder("", "", 0, "")


class LockHeld(Exception):
    """The lock belongs to someone else (raised by :func:`acquire`)."""

    def __init__(self, holder: Holder, can_take_over: bool):
        super().__init__(holder.describe())
        self.holder = holder
        self.can_take_over = can_take_over


# -- processes ---------------------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)
            return True
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


_PROC = Path("/proc")


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) from /proc/PID/stat, or None."""
    try:
        text = (_PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except (OSError, ValueError):
        return None
    # The command name (field 2) is in parentheses and may contain spaces.
    fields = text[text.rfind(")") + 2:].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]


def _boot_id() -> str:
    try:
        return (_PROC / "sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def process_identity(pid: int) -> str:
    """"BOOT_ID:START_TICKS" for a process, or "" where /proc is not available."""
    stat = _proc_stat(pid)
    boot = _boot_id()
    if stat is None or not boot:
        return ""
    return f"{boot}:{stat[1]}"


def _cmdline(pid: int) -> str | None:
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\x00", b" ").decode("utf-8", "replace")


def is_app_process(holder: Holder) -> bool:
    """Is the process a lock on this computer names still running Scrutiny Desktop?"""
    if holder.pid <= 0 or not _pid_alive(holder.pid):
        return False
    if _PROC.is_dir():
        stat = _proc_stat(holder.pid)
        if stat is None:
            # Gone since the check above -- or hidden from us (/proc mounted with hidepid):
            # a process we cannot look at is given the benefit of the doubt.
            return _pid_alive(holder.pid)
        if stat[0] in ("Z", "X"):  # a zombie waiting to be reaped: its locks are gone
            return False
        if holder.process:
            return process_identity(holder.pid) == holder.process
        cmdline = _cmdline(holder.pid)
        return cmdline is not None and "scrutiny" in cmdline.casefold()
    return True  # no /proc (macOS, Windows): a running process is given the benefit of the doubt


# -- reading ---------------------------------------------------------------------------

def _parse(data: bytes) -> Holder | None:
    try:
        raw = json.loads(data.decode("utf-8"))
        holder = Holder(str(raw["user"]), str(raw["host"]), int(raw["pid"]), str(raw["since"]),
                        str(raw.get("process", "")))
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError, RecursionError):
        return None
    return holder if holder.host else None


def _read(path: Path) -> tuple[bytes, int] | None:
    """The lock's bytes and inode, or None when there is no lock.  A lock that is there
    but cannot be read (no permission, not a file) reads as empty: unreadable."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    except OSError:
        try:
            return b"", os.lstat(path).st_ino
        except FileNotFoundError:
            return None
    try:
        inode = os.fstat(fd).st_ino
        try:
            data = os.read(fd, 64 * 1024)
        except OSError:  # a folder, say
            data = b""
    finally:
        os.close(fd)
    return data, inode


def read_holder(document: Path) -> Holder | None:
    """Who the lock file names, or None if there is none or it cannot be read."""
    try:
        found = _read(lock_path(document))
    except OSError:
        return None
    return None if found is None else _parse(found[0])


#: Lock files held by Documents open in this process (resolved lock paths).
_HELD_HERE: set[str] = set()
_HELD_HERE_LOCK = threading.Lock()


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _held_here(path: Path) -> bool:
    with _HELD_HERE_LOCK:
        return _key(path) in _HELD_HERE


def _judge(holder: Holder, path: Path) -> str:
    """"live" (a running Scrutiny Desktop here, this process included), "foreign"
    (another computer: cannot be checked) or "stale"."""
    if not holder.on_this_computer():
        return "foreign"
    if holder.pid == os.getpid() and (not holder.process or holder.process == process_identity(os.getpid())):
        return "live" if _held_here(path) else "stale"
    return "live" if is_app_process(holder) else "stale"


def current_holder(document: Path) -> Holder | None:
    """Who else holds the document, or None (no lock, our own, or stale)."""
    holder = read_holder(document)
    if holder is None:
        return None
    if holder.on_this_computer() and (holder.pid == os.getpid() or not is_app_process(holder)):
        return None
    return holder


# -- writing ------------------------------------------------------------------------

@contextlib.contextmanager
def _folder_guard(folder: Path) -> Iterator[None]:
    """Processes on this computer take turns at changing the folder's lock files.

    ``flock`` on the folder itself: nothing is created, and the kernel releases it
    when the process ends.  Where the file system does not support it the lock
    files' own atomic creation still prevents two editors.
    """
    fd = None
    if os.name == "posix" and hasattr(os, "O_DIRECTORY"):
        import fcntl

        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        if fd is not None:
            deadline = time.monotonic() + GUARD_WAIT_S
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.005)
                except OSError:
                    break
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # releases the flock


def _our_data() -> bytes:
    data = {
        "user": _username(),
        "host": _hostname(),
        "pid": os.getpid(),
        "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "process": process_identity(os.getpid()),
    }
    return json.dumps(data).encode("utf-8")


def _write_fully(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _hide(path: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x02)  # hidden


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (FileExistsError if it is there), write and fsync ``data``; on any
    failure the half-written file is removed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    try:
        _write_fully(fd, data)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)


def _write_temp(path: Path, data: bytes) -> Path:
    """``data`` written and fsync'd under a unique temporary name beside ``path``."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    _write_new(tmp, data)
    return tmp


def _create_exclusive(path: Path, data: bytes) -> bool:
    """Create the lock with ``data``, atomically.  False if the name is already taken.

    Raises OSError if it cannot be written at all (no file is left behind then).
    """
    tmp = _write_temp(path, data)
    try:
        try:
            os.link(tmp, path)
            with contextlib.suppress(OSError):  # the lock is taken; durability is a bonus
                fsync_folder(path.parent)
            return True
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                                 errno.EMLINK, errno.ENOSYS, errno.EACCES):
                raise
        # No hard links here (FAT, some network shares): create, write, fsync.
        try:
            _write_new(path, data)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _replace(path: Path, data: bytes) -> None:
    """Put our lock in place of whatever is there, atomically (written and fsynced under a
    temporary name, renamed over it, the folder fsynced: :func:`atomic_write`)."""
    with atomic_write(path) as fh:
        fh.write(data)


class LockFile:
    """Our lock on one document; :meth:`release` removes it if it is still ours."""

    def __init__(self, path: Path, data: bytes):
        self.path = path
        self.data = data
        with _HELD_HERE_LOCK:
            _HELD_HERE.add(_key(path))

    def release(self) -> None:
        with _HELD_HERE_LOCK:
            _HELD_HERE.discard(_key(self.path))
        with _folder_guard(self.path.parent), contextlib.suppress(OSError):
            found = _read(self.path)
            if found is not None and found[0] == self.data:
                os.unlink(self.path)


@dataclass(frozen=True)
class Acquired:
    """The result of :func:`acquire`: our lock, and whose lock it replaced (if any)."""

    lock: LockFile | None
    #: A stale lock that was cleared (a crashed or unrelated process, or unreadable).
    cleared_stale: Holder | None = None
    #: A live or unverifiable lock replaced because the person chose to take over.
    took_over_from: Holder | None = None


def _settled_read(path: Path) -> tuple[bytes, int, Holder | None] | None:
    """Read the lock; an unreadable one is read again for a moment, in case it is being
    written by a computer without hard links."""
    deadline = time.monotonic() + UNREADABLE_GRACE_S
    while True:
        found = _read(path)
        if found is None:
            return None
        holder = _parse(found[0])
        if holder is not None or time.monotonic() > deadline:
            return found[0], found[1], holder
        time.sleep(0.03)


def acquire(document: Path, *, take_over: bool = False) -> Acquired:
    """Take the editing lock of ``document``.

    Raises :class:`LockHeld` if someone else holds it (with ``can_take_over`` for a
    lock from another computer).  With ``take_over`` a lock from another computer
    (or any lock not held by a live Scrutiny Desktop process on this computer) is
    replaced.  Returns ``Acquired(lock=None)`` if the lock cannot be written at all
    (a full disk, say); nothing is left behind then.
    """
    path = lock_path(document)
    data = _our_data()
    for _attempt in range(20):
        with _folder_guard(path.parent):
            try:
                found = _settled_read(path)
            except OSError:  # the folder cannot even be looked into: no lock can be kept
                return Acquired(None)
            if found is None:
                try:
                    created = _create_exclusive(path, data)
                except OSError:
                    return Acquired(None)
                if created:
                    _hide(path)
                    return Acquired(LockFile(path, data))
                continue  # someone (on another computer) got in first: look again
            raw, inode, holder = found
            if holder is None:
                verdict = "stale"
            else:
                verdict = _judge(holder, path)
                if verdict == "live":
                    raise LockHeld(holder, can_take_over=False)
                if verdict == "foreign" and not take_over:
                    raise LockHeld(holder, can_take_over=True)
            # Stale, or taken over: replace exactly the lock we judged.
            if _read(path) != (raw, inode):
                continue
            try:
                _replace(path, data)
            except OSError:
                return Acquired(None)
            _hide(path)
            lock = LockFile(path, data)
            if verdict == "stale":
                return Acquired(lock, cleared_stale=holder or UNREADABLE)
            return Acquired(lock, took_over_from=holder)
    raise LockHeld(read_holder(document) or UNREADABLE, can_take_over=False)
