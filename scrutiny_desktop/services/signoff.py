"""Sign-off: who signed, when, and the fingerprint of what they signed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services import signatures
from scrutiny_desktop.services.common import required_text
from scrutiny_desktop.services.signatures import SignatureView, check_png, signature_view
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import Status

if TYPE_CHECKING:
    from scrutiny_desktop.services.identity import Identity

#: The scrutineer's sign-off.
SignOffView = SignatureView

__all__ = ["Readiness", "SignOffView", "SignatureView", "current_signoff", "history", "readiness",
           "reopen", "sign_off", "sign_off_blocker", "signature_png", "signature_view",
           "verify_signoff"]


def history(doc: Document) -> list[SignOffView]:
    return signatures.history(doc, signatures.SIGN_OFF)


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
    if info.status != Status.DRAFT:
        reasons.append("It is already signed off.")
    if doc.readonly:
        reasons.append(f"It is open read-only ({doc.readonly_reason}).")
    prog = progress.progress(doc)
    if prog.missing_required:
        n = len(prog.missing_required)
        reasons.append(f"{n} required question{'s' if n != 1 else ''} "
                       f"{'have' if n != 1 else 'has'} no judgement yet: "
                       + ", ".join(prog.missing_required[:8]) + ("…" if n > 8 else "") + ".")
    from scrutiny_desktop.services.common import template_of
    from scrutiny_desktop.services.summary import get_summary

    if template_of(doc).require_conclusion and not get_summary(doc).conclusion.strip():
        reasons.append("This checklist asks for a conclusion before sign-off: write it on the "
                       "Summary page.")
    report = integrity_report(doc)
    if not report.ok:
        reasons.append(f"The document failed its integrity check: {report.problem}.")
    return Readiness(not reasons, tuple(reasons), prog.missing_required)


def sign_off_blocker(doc: Document) -> str:
    """Why the assessment cannot be signed off now, in one line ("" if it can)."""
    state = readiness(doc)
    return "" if state.ready else "This assessment cannot be signed off yet. " + " ".join(state.reasons)


def sign_off(doc: Document, *, identity: Identity | None = None, name: str, role: str,
             statement: str, confirmed: bool, signature_png: bytes | None = None,
             render_pdf: signatures.RenderPdf | None = None) -> SignOffView:
    """Sign the assessment off with the signer's private key: record who, when, what,
    the fingerprint, the signature and the certificate (and, with ``render_pdf``, the
    signed PDF: see :mod:`scrutiny_desktop.report.signing`); lock it."""
    from scrutiny_desktop.services.fingerprint import content_fingerprint, signoff_payload

    identity = signatures.require_identity(identity, "sign off")
    if not confirmed:
        raise InvalidInput("Tick “I confirm” to sign off.")
    name = required_text(name, "Your name")
    statement = required_text(statement, "The sign-off statement")
    blocker = sign_off_blocker(doc)
    if blocker:
        raise InvalidInput(blocker)
    check_png(signature_png)
    return signatures.record_signature(
        doc, signatures.SIGN_OFF, identity=identity, name=name, role=role, statement=statement,
        fingerprint=content_fingerprint(doc), signature_png=signature_png,
        payload=lambda signer: signoff_payload(doc, signer), render_pdf=render_pdf)


def reopen(doc: Document, *, reason: str, by: str = "") -> SignOffView | None:
    """Void the sign-off (kept in history with the reason) and unlock the answers."""
    reason = required_text(reason, "The reason for reopening")
    return signatures.void_signature(doc, signatures.SIGN_OFF, reason=reason, by=by)


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
    return signatures.signature_png(doc, signatures.SIGN_OFF, signoff_id)
