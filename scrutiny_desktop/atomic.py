"""Files written all at once or not at all, and files read without surprises.

Every export (PDF, comparison PDF, JSON, CSV) and every imported document is
written through :func:`atomic_write` or :func:`atomic_path`: the bytes go to a
hidden temporary file in the target's own folder, are flushed and fsynced, and
only then take the target's name (``os.replace``, or a hard link when an
existing file must never be replaced), after which the folder itself is
fsynced so that the new name survives a power cut.  On any failure the
temporary file (and any SQLite journal beside it) is removed and the target is
left exactly as it was.

Errors from the operating system are turned into one sentence a person can act
on, naming the file and the folder (:class:`FileWriteFailed`); a source that is
not a regular file -- a folder, a named pipe, a device, a link that leads
nowhere or round in a loop -- is described as what it is
(:class:`FileReadFailed`) and is never opened, so a named pipe cannot block.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from scrutiny_desktop.errors import FileReadFailed, FileWriteFailed

__all__ = [
    "FileReadFailed",
    "FileWriteFailed",
    "atomic_path",
    "atomic_write",
    "check_source",
    "check_target",
    "describe_kind",
    "fsync_folder",
    "open_source",
    "read_error",
    "write_error",
]

#: Buffer of the file object handed out by :func:`atomic_write`.
WRITE_BUFFER = 256 * 1024

_NO_SPACE = {errno.ENOSPC} | ({errno.EDQUOT} if hasattr(errno, "EDQUOT") else set())
_DENIED = {errno.EACCES, errno.EPERM}


def _folder(path: Path) -> str:
    """The absolute folder of ``path``, as a person would look for it."""
    return os.path.abspath(str(path.parent) or ".")


def describe_kind(mode: int) -> str | None:
    """What a non-regular file is, in words ("a folder", "a named pipe (FIFO)"...); None
    for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a device"
    if stat.S_ISBLK(mode):
        return "a disk device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _link_note(path: Path) -> str:
    """" (a link to /dev/zero)" when ``path`` is a symbolic link, else ""."""
    try:
        if os.path.islink(path):
            return f" (a link to {os.readlink(path)})"
    except OSError:
        pass
    return ""


# -- turning OSError into a sentence ------------------------------------------------------

def write_error(exc: OSError, target: Path | str) -> FileWriteFailed:
    """One sentence for a failure to write ``target``: the file, its folder, what to do."""
    target = Path(target)
    name, folder = target.name or str(target), _folder(target)
    code = getattr(exc, "errno", None)
    if isinstance(exc, PermissionError) or code in _DENIED:
        text = (f"Could not write {name}: you do not have permission to write in {folder}. "
                "Choose a folder you can write to.")
    elif code in _NO_SPACE:
        text = (f"Could not write {name}: there is no space left on the disk holding {folder}. "
                "Free some space or choose another folder.")
    elif code == errno.EROFS:
        text = (f"Could not write {name}: the disk holding {folder} is read-only. "
                "Choose another folder.")
    elif code == errno.EFBIG:
        text = (f"Could not write {name}: the file is too large for the disk holding {folder}. "
                "Choose a folder on another disk.")
    elif code == errno.ENAMETOOLONG:
        text = (f"Could not write {name} in {folder}: the name is too long. "
                "Choose a shorter name or folder.")
    elif code in (errno.ENOENT, errno.ENOTDIR):
        text = (f"Could not write {name}: the folder {folder} does not exist (any more). "
                "Create it or choose another folder.")
    elif code == errno.EIO:
        text = (f"Could not write {name}: the disk holding {folder} reported an input/output "
                "error. Check the disk is still connected, or choose another folder.")
    else:
        detail = exc.strerror or " ".join(str(exc).split()) or exc.__class__.__name__
        text = (f"Could not write {name} in {folder} ({detail}). "
                "Try again, or choose another folder.")
    return FileWriteFailed(target, text, code)


