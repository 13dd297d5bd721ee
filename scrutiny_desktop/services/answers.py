"""Judgements and findings, one question at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scrutiny_desktop.checklist.model import DIRECTIONS, NOT_APPLICABLE
from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services.common import (
    answer_row,
    audit_text,
    no_question,
    record,
    template_of,
)
from scrutiny_desktop.services.evidence import EvidenceView, evidence_view
from scrutiny_desktop.services.permissions import EDIT_ANSWERS, require, require_status
from scrutiny_desktop.services.recommendations import RecommendationView, recommendation_view
from scrutiny_desktop.storage import audit
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import Answer, stored_time, utcnow


@dataclass(frozen=True)
class AnswerView:
    question_id: str
    judgement: str | None
    findings: str
    updated_at: dt.datetime | None
    evidence: tuple[EvidenceView, ...]
    recommendations: tuple[RecommendationView, ...]
    #: The direction of travel (a ``DIRECTIONS`` value), or None when none is given.
    direction: str | None = None
    #: The period the judgement was carried forward from, while it waits to be
    #: confirmed (None once confirmed or changed, and for a judgement made here).
    carried_from: str | None = None

    @property
    def to_confirm(self) -> bool:
        """Whether the judgement was carried forward and not yet confirmed."""
        return self.carried_from is not None and self.judgement is not None


def get_answer(doc: Document, question_id: str) -> AnswerView:
    with doc.read() as session:
        row = session.scalars(
            select(Answer)
            .where(Answer.question_id == question_id)
            .options(selectinload(Answer.evidence), selectinload(Answer.recommendations))
        ).one_or_none()
        if row is None:
            raise InvalidInput(f"There is no question '{question_id}' in this assessment.")
        return AnswerView(
            question_id=row.question_id, judgement=row.judgement, findings=row.findings,
            updated_at=row.updated_at,
            evidence=tuple(evidence_view(e) for e in row.evidence),
            recommendations=tuple(recommendation_view(r, row.question_id) for r in row.recommendations),
            direction=row.direction, carried_from=row.carried_from,
        )


def set_judgement(doc: Document, question_id: str, value: str | None) -> bool:
    """Record a judgement (None clears it).  Returns False if nothing changed.

    Choosing a judgement also confirms one carried forward from an earlier assessment
    (choosing the same one confirms it as it is: see :func:`confirm_judgement`).
    """
    template = template_of(doc)
    if not template.is_valid_judgement(value):
        raise InvalidInput(f"'{value}' is not a judgement on this checklist's scale.")
    if value == NOT_APPLICABLE and not template.not_applicable_allowed(question_id):
        raise InvalidInput(f"Question {question_id} is required, so it cannot be answered "
                           "“Not applicable”: choose a judgement, or the one for insufficient "
                           "evidence if the checklist has it.")
    # A click's save, straight to the driver as the findings' is (issue 17): the same
    # checks, rows and audit entries as the ORM's record would write.
    with doc.write_raw() as db:
        editing = _editing(doc, db)
        old, carried = _answer(db, question_id, "judgement, carried_from")
        if old == value:
            if carried is None or value is None:
                return False
            _confirm(db, editing, question_id, old, carried)
            return True
        db.execute("UPDATE answers SET judgement = ?, carried_from = NULL, updated_at = ? "
                   "WHERE question_id = ?", (value, stored_time(utcnow()), question_id))
        actor, head, count = editing
        audit.append_raw(db, head, count, actor, "answer.judgement", question_id, old, value)
    return True


def _editing(doc: Document, db) -> tuple[str, str | None, int | None]:
    """In a ``write_raw`` transaction: refuse unless the answers may be edited now, and
    return who is acting and the audit log's head and count (for ``audit.append_raw``)."""
    assessment = db.execute(
        "SELECT status, scrutineer_name, audit_head, audit_count FROM assessments "
        "WHERE id = 1").fetchone()
    require_status(doc, EDIT_ANSWERS, assessment[0] if assessment else None)
    _status, scrutineer, head, count = assessment
    return doc.actor or scrutineer or "unknown", head, count


def _answer(db, question_id: str, columns: str) -> tuple:
    """In a ``write_raw`` transaction: these columns of the question's answer row
    (``columns`` is ours, never the user's); ``InvalidInput`` for an unknown question."""
    row = db.execute(f"SELECT {columns} FROM answers WHERE question_id = ?",
                     (question_id,)).fetchone()
    if row is None:
        raise InvalidInput(no_question(question_id))
    return tuple(row)


def _confirm(db, editing: tuple[str, str | None, int | None], question_id: str,
             judgement: str, carried: str) -> None:
    """In a ``write_raw`` transaction: confirm the question's carried-forward judgement
    as it is, audited (``editing`` as :func:`_editing` returned it)."""
    actor, head, count = editing
    db.execute("UPDATE answers SET carried_from = NULL, updated_at = ? WHERE question_id = ?",
               (stored_time(utcnow()), question_id))
    audit.append_raw(db, head, count, actor, "answer.judgement_confirmed", question_id,
                     {"judgement": judgement, "carried_from": carried},
                     {"judgement": judgement, "carried_from": None})


def confirm_judgement(doc: Document, question_id: str) -> bool:
    """Confirm a judgement carried forward from an earlier assessment, unchanged, so
    that it counts as answered.  Returns False if there was nothing to confirm."""
    with doc.write_raw() as db:
        editing = _editing(doc, db)
        judgement, carried = _answer(db, question_id, "judgement, carried_from")
        if carried is None or judgement is None:
            return False
        _confirm(db, editing, question_id, judgement, carried)
    return True


