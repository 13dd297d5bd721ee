"""Read-only summaries of documents on disk (recent list, library)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from scrutiny_desktop.checklist import TemplateError
from scrutiny_desktop.services import assessments, progress
from scrutiny_desktop.storage.errors import DocumentError, DocumentNotFound


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

    @property
    def progress_text(self) -> str:
        return f"{self.answered}/{self.total}" if self.ok else ""


def summarise_file(path: Path | str) -> DocumentSummary:
    """Read a document's metadata without changing, locking or migrating it."""
    path = Path(path)
    try:
        with assessments.open_assessment(path, readonly=True) as doc:
            info = assessments.info(doc)
            prog = progress.progress(doc)
    except DocumentNotFound:
        return DocumentSummary(path, ok=False, missing=True, error="The file is missing.")
    except (DocumentError, TemplateError, ValueError) as exc:
        return DocumentSummary(path, ok=False, error=" ".join(str(exc).split()))
    return DocumentSummary(
        path=path, ok=True, partnership=info.partnership, area=info.area, period=info.period,
        scrutineer=info.scrutineer_name, status=info.status, status_label=info.status_label,
        answered=prog.answered, total=prog.total, modified_at=info.modified_at,
    )
