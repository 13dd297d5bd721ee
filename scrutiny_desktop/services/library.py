"""Read-only summaries of documents on disk: the recent list and the library.

Listing must be quick (hundreds of files on a shared folder) and must never
change a file: it checks the header, then reads a few rows over a read-only
SQLite connection.  It never migrates, locks or writes.  Unreadable files come
back as rows carrying their error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.errors import (
    DocumentCorrupt,
    DocumentError,
    DocumentInUse,
    DocumentNotFound,
    PassphraseNeeded,
    WrongPassphrase,
)
from scrutiny_desktop.gc_pause import collector_paused
from scrutiny_desktop.storage import SUFFIX
from scrutiny_desktop.storage.fileformat import is_encrypted
from scrutiny_desktop.storage.models import Status
from scrutiny_desktop.storage.summary import StoredSummary, SummaryReader, read_summary


@dataclass(frozen=True)
class DocumentSummary:
    path: Path
    ok: bool
    error: str = ""
    missing: bool = False
    partnership: str = ""
    area: str = ""
    period: str = ""
    scrutineer: str = ""
    #: A :class:`Status` for a readable file the app wrote; "" for an unreadable one.
    status: Status | str = ""
    status_label: str = ""
    answered: int = 0
    total: int = 0
    modified_at: dt.datetime | None = None
    signed_off_at: dt.datetime | None = None
    reviewed_at: dt.datetime | None = None
    #: An encrypted document.  Read without its passphrase it comes back with ``ok``
    #: False, no ``error``, its details blank and ``status_label`` "Encrypted"; with a
    #: wrong one, ``error`` says so.
    encrypted: bool = False

    @property
    def progress_text(self) -> str:
        return f"{self.answered}/{self.total}" if self.ok else ""


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


#: How an encrypted document read without its passphrase is listed.
ENCRYPTED_LABEL = "Encrypted"


def summarise_file(path: Path | str, *, passphrase: str | None = None,
                   reader: SummaryReader | None = None) -> DocumentSummary:
    """Read a document's metadata without changing, locking or migrating it
    (:func:`scrutiny_desktop.storage.summary.read_summary`); a file that cannot be read
    comes back as a row carrying its error.  An encrypted document is read with its
    ``passphrase``; without one it is listed by name only (see ``encrypted``).  A
    ``reader`` (one thread's) makes reading many files quicker."""
    path = path if isinstance(path, Path) else Path(path)
    try:
        stored = read_summary(path, known_templates=_TEMPLATES, passphrase=passphrase,
                              reader=reader)
    except PassphraseNeeded:
        return DocumentSummary(path, ok=False, encrypted=True, status_label=ENCRYPTED_LABEL)
    except WrongPassphrase as exc:
        return DocumentSummary(path, ok=False, encrypted=True, status_label=ENCRYPTED_LABEL,
                               error=str(exc))
    except DocumentNotFound:
        return DocumentSummary(path, ok=False, missing=True, error="The file is missing.")
    except DocumentInUse:
        return DocumentSummary(path, ok=False, error=f"{path} is being changed by another "
                               "program; try again in a moment.")
    except DocumentError as exc:
        return DocumentSummary(path, ok=False, error=str(exc))
    try:
        return _summary(path, stored, encrypted=passphrase is not None and is_encrypted(path))
    except (ValueError, TypeError, AttributeError):  # the stored checklist or a date cannot be read
        return DocumentSummary(path, ok=False, error=str(DocumentCorrupt(
            path, "its copy of the checklist template or its details cannot be read")))


def _summary(path: Path, stored: StoredSummary, *, encrypted: bool = False) -> DocumentSummary:
    counting = _counting(stored)
    answered = counting.answered(stored.judgements)
    status = Status.coerce(stored.status)
    return DocumentSummary(
        path=path, ok=True, partnership=stored.partnership, area=stored.area,
        period=stored.period, scrutineer=stored.scrutineer, status=status,
        status_label=Status.label_of(stored.status), answered=answered, total=counting.total,
        modified_at=_time(stored.modified_at),
        signed_off_at=_time(stored.signed_off_at) if status != Status.DRAFT else None,
        reviewed_at=_time(stored.countersigned_at) if status == Status.REVIEWED else None,
        encrypted=encrypted)


class _Counting:
    """How a template counts answered questions, ready for a folder of documents: every
    (question id, judgement) pair that counts, so that counting a document's answers is
    one set operation in C rather than a Python loop over them."""

    def __init__(self, template: Template):
        ids = template.question_ids()
        self.total = len(ids)
        counting = [v for v, _label in template.judgement_options()
                    if template.counts_as_answered(v)]
        self.pairs = frozenset((q, v) for q in ids for v in counting)

    def answered(self, judgements: Mapping[str, str | None]) -> int:
        """As ``sum(template.counts_as_answered(judgements.get(q)) for q in ids)``."""
        return len(self.pairs.intersection(judgements.items()))


def _counting(stored: StoredSummary) -> _Counting:
    cached = _TEMPLATES.get(stored.template_sha256)
    if cached is None:
        cached = _Counting(Template.model_validate_json(stored.template_snapshot or ""))
        _TEMPLATES[stored.template_sha256] = cached
    return cached


#: Parsed templates by SHA-256: a folder of assessments shares one or two.
_TEMPLATES: dict[str, _Counting] = {}


def find_documents(folders: Iterable[Path | str]) -> list[Path]:
    """Every ``.scrutiny`` file in the folders and their subfolders, sorted, without duplicates."""
    return [path for path, _real, _wal in _find(folders)]


def _find(folders: Iterable[Path | str]) -> list[tuple[Path, str, bool]]:
    """Every document as (its path under the folder it was found in, its resolved path,
    whether a ``-wal`` file was beside it), sorted by path.  Hidden files and folders
    are skipped and symbolic links to folders are not followed.  Only the folders (and
    any file that is a symbolic link) are resolved: a path found by walking a resolved
    folder without following links is already resolved, and resolving each of
    thousands of files is slow."""
    found: dict[str, tuple[str, bool]] = {}
    for folder in folders:
        top = Path(folder).expanduser()
        if not top.is_dir():
            continue
        stack = [(str(top), os.path.realpath(top))]
        while stack:
            here, real = stack.pop()
            try:
                with os.scandir(here) as it:
                    entries = list(it)
            except OSError:
                continue  # as os.walk: a folder that cannot be read is passed over
            subfolders = []
            names = {entry.name for entry in entries}
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                try:
                    is_dir = entry.is_dir()
                    link = entry.is_symlink()
                except OSError:
                    continue
                if is_dir:
                    if not link:
                        subfolders.append(name)
                elif name.lower().endswith(SUFFIX):
                    key = os.path.realpath(entry.path) if link else os.path.join(real, name)
                    if key not in found:
                        found[key] = (entry.path, name + "-wal" in names)
            stack.extend((os.path.join(here, name), os.path.join(real, name))
                         for name in sorted(subfolders, reverse=True))
    listed = sorted(((p.lower(), p, k, wal) for k, (p, wal) in found.items()))
    return [(Path(p), k, wal) for _key, p, k, wal in listed]


# -- the summary cache ---------------------------------------------------------------------
#
# A refresh reads again only the files that changed.  Summaries are kept in memory for
# the session, by resolved path, with the file's size, modification and change times
# and inode (and those of a ``-wal`` file beside it, where another program switched the
# document to WAL mode and its changes land there).  Only rows that read are kept (and
# encrypted ones listed by name): a file that could not be read is tried again.
#
# Timestamps are coarse on some file systems (2 s on FAT, 1 s on many shares; a few ms
# on Linux), so a file changed twice within one tick, keeping its size, would keep its
# stamp.  As git does with its index, a summary is kept only when the file's
# modification time is at least RACY_SECONDS older than the moment its reading began:
# a file changed just now is read again next time.

#: How much older than the read a file's modification time must be for its summary to be kept.
RACY_SECONDS = 2.0
#: The most summaries kept; past it the oldest half is dropped.
CACHE_LIMIT = 50_000

_Stamp = tuple[int, int, int, int, int, int]
_CACHE: dict[str, tuple[_Stamp, bytes | None, DocumentSummary]] = {}
_CACHE_LOCK = threading.Lock()
#: Keys the passphrase an encrypted summary was read with (never stored as such).
_TAG_KEY = secrets.token_bytes(16)


def clear_cache() -> None:
    """Forget every kept summary: the next listing reads every file."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _stamp(real: str, wal: bool = True) -> _Stamp | None:
    """What changes when the file (or a ``-wal`` file beside it) changes; None when
    it cannot be looked at (it is then read, and the read says why).  ``wal`` False:
    the folder's listing showed no ``-wal`` file (one that appears later shows in the
    next listing, whose stamp then differs)."""
    try:
        st = os.stat(real)
    except OSError:
        return None
    wal_size = wal_mtime = -1
    if wal:
        try:
            sidecar = os.stat(real + "-wal")
            wal_size, wal_mtime = sidecar.st_size, sidecar.st_mtime_ns
        except FileNotFoundError:
            pass
        except OSError:
            return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, wal_size, wal_mtime)


def _tag(passphrase: str | None) -> bytes | None:
    if passphrase is None:
        return None
    return hashlib.blake2b(passphrase.encode(), key=_TAG_KEY, digest_size=16).digest()


def _cached(path: Path, real: str, stamp: _Stamp | None,
            passphrase: str | None) -> DocumentSummary | None:
    if stamp is None:
        return None
    entry = _CACHE.get(real)
    if entry is None or entry[0] != stamp:
        return None
    summary = entry[2]
    if summary.encrypted and entry[1] != _tag(passphrase):
        return None  # read with another passphrase (or none): read it again
    return summary if summary.path == path else replace(summary, path=path)


def _keep(real: str, stamp: _Stamp | None, passphrase: str | None,
          summary: DocumentSummary, started_ns: int) -> None:
    if stamp is None or not (summary.ok or (summary.encrypted and not summary.error)):
        return
    if stamp[1] > started_ns - int(RACY_SECONDS * 1e9):
        return  # changed too recently to trust its stamp (see above)
    with _CACHE_LOCK:
        if len(_CACHE) >= CACHE_LIMIT:
            for old in list(_CACHE)[:CACHE_LIMIT // 2]:
                del _CACHE[old]
        _CACHE[real] = (stamp, _tag(passphrase) if summary.encrypted else None, summary)


#: How often (in seconds) ``list_library`` hands over the summaries read so far.
BATCH_SECONDS = 0.25


def list_library(folders: Iterable[Path | str],
                 progress: Callable[[int, int], None] | None = None, *,
                 passphrases: Mapping[Path, str] | None = None,
                 found: Callable[[list[DocumentSummary]], None] | None = None,
                 cache: bool = True) -> list[DocumentSummary]:
    """Summaries of every document in the folders (safe to run on a worker thread).
    ``passphrases`` (the session's, by path) unlock encrypted documents' summaries.

    ``found`` is given the summaries in batches as they are read (in order, about every
    ``BATCH_SECONDS``, the last batch at the end), for a table that fills as it goes.
    With ``cache`` (the default) a file whose stamp has not changed since it was last
    listed is not read again (see ``_stamp``)."""
    entries = _find(folders)
    known = {str(Path(p).expanduser().resolve()): v for p, v in (passphrases or {}).items()}
    # Thousands of summaries that live on (see gc_pause), read over one connection.
    with collector_paused(), SummaryReader() as reader:
        out = _list(entries, known, cache, progress, found, reader)
    if progress is not None and not entries:
        progress(0, 0)
    return out


def _list(entries: list[tuple[Path, str, bool]], known: Mapping[str, str], cache: bool,
          progress: Callable[[int, int], None] | None,
          found: Callable[[list[DocumentSummary]], None] | None,
          reader: SummaryReader) -> list[DocumentSummary]:
    out: list[DocumentSummary] = []
    total = len(entries)
    # Progress about a hundred times a listing (every 10 files at least): each report
    # is a signal the window handles, and its work competes with the reading.
    every = max(10, total // 100)
    sent = 0
    last = time.monotonic()
    for n, (path, real, wal) in enumerate(entries, start=1):
        passphrase = known.get(real) if known else None
        stamp = _stamp(real, wal) if cache else None
        summary = _cached(path, real, stamp, passphrase)
        if summary is None:
            started = time.time_ns()
            summary = summarise_file(path, passphrase=passphrase, reader=reader)
            if cache:
                _keep(real, stamp, passphrase, summary, started)
        out.append(summary)
        if progress is not None and (n % every == 0 or n == total):
            progress(n, total)
        if found is not None and (n == total or time.monotonic() - last >= BATCH_SECONDS):
            found(out[sent:])
            sent = n
            last = time.monotonic()
    return out
