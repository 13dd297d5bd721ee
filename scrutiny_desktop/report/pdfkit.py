"""The PDF machinery both reports share (reportlab).

The assessment summary (``report.pdf``) and the comparison (``report.compare_pdf``)
keep only their own layout; this module holds, once, what they have in common:

- fonts: the bundled Noto Sans family, registered from absolute paths found
  through ``paths``, and DejaVu Sans for the characters Noto lacks;
- safe text: every string from a person (or a template) goes through :func:`para`
  by way of :func:`markup`, which drops control characters and escapes ``& < >``,
  so markup in user text prints as typed and never becomes a tag (``<img>``
  above all).  Runs Noto cannot show (``≥ → ✓``) are set in DejaVu Sans; a
  character neither font has (CJK, most emoji, anything beyond U+FFFF, which
  reportlab cannot map back to text) prints as ``□``, so a reader sees that
  something is missing; invisible format characters neither has are dropped.
  Right-to-left text is not shaped (reportlab cannot).  Canvas text (marking,
  header, footer, chart labels) is in Noto only.  Importing this module empties
  reportlab's trusted hosts and schemes;
- the palette, the styles both reports use, and report tables;
- every page's protective marking in header and footer, "Page X of Y" and the
  DRAFT watermark; writing the file atomically (:func:`write_pdf`).

Nothing here touches storage or Qt, so a report can be built on a worker thread.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab import rl_config

# Nothing in a PDF export may reach out to a host or URL scheme (an <img src>
# smuggled into user text is escaped anyway; this is the second lock).  Set before
# the rest of reportlab is imported, hence the imports below it.
rl_config.trustedHosts = []
rl_config.trustedSchemes = []

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.fonts import addMapping, ps2tt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.pdfdoc import (
    XMP,
    PDFDate,
    PDFDictionary,
    PDFImageXObject,
    PDFInfo,
    PDFName,
    PDFString,
)
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText

from scrutiny_desktop import __version__, paths
from scrutiny_desktop.atomic import atomic_write
from scrutiny_desktop.gc_pause import collector_paused
from scrutiny_desktop.text import clean_text, one_line

# reportlab spells every dictionary key of the PDF as a name character by character in
# Python, the same few hundred names over and over (a report has thousands of keys):
# the spelling of each is kept.  Names are plain strings, so nothing else changes.
if not hasattr(pdfdoc.PDFName, "cache_info"):
    pdfdoc.PDFName = functools.lru_cache(maxsize=4096)(pdfdoc.PDFName)

#: Called with (pages or steps done, total) as a report is laid out.
Progress = Callable[[int, int], None]
#: Draws on a page once the page count is known: (canvas, page number, page count).
Decorate = Callable[[Canvas, int, int], None]

# -- the palette ---------------------------------------------------------------

INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b0b0b0")
SHADE = colors.HexColor("#e8ecf0")
HEADER_SHADE = colors.HexColor("#d5dde6")
LINK = colors.HexColor("#0a4f8a")
WATERMARK = colors.Color(0.82, 0.82, 0.82)

# -- fonts -----------------------------------------------------------------------

FONT = "ScrutinyNotoSans"
FONT_BOLD = "ScrutinyNotoSans-Bold"
FONT_ITALIC = "ScrutinyNotoSans-Italic"
FONT_BOLD_ITALIC = "ScrutinyNotoSans-BoldItalic"
_FONT_FILES = {
    FONT: "NotoSans-Regular.ttf",
    FONT_BOLD: "NotoSans-Bold.ttf",
    FONT_ITALIC: "NotoSans-Italic.ttf",
    FONT_BOLD_ITALIC: "NotoSans-BoldItalic.ttf",
}
#: The fallback for characters Noto Sans lacks (symbols, arrows, ticks).  Only
#: regular and bold are bundled; italic text falls back to the upright faces.
FALLBACK_FONT = "DejaVuSans"
FALLBACK_FONT_BOLD = "DejaVuSans-Bold"
_FALLBACK_FILES = {
    FALLBACK_FONT: "DejaVuSans.ttf",
    FALLBACK_FONT_BOLD: "DejaVuSans-Bold.ttf",
}
#: What is printed in place of a character that no bundled font has.
MISSING_GLYPH = "\u25a1"  # □ WHITE SQUARE (in DejaVu Sans)
_font_lock = threading.Lock()
_fonts_registered = False


def register_fonts() -> None:
    """Register the bundled Noto Sans family and its DejaVu Sans fallback (once),
    from absolute paths."""
    global _fonts_registered
    with _font_lock:
        if _fonts_registered:
            return
        folder = paths.fonts_dir().resolve()
        for name, file in {**_FONT_FILES, **_FALLBACK_FILES}.items():
            path = folder / file
            if not path.is_file():
                raise FileNotFoundError(
                    f"The bundled font {file} is missing from {folder}; reinstall Scrutiny Desktop.")
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # Map <b>/<i> inside paragraphs to the right faces.
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
        addMapping(FONT, 0, 1, FONT_ITALIC)
        addMapping(FONT, 1, 1, FONT_BOLD_ITALIC)
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                      boldItalic=FONT_BOLD_ITALIC)
        # The fallback has no italic faces: italic maps to the upright ones.
        # (addMapping also sets the reverse name -> style map, so the upright
        # entries go last: "DejaVuSans" must read back as regular, not italic.)
        addMapping(FALLBACK_FONT, 0, 1, FALLBACK_FONT)
        addMapping(FALLBACK_FONT, 1, 1, FALLBACK_FONT_BOLD)
        addMapping(FALLBACK_FONT, 0, 0, FALLBACK_FONT)
        addMapping(FALLBACK_FONT, 1, 0, FALLBACK_FONT_BOLD)
        _fonts_registered = True


@functools.cache
def _coverage() -> tuple[frozenset[int], frozenset[int]]:
    """(code points Noto Sans has, code points DejaVu Sans has in both weights)."""
    register_fonts()

    def cmap(name: str) -> frozenset[int]:
        return frozenset(pdfmetrics.getFont(name).face.charToGlyph)

    # The four Noto faces have the same repertoire; DejaVu Sans Bold lacks a few
    # characters the regular face has, so only what both have is used.  Beyond
    # the Basic Multilingual Plane (DejaVu's few emoji and maths letters)
    # reportlab draws the glyph but writes a wrong ToUnicode entry (the code
    # point cut to 16 bits), so copied or extracted text would be wrong: those
    # count as missing.
    bmp = frozenset(range(0x10000))
    return cmap(FONT) & bmp, cmap(FALLBACK_FONT) & cmap(FALLBACK_FONT_BOLD) & bmp


# -- safe text ---------------------------------------------------------------------

def _ignorable(ch: str) -> bool:
    """An invisible character that may be dropped when no font has it."""
    cp = ord(ch)
    return (unicodedata.category(ch) == "Cf"  # joiners, direction marks, tags
            or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF  # variation selectors
            or 0x1F3FB <= cp <= 0x1F3FF)  # emoji skin-tone modifiers


@functools.cache
def _noto_characters() -> frozenset[str]:
    """The characters Noto Sans has (and the line break), as strings: a paragraph
    made only of these needs no fallback, which one set difference tells."""
    return frozenset(map(chr, _coverage()[0])) | {"\n"}


def _font_runs(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into (needs the fallback font, run) pairs.

    A character Noto Sans lacks goes to a fallback run if DejaVu Sans has it;
    otherwise it becomes :data:`MISSING_GLYPH` (itself a fallback character),
    or disappears if it is an invisible format character.

    Text Noto covers (nearly all of it: "£", curly quotes, dashes, Welsh, Greek...)
    is one run, found by one set difference; otherwise the text is cut only at the
    characters Noto lacks, and only those are looked at one by one.
    """
    if text.isascii():
        return [(False, text)] if text else []
    missing = set(text).difference(_noto_characters())
    if not missing:
        return [(False, text)]
    runs: list[tuple[bool, str]] = []
    pieces = re.split("([" + "".join(map(re.escape, sorted(missing))) + "]+)", text)
    for i, piece in enumerate(pieces):
        if not piece:
            continue
        if i % 2 == 0:  # what Noto has, as it is
            runs.append((False, piece))
        else:
            runs += _fallback_runs(piece)
    # neighbours of the same kind (a dropped character between them) become one run
    merged: list[tuple[bool, str]] = []
    for fallback, run in runs:
        if merged and merged[-1][0] == fallback:
            merged[-1] = (fallback, merged[-1][1] + run)
        else:
            merged.append((fallback, run))
    return merged


