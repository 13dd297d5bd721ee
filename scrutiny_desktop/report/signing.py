"""Sign-off and countersignature with the signed PDF (PAdES) kept in the document.

Signing off lays out the PDF summary as it will read once signed (the signer, the
time, the certificate fingerprint), signs it with the scrutineer's key and keeps it
with the sign-off record, in the same transaction (see
:func:`scrutiny_desktop.services.signatures.record_signature`).  Countersigning adds
the partnership's response to that PDF as new pages, signed with the chair's key in
the same incremental update, so the scrutineer's signature stays valid and every
byte of the PDF is covered by a signature.  Exporting a signed-off or countersigned
assessment hands out exactly the PDF that was signed (:func:`write_signed_pdf`).

Drafts are never signed.  An assessment signed off before PDFs were signed keeps no
PDF; its export is laid out afresh, without a digital signature, and says so.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from scrutiny_desktop.atomic import atomic_write
from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.report import pades
from scrutiny_desktop.report.data import ReportData, ReportOptions, collect
from scrutiny_desktop.report.pdf import build_pdf_bytes, metadata_info
from scrutiny_desktop.services import review, signatures, signoff
from scrutiny_desktop.services.identity import Identity
from scrutiny_desktop.services.signatures import SignatureView
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import Status

__all__ = ["CHAIR_FIELD", "SCRUTINEER_FIELD", "countersign", "export_pdf", "kept_pdf_problem",
           "sign_off", "signed_pdf_problem", "write_signed_pdf"]

#: The PDF signature fields: the scrutineer's, then the chair's.
SCRUTINEER_FIELD = "ScrutineerSignOff"
CHAIR_FIELD = "ChairCountersignature"


def _signed(pdf: bytes, identity: Identity, view: SignatureView, *, field: str, reason: str,
            append_pages: bytes | None = None, info: dict[str, str] | None = None) -> bytes:
    return pades.sign_bytes(pdf, private_key=identity.private_key, certificate=identity.certificate,
                            chain=identity.chain, field_name=field, signer_name=view.name,
                            reason=reason, append_pages=append_pages, info=info,
                            name="the PDF summary")


def signed_off_data(doc: Document, view: SignatureView, png: bytes | None,
                    options: ReportOptions) -> ReportData:
    """What the report prints once ``view`` (the sign-off about to be recorded) is."""
    data = collect(doc, options)
    return replace(data, info=replace(data.info, status=Status.SIGNED_OFF), signoff=view,
                   signature_png=png, signoff_history=(*data.signoff_history, view), review=None)


def countersigned_data(doc: Document, view: SignatureView, png: bytes | None,
                       options: ReportOptions) -> ReportData:
    """What the report prints once ``view`` (the countersignature about to be recorded) is."""
    data = collect(doc, options)
    if data.review is None:
        raise InvalidInput("There is no response to countersign yet.")
    rv = replace(data.review, countersignature=view, countersignature_png=png,
                 history=(*data.review.history, view), countersign_fingerprint=view.fingerprint)
    return replace(data, info=replace(data.info, status=Status.REVIEWED), review=rv)


def sign_off(doc: Document, *, identity: Identity | None, name: str, role: str, statement: str,
             confirmed: bool, signature_png: bytes | None = None,
             options: ReportOptions | None = None) -> SignatureView:
    """Sign off (see :func:`scrutiny_desktop.services.signoff.sign_off`) and keep the PDF
    summary, signed with the scrutineer's key."""
    options = options or ReportOptions()

    def render(view: SignatureView, png: bytes | None) -> bytes:
        assert identity is not None  # the service refuses a missing identity first
        data = signed_off_data(doc, view, png, options)
        return _signed(build_pdf_bytes(data), identity, view, field=SCRUTINEER_FIELD,
                       reason="Signed off: independent scrutiny assessment")

    return signoff.sign_off(doc, identity=identity, name=name, role=role, statement=statement,
                            confirmed=confirmed, signature_png=signature_png, render_pdf=render)


