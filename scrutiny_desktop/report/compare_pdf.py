"""The comparison of two assessments as a PDF (reportlab platypus, A4 landscape).

``build_compare_pdf(comparison, out)`` turns a
:class:`~scrutiny_desktop.services.compare.Comparison` (plain data) into a PDF:
the two assessments' details, counts per section, every question with its
earlier and later judgement and the change, then the findings of each
question side by side.  It never touches storage or Qt, so it can run on a
worker thread.

It shares the PDF summary's fonts and text safety (``report.pdf``): every
string from a person or a template goes through ``para``/``paragraphs``, which
escape ``& < >`` so markup in user text prints as typed and never becomes a
tag; importing ``report.pdf`` also empties reportlab's trusted hosts and
schemes.  The file is written under a temporary name beside ``out`` and moved
into place when complete.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Spacer,
    Table,
)

from scrutiny_desktop import __version__
from scrutiny_desktop.atomic import atomic_write
from scrutiny_desktop.report.pdf import (
    FONT,
    FONT_BOLD,
    FONT_ITALIC,
    clean_text,
    para,
    paragraphs,
    register_fonts,
    table,
    uk_datetime,
)
from scrutiny_desktop.services.assessments import AssessmentInfo
from scrutiny_desktop.services.compare import CHANGES, Comparison

Progress = Callable[[int, int], None]

TITLE = "Comparison of two assessments"
DEFAULT_MARKING = "OFFICIAL-SENSITIVE"

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 1.8 * cm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b0b0b0")
SHADE = colors.HexColor("#e8ecf0")
HEADER_SHADE = colors.HexColor("#d5dde6")
#: Pale row tints by change; the change is always written out as well.
TINTS = {
    "improved": colors.HexColor("#e3f4e6"),
    "worse": colors.HexColor("#fbe4e6"),
    "changed": colors.HexColor("#fdf0d9"),
    "new": colors.HexColor("#e2ecfb"),
    "removed": colors.HexColor("#ececec"),
}


def _one_line(text: object) -> str:
    return " ".join(clean_text(text).split())


def _truncate(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK,
                          splitLongWords=1, spaceAfter=4)
    s = {"body": base}

    def add(name, **kw):
        s[name] = ParagraphStyle(name, parent=s.get(kw.pop("parent", "body")), **kw)

    add("title", fontName=FONT_BOLD, fontSize=20, leading=25, spaceAfter=4)
    add("subtitle", fontSize=13, leading=17, spaceAfter=10)
    add("h1", fontName=FONT_BOLD, fontSize=14, leading=18, spaceBefore=10, spaceAfter=6,
        keepWithNext=1)
    add("h2", fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=3,
        keepWithNext=1)
    add("note", backColor=SHADE, borderPadding=(4, 5, 4, 5), leftIndent=5, rightIndent=5,
        spaceBefore=6, spaceAfter=10)
    add("small", fontSize=8.5, leading=11, textColor=MUTED)
    add("small_keep", parent="small", keepWithNext=1)
    add("wording", fontName=FONT_ITALIC, fontSize=8.5, leading=11, textColor=MUTED)
    # A findings heading does not keep with its (possibly page-long) table: a
    # CondPageBreak before it stops it being stranded at the foot of a page.
    add("finding_head", fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=8,
        spaceAfter=3)
    add("empty", fontName=FONT_ITALIC, textColor=MUTED, fontSize=8.5, leading=11, spaceAfter=0)
    add("cell", fontSize=8.5, leading=11, spaceAfter=0)
    add("cell_body", fontSize=8.5, leading=11.5, spaceAfter=3)
    add("cell_head", fontName=FONT_BOLD, fontSize=8, leading=10, spaceAfter=0)
    add("cell_num", fontSize=8.5, leading=11, spaceAfter=0, alignment=TA_CENTER)
    add("cell_head_num", fontName=FONT_BOLD, fontSize=8, leading=10, spaceAfter=0,
        alignment=TA_CENTER)
    add("label", fontName=FONT_BOLD, fontSize=8.5, leading=11, spaceAfter=0, textColor=MUTED)
    return s


def _table(rows, widths, *, header=True, extra_style=(), split_in_row=True) -> Table:
    # splitInRow: a row with very long findings continues on the next page.
    return table(rows, widths, header=header, extra_style=extra_style, split_in_row=split_in_row)


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so that each can say "Page X of Y"."""

    def __init__(self, *args, decorate: Callable[[Canvas, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._held: list[dict] = []

    def showPage(self):  # noqa: N802 - reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._decorate(self, number, total)
            super().showPage()
        super().save()


def _judgement(label: str, present: bool) -> str:
    if not present:
        return "—"
    return label or "Not answered"


class _Builder:
    def __init__(self, comparison: Comparison, marking: str, progress: Progress | None):
        self.c = comparison
        self.s = _styles()
        self.marking = _one_line(marking)
        self.progress = progress
        e, l = comparison.earlier, comparison.later
        self.footer_left = _one_line(f"{e.partnership}: {e.period} and {l.period}")

    # -- page furniture ---------------------------------------------------------------
    def on_page(self, canv: Canvas, doc) -> None:
        canv.saveState()
        y = PAGE_HEIGHT - 1.15 * cm
        if self.marking:
            canv.setFont(FONT_BOLD, 10)
            canv.setFillColor(INK)
            canv.drawCentredString(PAGE_WIDTH / 2, y, self.marking)
        canv.setFont(FONT, 8)
        canv.setFillColor(MUTED)
        canv.drawString(MARGIN, y, TITLE)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, PAGE_HEIGHT - 1.4 * cm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 1.4 * cm)
        canv.restoreState()

    def decorate(self, canv: Canvas, number: int, total: int) -> None:
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, 1.45 * cm, PAGE_WIDTH - MARGIN, 1.45 * cm)
        y = 0.95 * cm
        if self.marking:
            canv.setFont(FONT_BOLD, 10)
            canv.setFillColor(INK)
            canv.drawCentredString(PAGE_WIDTH / 2, y, self.marking)
        canv.setFont(FONT, 8)
        canv.setFillColor(MUTED)
        canv.drawRightString(PAGE_WIDTH - MARGIN, y, f"Page {number} of {total}")
        marking_w = pdfmetrics.stringWidth(self.marking, FONT_BOLD, 10) if self.marking else 0
        room = (PAGE_WIDTH - marking_w) / 2 - MARGIN - 12
        if room > 30:
            canv.drawString(MARGIN, y, _truncate(self.footer_left, FONT, 8, room))
        canv.restoreState()

    # -- content -------------------------------------------------------------------------
    def story(self) -> list[Flowable]:
        c, s = self.c, self.s
        e, l = c.earlier, c.later
        out: list[Flowable] = [
            para(TITLE, s["title"]),
            para(f"{e.partnership}: {e.period} compared with {l.period}", s["subtitle"]),
        ]
        out += self.details()
        notes = []
        if c.templates_differ:
            notes.append(f"The two assessments use different checklist versions "
                         f"({_one_line(e.template_title)} {_one_line(e.template_version)} and "
                         f"{_one_line(l.template_title)} {_one_line(l.template_version)}). "
                         "Questions are matched by their ID; questions whose wording changed are "
                         "marked “Wording changed”.")
        if _one_line(e.partnership).casefold() != _one_line(l.partnership).casefold():
            notes.append("The two assessments are for different partnerships.")
        if notes:
            out.append(Spacer(1, 6))
            out.append(para(" ".join(notes), s["note"]))
        totals = c.totals()
        out.append(Spacer(1, 6))
        out.append(para("In all: " + "; ".join(f"{n} {CHANGES[k].lower()}" for k, n in totals.items())
                        + ".", s["body"]))
        out += self.summary()
        out += self.question_table()
        out += self.findings()
        return out

    def details(self) -> list[Flowable]:
        s = self.s
        e, l = self.c.earlier, self.c.later

        def rows(info: AssessmentInfo) -> list[str]:
            return [info.partnership, info.area or "Not given", info.period,
                    ", ".join(x for x in (info.scrutineer_name, info.scrutineer_role) if x),
                    info.status_label, f"{info.template_title}, version {info.template_version}",
                    info.path.name, f"{uk_datetime(info.modified_at)}"]

        labels = ["Partnership", "Area", "Period", "Scrutineer", "Status", "Checklist", "File",
                  "Last changed"]
        label_w = 3.2 * cm
        col = (CONTENT_WIDTH - label_w) / 2
        table_rows = [[para("", s["cell_head"]), para("Earlier assessment", s["cell_head"]),
                       para("Later assessment", s["cell_head"])]]
        for label, a, b in zip(labels, rows(e), rows(l), strict=True):
            table_rows.append([para(label, s["label"]), para(a, s["cell"]), para(b, s["cell"])])
        return [_table(table_rows, [label_w, col, col])]

    def summary(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [para("Changes by section", s["h1"])]
        n = len(CHANGES)
        num_w = 2.4 * cm
        widths = [CONTENT_WIDTH - n * num_w] + [num_w] * n
        rows = [[para("Section", s["cell_head"])]
                + [para(label, s["cell_head_num"]) for label in CHANGES.values()]]
        for section in self.c.sections:
            rows.append([para(section.title, s["cell"])]
                        + [para(str(section.counts.get(k, 0) or "–"), s["cell_num"]) for k in CHANGES])
        totals = self.c.totals()
        rows.append([para("All sections", s["cell_head"])]
                    + [para(str(totals[k]), s["cell_head_num"]) for k in CHANGES])
        out.append(_table(rows, widths, extra_style=[
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, MUTED),
            ("BACKGROUND", (0, -1), (-1, -1), SHADE),
        ]))
        return out

    def question_table(self) -> list[Flowable]:
        s = self.s
        e, l = self.c.earlier, self.c.later
        out: list[Flowable] = [para("Question by question", s["h1"]),
                               para("Questions are matched by their ID. The change is written "
                                    "out in the Change column; row shading only repeats it.",
                                    s["small_keep"])]
        widths = [2.0 * cm, 0, 3.6 * cm, 3.6 * cm, 2.8 * cm, 2.4 * cm]
        widths[1] = CONTENT_WIDTH - sum(widths)
        rows = [[para(h, s["cell_head"]) for h in
                 ("ID", "Question", f"Earlier ({_one_line(e.period)})",
                  f"Later ({_one_line(l.period)})", "Change", "Wording changed")]]
        extra = []
        section = None
        for q in self.c.questions:
            if q.section_title != section:
                section = q.section_title
                rows.append([para(section, s["cell_head"]), "", "", "", "", ""])
                r = len(rows) - 1
                # A section's heading row never ends a page on its own.
                extra += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), SHADE),
                          ("NOSPLIT", (0, r), (-1, r + 1))]
            rows.append([
                para(q.question_id, s["cell"]),
                para(q.text, s["cell"]),
                para(_judgement(q.earlier_label, q.change != "new"), s["cell"]),
                para(_judgement(q.later_label, q.change != "removed"), s["cell"]),
                para(q.change_label, s["cell"]),
                para("Yes" if q.wording_changed else "", s["cell"]),
            ])
            tint = TINTS.get(q.change)
            if tint is not None:
                r = len(rows) - 1
                extra.append(("BACKGROUND", (0, r), (-1, r), tint))
        # Rows here are a few lines at most: whole rows only, so that NOSPLIT holds.
        out.append(_table(rows, widths, extra_style=extra, split_in_row=False))
        return out

    def findings(self) -> list[Flowable]:
        s = self.s
        e, l = self.c.earlier, self.c.later
        with_findings = [q for q in self.c.questions
                         if clean_text(q.earlier_findings).strip() or clean_text(q.later_findings).strip()]
        out: list[Flowable] = [para("Findings side by side", s["h1"])]
        if not with_findings:
            out.append(para("Neither assessment records findings for any question.", s["body"]))
            return out
        out.append(para(f"The {len(with_findings)} question{'s' if len(with_findings) != 1 else ''} "
                        "with findings in either assessment.", s["small"]))
        half = CONTENT_WIDTH / 2
        for i, q in enumerate(with_findings, start=1):
            out.append(CondPageBreak(4 * cm))
            out.append(para(f"{q.question_id} – {q.text}", s["finding_head"]))
            out.append(para(f"{q.section_title} · {q.change_label}"
                            + (" · Wording changed" if q.wording_changed else ""), s["small"]))
            if q.wording_changed:
                out.append(para(f"Earlier wording: {q.earlier_text}", s["wording"]))
            left = (paragraphs(q.earlier_findings, s["cell_body"])
                    or [para("This question was not in the earlier checklist." if q.change == "new"
                             else "No findings recorded.", s["empty"])])
            right = (paragraphs(q.later_findings, s["cell_body"])
                     or [para("This question is not in the later checklist." if q.change == "removed"
                              else "No findings recorded.", s["empty"])])
            rows = [[para(f"Earlier ({e.period}): {_judgement(q.earlier_label, q.change != 'new')}",
                          s["cell_head"]),
                     para(f"Later ({l.period}): {_judgement(q.later_label, q.change != 'removed')}",
                          s["cell_head"])],
                    [left, right]]
            out.append(_table(rows, [half, half], extra_style=[
                ("LINEAFTER", (0, 0), (0, -1), 0.4, RULE)]))
            out.append(Spacer(1, 4))
            if self.progress is not None:
                self.progress(i, len(with_findings))
        return out