def _fallback_runs(text: str) -> list[tuple[bool, str]]:
    """Runs of characters Noto Sans lacks, character by character (see _font_runs)."""
    noto, dejavu = _coverage()
    runs: list[tuple[bool, list[str]]] = []
    for ch in text:
        cp = ord(ch)
        if cp in noto or ch == "\n":
            fallback = False
        elif cp in dejavu:
            fallback = True
        elif _ignorable(ch):
            continue
        else:
            ch, fallback = MISSING_GLYPH, True
        if runs and runs[-1][0] == fallback:
            runs[-1][1].append(ch)
        else:
            runs.append((fallback, [ch]))
    return [(fallback, "".join(chars)) for fallback, chars in runs]


def markup(text: object, *, bold: bool = False) -> str:
    """Paragraph markup that shows ``text`` exactly as typed (never as tags).

    This is the one place user text is escaped.  Runs of characters Noto Sans
    lacks are wrapped in ``<font name="DejaVuSans">`` (``DejaVuSans-Bold`` when
    ``bold``, that is when the text is set in a bold style or inside ``<b>``:
    a ``<font name>`` tag resets reportlab's bold state).
    """
    face = FALLBACK_FONT_BOLD if bold else FALLBACK_FONT
    out = []
    for fallback, run in _font_runs(clean_text(text).replace("\t", " ")):
        escaped = escape(run).replace("\n", "<br/>")
        out.append(f'<font name="{face}">{escaped}</font>' if fallback else escaped)
    return "".join(out)


def _is_bold(font_name: str) -> bool:
    try:
        return bool(ps2tt(font_name)[1])
    except ValueError:  # a font reportlab has no style mapping for
        return "bold" in font_name.lower()


