"""Read-only summaries of documents on disk: the recent list and the library.

Listing must be quick (hundreds of files on a shared folder) and must never
change a file: it checks the header, then reads a few rows over a read-only
SQLite connection.  It never migrates, locks or writes.  Unreadable files come
back as rows carrying their error.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.storage.document import SUFFIX, check_header, has_journal, quick_check, ro_uri
from scrutiny_desktop.storage.errors import DocumentCorrupt, DocumentError, DocumentNotFound

STATUS_LABELS = {"draft": "Draft", "signed_off": "Signed off", "reviewed": "Reviewed"}


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
    status: str = ""
    status_label: str = ""
    answered: int = 0
    total: int = 0
    modified_at: dt.datetime | None = None
    signed_off_at: dt.datetime | None = None
    reviewed_at: dt.datetime | None = None

    @property
    def progress_text(self) -> str:
        return f"{self.answered}/{self.total}" if self.ok else ""


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def summarise_file(path: Path | str) -> DocumentSummary:
    """Read a document's metadata without changing, locking or migrating it."""
    path = Path(path)
    try:
        check_header(path)
    except DocumentNotFound:
        return DocumentSummary(path, ok=False, missing=True, error="The file is missing.")
    except DocumentError as exc:
        return DocumentSummary(path, ok=False, error=str(exc))
    if has_journal(path):
        try:
            quick_check(path, schema=False)
        except DocumentError as exc:  # an interrupted save, or a writer at work
            return DocumentSummary(path, ok=False, error=str(exc))
    try:
        conn = sqlite3.connect(ro_uri(path), uri=True, timeout=1.0)
    except sqlite3.Error as exc:
        return DocumentSummary(path, ok=False, error=f"{path} cannot be read ({exc}).")
    try:
        conn.execute("PRAGMA query_only = ON")
        row = conn.execute(
            "SELECT partnership, area, period, scrutineer_name, status, modified_at, "
            "template_sha256 FROM assessments WHERE id = 1").fetchone()
        if row is None:
            raise sqlite3.DatabaseError("it holds no assessment")
        partnership, area, period, scrutineer, status, modified, sha = row
        template = _cached_template(conn, sha)
        judgements = dict(conn.execute("SELECT question_id, judgement FROM answers").fetchall())
        signed = conn.execute(
            "SELECT max(signed_at) FROM signoffs WHERE voided_at IS NULL").fetchone()[0]
        reviewed = conn.execute(
            "SELECT max(signed_at) FROM countersignatures WHERE voided_at IS NULL").fetchone()[0]
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return DocumentSummary(path, ok=False, error=f"{path} is being changed by another "
                                   "program; try again in a moment.")
        return DocumentSummary(path, ok=False, error=f"{path} is damaged ({exc}).")
    except ValueError:  # the stored checklist or a date cannot be read
        return DocumentSummary(path, ok=False, error=str(DocumentCorrupt(
            path, "its copy of the checklist template or its details cannot be read")))
    except sqlite3.DatabaseError as exc:
        return DocumentSummary(path, ok=False, error=str(DocumentCorrupt(path, str(exc)[:120])))
    finally:
        conn.close()
    ids = template.question_ids()
    answered = sum(template.counts_as_answered(judgements.get(q)) for q in ids)
    return DocumentSummary(
        path=path, ok=True, partnership=partnership, area=area, period=period,
        scrutineer=scrutineer, status=status, status_label=STATUS_LABELS.get(status, status),
        answered=answered, total=len(ids), modified_at=_time(modified),
        signed_off_at=_time(signed) if status != "draft" else None,
        reviewed_at=_time(reviewed) if status == "reviewed" else None)


def _cached_template(conn: sqlite3.Connection, sha: str) -> Template:
    cached = _TEMPLATES.get(sha)
    if cached is None:
        snapshot = conn.execute("SELECT template_snapshot FROM assessments WHERE id = 1").fetchone()[0]
        cached = Template.model_validate_json(snapshot)
        _TEMPLATES[sha] = cached
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
                 progress: Callable[[int, int], None] | None = None) -> list[DocumentSummary]:
    """Summaries of every document in the folders (safe to run on a worker thread)."""
    paths = find_documents(folders)
    out = []
    for n, path in enumerate(paths, start=1):
        out.append(summarise_file(path))
        if progress is not None and (n % 10 == 0 or n == len(paths)):
            progress(n, len(paths))
    if progress is not None and not paths:
        progress(0, 0)
    return out
