"""The report as a PDF (reportlab platypus, A4): a board paper.

``build_pdf(data, out)`` turns a :class:`~scrutiny_desktop.report.data.ReportData`
snapshot into a PDF.  It never touches storage or Qt, so it can run on a worker
thread; ``progress(done, total)`` is called as the pages are laid out.  The file is
written beside ``out`` under a temporary name and moved into place at the end, so a
failed export never leaves half a PDF behind.

Layout: a cover with the partnership as its headline; the front section a board
reads first (summary and overall judgement, strengths and areas for improvement,
judgements by section, recommendations, scope and method); the findings, section
after section without forced page breaks (a section starts a new page only when
less than a third of a page is left), each continuation page naming its section
and question in a running head; the sign-off, where the report the scrutineer
signs ends; "About this document" (the fingerprint and how to check the PDF); then,
once there is one, the partnership's response and the countersignature.  Every page
carries the protective marking in its header and footer, the partnership's full
name and "Page X of Y"; an unsigned report has a DRAFT watermark on every page.

The layout of the body is in :mod:`~scrutiny_desktop.report.pdf_sections`; the
machinery it shares with the comparison PDF (fonts and glyph fallback, safe text,
links and anchors, header and footer, "Page X of Y", the watermark, metadata) is in
:mod:`~scrutiny_desktop.report.pdfkit`: every piece of user text goes through its
:func:`~scrutiny_desktop.report.pdfkit.markup`, which escapes it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Image, PageBreak, Spacer

from scrutiny_desktop.report.data import ReportData
from scrutiny_desktop.report.pdf_sections import DRAFT_LINE, Marker, ReportBody, fitted_image, signer_line
from scrutiny_desktop.report.pdfkit import (
    A4_PORTRAIT,
    FONT,
    FONT_BOLD,
    FONT_ITALIC,
    MUTED,
    PageFurniture,
    PdfInfo,
    Progress,
    Styles,
    ZeroSize,
    clean_text,
    draw_watermark,
    keep_headings,
    markup,
    merge_markers,
    one_line,
    para,
    shared_styles,
    table,
    truncate,
    write_pdf,
)
from scrutiny_desktop.report.stamp import INFO_KEY, Stamp, hex_of
from scrutiny_desktop.storage.models import Status
from scrutiny_desktop.text import date_text, when_text

# markup and para (pdfkit's) are what the rest of the app knows as this module's
# text safety; they stay importable from here.
__all__ = ["build_pdf", "build_pdf_bytes", "markup", "metadata_info", "para"]

REPORT_KIND = "Independent scrutiny report"

PAGE = A4_PORTRAIT
CONTENT_WIDTH = PAGE.content_width

LOGO_MAX_HEIGHT = 3.5 * cm
LOGO_MAX_WIDTH = 7 * cm
LOGO_MAX_BYTES = 20 * 1024 * 1024


def _styles() -> Styles:
    s = shared_styles()
    add = s.add
    add("overline", fontName=FONT_BOLD, fontSize=10.5, leading=14, textColor=MUTED, spaceAfter=8)
    add("title", fontName=FONT_BOLD, fontSize=26, leading=31, spaceAfter=8)
    add("subtitle", fontName=FONT, fontSize=16, leading=21, spaceAfter=4)
    add("org", fontName=FONT_BOLD, fontSize=12, leading=15, spaceAfter=2)
    add("h1", fontName=FONT_BOLD, fontSize=17, leading=22, spaceBefore=4, spaceAfter=8,
        keepWithNext=1)
    add("h2", fontName=FONT_BOLD, fontSize=13, leading=17, spaceBefore=8, spaceAfter=4,
        keepWithNext=1)
    add("h3", fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=2,
        textColor=MUTED, keepWithNext=1)
    add("intro", fontName=FONT_ITALIC, textColor=MUTED)
    add("section_summary", leftIndent=8, borderPadding=(0, 0, 0, 6))
    add("question", fontName=FONT_BOLD, fontSize=11.5, leading=15.5, spaceBefore=4, spaceAfter=1)
    add("qid", fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=4)
    add("judgement", borderPadding=(4, 5, 4, 5), leftIndent=5, rightIndent=5,
        spaceBefore=4, spaceAfter=9)
    add("overall", fontSize=12.5, leading=17, borderPadding=(6, 7, 6, 7), leftIndent=7,
        rightIndent=7, spaceBefore=4, spaceAfter=12)
    add("empty", fontName=FONT_ITALIC, textColor=MUTED)
    add("item", leftIndent=14, spaceAfter=2)
    add("item_title", leftIndent=14, firstLineIndent=-14, spaceBefore=3, spaceAfter=1)
    add("item_meta", leftIndent=14, fontSize=9, leading=12, textColor=MUTED, spaceAfter=2)
    add("count_head", parent="cell_head_num", fontSize=6.5, leading=8.5, splitLongWords=0)
    add("cell_note", fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=0)
    add("hash", fontSize=7.5, leading=9.5, textColor=MUTED, spaceAfter=0)
    add("label", fontName=FONT_BOLD, fontSize=9.5, leading=13, spaceAfter=0, textColor=MUTED)
    add("value", fontSize=10.5, leading=14, spaceAfter=0)
    add("fingerprint", fontSize=9, leading=12)
    return s


def _logo(path: Path | None) -> Image | None:
    """The organisation's logo, or None if it is missing or unusable (never an error)."""
    if not path:
        return None
    try:
        path = Path(path)
        if not path.is_file() or path.stat().st_size > LOGO_MAX_BYTES:
            return None
        raw = path.read_bytes()
    except (OSError, ValueError):  # a bad logo must not break the export
        return None
    if not (raw.startswith(b"\x89PNG\r\n\x1a\n") or raw.startswith(b"\xff\xd8\xff")):
        return None
    return fitted_image(raw, LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT)


