"""The report as an accessible Word document, for publication.

The same content as the PDF summary, in the same order, built with python-docx
from a :class:`~scrutiny_desktop.report.data.ReportData` (no database session
here): a title with the partnership's name, the summary, judgements by
section (a table, with a chart that repeats its numbers), the
recommendations, scope and method, the findings section by section, the
partnership's response and the sign-off.

What makes it accessible, and what the tests check:

* real structure: Word's Title and Heading 1-3 styles, never skipping a
  level; typed lists become real Word lists ("List Bullet", "List Number",
  each numbered list starting at the number typed);
* every table's first row repeats on each page (``w:tblHeader``) and every
  table has a caption; every image has alternative text, and no number is
  only in an image (the chart's numbers are in the table before it);
* the document's language is en-GB (the default run properties and the core
  properties), its title and author are set, and the protective marking is in
  the header of every page;
* dark text on white (#1a1a1a), table headers black on light grey.

User text is stripped of the characters XML 1.0 forbids; python-docx writes
the XML, so nothing is escaped by hand.  Signatures' machine details
(certificate fingerprints, hashes) and attachments' SHA-256 are left out: this
is a report for people, and ``verify`` works on the PDF.  The file is written
through :func:`scrutiny_desktop.atomic.atomic_write`: a failed export leaves
nothing behind.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from pathlib import Path

import docx as python_docx
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from scrutiny_desktop import __version__, paths
from scrutiny_desktop.atomic import atomic_write
from scrutiny_desktop.report.data import ReportData, ReportQuestion
from scrutiny_desktop.services.signatures import SignatureView
from scrutiny_desktop.text import Block, blocks, clean_text, date_text, one_line, when_text

__all__ = ["build_docx", "chart_png", "clean"]

LANGUAGE = "en-GB"
TEXT = RGBColor(0x1A, 0x1A, 0x1A)
FONT = "Arial"
HEADER_FILL = "D9D9D9"  # light grey; black text on it is 15:1
NO_JUDGEMENT = "No judgement"

# User text as Word may carry it: the reports' one cleaning (line ends as "\n", no
# characters XML forbids), and on one line.
clean = clean_text
_one_line = one_line


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _signer(s: SignatureView) -> str:
    return ", ".join(x for x in (_one_line(s.name), _one_line(s.role)) if x)


def status_line(data: ReportData) -> str:
    """Draft, or who signed off (and countersigned) and when."""
    if data.signoff is None:
        return "Draft"
    line = f"Signed off by {_signer(data.signoff)} on {date_text(data.signoff.signed_at)}"
    cs = data.review.countersignature if data.review else None
    if cs is not None:
        line += f"; countersigned by {_signer(cs)} on {date_text(cs.signed_at)}"
    return line


def judgement_columns(data: ReportData) -> list[tuple[str | None, str]]:
    """(value, label) for each column of the judgements table: the template's options,
    then "No judgement" (value None)."""
    return [*data.template.judgement_options(), (None, NO_JUDGEMENT)]


def judgement_counts(data: ReportData) -> list[tuple[str, list[int]]]:
    """("N. Title", one count per column of :func:`judgement_columns`) for each section."""
    options = data.template.judgement_options()
    rows = []
    for section, sp in zip(data.sections, data.progress.sections, strict=False):
        counts = [sp.judgements.get(v, 0) for v, _ in options]
        counts.append(max(sp.total - sum(sp.judgements.values()), 0))
        rows.append((f"{section.number}. {_one_line(section.title)}", counts))
    return rows


# -- the chart ---------------------------------------------------------------------------------

# The PDF's ramp (cividis, navy to yellow): its lightness rises steadily, so
# neighbouring judgements stay apart in greyscale; each fill also has its own
# pattern, and "No judgement" is white.  Every segment is outlined in black.
_RAMP = [(0x00, 0x20, 0x4D), (0x41, 0x4D, 0x6B), (0x7C, 0x7B, 0x78), (0xBC, 0xAF, 0x6F),
         (0xFF, 0xEA, 0x46)]
_PATTERNS = ("solid", "up", "dots", "down", "across", "cross")


def _fills(n: int) -> list[tuple[int, int, int]]:
    out = []
    for i in range(n):
        pos = i / max(n - 1, 1) * (len(_RAMP) - 1)
        lo = min(int(pos), len(_RAMP) - 2)
        f = pos - lo
        r, g, b = (round(a + (c - a) * f) for a, c in zip(_RAMP[lo], _RAMP[lo + 1], strict=True))
        out.append((r, g, b))
    return out


def _ink(fill: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever stands out more on ``fill``."""
    r, g, b = (c / 255 for c in fill)
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return (0, 0, 0) if lum > 0.4 else (255, 255, 255)


