"""ORM models of the .scrutiny document (SQLAlchemy 2, typed).

One file holds one assessment.  Table names are plural snake_case and every
constraint is named through the metadata naming convention so that Alembic
batch migrations can find them again.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    DDL,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as ISO 8601 text in UTC (``...+00:00``)."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else stored_time(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return dt.datetime.fromisoformat(value)


class ISODate(TypeDecorator):
    """A calendar date stored as ``YYYY-MM-DD`` text."""

    impl = String(10)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.isoformat()

    def process_result_value(self, value, dialect):
        return None if value is None else dt.date.fromisoformat(value)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stored_time(value: dt.datetime) -> str:
    """How an aware datetime is stored: ISO 8601 text in UTC, to the microsecond."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Status(StrEnum):
    """Where an assessment is in its life: the value stored in ``assessments.status``.

    A ``StrEnum``, so a member equals (and is stored as) its text: ``Status.DRAFT ==
    "draft"``.  ``label`` is what a person reads.
    """

    DRAFT = "draft"
    SIGNED_OFF = "signed_off"
    REVIEWED = "reviewed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.value]

    @classmethod
    def coerce(cls, value: str) -> Status | str:
        """The member for a stored value; an unknown value (a file edited behind the
        app's back) is returned as it is, for the integrity check to report."""
        try:
            return cls(value)
        except ValueError:
            return value

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored value ("Signed off"); an unknown value as it is."""
        status = cls.coerce(value)
        return status.label if isinstance(status, Status) else value


#: What a person reads for each status (the one place these words live).
STATUS_LABELS = {Status.DRAFT.value: "Draft", Status.SIGNED_OFF.value: "Signed off",
                 Status.REVIEWED.value: "Reviewed"}


class Assessment(Base):
    """The single metadata row of a document (id is always 1)."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(f"status IN ({', '.join(repr(s.value) for s in Status)})", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36))
    partnership: Mapped[str] = mapped_column(Text)
    area: Mapped[str] = mapped_column(Text, default="")
    period: Mapped[str] = mapped_column(Text)
    scrutineer_name: Mapped[str] = mapped_column(Text)
    scrutineer_role: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    template_id: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(64))
    template_title: Mapped[str] = mapped_column(Text)
    # The whole template as canonical JSON, so the file is self-contained.
    template_snapshot: Mapped[str] = mapped_column(Text)
    template_sha256: Mapped[str] = mapped_column(String(64))
    # Documents carried forward from an earlier assessment name it here.
    previous_uid: Mapped[str | None] = mapped_column(String(36), default=None)
    previous_period: Mapped[str | None] = mapped_column(Text, default=None)
    # Hash of the newest audit row: makes removal of the last rows detectable.
    audit_head: Mapped[str] = mapped_column(String(64), default="")
    audit_count: Mapped[int] = mapped_column(Integer, default=0)


class Answer(Base):
    """One row per template question, created with the document."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    judgement: Mapped[str | None] = mapped_column(String(64), default=None)
    #: Format 5: the direction of travel (a ``checklist.model.DIRECTIONS`` value), or None.
    direction: Mapped[str | None] = mapped_column(String(16), default=None)
    #: Format 6: the period a judgement was carried forward from ("2025-26") while it
    #: waits for the scrutineer to confirm it; None once confirmed or changed (and for
    #: a judgement made here).  Not part of the signed content.
    carried_from: Mapped[str | None] = mapped_column(Text, default=None)
    findings: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    evidence: Mapped[list[EvidenceItem]] = relationship(
        back_populates="answer", order_by="EvidenceItem.position", cascade="all, delete-orphan"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="answer", order_by="Recommendation.position", cascade="all, delete-orphan"
    )


class Attachment(Base):
    """A file copied into the document, with its SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(127), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


EVIDENCE_KINDS = {
    "document": "Document",
    "meeting": "Meeting",
    "case_audit": "Case audit",
    "conversation": "Conversation",
    "data": "Data",
    "observation": "Observation",
    "other": "Other",
}


