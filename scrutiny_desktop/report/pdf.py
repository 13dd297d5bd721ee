"""The PDF summary of an assessment (reportlab platypus, A4).

``build_pdf(data, out)`` turns a :class:`~scrutiny_desktop.report.data.ReportData`
snapshot into a PDF.  It never touches storage or Qt, so it can run on a
worker thread; ``progress(done, total)`` is called as the pages are laid out.
The file is written beside ``out`` under a temporary name and moved into place
at the end, so a failed export never leaves half a PDF behind.

Layout: cover; summary (table and chart); recommendations table; one page
run per section (each with a PDF bookmark); sign-off and fingerprint (the end of
the report the scrutineer signs); then, when there is one, the partnership's
response and the countersignature.  Every page carries the protective
marking in its header and footer and "Page X of Y"; an unsigned document has
a DRAFT watermark on every page.

This module keeps the document's order, its page furniture, the cover and the
summary; :mod:`~scrutiny_desktop.report.pdf_sections` lays out the rest.  The
machinery it shares with the comparison PDF (fonts and glyph fallback, safe
text, palette, header and footer, "Page X of Y", the watermark) is in
:mod:`~scrutiny_desktop.report.pdfkit`: every piece of user text goes through
its :func:`~scrutiny_desktop.report.pdfkit.para`, which escapes it, so markup
in user text prints as typed and never becomes a tag.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Image, PageBreak, Spacer

from scrutiny_desktop.report.data import ReportData
from scrutiny_desktop.report.pdf_sections import DRAFT_LINE, ReportBody, fitted_image, signer_line
from scrutiny_desktop.report.pdfkit import (
    A4_PORTRAIT,
    FONT,
    FONT_BOLD,
    FONT_ITALIC,
    MUTED,
    SHADE,
    PageFurniture,
    PdfInfo,
    Progress,
    Styles,
    clean_text,
    draw_watermark,
    markup,
    one_line,
    para,
    shared_styles,
    table,
    truncate,
    write_pdf,
)
from scrutiny_desktop.report.stamp import Stamp, hex_of
from scrutiny_desktop.storage.models import Status
from scrutiny_desktop.text import date_text, when_text

# markup and para (pdfkit's) are what the rest of the app knows as this module's
# text safety; they stay importable from here.
__all__ = ["build_pdf", "build_pdf_bytes", "markup", "metadata_info", "para"]

DEFAULT_TITLE = "Independent scrutiny assessment"

PAGE = A4_PORTRAIT
CONTENT_WIDTH = PAGE.content_width

LOGO_MAX_HEIGHT = 4 * cm
LOGO_MAX_WIDTH = 8 * cm
LOGO_MAX_BYTES = 20 * 1024 * 1024


def _styles() -> Styles:
    s = shared_styles()
    add = s.add
    add("overline", fontName=FONT_BOLD, fontSize=10, leading=14, textColor=MUTED, spaceAfter=6)
    add("title", fontName=FONT_BOLD, fontSize=22, leading=27, spaceAfter=10)
    add("subtitle", fontName=FONT, fontSize=15, leading=19, spaceAfter=4)
    add("org", fontName=FONT_BOLD, fontSize=12, leading=15, spaceAfter=2)
    add("h1", fontName=FONT_BOLD, fontSize=16, leading=20, spaceBefore=2, spaceAfter=8,
        keepWithNext=1)
    add("h2", fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=6, spaceAfter=4,
        keepWithNext=1)
    add("h3", fontName=FONT_BOLD, fontSize=9.5, leading=13, spaceBefore=5, spaceAfter=2,
        textColor=MUTED, keepWithNext=1)
    add("intro", fontName=FONT_ITALIC, textColor=MUTED)
    add("question", fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=4, spaceAfter=1,
        keepWithNext=1)
    add("qid", fontSize=8, leading=10, textColor=MUTED, spaceAfter=4, keepWithNext=1)
    add("judgement", backColor=SHADE, borderPadding=(3, 4, 3, 4), leftIndent=4, rightIndent=4,
        spaceBefore=5, spaceAfter=8, keepWithNext=1)
    add("empty", fontName=FONT_ITALIC, textColor=MUTED)
    add("item", leftIndent=12, spaceAfter=1)
    add("item_title", leftIndent=12, spaceBefore=3, spaceAfter=1, keepWithNext=1)
    add("item_meta", leftIndent=12, fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=1)
    add("hash", leftIndent=12, fontSize=7.5, leading=9.5, textColor=MUTED, spaceAfter=1)
    add("label", fontName=FONT_BOLD, fontSize=9, leading=12, spaceAfter=0, textColor=MUTED)
    add("value", fontSize=10, leading=13, spaceAfter=0)
    add("fingerprint", fontSize=8.5, leading=11)
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


# Chart fills: the "cividis" ramp (navy to yellow), whose lightness rises
# steadily, so neighbouring judgements stay apart when printed in greyscale
# and for colour-blind readers.  "No judgement" is white with an outline.
_RAMP = [(0x00, 0x20, 0x4d), (0x41, 0x4d, 0x6b), (0x7c, 0x7b, 0x78), (0xbc, 0xaf, 0x6f),
         (0xff, 0xea, 0x46)]


def _chart_colours(n: int) -> list[colors.Color]:
    out = []
    for i in range(n):
        pos = i / max(n - 1, 1) * (len(_RAMP) - 1)
        lo = min(int(pos), len(_RAMP) - 2)
        f = pos - lo
        rgb = [(a + (b - a) * f) / 255 for a, b in zip(_RAMP[lo], _RAMP[lo + 1], strict=True)]
        out.append(colors.Color(*rgb))
    return out


def _wrap_label(text: str, font: str, size: float, width: float, lines: int = 2) -> str:
    """Break a chart label into at most ``lines`` lines that fit ``width``."""
    words = text.split()
    out: list[str] = []
    while words and len(out) < lines:
        line = words.pop(0)
        while words and pdfmetrics.stringWidth(f"{line} {words[0]}", font, size) <= width:
            line += " " + words.pop(0)
        out.append(line)
    if words:
        out[-1] = out[-1] + " " + " ".join(words)
    out[-1] = truncate(out[-1], font, size, width)
    return "\n".join(truncate(x, font, size, width) for x in out)


# -- the document ------------------------------------------------------------


class Tick(Flowable):
    """Zero-size marker that reports progress when the layout reaches it."""

    def __init__(self, report: Callable[[], None]) -> None:
        super().__init__()
        self.report = report
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.report()


def _footer_line(partnership: str, period: str, room: float) -> str:
    """"Partnership, period" for the footer in ``room`` points: the partnership's
    name is shortened first, so the period stays whole where it can."""
    period = f", {one_line(period)}"
    period_w = pdfmetrics.stringWidth(period, FONT, 8)
    if room - period_w > 40:
        return truncate(one_line(partnership), FONT, 8, room - period_w) + period
    return truncate(one_line(partnership) + period, FONT, 8, room)


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
            footer_left=lambda room: _footer_line(info.partnership, info.period, room),
            page_label="Response page" if response_only else "Page")
        self.options = [(v, clean_text(label)) for v, label in data.template.judgement_options()]
        self.body = ReportBody(data, self.s, self.tick)

    # progress ---------------------------------------------------------------
    def tick(self) -> Tick:
        self.ticks_total += 1
        return Tick(self._advance)

    def _advance(self) -> None:
        self.ticks_done += 1
        if self.progress is not None:
            self.progress(self.ticks_done, self.ticks_total + 1)

    # page furniture -----------------------------------------------------------
    def on_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        """Drawn before each page's content: the watermark and the header."""
        if self.draft:
            draw_watermark(canv, PAGE)
        self.furniture.draw_header(canv)

    def decorate(self, canv: Canvas, number: int, total: int) -> None:
        """Drawn on each page once the page count is known: the footer."""
        self.furniture.draw_footer(canv, number, total)

    # sections of the document ------------------------------------------------
    def story(self) -> list[Flowable]:
        body = self.body
        if self.response_only:
            return [*body.response_section(), *body.review_block(), self.tick()]
        story: list[Flowable] = []
        story += self.cover()
        story.append(self.tick())
        story.append(PageBreak())
        story += self.summary()
        story.append(self.tick())
        story.append(PageBreak())
        story += body.recommendations_table()
        story.append(self.tick())
        for section in self.data.sections:
            story.append(PageBreak())
            story += body.section(section)
        # The report as the scrutineer signs it ends here; the partnership's response
        # follows it (in a countersigned PDF, as pages the chair's signature adds).
        story.append(PageBreak())
        story += body.signoff_block()
        story += body.fingerprint_block()
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
        out.append(Spacer(1, 1.6 * cm if (logo or org) else 3 * cm))
        out.append(para(DEFAULT_TITLE.upper(), s["overline"]))
        title = d.template.title or info.template_title or DEFAULT_TITLE
        out.append(para(title, s["title"]))
        out.append(para(info.partnership, s["subtitle"]))
        out.append(para(info.period, s["subtitle"]))
        out.append(Spacer(1, 0.8 * cm))

        scrutineer = ", ".join(x for x in (clean_text(info.scrutineer_name),
                                           clean_text(info.scrutineer_role)) if x.strip())
        status = info.status_label
        if d.signoff is not None:
            status += f" by {signer_line(d.signoff)} on {date_text(d.signoff.signed_at)}"
        rows = [
            ("Partnership", info.partnership),
            ("Area", info.area or "Not given"),
            ("Period covered", info.period),
            ("Scrutineer", scrutineer),
            ("Status", status),
        ]
        if info.previous_period:
            rows.append(("Follows on from", info.previous_period))
        rows += [
            ("Created", date_text(info.created_at)),
            ("Last modified", date_text(info.modified_at)),
            ("Generated", when_text(d.options.generated_at)),
            ("Checklist", f"{d.template.id}, version {d.template.version}"),
        ]
        cells = [[para(k, s["label"]), para(v, s["value"])] for k, v in rows]
        out.append(table(cells, [4 * cm, CONTENT_WIDTH - 4 * cm], header=False,
                          extra_style=[("TOPPADDING", (0, 0), (-1, -1), 4),
                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        sources = d.template.source_statement()
        out.append(Spacer(1, 0.6 * cm))
        if sources:
            out.append(para(f"This checklist is based on: {sources}.", s["small"]))
        if self.draft:
            out.append(Spacer(1, 0.3 * cm))
            out.append(para(DRAFT_LINE, s["h2"]))
        return out

    def summary(self) -> list[Flowable]:
        d, s = self.data, self.s
        p = d.progress
        out: list[Flowable] = [para("Summary", s["h1"])]
        out.append(para(
            f"{p.answered} of {p.total} questions answered; "
            f"{p.required_answered} of {p.required} required questions answered.", s["body"]))
        out.append(Spacer(1, 4))

        labels = [label for _, label in self.options] + ["No judgement"]
        n_counts = len(labels)
        fixed = 1.45 * cm
        first = max(3.2 * cm, min(5.2 * cm, CONTENT_WIDTH - 2 * fixed - n_counts * 1.4 * cm))
        rest = (CONTENT_WIDTH - first - 2 * fixed) / n_counts
        widths = [first, fixed, fixed] + [rest] * n_counts
        # Header text as large as lets every word fit its column (7.5 to 6 pt).
        words = [w for label in [*labels, "Answered", "Required"] for w in label.split()]
        size = 7.5
        while size > 6 and any(pdfmetrics.stringWidth(w, FONT_BOLD, size) > min(rest, fixed) - 5
                               for w in words):
            size -= 0.25
        head_style = ParagraphStyle("summary_head", parent=s["cell_head_num"], fontSize=size,
                                    leading=size + 1.5)
        head = [para("Section", s["cell_head"]), para("Answered", head_style),
                para("Required answered", head_style)]
        head += [para(label, head_style) for label in labels]
        rows = [head]
        totals = [0] * n_counts
        for section, sp in zip(d.sections, p.sections, strict=False):
            counts = [sp.judgements.get(v, 0) for v, _ in self.options]
            counts.append(max(sp.total - sum(sp.judgements.values()), 0))
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
            rows.append([para(f"{section.number}. {section.title}", s["cell"]),
                         para(f"{sp.answered}/{sp.total}", s["cell_num"]),
                         para(f"{sp.required_answered}/{sp.required}", s["cell_num"])]
                        + [para(str(c) if c else "–", s["cell_num"]) for c in counts])
        rows.append([para("All sections", s["cell_head"]),
                     para(f"{p.answered}/{p.total}", s["cell_head_num"]),
                     para(f"{p.required_answered}/{p.required}", s["cell_head_num"])]
                    + [para(str(c), s["cell_head_num"]) for c in totals])
        out.append(table(rows, widths, extra_style=[
            ("LEFTPADDING", (1, 0), (-1, -1), 2),
            ("RIGHTPADDING", (1, 0), (-1, -1), 2),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, MUTED),
            ("BACKGROUND", (0, -1), (-1, -1), SHADE),
        ]))
        out.append(Spacer(1, 0.6 * cm))
        out.append(para("Judgements by section", s["h2"]))
        out.append(self.chart(labels))
        return out

    def chart(self, labels: list[str]) -> Drawing:
        d = self.data
        sections = d.sections
        series = []
        for v, _ in self.options:
            series.append([sp.judgements.get(v, 0) for sp in d.progress.sections])
        series.append([max(sp.total - sum(sp.judgements.values()), 0) for sp in d.progress.sections])
        n = max(len(sections), 1)
        bar_h = 24
        label_w = 6 * cm
        legend_cols = 3
        legend_rows = -(-len(labels) // legend_cols)
        legend_h = legend_rows * 14 + 6
        plot_h = n * bar_h
        height = plot_h + 28 + legend_h
        drawing = Drawing(CONTENT_WIDTH, height)

        chart = HorizontalBarChart()
        chart.x = label_w
        chart.y = legend_h + 22
        chart.width = CONTENT_WIDTH - label_w - 6
        chart.height = plot_h
        chart.data = series
        chart.categoryAxis.style = "stacked"
        chart.categoryAxis.categoryNames = [
            _wrap_label(one_line(f"{sec.number}. {sec.title}"), FONT, 8, label_w - 12)
            for sec in sections]
        chart.categoryAxis.labels.leading = 9.5
        chart.categoryAxis.labels.textAnchor = "end"
        chart.categoryAxis.reverseDirection = 1
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 8
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dx = -4
        chart.categoryAxis.strokeColor = MUTED
        chart.categoryAxis.tickLeft = 0
        chart.barSpacing = 0
        chart.groupSpacing = 6
        chart.valueAxis.valueMin = 0
        most = max((sp.total for sp in d.progress.sections), default=1) or 1
        step = 1 if most <= 10 else 2 if most <= 20 else 5 if most <= 50 else 10
        chart.valueAxis.valueMax = -(-most // step) * step
        chart.valueAxis.valueStep = step
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 7.5
        chart.valueAxis.labelTextFormat = "%d"
        chart.valueAxis.strokeColor = MUTED
        chart.valueAxis.visibleGrid = 1
        chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
        chart.valueAxis.gridStrokeWidth = 0.4
        fills = [*_chart_colours(len(labels) - 1), colors.white]
        chart.bars.strokeColor = colors.HexColor("#333333")
        chart.bars.strokeWidth = 0.4
        for i, fill in enumerate(fills):
            chart.bars[i].fillColor = fill
        drawing.add(chart)

        legend = Legend()
        legend.x = 0
        legend.y = legend_h
        legend.dx = 9
        legend.dy = 9
        legend.fontName = FONT
        legend.fontSize = 8
        legend.boxAnchor = "nw"
        legend.columnMaximum = legend_rows
        legend.deltax = 10
        legend.deltay = 14
        legend.dxTextSpace = 5
        legend.alignment = "right"
        legend.strokeColor = colors.HexColor("#333333")
        legend.strokeWidth = 0.4
        col_w = CONTENT_WIDTH / legend_cols
        legend.subCols.minWidth = col_w - 20
        legend.colorNamePairs = [
            (fill, truncate(label, FONT, 8, col_w - 24)) for fill, label in zip(fills, labels, strict=True)]
        drawing.add(legend)
        return drawing


def _metadata(data: ReportData) -> PdfInfo:
    info = data.info
    state = Status.DRAFT if data.signoff is None else info.status
    review = data.review
    countersigned = review is not None and review.countersignature is not None
    cs = review.countersignature if review is not None else None
    stamp = Stamp(data.fingerprint, state, dict(data.parts),
                  review.countersign_fingerprint if review is not None and countersigned else "",
                  signer=hex_of(data.signoff.certificate_sha256) if data.signoff else "",
                  countersigner=hex_of(cs.certificate_sha256) if cs is not None else "").encode()
    status = Status.DRAFT.label if data.signoff is None else info.status_label
    return PdfInfo(
        title=one_line(f"Independent scrutiny: {info.partnership}, {info.period}"),
        author=one_line(info.scrutineer_name),
        subject=f"Independent scrutiny assessment – {status}",
        keywords=stamp,
    )


def metadata_info(data: ReportData) -> dict[str, str]:
    """The document information that changes with the status (the Subject and the stamp
    line in the Keywords, see :mod:`.stamp`), for a later signature to bring up to date."""
    meta = _metadata(data)
    return {"Subject": meta.subject, "Keywords": meta.keywords}


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
    """Write the PDF summary of ``data`` to ``out`` and return ``out``.

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
