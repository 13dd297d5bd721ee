"""Helpers shared by the service modules."""

from __future__ import annotations

import contextlib
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.errors import DocumentCorrupt, InvalidInput
from scrutiny_desktop.storage import audit
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import Answer, Assessment, utcnow

#: Why a document without its assessment row is damaged (see :func:`assessment_of`).
NO_ASSESSMENT_ROW = "it holds no assessment"

#: Longer values are summarised in the audit log rather than copied in full.
AUDIT_TEXT_LIMIT = 2000


def audit_text(value: str | None) -> str | None:
    if value is None or len(value) <= AUDIT_TEXT_LIMIT:
        return value
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return f"{value[:200]}… ({len(value)} characters in all, SHA-256 {digest})"


def assessment_of(doc: Document, session: Session) -> Assessment:
    """The document's one assessment row, read in ``session``.

    Every document holds exactly one (``open_assessment`` refuses a file without it);
    one that has lost it is damaged, and this says so rather than failing later on
    ``None``.
    """
    assessment = session.get(Assessment, 1)
    if assessment is None:
        raise DocumentCorrupt(doc.path, NO_ASSESSMENT_ROW)
    return assessment


def actor_of(doc: Document, session: Session) -> str:
    if doc.actor:
        return doc.actor
    assessment = session.get(Assessment, 1)
    return assessment.scrutineer_name if assessment else "unknown"


def record(doc: Document, session: Session, action: str, target: str = "", old=None, new=None) -> None:
    """Write the audit row for a change and touch ``modified_at``."""
    audit.append(session, actor_of(doc, session), action, target, old, new)
    assessment = session.get(Assessment, 1)
    if assessment is not None:
        assessment.modified_at = utcnow()


def template_of(doc: Document, session: Session | None = None) -> Template:
    """The template snapshot stored in the document (parsed once per open).  Inside a
    transaction, pass its ``session``: the first read then goes through it."""
    cached = doc.cache.get("template")
    if cached is None:
        with contextlib.nullcontext(session) if session is not None else doc.read() as session:
            row = session.execute(
                select(Assessment.template_snapshot, Assessment.template_sha256)).one_or_none()
        if row is None:
            raise DocumentCorrupt(doc.path, NO_ASSESSMENT_ROW)
        snapshot, digest = row
        if hashlib.sha256(snapshot.encode("utf-8")).hexdigest() != digest:
            raise DocumentCorrupt(doc.path, "its copy of the checklist template is damaged")
        try:
            cached = Template.model_validate_json(snapshot)
        except ValueError:  # pydantic's ValidationError is a ValueError
            raise DocumentCorrupt(doc.path, "its copy of the checklist template is damaged") from None
        doc.cache["template"] = cached
    return cached


def no_question(question_id: str) -> str:
    return f"There is no question '{question_id}' in this assessment."


def answer_row(session: Session, question_id: str) -> Answer:
    row = session.scalars(select(Answer).where(Answer.question_id == question_id)).one_or_none()
    if row is None:
        raise InvalidInput(no_question(question_id))
    return row


def clean(text: str | None) -> str:
    """Normalise text from a person: strip surrounding blanks, unify newlines."""
    if text is None:
        return ""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def required_text(value: str | None, what: str) -> str:
    value = clean(value)
    if not value:
        raise InvalidInput(f"{what} cannot be blank.")
    return value