def _metadata(c: Comparison) -> dict[str, str]:
    e, l = c.earlier, c.later
    return {
        "title": _one_line(f"{TITLE}: {e.partnership}, {e.period} and {l.period}"),
        "author": _one_line(", ".join(dict.fromkeys(x for x in (e.scrutineer_name, l.scrutineer_name)
                                                     if x))),
        "subject": "Comparison of two independent scrutiny assessments",
        "creator": f"Scrutiny Desktop {__version__}",
    }


def build_compare_pdf(comparison: Comparison, out: Path | str,
                      protective_marking: str = DEFAULT_MARKING, *,
                      progress: Progress | None = None) -> Path:
    """Write the comparison to ``out`` (A4 landscape) and return ``out``.

    Written through :func:`scrutiny_desktop.atomic.atomic_write`: built under a
    temporary name in the same folder and moved into place only when complete; on
    any error the temporary file is removed, ``out`` is left as it was, and a
    failure to write is one sentence naming the file and its folder.
    """
    out = Path(out)
    register_fonts()
    builder = _Builder(comparison, protective_marking, progress)
    story = builder.story()
    meta = _metadata(comparison)
    with atomic_write(out) as fh:
        doc = BaseDocTemplate(
            fh, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), leftMargin=MARGIN, rightMargin=MARGIN,
            topMargin=MARGIN, bottomMargin=MARGIN, title=meta["title"], author=meta["author"],
            subject=meta["subject"], creator=meta["creator"], lang="en-GB",
            displayDocTitle=True, initialFontName=FONT, initialFontSize=9.5)
        frame = Frame(MARGIN, MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=builder.on_page)])
        doc.build(story, canvasmaker=lambda *a, **kw: _NumberedCanvas(
            *a, decorate=builder.decorate, **kw))
    return out

