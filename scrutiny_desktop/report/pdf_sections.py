"""The body of the report: everything after the cover.

:class:`ReportBody` lays out the front section a board reads first (the summary
with the overall judgement and conclusion, strengths, areas for improvement, the
judgements by section, the recommendations and the scope and method), then the
findings section by section and question by question, the sign-off (where the
report the scrutineer signs ends), the short appendix "About this document"
(how to check the PDF, the fingerprint and hashes), and the partnership's response
with the countersignature.  Judgements are shown as marks: a symbol, a colour and
the label, so they read the same in greyscale and for colour-blind readers.
References link to their targets, and every part and question has a bookmark.

The cover and the page furniture are in :mod:`scrutiny_desktop.report.pdf`;
fonts, safe text and tables in :mod:`scrutiny_desktop.report.pdfkit`.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import CondPageBreak, Flowable, Image, Paragraph, Spacer
from reportlab.platypus.flowables import HRFlowable

from scrutiny_desktop.checklist import marks
from scrutiny_desktop.checklist.model import NOT_APPLICABLE
from scrutiny_desktop.report.data import ReportData, ReportQuestion, ReportSection
from scrutiny_desktop.report.pdfkit import (
    A4_PORTRAIT,
    MUTED,
    RULE,
    Anchor,
    Bookmark,
    KeepWithStart,
    Para,
    Styles,
    ZeroSize,
    clean_text,
    linked,
    markup,
    one_line,
    para,
    paragraphs,
    repeated,
    table,
)
from scrutiny_desktop.services.evidence import EvidenceView
from scrutiny_desktop.services.recommendations import RecommendationView
from scrutiny_desktop.services.signoff import SignOffView
from scrutiny_desktop.services.summary import FIELD_LABELS
from scrutiny_desktop.text import date_text, when_text

DRAFT_LINE = "Not signed off: this is a draft."
NO_RECOMMENDATIONS = "The scrutineer made no recommendations."
NO_SUMMARY = "The scrutineer has not written a summary."

CONTENT_WIDTH = A4_PORTRAIT.content_width
SIGNATURE_MAX_WIDTH = 5 * cm
SIGNATURE_MAX_HEIGHT = 2.5 * cm
TABLE_TEXT_LIMIT = 600  # characters of free text in a table cell
IMAGE_MAX_PIXELS = 40_000_000


# -- judgement marks ---------------------------------------------------------------------

@dataclass(frozen=True)
class Mark:
    """How a judgement is shown: a symbol and a colour, always with its label
    (the same marks as on screen: ``checklist.marks``)."""

    symbol: str
    colour: colors.Color
    tint: colors.Color


def _pdf_mark(mark: marks.Mark) -> Mark:
    return Mark(mark.symbol, colors.HexColor(mark.colour), colors.HexColor(mark.tint))


def mark_of(data: ReportData, value: str | None) -> Mark:
    return _pdf_mark(marks.mark_for(data.template, value))


def mark_markup(mark: Mark, label: str, *, bold: bool = True) -> str:
    """The mark's symbol in its colour, then the label."""
    text = markup(label, bold=bold)
    symbol = f'<font color="{mark.colour.hexval()}">{markup(mark.symbol, bold=bold)}</font>'
    # (the space goes with a bold label: one run fewer to lay out, and Noto Sans's
    # space is as wide in bold)
    return symbol + (f"<b> {text}</b>" if bold else f" {text}")


# -- small helpers ------------------------------------------------------------------------

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


def question_key(question_id: str) -> str:
    return f"q-{question_id}"


def section_key(section_id: str) -> str:
    return f"s-{section_id}"


def recommendation_key(number: int) -> str:
    return f"r-{number}"


class Marker(ZeroSize):
    """Zero-size marker: tells the builder, as the layout passes it, which section and
    question the page is in (for the running head of the next page)."""

    def __init__(self, report: Callable[[], None]) -> None:
        super().__init__()
        self.report = report

    def draw(self) -> None:
        self.report()


