"""The PDF summary of an assessment (reportlab platypus, A4).

``build_pdf(data, out)`` turns a :class:`~scrutiny_desktop.report.data.ReportData`
snapshot into a PDF.  It never touches storage or Qt, so it can run on a
worker thread; ``progress(done, total)`` is called as the pages are laid out.
The file is written beside ``out`` under a temporary name and moved into place
at the end, so a failed export never leaves half a PDF behind.

Text safety: every string that came from a person (or from a template file)
goes through :func:`para` (by way of :func:`markup`), which removes control
characters and escapes ``& < >`` before reportlab's paragraph parser sees it, so
markup in user text is printed as typed and can never become a tag (an
``<img>`` above all).

Glyphs: text is set in the bundled Noto Sans, which covers Latin, Greek and
Cyrillic but not symbols such as ``≥ ≤ ≠ → ← ✓ ✗``.  :func:`markup` sets every
run of characters Noto lacks in the bundled DejaVu Sans instead (bold in a bold
context), and replaces a character that neither font has (CJK, most emoji)
with ``□`` (U+25A1), so a reader sees that something could not be printed
rather than a silent gap (characters beyond U+FFFF count as missing: reportlab
cannot map them back to text).  Invisible format characters (zero-width
joiners, variation selectors, emoji skin-tone modifiers) that neither font has
are dropped.  Right-to-left text is not reordered or shaped (reportlab cannot).
Text drawn straight on the canvas or in the chart (the protective marking, the
footer, chart labels) is in Noto only.
reportlab may not fetch anything from anywhere: its trusted hosts and schemes
are emptied when this module is imported.

Layout: cover; summary (table and chart); recommendations table; one page
run per section (each with a PDF bookmark); sign-off and fingerprint.  Every
page carries the protective marking in its header and footer and
"Page X of Y"; an unsigned document has a DRAFT watermark on every page.
"""

from __future__ import annotations

import functools
import io
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config

# Nothing in a PDF export may reach out to a host or URL scheme (an <img src>
# smuggled into user text is escaped anyway; this is the second lock).
rl_config.trustedHosts = []
rl_config.trustedSchemes = []

from reportlab.graphics.charts.barcharts import HorizontalBarChart  # noqa: E402
from reportlab.graphics.charts.legends import Legend  # noqa: E402
from reportlab.graphics.shapes import Drawing  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER  # noqa: E402
from reportlab.lib.fonts import addMapping, ps2tt  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable  # noqa: E402

from scrutiny_desktop.text import date_text, time_text, when_text
from scrutiny_desktop import __version__, paths  # noqa: E402
from scrutiny_desktop.atomic import atomic_write  # noqa: E402
from scrutiny_desktop.report.data import ReportData, ReportQuestion, ReportSection  # noqa: E402
from scrutiny_desktop.report.stamp import Stamp  # noqa: E402
from scrutiny_desktop.services.evidence import EvidenceView  # noqa: E402
from scrutiny_desktop.services.recommendations import RecommendationView  # noqa: E402
from scrutiny_desktop.services.signoff import SignOffView  # noqa: E402

Progress = Callable[[int, int], None]

DEFAULT_TITLE = "Independent scrutiny assessment"
DRAFT_LINE = "Not signed off: this is a draft."
NO_RECOMMENDATIONS = "No recommendations were made."
VERIFY_SENTENCE = ("To check that this summary matches the assessment file, run: "
                   "scrutiny-desktop verify THIS.pdf --against FILE.scrutiny "
                   "(or use File > Verify a PDF… in the app).")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 2 * cm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

LOGO_MAX_HEIGHT = 4 * cm
LOGO_MAX_WIDTH = 8 * cm
LOGO_MAX_BYTES = 20 * 1024 * 1024
SIGNATURE_MAX_WIDTH = 5 * cm
SIGNATURE_MAX_HEIGHT = 2.5 * cm
IMAGE_MAX_PIXELS = 40_000_000

INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b0b0b0")
SHADE = colors.HexColor("#e8ecf0")
HEADER_SHADE = colors.HexColor("#d5dde6")
WATERMARK = colors.Color(0.82, 0.82, 0.82)

# -- fonts -----------------------------------------------------------------

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


# -- text safety -------------------------------------------------------------

# Control characters (but not \n and \t), C1 controls, lone surrogates and the
# two XML non-characters: reportlab's parser or the PDF string encoder chokes on
# them, and none of them prints anyway.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: object) -> str:
    """User text made safe to lay out: newlines normalised, control characters gone."""
    if text is None:
        return ""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    s = s.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _UNPRINTABLE.sub("", s)


def _ignorable(ch: str) -> bool:
    """An invisible character that may be dropped when no font has it."""
    cp = ord(ch)
    return (unicodedata.category(ch) == "Cf"  # joiners, direction marks, tags
            or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF  # variation selectors
            or 0x1F3FB <= cp <= 0x1F3FF)  # emoji skin-tone modifiers


def _font_runs(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into (needs the fallback font, run) pairs.

    A character Noto Sans lacks goes to a fallback run if DejaVu Sans has it;
    otherwise it becomes :data:`MISSING_GLYPH` (itself a fallback character),
    or disappears if it is an invisible format character.
    """
    if text.isascii():
        return [(False, text)] if text else []
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


def para(text: object, style: ParagraphStyle, *, label: str = "") -> Paragraph:
    """A Paragraph of user text, always escaped; ``label`` (ours) is set in bold before it."""
    register_fonts()  # the styles name our fonts; reportlab must know them when parsing
    body = markup(text, bold=_is_bold(style.fontName))
    if label:
        body = f"<b>{markup(label, bold=True)}</b> {body}"
    return Paragraph(body, style)


def paragraphs(text: object, style: ParagraphStyle) -> list[Paragraph]:
    """Free text as one Paragraph per blank-line-separated block, newlines kept.

    Separate paragraphs keep a very long field cheap to split across pages.
    """
    blocks = [b for b in re.split(r"\n[ \t]*\n", clean_text(text).strip("\n")) if b.strip()]
    return [para(b, style) for b in blocks]


# -- dates -------------------------------------------------------------------

# One way of writing dates for people, shared with the screen and the command line.
uk_date = date_text
uk_time = time_text
uk_datetime = when_text


# -- styles ------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK,
                          splitLongWords=1, spaceAfter=4)
    s = {"body": base}

    def add(name, **kw):
        s[name] = ParagraphStyle(name, parent=s.get(kw.pop("parent", "body")), **kw)

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
    add("cell", fontSize=8.5, leading=11, spaceAfter=0)
    add("cell_head", fontName=FONT_BOLD, fontSize=8, leading=10, spaceAfter=0)
    add("cell_num", fontSize=8.5, leading=11, spaceAfter=0, alignment=TA_CENTER)
    add("cell_head_num", fontName=FONT_BOLD, fontSize=8, leading=10, spaceAfter=0,
        alignment=TA_CENTER)
    add("label", fontName=FONT_BOLD, fontSize=9, leading=12, spaceAfter=0, textColor=MUTED)
    add("value", fontSize=10, leading=13, spaceAfter=0)
    add("small", fontSize=8.5, leading=11, textColor=MUTED)
    add("fingerprint", fontSize=8.5, leading=11)
    return s


# -- flowables ---------------------------------------------------------------


class _Bookmark(Flowable):
    """Zero-size marker: a PDF outline entry pointing at where it is drawn."""

    def __init__(self, key: str, title: str, level: int = 0):
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        canv = self.canv
        top = canv.absolutePosition(0, 0)[1]
        bookmark = getattr(canv, "bookmark_later", None)
        if bookmark is not None:
            bookmark(self.key, top)
        else:
            canv.bookmarkPage(self.key, fit="XYZ", top=top)
        canv.addOutlineEntry(clean_text(self.title).replace("\n", " "), self.key,
                             level=self.level, closed=False)


class _Tick(Flowable):
    """Zero-size marker that reports progress when the layout reaches it."""

    def __init__(self, report: Callable[[], None]):
        super().__init__()
        self.report = report
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        self.report()


class _PagedCanvas(Canvas):
    """Holds pages back until the end, so each can say "Page X of Y".

    Bookmarks are placed when a page is finally emitted (reportlab resolves a
    bookmark against the page being written, which is only known then).
    """

    def __init__(self, *args, decorate: Callable[[Canvas, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._held_pages: list[dict] = []
        self._page_bookmarks: list[tuple[str, float]] = []

    def bookmark_later(self, key: str, top: float) -> None:
        self._page_bookmarks.append((key, top))

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._startPage()
        self._page_bookmarks = []

    def save(self):
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            for key, top in self._page_bookmarks:
                self.bookmarkPage(key, fit="XYZ", top=top)
            self._decorate(self, number, total)
            super().showPage()
        super().save()


# -- helpers -----------------------------------------------------------------


def _image_size_ok(reader: ImageReader) -> tuple[int, int] | None:
    w, h = reader.getSize()
    if w <= 0 or h <= 0 or w * h > IMAGE_MAX_PIXELS:
        return None
    return w, h


def _fit(w: float, h: float, max_w: float, max_h: float) -> tuple[float, float]:
    scale = min(max_w / w, max_h / h)
    return w * scale, h * scale


def _logo(path: Path | None) -> Image | None:
    """The organisation's logo, or None if it is missing or unusable (never an error)."""
    if not path:
        return None
    try:
        path = Path(path)
        if not path.is_file() or path.stat().st_size > LOGO_MAX_BYTES:
            return None
        raw = path.read_bytes()
        if not (raw.startswith(b"\x89PNG\r\n\x1a\n") or raw.startswith(b"\xff\xd8\xff")):
            return None
        size = _image_size_ok(ImageReader(io.BytesIO(raw)))
        if size is None:
            return None
        w, h = _fit(*size, LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT)
        image = Image(io.BytesIO(raw), width=w, height=h)
        image.hAlign = "LEFT"
        # Decode it now, so that a broken file is skipped here, not mid-build.
        ImageReader(io.BytesIO(raw)).getRGBData()
        return image
    except Exception:  # a bad logo must not break the export
        return None


def _signature(png: bytes | None) -> Image | None:
    if not png:
        return None
    try:
        reader = ImageReader(io.BytesIO(png))
        size = _image_size_ok(reader)
        if size is None:
            return None
        reader.getRGBData()
        w, h = _fit(*size, SIGNATURE_MAX_WIDTH, SIGNATURE_MAX_HEIGHT)
        image = Image(io.BytesIO(png), width=w, height=h)
        image.hAlign = "LEFT"
        return image
    except Exception:
        return None


def table(rows, widths, *, header=True, extra_style: Iterable = (),
          split_in_row: bool | None = None) -> Table:
    """A report table: ruled rows, a shaded header row repeated on each page."""
    style = [
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
    # kept short, see _excerpt), while a key/value table without one may, so a
    # very long value continues on the next page instead of failing the export.
    if split_in_row is None:
        split_in_row = not header
    return Table(rows, colWidths=widths, repeatRows=1 if header else 0,
                 splitInRow=1 if split_in_row else 0, style=TableStyle(style), hAlign="LEFT")


TABLE_TEXT_LIMIT = 600  # characters of free text in a table cell


def _excerpt(text: object, limit: int = TABLE_TEXT_LIMIT) -> str:
    """Text for a table cell, on one line and at most ``limit`` characters."""
    line = _one_line(text)
    return line if len(line) <= limit else line[:limit].rstrip() + "…"


def _signer_line(s: SignOffView) -> str:
    return ", ".join(x for x in (clean_text(s.name), clean_text(s.role)) if x)


def _one_line(text: object) -> str:
    return " ".join(clean_text(text).split())


def _truncate(text: str, font: str, size: float, width: float) -> str:
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
    out[-1] = _truncate(out[-1], font, size, width)
    return "\n".join(_truncate(x, font, size, width) for x in out)


# -- the DRAFT watermark -----------------------------------------------------

WATERMARK_ANGLE = 52
WATERMARK_SIZE = 120  # points
_WATERMARK_FORM = "draftWatermark"


@functools.lru_cache(maxsize=1)
def _watermark_png() -> bytes | None:
    """The diagonal DRAFT as a transparent PNG (about 200 dpi), or None.

    A picture rather than text: text-extraction tools (pdftotext, screen
    readers) break diagonal text into fragments such as "DR AF T" scattered
    through the page's words.  The header carries "DRAFT" as real text.
    """
    try:
        from PIL import Image as PILImage
        from PIL import ImageDraw, ImageFont

        scale = 200 / 72
        font = ImageFont.truetype(str(paths.fonts_dir().resolve() / _FONT_FILES[FONT_BOLD]),
                                  round(WATERMARK_SIZE * scale))
        left, top, right, bottom = font.getbbox("DRAFT")
        pad = 8
        img = PILImage.new("RGBA", (right - left + 2 * pad, bottom - top + 2 * pad), (255, 255, 255, 0))
        grey = round(WATERMARK.red * 255)
        ImageDraw.Draw(img).text((pad - left, pad - top), "DRAFT", font=font,
                                 fill=(grey, grey, grey, 255))
        img = img.rotate(WATERMARK_ANGLE, expand=True, resample=PILImage.Resampling.BICUBIC)
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=True)
        return buf.getvalue()
    except Exception:
        return None


def _draw_watermark(canv: Canvas) -> None:
    """Draw the DRAFT watermark (defined once per PDF as a form, reused on each page)."""
    if not canv.hasForm(_WATERMARK_FORM):
        canv.beginForm(_WATERMARK_FORM)
        png = _watermark_png()
        if png is not None:
            reader = ImageReader(io.BytesIO(png))
            w, h = reader.getSize()
            w, h = w * 72 / 200, h * 72 / 200
            canv.drawImage(reader, (PAGE_WIDTH - w) / 2, (PAGE_HEIGHT - h) / 2, w, h, mask="auto")
        else:  # no Pillow/FreeType: the same mark as (diagonal) text
            canv.saveState()
            canv.setFillColor(WATERMARK)
            canv.setFont(FONT_BOLD, WATERMARK_SIZE)
            canv.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canv.rotate(WATERMARK_ANGLE)
            canv.drawCentredString(0, -WATERMARK_SIZE / 3, "DRAFT")
            canv.restoreState()
        canv.endForm()
    canv.doForm(_WATERMARK_FORM)


# -- the document ------------------------------------------------------------


class _Builder:
    def __init__(self, data: ReportData, progress: Progress | None):
        self.data = data
        self.s = _styles()
        self.progress = progress
        self.ticks_total = 0
        self.ticks_done = 0
        self.marking = _one_line(data.options.protective_marking)
        # The marking is set in 10 pt bold, smaller (down to 7 pt) if it is long.
        self.marking_size = 10.0
        while (self.marking_size > 7 and pdfmetrics.stringWidth(
                self.marking, FONT_BOLD, self.marking_size) > CONTENT_WIDTH - 2 * 2.2 * cm):
            self.marking_size -= 0.5
        self.marking = _truncate(self.marking, FONT_BOLD, self.marking_size, CONTENT_WIDTH - 2 * 2.2 * cm)
        self.draft = data.signoff is None
        self.rec_numbers = {n.recommendation.id: n.number for n in data.recommendations}
        self.options = [(v, clean_text(label)) for v, label in data.template.judgement_options()]

    # progress ---------------------------------------------------------------
    def tick(self) -> _Tick:
        self.ticks_total += 1
        return _Tick(self._advance)

    def _advance(self) -> None:
        self.ticks_done += 1
        if self.progress is not None:
            self.progress(self.ticks_done, self.ticks_total + 1)

    # page furniture -----------------------------------------------------------
    def on_page(self, canv: Canvas, doc) -> None:
        """Drawn before each page's content: header marking and the watermark."""
        if self.draft:
            _draw_watermark(canv)
        canv.saveState()
        y = PAGE_HEIGHT - 1.25 * cm
        if self.marking:
            canv.setFont(FONT_BOLD, self.marking_size)
            canv.setFillColor(INK)
            canv.drawCentredString(PAGE_WIDTH / 2, y, self.marking)
        if self.draft:
            canv.setFont(FONT_BOLD, 8)
            canv.setFillColor(MUTED)
            canv.drawString(MARGIN, y, "DRAFT")
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, PAGE_HEIGHT - 1.5 * cm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 1.5 * cm)
        canv.restoreState()

    def decorate(self, canv: Canvas, number: int, total: int) -> None:
        """Drawn on each page once the page count is known: the footer."""
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, 1.6 * cm, PAGE_WIDTH - MARGIN, 1.6 * cm)
        y = 1.1 * cm
        if self.marking:
            canv.setFont(FONT_BOLD, self.marking_size)
            canv.setFillColor(INK)
            canv.drawCentredString(PAGE_WIDTH / 2, y, self.marking)
        canv.setFont(FONT, 8)
        canv.setFillColor(MUTED)
        canv.drawRightString(PAGE_WIDTH - MARGIN, y, f"Page {number} of {total}")
        info = self.data.info
        period = f", {_one_line(info.period)}"
        marking_w = pdfmetrics.stringWidth(self.marking, FONT_BOLD, self.marking_size)
        room = (PAGE_WIDTH - marking_w) / 2 - MARGIN - 12
        period_w = pdfmetrics.stringWidth(period, FONT, 8)
        if room - period_w > 40:
            left = _truncate(_one_line(info.partnership), FONT, 8, room - period_w) + period
        else:
            left = _truncate(_one_line(info.partnership) + period, FONT, 8, room)
        if room > 30:
            canv.drawString(MARGIN, y, left)
        canv.restoreState()

    # sections of the document ------------------------------------------------
    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        story += self.cover()
        story.append(self.tick())
        story.append(PageBreak())
        story += self.summary()
        story.append(self.tick())
        story.append(PageBreak())
        story += self.recommendations_table()
        story.append(self.tick())
        for section in self.data.sections:
            story.append(PageBreak())
            story += self.section(section)
        if self.data.review is not None:
            story.append(PageBreak())
            story += self.response_section()
        story.append(PageBreak())
        story += self.signoff_block()
        story += self.fingerprint_block()
        story.append(self.tick())
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
            status += f" by {_signer_line(d.signoff)} on {uk_date(d.signoff.signed_at)}"
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
            ("Created", uk_date(info.created_at)),
            ("Last modified", uk_date(info.modified_at)),
            ("Generated", uk_datetime(d.options.generated_at)),
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
        words = [w for label in labels + ["Answered", "Required"] for w in label.split()]
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
            _wrap_label(_one_line(f"{sec.number}. {sec.title}"), FONT, 8, label_w - 12)
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
        fills = _chart_colours(len(labels) - 1) + [colors.white]
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
            (fill, _truncate(label, FONT, 8, col_w - 24)) for fill, label in zip(fills, labels, strict=True)]
        drawing.add(legend)
        return drawing

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
            text = _excerpt(r.text)
            if text != _one_line(r.text):
                text += f" (in full under question {n.question_number})"
            rows.append([
                para(str(n.number), s["cell"]),
                para(text, s["cell"]),
                para(_excerpt(r.owner_label, 200), s["cell"]),
                para(r.priority_label, s["cell"]),
                para(uk_date(r.due) or "None set", s["cell"]),
                para(f"Q{n.question_number} ({n.question_id})", s["cell"]),
            ])
        out.append(table(rows, widths))
        return out

    def section(self, section: ReportSection) -> list[Flowable]:
        s = self.s
        title = f"{section.number}. {section.title}"
        out: list[Flowable] = [_Bookmark(f"section-{section.number}", _one_line(title)),
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
        out: list[Flowable] = head
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
        comment = self.data.review.comments.get(q.id, "") if self.data.review else ""
        if clean_text(comment).strip():
            out.append(para("Chair's comment", s["h3"]))
            out += paragraphs(comment, s["body"])
        return out

    def evidence(self, i: int, e: EvidenceView) -> list[Flowable]:
        s = self.s
        out = [para(e.title, s["item_title"], label=f"{i}.")]
        meta = [e.kind_label]
        if e.date:
            meta.append(uk_date(e.date))
        if clean_text(e.source).strip():
            meta.append(f"Source: {_one_line(e.source)}")
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
        out = [para(r.text, s["item_title"], label=label)]
        meta = [f"Owner: {_one_line(r.owner_label)}", f"Priority: {r.priority_label}",
                f"Target date: {uk_date(r.due) or 'none set'}", f"Status: {r.status_label}"]
        out.append(para(" · ".join(meta), s["item_meta"]))
        if clean_text(r.carried_from).strip():
            out.append(para(f"Carried forward from {_one_line(r.carried_from)}.", s["item_meta"]))
        if clean_text(r.progress).strip():
            out += paragraphs(r.progress, s["item"])
        return out

    def signoff_block(self) -> list[Flowable]:
        d, s = self.data, self.s
        out: list[Flowable] = [para("Sign-off", s["h1"])]
        so = d.signoff
        if so is None:
            out.append(para(DRAFT_LINE, s["h2"]))
            out.append(para("The assessment has not been signed off, so this summary may still "
                            "change. Every page is marked DRAFT.", s["body"]))
        else:
            rows = [("Name", so.name), ("Role", so.role or "Not given"),
                    ("Signed off", uk_datetime(so.signed_at)),
                    ("Status", d.info.status_label)]
            cells = [[para(k, s["label"]), para(v, s["value"])] for k, v in rows]
            out.append(table(cells, [4 * cm, CONTENT_WIDTH - 4 * cm], header=False))
            out.append(Spacer(1, 8))
            out.append(para("Statement", s["h3"]))
            out += paragraphs(so.statement, s["body"])
            image = _signature(d.signature_png)
            if image is not None:
                out.append(para("Signature", s["h3"]))
                out.append(Spacer(1, 4))
                out.append(image)
                out.append(HRFlowable(width=SIGNATURE_MAX_WIDTH + 1 * cm, thickness=0.6,
                                      color=MUTED, hAlign="LEFT", spaceBefore=2, spaceAfter=2))
                out.append(para(so.name, s["small"]))
            elif d.signature_png:
                out.append(para("The drawn signature could not be shown.", s["empty"]))
        out += self.review_block()
        voided = [h for h in d.signoff_history if h.voided]
        if voided:
            out.append(para("Earlier sign-offs, since voided", s["h2"]))
            for h in voided:
                out.append(para(
                    f"Voided on {uk_datetime(h.voided_at)} by {_one_line(h.voided_by) or 'unknown'}: "
                    f"{_one_line(h.void_reason)} (signed off by {_signer_line(h)} on "
                    f"{uk_datetime(h.signed_at)}).", s["body"]))
        return out

    def response_section(self) -> list[Flowable]:
        """The partnership's response: overall response, decisions, question comments."""
        rv, s = self.data.review, self.s
        if rv is None:
            return []
        out: list[Flowable] = [_Bookmark("partnership-response", "Partnership response"),
                               para("Partnership response", s["h1"])]
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
                rows.append([para(str(d.number), s["cell"]), para(_excerpt(d.text), s["cell"]),
                             para(d.decision_label, s["cell"]), para(_excerpt(d.detail), s["cell"]),
                             para(_excerpt(d.action_owner, 200), s["cell"]),
                             para(uk_date(d.action_due) or "", s["cell"])])
            out.append(table(rows, widths))
        if rv.comments:
            out.append(para("Comments on questions", s["h2"]))
            numbers = {q.id: q.number for sec in self.data.sections for q in sec.questions}
            for qid, text in sorted(rv.comments.items(), key=lambda kv: numbers.get(kv[0], 0)):
                out.append(para(f"Question {numbers.get(qid, '?')} ({qid})", s["h3"]))
                out += paragraphs(text, s["body"])
        out.append(self.tick())
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
            rows = [("Name", cs.name), ("Role", cs.role or "Not given"),
                    ("Countersigned", uk_datetime(cs.signed_at))]
            cells = [[para(k, s["label"]), para(v, s["value"])] for k, v in rows]
            out.append(table(cells, [4 * cm, CONTENT_WIDTH - 4 * cm], header=False))
            out.append(Spacer(1, 8))
            out.append(para("Statement", s["h3"]))
            out += paragraphs(cs.statement, s["body"])
            image = _signature(rv.countersignature_png)
            if image is not None:
                out.append(para("Signature", s["h3"]))
                out.append(Spacer(1, 4))
                out.append(image)
                out.append(HRFlowable(width=SIGNATURE_MAX_WIDTH + 1 * cm, thickness=0.6,
                                      color=MUTED, hAlign="LEFT", spaceBefore=2, spaceAfter=2))
                out.append(para(cs.name, s["small"]))
            out.append(para(rv.countersign_fingerprint, s["fingerprint"],
                            label="Countersignature fingerprint (SHA-256):"))
        for h in rv.history:
            if h.voided:
                out.append(para(
                    f"An earlier countersignature by {_one_line(h.name)} on {uk_datetime(h.signed_at)} "
                    f"was voided on {uk_datetime(h.voided_at)} by {_one_line(h.voided_by) or 'unknown'}: "
                    f"{_one_line(h.void_reason)}.", s["body"]))
        return out

    def fingerprint_block(self) -> list[Flowable]:
        s = self.s
        return [
            Spacer(1, 0.5 * cm),
            para("Fingerprint", s["h2"]),
            para(self.data.fingerprint, s["fingerprint"], label="Fingerprint (SHA-256):"),
            para(VERIFY_SENTENCE, s["small"]),
        ]


def _metadata(data: ReportData) -> dict[str, str]:
    info = data.info
    state = "draft" if data.signoff is None else info.status
    countersigned = data.review is not None and data.review.countersignature is not None
    stamp = Stamp(data.fingerprint, state, dict(data.parts),
                  data.review.countersign_fingerprint if countersigned else "").encode()
    status = "Draft" if data.signoff is None else info.status_label
    return {
        "title": _one_line(f"Independent scrutiny: {info.partnership}, {info.period}"),
        "author": _one_line(info.scrutineer_name),
        "subject": f"Independent scrutiny assessment – {status}",
        "creator": f"Scrutiny Desktop {__version__}",
        "keywords": stamp,
    }


def build_pdf(data: ReportData, out: Path, *, progress: Progress | None = None) -> Path:
    """Write the PDF summary of ``data`` to ``out`` and return ``out``.

    The PDF is written through :func:`scrutiny_desktop.atomic.atomic_write`: under
    a temporary name in the same folder, moved into place only when complete; on
    any error (including one raised by ``progress``, which a caller may use to
    cancel) the temporary file is removed and ``out`` is left as it was, and a
    failure to write is one sentence naming the file and its folder.
    """
    out = Path(out)
    register_fonts()
    builder = _Builder(data, progress)
    story = builder.story()
    total = builder.ticks_total + 1
    if progress is not None:
        progress(0, total)
    meta = _metadata(data)
    with atomic_write(out) as fh:
        doc = BaseDocTemplate(
            fh, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
            bottomMargin=MARGIN, title=meta["title"], author=meta["author"],
            subject=meta["subject"], creator=meta["creator"], keywords=meta["keywords"],
            lang="en-GB", displayDocTitle=True, initialFontName=FONT, initialFontSize=9.5)
        frame = Frame(MARGIN, MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=builder.on_page)])

        def canvasmaker(*args, **kwargs):
            canv = _PagedCanvas(*args, decorate=builder.decorate, **kwargs)
            canv.showOutline()
            return canv

        doc.build(story, canvasmaker=canvasmaker)
    if progress is not None:
        progress(total, total)
    return out
