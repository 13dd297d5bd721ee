"""JSON export and import: a lossless, versioned copy of a document.

The format is documented in ``docs/json-format.md``; its JSON Schema is
``resources/schemas/assessment-export.schema.json``, generated from the
pydantic models below (``python -m scrutiny_desktop.report.jsonio --schema``).

Export is deterministic: the same document always gives the same bytes (keys
sorted, two-space indent, UTF-8, one trailing newline).  Import rebuilds the
document exactly -- the same rows, ids, timestamps and audit log -- in a
temporary file that only takes the target's name once it is complete, and it
never replaces an existing file.

Attachments are streamed both ways (SQLite incremental blob I/O, base64 in
chunks), so memory stays bounded whatever their size.  Import trusts nothing:
lists and objects nested more than 64 deep, whole numbers outside SQLite's
signed 64-bit range, NaN and infinities, and attachments over the 50 MB limit
are each refused with one sentence naming the JSON path.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import os
import re
import sqlite3
import sys
from collections.abc import Iterator
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
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import selectinload

from scrutiny_desktop import paths
from scrutiny_desktop.atomic import (
    atomic_path,
    atomic_write,
    check_target,
    open_source,
    read_error,
    write_error_from_text,
)
from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.services import evidence
from scrutiny_desktop.services.fingerprint import canonical_json
from scrutiny_desktop.storage import audit as audit_log
from scrutiny_desktop.storage.document import Document, create_document, open_document
from scrutiny_desktop.errors import (
    DocumentError,
    FileReadFailed,
    FileWriteFailed,
    InvalidInput,
)
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


class _AttachmentBytes:
    """Stands for an attachment's ``content_base64`` until the export is written: the
    bytes are then streamed from the document and base64-encoded chunk by chunk."""

    __slots__ = ("id",)

    def __init__(self, attachment_id: int):
        self.id = attachment_id


def _tree(session, content) -> dict:
    """The export as plain data; ``content(attachment)`` gives each ``content_base64``."""
    a = session.get(Assessment, 1)
    rows = session.scalars(select(Answer).order_by(Answer.position).options(
        selectinload(Answer.evidence).selectinload(EvidenceItem.attachment),
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
        return _tree(session, lambda att: _b64(b"".join(evidence.iter_attachment(session, att.id))))


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


def write_export(session, fh) -> None:
    """Stream the export of the document behind ``session`` to the binary stream ``fh``.

    Everything but the attachments is built in memory first (it is small); each
    attachment is read from the document with incremental blob I/O and base64-encoded
    in chunks whose size is a multiple of 3, so its bytes are never all in memory.
    """
    tree = _tree(session, lambda att: _AttachmentBytes(att.id))

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
        write_export(session, fh)
    return out


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


# -- reading an export without trusting it -------------------------------------------------
#
# The file is read once, in chunks, by a small scanner that counts how deeply lists and
# objects nest (Python's json module recurses once per level, so a file nested a
# thousand deep would exhaust the stack) and lifts every attachment's base64 text out of
# the JSON, leaving "@blob:N" in its place and remembering where the text lies in the
# file.  Only that smaller text is parsed; each attachment is later decoded straight from
# the file, in chunks, while it is checked and while it is written into the document.

#: Lists and objects nested deeper than this are refused before parsing; an export
#: needs six levels.
MAX_DEPTH = 64
#: Everything in an export except the attachments' bytes (text, audit log, template):
#: far more than any real assessment holds.
MAX_TEXT_BYTES = 128 * 1024 * 1024
#: SQLite stores whole numbers as signed 64-bit integers.
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
_READ_CHUNK = 1 << 20
#: Base64 characters decoded per step: a multiple of 4 (768 KiB of bytes).
_B64_CHUNK = 4 * 256 * 1024
_BLOB_KEY = b'"content_base64"'
_BLOB_PLACEHOLDER = re.compile(r"^@blob:(\d+)$")
_OUT_EVENT = re.compile(rb'[\[\]{}":,]')
_STR_EVENT = re.compile(rb'["\\]')


class _Span:
    """Where an attachment's base64 text lies in the source file (between the quotes)."""

    __slots__ = ("start", "end", "escaped")

    def __init__(self, start: int):
        self.start, self.end, self.escaped = start, start, False


