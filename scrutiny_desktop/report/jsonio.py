"""JSON export: a lossless, versioned copy of a document.

The format (:mod:`scrutiny_desktop.services.export_format`) is documented in
``docs/json-format.md``; its JSON Schema is
``resources/schemas/assessment-export.schema.json``, generated from the format's
pydantic models (``python -m scrutiny_desktop.report.jsonio --schema``).  The
inverse, building a new document from an export, is
:func:`scrutiny_desktop.services.transfer.import_json`.

Export is deterministic: the same document always gives the same bytes (keys
sorted, two-space indent, UTF-8, one trailing newline).  Attachments are streamed
(SQLite incremental blob I/O, base64 in chunks), so memory stays bounded whatever
their size.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scrutiny_desktop.atomic import atomic_write
from scrutiny_desktop.services import evidence
from scrutiny_desktop.services.common import assessment_of
from scrutiny_desktop.services.export_format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    AssessmentExport,
    json_schema,
    schema_path,
)
from scrutiny_desktop.services.summary import summary_record
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import (
    Answer,
    Attachment,
    AuditEntry,
    Countersignature,
    EvidenceItem,
    RecommendationResponse,
    ReviewComment,
    SignOff,
)

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "AssessmentExport", "dumps", "export_data",
           "export_json", "json_schema", "schema_path", "write_export"]


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
        "certificate_pem": _pem(row.certificate_der), "signature_base64": _b64(row.signature),
        "signed_payload_version": row.signed_payload_version or 0,
        "signed_pdf_base64": _b64(row.signed_pdf),
    }


def _pem(der: bytes | None) -> str | None:
    if not der:
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode("ascii")


class _AttachmentBytes:
    """Stands for an attachment's ``content_base64`` until the export is written: the
    bytes are then streamed from the document and base64-encoded chunk by chunk."""

    __slots__ = ("id",)

    def __init__(self, attachment_id: int):
        self.id = attachment_id


def _tree(doc: Document, session: Session, content: Callable[[Attachment], object]) -> dict:
    """The export as plain data; ``content(attachment)`` gives each ``content_base64``."""
    a = assessment_of(doc, session)
    rows = session.scalars(select(Answer).order_by(Answer.position).options(
        selectinload(Answer.evidence).selectinload(EvidenceItem.attachment),
        selectinload(Answer.recommendations))).all()
    answers = []
    for row in rows:
        answers.append({
            "question_id": row.question_id, "judgement": row.judgement,
            "direction": row.direction,
            # Only while a carried-forward judgement waits to be confirmed (format 6).
            **({"carried_from": row.carried_from}
               if row.carried_from is not None and row.judgement is not None else {}),
            "findings": row.findings, "updated_at": _t(row.updated_at),
            "evidence": [{
                "id": e.id, "title": e.title, "kind": e.kind, "date": _d(e.date),
                "source": e.source, "note": e.note,
                "attachment": None if e.attachment is None else {
                    "id": e.attachment.id, "name": e.attachment.filename,
                    "media_type": e.attachment.media_type, "size": e.attachment.size,
                    "sha256": e.attachment.sha256, "added_at": _t(e.attachment.added_at),
                    "content_base64": content(e.attachment),
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
        "summary": summary_record(doc, session),
        "audit": [{
            "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
            "target": e.target, "old": e.old_value, "new": e.new_value,
            "prev_hash": e.prev_hash, "row_hash": e.row_hash,
        } for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))],
    }


def export_data(doc: Document) -> dict:
    """The whole export in memory, attachments included (small documents, tests);
    :func:`export_json` streams attachments instead."""
    with doc.read() as session:
        return _tree(doc, session, lambda att: _b64(b"".join(evidence.iter_attachment(session, att.id))))


def dumps(data: dict) -> bytes:
    return (json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


#: What json.dumps(ensure_ascii=False) uses for a string (the C version where there is one).
_encode_str = json.encoder.encode_basestring


class _Writer:
    """UTF-8 text to a binary stream in pieces of about ``flush_at`` characters."""

    def __init__(self, fh, flush_at: int = 1 << 16):
        self.fh, self.flush_at = fh, flush_at
        self.parts: list[str] = []
        self.pending = 0

    def text(self, piece: str) -> None:
        self.parts.append(piece)
        self.pending += len(piece)
        if self.pending >= self.flush_at:
            self.flush()

    def raw(self, data: bytes) -> None:
        self.flush()
        self.fh.write(data)

    def flush(self) -> None:
        if self.parts:
            self.fh.write("".join(self.parts).encode("utf-8"))
            self.parts, self.pending = [], 0


def _emit(out: _Writer, value, indent: str, blob) -> None:
    """Write ``value`` exactly as ``json.dumps(sort_keys=True, ensure_ascii=False,
    indent=2)`` would, except that attachment bytes are streamed by ``blob``."""
    if isinstance(value, dict):
        if not value:
            out.text("{}")
            return
        inner = indent + "  "
        sep = "{\n"
        for key in sorted(value):
            out.text(f"{sep}{inner}{_encode_str(key)}: ")
            _emit(out, value[key], inner, blob)
            sep = ",\n"
        out.text(f"\n{indent}}}")
    elif isinstance(value, list):
        if not value:
            out.text("[]")
            return
        inner = indent + "  "
        sep = "[\n"
        for item in value:
            out.text(f"{sep}{inner}")
            _emit(out, item, inner, blob)
            sep = ",\n"
        out.text(f"\n{indent}]")
    elif isinstance(value, str):
        out.text(_encode_str(value))
    elif isinstance(value, _AttachmentBytes):
        out.text('"')
        blob(out, value.id)
        out.text('"')
    else:
        out.text(json.dumps(value, ensure_ascii=False))


def write_export(doc: Document, session: Session, fh: BinaryIO) -> None:
    """Stream the export of ``doc``, read in ``session``, to the binary stream ``fh``.

    Everything but the attachments is built in memory first (it is small); each
    attachment is read from the document with incremental blob I/O and base64-encoded
    in chunks whose size is a multiple of 3, so its bytes are never all in memory.
    """
    tree = _tree(doc, session, lambda att: _AttachmentBytes(att.id))

    def blob(out: _Writer, attachment_id: int) -> None:
        for chunk in evidence.iter_attachment(session, attachment_id):
            out.raw(base64.b64encode(chunk))

    out = _Writer(fh)
    _emit(out, tree, "", blob)
    out.text("\n")
    out.flush()


def export_json(doc: Document, out: Path | str) -> Path:
    """Write the JSON export to ``out``, atomically (see :mod:`scrutiny_desktop.atomic`)."""
    out = Path(out)
    with doc.read() as session, atomic_write(out) as fh:
        write_export(doc, session, fh)
    return out


if __name__ == "__main__":  # pragma: no cover - maintenance helper
    if sys.argv[1:] == ["--schema"]:
        target = schema_path()
        with atomic_write(target) as fh:
            fh.write((json.dumps(json_schema(), indent=2, sort_keys=True) + "\n").encode("utf-8"))
        print(target)