class Para(Paragraph):
    """A Paragraph that is laid out once for a width: reportlab asks again for the same
    width (a KeepTogether, then the frame; a table sizing its rows, then drawing them;
    :class:`KeepWithStart`), and the lines are the same, so they are kept."""

    _laid: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        laid = self._laid
        # (split() drops the lines when the paragraph must move on whole)
        if laid is not None and laid[0] == availWidth and "blPara" in self.__dict__:
            return laid[1]
        size = super().wrap(availWidth, availHeight)
        self._laid = (availWidth, size)
        return size


_parsed: dict[tuple[int, str], tuple[ParagraphStyle, list[Any]]] = {}


def _parsed_frags(markup_text: str, style: ParagraphStyle) -> list[Any]:
    """What reportlab's parser makes of ``markup_text`` in ``style``, parsed once per
    style and text.  The fragments are kept as patterns: callers copy them."""
    key = (id(style), markup_text)
    known = _parsed.get(key)
    if known is None or known[0] is not style:
        if len(_parsed) > 512:  # each report makes its own styles: keep a few reports'
            _parsed.clear()
        known = _parsed[key] = (style, Paragraph(markup_text, style).frags)
    return known[1]


def _plain_frag(style: ParagraphStyle) -> Any:
    """The parser's one fragment for plain text in ``style`` (the pattern for
    :func:`para`'s plain paragraphs), or None."""
    frags = _parsed_frags("x", style)
    return frags[0] if len(frags) == 1 else None


def _labelled_frags(style: ParagraphStyle) -> Any:
    """The parser's bold run and plain run for ``<b>label</b> text`` in ``style``, or None."""
    frags = _parsed_frags("<b>x</b> y", style)
    return tuple(frags) if len(frags) == 2 else None


def repeated(markup_text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of our own markup that a report prints again and again (a judgement
    with its mark, on every question): built from copies of its parsed fragments."""
    return Para(markup_text, style,
                frags=[copy.copy(f) for f in _parsed_frags(markup_text, style)])


def _one_font(text: object) -> str | None:
    """``text`` as reportlab's parser would clean it, if it needs no markup at all (one
    font, no line breaks); else None."""
    plain = clean_text(text).replace("\t", " ")
    if "\n" in plain or _font_runs_needed(plain):
        return None
    return cleanBlockQuotedText(plain)


def para(text: object, style: ParagraphStyle, *, label: str = "",
         bullet: str | None = None) -> Paragraph:
    """A Paragraph of user text, always escaped; ``label`` (ours) is set in bold before
    it; ``bullet`` is a list item's bullet.

    Text that needs no markup at all (one font, no line breaks: most of a report),
    with or without a label, is not run through reportlab's markup parser: its
    fragments are the parser's own for the style, copied, with the text as the parser
    would have cleaned it."""
    register_fonts()  # the styles name our fonts; reportlab must know them when parsing
    cleaned = _one_font(text)
    if cleaned:
        if not label:
            pattern = _plain_frag(style)
            if pattern is not None:
                frag = copy.copy(pattern)
                frag.text = cleaned
                return Para(escape(cleaned), style, frags=[frag], bulletText=bullet)
        else:
            heading = _one_font(label)
            patterns = _labelled_frags(style) if heading else None
            if heading and patterns is not None:
                bold, rest = copy.copy(patterns[0]), copy.copy(patterns[1])
                bold.text, rest.text = heading, " " + cleaned
                return Para(f"<b>{escape(heading)}</b> {escape(cleaned)}", style,
                            frags=[bold, rest], bulletText=bullet)
    body = markup(text, bold=_is_bold(style.fontName))
    if label:
        body = f"<b>{markup(label, bold=True)}</b> {body}"
    return Para(body, style, bulletText=bullet)


def _font_runs_needed(text: str) -> bool:
    """Whether ``text`` has a character Noto Sans lacks (see :func:`_font_runs`)."""
    return not text.isascii() and not _noto_characters().issuperset(text)


#: A paragraph longer than this is set as several (split after a sentence), so that a
#: very long text costs time in proportion to its length: reportlab re-wraps the rest
#: of a paragraph at every page break.
CHUNK_CHARACTERS = 3000


@functools.lru_cache(maxsize=64)
def _derived(style: ParagraphStyle, kind: str) -> ParagraphStyle:
    """A list item's style (hanging indent) or a continuation chunk's (no space between)."""
    if kind == "item":
        return ParagraphStyle(f"{style.name}_item", parent=style, leftIndent=style.leftIndent + 16,
                              bulletIndent=style.leftIndent + 3, spaceAfter=2,
                              bulletFontName=style.fontName, bulletFontSize=style.fontSize)
    return ParagraphStyle(f"{style.name}_chunk", parent=style, spaceAfter=0)


def _chunks(text: str) -> list[str]:
    if len(text) <= CHUNK_CHARACTERS:
        return [text]
    out: list[str] = []
    while len(text) > CHUNK_CHARACTERS:
        cut = max(text.rfind(". ", 0, CHUNK_CHARACTERS), text.rfind("\n", 0, CHUNK_CHARACTERS))
        if cut < CHUNK_CHARACTERS // 3:
            cut = text.rfind(" ", 0, CHUNK_CHARACTERS)
        if cut < CHUNK_CHARACTERS // 3:
            cut = CHUNK_CHARACTERS - 1
        out.append(text[:cut + 1].rstrip("\n"))
        text = text[cut + 1:].lstrip(" \n")
    if text:
        out.append(text)
    return out


def paragraphs(text: object, style: ParagraphStyle) -> list[Paragraph]:
    """Free text as typed (see :func:`scrutiny_desktop.text.blocks`): paragraphs split at
    blank lines with their line breaks kept, and lines starting "- ", "* " or "1." as
    real list items with a hanging indent."""
    from scrutiny_desktop.text import blocks

    out: list[Paragraph] = []
    for block in blocks(clean_text(text)):
        if block.is_item:
            bullet = "•" if block.kind == "bullet" else f"{block.number}."
            out.append(para(block.text, _derived(style, "item"), bullet=bullet))
            continue
        pieces = _chunks(block.text)
        for i, piece in enumerate(pieces):
            out.append(para(piece, style if i == len(pieces) - 1 else _derived(style, "chunk")))
    return out


def truncate(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` points on one line."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)  # binary search: the longest prefix that fits
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


# -- styles and tables ---------------------------------------------------------


class Styles(dict[str, ParagraphStyle]):
    """A report's paragraph styles by name; each derives from ``body`` unless told."""

    def add(self, name: str, *, parent: str = "body", **attributes: Any) -> None:
        self[name] = ParagraphStyle(name, parent=self.get(parent), **attributes)