@functools.cache
def _font(size: int, bold: bool = False):  # -> ImageFont.FreeTypeFont
    from PIL import ImageFont

    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    try:
        return ImageFont.truetype(str(paths.fonts_dir() / name), size)
    except OSError:  # a missing font must not break the export
        return ImageFont.load_default(size)


def _patterned(size: tuple[int, int], fill: tuple[int, int, int], pattern: str):
    from PIL import Image, ImageDraw

    w, h = size
    tile = Image.new("RGB", (max(w, 1), max(h, 1)), fill)
    draw = ImageDraw.Draw(tile)
    ink = _ink(fill)
    step, width = 16, 3
    if pattern == "up":
        for k in range(-h, w + h, step):
            draw.line([(k, h), (k + h, 0)], fill=ink, width=width)
    elif pattern == "down":
        for k in range(-h, w + h, step):
            draw.line([(k, 0), (k + h, h)], fill=ink, width=width)
    elif pattern == "across":
        for y in range(step // 2, h, step):
            draw.line([(0, y), (w, y)], fill=ink, width=width)
    elif pattern == "cross":
        for k in range(-h, w + h, step + 6):
            draw.line([(k, h), (k + h, 0)], fill=ink, width=2)
            draw.line([(k, 0), (k + h, h)], fill=ink, width=2)
    elif pattern == "dots":
        for y in range(step // 2, h, step):
            for x in range(step // 2 + (y // step % 2) * step // 2, w, step):
                draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=ink)
    return tile


def _fit(text: str, font, width: int) -> str:
    """``text``, shortened with an ellipsis to fit ``width`` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def chart_png(labels: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]) -> bytes:
    """A horizontal stacked bar chart, one bar per row, as PNG bytes: each bar divided
    into its counts (one fill and pattern per label, the count written in each part
    wide enough to hold it), with a legend underneath."""
    from PIL import Image, ImageDraw

    width, left, right, top = 1800, 560, 40, 30
    bar_h, gap = 56, 22
    label_font, count_font, legend_font = _font(30), _font(28, bold=True), _font(30)
    n = len(labels)
    fills = [*_fills(max(n - 1, 1))[: n - 1], (255, 255, 255)]
    patterns = [*(_PATTERNS[i % len(_PATTERNS)] for i in range(n - 1)), "solid"]
    maximum = max([sum(c) for _, c in rows] + [1])
    plot_w = width - left - right
    unit = plot_w / maximum

    # Legend layout first (it sets the height).
    legend: list[list[tuple[int, str]]] = [[]]
    x = left
    for i, label in enumerate(labels):
        w = 60 + int(legend_font.getlength(label)) + 40
        if legend[-1] and x + w > width - right:
            legend.append([])
            x = left
        legend[-1].append((i, label))
        x += w
    axis_y = top + len(rows) * (bar_h + gap)
    height = axis_y + 60 + len(legend) * 56 + 20
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)

    # Grid and axis: whole numbers of questions.
    step = max(1, -(-maximum // 10))
    for v in range(0, maximum + 1, step):
        gx = left + round(v * unit)
        draw.line([(gx, top - 10), (gx, axis_y)], fill=(190, 190, 190), width=2)
        text = str(v)
        draw.text((gx - draw.textlength(text, font=label_font) / 2, axis_y + 6), text,
                  fill=(26, 26, 26), font=label_font)
    draw.line([(left, top - 10), (left, axis_y)], fill=(0, 0, 0), width=3)

    for r, (name, counts) in enumerate(rows):
        y0 = top + r * (bar_h + gap)
        text = _fit(name, label_font, left - 30)
        draw.text((20, y0 + (bar_h - 38) / 2), text, fill=(26, 26, 26), font=label_font)
        x0 = float(left)
        for i, count in enumerate(counts):
            if not count:
                continue
            x1 = x0 + count * unit
            box = (round(x0), y0, round(x1), y0 + bar_h)
            img.paste(_patterned((box[2] - box[0], bar_h), fills[i], patterns[i]), box[:2])
            draw.rectangle(box, outline=(0, 0, 0), width=3)
            number = str(count)
            tw = draw.textlength(number, font=count_font)
            if box[2] - box[0] >= tw + 20:
                cx, cy = (box[0] + box[2]) / 2, y0 + bar_h / 2
                draw.rectangle([cx - tw / 2 - 7, cy - 19, cx + tw / 2 + 7, cy + 19],
                               fill=(255, 255, 255), outline=(0, 0, 0), width=2)
                draw.text((cx - tw / 2, cy - 20), number, fill=(0, 0, 0), font=count_font)
            x0 = x1

    ly = axis_y + 60
    for line in legend:
        x = left
        for i, label in line:
            img.paste(_patterned((44, 36), fills[i], patterns[i]), (x, ly))
            draw.rectangle([x, ly, x + 44, ly + 36], outline=(0, 0, 0), width=3)
            draw.text((x + 56, ly - 2), label, fill=(26, 26, 26), font=legend_font)
            x += 60 + int(legend_font.getlength(label)) + 40
        ly += 56
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


# -- building blocks ---------------------------------------------------------------------------

def _set_language(document: WordDocument) -> None:
    """w:lang="en-GB" on the document's default run properties (styles.xml)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _set_fonts(rpr) -> None:
    """Arial (a plain sans serif every office has) instead of the template's theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), FONT)


def _set_styles(document: WordDocument) -> None:
    """Arial, dark text everywhere (the template's headings are mid blue, under 4.5:1)."""
    _set_fonts(document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}"))
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
        _set_fonts(document.styles[name].element.get_or_add_rPr())
    for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3",
                 "List Bullet", "List Number", "Caption"):
        style = document.styles[name]
        font = style.font
        font.color.rgb = TEXT
    normal = document.styles["Normal"].font
    normal.size = Pt(11)
    document.styles["Subtitle"].font.italic = False
    document.styles["Heading 1"].font.size = Pt(16)
    document.styles["Heading 2"].font.size = Pt(13.5)
    document.styles["Heading 3"].font.size = Pt(12)


class _Builder:
    def __init__(self, data: ReportData):
        self.data = data
        self.doc: WordDocument = python_docx.Document()
        self._bullet_num = self._list_num("List Bullet")
        self._number_abstract = self._abstract_of(self._list_num("List Number"))
        self._tables = 0

    # -- numbering: each numbered list starts at the number typed ------------------------------

    def _list_num(self, style: str) -> int:
        ppr = self.doc.styles[style].element.pPr
        assert ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None
        return int(ppr.numPr.numId.val)

    def _abstract_of(self, num_id: int) -> int:
        numbering = self.doc.part.numbering_part.element
        return int(numbering.num_having_numId(num_id).abstractNumId.val)

    def _new_number_list(self, start: int) -> int:
        numbering = self.doc.part.numbering_part.element
        num = numbering.add_num(self._number_abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(max(start, 1))
        return int(num.numId)

    # -- text ------------------------------------------------------------------------------------

    def heading(self, text: str, level: int) -> Paragraph:
        return self.doc.add_heading(clean(text).replace("\n", " "), level)

    def para(self, text: str = "", *, label: str = "", style: str | None = None) -> Paragraph:
        p = self.doc.add_paragraph(style=style)
        if label:
            p.add_run(label + " ").bold = True
        if text:
            p.add_run(clean(text))
        return p

    def text(self, typed: str, empty: str = "") -> None:
        """Typed text as paragraphs and real Word lists."""
        items = blocks(clean(typed))
        if not items:
            if empty:
                self.para(empty)
            return
        numbered: int | None = None
        previous: Block | None = None
        for block in items:
            if block.kind == "bullet":
                self.para(block.text, style="List Bullet")
            elif block.kind == "number":
                p = self.para(block.text, style="List Number")
                if previous is None or previous.kind != "number" or numbered is None:
                    numbered = self._new_number_list(block.number)
                num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = 0
                num_pr.get_or_add_numId().val = numbered
            else:
                self.para(block.text)
            if block.kind != "number":
                numbered = None
            previous = block

    def bullets(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.para(line, style="List Bullet")

    # -- tables ----------------------------------------------------------------------------------

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], caption: str,
              widths: Sequence[float] | None = None, numeric_from: int | None = None,
              size: float = 9, padding: float = 0.15) -> Table:
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        tbl_pr = table._tbl.tblPr
        for tag, value in (("w:tblCaption", caption), ("w:tblDescription", caption)):
            el = OxmlElement(tag)
            el.set(qn("w:val"), clean(value))
            tbl_pr.append(el)
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:w"), str(round(padding * 567)))  # twips per cm
            el.set(qn("w:type"), "dxa")
            margins.append(el)
        tbl_pr.find(qn("w:tblW")).addnext(margins)
        head = table.rows[0]
        tr_pr = head._tr.get_or_add_trPr()
        for tag in ("w:cantSplit", "w:tblHeader"):
            tr_pr.append(OxmlElement(tag))
        for cell, text in zip(head.cells, header, strict=True):
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:color"), "auto")
            shading.set(qn("w:fill"), HEADER_FILL)
            cell._tc.get_or_add_tcPr().append(shading)
            run = cell.paragraphs[0].add_run(clean(text))
            run.bold = True
            run.font.color.rgb = RGBColor(0, 0, 0)
            run.font.size = Pt(size)
        for values in rows:
            cells = table.add_row().cells
            for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
                lines = clean(value).split("\n\n")
                cell.paragraphs[0].add_run(lines[0]).font.size = Pt(size)
                for extra in lines[1:]:
                    cell.add_paragraph().add_run(extra).font.size = Pt(size)
                if numeric_from is not None and i >= numeric_from:
                    cell.paragraphs[0].alignment = 2  # right
        if widths:
            # Fixed widths, in the grid (which LibreOffice follows) and in every cell (Word).
            table.autofit = False
            for column, w in zip(table.columns, widths, strict=True):
                column.width = Cm(w)
            for row in table.rows:
                for cell, w in zip(row.cells, widths, strict=True):
                    cell.width = Cm(w)
        self.doc.add_paragraph()  # a little space after
        return table

    # -- images ----------------------------------------------------------------------------------

    def image(self, png: bytes, width_cm: float, title: str, description: str) -> bool:
        """Add a picture with alternative text; False (nothing added) if it cannot be read."""
        p = self.doc.add_paragraph()
        try:
            shape = p.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
        except Exception:  # noqa: BLE001 - a broken stored image must not break the export
            p._p.getparent().remove(p._p)
            return False
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", clean(description))
        doc_pr.set("title", clean(title))
        return True

    # -- the report ------------------------------------------------------------------------------

    def build(self) -> WordDocument:
        self.setup()
        self.title_page()
        self.summary()
        self.judgements()
        self.recommendations()
        self.scope()
        self.findings()
        if self.data.review is not None:
            self.response()
        self.signoff()
        return self.doc

    def setup(self) -> None:
        d, info = self.data, self.data.info
        _set_language(self.doc)
        _set_styles(self.doc)
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2.2))
        marking = _one_line(d.options.protective_marking)
        if marking:
            header = section.header.paragraphs[0]
            header.alignment = 1  # centre
            run = header.add_run(marking)
            run.bold = True
            run.font.color.rgb = RGBColor(0, 0, 0)
        cp = self.doc.core_properties
        cp.title = _one_line(f"Independent scrutiny: {info.partnership}, {info.period}")
        cp.author = _one_line(info.scrutineer_name)
        cp.last_modified_by = _one_line(info.scrutineer_name)
        cp.subject = _one_line(f"Independent scrutiny report – {status_line(d)}")
        cp.language = LANGUAGE
        cp.keywords = "independent scrutiny; safeguarding children partnership"
        cp.comments = f"Made with Scrutiny Desktop {__version__}"
        cp.category = marking
        generated = d.options.generated_at
        # python-docx writes a naive time as UTC.
        cp.created = cp.modified = generated.astimezone(dt.UTC).replace(tzinfo=None)
        cp.revision = 1

    def title_page(self) -> None:
        d, info = self.data, self.data.info
        org = _one_line(d.options.organisation_name)
        if org:
            self.para(org)
        self.doc.add_paragraph(_one_line(info.partnership), style="Title")
        scrutineer = ", ".join(x for x in (_one_line(info.scrutineer_name),
                                           _one_line(info.scrutineer_role)) if x)
        for line in (_one_line(info.period), "Independent scrutiny report",
                     f"Scrutineer: {scrutineer}", f"Status: {status_line(d)}",
                     f"Generated {when_text(d.options.generated_at)}"):
            self.doc.add_paragraph(line, style="Subtitle")

    def summary(self) -> None:
        d, s = self.data, self.data.summary
        self.heading("Summary", 1)
        label = d.overall_label
        if label:
            self.para(label, label="Overall judgement:")
        else:
            self.para("No overall judgement given")
        p = d.progress
        self.para(f"{p.answered} of {p.total} questions answered; "
                  f"{p.required_answered} of {p.required} required questions answered.")
        self.text(s.conclusion, "No conclusion has been written.")
        self.heading("Strengths", 2)
        self.text(s.strengths, "None recorded.")
        self.heading("Areas for improvement", 2)
        self.text(s.areas_for_improvement, "None recorded.")

    def judgements(self) -> None:
        d = self.data
        self.heading("Judgements by section", 1)
        labels = [label for _, label in judgement_columns(d)]
        rows = judgement_counts(d)
        totals = [sum(c[i] for _, c in rows) for i in range(len(labels))]
        self.para("The number of questions in each section given each judgement.")
        n = len(labels)
        first = 4.6 if n <= 6 else 3.4
        rest = (16.6 - first) / max(n, 1)
        self.table(["Section", *labels],
                   [[name, *map(str, counts)] for name, counts in rows]
                   + [["All sections", *map(str, totals)]],
                   "Judgements by section: the number of questions given each judgement",
                   widths=[first] + [rest] * n, numeric_from=1, size=8, padding=0.08)
        summary = "; ".join(f"{t} {label}" for t, label in zip(totals, labels, strict=True))
        self.image(
            chart_png(labels, [(name, counts) for name, counts in rows]), 16.6,
            "Chart: judgements by section",
            f"Bar chart of judgements by section. Each of the {len(rows)} sections is one "
            f"bar, divided by judgement ({', '.join(labels)}), each part showing the "
            f"number of questions given that judgement. Across all sections: {summary}. "
            f"The table above gives the same numbers.")

    def recommendations(self) -> None:
        d = self.data
        self.heading("Recommendations", 1)
        if not d.recommendations:
            self.para("The scrutineer made no recommendations.")
            return
        rows = []
        for n in d.recommendations:
            r = n.recommendation
            text = clean(r.text).strip()
            if r.carried_from:
                text += f"\n\nCarried forward from {_one_line(r.carried_from)}."
            rows.append([f"R{n.number}", text, _one_line(r.owner_label) or "Not set",
                         _one_line(r.priority_label) or "Not set",
                         date_text(r.due) or "Not set", _one_line(r.status_label),
                         f"Q{n.question_number} ({n.question_id})"])
        self.table(["No.", "Recommendation", "Owner", "Priority", "Due", "Status", "Question"],
                   rows, "Recommendations, numbered R1 onwards, with the question each comes from",
                   widths=[1.1, 5.6, 2.4, 1.8, 2.0, 1.6, 2.1])

    def scope(self) -> None:
        self.heading("Scope and method", 1)
        self.text(self.data.summary.scope_and_method, "No statement of scope and method has been written.")

    def findings(self) -> None:
        d = self.data
        numbers = {n.recommendation.id: n.number for n in d.recommendations}
        self.heading("Findings by section", 1)
        for section in d.sections:
            self.heading(f"{section.number}. {section.title}", 2)
            self.text(d.summary.sections.get(section.id, ""))
            for q in section.questions:
                self.question(q, numbers)

    def question(self, q: ReportQuestion, numbers: dict[int, int]) -> None:
        self.heading(f"Q{q.number}. {q.text}", 3)
        self.para(f"{q.id}{' (required)' if q.required else ''}", label="Reference:")
        self.para(q.judgement_label or "Not answered", label="Judgement:")
        if q.direction_label:
            self.para(q.direction_label, label="Direction of travel:")
        self.text(q.findings, "No findings recorded.")
        if q.evidence:
            self.para(label="Evidence")
            lines = []
            for e in q.evidence:
                kind = e.kind_label + (f", {date_text(e.date)}" if e.date else "")
                parts = [f"{_one_line(e.title) or 'Untitled'} ({kind})."]
                if e.source.strip():
                    parts.append(_sentence(f"Source: {_one_line(e.source)}"))
                if e.note.strip():
                    parts.append(_sentence(f"Note: {clean(e.note).strip()}"))
                if e.attachment is not None:
                    parts.append(f"Attached file: {_one_line(e.attachment.filename)}")
                lines.append(" ".join(parts))
            self.bullets(lines)
        if q.recommendations:
            self.para(label="Recommendations")
            self.bullets([
                f"R{numbers.get(r.id, 0)}: {clean(r.text).strip()} "
                f"(Owner: {_one_line(r.owner_label) or 'not set'}; "
                f"priority: {_one_line(r.priority_label) or 'not set'}; "
                f"due: {date_text(r.due) or 'not set'}; status: {_one_line(r.status_label)})"
                for r in q.recommendations])

    def response(self) -> None:
        rv = self.data.review
        assert rv is not None
        self.heading("Partnership response", 1)
        self.heading("Overall response", 2)
        self.text(rv.overall, "No overall response has been written.")
        self.heading("Decisions on the recommendations", 2)
        if rv.decisions:
            self.table(["No.", "Recommendation", "Decision", "Detail", "Action owner", "Due"],
                       [[f"R{x.number}", clean(x.text).strip(), _one_line(x.decision_label),
                         clean(x.detail).strip(), _one_line(x.action_owner), date_text(x.action_due)]
                        for x in rv.decisions],
                       "The partnership's decision on each recommendation",
                       widths=[1.1, 5.0, 2.4, 3.7, 2.5, 1.9])
        else:
            self.para("There were no recommendations to decide on.")
        comments = [(q, rv.comments[q.id]) for s in self.data.sections for q in s.questions
                    if rv.comments.get(q.id, "").strip()]
        if comments:
            self.heading("Comments on questions", 2)
            for q, comment in comments:
                self.para(_one_line(q.text), label=f"Q{q.number} ({q.id}):")
                self.text(comment)

    def signoff(self) -> None:
        d = self.data
        self.heading("Sign-off", 1)
        if d.signoff is None:
            self.para("This assessment has not been signed off: this is a draft.")
        else:
            self.signature(d.signoff, d.signature_png, "Signed off")
        cs = d.review.countersignature if d.review else None
        if cs is not None and d.review is not None:
            self.heading("Countersignature", 2)
            self.signature(cs, d.review.countersignature_png, "Countersigned")

    def signature(self, s: SignatureView, png: bytes | None, verb: str) -> None:
        lines = [self.para(_one_line(s.name), label="Name:")]
        if s.role.strip():
            lines.append(self.para(_one_line(s.role), label="Role:"))
        lines.append(self.para(when_text(s.signed_at), label=f"{verb}:"))
        for line in lines:  # the block stays on one page
            line.paragraph_format.keep_with_next = True
        statement = self.para(clean(s.statement).strip(), label="Statement:")
        if png:
            statement.paragraph_format.keep_with_next = True
            self.image(png, 6, f"Signature of {_one_line(s.name)}",
                       f"Signature of {_one_line(s.name)}")


def build_docx(data: ReportData, out: Path) -> Path:
    """Write the Word report for ``data`` to ``out``, atomically; returns ``out``."""
    document = _Builder(data).build()
    out = Path(out)
    with atomic_write(out) as fh:
        document.save(fh)
    return out
