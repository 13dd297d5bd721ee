"""Read-only summaries of documents on disk: the recent list and the library.

Listing must be quick (hundreds of files on a shared folder) and must never
change a file: it checks the header, then reads a few rows over a read-only
SQLite connection.  It never migrates, locks or writes.  Unreadable files come
back as rows carrying their error.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
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
from scrutiny_desktop.storage import SUFFIX
from scrutiny_desktop.storage.fileformat import is_encrypted
from scrutiny_desktop.storage.models import Status
from scrutiny_desktop.storage.summary import StoredSummary, read_summary


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


def summarise_file(path: Path | str, *, passphrase: str | None = None) -> DocumentSummary:
    """Read a document's metadata without changing, locking or migrating it
    (:func:`scrutiny_desktop.storage.summary.read_summary`); a file that cannot be read
    comes back as a row carrying its error.  An encrypted document is read with its
    ``passphrase``; without one it is listed by name only (see ``encrypted``)."""
    path = Path(path)
    try:
        stored = read_summary(path, known_templates=_TEMPLATES, passphrase=passphrase)
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
    template = _template(stored)
    ids = template.question_ids()
    answered = sum(template.counts_as_answered(stored.judgements.get(q)) for q in ids)
    status = Status.coerce(stored.status)
    return DocumentSummary(
        path=path, ok=True, partnership=stored.partnership, area=stored.area,
        period=stored.period, scrutineer=stored.scrutineer, status=status,
        status_label=Status.label_of(stored.status), answered=answered, total=len(ids),
        modified_at=_time(stored.modified_at),
        signed_off_at=_time(stored.signed_off_at) if status != Status.DRAFT else None,
        reviewed_at=_time(stored.countersigned_at) if status == Status.REVIEWED else None,
        encrypted=encrypted)


def _template(stored: StoredSummary) -> Template:
    cached = _TEMPLATES.get(stored.template_sha256)
    if cached is None:
        cached = Template.model_validate_json(stored.template_snapshot or "")
        _TEMPLATES[stored.template_sha256] = cached
    return cached


#: Parsed templates by SHA-256: a folder of assessments shares one or two.
_TEMPLATES: dict[str, Template] = {}


def find_documents(folders: Iterable[Path | str]) -> list[Path]:
    """Every ``.scrutiny`` file in the folders and their subfolders, sorted, without duplicates."""
    found: dict[str, Path] = {}
    for folder in folders:
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if name.lower().endswith(SUFFIX) and not name.startswith("."):
                    p = Path(root) / name
                    found.setdefault(str(p.resolve()), p)
    return sorted(found.values(), key=lambda p: str(p).lower())


def list_library(folders: Iterable[Path | str],
                 progress: Callable[[int, int], None] | None = None, *,
                 passphrases: Mapping[Path, str] | None = None) -> list[DocumentSummary]:
    """Summaries of every document in the folders (safe to run on a worker thread).
    ``passphrases`` (the session's, by path) unlock encrypted documents' summaries."""
    paths = find_documents(folders)
    known = {Path(p).resolve(): v for p, v in (passphrases or {}).items()}
    out = []
    for n, path in enumerate(paths, start=1):
        out.append(summarise_file(path, passphrase=known.get(path.resolve())))
        if progress is not None and (n % 10 == 0 or n == len(paths)):
            progress(n, len(paths))
    if progress is not None and not paths:
        progress(0, 0)
    return out