class Tick(ZeroSize):
    """Zero-size marker that reports progress when the layout reaches it."""

    def __init__(self, report: Callable[[], None]) -> None:
        super().__init__()
        self.report = report

    def draw(self) -> None:
        self.report()


def footer_line(partnership: str, period: str, room: float) -> str:
    """"Partnership, period" for the footer in ``room`` points: whole where it fits;
    else the partnership alone; only a name longer than the room is cut."""
    name = one_line(partnership)
    whole = f"{name}, {one_line(period)}"
    from reportlab.pdfbase import pdfmetrics

    if pdfmetrics.stringWidth(whole, FONT, 8) <= room:
        return whole
    return truncate(name, FONT, 8, room)


class _Builder:
    def __init__(self, data: ReportData, progress: Progress | None, *, response_only: bool = False):
        self.data = data
        self.s = _styles()
        self.progress = progress
        self.ticks_total = 0
        self.ticks_done = 0
        self.draft = data.signoff is None
        self.response_only = response_only
        info = data.info
        self.furniture = PageFurniture(
            PAGE, data.options.protective_marking,
            header_left="DRAFT" if self.draft else "", header_left_bold=True,
            footer_left=lambda room: footer_line(info.partnership, info.period, room),
            page_label="Response page" if response_only else "Page")
        self.body = ReportBody(data, self.s, self.tick, self.marker)
        # The section and question the layout is in, for the next page's running head.
        self.section, self.question = "", ""

    # progress and context -----------------------------------------------------------
    def tick(self) -> Tick:
        self.ticks_total += 1
        return Tick(self._advance)

    def _advance(self) -> None:
        self.ticks_done += 1
        if self.progress is not None:
            self.progress(self.ticks_done, self.ticks_total + 1)

    def marker(self, section: str, question: str) -> Marker:
        def report() -> None:
            self.section, self.question = section, question
        return Marker(report)

    # page furniture -----------------------------------------------------------------
    def on_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        """Drawn before each page's content: the watermark and the header, with the
        section (and question) the page continues."""
        if self.draft:
            draw_watermark(canv, PAGE)
        head = ""
        if self.section:
            head = self.section + (f" · {self.question} (continued)" if self.question else "")
        self.furniture.draw_header(canv, clean_text(head))

    def decorate(self, canv: Canvas, number: int, total: int) -> None:
        """Drawn on each page once the page count is known: the footer."""
        self.furniture.draw_footer(canv, number, total)

    # the document ---------------------------------------------------------------------
    def story(self) -> list[Flowable]:
        """The whole report, each heading kept with the start of what follows it."""
        return merge_markers(keep_headings(self._story()))

    def _story(self) -> list[Flowable]:
        body = self.body
        if self.response_only:
            return [*body.response_section(), *body.review_block(), self.tick()]
        story: list[Flowable] = []
        story += self.cover()
        story.append(self.tick())
        story.append(PageBreak())
        story += body.summary()
        story += body.judgements_table()
        story.append(self.tick())
        story.append(PageBreak())
        story += body.recommendations_table()
        if clean_text(self.data.summary.scope_and_method).strip():
            story.append(Spacer(1, 12))
            story += body.scope_and_method()
        story.append(self.tick())
        story.append(PageBreak())
        for section in self.data.sections:
            story += body.section(section)
        story.append(self.marker("", ""))
        # The report as the scrutineer signs it ends here; the partnership's response
        # follows it (in a countersigned PDF, as pages the chair's signature adds).
        story.append(PageBreak())
        story += body.signoff_block()
        story.append(Spacer(1, 16))
        story += body.about()
        story.append(self.tick())
        if self.data.review is not None:
            story.append(PageBreak())
            story += body.response_section()
            story += body.review_block()
        return story

    def cover(self) -> list[Flowable]:
        d, s = self.data, self.s
        info = d.info
        out: list[Flowable] = []
        logo = _logo(d.options.organisation_logo)
        org = clean_text(d.options.organisation_name).strip()
        if logo is not None:
            out += [logo, Spacer(1, 6)]
        if org:
            out.append(para(org, s["org"]))
        out.append(Spacer(1, 1.8 * cm if (logo or org) else 3.2 * cm))
        out.append(para(REPORT_KIND.upper(), s["overline"]))
        out.append(para(info.partnership, s["title"]))
        out.append(para(info.period, s["subtitle"]))
        out.append(Spacer(1, 0.9 * cm))
        scrutineer = ", ".join(x for x in (clean_text(info.scrutineer_name),
                                           clean_text(info.scrutineer_role)) if x.strip())
        status = info.status_label
        date = d.options.generated_at
        if d.signoff is not None:
            status += f" by {signer_line(d.signoff)}"
            date = d.signoff.signed_at
        rows = [("Independent scrutineer", scrutineer), ("Status", status),
                ("Date", date_text(date))]
        if d.overall_label:
            rows.insert(2, ("Overall judgement", d.overall_label))
        if info.area:
            rows.insert(0, ("Area", info.area))
        if info.previous_period:
            rows.append(("Follows on from", info.previous_period))
        rows.append(("Checklist", d.template.title or info.template_title))
        cells = [[para(k, s["label"]), para(v, s["value"])] for k, v in rows]
        out.append(table(cells, [4.4 * cm, CONTENT_WIDTH - 4.4 * cm], header=False,
                          extra_style=[("TOPPADDING", (0, 0), (-1, -1), 5),
                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
        sources = d.template.source_statement()
        out.append(Spacer(1, 0.6 * cm))
        if sources:
            out.append(para(f"The checklist is based on: {sources}.", s["small"]))
        out.append(para(f"Generated {when_text(d.options.generated_at)}; the assessment was last "
                        f"changed {date_text(info.modified_at)}.", s["small"]))
        if self.draft:
            out.append(Spacer(1, 0.3 * cm))
            out.append(para(DRAFT_LINE, s["h2"]))
        return out


def _stamp(data: ReportData) -> str:
    info = data.info
    state = Status.DRAFT if data.signoff is None else info.status
    review = data.review
    cs = review.countersignature if review is not None else None
    return Stamp(data.fingerprint, state, dict(data.parts),
                 review.countersign_fingerprint if review is not None and cs is not None else "",
                 signer=hex_of(data.signoff.certificate_sha256) if data.signoff else "",
                 countersigner=hex_of(cs.certificate_sha256) if cs is not None else "").encode()


def _metadata(data: ReportData) -> PdfInfo:
    info = data.info
    return PdfInfo(
        title=one_line(f"{info.partnership}: independent scrutiny report, {info.period}"),
        author=one_line(info.scrutineer_name),
        subject=one_line(f"Independent scrutiny of the safeguarding children partnership "
                         f"arrangements: {info.partnership}, {info.period}"),
        keywords="independent scrutiny; safeguarding children partnership; "
                 + one_line(info.partnership),
        extra=((INFO_KEY, _stamp(data)),),
    )


def metadata_info(data: ReportData) -> dict[str, str]:
    """The document information that changes with the status (the verification stamp,
    see :mod:`.stamp`), for a later signature to bring up to date."""
    return {INFO_KEY: _stamp(data)}


def build_pdf_bytes(data: ReportData, *, response_only: bool = False) -> bytes:
    """The PDF of ``data`` as bytes (for signing).  ``response_only``: only the
    partnership's response and the countersignature, numbered "Response page X of Y",
    for the chair's signature to add after the scrutineer's signed report."""
    builder = _Builder(data, None, response_only=response_only)
    out = io.BytesIO()
    write_pdf(out, builder.story(), page=PAGE, info=_metadata(data), on_page=builder.on_page,
              decorate=builder.decorate, outline=not response_only)
    return out.getvalue()


def build_pdf(data: ReportData, out: Path, *, progress: Progress | None = None) -> Path:
    """Write the PDF report of ``data`` to ``out`` and return ``out``.

    The PDF is written through :func:`scrutiny_desktop.atomic.atomic_write`: under
    a temporary name in the same folder, moved into place only when complete; on
    any error (including one raised by ``progress``, which a caller may use to
    cancel) the temporary file is removed and ``out`` is left as it was, and a
    failure to write is one sentence naming the file and its folder.
    """
    out = Path(out)
    builder = _Builder(data, progress)
    story = builder.story()
    total = builder.ticks_total + 1
    if progress is not None:
        progress(0, total)
    write_pdf(out, story, page=PAGE, info=_metadata(data), on_page=builder.on_page,
              decorate=builder.decorate, outline=True)
    if progress is not None:
        progress(total, total)
    return out
