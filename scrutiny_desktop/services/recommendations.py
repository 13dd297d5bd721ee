"""Recommendations: what, owner, priority, target date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services.common import answer_row, clean, record, required_text
from scrutiny_desktop.services.permissions import EDIT_ANSWERS, require
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import (
    OWNERS,
    PRIORITIES,
    RECOMMENDATION_STATUSES,
    Answer,
    Recommendation,
)


@dataclass(frozen=True)
class RecommendationView:
    id: int
    question_id: str
    text: str
    owner: str
    owner_other: str
    priority: str
    due: dt.date | None
    status: str
    carried_from: str = ""
    progress: str = ""

    @property
    def owner_label(self) -> str:
        if self.owner == "other" and self.owner_other:
            return self.owner_other
        return OWNERS.get(self.owner, self.owner)

    @property
    def priority_label(self) -> str:
        return PRIORITIES.get(self.priority, self.priority)

    @property
    def status_label(self) -> str:
        return RECOMMENDATION_STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class RecommendationInput:
    text: str
    owner: str = "partnership"
    owner_other: str = ""
    priority: str = "medium"
    due: dt.date | None = None
    status: str = "open"
    progress: str = ""

    def validated(self) -> RecommendationInput:
        if self.owner not in OWNERS:
            raise InvalidInput(f"'{self.owner}' is not an owner; choose one of: "
                               + ", ".join(OWNERS.values()) + ".")
        if self.priority not in PRIORITIES:
            raise InvalidInput("The priority must be High, Medium or Low.")
        if self.status not in RECOMMENDATION_STATUSES:
            raise InvalidInput("The status must be Open, In progress or Done.")
        other = clean(self.owner_other)
        if self.owner == "other" and not other:
            raise InvalidInput("Name the agency that owns this recommendation.")
        if self.owner != "other":
            other = ""
        return RecommendationInput(required_text(self.text, "The recommendation"), self.owner,
                                   other, self.priority, self.due, self.status, clean(self.progress))

    def as_dict(self) -> dict:
        return {"text": self.text, "owner": self.owner, "owner_other": self.owner_other,
                "priority": self.priority, "due": self.due.isoformat() if self.due else None,
                "status": self.status, "progress": self.progress}


def recommendation_view(r: Recommendation, question_id: str | None = None) -> RecommendationView:
    return RecommendationView(r.id, question_id or r.answer.question_id, r.text, r.owner,
                              r.owner_other, r.priority, r.due, r.status, r.carried_from,
                              r.progress)


def _as_input(r: Recommendation) -> RecommendationInput:
    return RecommendationInput(r.text, r.owner, r.owner_other, r.priority, r.due, r.status, r.progress)


def add_recommendation(doc: Document, question_id: str, item: RecommendationInput,
                       *, carried_from: str = "") -> RecommendationView:
    item = item.validated()
    with doc.write() as session:
        require(doc, EDIT_ANSWERS, session)
        answer = answer_row(session, question_id)
        position = (session.scalar(select(func.max(Recommendation.position))
                                   .where(Recommendation.answer_id == answer.id)) or 0) + 1
        row = Recommendation(answer_id=answer.id, position=position, text=item.text,
                             owner=item.owner, owner_other=item.owner_other,
                             priority=item.priority, due=item.due, status=item.status,
                             progress=item.progress, carried_from=carried_from)
        session.add(row)
        session.flush()
        new = item.as_dict()
        if carried_from:
            new["carried_from"] = carried_from
        record(doc, session, "recommendation.added",
               f"{question_id}/recommendations/{row.id}", None, new)
        return recommendation_view(row, question_id)


def _row(session, recommendation_id: int) -> Recommendation:
    row = session.get(Recommendation, recommendation_id)
    if row is None:
        raise InvalidInput("That recommendation no longer exists.")
    return row


def update_recommendation(doc: Document, recommendation_id: int,
                          item: RecommendationInput) -> RecommendationView:
    item = item.validated()
    with doc.write() as session:
        require(doc, EDIT_ANSWERS, session)
        row = _row(session, recommendation_id)
        old = _as_input(row).as_dict()
        (row.text, row.owner, row.owner_other, row.priority, row.due, row.status,
         row.progress) = (item.text, item.owner, item.owner_other, item.priority, item.due,
                          item.status, item.progress)
        if item.as_dict() != old:
            record(doc, session, "recommendation.changed",
                   f"{row.answer.question_id}/recommendations/{row.id}", old, item.as_dict())
        return recommendation_view(row)


def remove_recommendation(doc: Document, recommendation_id: int) -> None:
    with doc.write() as session:
        require(doc, EDIT_ANSWERS, session)
        row = _row(session, recommendation_id)
        target = f"{row.answer.question_id}/recommendations/{row.id}"
        old = _as_input(row).as_dict()
        session.delete(row)
        record(doc, session, "recommendation.removed", target, old, None)


def list_recommendations(doc: Document) -> list[RecommendationView]:
    """Every recommendation, in checklist order."""
    with doc.read() as session:
        rows = session.scalars(
            select(Recommendation).join(Answer)
            .options(selectinload(Recommendation.answer))
            .order_by(Answer.position, Recommendation.position)
        ).all()
        return [recommendation_view(r) for r in rows]
