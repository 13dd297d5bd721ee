"""JSON export and import: a lossless, versioned copy of a document.

The format is documented in ``docs/json-format.md``; its JSON Schema is
``resources/schemas/assessment-export.schema.json``, generated from the
pydantic models below (``python -m scrutiny_desktop.report.jsonio --schema``).

Export is deterministic: the same document always gives the same bytes (keys
sorted, two-space indent, UTF-8, one trailing newline).  Import rebuilds the
document exactly -- the same rows, ids, timestamps and audit log -- in a
temporary file that only takes the target's name once it is complete, and it
never replaces an existing file.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from scrutiny_desktop import paths
from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.services.fingerprint import canonical_json
from scrutiny_desktop.storage import audit as audit_log
from scrutiny_desktop.storage.document import Document, create_document, open_document
from scrutiny_desktop.storage.errors import InvalidInput
from scrutiny_desktop.storage.models import (
    Answer,
    Assessment,
    Attachment,
    AuditEntry,
    Countersignature,
    EvidenceItem,
    Recommendation,
    RecommendationResponse,
    ReviewComment,
    SignOff,
)

FORMAT_NAME = "scrutiny-desktop-assessment"
FORMAT_VERSION = 1

def _real_date(value: str) -> str:
    import datetime as dt

    dt.date.fromisoformat(value)  # raises ValueError ("not a real date") for 2025-02-30
    return value


def _real_time(value: str) -> str:
    import datetime as dt

    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_real_date)]
IsoTime = Annotated[str, StringConstraints(
    pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"),
    AfterValidator(_real_time)]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FormatInfo(_M):
    name: Literal["scrutiny-desktop-assessment"]
    version: Literal[1]


class AssessmentJ(_M):
    uid: str
    partnership: str
    area: str
    period: str
    scrutineer_name: str
    scrutineer_role: str
    status: Literal["draft", "signed_off", "reviewed"]
    created_at: IsoTime
    modified_at: IsoTime
    template_id: str
    template_version: str
    template_title: str
    template_sha256: Sha256
    previous_uid: str | None = None
    previous_period: str | None = None
    #: The newest audit row's hash and the number of rows, so that rows cut
    #: from the end of ``audit`` are detected on import.
    audit_head: str
    audit_count: int = Field(ge=0)


class AttachmentJ(_M):
    id: int
    name: str
    media_type: str
    size: int = Field(ge=0)
    sha256: Sha256
    added_at: IsoTime
    content_base64: str


class EvidenceJ(_M):
    id: int
    title: str
    kind: Literal["document", "meeting", "case_audit", "conversation", "data", "observation", "other"]
    date: IsoDate | None
    source: str
    note: str
    attachment: AttachmentJ | None


class RecommendationJ(_M):
    id: int
    text: str
    owner: Literal["local_authority", "police", "health", "partnership", "other"]
    owner_other: str
    priority: Literal["high", "medium", "low"]
    due: IsoDate | None
    status: Literal["open", "in_progress", "done"]
    carried_from: str
    progress: str


class AnswerJ(_M):
    question_id: str
    judgement: str | None
    findings: str
    updated_at: IsoTime | None
    evidence: list[EvidenceJ]
    recommendations: list[RecommendationJ]


class SignatureJ(_M):
    id: int
    name: str
    role: str
    signed_at: IsoTime
    statement: str
    signature_png_base64: str | None
    fingerprint: Sha256
    voided_at: IsoTime | None
    voided_by: str
    void_reason: str


class CommentJ(_M):
    id: int
    question_id: str | None
    author: str
    text: str
    updated_at: IsoTime


class ResponseJ(_M):
    id: int
    recommendation_id: int
    decision: Literal["accepted", "accepted_with_changes", "not_accepted"]
    detail: str
    action_owner: str
    action_due: IsoDate | None
    updated_at: IsoTime


class ReviewsJ(_M):
    comments: list[CommentJ]
    responses: list[ResponseJ]
    countersignatures: list[SignatureJ]


class AuditJ(_M):
    seq: int = Field(ge=1)
    at: str
    actor: str
    action: str
    target: str
    old: str | None
    new: str | None
    prev_hash: Sha256
    row_hash: Sha256


class AssessmentExport(_M):
    """A whole assessment document as JSON."""

    model_config = ConfigDict(extra="forbid", title="Scrutiny Desktop assessment export")

    format: FormatInfo
    assessment: AssessmentJ
    template: dict
    answers: list[AnswerJ]
    signoffs: list[SignatureJ]
    reviews: ReviewsJ
    audit: list[AuditJ]


def json_schema() -> dict:
    schema = AssessmentExport.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:scrutiny-desktop:assessment-export:1"
    return schema


def schema_path() -> Path:
    return paths.resource("schemas", "assessment-export.schema.json")


# -- export ----------------------------------------------------------------------

def _t(value) -> str | None:
    return None if value is None else value.isoformat(timespec="microseconds")


def _d(value) -> str | None:
    return None if value is None else value.isoformat()


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _signature(row) -> dict:
    return {
        "id": row.id, "name": row.name, "role": row.role, "signed_at": _t(row.signed_at),
        "statement": row.statement, "signature_png_base64": _b64(row.signature_png),
        "fingerprint": row.fingerprint, "voided_at": _t(row.voided_at),
        "voided_by": row.voided_by, "void_reason": row.void_reason,
    }


def export_data(doc: Document) -> dict:
    with doc.read() as session:
        a = session.get(Assessment, 1)
        rows = session.scalars(select(Answer).order_by(Answer.position).options(
            selectinload(Answer.evidence).selectinload(EvidenceItem.attachment).undefer(Attachment.content),
            selectinload(Answer.recommendations))).all()
        answers = []
        for row in rows:
            answers.append({
                "question_id": row.question_id, "judgement": row.judgement,
                "findings": row.findings, "updated_at": _t(row.updated_at),
                "evidence": [{
                    "id": e.id, "title": e.title, "kind": e.kind, "date": _d(e.date),
                    "source": e.source, "note": e.note,
                    "attachment": None if e.attachment is None else {
                        "id": e.attachment.id, "name": e.attachment.filename,
                        "media_type": e.attachment.media_type, "size": e.attachment.size,
                        "sha256": e.attachment.sha256, "added_at": _t(e.attachment.added_at),
                        "content_base64": _b64(e.attachment.content),
                    },
                } for e in row.evidence],
                "recommendations": [{
                    "id": r.id, "text": r.text, "owner": r.owner, "owner_other": r.owner_other,
                    "priority": r.priority, "due": _d(r.due), "status": r.status,
                    "carried_from": r.carried_from, "progress": r.progress,
                } for r in row.recommendations],
            })
        return {
            "format": {"name": FORMAT_NAME, "version": FORMAT_VERSION},
            "assessment": {
                "uid": a.uid, "partnership": a.partnership, "area": a.area, "period": a.period,
                "scrutineer_name": a.scrutineer_name, "scrutineer_role": a.scrutineer_role,
                "status": a.status, "created_at": _t(a.created_at), "modified_at": _t(a.modified_at),
                "template_id": a.template_id, "template_version": a.template_version,
                "template_title": a.template_title, "template_sha256": a.template_sha256,
                "previous_uid": a.previous_uid, "previous_period": a.previous_period,
                "audit_head": a.audit_head, "audit_count": a.audit_count,
            },
            "template": json.loads(a.template_snapshot),
            "answers": answers,
            "signoffs": [_signature(s) for s in session.scalars(select(SignOff).order_by(SignOff.id))],
            "reviews": {
                "comments": [{
                    "id": c.id, "question_id": c.question_id, "author": c.author, "text": c.text,
                    "updated_at": _t(c.updated_at),
                } for c in session.scalars(select(ReviewComment).order_by(ReviewComment.id))],
                "responses": [{
                    "id": r.id, "recommendation_id": r.recommendation_id, "decision": r.decision,
                    "detail": r.detail, "action_owner": r.action_owner,
                    "action_due": _d(r.action_due), "updated_at": _t(r.updated_at),
                } for r in session.scalars(select(RecommendationResponse)
                                           .order_by(RecommendationResponse.id))],
                "countersignatures": [_signature(c) for c in session.scalars(
                    select(Countersignature).order_by(Countersignature.id))],
            },
            "audit": [{
                "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
                "target": e.target, "old": e.old_value, "new": e.new_value,
                "prev_hash": e.prev_hash, "row_hash": e.row_hash,
            } for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))],
        }


def dumps(data: dict) -> bytes:
    return (json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write_new(out: Path, payload: bytes, *, overwrite: bool = True) -> Path:
    out = Path(out)
    tmp = out.with_name(f".{out.name}.writing-{os.getpid()}")
    try:
        tmp.write_bytes(payload)
        if overwrite:
            os.replace(tmp, out)
        else:
            _link_new(tmp, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return out


def export_json(doc: Document, out: Path | str) -> Path:
    return _write_new(Path(out), dumps(export_data(doc)))


# -- import ----------------------------------------------------------------------

def _json_path(loc: tuple) -> str:
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class ImportProblem(InvalidInput):
    def __init__(self, source: Path, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{source}: {problems[0]}{more}")


def _dt(value: str | None):
    import datetime as dt

    if value is None:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _date(value: str | None):
    import datetime as dt

    return None if value is None else dt.date.fromisoformat(value)


def _unb64(value: str | None, where: str) -> bytes | None:
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{where}: not valid base64") from None


def validate(data, source: Path) -> tuple[AssessmentExport, Template]:
    """Check structure, then meaning; raise ImportProblem with JSON paths."""
    try:
        model = AssessmentExport.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:5]:
            msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(f"{_json_path(tuple(err['loc']))}: {msg}")
        raise ImportProblem(source, problems) from None
    problems: list[str] = []
    try:
        template = Template.model_validate(model.template)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ImportProblem(source, [f"{_json_path(('template',) + tuple(err['loc']))}: {err['msg']}"]) from None
    snapshot = canonical_json(model.template)
    if hashlib.sha256(snapshot.encode("utf-8")).hexdigest() != model.assessment.template_sha256:
        problems.append("$.assessment.template_sha256: does not match the template")
    expected = template.question_ids()
    got = [a.question_id for a in model.answers]
    if got != expected:
        problems.append("$.answers: the questions do not match the template's questions, in order")
    ids = {"evidence": set(), "recommendations": set(), "attachments": set()}
    for i, ans in enumerate(model.answers):
        if not template.is_valid_judgement(ans.judgement):
            problems.append(f"$.answers[{i}].judgement: '{ans.judgement}' is not on the template's scale")
        for j, ev in enumerate(ans.evidence):
            here = f"$.answers[{i}].evidence[{j}]"
            if ev.id in ids["evidence"]:
                problems.append(f"{here}.id: used twice")
            ids["evidence"].add(ev.id)
            if ev.attachment is not None:
                try:
                    content = _unb64(ev.attachment.content_base64, f"{here}.attachment.content_base64")
                except ValueError as exc:
                    problems.append(str(exc))
                    continue
                if hashlib.sha256(content).hexdigest() != ev.attachment.sha256:
                    problems.append(f"{here}.attachment.sha256: does not match the content")
                if len(content) != ev.attachment.size:
                    problems.append(f"{here}.attachment.size: does not match the content")
                if ev.attachment.id in ids["attachments"]:
                    problems.append(f"{here}.attachment.id: used twice")
                ids["attachments"].add(ev.attachment.id)
        for j, rec in enumerate(ans.recommendations):
            if rec.id in ids["recommendations"]:
                problems.append(f"$.answers[{i}].recommendations[{j}].id: used twice")
            ids["recommendations"].add(rec.id)
    for k, resp in enumerate(model.reviews.responses):
        if resp.recommendation_id not in ids["recommendations"]:
            problems.append(f"$.reviews.responses[{k}].recommendation_id: no such recommendation")
    unique_checks = [
        ("$.signoffs", [x.id for x in model.signoffs], "id"),
        ("$.reviews.comments", [x.id for x in model.reviews.comments], "id"),
        ("$.reviews.comments", [x.question_id for x in model.reviews.comments], "question_id"),
        ("$.reviews.responses", [x.id for x in model.reviews.responses], "id"),
        ("$.reviews.responses", [x.recommendation_id for x in model.reviews.responses],
         "recommendation_id"),
        ("$.reviews.countersignatures", [x.id for x in model.reviews.countersignatures], "id"),
    ]
    for where, values, field in unique_checks:
        seen: set = set()
        for k, value in enumerate(values):
            if value in seen:
                problems.append(f"{where}[{k}].{field}: used twice")
            seen.add(value)
    question_ids = set(expected)
    for k, c in enumerate(model.reviews.comments):
        if c.question_id is not None and c.question_id not in question_ids:
            problems.append(f"$.reviews.comments[{k}].question_id: not a question in the template")
    for k, sig in enumerate(list(model.signoffs) + list(model.reviews.countersignatures)):
        try:
            png = _unb64(sig.signature_png_base64, "signature")
        except ValueError:
            problems.append(f"$.signoffs[{k}].signature_png_base64: not valid base64")
            continue
        if png is not None and not png.startswith(b"\x89PNG\r\n\x1a\n"):
            problems.append(f"$.signoffs[{k}].signature_png_base64: not a PNG image")
    prev = audit_log.GENESIS
    for k, row in enumerate(model.audit):
        if row.seq != k + 1:
            problems.append(f"$.audit[{k}].seq: expected {k + 1}")
            break
        if row.prev_hash != prev or audit_log.entry_hash(
                prev, row.seq, row.at, row.actor, row.action, row.target, row.old, row.new) != row.row_hash:
            problems.append(f"$.audit[{k}]: the audit log has been altered (its hash chain is broken)")
            break
        prev = row.row_hash
    else:
        if len(model.audit) != model.assessment.audit_count or (
                (model.audit[-1].row_hash if model.audit else "") != model.assessment.audit_head):
            problems.append("$.audit: rows are missing from the end of the audit log "
                            "(it does not reach $.assessment.audit_head)")
    if problems:
        raise ImportProblem(source, problems)
    return model, template


def _link_new(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the name ``target`` unless ``target`` exists (atomically where possible)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise FileExistsError(f"{target} already exists. Choose a new file name; "
                              "import never replaces a file.") from None
    except OSError:
        if target.exists():
            raise FileExistsError(f"{target} already exists. Choose a new file name; "
                                  "import never replaces a file.") from None
        os.replace(tmp, target)
        return
    tmp.unlink()


def import_json(source: Path | str, target: Path | str) -> Path:
    """Build a new document at ``target`` from a JSON export."""
    source, target = Path(source), Path(target)
    if target.exists():
        raise FileExistsError(f"{target} already exists. Choose a new file name; "
                              "import never replaces a file.")
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{source} does not exist.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{source} is a folder, not a JSON export.") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
        # Lone surrogates ("\ud800") are valid JSON but not text that can be stored.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ImportProblem(source, ["contains a \\u escape that is not a real character "
                                     "(a lone surrogate)"]) from None
    except UnicodeDecodeError:
        raise ImportProblem(source, ["not UTF-8 text; choose a JSON export made by Scrutiny Desktop"]) from None
    except json.JSONDecodeError as exc:
        raise ImportProblem(source, [f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]) from None
    if not isinstance(data, dict):
        raise ImportProblem(source, ["$: expected a JSON object"])
    model, _template = validate(data, source)

    tmp = target.with_name(f".{target.name}.importing-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        create_document(tmp)
        with open_document(tmp) as doc:
            try:
                with doc.write() as session:
                    _restore(session, model)
            except IntegrityError as exc:
                raise ImportProblem(source, [f"$: the export is inconsistent ({exc.orig})"]) from None
            from scrutiny_desktop.services.integrity import integrity_report

            report = integrity_report(doc)
            if not report.ok:
                # e.g. findings of a signed-off assessment edited in the JSON
                raise ImportProblem(source, [f"$: {report.problem}"])
        _link_new(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


def _restore(session, m: AssessmentExport) -> None:
    a = m.assessment
    last = m.audit[-1].row_hash if m.audit else ""
    session.add(Assessment(
        id=1, uid=a.uid, partnership=a.partnership, area=a.area, period=a.period,
        scrutineer_name=a.scrutineer_name, scrutineer_role=a.scrutineer_role, status=a.status,
        created_at=_dt(a.created_at), modified_at=_dt(a.modified_at), template_id=a.template_id,
        template_version=a.template_version, template_title=a.template_title,
        template_snapshot=canonical_json(m.template), template_sha256=a.template_sha256,
        previous_uid=a.previous_uid, previous_period=a.previous_period,
        audit_head=a.audit_head or last, audit_count=a.audit_count))
    for position, ans in enumerate(m.answers):
        row = Answer(question_id=ans.question_id, position=position, judgement=ans.judgement,
                     findings=ans.findings, updated_at=_dt(ans.updated_at))
        session.add(row)
        session.flush()
        for e_pos, ev in enumerate(ans.evidence, start=1):
            att = None
            if ev.attachment is not None:
                content = _unb64(ev.attachment.content_base64, "")
                att = Attachment(id=ev.attachment.id, filename=ev.attachment.name,
                                 media_type=ev.attachment.media_type, size=ev.attachment.size,
                                 sha256=ev.attachment.sha256, content=content,
                                 added_at=_dt(ev.attachment.added_at))
                session.add(att)
                session.flush()
            session.add(EvidenceItem(id=ev.id, answer_id=row.id, position=e_pos, title=ev.title,
                                     kind=ev.kind, date=_date(ev.date), source=ev.source,
                                     note=ev.note, attachment_id=att.id if att else None))
        for r_pos, rec in enumerate(ans.recommendations, start=1):
            session.add(Recommendation(id=rec.id, answer_id=row.id, position=r_pos, text=rec.text,
                                       owner=rec.owner, owner_other=rec.owner_other,
                                       priority=rec.priority, due=_date(rec.due), status=rec.status,
                                       carried_from=rec.carried_from, progress=rec.progress))
    session.flush()

    def sig(cls, s: SignatureJ):
        return cls(id=s.id, name=s.name, role=s.role, signed_at=_dt(s.signed_at),
                   statement=s.statement, signature_png=_unb64(s.signature_png_base64, ""),
                   fingerprint=s.fingerprint, voided_at=_dt(s.voided_at), voided_by=s.voided_by,
                   void_reason=s.void_reason)

    for s in m.signoffs:
        session.add(sig(SignOff, s))
    for c in m.reviews.comments:
        session.add(ReviewComment(id=c.id, question_id=c.question_id, author=c.author, text=c.text,
                                  updated_at=_dt(c.updated_at)))
    for r in m.reviews.responses:
        session.add(RecommendationResponse(
            id=r.id, recommendation_id=r.recommendation_id, decision=r.decision, detail=r.detail,
            action_owner=r.action_owner, action_due=_date(r.action_due), updated_at=_dt(r.updated_at)))
    for c in m.reviews.countersignatures:
        session.add(sig(Countersignature, c))
    for e in m.audit:
        session.add(AuditEntry(seq=e.seq, at=e.at, actor=e.actor, action=e.action, target=e.target,
                               old_value=e.old, new_value=e.new, prev_hash=e.prev_hash,
                               row_hash=e.row_hash))


if __name__ == "__main__":  # pragma: no cover - maintenance helper
    if sys.argv[1:] == ["--schema"]:
        target = schema_path()
        target.write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(target)