def shared_styles() -> Styles:
    """The styles both reports use: body text, small print and table cells.

    A report adds its own (titles, headings) with :meth:`Styles.add`.
    """
    s = Styles(body=ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15,
                                   textColor=INK, splitLongWords=1, spaceAfter=5,
                                   bulletFontName=FONT, bulletFontSize=10.5))
    s.add("small", fontSize=8.5, leading=11, textColor=MUTED)
    s.add("cell", fontSize=9, leading=12, spaceAfter=0)
    s.add("cell_head", fontName=FONT_BOLD, fontSize=9, leading=12, spaceAfter=0)
    s.add("cell_num", fontSize=9, leading=12, spaceAfter=0, alignment=TA_CENTER)
    s.add("cell_head_num", fontName=FONT_BOLD, fontSize=9, leading=12, spaceAfter=0,
          alignment=TA_CENTER)
    return s


def table(rows: Sequence[Sequence[Any]], widths: Sequence[float], *, header: bool = True,
          extra_style: Iterable[tuple[Any, ...]] = (), split_in_row: bool | None = None) -> Table:
    """A report table: ruled rows, a shaded header row repeated on each page."""
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # reportlab's default is Helvetica (not embedded)
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE),
                  ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED)]
    style += list(extra_style)
    # By default a table with a header row never splits a row (its cells are
    # kept short), while a key/value table without one may, so a very long
    # value continues on the next page instead of failing the export.
    if split_in_row is None:
        split_in_row = not header
    return Table(rows, colWidths=widths, repeatRows=1 if header else 0,
                 splitInRow=1 if split_in_row else 0, style=TableStyle(style), hAlign="LEFT")


# -- the page: geometry, header and footer, "Page X of Y" ------------------------------

#: The marking is set in 10 pt bold, smaller (down to 7 pt) if it is long, and
#: kept this far from either end of the header and footer lines.
MARKING_SIZE = 10.0
MARKING_MIN_SIZE = 7.0
MARKING_INSET = 2.2 * cm


@dataclass(frozen=True)
class PageGeometry:
    """Where things go on a report's pages (in points from the page's edges)."""

    width: float
    height: float
    margin: float
    header_drop: float  # the header line's baseline, below the top edge
    header_rule_drop: float  # the rule under the header, below the top edge
    footer_rise: float  # the footer line's baseline, above the bottom edge
    footer_rule_rise: float  # the rule over the footer, above the bottom edge
    vertical_margin: float = 0.0  # above and below the content; 0: the same as ``margin``

    @property
    def v_margin(self) -> float:
        return self.vertical_margin or self.margin

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin

    @property
    def content_height(self) -> float:
        return self.height - 2 * self.v_margin


#: The report's pages: margins that keep 10.5 pt body text to about 85 characters a line.
A4_PORTRAIT = PageGeometry(A4[0], A4[1], margin=3.1 * cm, header_drop=1.4 * cm,
                           header_rule_drop=2.2 * cm, footer_rise=1.55 * cm,
                           footer_rule_rise=2.1 * cm, vertical_margin=2.5 * cm)
#: The comparison's pages: wide tables need the width, so the margins are narrower.
A4_LANDSCAPE = PageGeometry(A4[1], A4[0], margin=1.8 * cm, header_drop=1.15 * cm,
                            header_rule_drop=1.4 * cm, footer_rise=1.15 * cm,
                            footer_rule_rise=1.6 * cm)


def fit_marking(marking: str, width: float) -> tuple[str, float]:
    """The protective marking on one line and its size: shrunk (to 7 pt at the
    least), then cut with an ellipsis, until it fits ``width`` points."""
    size = MARKING_SIZE
    while size > MARKING_MIN_SIZE and pdfmetrics.stringWidth(marking, FONT_BOLD, size) > width:
        size -= 0.5
    return truncate(marking, FONT_BOLD, size, width), size


