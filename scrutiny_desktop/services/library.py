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
from scrutiny_desktop.storage.document import (
    HOT_JOURNAL,
    SUFFIX,
    WAL_LEFTOVERS,
    WRITER,
    check_header,
    check_path,
    private_copy,
    probe,
    ro_uri,
)
from scrutiny_desktop.errors import DocumentCorrupt, DocumentError, DocumentNotFound

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
    """Read a document's metadata without changing, locking or migrating it.

    A journal beside the file is judged as SQLite judges it: a program saving right
    now (it holds a SQLite lock) is reported; an interrupted save is rolled back in
    a private copy and the row shows what was saved before it; a zero-header or
    empty journal is harmless.  WAL leftovers are read from a private copy too.
    """
    path = Path(path)
    try:
        check_path(path)
        state = probe(path)
    except DocumentNotFound:
        return DocumentSummary(path, ok=False, missing=True, error="The file is missing.")
    except DocumentError as exc:
        return DocumentSummary(path, ok=False, error=str(exc))
    if state == WRITER:
        return DocumentSummary(path, ok=False, error=f"{path} is being changed by another "
                               "program; try again in a moment.")
    copy = None
    try:
        if state in (HOT_JOURNAL, WAL_LEFTOVERS):
            copy = private_copy(path)
        db_path = copy.path if copy is not None else path
        check_header(db_path, display=path)
        return _summarise_db(path, db_path)
    except DocumentNotFound:
        return DocumentSummary(path, ok=False, missing=True, error="The file is missing.")
    except DocumentError as exc:
        return DocumentSummary(path, ok=False, error=str(exc))
    finally:
        if copy is not None:
            copy.close()


def _summarise_db(path: Path, db_path: Path) -> DocumentSummary:
    try:
        conn = sqlite3.connect(ro_uri(db_path), uri=True, timeout=1.0)
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
        ids = template.question_ids()
        answered = sum(template.counts_as_answered(judgements.get(q)) for q in ids)
        return DocumentSummary(
            path=path, ok=True, partnership=partnership, area=area, period=period,
            scrutineer=scrutineer, status=status, status_label=STATUS_LABELS.get(status, status),
            answered=answered, total=len(ids), modified_at=_time(modified),
            signed_off_at=_time(signed) if status != "draft" else None,
            reviewed_at=_time(reviewed) if status == "reviewed" else None)
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return DocumentSummary(path, ok=False, error=f"{path} is being changed by another "
                                   "program; try again in a moment.")
        return DocumentSummary(path, ok=False, error=f"{path} is damaged ({exc}).")
    except (ValueError, TypeError, AttributeError):  # the stored checklist or a date cannot be read
        return DocumentSummary(path, ok=False, error=str(DocumentCorrupt(
            path, "its copy of the checklist template or its details cannot be read")))
    except sqlite3.DatabaseError as exc:
        return DocumentSummary(path, ok=False, error=str(DocumentCorrupt(path, str(exc)[:120])))
    finally:
        conn.close()


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
