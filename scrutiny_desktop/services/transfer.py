"""JSON import: a new document built from a JSON export, exactly.

The inverse of :mod:`scrutiny_desktop.report.jsonio` (the export).  Import rebuilds
the document exactly -- the same rows, ids, timestamps and audit log -- in a
temporary file that only takes the target's name once it is complete, and it never
replaces an existing file.

Attachments are streamed (base64 decoded in chunks straight from the source file into
SQLite incremental blob I/O), so memory stays bounded whatever their size.  Import
trusts nothing (:mod:`.json_reader`): lists and objects nested more than 64 deep,
whole numbers outside SQLite's signed 64-bit range, NaN and infinities, and
attachments over the 50 MB limit are each refused with one sentence naming the JSON
path.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import os
import re
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from scrutiny_desktop.atomic import atomic_path, check_target, open_source, write_error
from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.errors import (
    DocumentError,
    DocumentReadOnly,
    FileReadFailed,
    FileWriteFailed,
    InvalidInput,
)
from scrutiny_desktop.services import evidence
from scrutiny_desktop.services.export_format import EMPTY_SUMMARY, AssessmentExport, SignatureJ
from scrutiny_desktop.services.fingerprint import canonical_json
from scrutiny_desktop.services.json_reader import (
    _NO_BLOBS,
    ImportProblem,
    _Base64,
    _Blobs,
    _json_path,
    _read_export,
)
from scrutiny_desktop.services.summary import FIELDS, OVERALL
from scrutiny_desktop.storage import audit as audit_log
from scrutiny_desktop.storage.document import create_document, open_document
from scrutiny_desktop.storage.models import (
    Answer,
    Assessment,
    AuditEntry,
    Countersignature,
    EvidenceItem,
    Recommendation,
    RecommendationResponse,
    ReviewComment,
    SignOff,
    SummaryPart,
)
from scrutiny_desktop.storage.sqlite import DB_ERRORS
from scrutiny_desktop.storage.sqlite_errors import os_errno

__all__ = ["ImportProblem", "import_json", "validate"]


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


def _hash_base64(text: _Base64) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in text.decoded():
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _too_large(where: str, size: float) -> str:
    limit = evidence.MAX_ATTACHMENT_BYTES // 1048576
    return (f"{where}: the attached file is {size / 1048576:.0f} MB; attachments can be at most "
            f"{limit} MB, so this export cannot be imported. Remove that attachment in the "
            "app that made the export, then export again.")


def validate(data, source: Path, blobs: _Blobs = _NO_BLOBS) -> tuple[AssessmentExport, Template]:
    """Check structure, then meaning; raise ImportProblem with JSON paths.

    Attachments are decoded and hashed in chunks (from the source file when ``blobs``
    holds them there) and none may be larger than the attachment limit.
    """
    if (isinstance(data, dict) and "summary" not in data and isinstance(data.get("format"), dict)
            and data["format"].get("version") in (1, 2)):
        data = {**data, "summary": EMPTY_SUMMARY}  # made before summaries existed
    try:
        model = AssessmentExport.model_validate(data)
    except ValidationError as exc:
        shape = []
        for err in exc.errors()[:5]:
            msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
            shape.append(f"{_json_path(tuple(err['loc']))}: {msg}")
        raise ImportProblem(source, shape) from None
    problems: list[str] = []
    try:
        template = Template.model_validate(model.template)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _json_path(("template", *err["loc"]))
        raise ImportProblem(source, [f"{where}: {err['msg']}"]) from None
    snapshot = canonical_json(model.template)
    if hashlib.sha256(snapshot.encode("utf-8")).hexdigest() != model.assessment.template_sha256:
        problems.append("$.assessment.template_sha256: does not match the template")
    expected = template.question_ids()
    got = [a.question_id for a in model.answers]
    if got != expected:
        problems.append("$.answers: the questions do not match the template's questions, in order")
    ids: dict[str, set[int]] = {"evidence": set(), "recommendations": set(), "attachments": set()}
    for i, ans in enumerate(model.answers):
        if not template.is_valid_judgement(ans.judgement):
            problems.append(f"$.answers[{i}].judgement: '{ans.judgement}' is not on the template's scale")
        if ans.direction is not None and not template.directions:
            problems.append(f"$.answers[{i}].direction: the template does not ask for a "
                            "direction of travel")
        for j, ev in enumerate(ans.evidence):
            here = f"$.answers[{i}].evidence[{j}]"
            if ev.id in ids["evidence"]:
                problems.append(f"{here}.id: used twice")
            ids["evidence"].add(ev.id)
            if ev.attachment is not None:
                text = blobs.text_of(ev.attachment.content_base64)
                longest = len(text) // 4 * 3
                if max(ev.attachment.size, longest - 2) > evidence.MAX_ATTACHMENT_BYTES:
                    problems.append(_too_large(f"{here}.attachment.size",
                                               max(ev.attachment.size, longest)))
                    continue
                try:
                    digest, size = _hash_base64(text)
                except ValueError:
                    problems.append(f"{here}.attachment.content_base64: not valid base64")
                    continue
                if digest != ev.attachment.sha256:
                    problems.append(f"{here}.attachment.sha256: does not match the content")
                if size != ev.attachment.size:
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
    unique_checks: list[tuple[str, list, str]] = [
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
    summary = model.summary
    if summary.overall_judgement is not None and summary.overall_judgement not in {
            p.value for p in template.scale.points}:
        problems.append("$.summary.overall_judgement: not a judgement on the template's scale")
    section_ids = {s.id for s in template.sections}
    seen_sections: set[str] = set()
    for k, ss in enumerate(summary.sections):
        if ss.section_id not in section_ids:
            problems.append(f"$.summary.sections[{k}].section_id: not a section in the template")
        elif ss.section_id in seen_sections:
            problems.append(f"$.summary.sections[{k}].section_id: listed twice")
        seen_sections.add(ss.section_id)
    signatures = [(f"$.signoffs[{k}]", s) for k, s in enumerate(model.signoffs)] + [
        (f"$.reviews.countersignatures[{k}]", c)
        for k, c in enumerate(model.reviews.countersignatures)]
    for where, sig in signatures:
        try:
            png = _unb64(sig.signature_png_base64, "signature")
        except ValueError:
            problems.append(f"{where}.signature_png_base64: not valid base64")
            continue
        if png is not None and not png.startswith(b"\x89PNG\r\n\x1a\n"):
            problems.append(f"{where}.signature_png_base64: not a PNG image")
        try:
            _unb64(sig.signature_base64, "signature")
        except ValueError:
            problems.append(f"{where}.signature_base64: not valid base64")
        try:
            _der(sig.certificate_pem)
        except ValueError:
            problems.append(f"{where}.certificate_pem: not a PEM X.509 certificate")
        try:
            pdf = _unb64(sig.signed_pdf_base64, "signed PDF")
        except ValueError:
            problems.append(f"{where}.signed_pdf_base64: not valid base64")
        else:
            if pdf is not None and not pdf.startswith(b"%PDF-"):
                problems.append(f"{where}.signed_pdf_base64: not a PDF")
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


#: What building a document may raise (ours, SQLAlchemy's, either driver's).
_BUILD_ERRORS: tuple[type[Exception], ...] = (DocumentError, SQLAlchemyError, *DB_ERRORS)


def import_json(source: Path | str, target: Path | str) -> Path:
    """Build a new document at ``target`` from a JSON export.

    The source is checked to be a regular file before it is opened (a named pipe never
    blocks), read in chunks with bounded nesting and numbers that fit SQLite, and its
    attachments are streamed into the new document.  The document is built under a
    temporary name beside ``target`` that is removed on any failure, and it never
    replaces an existing file.
    """
    source, target = Path(source), Path(target)
    check_target(target)
    if os.path.lexists(target):
        raise FileExistsError(f"{target} already exists. Choose a new file name; "
                              "import never replaces a file.")
    with open_source(source, "JSON export") as fh:
        data, blobs = _read_export(fh, source)
        if not isinstance(data, dict):
            raise ImportProblem(source, ["$: expected a JSON object"])
        model, _template = validate(data, source, blobs)
        with atomic_path(target, overwrite=False, tag="importing") as tmp:
            try:
                _build(tmp, model, blobs, source)
            except (ImportProblem, FileReadFailed):
                raise
            except _BUILD_ERRORS as exc:
                # Said of the hidden temporary file ("saving will be retried"): say it of
                # the file being made, and what to do, instead.
                raise _write_failed(exc, target) from None
    return target


def _write_failed(exc: Exception, target: Path) -> FileWriteFailed:
    """The sentence for a failure to build ``target``, told apart by its code (the OS
    ``errno``, or SQLite's result code: a full disk, a folder that may not be written...)."""
    code = errno.EACCES if isinstance(exc, DocumentReadOnly) else os_errno(exc)
    if code is not None:
        return write_error(OSError(code, os.strerror(code)), target)
    return write_error(OSError(None, _detail(exc)), target)


def _detail(exc: Exception) -> str:
    """What SQLite or the OS said, without the sentence a DocumentError wraps it in."""
    if isinstance(exc, DocumentError):
        m = re.search(r"\((.*)\)\.[^()]*$", str(exc))
        return m.group(1) if m else str(exc).replace(str(exc.path), "the file")
    return " ".join(str(getattr(exc, "orig", None) or exc).split())


def _build(tmp: Path, model: AssessmentExport, blobs: _Blobs, source: Path) -> None:
    create_document(tmp)
    with open_document(tmp) as doc:
        try:
            with doc.write() as session:
                _restore(session, model, blobs)
        except IntegrityError as exc:
            raise ImportProblem(source, [f"$: the export is inconsistent ({exc.orig})"]) from None
        except (InvalidInput, ValueError) as exc:
            if isinstance(exc, DocumentError):
                raise
            raise ImportProblem(source, ["the file changed while it was being imported; "
                                         "import it again"]) from None
        from scrutiny_desktop.services.integrity import integrity_report

        report = integrity_report(doc)
        if not report.ok:
            # e.g. findings of a signed-off assessment edited in the JSON
            raise ImportProblem(source, [f"$: {report.problem}"])


def _der(pem: str | None) -> bytes | None:
    """The DER bytes of a PEM certificate (ValueError if it is not one)."""
    if not pem:
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return x509.load_pem_x509_certificate(pem.encode("ascii")).public_bytes(
        serialization.Encoding.DER)


def _restore(session, m: AssessmentExport, blobs: _Blobs = _NO_BLOBS) -> None:
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
                     direction=ans.direction, findings=ans.findings,
                     carried_from=ans.carried_from if ans.judgement is not None else None,
                     updated_at=_dt(ans.updated_at))
        session.add(row)
        session.flush()
        for e_pos, ev in enumerate(ans.evidence, start=1):
            att = None
            if ev.attachment is not None:
                att = evidence.write_attachment(
                    session, id=ev.attachment.id, filename=ev.attachment.name,
                    media_type=ev.attachment.media_type, size=ev.attachment.size,
                    sha256=ev.attachment.sha256,
                    chunks=blobs.text_of(ev.attachment.content_base64).decoded(),
                    added_at=_dt(ev.attachment.added_at))
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
                   void_reason=s.void_reason, signature=_unb64(s.signature_base64, ""),
                   certificate_der=_der(s.certificate_pem),
                   signed_payload_version=s.signed_payload_version,
                   signed_pdf=_unb64(s.signed_pdf_base64, ""))

    for s in m.signoffs:
        session.add(sig(SignOff, s))
    for c in m.reviews.comments:
        session.add(ReviewComment(id=c.id, question_id=c.question_id, author=c.author, text=c.text,
                                  updated_at=_dt(c.updated_at)))
    summary = m.summary
    parts = [(OVERALL, summary.overall_judgement or "")]
    parts += [(name, getattr(summary, name)) for name in FIELDS]
    parts += [(f"section/{s.section_id}", s.summary) for s in summary.sections]
    for part, text in parts:
        if text:
            session.add(SummaryPart(part=part, text=text, updated_at=_dt(a.modified_at)))
    for r in m.reviews.responses:
        session.add(RecommendationResponse(
            id=r.id, recommendation_id=r.recommendation_id, decision=r.decision, detail=r.detail,
            action_owner=r.action_owner, action_due=_date(r.action_due), updated_at=_dt(r.updated_at)))
    for cs in m.reviews.countersignatures:
        session.add(sig(Countersignature, cs))
    for e in m.audit:
        session.add(AuditEntry(seq=e.seq, at=e.at, actor=e.actor, action=e.action, target=e.target,
                               old_value=e.old, new_value=e.new, prev_hash=e.prev_hash,
                               row_hash=e.row_hash))