def carry_judgement(doc: Document, question_id: str, value: str, period: str) -> bool:
    """Bring an earlier assessment's judgement in, marked as carried from ``period``
    and waiting to be confirmed (it does not count as answered until then)."""
    template = template_of(doc)
    if not template.is_valid_judgement(value) or value is None:
        raise InvalidInput(f"'{value}' is not a judgement on this checklist's scale.")
    period = " ".join((period or "").split()) or "an earlier assessment"
    with doc.write() as session:
        require(doc, EDIT_ANSWERS, session)
        row = answer_row(session, question_id)
        old = {"judgement": row.judgement, "carried_from": row.carried_from}
        new = {"judgement": value, "carried_from": period}
        if old == new:
            return False
        row.judgement, row.carried_from = value, period
        row.updated_at = utcnow()
        record(doc, session, "answer.judgement_carried", question_id, old, new)
    return True


def direction_label(value: str | None) -> str:
    """The words for a direction of travel ("" for none)."""
    if value is None:
        return ""
    return dict(DIRECTIONS).get(value, value)


def set_direction(doc: Document, question_id: str, value: str | None) -> bool:
    """Record the direction of travel (None clears it).  Returns False if unchanged."""
    template = template_of(doc)
    if not template.directions:
        raise InvalidInput("This checklist does not ask for a direction of travel.")
    if value is not None and value not in dict(DIRECTIONS):
        raise InvalidInput(f"'{value}' is not a direction of travel: choose improving, stable, "
                           "declining or not known.")
    with doc.write() as session:
        require(doc, EDIT_ANSWERS, session)
        row = answer_row(session, question_id)
        if row.direction == value:
            return False
        old = row.direction
        row.direction = value
        row.updated_at = utcnow()
        record(doc, session, "answer.direction", question_id, old, value)
    return True


def set_findings(doc: Document, question_id: str, text: str) -> bool:
    """Record the findings text exactly as typed.  Returns False if unchanged."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    # The save made while a person types, so it goes straight to the driver (issue 17):
    # the same checks, rows and audit entry as the other edits, in one transaction.
    with doc.write_raw() as db:
        actor, head, count = _editing(doc, db)
        (old,) = _answer(db, question_id, "findings")
        if old == text:
            return False
        db.execute("UPDATE answers SET findings = ?, updated_at = ? WHERE question_id = ?",
                   (text, stored_time(utcnow()), question_id))
        audit.append_raw(db, head, count, actor, "answer.findings",
                         question_id, audit_text(old), audit_text(text))
    return True


@dataclass(frozen=True)
class QuestionState:
    question_id: str
    judgement: str | None
    answered: bool
    required: bool
    has_findings: bool
    evidence_count: int
    recommendation_count: int
    #: The period a judgement was carried forward from, while it waits to be confirmed.
    carried_from: str | None = None

    @property
    def to_confirm(self) -> bool:
        """A carried-forward judgement not yet confirmed (not counted as answered)."""
        return self.carried_from is not None and self.judgement is not None

    @property
    def started(self) -> bool:
        return bool(self.judgement is not None or self.has_findings or self.evidence_count
                    or self.recommendation_count)

    @property
    def state(self) -> str:
        """``answered``; ``carried`` (a judgement carried forward, to confirm);
        ``missing`` (required, begun but without an answering judgement);
        ``in_progress`` (optional, begun); or ``not_started``."""
        if self.to_confirm:
            return "carried"
        if self.answered:
            return "answered"
        if self.started:
            return "missing" if self.required else "in_progress"
        return "not_started"


def question_states(doc: Document, question_ids: Iterable[str] | None = None) -> list[QuestionState]:
    """Every question's state (or only those of ``question_ids``), in template order,
    for the navigator and progress.

    One query, and never the findings text itself: only whether there is any (an
    edit to one question re-reads that question's state alone; see the assessment
    page)."""
    from sqlalchemy import func

    from scrutiny_desktop.storage.models import EvidenceItem, Recommendation

    template = template_of(doc)
    wanted = None if question_ids is None else set(question_ids)
    evidence = (select(func.count()).where(EvidenceItem.answer_id == Answer.id)
                .correlate(Answer).scalar_subquery())
    recs = (select(func.count()).where(Recommendation.answer_id == Answer.id)
            .correlate(Answer).scalar_subquery())
    query = select(Answer.question_id, Answer.judgement, Answer.carried_from,
                   func.length(func.trim(Answer.findings)) > 0, evidence, recs)
    if wanted is not None:
        query = query.where(Answer.question_id.in_(wanted))
    with doc.read() as session:
        rows = {r[0]: r for r in session.execute(query)}
    states = []
    for _section, q in template.questions():
        if wanted is not None and q.id not in wanted:
            continue
        row = rows.get(q.id)
        judgement = row[1] if row else None
        carried = row[2] if row is not None and judgement is not None else None
        states.append(QuestionState(
            question_id=q.id, judgement=judgement,
            # A carried-forward judgement counts only once confirmed.
            answered=template.counts_as_answered(judgement) and carried is None,
            required=q.required,
            has_findings=bool(row and row[3]),
            evidence_count=row[4] if row else 0,
            recommendation_count=row[5] if row else 0,
            carried_from=carried,
        ))
    return states
