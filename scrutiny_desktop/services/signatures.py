"""Signing and voiding, written once for the scrutineer's sign-off and the chair's
countersignature.

Both acts have the same shape.  *Signing* writes a signature record (who, role,
when, the statement, an optional drawn signature and the fingerprint of what was
signed), moves the status on and writes one audit row, in one transaction.
*Reopening* voids the signature in force (kept, with who voided it, when and why),
moves the status back and writes one audit row.  A :class:`SignatureKind` says
which table, statuses, permission and audit action each act uses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, cast

from sqlalchemy import select

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services import permissions
from scrutiny_desktop.services.common import clean, record
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import (
    Assessment,
    Countersignature,
    SignatureColumns,
    SignOff,
    Status,
    utcnow,
)

if TYPE_CHECKING:
    from scrutiny_desktop.services.identity import Identity


@dataclass(frozen=True)
class SignatureView:
    """A sign-off or a countersignature (a voided one keeps who voided it and why)."""

    id: int
    name: str
    role: str
    signed_at: dt.datetime
    statement: str
    has_signature: bool
    fingerprint: str
    voided_at: dt.datetime | None
    voided_by: str
    void_reason: str
    #: Format 2: the signer's certificate (its SHA-256 fingerprint, "" for a format-1
    #: record made without a key) and the version of the payload signed (0: none).
    certificate_sha256: str = ""
    signed_payload_version: int = 0

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def keyed(self) -> bool:
        """Signed with a private key (format 2), not a format-1 record made without one."""
        return self.signed_payload_version > 0


def signature_view(row: SignatureColumns) -> SignatureView:
    """Plain view of a ``SignOff`` or ``Countersignature`` row."""
    from scrutiny_desktop.services.identity import certificate_fingerprint

    cert = row.certificate_der
    return SignatureView(row.id, row.name, row.role, row.signed_at, row.statement,
                         row.signature_png is not None, row.fingerprint, row.voided_at,
                         row.voided_by, row.void_reason,
                         certificate_fingerprint(cert) if cert else "",
                         row.signed_payload_version or 0)


def check_png(data: bytes | None) -> bytes | None:
    """A drawn signature must be a PNG image (or absent)."""
    if data is None:
        return None
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise InvalidInput("The signature must be a PNG image.")
    return data


#: A signature record: the scrutineer's sign-off or the chair's countersignature.
SignatureRow: TypeAlias = SignOff | Countersignature


@dataclass(frozen=True)
class SignatureKind:
    """What differs between signing off and countersigning."""

    model: type[SignOff] | type[Countersignature]
    #: The status before signing (and after reopening), and after signing.
    unsigned: Status
    signed: Status
    #: The permissions (see :mod:`.permissions`) that allow signing and reopening.
    sign_permission: str
    reopen_permission: str
    #: The audit actions, and the key naming the voided record in the reopen row.
    signed_action: str
    reopened_action: str
    void_key: str
    #: Who voided it when the caller does not say and the document has no actor.
    default_voider: Callable[[Assessment], str]


SIGN_OFF = SignatureKind(
    model=SignOff, unsigned=Status.DRAFT, signed=Status.SIGNED_OFF,
    sign_permission=permissions.SIGN_OFF, reopen_permission=permissions.REOPEN,
    signed_action="assessment.signed_off", reopened_action="assessment.reopened",
    void_key="signoff", default_voider=lambda a: a.scrutineer_name)

COUNTERSIGNATURE = SignatureKind(
    model=Countersignature, unsigned=Status.SIGNED_OFF, signed=Status.REVIEWED,
    sign_permission=permissions.COUNTERSIGN, reopen_permission=permissions.REOPEN_REVIEW,
    signed_action="review.countersigned", reopened_action="review.reopened",
    void_key="countersignature", default_voider=lambda _a: "chair")


def history(doc: Document, kind: SignatureKind) -> list[SignatureView]:
    """Every signature of this kind, oldest first (voided ones included)."""
    with doc.read() as session:
        rows = session.scalars(select(kind.model).order_by(kind.model.id))
        return [signature_view(cast(SignatureRow, r)) for r in rows]


def require_identity(identity: Identity | None, what: str) -> Identity:
    """A signature needs the signer's certificate and private key."""
    from scrutiny_desktop.services.identity import Identity as _Identity

    if not isinstance(identity, _Identity):
        raise InvalidInput(f"Choose your signing certificate and type its passphrase to {what}.")
    return identity


#: Lays out and signs the PDF for a signature about to be recorded: given the record as
#: it will be (its ``id`` is 0) and the drawn signature, it returns the signed PDF bytes.
RenderPdf: TypeAlias = Callable[[SignatureView, bytes | None], bytes]


