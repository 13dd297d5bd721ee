"""Verify a PDF: are its digital signatures intact, whose are they, and (against a
document) does it show what the assessment holds?

A signed-off PDF must carry the scrutineer's PAdES signature, and a countersigned one
the chair's after it, by the certificates its stamp names (see :mod:`.stamp`), every
signature intact and nothing unsigned after the last.  Anything less is "not verified",
whatever the PDF's metadata says.  A draft is never signed: it can only be compared
with the document it came from.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.report import pades, stamp
from scrutiny_desktop.services.assessments import Status
from scrutiny_desktop.services.fingerprint import content_fingerprint, part_hashes, scrutineer_content
from scrutiny_desktop.storage.document import Document


def read_stamp(pdf: Path | str) -> stamp.Stamp:
    """The stamp a Scrutiny Desktop PDF carries, or InvalidInput."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    pdf = Path(pdf)
    if not pdf.is_file():
        raise InvalidInput(f"{pdf} does not exist or is not a file.")
    try:
        with pdf.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise InvalidInput(f"{pdf} cannot be read ({exc.strerror}).") from None
    if b"%PDF-" not in head:
        raise InvalidInput(f"{pdf} is not a readable PDF (it does not start like one).")
    # pypdf reports damaged files through logging; we report them ourselves, once.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(str(pdf))
        meta: Mapping[str, object] = reader.metadata or {}
        keywords = str(meta.get(f"/{stamp.INFO_KEY}", "") or meta.get("/Keywords", "") or "")
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise InvalidInput(f"{pdf} is not a readable PDF ({exc}).") from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a malformed file
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise InvalidInput(f"{pdf} is not a readable PDF ({detail}).") from None
    found = stamp.decode(keywords)
    if found is None:
        raise InvalidInput(f"{pdf} was not made by Scrutiny Desktop (it carries no fingerprint).")
    return found


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    message: str
    changed: tuple[str, ...] = ()
    #: One plain sentence per digital signature found (signer, certificate, time, trust).
    signatures: tuple[str, ...] = ()


def _fail(message: str, lines: Sequence[str] = (), changed: Sequence[str] = ()) -> VerifyResult:
    return VerifyResult(False, message, tuple(changed), tuple(lines))


def verify_pdf(pdf: Path | str, doc: Document | None = None, *,
               trusted_issuers: Sequence[x509.Certificate] = (),
               pinned_fingerprints: Iterable[str] = ()) -> VerifyResult:
    """Check the PDF's signatures and, given ``doc``, that it shows what ``doc`` holds."""
    pdf = Path(pdf)
    found = read_stamp(pdf)
    if found.state == Status.DRAFT:
        if doc is None:
            return _fail("not verified: this is a draft, and drafts are never signed. Add "
                         "--against FILE.scrutiny to check that it shows what the assessment holds.")
        return _against(found, pdf, doc, None)
    check = pades.verify_pdf(pdf, trusted_issuers=trusted_issuers,
                             pinned_fingerprints=pinned_fingerprints)
    lines = [line for line in pades.describe(check) if line.startswith("Signed by ")]
    if not check.signatures:
        return _fail("not verified: no digital signature was found: the PDF carries none (it says "
                     "it was signed off, but a PDF made before signatures, or made by other means, "
                     "proves nothing), or it is damaged or cut short")
    if not check.ok:
        return _fail("not verified: " + " ".join(check.problems), lines)
    reviewed = found.state == Status.REVIEWED
    # A sign-off made before signatures existed (format 1) has no signer in the PDF; a
    # countersignature of it is then the PDF's only signature.
    expected = [e for e in (found.signer, found.countersigner if reviewed else "") if e]
    present = [stamp.hex_of(s.fingerprint) for s in check.signatures]
    names = ("not verified: the PDF's digital signatures are not those of the signers it names "
             "(its sign-off must be signed with the scrutineer's certificate"
             + (", then countersigned with the chair's" if reviewed else "") + ", and nothing else)")
    if not expected or (reviewed and not found.countersigner) or present != expected:
        return _fail(names, lines)
    if len(check.signatures) > 1:
        # What the scrutineer signed says who signed off and what: a later revision may
        # bring the stamp up to date with the countersignature, but not change that.
        first = stamp.decode(pades.info_at(pdf.read_bytes(), check.signatures[0].revision,
                                           (stamp.INFO_KEY, "Keywords")))
        if (first is None or first.state != Status.SIGNED_OFF or first.signer != found.signer
                or first.fingerprint != found.fingerprint or first.parts != found.parts):
            return _fail(names, lines)
    if doc is None:
        if found.signer:
            message = f"verified: signed off by {check.signatures[0].signer}"
        else:
            message = "verified: signed off without a digital signature (format 1)"
        if reviewed:
            message += f", countersigned by {check.signatures[-1].signer}"
        return VerifyResult(True, message + "; add --against FILE.scrutiny to compare it with "
                                            "the assessment", (), tuple(lines))
    result = _against(found, pdf, doc, check)
    return VerifyResult(result.ok, result.message, result.changed, tuple(lines))


