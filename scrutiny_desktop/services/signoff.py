"""Sign-off: who signed, when, and the fingerprint of what they signed."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from scrutiny_desktop.services.common import clean, record, required_text
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.errors import DocumentLocked, InvalidInput
from scrutiny_desktop.storage.models import (
    STATUS_DRAFT,
    STATUS_SIGNED_OFF,
    Assessment,
    SignOff,
    utcnow,
)


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

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


#: The scrutineer's sign-off.
SignOffView = SignatureView


def signature_view(row) -> SignatureView:
    """Plain view of a ``SignOff`` or ``Countersignature`` row."""
    return SignatureView(row.id, row.name, row.role, row.signed_at, row.statement,
                         row.signature_png is not None, row.fingerprint, row.voided_at,
                         row.voided_by, row.void_reason)


def history(doc: Document) -> list[SignOffView]:
    with doc.read() as session:
        return [signature_view(r) for r in session.scalars(select(SignOff).order_by(SignOff.id))]


def current_signoff(doc: Document) -> SignOffView | None:
    """The sign-off in force, if any (the newest one not voided)."""
    for view in reversed(history(doc)):
        if not view.voided:
            return view
    return None


# -- signing and reopening ----------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reasons: tuple[str, ...]
    missing_required: tuple[str, ...]


def readiness(doc: Document) -> Readiness:
    """Whether the assessment can be signed off, and if not, why not."""
    from scrutiny_desktop.services import assessments, progress
    from scrutiny_desktop.services.integrity import integrity_report

    reasons = []
    info = assessments.info(doc)
    if info.status != STATUS_DRAFT:
        reasons.append("It is already signed off.")
    if doc.readonly:
        reasons.append(f"It is open read-only ({doc.readonly_reason}).")
    prog = progress.progress(doc)
    if prog.missing_required:
        n = len(prog.missing_required)
        reasons.append(f"{n} required question{'s' if n != 1 else ''} "
                       f"{'have' if n != 1 else 'has'} no judgement yet: "
                       + ", ".join(prog.missing_required[:8]) + ("…" if n > 8 else "") + ".")
    report = integrity_report(doc)
    if not report.ok:
        reasons.append(f"The document failed its integrity check: {report.problem}.")
    return Readiness(not reasons, tuple(reasons), prog.missing_required)


def _check_png(data: bytes | None) -> bytes | None:
    if data is None:
        return None
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise InvalidInput("The signature must be a PNG image.")
    return data


def sign_off(doc: Document, *, name: str, role: str, statement: str, confirmed: bool,
             signature_png: bytes | None = None) -> SignOffView:
    """Sign the assessment off: record who, when, what and the fingerprint; lock it."""
    from scrutiny_desktop.services.fingerprint import content_fingerprint

    if not confirmed:
        raise InvalidInput("Tick “I confirm” to sign off.")
    name = required_text(name, "Your name")
    statement = required_text(statement, "The sign-off statement")
    state = readiness(doc)
    if not state.ready:
        raise InvalidInput("This assessment cannot be signed off yet. " + " ".join(state.reasons))
    signature_png = _check_png(signature_png)
    fp = content_fingerprint(doc)
    with doc.write() as session:
        a = session.get(Assessment, 1)
        if a.status != STATUS_DRAFT:
            raise DocumentLocked(doc.path, "This assessment is already signed off.")
        row = SignOff(name=name, role=clean(role), signed_at=utcnow(), statement=statement,
                      signature_png=signature_png, fingerprint=fp)
        session.add(row)
        a.status = STATUS_SIGNED_OFF
        session.flush()
        record(doc, session, "assessment.signed_off", "assessment", {"status": STATUS_DRAFT}, {
            "status": STATUS_SIGNED_OFF, "name": name, "role": row.role,
            "statement": statement, "fingerprint": fp,
            "signature_sha256": hashlib.sha256(signature_png).hexdigest() if signature_png else None,
        })
        return signature_view(row)


def reopen(doc: Document, *, reason: str, by: str = "") -> SignOffView:
    """Void the sign-off (kept in history with the reason) and unlock the answers."""
    from scrutiny_desktop.storage.models import STATUS_REVIEWED

    reason = required_text(reason, "The reason for reopening")
    with doc.write() as session:
        a = session.get(Assessment, 1)
        if a.status == STATUS_REVIEWED:
            raise DocumentLocked(doc.path, "This assessment has been countersigned. Reopen the "
                                 "review first, then the sign-off.")
        if a.status != STATUS_SIGNED_OFF:
            raise InvalidInput("This assessment is not signed off, so there is nothing to reopen.")
        row = session.scalars(select(SignOff).where(SignOff.voided_at.is_(None))
                              .order_by(SignOff.id.desc())).first()
        who = by or doc.actor or a.scrutineer_name
        if row is not None:
            row.voided_at = utcnow()
            row.voided_by = who
            row.void_reason = reason
        a.status = STATUS_DRAFT
        session.flush()
        record(doc, session, "assessment.reopened", "assessment",
               {"status": STATUS_SIGNED_OFF, "signoff": row.id if row else None},
               {"status": STATUS_DRAFT, "reason": reason})
        return signature_view(row)


def verify_signoff(doc: Document) -> tuple[bool, str]:
    """Does the content still match the fingerprint the sign-off recorded?"""
    from scrutiny_desktop.services.fingerprint import content_fingerprint

    current = current_signoff(doc)
    if current is None:
        return True, "not signed off"
    if content_fingerprint(doc) == current.fingerprint:
        return True, "the content matches the sign-off"
    return False, "the content has changed since it was signed off"


def signature_png(doc: Document, signoff_id: int) -> bytes | None:
    with doc.read() as session:
        row = session.get(SignOff, signoff_id)
        return row.signature_png if row else None