def countersign(doc: Document, *, identity: Identity | None, name: str, role: str,
                statement: str, confirmed: bool, signature_png: bytes | None = None,
                options: ReportOptions | None = None) -> SignatureView:
    """Countersign (see :func:`scrutiny_desktop.services.review.countersign`) and keep the
    PDF: the scrutineer's signed PDF with the response added and the chair's signature."""
    options = options or ReportOptions()

    def render(view: SignatureView, png: bytes | None) -> bytes:
        assert identity is not None  # the service refuses a missing identity first
        data = countersigned_data(doc, view, png, options)
        reason = "Countersigned: the safeguarding partners' response"
        base = signatures.signed_pdf(doc, signatures.SIGN_OFF)
        if base is None:
            # Signed off before PDFs were signed: the chair's signature is the only one.
            return _signed(build_pdf_bytes(data), identity, view, field=CHAIR_FIELD, reason=reason)
        problem = signed_pdf_problem(base, signoff.current_signoff(doc))
        if problem:
            raise InvalidInput(f"The scrutineer's signed PDF kept in this assessment {problem}, so "
                               "the response cannot be added to it. Ask the scrutineer to reopen "
                               "and sign off again.")
        return _signed(base, identity, view, field=CHAIR_FIELD, reason=reason,
                       append_pages=build_pdf_bytes(data, response_only=True),
                       info=metadata_info(data))

    return review.countersign(doc, identity=identity, name=name, role=role, statement=statement,
                              confirmed=confirmed, signature_png=signature_png, render_pdf=render)


def signed_pdf_problem(pdf: bytes, *records: SignatureView | None) -> str:
    """Why a kept signed PDF is not what its records say ("" if it is): every signature
    intact and covering the file, signed by the records' certificates in order."""
    check = pades.verify_bytes(pdf)
    if not check.ok:
        return "fails its signature check (" + "; ".join(check.problems) + ")"
    want = [r.certificate_sha256 for r in records if r is not None]
    found = [s.fingerprint for s in check.signatures]
    if found != want:
        return "is not signed by the certificates its signature records name"
    return ""


def kept_pdf_problem(doc: Document, pdf: bytes) -> str:
    """Why the signed PDF kept in ``doc`` is not sound ("" if it is): its signatures must
    be intact, cover the file, and be those of the sign-off (and countersignature) in
    force, in that order."""
    records: list[SignatureView | None] = [signoff.current_signoff(doc)]
    if doc_status(doc) == Status.REVIEWED:
        countersigned = [c for c in review.countersignatures(doc) if not c.voided]
        records.append(countersigned[-1] if countersigned else None)
    if records[0] is not None and not records[0].keyed:
        records = records[1:]  # a format-1 sign-off: only the chair's signature is in the PDF
    return signed_pdf_problem(pdf, *records)


def write_signed_pdf(doc: Document, pdf: bytes, out: Path) -> Path:
    """Write the signed PDF kept in ``doc`` to ``out`` (atomically), after checking the
    document (the kept PDF must be the one recorded when it was signed) and the PDF's
    signatures (:func:`kept_pdf_problem`)."""
    from scrutiny_desktop.services.integrity import integrity_report

    report = integrity_report(doc)
    if not report.ok:
        raise InvalidInput(f"The assessment failed its integrity check ({report.problem}); the "
                           "signed PDF was not exported.")
    problem = kept_pdf_problem(doc, pdf)
    if problem:
        raise InvalidInput(f"The signed PDF kept in this assessment {problem}; it was not exported. "
                           "Run check on the assessment to see what changed.")
    with atomic_write(Path(out)) as fh:
        fh.write(pdf)
    return Path(out)


def doc_status(doc: Document) -> str:
    from scrutiny_desktop.services.assessments import info

    return info(doc).status


def export_pdf(doc: Document, out: Path, options: ReportOptions | None = None) -> Path:
    """Write the PDF summary of ``doc`` to ``out``: the signed PDF kept with the sign-off
    or countersignature in force (checked first), else one laid out now (a draft, or an
    assessment signed off before PDFs were signed)."""
    from scrutiny_desktop.report.pdf import build_pdf
    from scrutiny_desktop.services.signatures import pdf_to_export

    signed = pdf_to_export(doc)
    if signed is not None:
        return write_signed_pdf(doc, signed, out)
    return build_pdf(collect(doc, options or ReportOptions()), out)
