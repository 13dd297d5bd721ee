"""The PDF machinery both reports share (issue 10, item 4): the assessment summary and
the comparison are laid out differently but take their fonts, safe text, header and
footer, "Page X of Y" and truncation from one module, ``report.pdfkit``.

Real documents made through the services, real PDFs in tmp_path, read back with
pdftotext and pdffonts (poppler-utils, required: a missing tool fails these tests).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from scrutiny_desktop import paths, settings
from scrutiny_desktop.report import compare_pdf, pdf, pdf_sections, pdfkit
from scrutiny_desktop.report.compare_pdf import build_compare_pdf
from scrutiny_desktop.report.data import ReportOptions, collect
from scrutiny_desktop.report.pdf import build_pdf
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.services.compare import compare
from tests.helpers import make_doc, pdftotext_pages, tool

MARKING = "OFFICIAL-SENSITIVE"
#: Noto Sans (regular) plus characters it lacks, which DejaVu Sans prints.
#: A scrutineer whose name needs the accented letters of the embedded fonts.
SCRUTINEER = "Siân Llŷr-Wójcik"
SYMBOLS = "Attendance ≥ 90% → ✓ & <b>not bold</b>"


def fonts(path: Path) -> dict[str, bool]:
    """Each font pdffonts lists, without its subset prefix, and whether it is embedded."""
    out = subprocess.run([tool("pdffonts"), str(path)], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    header = out[0]
    emb = header.index(" emb ") + 1
    found = {}
    for line in out[2:]:
        name = line.split()[0].split("+", 1)[-1]
        found[name] = line[emb:emb + 3] == "yes"
    return found


def both_pdfs(folder: Path, cis, *, partnership: str = "Northshire Partnership",
              marking: str = MARKING) -> dict[str, Path]:
    """The assessment summary of the later document and the comparison of the two."""
    earlier = make_doc(folder / "earlier.scrutiny", cis, period="2024-25", partnership=partnership,
                       scrutineer=SCRUTINEER, judgements={"ARR-01": "limited"},
                       findings={"ARR-01": f"Earlier: {SYMBOLS}"})
    later = make_doc(folder / "later.scrutiny", cis, period="2025-26", partnership=partnership,
                     scrutineer=SCRUTINEER, judgements={"ARR-01": "limited", "ARR-02": "limited"},
                     findings={"ARR-01": f"Later: {SYMBOLS}", "ARR-02": "Only in the later one."})
    with open_assessment(earlier, readonly=True) as e, open_assessment(later, readonly=True) as lt:
        comparison = compare(e, lt)
        data = collect(lt, ReportOptions(protective_marking=marking))
    return {"summary": build_pdf(data, folder / "summary.pdf"),
            "comparison": build_compare_pdf(comparison, folder / "comparison.pdf", marking)}


# -- one machinery, two layouts -------------------------------------------------------------


def test_both_pdfs_draw_every_header_and_footer_with_the_one_page_furniture(
        tmp_path, cis, monkeypatch):
    """Each page of each PDF gets its header and its "Page X of Y" footer from
    pdfkit.PageFurniture, and from nothing else."""
    headers: dict[float, int] = defaultdict(int)
    footers: dict[float, list[tuple[int, int]]] = defaultdict(list)
    draw_header, draw_footer = pdfkit.PageFurniture.draw_header, pdfkit.PageFurniture.draw_footer

    def spy_header(self, canv, *args):
        headers[self.page.width] += 1
        draw_header(self, canv, *args)

    def spy_footer(self, canv, number, total):
        footers[self.page.width].append((number, total))
        draw_footer(self, canv, number, total)

    monkeypatch.setattr(pdfkit.PageFurniture, "draw_header", spy_header)
    monkeypatch.setattr(pdfkit.PageFurniture, "draw_footer", spy_footer)
    made = both_pdfs(tmp_path, cis)

    for name, width in (("summary", pdfkit.A4_PORTRAIT.width),
                        ("comparison", pdfkit.A4_LANDSCAPE.width)):
        pages = len(PdfReader(made[name]).pages)
        assert headers[width] == pages, name
        assert footers[width] == [(n, pages) for n in range(1, pages + 1)], name


def test_both_pdfs_embed_the_same_bundled_fonts(tmp_path, cis):
    made = both_pdfs(tmp_path, cis)
    summary, comparison = fonts(made["summary"]), fonts(made["comparison"])
    # The same fonts, from the same files; the report also sets its judgement marks'
    # symbols in bold DejaVu Sans.
    assert comparison.items() <= summary.items()
    assert set(summary) - set(comparison) <= {"DejaVuSans-Bold"}
    bundled = {"NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic", "DejaVuSans"}
    assert bundled <= set(summary)
    assert all(summary[name] for name in bundled), "every bundled font used is embedded"
    # registered from absolute paths in the bundled fonts folder
    folder = paths.fonts_dir().resolve()
    for name in (pdfkit.FONT, pdfkit.FONT_BOLD, pdfkit.FONT_ITALIC, pdfkit.FALLBACK_FONT):
        file = Path(pdfmetrics.getFont(name).face.filename)
        assert file.is_absolute() and file.parent == folder, name


def test_both_pdfs_print_the_marking_twice_and_page_x_of_y_on_every_page(tmp_path, cis):
    made = both_pdfs(tmp_path, cis, marking="OFFICIAL")
    for name, path in made.items():
        pages = pdftotext_pages(path)
        assert len(pages) == len(PdfReader(path).pages)
        for number, text in enumerate(pages, start=1):
            assert text.count("OFFICIAL") == 2, f"{name}, page {number}"
            assert f"Page {number} of {len(pages)}" in text, f"{name}, page {number}"
        # the shared safe text: markup and symbols print as typed
        assert SYMBOLS in " ".join(" ".join(pages).split()), name


def test_a_long_partnership_and_marking_are_fitted_the_same_way_in_both(tmp_path, cis):
    partnership = "The Very Long Named Safeguarding Children Partnership of Northshire " * 3
    marking = "OFFICIAL-SENSITIVE PERSONAL: NOT FOR CIRCULATION BEYOND THE BOARD " * 3
    made = both_pdfs(tmp_path, cis, partnership=partnership.strip(), marking=marking)
    for name, path in made.items():
        for number, text in enumerate(pdftotext_pages(path), start=1):
            lines = [line for line in text.splitlines() if "OFFICIAL-SENSITIVE PERSONAL" in line]
            assert len(lines) == 2 and all("…" in line for line in lines), f"{name}, page {number}"
    for page in (pdfkit.A4_PORTRAIT, pdfkit.A4_LANDSCAPE):
        furniture = pdfkit.PageFurniture(page, marking, footer_left=partnership)
        room = page.content_width - 2 * pdfkit.MARKING_INSET
        assert furniture.marking_size == pdfkit.MARKING_MIN_SIZE
        assert furniture.marking.endswith("…")
        assert pdfmetrics.stringWidth(furniture.marking, pdfkit.FONT_BOLD, 7) <= room
        assert furniture.footer_left.endswith("…")
        assert pdfmetrics.stringWidth(furniture.footer_left, pdfkit.FONT, 8) <= furniture.footer_room


def test_truncate_keeps_the_longest_prefix_that_fits():
    """One truncation (a binary search) for both reports: the result is what cutting
    one character at a time would give."""
    pdfkit.register_fonts()

    def by_hand(text: str, width: float) -> str:
        while text and pdfmetrics.stringWidth(text + "…", pdfkit.FONT, 8) > width:
            text = text[:-1]
        return text.rstrip() + "…"

    text = "Northshire & Westvale Safeguarding Children Partnership, 2025-26 ≥ Siân"
    full = pdfmetrics.stringWidth(text, pdfkit.FONT, 8)
    assert pdfkit.truncate(text, pdfkit.FONT, 8, full) == text
    for width in (0, 5, 20, 50.5, 100, full - 1):
        assert pdfkit.truncate(text, pdfkit.FONT, 8, width) == by_hand(text, width), width


def test_the_reports_share_the_machinery_rather_than_copy_it():
    """Neither layout module defines its own palette, canvas, truncation or text safety,
    and the comparison's default marking is the one in settings."""
    for module in (pdf, pdf_sections, compare_pdf):
        source = inspect.getsource(module)
        for copy in ("def _truncate", "def _one_line", "class _NumberedCanvas", "class _PagedCanvas",
                     "HexColor(\"#1b1b1b\")", "def markup", "def register_fonts", "rl_config",
                     "DEFAULT_MARKING = "):
            assert copy not in source, f"{module.__name__}: {copy}"
    assert compare_pdf.para is pdf.para is pdfkit.para
    default = inspect.signature(build_compare_pdf).parameters["protective_marking"].default
    assert default == settings.DEFAULT_MARKING
    assert pdf._styles()["body"].__dict__ == compare_pdf._styles()["body"].__dict__


def test_importing_either_report_empties_reportlabs_trusted_hosts():
    for module in ("compare_pdf", "pdf"):
        code = (f"import scrutiny_desktop.report.{module}; from reportlab import rl_config; "
                "raise SystemExit(rl_config.trustedHosts != [] or rl_config.trustedSchemes != [])")
        assert subprocess.run([sys.executable, "-c", code], env={**os.environ}).returncode == 0, module
