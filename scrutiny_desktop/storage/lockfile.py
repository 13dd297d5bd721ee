"""The editing lock: a small file beside an open document.

SQLite locks last only for a transaction, so two people could otherwise edit
one document on a shared folder at once.  While the app has a document open
for editing it keeps ``.~lock.NAME#`` beside it (the convention office suites
use), naming who holds it.  A lock left by a process on this computer that is
no longer running is stale and is replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path


def lock_path(document: Path) -> Path:
    return document.with_name(f".~lock.{document.name}#")


def _hostname() -> str:
    # gethostname() reads the local name; it opens no connection.
    return socket.gethostname()


@dataclass(frozen=True)
class Holder:
    user: str
    host: str
    pid: int
    since: str

    def describe(self) -> str:
        when = ""
        with contextlib.suppress(ValueError):
            when = dt.datetime.fromisoformat(self.since).astimezone().strftime(" since %d %B %Y %H:%M")
        return f"{self.user} on {self.host}{when}"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows only
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
    return True


def read_holder(document: Path) -> Holder | None:
    try:
        data = json.loads(lock_path(document).read_text(encoding="utf-8"))
        return Holder(str(data["user"]), str(data["host"]), int(data["pid"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def current_holder(document: Path) -> Holder | None:
    """Who else holds the document, or None (no lock, our own, or stale)."""
    holder = read_holder(document)
    if holder is None:
        return None
    if holder.host == _hostname():
        if holder.pid == os.getpid() or not _pid_alive(holder.pid):
            return None
    return holder


class LockFile:
    def __init__(self, path: Path):
        self.path = path

    def release(self) -> None:
        holder = None
        with contextlib.suppress(OSError, ValueError):
            holder = json.loads(self.path.read_text(encoding="utf-8"))
        if holder and holder.get("pid") == os.getpid() and holder.get("host") == _hostname():
            with contextlib.suppress(OSError):
                self.path.unlink()


def acquire(document: Path) -> LockFile | None:
    """Write our lock beside the document.  Returns None if it cannot be written."""
    path = lock_path(document)
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser raises various errors when unset
        user = "unknown"
    data = {
        "user": user,
        "host": _hostname(),
        "pid": os.getpid(),
        "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    try:
        path.write_text(json.dumps(data), encoding="utf-8")
    except OSError:
        return None
    if os.name == "nt":  # pragma: no cover
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x02)  # hidden
    return LockFile(path)