def record_signature(doc: Document, kind: SignatureKind, *, identity: Identity, name: str,
                     role: str, statement: str, fingerprint: str,
                     payload: Callable[[dict], bytes],
                     signature_png: bytes | None = None,
                     render_pdf: RenderPdf | None = None) -> SignatureView:
    """Sign ``payload(signer)`` with the identity's key, write the signature record
    (signature, certificate, signing time and, with ``render_pdf``, the signed PDF),
    move the status on and write the audit row (one transaction).  The caller has
    checked its inputs and readiness; the permission is checked again here, inside the
    transaction."""
    from scrutiny_desktop.services.fingerprint import SIGNED_PAYLOAD_VERSION, signer_block
    from scrutiny_desktop.services.identity import sign_payload

    signature_png = check_png(signature_png)
    role = clean(role)
    signed_at = utcnow()  # the time the PDF prints, the record keeps and the payload signs
    signer = signer_block(name=name, role=role, statement=statement, signed_at=signed_at,
                          certificate_sha256=identity.fingerprint)
    signature = sign_payload(identity, payload(signer))
    signed_pdf = None
    if render_pdf is not None:
        pending = SignatureView(0, name, role, signed_at, statement, signature_png is not None,
                                fingerprint, None, "", "", identity.fingerprint,
                                SIGNED_PAYLOAD_VERSION)
        signed_pdf = render_pdf(pending, signature_png)
    with doc.write() as session:
        a = permissions.require(doc, kind.sign_permission, session)
        row = kind.model(name=name, role=role, signed_at=signed_at, statement=statement,
                         signature_png=signature_png, fingerprint=fingerprint,
                         signature=signature, certificate_der=identity.certificate_der,
                         signed_payload_version=SIGNED_PAYLOAD_VERSION, signed_pdf=signed_pdf)
        session.add(row)
        a.status = kind.signed
        session.flush()
        record(doc, session, kind.signed_action, "assessment", {"status": kind.unsigned}, {
            "status": kind.signed, "name": name, "role": row.role, "statement": statement,
            "fingerprint": fingerprint,
            "signature_sha256": hashlib.sha256(signature_png).hexdigest() if signature_png else None,
            "signed_at": signer["signed_at"], "certificate_sha256": identity.fingerprint,
            "signed_payload_version": SIGNED_PAYLOAD_VERSION,
            "signed_pdf_sha256": hashlib.sha256(signed_pdf).hexdigest() if signed_pdf else None,
        })
        return signature_view(row)


def void_signature(doc: Document, kind: SignatureKind, *, reason: str,
                   by: str = "") -> SignatureView | None:
    """Void the signature in force (kept, with who, when and why), move the status back
    and write the audit row (one transaction).  ``reason`` is already checked."""
    with doc.write() as session:
        a = permissions.require(doc, kind.reopen_permission, session)
        row = cast(SignatureRow | None, session.scalars(
            select(kind.model).where(kind.model.voided_at.is_(None))
            .order_by(kind.model.id.desc())).first())
        if row is not None:
            row.voided_at = utcnow()
            row.voided_by = by or doc.actor or kind.default_voider(a)
            row.void_reason = reason
        a.status = kind.unsigned
        session.flush()
        record(doc, session, kind.reopened_action, "assessment",
               {"status": kind.signed, kind.void_key: row.id if row else None},
               {"status": kind.unsigned, "reason": reason,
                "by": row.voided_by if row is not None else ""})
        return signature_view(row) if row is not None else None


def current_signature_bytes(doc: Document, kind: SignatureKind) -> bytes:
    """The key signature of the record in force (b"" for none, or a format-1 record)."""
    with doc.read() as session:
        row = cast(SignatureRow | None, session.scalars(
            select(kind.model).where(kind.model.voided_at.is_(None))
            .order_by(kind.model.id.desc())).first())
        return (row.signature or b"") if row is not None else b""


def signature_png(doc: Document, kind: SignatureKind, signature_id: int) -> bytes | None:
    """The drawn signature of one record, or None."""
    with doc.read() as session:
        row = cast(SignatureRow | None, session.get(kind.model, signature_id))
        return row.signature_png if row else None


def signed_pdf(doc: Document, kind: SignatureKind) -> bytes | None:
    """The signed PDF kept with the record of this kind in force, or None (no record in
    force, or one made without a signed PDF)."""
    with doc.read() as session:
        row = cast(SignatureRow | None, session.scalars(
            select(kind.model).where(kind.model.voided_at.is_(None))
            .order_by(kind.model.id.desc())).first())
        return row.signed_pdf if row is not None else None


def pdf_to_export(doc: Document) -> bytes | None:
    """The signed PDF an export of this assessment hands out, or None when a PDF must be
    laid out afresh: a draft; a signed-off one with no signed PDF kept (signed before
    PDFs were signed); a countersigned one whose countersignature kept none."""
    from scrutiny_desktop.services.assessments import info as assessment_info

    status = assessment_info(doc).status
    if status == Status.SIGNED_OFF:
        return signed_pdf(doc, SIGN_OFF)
    if status == Status.REVIEWED:
        return signed_pdf(doc, COUNTERSIGNATURE)
    return None