def verify_against(pdf: Path | str, doc: Document, **trust) -> VerifyResult:
    """:func:`verify_pdf` with a document (the app's and ``verify --against``'s check)."""
    return verify_pdf(pdf, doc, **trust)


def _against(found: stamp.Stamp, pdf: Path, doc: Document,
             check: pades.PdfVerification | None) -> VerifyResult:
    from scrutiny_desktop.services import assessments, signoff
    from scrutiny_desktop.services.integrity import integrity_report
    from scrutiny_desktop.text import when_text

    info = assessments.info(doc)
    content = scrutineer_content(doc)
    current = content_fingerprint(doc)
    if current != found.fingerprint:
        now = part_hashes(content)
        changed = [k for k in sorted(set(now) | set(found.parts))
                   if now.get(k) != found.parts.get(k)] if found.parts else []
        what = (("; changed: " + ", ".join(changed[:12]) + ("…" if len(changed) > 12 else ""))
                if changed else "")
        return _fail(f"does not match: the assessment's content has changed since this PDF was "
                     f"made{what}", changed=changed)
    report = integrity_report(doc)
    if not report.ok:
        # The content hash agrees, but the file was altered in a way that matters
        # (a signature record, an attachment's bytes, the audit log...).
        return _fail(f"does not match: {report.problem}")
    sign = signoff.current_signoff(doc)
    if check is None:
        if sign is not None:
            # An unsigned draft proves nothing about a signed-off assessment: whatever its
            # pages show, only the signed PDF speaks for what was signed.
            return _fail(f"does not match: this is an unsigned draft, and the assessment has been "
                         f"signed off since (by {sign.name} on {when_text(sign.signed_at)}); check "
                         "the signed PDF exported from it instead")
        return VerifyResult(True, f"matches the draft of {info.partnership}, {info.period} (a draft "
                                  "carries no signature: this says only that its fingerprint is "
                                  "the assessment's as it is now)")
    signer = check.signatures[0].fingerprint if found.signer else ""
    matches = [s for s in signoff.history(doc)
               if s.fingerprint == found.fingerprint and s.certificate_sha256 == signer]
    # The sign-off in force if it matches, else the newest one that does.
    match = next((s for s in reversed(matches) if not s.voided), matches[-1] if matches else None)
    if match is None:
        return _fail("does not match: the assessment holds no sign-off of this content with the "
                     "certificate that signed the PDF")
    msg = (f"matches: signed off by {match.name}" + (f" ({match.role})" if match.role else "")
           + f" on {when_text(match.signed_at)}")
    if match.voided:
        msg += f"; note: that sign-off was later voided ({match.void_reason})"
    if found.state == Status.REVIEWED:
        ok, cs = _countersignature(doc, found, check.signatures[-1])
        if not ok:
            return _fail(f"does not match: {cs} (the scrutineer's content itself is unchanged)")
        msg += "; " + cs
    elif info.status == Status.REVIEWED and not match.voided:
        msg += ("; note: the assessment has since been countersigned, so this PDF has no "
                "response: export it again for the PDF with the partnership's response")
    return VerifyResult(True, msg)


def _countersignature(doc: Document, found: stamp.Stamp, chair: pades.PdfSignature) -> tuple[bool, str]:
    """What the PDF says about the countersignature, checked against the document."""
    from scrutiny_desktop.services import review
    from scrutiny_desktop.services.fingerprint import countersign_fingerprint
    from scrutiny_desktop.text import when_text

    rows = [c for c in review.countersignatures(doc)
            if c.fingerprint == found.countersign_fingerprint
            and c.certificate_sha256 == chair.fingerprint]
    if not rows:
        return False, "the countersignature in the PDF is not in the assessment"
    if countersign_fingerprint(doc) != found.countersign_fingerprint:
        return False, "the partnership's response has changed since the PDF was made"
    row = rows[-1]
    role = f" ({row.role})" if row.role else ""
    return True, f"countersigned by {row.name}{role} on {when_text(row.signed_at)}"


def trust_settings() -> dict:
    """The trusted issuers and pinned fingerprints from the settings, as keyword arguments
    for :func:`verify_pdf` (an issuer file that cannot be read is left out)."""
    from scrutiny_desktop.services.identity import load_certificates
    from scrutiny_desktop.settings import current_settings

    settings = current_settings()
    issuers, _problems = load_certificates(settings.trusted_issuers)
    return {"trusted_issuers": issuers, "pinned_fingerprints": list(settings.pinned_fingerprints)}
