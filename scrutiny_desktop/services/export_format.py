"""The JSON export format: a lossless, versioned copy of a document.

The format is documented in ``docs/json-format.md``; its JSON Schema is
``resources/schemas/assessment-export.schema.json``, generated from the pydantic
models below (``python -m scrutiny_desktop.report.jsonio --schema``).  The export
(:mod:`scrutiny_desktop.report.jsonio`) writes this format and the import
(:mod:`scrutiny_desktop.services.transfer`) checks what it reads against it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from scrutiny_desktop import paths

FORMAT_NAME = "scrutiny-desktop-assessment"
FORMAT_VERSION = 3
#: Versions this app still imports (format 1: signatures made without a key; formats 1
#: and 2: no summary, imported as an empty one).
READABLE_VERSIONS = (1, 2, 3)

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
    version: Literal[1, 2, 3]


class AssessmentJ(_M):
    uid: str
    partnership: str
    area: str
    period: str
    scrutineer_name: str
    scrutineer_role: str
    #: A ``Status`` value (the schema lists them; a test keeps the two the same).
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
    #: Added in version 3: the direction of travel (absent in versions 1 and 2).
    direction: Literal["improving", "stable", "declining", "not_known"] | None = None
    #: Optional (document format 6): the period a judgement was carried forward from,
    #: while it waits to be confirmed; absent (null) once confirmed or never carried.
    carried_from: str | None = None
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
    #: Format 2: the signer's X.509 certificate (PEM), their RSA PKCS#1 v1.5 SHA-256
    #: signature of the signed payload (base64) and the payload's version; null, null
    #: and 0 for a record made without a key (format 1).
    certificate_pem: str | None = None
    signature_base64: str | None = None
    signed_payload_version: int = Field(default=0, ge=0, le=1)
    #: The PDF summary as signed (PAdES) when this record was made, base64; null for a
    #: record made without one.  Exporting the assessment as a PDF hands out these bytes.
    signed_pdf_base64: str | None = None


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


class SectionSummaryJ(_M):
    section_id: str
    summary: str


class SummaryJ(_M):
    """Format 3: the scrutineer's summary (every section of the template, in order;
    empty strings and a null judgement where nothing was written)."""

    overall_judgement: str | None
    conclusion: str
    strengths: str
    areas_for_improvement: str
    scope_and_method: str
    sections: list[SectionSummaryJ]


#: What a format-1 or format-2 export (made before summaries) imports as.
EMPTY_SUMMARY: dict[str, object] = {"overall_judgement": None, "conclusion": "", "strengths": "",
                 "areas_for_improvement": "", "scope_and_method": "", "sections": []}


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
    summary: SummaryJ
    audit: list[AuditJ]


def json_schema() -> dict:
    schema = AssessmentExport.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"urn:scrutiny-desktop:assessment-export:{FORMAT_VERSION}"
    return schema


def schema_path() -> Path:
    return paths.resource("schemas", "assessment-export.schema.json")
