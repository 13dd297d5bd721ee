"""The scrutineer's summary: what a board reads first.

An overall judgement (a point on the template's scale), the conclusion, strengths,
areas for improvement, a scope-and-method statement, and a short summary for each
section.  Written like findings: saved as typed, one audit row per change, locked
with the answers at sign-off, and part of the signed content (see
:mod:`.fingerprint`).  Each part is one row of ``summary_parts``; a part nobody
wrote has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services.common import audit_text, record, template_of
from scrutiny_desktop.services.permissions import EDIT_ANSWERS, require
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import SummaryPart, utcnow

__all__ = ["FIELDS", "FIELD_LABELS", "OVERALL", "SummaryView", "get_summary", "is_blank",
           "overall_options", "set_overall_judgement", "set_section_summary", "set_text",
           "summary_record", "summary_warning"]

#: The written parts, in the order the report prints them.
FIELDS = ("conclusion", "strengths", "areas_for_improvement", "scope_and_method")
FIELD_LABELS = {
    "conclusion": "Conclusion",
    "strengths": "Strengths",
    "areas_for_improvement": "Areas for improvement",
    "scope_and_method": "Scope and method",
}
OVERALL = "overall_judgement"
_SECTION = "section/"


@dataclass(frozen=True)
class SummaryView:
    overall_judgement: str | None = None
    conclusion: str = ""
    strengths: str = ""
    areas_for_improvement: str = ""
    scope_and_method: str = ""
    #: section id -> its summary (only the sections that have one)
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return (self.overall_judgement is None and not any(getattr(self, f).strip() for f in FIELDS)
                and not any(t.strip() for t in self.sections.values()))

    def text(self, name: str) -> str:
        if name not in FIELDS:
            raise KeyError(name)
        return str(getattr(self, name))


def _parts(session: Session) -> dict[str, str]:
    return {p.part: p.text for p in session.scalars(select(SummaryPart))}


def _view(parts: dict[str, str]) -> SummaryView:
    return SummaryView(
        overall_judgement=parts.get(OVERALL) or None,
        **{name: parts.get(name, "") for name in FIELDS},
        sections={k[len(_SECTION):]: v for k, v in parts.items() if k.startswith(_SECTION) and v},
    )


def get_summary(doc: Document) -> SummaryView:
    with doc.read() as session:
        return _view(_parts(session))


def summary_record(doc: Document, session: Session) -> dict:
    """The summary as the JSON export and the signed content carry it: every field, and
    every section of the template in order (an empty string where nothing was written)."""
    view = _view(_parts(session))
    return {
        "overall_judgement": view.overall_judgement,
        **{name: view.text(name) for name in FIELDS},
        "sections": [{"section_id": s.id, "summary": view.sections.get(s.id, "")}
                     for s in template_of(doc, session).sections],
    }


def is_blank(record_: dict) -> bool:
    """True for the record of a summary nobody wrote (no judgement, every text empty)."""
    return (record_["overall_judgement"] is None and not any(record_[f] for f in FIELDS)
            and not any(s["summary"] for s in record_["sections"]))


def _normalise(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _write(doc: Document, part: str, value: str, action: str) -> bool:
    with doc.write() as session:
        require(doc, EDIT_ANSWERS, session)
        row = session.scalars(select(SummaryPart).where(SummaryPart.part == part)).one_or_none()
        old = row.text if row is not None else ""
        if old == value:
            return False
        if row is None:
            row = SummaryPart(part=part, text=value, updated_at=utcnow())
            session.add(row)
        else:
            row.text = value
            row.updated_at = utcnow()
        record(doc, session, action, part, audit_text(old), audit_text(value))
    return True


def set_text(doc: Document, name: str, text: str) -> bool:
    """Record the conclusion, strengths, areas for improvement or scope and method exactly
    as typed.  Returns False if unchanged."""
    if name not in FIELDS:
        raise InvalidInput(f"'{name}' is not a part of the summary.")
    return _write(doc, name, _normalise(text), "summary.text")


def set_section_summary(doc: Document, section_id: str, text: str) -> bool:
    """Record one section's summary exactly as typed.  Returns False if unchanged."""
    if section_id not in {s.id for s in template_of(doc).sections}:
        raise InvalidInput(f"There is no section '{section_id}' in this assessment's checklist.")
    return _write(doc, _SECTION + section_id, _normalise(text), "summary.text")


def set_overall_judgement(doc: Document, value: str | None) -> bool:
    """Set the overall judgement to a point on the template's scale (None: not given)."""
    template = template_of(doc)
    if value is not None and value not in {p.value for p in template.scale.points}:
        raise InvalidInput(f"'{value}' is not a judgement on this checklist's scale.")
    return _write(doc, OVERALL, value or "", "summary.overall_judgement")


def overall_options(doc: Document) -> list[tuple[str, str]]:
    """(value, label) of every overall judgement a scrutineer can give."""
    return [(p.value, p.label) for p in template_of(doc).scale.points]


def summary_warning(doc: Document) -> str:
    """What the review page says about the summary before sign-off ("" if nothing)."""
    if get_summary(doc).conclusion.strip():
        return ""
    return ("The summary has no conclusion yet. A board reads it first: write it on the "
            "Summary page before you sign off.")
