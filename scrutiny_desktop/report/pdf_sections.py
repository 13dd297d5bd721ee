"""The body of the PDF summary: what follows the cover and the summary page.

:class:`ReportBody` lays out the recommendations table, one page run per
checklist section (each question with its judgement, findings, evidence and
recommendations), the sign-off and the fingerprint (where the report the
scrutineer signs ends), then the partnership's response (overall response,
decisions, comments on questions) with the countersignature.  The cover, the
summary and the page furniture are in :mod:`scrutiny_desktop.report.pdf`; fonts,
safe text and tables in :mod:`scrutiny_desktop.report.pdfkit`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, Spacer
from reportlab.platypus.flowables import HRFlowable

from scrutiny_desktop.report.data import ReportData, ReportQuestion, ReportSection
from scrutiny_desktop.report.pdfkit import (
    A4_PORTRAIT,
    MUTED,
    RULE,
    Bookmark,
    Styles,
    clean_text,
    one_line,
    para,
    paragraphs,
    table,
)
from scrutiny_desktop.services.evidence import EvidenceView
from scrutiny_desktop.services.recommendations import RecommendationView
from scrutiny_desktop.services.signoff import SignOffView
from scrutiny_desktop.text import date_text, when_text

DRAFT_LINE = "Not signed off: this is a draft."
NO_RECOMMENDATIONS = "No recommendations were made."
VERIFY_SENTENCE = ("To check that this summary matches the assessment file, run: "
                   "scrutiny-desktop verify THIS.pdf --against FILE.scrutiny "
                   "(or use File > Verify a PDF… in the app).")

CONTENT_WIDTH = A4_PORTRAIT.content_width
SIGNATURE_MAX_WIDTH = 5 * cm
SIGNATURE_MAX_HEIGHT = 2.5 * cm
TABLE_TEXT_LIMIT = 600  # characters of free text in a table cell


IMAGE_MAX_PIXELS = 40_000_000


def fitted_image(raw: bytes, max_width: float, max_height: float) -> Image | None:
    """A PNG or JPEG from ``raw``, scaled to fit the box and set on the left, or None
    if it is not a picture reportlab can draw or is implausibly large (never an error)."""
    try:
        reader = ImageReader(io.BytesIO(raw))
        w, h = reader.getSize()
        if w <= 0 or h <= 0 or w * h > IMAGE_MAX_PIXELS:
            return None
        # Decode it now, so that a broken file is skipped here, not mid-build.
        reader.getRGBData()
        scale = min(max_width / w, max_height / h)
        image = Image(io.BytesIO(raw), width=w * scale, height=h * scale)
        image.hAlign = "LEFT"
        return image
    except Exception:  # noqa: BLE001 - a bad picture must not break the export (PIL raises anything)
        return None


def excerpt(text: object, limit: int = TABLE_TEXT_LIMIT) -> str:
    """Text for a table cell, on one line and at most ``limit`` characters."""
    line = one_line(text)
    return line if len(line) <= limit else line[:limit].rstrip() + "…"


def signer_line(s: SignOffView) -> str:
    """"Name, role" of whoever signed (the role left out when there is none)."""
    return ", ".join(x for x in (clean_text(s.name), clean_text(s.role)) if x)


def _voided(h: SignOffView) -> str:
    """When a sign-off or countersignature was voided, by whom, and why."""
    return (f"{when_text(h.voided_at)} by {one_line(h.voided_by) or 'unknown'}: "
            f"{one_line(h.void_reason)}")


def _signature(png: bytes | None) -> Image | None:
    return fitted_image(png, SIGNATURE_MAX_WIDTH, SIGNATURE_MAX_HEIGHT) if png else None


def certificate_text(fingerprint: str) -> str:
    """The signer's certificate fingerprint on two lines of 16 pairs (it has no spaces to
    wrap at), or why there is none."""
    if not fingerprint:
        return "None: signed without a key (a document from an earlier version)"
    pairs = fingerprint.split(":")
    half = (len(pairs) + 1) // 2
    return ":".join(pairs[:half]) + "\n" + ":".join(pairs[half:])


def digital_signature_note(view: SignOffView, what: str) -> str:
    """The sentence under a keyed signature saying what the PDF carries ("" for none)."""
    if not view.certificate_sha256:
        return ""
    return (f"{what} is a digital signature (PAdES) made with the certificate above: a PDF "
            "reader shows it in its signature panel, and any change to the signed pages breaks "
            "it. The time is the signing computer's clock; no timestamp server was used.")


class ReportBody:
    """Builds the flowables of the summary's body from a report snapshot.

    ``tick()`` returns a marker that reports progress when the layout reaches
    it; one goes after each question and after every 25 evidence items or
    recommendations, so a long question still moves the progress bar.
    """

    def __init__(self, data: ReportData, styles: Styles, tick: Callable[[], Flowable]) -> None:
        self.data = data
        self.s = styles
        self.tick = tick
        self.rec_numbers = {n.recommendation.id: n.number for n in data.recommendations}

    def recommendations_table(self) -> list[Flowable]:
        d, s = self.data, self.s
        out: list[Flowable] = [para("Recommendations", s["h1"])]
        if not d.recommendations:
            out.append(para(NO_RECOMMENDATIONS, s["body"]))
            return out
        out.append(para(f"{len(d.recommendations)} recommendation"
                        f"{'s' if len(d.recommendations) != 1 else ''}, in checklist order.",
                        s["body"]))
        widths = [0.9 * cm, 6.9 * cm, 2.8 * cm, 1.6 * cm, 2.4 * cm]
        widths.append(CONTENT_WIDTH - sum(widths))
        rows = [[para(h, s["cell_head"]) for h in
                 ("No.", "Recommendation", "Owner", "Priority", "Target date", "Question")]]
        # Table rows cannot split across pages, so a very long recommendation is
        # shortened here; it is printed in full under its question.
        for n in d.recommendations:
            r = n.recommendation
            text = excerpt(r.text)
            if text != one_line(r.text):
                text += f" (in full under question {n.question_number})"
            rows.append([
                para(str(n.number), s["cell"]),
                para(text, s["cell"]),
                para(excerpt(r.owner_label, 200), s["cell"]),
                para(r.priority_label, s["cell"]),
                para(date_text(r.due) or "None set", s["cell"]),
                para(f"Q{n.question_number} ({n.question_id})", s["cell"]),
            ])
        out.append(table(rows, widths))
        return out

    # -- the checklist, question by question ---------------------------------------------

    def section(self, section: ReportSection) -> list[Flowable]:
        s = self.s
        title = f"{section.number}. {section.title}"
        out: list[Flowable] = [Bookmark(f"section-{section.number}", one_line(title)),
                               para(title, s["h1"])]
        sp = section.progress
        out.append(para(f"{sp.answered} of {sp.total} questions answered; "
                        f"{sp.required_answered} of {sp.required} required.", s["small"]))
        if section.intro.strip():
            out += paragraphs(section.intro, s["intro"])
        for i, q in enumerate(section.questions):
            if i:
                out.append(HRFlowable(width="100%", thickness=0.4, color=RULE,
                                      spaceBefore=4, spaceAfter=4))
            out += self.question(q)
            out.append(self.tick())
        return out

    def question(self, q: ReportQuestion) -> list[Flowable]:
        s = self.s
        head = [para(f"{q.number}. {q.text}", s["question"]),
                para(f"Question {q.id}" + ("" if q.required else " (optional)"), s["qid"]),
                para(q.judgement_label or "Not answered", s["judgement"], label="Judgement:")]
        # The heading, id, judgement and "Findings" carry keepWithNext, so the
        # question never starts at the foot of a page on its own.
        out: list[Flowable] = list(head)
        out.append(para("Findings", s["h3"]))
        found = paragraphs(q.findings, s["body"])
        out += found or [para("No findings recorded.", s["empty"])]
        if q.evidence:
            out.append(para(f"Evidence ({len(q.evidence)})", s["h3"]))
            for i, e in enumerate(q.evidence, start=1):
                out += self.evidence(i, e)
                if i % 25 == 0:
                    out.append(self.tick())
        else:
            out.append(para("Evidence", s["h3"]))
            out.append(para("No evidence recorded.", s["empty"]))
        if q.recommendations:
            out.append(para(f"Recommendations ({len(q.recommendations)})", s["h3"]))
            for i, r in enumerate(q.recommendations, start=1):
                out += self.recommendation(r)
                if i % 25 == 0:
                    out.append(self.tick())
        return out

    def evidence(self, i: int, e: EvidenceView) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [para(e.title, s["item_title"], label=f"{i}.")]
        meta = [e.kind_label]
        if e.date:
            meta.append(date_text(e.date))
        if clean_text(e.source).strip():
            meta.append(f"Source: {one_line(e.source)}")
        out.append(para(" · ".join(meta), s["item_meta"]))
        if clean_text(e.note).strip():
            out += paragraphs(e.note, s["item"])
        if e.attachment is not None:
            out.append(para(e.attachment.filename, s["item_meta"], label="Attachment:"))
            out.append(para(e.attachment.sha256, s["hash"], label="SHA-256:"))
        return out

    def recommendation(self, r: RecommendationView) -> list[Flowable]:
        s = self.s
        number = self.rec_numbers.get(r.id)
        label = f"R{number}." if number else "•"
        out: list[Flowable] = [para(r.text, s["item_title"], label=label)]
        meta = [f"Owner: {one_line(r.owner_label)}", f"Priority: {r.priority_label}",
                f"Target date: {date_text(r.due) or 'none set'}", f"Status: {r.status_label}"]
        out.append(para(" · ".join(meta), s["item_meta"]))
        if clean_text(r.carried_from).strip():
            out.append(para(f"Carried forward from {one_line(r.carried_from)}.", s["item_meta"]))
        if clean_text(r.progress).strip():
            out += paragraphs(r.progress, s["item"])
        return out

    # -- the partnership's response ------------------------------------------------------

    def response_section(self) -> list[Flowable]:
        """The partnership's response: overall response, decisions, question comments."""
        rv, s = self.data.review, self.s
        if rv is None:
            return []
        out: list[Flowable] = [Bookmark("partnership-response", "Partnership response"),
                               para("Partnership response", s["h1"])]
        so = self.data.signoff
        if so is not None:
            out.append(para(f"The safeguarding partners' response to the independent scrutineer's "
                            f"assessment of {one_line(self.data.info.partnership)}, "
                            f"{one_line(self.data.info.period)}, signed off by {signer_line(so)} on "
                            f"{when_text(so.signed_at)} (fingerprint {self.data.fingerprint}).",
                            s["body"]))
        out.append(para("Overall response", s["h2"]))
        out += paragraphs(rv.overall, s["body"]) or [para("No overall response recorded.", s["empty"])]
        out.append(para("Decisions on the recommendations", s["h2"]))
        if not rv.decisions:
            out.append(para(NO_RECOMMENDATIONS, s["body"]))
        else:
            widths = [0.9 * cm, 5.6 * cm, 2.7 * cm, 3.4 * cm, 2.5 * cm]
            widths.append(CONTENT_WIDTH - sum(widths))
            rows = [[para(h, s["cell_head"]) for h in
                     ("No.", "Recommendation", "Decision", "Change or reason", "Action owner",
                      "Action date")]]
            for d in rv.decisions:
                rows.append([para(str(d.number), s["cell"]), para(excerpt(d.text), s["cell"]),
                             para(d.decision_label, s["cell"]), para(excerpt(d.detail), s["cell"]),
                             para(excerpt(d.action_owner, 200), s["cell"]),
                             para(date_text(d.action_due) or "", s["cell"])])
            out.append(table(rows, widths))
        if rv.comments:
            out.append(para("Comments on questions", s["h2"]))
            numbers = {q.id: q.number for sec in self.data.sections for q in sec.questions}
            for qid, text in sorted(rv.comments.items(), key=lambda kv: numbers.get(kv[0], 0)):
                out.append(para(f"Question {numbers.get(qid, '?')} ({qid})", s["h3"]))
                out += paragraphs(text, s["body"])
        out.append(self.tick())
        return out

    # -- sign-off, countersignature, fingerprint ------------------------------------------

    def _signed(self, rows: Sequence[tuple[str, str]], statement: str) -> list[Flowable]:
        """Who signed (a label/value table) and the statement they signed."""
        s = self.s
        cells = [[para(k, s["label"]), para(v, s["value"])] for k, v in rows]
        return [table(cells, [4 * cm, CONTENT_WIDTH - 4 * cm], header=False),
                Spacer(1, 8),
                para("Statement", s["h3"]),
                *paragraphs(statement, s["body"])]

    def _drawn_signature(self, png: bytes | None, name: str) -> list[Flowable]:
        """The drawn signature over a line and the signer's name; nothing if there is
        no drawing or it cannot be shown."""
        s = self.s
        image = _signature(png)
        if image is None:
            return []
        return [para("Signature", s["h3"]),
                Spacer(1, 4),
                image,
                HRFlowable(width=SIGNATURE_MAX_WIDTH + 1 * cm, thickness=0.6, color=MUTED,
                           hAlign="LEFT", spaceBefore=2, spaceAfter=2),
                para(name, s["small"])]

    def signoff_block(self) -> list[Flowable]:
        d, s = self.data, self.s
        out: list[Flowable] = [para("Sign-off", s["h1"])]
        so = d.signoff
        if so is None:
            out.append(para(DRAFT_LINE, s["h2"]))
            out.append(para("The assessment has not been signed off, so this summary may still "
                            "change. Every page is marked DRAFT.", s["body"]))
        else:
            out += self._signed([("Name", so.name), ("Role", so.role or "Not given"),
                                 ("Signed off", when_text(so.signed_at)),
                                 ("Certificate (SHA-256)", certificate_text(so.certificate_sha256)),
                                 ("Status", d.info.status_label)], so.statement)
            note = digital_signature_note(so, "This sign-off")
            if note:
                out.append(para(note, s["small"]))
            drawn = self._drawn_signature(d.signature_png, so.name)
            out += drawn
            if not drawn and d.signature_png:
                out.append(para("The drawn signature could not be shown.", s["empty"]))
        voided = [h for h in d.signoff_history if h.voided]
        if voided:
            out.append(para("Earlier sign-offs, since voided", s["h2"]))
            for h in voided:
                out.append(para(f"Voided on {_voided(h)} (signed off by {signer_line(h)} on "
                                f"{when_text(h.signed_at)}).", s["body"]))
        return out

    def review_block(self) -> list[Flowable]:
        """The countersignature, under the scrutineer's sign-off."""
        rv, s = self.data.review, self.s
        if rv is None:
            return []
        out: list[Flowable] = [Spacer(1, 10), para("Countersignature", s["h1"])]
        cs = rv.countersignature
        if cs is None:
            out.append(para("The partnership's response has not been countersigned.", s["body"]))
        else:
            out += self._signed([("Name", cs.name), ("Role", cs.role or "Not given"),
                                 ("Countersigned", when_text(cs.signed_at)),
                                 ("Certificate (SHA-256)", certificate_text(cs.certificate_sha256))],
                                cs.statement)
            note = digital_signature_note(cs, "This countersignature")
            if note:
                out.append(para(note, s["small"]))
            out += self._drawn_signature(rv.countersignature_png, cs.name)
            out.append(para(rv.countersign_fingerprint, s["fingerprint"],
                            label="Countersignature fingerprint (SHA-256):"))
        for h in rv.history:
            if h.voided:
                out.append(para(f"An earlier countersignature by {one_line(h.name)} on "
                                f"{when_text(h.signed_at)} was voided on {_voided(h)}.", s["body"]))
        return out

    def fingerprint_block(self) -> list[Flowable]:
        s = self.s
        return [
            Spacer(1, 0.5 * cm),
            para("Fingerprint", s["h2"]),
            para(self.data.fingerprint, s["fingerprint"], label="Fingerprint (SHA-256):"),
            para(VERIFY_SENTENCE, s["small"]),
        ]