class _Blobs:
    """The source file and the attachment texts left in it by :func:`_scan`."""

    def __init__(self, fh, spans: list[_Span], source: Path | None = None):
        self.fh, self.spans, self.source = fh, spans, source

    def text_of(self, value: str) -> "_Base64":
        m = _BLOB_PLACEHOLDER.match(value)
        if m and int(m.group(1)) < len(self.spans):
            return _Base64(span=self.spans[int(m.group(1))], fh=self.fh, source=self.source)
        return _Base64(text=value)


_NO_BLOBS = _Blobs(None, [])


class _Base64:
    """An attachment's base64 text: a string from the parsed JSON, or a span of the file."""

    def __init__(self, *, text: str | None = None, span: _Span | None = None, fh=None,
                 source: Path | None = None):
        self.source = source
        if span is not None and span.escaped:
            # JSON escapes ("\/" from some encoders) inside base64: decode that one value.
            raw = self._read(fh, span.start, span.end - span.start)
            try:
                text = json.loads(b'"' + raw + b'"')
            except ValueError:
                text = "!"  # not valid base64, reported as such
            span = None
        self.text, self.span, self.fh = text, span, fh

    def __len__(self) -> int:
        return len(self.text) if self.span is None else self.span.end - self.span.start

    def pieces(self) -> Iterator[bytes]:
        """The text in pieces of ``_B64_CHUNK`` characters."""
        if self.span is None:
            for i in range(0, len(self.text), _B64_CHUNK):
                # Anything outside ASCII is not base64; "?" keeps it so.
                yield self.text[i:i + _B64_CHUNK].encode("ascii", "replace")
            return
        at, left = self.span.start, len(self)
        while left > 0:
            piece = self._read(self.fh, at, min(_B64_CHUNK, left))
            if not piece:
                raise ValueError("the file changed while it was being read")
            at += len(piece)
            left -= len(piece)
            yield piece

    def _read(self, fh, at: int, size: int) -> bytes:
        try:
            fh.seek(at)
            return fh.read(size)
        except OSError as exc:
            raise read_error(exc, self.source or "the JSON export", "JSON export") from None

    def decoded(self) -> Iterator[bytes]:
        """The bytes, decoded a piece at a time; ``ValueError`` if it is not base64."""
        total, seen = len(self), 0
        if total % 4:
            raise ValueError("not valid base64")
        for piece in self.pieces():
            seen += len(piece)
            if seen < total and b"=" in piece:  # padding only at the very end
                raise ValueError("not valid base64")
            try:
                yield base64.b64decode(piece, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("not valid base64") from None


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


class _TooMuchText(Exception):
    pass


def _scan(fh) -> tuple[bytes, list[_Span]]:
    """Read a JSON file in chunks: check nesting depth, lift out attachment texts.

    Returns the file's bytes with each ``"content_base64"`` value replaced by
    ``"@blob:N"``, and the N spans.  Raises ``_TooDeep`` (with the line) as soon as
    nesting passes ``MAX_DEPTH`` and ``_TooMuchText`` past ``MAX_TEXT_BYTES``.
    """
    skel = bytearray()
    spans: list[_Span] = []
    depth, state, escape = 0, 0, False  # state: 0 outside strings, 1 in one, 2 in base64
    str_start, key, value_next = 0, False, False
    base = 0
    while chunk := fh.read(_READ_CHUNK):
        i, n = 0, len(chunk)
        while i < n:
            if state == 0:
                m = _OUT_EVENT.search(chunk, i)
                if m is None:
                    skel += chunk[i:]
                    break
                j = m.start()
                c = chunk[j]
                if c == 0x22:  # a string starts
                    skel += chunk[i:j]
                    if value_next:
                        spans.append(_Span(base + j + 1))
                        skel += b'"@blob:%d"' % (len(spans) - 1)
                        state = 2
                    else:
                        str_start = len(skel)
                        skel += b'"'
                        state = 1
                    key = value_next = False
                    i = j + 1
                    continue
                skel += chunk[i:j + 1]
                i = j + 1
                if c in b"[{":
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _TooDeep(skel.count(b"\n") + 1)
                elif c in b"]}":
                    depth -= 1
                value_next = c == 0x3A and key  # ':' after the key "content_base64"
                key = False
            elif escape:
                escape = False
                if state == 1:
                    skel += chunk[i:i + 1]
                i += 1
            else:
                m = _STR_EVENT.search(chunk, i)
                if m is None:
                    if state == 1:
                        skel += chunk[i:]
                    break
                j = m.start()
                if chunk[j] == 0x5C:  # a backslash: the next byte is escaped
                    if state == 1:
                        skel += chunk[i:j + 1]
                    else:
                        spans[-1].escaped = True
                    escape = True
                elif state == 1:
                    skel += chunk[i:j + 1]
                    key = len(skel) - str_start == len(_BLOB_KEY) and skel[str_start:] == _BLOB_KEY
                    state = 0
                else:
                    spans[-1].end = base + j
                    state = 0
                i = j + 1
        if len(skel) > MAX_TEXT_BYTES:
            raise _TooMuchText()
        base += n
    if state == 2:  # cut short inside an attachment: leave the JSON unfinished
        skel += b"\""
        spans[-1].end = base
    return bytes(skel), spans


class _Unusable:
    """A number no export holds: too large for SQLite, or not a finite number."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _parse_int(text: str):
    if len(text) <= 18:
        return int(text)
    if len(text.lstrip("-")) <= 19:
        value = int(text)
        if INT64_MIN <= value <= INT64_MAX:
            return value
    return _Unusable(text)


def _parse_float(text: str):
    value = float(text)
    return value if math.isfinite(value) else _Unusable(text)


def _number_problems(data, limit: int = 5) -> list[str]:
    """Every number that cannot be stored, with its JSON path (depth is already bounded)."""
    problems: list[str] = []
    stack = [(data, "$")]
    while stack and len(problems) < limit:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, f"{where}.{k}") for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, _Unusable):
            shown = value.text if len(value.text) <= 24 else value.text[:20] + "…"
            if value.text.lstrip("-")[:1].isdigit() and "." not in value.text \
                    and "e" not in value.text.lower():
                size = "small" if value.text.startswith("-") else "large"
                problems.append(f"{where}: {shown} is too {size} to store; whole numbers must be between "
                                f"{INT64_MIN} and {INT64_MAX}. Correct it, or export the "
                                "assessment again from Scrutiny Desktop.")
            else:
                problems.append(f"{where}: {shown} is not a number an export can hold. "
                                "Correct it, or export the assessment again from Scrutiny Desktop.")
    return problems


def _read_export(fh, source: Path) -> tuple[dict, _Blobs]:
    """Scan and parse an export without letting it exhaust the stack or memory."""
    try:
        text, spans = _scan(fh)
    except _TooDeep as exc:
        raise ImportProblem(source, [
            f"lists and objects are nested more than {MAX_DEPTH} levels deep (line {exc.line}); "
            "a Scrutiny Desktop export never is. Choose a JSON export made by Scrutiny Desktop."]) from None
    except _TooMuchText:
        raise ImportProblem(source, [
            f"holds more than {MAX_TEXT_BYTES // 1048576} MB of text besides attachments, far "
            "more than any assessment. Choose a JSON export made by Scrutiny Desktop."]) from None
    except OSError as exc:
        raise read_error(exc, source, "JSON export") from None
    try:
        data = json.loads(text.decode("utf-8-sig"), parse_int=_parse_int,
                          parse_float=_parse_float, parse_constant=_Unusable)
        # Lone surrogates ("\ud800") are valid JSON but not text that can be stored.
        json.dumps(data, ensure_ascii=False, default=lambda _v: None).encode("utf-8")
    except UnicodeEncodeError:
        raise ImportProblem(source, ["contains a \\u escape that is not a real character "
                                     "(a lone surrogate)"]) from None
    except UnicodeDecodeError:
        raise ImportProblem(source, ["not UTF-8 text; choose a JSON export made by Scrutiny Desktop"]) from None
    except json.JSONDecodeError as exc:
        raise ImportProblem(source, [f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]) from None
    except RecursionError:  # pragma: no cover - _scan bounds the depth first
        raise ImportProblem(source, ["nested too deeply; choose a JSON export made by Scrutiny Desktop"]) from None
    problems = _number_problems(data)
    if problems:
        raise ImportProblem(source, problems)
    return data, _Blobs(fh, spans, source)


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
            except (ImportProblem, FileWriteFailed, FileReadFailed):
                raise
            except (DocumentError, sqlite3.Error, SQLAlchemyError) as exc:
                # Said of the hidden temporary file ("saving will be retried"): say it of
                # the file being made, and what to do, instead.
                raise write_error_from_text(_detail(exc), target) from None
    return target


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
                     findings=ans.findings, updated_at=_dt(ans.updated_at))
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