def read_error(exc: OSError, source: Path | str, what: str = "file") -> FileReadFailed:
    """One sentence for a failure to read ``source``."""
    source = Path(source)
    code = getattr(exc, "errno", None)
    if code == errno.ENOENT:
        text = f"{source} does not exist. Check the name and folder."
    elif isinstance(exc, PermissionError) or code in _DENIED:
        text = (f"You do not have permission to read {source}. Ask its owner for access, "
                f"or choose a copy of the {what} that you can read.")
    elif code == errno.ELOOP:
        text = (f"{source} is a symbolic link that leads round in a loop. "
                f"Choose the {what} itself.")
    elif code == errno.ENOTDIR:
        text = f"{source} cannot be found: part of its folder path is a file, not a folder."
    elif code == errno.EISDIR:
        text = f"{source} is a folder, not a {what}. Choose a file inside it."
    elif code == errno.EIO:
        text = (f"{source} could not be read: the disk reported an input/output error. "
                "Copy it to another disk and try again.")
    else:
        detail = exc.strerror or " ".join(str(exc).split()) or exc.__class__.__name__
        text = f"{source} could not be read ({detail}). Try again, or choose a copy of the {what}."
    return FileReadFailed(source, text)


# -- sources ------------------------------------------------------------------------------

def check_source(path: Path | str, what: str = "file") -> os.stat_result:
    """The ``os.stat`` of a regular file to read, or :class:`FileReadFailed` saying what it is.

    Only metadata is looked at, so nothing blocks on a named pipe.
    """
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise FileReadFailed(path, f"{path}{_link_note(path)} is a link to a file that does "
                                       f"not exist. Choose the {what} itself.") from None
        raise FileReadFailed(path, f"{path} does not exist. Check the name and folder.") from None
    except OSError as exc:
        raise read_error(exc, path, what) from None
    kind = describe_kind(st.st_mode)
    if kind == "a folder":
        raise FileReadFailed(path, f"{path} is a folder, not a {what}. Choose a file inside it.")
    if kind:
        raise FileReadFailed(path, f"{path}{_link_note(path)} is {kind}, not a {what}. "
                                   f"Choose the {what} itself.")
    return st


def open_source(path: Path | str, what: str = "file") -> BinaryIO:
    """Open a regular file for reading in binary, never blocking on a pipe or device."""
    path = Path(path)
    check_source(path, what)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) \
        | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise read_error(exc, path, what) from None
    try:
        kind = describe_kind(os.fstat(fd).st_mode)  # swapped for a pipe since the check?
        if kind:
            raise FileReadFailed(path, f"{path} is {kind}, not a {what}. Choose the {what} itself.")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


# -- targets ------------------------------------------------------------------------------

def check_target(target: Path | str) -> Path:
    """The regular file a writer should create or replace at ``target``.

    Refuses a folder, a named pipe, a device, a link that leads nowhere or round in a
    loop, and a folder that does not exist; a link to a regular file is followed, so the
    file it points to is the one replaced.  Raises :class:`FileWriteFailed`.
    """
    target = Path(target)
    if target.name in ("", ".", ".."):
        raise FileWriteFailed(target, f"'{target}' is not a file name. Give a file name such as "
                                      "summary.pdf.")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
        if os.path.islink(target):
            raise FileWriteFailed(target, f"{target}{_link_note(target)} is a link to a file "
                                          "that does not exist. Choose another file name.") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileWriteFailed(target, f"{target} is a symbolic link that leads round in a "
                                          "loop. Remove the link or choose another file name.") from None
        if exc.errno != errno.ENOTDIR:
            raise write_error(exc, target) from None
        st = None  # reported below: the folder is not a folder
    if st is not None:
        kind = describe_kind(st.st_mode)
        if kind == "a folder":
            raise FileWriteFailed(target, f"{target} is a folder. Give a file name inside it.")
        if kind:
            raise FileWriteFailed(target, f"{target}{_link_note(target)} is {kind}, not a file. "
                                          "Choose another file name.")
        if os.path.islink(target):
            target = Path(os.path.realpath(target))
    folder = Path(_folder(target))
    try:
        fst = os.stat(folder)
    except FileNotFoundError:
        raise FileWriteFailed(target, f"Could not write {target.name}: the folder {folder} does "
                                      "not exist. Create it or choose another folder.") from None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise FileWriteFailed(target, f"Could not write {target.name}: {folder} is not a "
                                          "folder. Choose another folder.") from None
        raise write_error(exc, target) from None
    if not stat.S_ISDIR(fst.st_mode):
        raise FileWriteFailed(target, f"Could not write {target.name}: {folder} is not a folder. "
                                      "Choose another folder.")
    if not os.access(folder, os.W_OK):
        raise write_error(PermissionError(errno.EACCES, "Permission denied"), target)
    return target