class PageFurniture:
    """What every page carries: the protective marking centred in the header and the
    footer; under the footer's marking, the report's own line on the left (never cut
    while it has room: up to about 80 characters) and "Page X of Y" on the right; a
    running head on the left under the header's marking (``running_head()``, per page);
    rules under the header and over the footer.

    ``footer_left`` is a line, or a function that makes the line given the room it has
    (in points).
    """

    def __init__(self, page: PageGeometry, marking: str, *, footer_left: str | Callable[[float], str],
                 header_left: str = "", header_left_bold: bool = False,
                 page_label: str = "Page") -> None:
        register_fonts()  # the marking and the footer line are measured in our fonts
        self.page = page
        self.page_label = page_label
        self.marking, self.marking_size = fit_marking(
            one_line(marking), page.content_width - 2 * MARKING_INSET)
        self.header_left = header_left
        self.header_left_font = FONT_BOLD if header_left_bold else FONT
        self.footer_room = page.content_width - pdfmetrics.stringWidth(
            f"{page_label} 999 of 999", FONT, 8) - 12
        self.footer_left = (footer_left(self.footer_room) if callable(footer_left)
                            else truncate(footer_left, FONT, 8, self.footer_room))

    def _marking(self, canv: Canvas, y: float) -> None:
        if self.marking:
            canv.setFont(FONT_BOLD, self.marking_size)
            canv.setFillColor(INK)
            canv.drawCentredString(self.page.width / 2, y, self.marking)

    def _rule(self, canv: Canvas, y: float) -> None:
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(self.page.margin, y, self.page.width - self.page.margin, y)

    def _form(self, canv: Canvas, part: str, draw: Callable[[Canvas], None]) -> None:
        """Draw what every page repeats (``draw``) as a form XObject: defined once per PDF
        and reused on each page, so it is laid out and written once."""
        name = f"furniture{part}{id(self):x}"
        if not canv.hasForm(name):
            canv.beginForm(name)
            canv.saveState()
            draw(canv)
            canv.restoreState()
            canv.endForm()
        canv.doForm(name)

    def _header_fixed(self, canv: Canvas) -> None:
        page = self.page
        y = page.height - page.header_drop
        self._marking(canv, y)
        if self.header_left:
            canv.setFont(self.header_left_font, 8)
            canv.setFillColor(MUTED)
            canv.drawString(page.margin, y, self.header_left)
        self._rule(canv, page.height - page.header_rule_drop)

    def _footer_fixed(self, canv: Canvas) -> None:
        page = self.page
        self._rule(canv, page.footer_rule_rise)
        self._marking(canv, page.footer_rise)
        canv.setFont(FONT, 8)
        canv.setFillColor(MUTED)
        canv.drawString(page.margin, page.footer_rise - 13, self.footer_left)

    def draw_header(self, canv: Canvas, running_head: str = "") -> None:
        """The header (drawn before a page's content); ``running_head`` goes under the
        marking on the left, in small type (the section and question a page continues)."""
        page = self.page
        self._form(canv, "Header", self._header_fixed)
        if running_head:
            canv.saveState()
            line2 = page.height - (page.header_drop + page.header_rule_drop) / 2 - 3
            canv.setFont(FONT, 8)
            canv.setFillColor(MUTED)
            canv.drawString(page.margin, line2, truncate(running_head, FONT, 8, page.content_width))
            canv.restoreState()

    def draw_footer(self, canv: Canvas, number: int, total: int) -> None:
        """The footer (drawn once the page count is known)."""
        page = self.page
        self._form(canv, "Footer", self._footer_fixed)
        canv.saveState()
        canv.setFont(FONT, 8)
        canv.setFillColor(MUTED)
        canv.drawRightString(page.width - page.margin, page.footer_rise - 13,
                             f"{self.page_label} {number} of {total}")
        canv.restoreState()


