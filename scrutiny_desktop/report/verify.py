"""Verify a PDF against a document: has the content changed since it was made?"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.report import stamp
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
        keywords = str(meta.get("/Keywords", "") or "")
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise InvalidInput(f"{pdf} is not a readable PDF ({exc}).") from None
    found = stamp.decode(keywords)
    if found is None:
        raise InvalidInput(f"{pdf} was not made by Scrutiny Desktop (it carries no fingerprint).")
    return found


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    message: str
    changed: tuple[str, ...] = ()


def verify_against(pdf: Path | str, doc: Document) -> VerifyResult:
    from scrutiny_desktop.services import assessments, signoff
    from scrutiny_desktop.services.integrity import integrity_report
    from scrutiny_desktop.text import when_text

    found = read_stamp(pdf)
    info = assessments.info(doc)
    content = scrutineer_content(doc)
    current = content_fingerprint(doc)
    if current != found.fingerprint:
        now = part_hashes(content)
        changed = [k for k in sorted(set(now) | set(found.parts))
                   if now.get(k) != found.parts.get(k)] if found.parts else []
        what = (("; changed: " + ", ".join(changed[:12]) + ("…" if len(changed) > 12 else ""))
                if changed else "")
        return VerifyResult(False, f"does not match: the assessment's content has changed since "
                                   f"this PDF was made{what}", tuple(changed))
    report = integrity_report(doc)
    if not report.ok:
        # The content hash agrees, but the file was altered in a way that matters
        # (a signature record, an attachment's bytes, the audit log...).
        return VerifyResult(False, f"does not match: {report.problem}")
    sign = signoff.current_signoff(doc)
    if found.state in (Status.SIGNED_OFF, Status.REVIEWED):
        matches = [s for s in signoff.history(doc) if s.fingerprint == found.fingerprint]
        # The sign-off in force if it matches, else the newest one that does.
        match = next((s for s in reversed(matches) if not s.voided), matches[-1] if matches else None)
        if match is None:
            return VerifyResult(False, "does not match: the PDF says it was signed off, but the "
                                       "assessment holds no sign-off with this fingerprint")
        msg = f"matches: signed off by {match.name}" + (f" ({match.role})" if match.role else "") \
              + f" on {when_text(match.signed_at)}"
        if match.voided:
            msg += f"; note: that sign-off was later voided ({match.void_reason})"
        cs_ok, cs = countersign_message(doc, found)
        if not cs_ok:
            return VerifyResult(False, f"does not match: {cs} (the scrutineer's content itself "
                                       "is unchanged)")
        if cs:
            msg += "; " + cs
    else:
        msg = f"matches the draft of {info.partnership}, {info.period}"
        if sign is not None:
            msg += f" (since signed off by {sign.name} on {when_text(sign.signed_at)})"
    return VerifyResult(True, msg)


def countersign_message(doc: Document, found: stamp.Stamp) -> tuple[bool, str]:
    """What the PDF says about a countersignature, checked against the document."""
    from scrutiny_desktop.services import review
    from scrutiny_desktop.services.fingerprint import countersign_fingerprint
    from scrutiny_desktop.text import when_text

    if not found.countersign_fingerprint:
        return True, ""
    rows = [c for c in review.countersignatures(doc)
            if c.fingerprint == found.countersign_fingerprint]
    if not rows:
        return False, "the countersignature in the PDF is not in the assessment"
    if countersign_fingerprint(doc) != found.countersign_fingerprint:
        return False, "the partnership's response has changed since the PDF was made"
    row = rows[-1]
    role = f" ({row.role})" if row.role else ""
    return True, f"countersigned by {row.name}{role} on {when_text(row.signed_at)}"