class ReportBody:
    """Builds the flowables of the report's body from a report snapshot.

    ``tick()`` returns a marker that reports progress when the layout reaches it;
    ``context(section, question)`` one that sets the running head's context.
    """

    def __init__(self, data: ReportData, styles: Styles, tick: Callable[[], Flowable],
                 context: Callable[[str, str], Flowable] | None = None) -> None:
        self.data = data
        self.s = styles
        self.tick = tick
        self.context = context or (lambda _section, _question: Spacer(0, 0))
        self.rec_numbers = {n.recommendation.id: n.number for n in data.recommendations}
        self.numbers = {q.id: q.number for sec in data.sections for q in sec.questions}

    # -- the front: what a board reads first ---------------------------------------------

    def judgement_paragraph(self, value: str | None, label: str, style: str = "judgement") -> Paragraph:
        mark = mark_of(self.data, value)
        st = self.s[style]
        return repeated(mark_markup(mark, label or "Not answered"), _tinted(st, mark.tint))

    def summary(self) -> list[Flowable]:
        d, s = self.data, self.s
        sm = d.summary
        out: list[Flowable] = [Bookmark("summary", "Summary"), para("Summary", s["h1"])]
        if sm.is_empty:
            out.append(para(NO_SUMMARY, s["empty"]))
        label = d.overall_label
        out.append(self.judgement_paragraph(
            sm.overall_judgement, f"Overall judgement: {label}" if label else "No overall judgement given",
            "overall"))
        for name in ("conclusion", "strengths", "areas_for_improvement"):
            text = sm.text(name)
            if name != "conclusion":
                out.append(para(FIELD_LABELS[name], s["h2"]))
            if clean_text(text).strip():
                out += paragraphs(text, s["body"])
            elif name != "conclusion":
                out.append(para("Not written.", s["empty"]))
        return out

    def judgements_table(self) -> list[Flowable]:
        d, s = self.data, self.s
        options: list[tuple[str | None, str]] = list(d.template.judgement_options())
        options.append((None, "No judgement"))
        # "Not applicable" and "No judgement" only when some question has them.
        unanswered = sum(max(sp.total - sum(sp.judgements.values()), 0) for sp in d.progress.sections)
        used = {v for sp in d.progress.sections for v, n in sp.judgements.items() if n}
        options = [(v, label) for v, label in options
                   if (v is None and unanswered) or (v == NOT_APPLICABLE and v in used)
                   or (v is not None and v != NOT_APPLICABLE)]
        out: list[Flowable] = [Bookmark("judgements", "Judgements by section", 1),
                               para("Judgements by section", s["h2"]),
                               para("How many questions in each section received each judgement. "
                                    "Select a section to go to its findings.", s["small"])]
        # Room for the longest word of a judgement's name ("Insufficient", "Reasonable")
        # on one line: words are never split inside the heading.
        count_w = min(2.3 * cm, (CONTENT_WIDTH - 4.2 * cm) / len(options))
        widths = [CONTENT_WIDTH - count_w * len(options)] + [count_w] * len(options)
        head = [para("Section", s["cell_head"])] + [
            repeated(mark_markup(mark_of(d, v), label), s["count_head"]) for v, label in options]
        rows: list[list[Flowable]] = [head]
        totals = [0] * len(options)
        for section, sp in zip(d.sections, d.progress.sections, strict=False):
            counts = [sp.judgements.get(v, 0) if v is not None
                      else max(sp.total - sum(sp.judgements.values()), 0) for v, _ in options]
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
            rows.append([Para(linked(f"{section.number}. {section.title}",
                                     section_key(section.id)), s["cell"])]
                        + [para(str(c) if c else "–", s["cell_num"]) for c in counts])
        rows.append([para("All sections", s["cell_head"])]
                    + [para(str(c), s["cell_head_num"]) for c in totals])
        out.append(table(rows, widths, extra_style=[("LINEABOVE", (0, -1), (-1, -1), 0.8, MUTED),
                                                     ("LEFTPADDING", (1, 0), (-1, -1), 2),
                                                     ("RIGHTPADDING", (1, 0), (-1, -1), 2)]))
        return out

    def recommendations_table(self) -> list[Flowable]:
        d, s = self.data, self.s
        out: list[Flowable] = [Bookmark("recommendations", "Recommendations"),
                               para("Recommendations", s["h1"])]
        if not d.recommendations:
            out.append(para(NO_RECOMMENDATIONS, s["body"]))
            return out
        n_recs = len(d.recommendations)
        out.append(para(f"{n_recs} recommendation{'s' if n_recs != 1 else ''}, in checklist order. "
                        "Select a question number to go to the findings behind it.", s["small"]))
        widths = [1.0 * cm, 0, 2.3 * cm, 1.6 * cm, 2.0 * cm, 1.8 * cm, 1.8 * cm]
        widths[1] = CONTENT_WIDTH - sum(widths)
        rows: list[list[object]] = [[para(h, s["cell_head"]) for h in
                                     ("No.", "Recommendation", "Owner", "Priority", "Due",
                                      "Status", "Question")]]
        # Table rows cannot split across pages, so a very long recommendation is
        # shortened here; it is printed in full under its question.
        for n in d.recommendations:
            r = n.recommendation
            text = excerpt(r.text)
            if text != one_line(r.text):
                text += f" (in full under question {n.question_number})"
            cell: list[Flowable] = [Anchor(recommendation_key(n.number)), para(text, s["cell"])]
            if clean_text(r.carried_from).strip():
                cell.append(para(f"↻ Carried forward from {one_line(r.carried_from)}", s["cell_note"]))
            rows.append([
                para(f"R{n.number}", s["cell"]),
                cell,
                para(excerpt(r.owner_label, 200), s["cell"]),
                para(r.priority_label, s["cell"]),
                para(date_text(r.due) or "None set", s["cell"]),
                para(r.status_label, s["cell"]),
                Para(linked(f"Q{n.question_number}", question_key(n.question_id)), s["cell"]),
            ])
        out.append(table(rows, widths))
        return out

    def scope_and_method(self) -> list[Flowable]:
        s = self.s
        text = self.data.summary.scope_and_method
        out: list[Flowable] = [Bookmark("scope", "Scope and method"),
                               para(FIELD_LABELS["scope_and_method"], s["h1"])]
        out += paragraphs(text, s["body"]) or [para("Not written.", s["empty"])]
        return out

    # -- the findings, section by section -----------------------------------------------

    def section(self, section: ReportSection) -> list[Flowable]:
        s = self.s
        title = f"{section.number}. {section.title}"
        # A section starts a new page only when less than a third of a page is left.
        out: list[Flowable] = [CondPageBreak(A4_PORTRAIT.content_height / 3),
                               self.context(title, ""),
                               Bookmark(section_key(section.id), title),
                               para(title, s["h1"])]
        summary = self.data.summary.sections.get(section.id, "")
        if clean_text(summary).strip():
            out.append(para("The scrutineer's summary of this section", s["h3"]))
            out += paragraphs(summary, s["section_summary"])
        elif clean_text(section.intro).strip():
            out += paragraphs(section.intro, s["intro"])
        for i, q in enumerate(section.questions):
            if i:
                out.append(HRFlowable(width="100%", thickness=0.4, color=RULE,
                                      spaceBefore=6, spaceAfter=6))
            out += self.question(q, title)
            out.append(self.tick())
        out.append(self.context(title, ""))
        return out

    def question(self, q: ReportQuestion, section_title: str) -> list[Flowable]:
        s = self.s
        label = f"Q{q.number}"
        head: list[Flowable] = [
            self.context(section_title, label),
            Bookmark(question_key(q.id), f"{label}. {one_line(q.text)[:90]}", 1),
            para(f"{label}. {q.text}", s["question"]),
            para(q.id + ("" if q.required else " · optional"), s["qid"]),
            self.judgement_paragraph(q.judgement, q.judgement_label),
        ]
        if q.direction_label:
            head.append(para(f"Direction of travel: {q.direction_label}", s["item_meta"]))
        found = paragraphs(q.findings, s["body"]) or [para("No findings recorded.", s["empty"])]
        findings = para("Findings", s["h3"])
        findings.keepWithNext = 0  # kept by the question's own keeper below
        # the question's heading lines and the findings' heading stay together, with
        # the start of the findings
        # (a page the question starts at the top of is headed by its section alone)
        out: list[Flowable] = [
            KeepWithStart([*head, findings], found[0],
                          on_break=getattr(self.context(section_title, ""), "report", None)),
            *head, findings, *found]
        if q.evidence:
            out.append(para(f"Evidence ({len(q.evidence)})", s["h3"]))
            for i, e in enumerate(q.evidence, start=1):
                out += self.evidence(i, e)
                if i % 25 == 0:
                    out.append(self.tick())
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
        if e.attachment is not None:
            meta.append(f"Attached: {one_line(e.attachment.filename)}")
        out.append(para(" · ".join(meta), s["item_meta"]))
        if clean_text(e.note).strip():
            out += paragraphs(e.note, s["item"])
        return out

    def recommendation(self, r: RecommendationView) -> list[Flowable]:
        s = self.s
        number = self.rec_numbers.get(r.id)
        body = markup(r.text, bold=False)
        if number:
            head = f'<b>{linked(f"R{number}.", recommendation_key(number))}</b> {body}'
        else:
            head = f"<b>•</b> {body}"
        out: list[Flowable] = [Para(head, s["item_title"])]
        meta = [f"Owner: {one_line(r.owner_label)}", f"Priority: {r.priority_label}",
                f"Due: {date_text(r.due) or 'none set'}", f"Status: {r.status_label}"]
        out.append(para(" · ".join(meta), s["item_meta"]))
        if clean_text(r.carried_from).strip():
            out.append(para(f"↻ Carried forward from {one_line(r.carried_from)}.", s["item_meta"]))
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
                            f"report on {one_line(self.data.info.partnership)}, "
                            f"{one_line(self.data.info.period)}, signed off by {signer_line(so)} on "
                            f"{when_text(so.signed_at)}.", s["body"]))
        out.append(para("Overall response", s["h2"]))
        out += paragraphs(rv.overall, s["body"]) or [para("No overall response recorded.", s["empty"])]
        out.append(para("Decisions on the recommendations", s["h2"]))
        if not rv.decisions:
            out.append(para(NO_RECOMMENDATIONS, s["body"]))
        else:
            widths = [1.0 * cm, 0, 2.5 * cm, 3.2 * cm, 2.3 * cm, 2.1 * cm]
            widths[1] = CONTENT_WIDTH - sum(widths)
            rows = [[para(h, s["cell_head"]) for h in
                     ("No.", "Recommendation", "Decision", "Change or reason", "Action owner",
                      "Action date")]]
            for d in rv.decisions:
                rows.append([para(f"R{d.number}", s["cell"]), para(excerpt(d.text), s["cell"]),
                             para(d.decision_label, s["cell"]), para(excerpt(d.detail), s["cell"]),
                             para(excerpt(d.action_owner, 200), s["cell"]),
                             para(date_text(d.action_due) or "", s["cell"])])
            out.append(table(rows, widths))
        if rv.comments:
            out.append(para("Comments on questions", s["h2"]))
            for qid, text in sorted(rv.comments.items(), key=lambda kv: self.numbers.get(kv[0], 0)):
                out.append(para(f"Q{self.numbers.get(qid, '?')} ({qid})", s["h3"]))
                out += paragraphs(text, s["body"])
        out.append(self.tick())
        return out

    # -- sign-off, countersignature, about this document -----------------------------------

    def _signed(self, rows: Sequence[tuple[str, str]], statement: str) -> list[Flowable]:
        """Who signed (a label/value table) and the statement they signed."""
        s = self.s
        cells = [[para(k, s["label"]), para(v, s["value"])] for k, v in rows]
        return [table(cells, [4.2 * cm, CONTENT_WIDTH - 4.2 * cm], header=False),
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
        out: list[Flowable] = [Bookmark("signoff", "Sign-off"), para("Sign-off", s["h1"])]
        so = d.signoff
        if so is None:
            out.append(para(DRAFT_LINE, s["h2"]))
            out.append(para("The assessment has not been signed off, so this report may still "
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
        """The countersignature, after the partnership's response."""
        rv, s = self.data.review, self.s
        if rv is None:
            return []
        out: list[Flowable] = [Spacer(1, 10), Bookmark("countersignature", "Countersignature"),
                               para("Countersignature", s["h1"])]
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

    def about(self) -> list[Flowable]:
        """The appendix: how to check this PDF, its fingerprint, and the hashes that tie it
        to the assessment file."""
        d, s = self.data, self.s
        out: list[Flowable] = [Bookmark("about", "About this document"),
                               para("About this document", s["h1"]),
                               para("This report was made by Scrutiny Desktop from the assessment "
                                    "file. To check that a copy of it is unchanged and shows what "
                                    "the file holds, open File > Verify a PDF… in Scrutiny "
                                    "Desktop, or run "
                                    "“scrutiny-desktop verify REPORT.pdf --against FILE.scrutiny”.",
                                    s["body"]),
                               para(d.fingerprint, s["fingerprint"], label="Fingerprint (SHA-256):")]
        attachments = [(q.number, e) for sec in d.sections for q in sec.questions for e in q.evidence
                       if e.attachment is not None]
        if attachments:
            out.append(para("Attached files", s["h3"]))
            rows = [[para(h, s["cell_head"]) for h in ("Question", "File", "SHA-256")]]
            for number, e in attachments:
                assert e.attachment is not None
                rows.append([para(f"Q{number}", s["cell"]), para(e.attachment.filename, s["cell"]),
                             para(e.attachment.sha256, s["hash"])])
            out.append(table(rows, [2 * cm, 4.5 * cm, CONTENT_WIDTH - 6.5 * cm]))
        return out


@functools.lru_cache(maxsize=64)
def _tinted(style, tint: colors.Color):
    """``style`` on a background of ``tint`` (one style per judgement, not per paragraph)."""
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{style.name}_{tint.hexval()}", parent=style, backColor=tint)


__all__ = ["DRAFT_LINE", "Marker", "ReportBody", "certificate_text", "digital_signature_note",
           "fitted_image", "mark_markup", "mark_of", "question_key", "section_key", "signer_line"]