class PagedCanvas(Canvas):
    """Holds pages back until the end, so each can say "Page X of Y".

    ``decorate`` draws on each page when it is finally emitted.  Bookmarks are
    placed then too (reportlab resolves a bookmark against the page being
    written, which is only known then): see :class:`Bookmark`.
    """

    def __init__(self, *args: Any, decorate: Decorate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._held_pages: list[dict[str, Any]] = []
        self._page_bookmarks: list[tuple[str, float]] = []

    def bookmark_later(self, key: str, top: float) -> None:
        self._page_bookmarks.append((key, top))

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()
        self._page_bookmarks = []

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            for key, top in self._page_bookmarks:
                self.bookmarkPage(key, fit="XYZ", top=top)
            self._decorate(self, number, total)
            super().showPage()
        super().save()


class ZeroSize(Flowable):
    """A marker that takes no room (a destination, a bookmark, progress, the running
    head's context): :func:`keep_headings` looks through it."""

    def __init__(self) -> None:
        super().__init__()
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


def _takes_no_room(f: Flowable) -> bool:
    return isinstance(f, ZeroSize) or (type(f) is Spacer and not f.height)


class KeepWithStart(ZeroSize):
    """Goes before a heading (or a run of headings, or a short block such as a
    question's heading lines): when they and the start of what follows them
    (``after``: its first two lines, or all of it if shorter) would not fit in what is
    left of the frame, they start the next one; so no heading is left alone at the
    foot of a page.

    It does what reportlab's ``keepWithNext`` and ``KeepTogether`` do for headings,
    without laying the heading and the whole paragraph after it out twice
    (``keepWithNext`` wraps them in a KeepTogether that lays everything out, then the
    frame lays it out again); a long first paragraph may now flow on to the next
    page once two of its lines are under the heading.  Never a page break at the top
    of a frame (nothing would gain room).
    """

    #: The room kept for what follows when it is a table (its header row and first row).
    TABLE_START = 40.0
    #: The space after the paragraph before it still overlaps the heading's space before
    #: (reportlab's attached space), as if this marker were not there.
    _SPACETRANSFER = True

    def __init__(self, block: Sequence[Flowable], after: Flowable | None = None,
                 before_after: float = 0.0, *, on_break: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.block = list(block)
        self.after = after
        self.before_after = before_after  # spacers between the block and what follows
        #: Called when the block goes to the next page, before that page is begun.
        self.on_break = on_break

    def _start_of_after(self, width: float, height: float) -> float:
        f = self.after
        if f is None:
            return 0.0
        if isinstance(f, KeepWithStart):  # a block kept together: all of it
            f.canv = self.canv  # (set on a flowable only when the frame wraps it)
            return f.need(width, height)
        if isinstance(f, Table):
            return self.TABLE_START
        _, h = f.wrapOn(self.canv, width, height)
        if isinstance(f, Paragraph):
            h = min(h, 2 * f.style.leading)
        return f.getSpaceBefore() + h  # an image, a rule: small, all of it

    def need(self, width: float, height: float) -> float:
        """The room the block and the start of what follows take (stopping early once
        it is more than ``height``)."""
        need = self.before_after
        for i, f in enumerate(self.block):
            _, h = f.wrapOn(self.canv, width, height)
            need += (f.getSpaceBefore() if i else 0) + h
            if i < len(self.block) - 1 or self.after is not None:
                need += f.getSpaceAfter()
            if need > height:
                return need
        return need + self._start_of_after(width, height - need)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        frame = self._doctemplateAttr("frame")
        if frame is None or getattr(frame, "_atTop", False):
            return 0, 0
        if self.need(availWidth, availHeight) > availHeight:
            from reportlab.platypus.doctemplate import FrameBreak

            if self.on_break is not None:
                self.on_break()
            frame.add_generated_content(FrameBreak)
        return 0, 0


def _is_heading(f: Flowable) -> bool:
    return isinstance(f, Paragraph) and bool(f.getKeepWithNext())


def _passed_over(f: Flowable) -> bool:
    """A marker between a heading and what follows it (not a block kept together)."""
    return _takes_no_room(f) and not isinstance(f, KeepWithStart)


def keep_headings(story: list[Flowable]) -> list[Flowable]:
    """``story`` with each heading (a paragraph whose style says ``keepWithNext``) kept
    with the start of what follows by a :class:`KeepWithStart` before it (and before
    the markers just above it, its bookmark among them), instead of reportlab's
    ``keepWithNext``, which is turned off on those paragraphs."""
    out: list[Flowable] = []
    i, n = 0, len(story)
    while i < n:
        f = story[i]
        if not _is_heading(f):
            out.append(f)
            i += 1
            continue
        # the run of headings (markers between them go with them)
        j = i
        headings: list[Flowable] = []
        while j < n and (_is_heading(story[j]) or _passed_over(story[j])):
            if _is_heading(story[j]):
                headings.append(story[j])
                story[j].__dict__["keepWithNext"] = 0
            j += 1
        # what follows: the next flowable that takes room (spacers before it count),
        # or the next block kept together
        k, spaced = j, 0.0
        while k < n and (_passed_over(story[k]) or type(story[k]) is Spacer):
            if type(story[k]) is Spacer:
                spaced += story[k].height
            k += 1
        after = story[k] if k < n and not isinstance(story[k], (PageBreak, CondPageBreak)) else None
        m = len(out)
        while m > 0 and _passed_over(out[m - 1]):
            m -= 1
        out.insert(m, KeepWithStart(headings, after, spaced))
        out.extend(story[i:j])
        i = j
    return out


class _Markers(ZeroSize):
    """Markers that stand together in a story, as one flowable (they are drawn at the
    same place anyway): fewer flowables for the layout to step through."""

    def __init__(self, markers: list[Flowable]) -> None:
        super().__init__()
        self.markers = markers

    def draw(self) -> None:
        for marker in self.markers:
            marker.canv = self.canv
            marker.draw()


def merge_markers(story: list[Flowable]) -> list[Flowable]:
    """``story`` with each run of adjacent markers (bookmarks, anchors, progress and
    context markers; not :class:`KeepWithStart`, which may move what follows it to the
    next page) made into one."""
    out: list[Flowable] = []
    run: list[Flowable] = []
    for f in story:
        if isinstance(f, ZeroSize) and not isinstance(f, KeepWithStart):
            run.append(f)
            continue
        if run:
            out.append(run[0] if len(run) == 1 else _Markers(run))
            run = []
        out.append(f)
    if run:
        out.append(run[0] if len(run) == 1 else _Markers(run))
    return out


class Anchor(ZeroSize):
    """Zero-size marker: a named destination where it is drawn, for links to point at
    (placed when its page is written, like :class:`Bookmark`'s)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def draw(self) -> None:
        _destination(self.canv, self.key)


def _destination(canv: Canvas, key: str) -> None:
    """A named destination at the current position: placed when the page is written on
    a :class:`PagedCanvas` (which holds pages back), at once on any other canvas."""
    top = canv.absolutePosition(0, 0)[1]
    bookmark = getattr(canv, "bookmark_later", None)
    if bookmark is not None:
        bookmark(key, top)
    else:
        canv.bookmarkPage(key, fit="XYZ", top=top)


def hex_colour(colour: colors.Color) -> str:
    """``#rrggbb`` for paragraph markup."""
    r, g, b = (round(c * 255) for c in colour.rgb())
    return f"#{r:02x}{g:02x}{b:02x}"


def linked(text: object, target: str) -> str:
    """Paragraph markup: ``text`` (escaped) as an underlined link to the destination
    ``target`` (a :class:`Bookmark` or :class:`Anchor` key)."""
    return f'<a href="#{target}" color="{hex_colour(LINK)}"><u>{markup(text)}</u></a>'


class Bookmark(ZeroSize):
    """Zero-size marker: a PDF outline entry pointing at where it is drawn."""

    def __init__(self, key: str, title: str, level: int = 0) -> None:
        super().__init__()
        self.key, self.title, self.level = key, title, level

    def draw(self) -> None:
        canv = self.canv
        _destination(canv, self.key)
        canv.addOutlineEntry(clean_text(self.title).replace("\n", " "), self.key,
                             level=self.level, closed=False)


# -- the DRAFT watermark -------------------------------------------------------------

WATERMARK_ANGLE = 52
WATERMARK_SIZE = 120  # points
WATERMARK_DPI = 200
_WATERMARK_FORM = "draftWatermark"


@functools.lru_cache(maxsize=1)
def _watermark_picture() -> Any | None:
    """The diagonal DRAFT as a transparent Pillow image (about 200 dpi), or None;
    drawn once per process.

    A picture rather than text: text-extraction tools (pdftotext, screen
    readers) break diagonal text into fragments such as "DR AF T" scattered
    through the page's words.  The header carries "DRAFT" as real text.
    """
    try:
        from PIL import Image as PILImage
        from PIL import ImageDraw, ImageFont

        scale = WATERMARK_DPI / 72
        font = ImageFont.truetype(str(paths.fonts_dir().resolve() / _FONT_FILES[FONT_BOLD]),
                                  round(WATERMARK_SIZE * scale))
        left, top, right, bottom = font.getbbox("DRAFT")
        pad = 8
        size = (int(right - left) + 2 * pad, int(bottom - top) + 2 * pad)
        img = PILImage.new("RGBA", size, (255, 255, 255, 0))
        grey = round(WATERMARK.red * 255)
        ImageDraw.Draw(img).text((pad - left, pad - top), "DRAFT", font=font,
                                 fill=(grey, grey, grey, 255))
        return img.rotate(WATERMARK_ANGLE, expand=True, resample=PILImage.Resampling.BICUBIC)
    except Exception:  # noqa: BLE001 - no picture rather than no PDF; the header still says DRAFT
        return None


@functools.lru_cache(maxsize=1)
def _watermark_xobject() -> PDFImageXObject | None:
    """The watermark as a PDF image (its pixels and transparency mask compressed and
    encoded as reportlab writes them), made once per process and copied into each
    PDF: no PDF pays for Pillow, decoding or compressing it again."""
    picture = _watermark_picture()
    if picture is None:
        return None
    reader = ImageReader(picture)
    name = "draftWatermarkImage"
    image = PDFImageXObject(name, reader, mask="auto")
    image.name = name
    smask = getattr(image, "_smask", None)
    if smask is not None:
        smask.name = name + "Mask"
    return image


def _draw_prepared_image(canv: Canvas, prototype: PDFImageXObject, x: float, y: float,
                         width: float, height: float) -> None:
    """What ``Canvas.drawImage`` does for an image, with the image already made:
    registered in this PDF once (a copy of ``prototype``, with its soft mask), then drawn."""
    doc = canv._doc
    reg_name = doc.getXObjectName(prototype.name)
    if doc.idToObject.get(reg_name) is None:
        image = copy.copy(prototype)
        smask = image.__dict__.pop("_smask", None)
        canv._setXObjects(image)
        doc.Reference(image, reg_name)
        doc.addForm(prototype.name, image)
        if smask is not None:
            mask = copy.copy(smask)
            canv._setXObjects(mask)
            image.smask = doc.Reference(mask, doc.getXObjectName(mask.name))
    canv._currentPageHasImages = 1
    canv.saveState()
    canv.translate(x, y)
    canv.scale(width, height)
    canv._code.append(f"/{reg_name} Do")
    canv.restoreState()
    canv._formsinuse.append(prototype.name)


def draw_watermark(canv: Canvas, page: PageGeometry) -> None:
    """Draw the DRAFT watermark across the page (defined once per PDF as a form,
    reused on each page)."""
    if not canv.hasForm(_WATERMARK_FORM):
        canv.beginForm(_WATERMARK_FORM)
        image = _watermark_xobject()
        if image is not None:
            w, h = image.width * 72 / WATERMARK_DPI, image.height * 72 / WATERMARK_DPI
            _draw_prepared_image(canv, image, (page.width - w) / 2, (page.height - h) / 2, w, h)
        else:  # no Pillow/FreeType: the same mark as (diagonal) text
            canv.saveState()
            canv.setFillColor(WATERMARK)
            canv.setFont(FONT_BOLD, WATERMARK_SIZE)
            canv.translate(page.width / 2, page.height / 2)
            canv.rotate(WATERMARK_ANGLE)
            canv.drawCentredString(0, -WATERMARK_SIZE / 3, "DRAFT")
            canv.restoreState()
        canv.endForm()
    canv.doForm(_WATERMARK_FORM)


# -- writing the file ----------------------------------------------------------------


@dataclass(frozen=True)
class PdfInfo:
    """The document information a PDF carries (the creator is always this app), also
    written as XMP metadata (title, author, subject, keywords, language).  ``extra``
    adds entries of the app's own to the document information dictionary (the
    verification stamp), which are not shown to people as the Keywords are."""

    title: str
    author: str
    subject: str
    keywords: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    language: str = "en-GB"


class _Info(PDFInfo):
    """reportlab's document information, with ``extra`` entries of our own."""

    extra: tuple[tuple[str, str], ...] = ()

    def format(self, document: Any) -> bytes:
        entries = {
            "Title": PDFString(self.title), "Author": PDFString(self.author),
            "Subject": PDFString(self.subject), "Keywords": PDFString(self.keywords),
            "Creator": PDFString(self.creator), "Producer": PDFString(self.producer),
            "Trapped": PDFName(self.trapped),
        }
        entries["CreationDate"] = entries["ModDate"] = PDFDate(
            ts=document._timeStamp, dateFormatter=self._dateFormatter)
        for key, value in self.extra:
            entries[key] = PDFString(value)
        return PDFDictionary(entries).format(document)


def _xmp(info: PdfInfo, creator: str) -> str:
    """The XMP packet: Dublin Core title, creator, description and language, and the
    PDF keywords and producer, as a PDF/UA checker looks for them."""
    e = functools.partial(escape, entities={'"': "&quot;"})
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">\n'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(info.title)}</rdf:li></rdf:Alt></dc:title>\n'
        f'<dc:creator><rdf:Seq><rdf:li>{e(info.author)}</rdf:li></rdf:Seq></dc:creator>\n'
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(info.subject)}</rdf:li>'
        '</rdf:Alt></dc:description>\n'
        f'<dc:language><rdf:Bag><rdf:li>{e(info.language)}</rdf:li></rdf:Bag></dc:language>\n'
        f'<pdf:Keywords>{e(info.keywords)}</pdf:Keywords>\n'
        f'<pdf:Producer>{e(creator)}</pdf:Producer>\n'
        f'<xmp:CreatorTool>{e(creator)}</xmp:CreatorTool>\n'
        f'<xmp:CreateDate>{now}</xmp:CreateDate>\n'
        '</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>'
    )


