"""The canonical content of an assessment and its fingerprint.

The fingerprint is the SHA-256 of a canonical JSON (sorted keys, no spaces,
UTF-8) of what the scrutineer signs: the assessment details, the template it
follows, and every answer with its evidence (attachments by name, size and
SHA-256) and recommendations.  Status, timestamps and database row ids are left
out, so the fingerprint is the same on every machine and survives a JSON
export and import.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scrutiny_desktop.services.common import assessment_of
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import (
    Answer,
    EvidenceItem,
    RecommendationResponse,
    ReviewComment,
)

FINGERPRINT_VERSION = 1


def canonical_json(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


def scrutineer_content(doc: Document) -> dict:
    """What a scrutineer's sign-off covers."""
    with doc.read() as session:
        a = assessment_of(doc, session)
        rows = session.scalars(
            select(Answer).order_by(Answer.position).options(
                selectinload(Answer.evidence).selectinload(EvidenceItem.attachment),
                selectinload(Answer.recommendations))
        ).all()
        answers = []
        for row in rows:
            answers.append({
                "question_id": row.question_id,
                "judgement": row.judgement,
                "findings": row.findings,
                "evidence": [{
                    "title": e.title, "kind": e.kind, "date": _date(e.date), "source": e.source,
                    "note": e.note,
                    "attachment": None if e.attachment is None else {
                        "name": e.attachment.filename, "size": e.attachment.size,
                        "sha256": e.attachment.sha256},
                } for e in row.evidence],
                "recommendations": [{
                    "text": r.text, "owner": r.owner, "owner_other": r.owner_other,
                    "priority": r.priority, "due": _date(r.due), "status": r.status,
                    "carried_from": r.carried_from, "progress": r.progress,
                } for r in row.recommendations],
            })
        return {
            "fingerprint_version": FINGERPRINT_VERSION,
            "assessment": {
                "uid": a.uid, "partnership": a.partnership, "area": a.area, "period": a.period,
                "scrutineer_name": a.scrutineer_name, "scrutineer_role": a.scrutineer_role,
                "previous_uid": a.previous_uid, "previous_period": a.previous_period,
            },
            "template": {"id": a.template_id, "version": a.template_version,
                         "sha256": a.template_sha256},
            "answers": answers,
        }


def review_content(doc: Document) -> dict:
    """The chair's review: question comments, overall response, decisions."""
    from scrutiny_desktop.storage.models import Recommendation

    with doc.read() as session:
        comments = session.scalars(select(ReviewComment)).all()
        responses = session.execute(
            select(RecommendationResponse, Recommendation, Answer)
            .join(Recommendation, RecommendationResponse.recommendation_id == Recommendation.id)
            .join(Answer, Recommendation.answer_id == Answer.id)
            .order_by(Answer.position, Recommendation.position)
        ).all()
        return {
            "overall": next((c.text for c in comments if c.question_id is None), ""),
            "comments": sorted(
                [{"question_id": c.question_id, "text": c.text} for c in comments
                 if c.question_id is not None and c.text], key=lambda c: c["question_id"]),
            "responses": [{
                "question_id": ans.question_id, "position": rec.position,
                "decision": resp.decision, "detail": resp.detail,
                "action_owner": resp.action_owner, "action_due": _date(resp.action_due),
            } for resp, rec, ans in responses],
        }


def fingerprint(content: dict) -> str:
    return sha256_text(canonical_json(content))


def content_fingerprint(doc: Document) -> str:
    return fingerprint(scrutineer_content(doc))


def countersign_fingerprint(doc: Document) -> str:
    """Covers the scrutineer's content and the review together."""
    return fingerprint({"scrutineer": scrutineer_content(doc), "review": review_content(doc)})


def part_hashes(content: dict) -> dict[str, str]:
    """Short hashes of each part, so a verifier can say what changed."""
    parts = {"details": sha256_text(canonical_json({k: content[k] for k in ("assessment", "template")}))[:12]}
    for answer in content["answers"]:
        parts[answer["question_id"]] = sha256_text(canonical_json(answer))[:12]
    return parts