def _fsync_folder(folder: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return  # Windows: a folder cannot be opened; NTFS journals the rename
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def fsync_folder(folder: Path | str) -> None:
    """Flush a folder's entries to disk, so a name just created or renamed in it survives
    a power cut (nothing to do on Windows, where NTFS journals the rename)."""
    _fsync_folder(Path(folder))


def _remove_quietly(path: Path) -> None:
    for name in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
                 path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):
            os.unlink(name)


def _exists_message(target: Path) -> str:
    return f"{target} already exists. Choose a new file name; import never replaces a file."


def _give_name(tmp: Path, target: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    # Never replace: a hard link fails if the name is taken, atomically.
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise FileExistsError(_exists_message(target)) from None
    except OSError as exc:
        if exc.errno in _NO_SPACE or exc.errno in _DENIED or exc.errno == errno.EROFS:
            raise
        # A file system without hard links (FAT, some network shares).
        if os.path.lexists(target):
            raise FileExistsError(_exists_message(target)) from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)


@contextlib.contextmanager
def atomic_path(target: Path | str, *, overwrite: bool = True, tag: str = "writing") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block ends without an error it
    becomes ``target`` (flushed to disk, then renamed, then the folder synced).

    ``overwrite=False`` never replaces an existing file (``FileExistsError`` saying so).
    On any failure the temporary file and any SQLite journal beside it are removed and
    ``OSError`` is raised as :class:`FileWriteFailed` naming ``target`` and its folder.
    """
    target = check_target(target)
    if not overwrite and os.path.lexists(target):
        raise FileExistsError(_exists_message(target))
    tmp = target.with_name(f".{target.name}.{tag}-{os.getpid()}-{secrets.token_hex(3)}")
    try:
        yield tmp
        try:
            fd = os.open(tmp, os.O_RDWR | getattr(os, "O_BINARY", 0))  # Windows fsyncs writers only
        except FileNotFoundError:
            raise FileWriteFailed(target, f"Could not write {target.name}: nothing was written "
                                          f"in {_folder(target)}. Try again.") from None
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _give_name(tmp, target, overwrite)
        _fsync_folder(target.parent)
    except (FileExistsError, FileWriteFailed):
        raise
    except OSError as exc:
        raise write_error(exc, target) from None
    finally:
        _remove_quietly(tmp)


@contextlib.contextmanager
def atomic_write(target: Path | str, *, overwrite: bool = True) -> Iterator[BinaryIO]:
    """Yield a binary file object whose bytes become ``target`` when the block ends
    without an error, and never otherwise (see :func:`atomic_path`)::

        with atomic_write(out) as fh:
            fh.write(data)
    """
    # io.open, not the builtin: the disk-full tests replace io.open alone.
    with (atomic_path(target, overwrite=overwrite) as tmp,
          io.open(tmp, "xb", buffering=WRITE_BUFFER) as fh):  # noqa: UP020
        yield fh
        fh.flush()
