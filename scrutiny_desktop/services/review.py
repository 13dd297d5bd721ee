"""The chair's review: comments, an overall response, decisions on each
recommendation, and the countersignature.

Review content lives in its own tables and never changes the scrutineer's
content, so the scrutineer's sign-off (and its fingerprint) stays valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services import signatures
from scrutiny_desktop.services.common import clean, record, required_text
from scrutiny_desktop.services.permissions import LOCKED_REVIEW, REVIEW, require
from scrutiny_desktop.services.signatures import SignatureView, check_png
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import (
    Recommendation,
    RecommendationResponse,
    ReviewComment,
    Status,
    utcnow,
)

if TYPE_CHECKING:
    from scrutiny_desktop.services.identity import Identity

__all__ = ["DECISIONS", "DEFAULT_COUNTERSIGN_STATEMENT", "LOCKED_REVIEW", "CountersignatureView",
           "ResponseView", "ReviewView", "countersign", "countersign_blocker",
           "countersignature_png", "countersignatures", "get_review", "independence_problem",
           "name_independence_problem", "reopen_review", "review_readiness",
           "set_overall_response", "set_question_comment", "set_response"]

DECISIONS = {
    "accepted": "Accepted",
    "accepted_with_changes": "Accepted with changes",
    "not_accepted": "Not accepted",
}


@dataclass(frozen=True)
class ResponseView:
    recommendation_id: int
    decision: str
    detail: str
    action_owner: str
    action_due: dt.date | None
    updated_at: dt.datetime

    @property
    def decision_label(self) -> str:
        return DECISIONS.get(self.decision, self.decision)


#: A countersignature has the same fields as a sign-off.
CountersignatureView = SignatureView


@dataclass(frozen=True)
class ReviewView:
    overall: str
    comments: dict[str, str]  # question id -> comment
    responses: dict[int, ResponseView]  # recommendation id -> response
    countersignature: CountersignatureView | None
    history: tuple[CountersignatureView, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.overall or self.comments or self.responses)


def countersignatures(doc: Document) -> list[CountersignatureView]:
    """Every countersignature, oldest first (voided ones included)."""
    return signatures.history(doc, signatures.COUNTERSIGNATURE)


def get_review(doc: Document) -> ReviewView:
    with doc.read() as session:
        comments = session.scalars(select(ReviewComment)).all()
        responses = session.scalars(select(RecommendationResponse)).all()
    history = tuple(countersignatures(doc))
    current = next((c for c in reversed(history) if not c.voided), None)
    return ReviewView(
        overall=next((c.text for c in comments if c.question_id is None), ""),
        comments={c.question_id: c.text for c in comments if c.question_id is not None and c.text},
        responses={r.recommendation_id: ResponseView(r.recommendation_id, r.decision, r.detail,
                                                     r.action_owner, r.action_due, r.updated_at)
                   for r in responses},
        countersignature=current, history=history)


def _author(doc: Document) -> str:
    return doc.actor or "chair"


def _set_comment(doc: Document, question_id: str | None, text: str, action: str) -> bool:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    with doc.write() as session:
        require(doc, REVIEW, session)
        if question_id is not None:
            from scrutiny_desktop.services.common import answer_row

            answer_row(session, question_id)  # must be a real question
        row = session.scalars(select(ReviewComment).where(
            ReviewComment.question_id.is_(None) if question_id is None
            else ReviewComment.question_id == question_id)).one_or_none()
        old = row.text if row else ""
        if old == text:
            return False
        if row is None:
            row = ReviewComment(question_id=question_id, author=_author(doc), text=text,
                                updated_at=utcnow())
            session.add(row)
        else:
            row.text, row.author, row.updated_at = text, _author(doc), utcnow()
        record(doc, session, action, question_id or "assessment", old, text)
    return True


def set_overall_response(doc: Document, text: str) -> bool:
    return _set_comment(doc, None, text, "review.overall_response")


def set_question_comment(doc: Document, question_id: str, text: str) -> bool:
    return _set_comment(doc, question_id, text, "review.comment")


def set_response(doc: Document, recommendation_id: int, *, decision: str, detail: str = "",
                 action_owner: str = "", action_due: dt.date | None = None) -> ResponseView:
    """Record the partnership's decision on one recommendation."""
    if decision not in DECISIONS:
        raise InvalidInput("Choose Accepted, Accepted with changes or Not accepted.")
    detail = clean(detail)
    if decision == "accepted_with_changes" and not detail:
        raise InvalidInput("Say what change the partnership will make to this recommendation.")
    if decision == "not_accepted" and not detail:
        raise InvalidInput("Give the reason the partnership does not accept this recommendation.")
    with doc.write() as session:
        require(doc, REVIEW, session)
        rec = session.get(Recommendation, recommendation_id)
        if rec is None:
            raise InvalidInput("That recommendation no longer exists.")
        row = session.scalars(select(RecommendationResponse).where(
            RecommendationResponse.recommendation_id == recommendation_id)).one_or_none()
        new = {"decision": decision, "detail": detail, "action_owner": clean(action_owner),
               "action_due": action_due.isoformat() if action_due else None}
        old = None
        if row is None:
            row = RecommendationResponse(recommendation_id=recommendation_id, updated_at=utcnow(),
                                         decision=decision)
            session.add(row)
        else:
            old = {"decision": row.decision, "detail": row.detail, "action_owner": row.action_owner,
                   "action_due": row.action_due.isoformat() if row.action_due else None}
        row.decision, row.detail, row.action_owner, row.action_due = (
            decision, detail, clean(action_owner), action_due)
        row.updated_at = utcnow()
        session.flush()
        if old != new:
            record(doc, session, "review.response",
                   f"{rec.answer.question_id}/recommendations/{rec.id}", old, new)
        return ResponseView(recommendation_id, decision, detail, row.action_owner, action_due,
                            row.updated_at)