def write_pdf(out: Path | BinaryIO, story: list[Flowable], *, page: PageGeometry, info: PdfInfo,
              on_page: Callable[[Canvas, BaseDocTemplate], None], decorate: Decorate,
              outline: bool = False) -> None:
    """Lay ``story`` out on ``page`` and write it to ``out``.

    ``on_page`` draws before each page's content (header, watermark);
    ``decorate`` draws once the page count is known (footer, "Page X of Y").
    ``outline`` opens the PDF with its bookmarks showing.

    Written through :func:`scrutiny_desktop.atomic.atomic_write`: under a
    temporary name in the same folder, moved into place only when complete; on
    any error the temporary file is removed and ``out`` is left as it was, and a
    failure to write is one sentence naming the file and its folder.  ``out`` may
    instead be an open binary file, which is written to as it is.
    """
    register_fonts()
    with (atomic_write(out) if isinstance(out, Path) else contextlib.nullcontext(out)) as fh:
        doc = BaseDocTemplate(
            fh, pagesize=(page.width, page.height), leftMargin=page.margin,
            rightMargin=page.margin, topMargin=page.v_margin, bottomMargin=page.v_margin,
            title=info.title, author=info.author, subject=info.subject,
            creator=f"Scrutiny Desktop {__version__}", keywords=info.keywords, lang=info.language,
            displayDocTitle=True, initialFontName=FONT, initialFontSize=10.5)
        frame = Frame(page.margin, page.v_margin, page.content_width, page.content_height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])

        creator = f"Scrutiny Desktop {__version__}"

        def canvasmaker(*args: Any, **kwargs: Any) -> PagedCanvas:
            canv = PagedCanvas(*args, decorate=decorate, **kwargs)
            own = _Info()
            own.extra = info.extra
            canv._doc.info = own  # the template's title, author... are set on it next
            canv.setCatalogEntry("Metadata", XMP(creator=lambda _doc: _xmp(info, creator).encode("utf-8")))
            if outline:
                canv.showOutline()
            return canv

        with collector_paused():  # (see scrutiny_desktop.gc_pause)
            doc.build(story, canvasmaker=canvasmaker)