class EvidenceItem(Base):
    __tablename__ = "evidence_items"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('document', 'meeting', 'case_audit', 'conversation', 'data', "
            "'observation', 'other')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="document")
    date: Mapped[dt.date | None] = mapped_column(ISODate, default=None)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="SET NULL"), default=None
    )

    answer: Mapped[Answer] = relationship(back_populates="evidence")
    attachment: Mapped[Attachment | None] = relationship()


OWNERS = {
    "local_authority": "Local authority",
    "police": "Police",
    "health": "Health / ICB",
    "partnership": "The partnership",
    "other": "Another agency",
}
PRIORITIES = {"high": "High", "medium": "Medium", "low": "Low"}
RECOMMENDATION_STATUSES = {"open": "Open", "in_progress": "In progress", "done": "Done"}


class Recommendation(Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint("priority IN ('high', 'medium', 'low')", name="priority"),
        CheckConstraint("status IN ('open', 'in_progress', 'done')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(40), default="partnership")
    owner_other: Mapped[str] = mapped_column(Text, default="")  # the named agency for "other"
    priority: Mapped[str] = mapped_column(String(10), default="medium")
    due: Mapped[dt.date | None] = mapped_column(ISODate, default=None)
    status: Mapped[str] = mapped_column(String(20), default="open")
    # For a recommendation carried forward: where it came from, and progress.
    carried_from: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[str] = mapped_column(Text, default="")

    answer: Mapped[Answer] = relationship(back_populates="recommendations")


class SignatureColumns:
    """What a signature records: who, when, the statement, an optional drawn
    signature, the fingerprint of what was signed, and (once voided) by whom,
    when and why."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    statement: Mapped[str] = mapped_column(Text)
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    fingerprint: Mapped[str] = mapped_column(String(64))
    voided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    voided_by: Mapped[str] = mapped_column(Text, default="")
    void_reason: Mapped[str] = mapped_column(Text, default="")
    # Format 2: the signer's RSA signature of the signed payload (docs/json-format.md),
    # their X.509 certificate (DER) and the payload's version.  0 with no signature and
    # no certificate: a format-1 record, made without a key.
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    certificate_der: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    signed_payload_version: Mapped[int] = mapped_column(Integer, default=0)
    # Format 3: the PDF summary as signed (PAdES) when this record was made: by the
    # scrutineer at sign-off; at countersignature, that PDF with the partnership's
    # response added and the chair's signature.  None for records made without one.
    signed_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)


class SignOff(SignatureColumns, Base):
    """A scrutineer's sign-off.  Voided sign-offs stay, with the reason."""

    __tablename__ = "signoffs"


class SummaryPart(Base):
    """One part of the scrutineer's summary: the overall judgement (a scale value, ""
    for none), the conclusion, strengths, areas for improvement, scope and method, or
    one section's summary (``section/<section id>``).  A part nobody wrote has no row."""

    __tablename__ = "summary_parts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part: Mapped[str] = mapped_column(String(128), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ReviewComment(Base):
    """A chair's comment on one question, or (question_id NULL) the overall response."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    author: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RecommendationResponse(Base):
    """The partnership's decision on one recommendation."""

    __tablename__ = "recommendation_responses"
    __table_args__ = (
        CheckConstraint(
            "decision IN ('accepted', 'accepted_with_changes', 'not_accepted')", name="decision"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), unique=True
    )
    decision: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="")
    action_owner: Mapped[str] = mapped_column(Text, default="")
    action_due: Mapped[dt.date | None] = mapped_column(ISODate, default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Countersignature(SignatureColumns, Base):
    """A chair's countersignature of the review.  Voided ones stay, with the reason."""

    __tablename__ = "countersignatures"


class AuditEntry(Base):
    """Append-only, hash-chained log of every change."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(40))  # ISO text kept verbatim for hashing
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text, default="")
    old_value: Mapped[str | None] = mapped_column(Text, default=None)
    new_value: Mapped[str | None] = mapped_column(Text, default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


# The audit log is append-only: the file itself refuses edits and deletions
# (someone with a SQLite shell can drop the triggers, which the hash chain
# then reveals).
AUDIT_TRIGGERS = (
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END",
)
for _ddl in AUDIT_TRIGGERS:
    event.listen(AuditEntry.__table__, "after_create", DDL(_ddl))