def review_readiness(doc: Document) -> tuple[bool, list[str]]:
    """Every recommendation needs a decision, and the overall response must be written."""
    from scrutiny_desktop.services import assessments, recommendations

    info = assessments.info(doc)
    reasons = []
    if info.status == Status.DRAFT:
        reasons.append("The scrutineer has not signed this assessment off yet.")
    elif info.status == Status.REVIEWED:
        reasons.append("The review is already countersigned.")
    if doc.readonly:
        reasons.append(f"It is open read-only ({doc.readonly_reason}).")
    review = get_review(doc)
    if not review.overall.strip():
        reasons.append("Write the partnership's overall response.")
    missing = [r for r in recommendations.list_recommendations(doc) if r.id not in review.responses]
    if missing:
        reasons.append(f"{len(missing)} recommendation{'s' if len(missing) != 1 else ''} "
                       f"{'have' if len(missing) != 1 else 'has'} no decision yet.")
    return (not reasons, reasons)


def countersign_blocker(doc: Document) -> str:
    """Why the review cannot be countersigned now, in one line ("" if it can)."""
    from scrutiny_desktop.services.signoff import verify_signoff

    ok, reasons = review_readiness(doc)
    if not ok:
        return "The review cannot be countersigned yet. " + " ".join(reasons)
    valid, why = verify_signoff(doc)
    if not valid:
        return f"The scrutineer's sign-off no longer matches the content ({why})."
    return ""


def _same_person(a: str, b: str) -> bool:
    """The same name, whatever its capitals and spacing ("ann  JONES" is Ann Jones)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _not_independent(signer: str) -> str:
    return (f"The review must be independent of the scrutineer: {signer} signed off this "
            "assessment, so cannot also review or countersign it as the chair.")


def name_independence_problem(doc: Document, name: str) -> str:
    """Why ``name`` may not act as the chair on this assessment ("" if they may): the
    scrutineer whose sign-off is in force (the same name in any capitals) may not."""
    from scrutiny_desktop.services.signoff import current_signoff

    signed = current_signoff(doc)
    if signed is None or not name.strip() or not _same_person(name, signed.name):
        return ""
    return _not_independent(signed.name)


def independence_problem(doc: Document, identity: Identity, name: str) -> str:
    """Why this chair may not countersign the sign-off in force ("" if they may)."""
    from scrutiny_desktop.services.signoff import current_signoff

    signed = current_signoff(doc)
    if signed is None:
        return ""
    if signed.certificate_sha256 and signed.certificate_sha256 == identity.fingerprint:
        return ("The countersignature must be independent of the scrutineer: this is the "
                "certificate the scrutineer signed off with; use the chair's own certificate.")
    if _same_person(name, signed.name) or _same_person(identity.name, signed.name):
        return _not_independent(signed.name)
    return ""


def countersign(doc: Document, *, identity: Identity | None = None, name: str, role: str,
                statement: str, confirmed: bool, signature_png: bytes | None = None,
                render_pdf: signatures.RenderPdf | None = None) -> CountersignatureView:
    """Countersign the review with the chair's private key (independent of the scrutineer);
    with ``render_pdf``, keep the signed PDF too (see :mod:`scrutiny_desktop.report.signing`)."""
    from scrutiny_desktop.services.fingerprint import (
        countersign_fingerprint,
        countersignature_payload,
    )

    identity = signatures.require_identity(identity, "countersign")
    if not confirmed:
        raise InvalidInput("Tick “I confirm” to countersign.")
    name = required_text(name, "Your name")
    statement = required_text(statement, "The statement")
    blocker = countersign_blocker(doc)
    if blocker:
        raise InvalidInput(blocker)
    problem = independence_problem(doc, identity, name)
    if problem:
        raise InvalidInput(problem)
    check_png(signature_png)
    signoff_signature = signatures.current_signature_bytes(doc, signatures.SIGN_OFF)
    return signatures.record_signature(
        doc, signatures.COUNTERSIGNATURE, identity=identity, name=name, role=role,
        statement=statement, fingerprint=countersign_fingerprint(doc), signature_png=signature_png,
        payload=lambda signer: countersignature_payload(doc, signer, signoff_signature),
        render_pdf=render_pdf)


def reopen_review(doc: Document, *, reason: str, by: str = "") -> CountersignatureView | None:
    reason = required_text(reason, "The reason for reopening the review")
    return signatures.void_signature(doc, signatures.COUNTERSIGNATURE, reason=reason, by=by)


def countersignature_png(doc: Document, countersignature_id: int) -> bytes | None:
    return signatures.signature_png(doc, signatures.COUNTERSIGNATURE, countersignature_id)


DEFAULT_COUNTERSIGN_STATEMENT = (
    "On behalf of the safeguarding partners, I confirm that this is the partnership's response to "
    "the independent scrutineer's assessment, and that the decisions recorded here were agreed."
)
