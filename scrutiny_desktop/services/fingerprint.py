"""The canonical content of an assessment and its fingerprint.

The fingerprint is the SHA-256 of a canonical JSON (sorted keys, no spaces,
UTF-8) of what the scrutineer signs: the assessment details, the template it
follows, every answer with its evidence (attachments by name, size and SHA-256)
and recommendations, and (once written) the summary.  Status, timestamps and database row ids are left
out, so the fingerprint is the same on every machine and survives a JSON
export and import.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scrutiny_desktop.services.common import assessment_of
from scrutiny_desktop.services.summary import is_blank, summary_record
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


def _content(doc: Document, *, signed: bool, rows_out: list | None = None) -> dict:
    """The assessment's details, template and answers, as one of two records.

    ``signed=False`` is what the content fingerprint hashes (format 1, frozen);
    ``signed=True`` is what a signature signs (the signed payload of format 2), which
    adds the times, attachment media types and recommendation ids the PDF prints.
    ``canonical_json`` sorts keys, so the order of keys here changes no byte.
    """
    with doc.read() as session:
        a = assessment_of(doc, session)
        rows = session.scalars(
            select(Answer).order_by(Answer.position).options(
                selectinload(Answer.evidence).selectinload(EvidenceItem.attachment),
                selectinload(Answer.recommendations))
        ).all()
        if rows_out is not None:
            rows_out.extend(rows)
        answers = []
        for row in rows:
            evidence = []
            for e in row.evidence:
                attachment = None
                if e.attachment is not None:
                    attachment = {"name": e.attachment.filename, "size": e.attachment.size,
                                  "sha256": e.attachment.sha256}
                    if signed:
                        attachment |= {"media_type": e.attachment.media_type,
                                       "added_at": _time(e.attachment.added_at)}
                evidence.append({"title": e.title, "kind": e.kind, "date": _date(e.date),
                                 "source": e.source, "note": e.note, "attachment": attachment})
            recommendations = []
            for r in row.recommendations:
                rec = {"text": r.text, "owner": r.owner, "owner_other": r.owner_other,
                       "priority": r.priority, "due": _date(r.due), "status": r.status,
                       "carried_from": r.carried_from, "progress": r.progress}
                recommendations.append({"id": r.id, **rec} if signed else rec)
            answer = {"question_id": row.question_id, "judgement": row.judgement,
                      "findings": row.findings, "evidence": evidence,
                      "recommendations": recommendations}
            # Format 5: the direction of travel, only when one is given, so that a
            # document without directions keeps its fingerprint and signatures.
            if row.direction is not None:
                answer["direction"] = row.direction
            if signed:
                answer["updated_at"] = _time(row.updated_at)
            answers.append(answer)
        details = {"uid": a.uid, "partnership": a.partnership, "area": a.area,
                   "period": a.period, "scrutineer_name": a.scrutineer_name,
                   "scrutineer_role": a.scrutineer_role, "previous_uid": a.previous_uid,
                   "previous_period": a.previous_period}
        if signed:
            details["created_at"] = _time(a.created_at)
        record = {"assessment": details,
                  "template": {"id": a.template_id, "version": a.template_version,
                               "sha256": a.template_sha256},
                  "answers": answers}
        # Format 4: the scrutineer's summary, only once something is written in it, so
        # that a document without one keeps the fingerprint and signatures it had.
        summary = summary_record(doc, session)
        if not is_blank(summary):
            record["summary"] = summary
        if not signed:
            record["fingerprint_version"] = FINGERPRINT_VERSION
        return record


def scrutineer_content(doc: Document, *, rows_out: list | None = None) -> dict:
    """What a scrutineer's sign-off covers (the content fingerprint's record).

    ``rows_out``, when given, receives the answer rows it was made from (in question
    order, detached, with their evidence, attachments and recommendations loaded), so
    a caller that needs them as well reads the document once (the PDF, issue 17)."""
    return _content(doc, signed=False, rows_out=rows_out)


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
    if "summary" in content:
        parts["summary"] = sha256_text(canonical_json(content["summary"]))[:12]
    for answer in content["answers"]:
        parts[answer["question_id"]] = sha256_text(canonical_json(answer))[:12]
    return parts


# -- signed payloads (format 2) ------------------------------------------------
#
# What a sign-off or countersignature signs, byte for byte: see docs/json-format.md,
# "Signed payloads".  Everything here is rebuilt from the JSON export alone by a third
# party, so only values the export carries verbatim appear (no row ids except the
# recommendation ids the export keeps, timestamps as the export writes them).

SIGNED_PAYLOAD_VERSION = 1
SIGNOFF_PAYLOAD = "scrutiny-desktop-signoff"
COUNTERSIGNATURE_PAYLOAD = "scrutiny-desktop-countersignature"


def _time(value) -> str | None:
    """A stored time as the JSON export writes it (ISO 8601, UTC, microseconds)."""
    import datetime as dt

    return None if value is None else value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def signed_record(doc: Document) -> dict:
    """The assessment as the PDF prints it for signing: details, template, answers."""
    return _content(doc, signed=True)


def signed_review(doc: Document) -> dict:
    """The chair's review as the countersignature signs it."""
    with doc.read() as session:
        comments = session.scalars(select(ReviewComment)).all()
        responses = session.scalars(select(RecommendationResponse)).all()
        return {
            "comments": sorted(({"question_id": c.question_id, "author": c.author, "text": c.text}
                                for c in comments), key=lambda c: c["question_id"] or ""),
            "responses": sorted(({"recommendation_id": r.recommendation_id, "decision": r.decision,
                                  "detail": r.detail, "action_owner": r.action_owner,
                                  "action_due": _date(r.action_due)} for r in responses),
                                key=lambda r: r["recommendation_id"]),
        }


def signer_block(*, name: str, role: str, statement: str, signed_at, certificate_sha256: str) -> dict:
    return {"name": name, "role": role, "statement": statement, "signed_at": _time(signed_at),
            "certificate_sha256": certificate_sha256}


def signoff_payload(doc: Document, signer: dict) -> bytes:
    """The exact bytes a sign-off signs (UTF-8 canonical JSON)."""
    data = {"payload": SIGNOFF_PAYLOAD, "signed_payload_version": SIGNED_PAYLOAD_VERSION,
            **signed_record(doc), "signer": signer}
    return canonical_json(data).encode("utf-8")


def countersignature_payload(doc: Document, signer: dict, signoff_signature: bytes) -> bytes:
    """The exact bytes a countersignature signs: the record, the review and the
    scrutineer's signature (base64), and the chair as signer."""
    import base64

    data = {"payload": COUNTERSIGNATURE_PAYLOAD, "signed_payload_version": SIGNED_PAYLOAD_VERSION,
            **signed_record(doc), "review": signed_review(doc),
            "signoff_signature_base64": base64.b64encode(signoff_signature).decode("ascii"),
            "signer": signer}
    return canonical_json(data).encode("utf-8")
