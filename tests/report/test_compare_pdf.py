"""The comparison PDF (issue 6, item 5): real documents made through the services,
compared, exported, and read back with pypdf, pdftotext and qpdf.

pdftotext and qpdf (poppler-utils, qpdf) are required: a missing tool fails these
tests rather than skipping them.
"""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from scrutiny_desktop.report import pdfkit
from scrutiny_desktop.report.compare_pdf import TITLE, build_compare_pdf
from tests.helpers import (
    cis_pair,
    compare_files,
    make_doc,
    mini_pair,
    pdftotext_pages,
    qpdf_check,
    squash,
)

MARKUP = "<b>not bold</b> & <img src='x'/> &amp; <font color=red>plain</font>"
WELSH = "Siân Llŷr, ŵ ŷ Ŵ Ŷ"
POLISH = "Zażółć gęślą jaźń"
GREEK = "Καλημέρα κόσμε"
CYRILLIC = "Здравствуйте, мир"
EXACT = [MARKUP, WELSH, POLISH, GREEK, CYRILLIC]
PARTNERSHIP = "Northshire & <Westvale> Partnership"


@pytest.fixture
def awkward(tmp_path):
    """Two assessments whose names, periods and findings are full of markup-like text,
    ampersands and non-Latin scripts, with enough findings to run over several pages."""
    long = "\n\n".join(f"Paragraph {n}: the partnership's plan was discussed at length; " * 6
                       for n in range(8))
    earlier = make_doc(
        tmp_path / "earlier.scrutiny", partnership=PARTNERSHIP, period="2024-25 <draft>",
        judgements={"ARR-01": "limited", "ARR-02": "strong"},
        findings={"ARR-01": f"{MARKUP}\n{WELSH}\n{POLISH}",
                  "ARR-02": f"{GREEK}\n{CYRILLIC}\nControl\x07 characters\x00 vanish.",
                  "LEAD-01": long})
    later = make_doc(
        tmp_path / "later.scrutiny", partnership=PARTNERSHIP, period="2025-26 & after",
        judgements={"ARR-01": "strong", "ARR-02": "reasonable"},
        findings={"ARR-01": f"Later: {MARKUP}", "LEAD-01": long, "CYP-01": long})
    return compare_files(earlier, later)


def test_awkward_text_is_printed_exactly_as_typed(tmp_path, awkward):
    out = build_compare_pdf(awkward, tmp_path / "comparison.pdf")
    assert out == tmp_path / "comparison.pdf"
    text = "\n".join(pdftotext_pages(out))
    flat = squash(text)
    for s in EXACT:
        assert s in text, f"{s!r} did not survive"
    assert "Later: " + MARKUP in flat
    assert PARTNERSHIP in flat
    assert "2024-25 <draft>" in flat and "2025-26 & after" in flat
    assert "Control characters vanish." in flat
    assert TITLE in flat
    qpdf_check(out)


def test_marking_and_page_numbers_on_every_page(tmp_path, awkward):
    out = build_compare_pdf(awkward, tmp_path / "c.pdf", protective_marking="OFFICIAL-SENSITIVE PERSONAL")
    pages = pdftotext_pages(out)
    assert len(pages) >= 3, "long findings run over several pages"
    for n, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE PERSONAL") == 2, f"page {n}: header and footer"
        assert f"Page {n} of {len(pages)}" in page
    reader = PdfReader(str(out))
    assert len(reader.pages) == len(pages)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595), "A4 landscape"
    assert reader.metadata.title.startswith(TITLE)
    qpdf_check(out)


def test_default_marking_and_contents(tmp_path):
    """Title, both assessments, the section table, the question table with every change
    written out, and findings side by side for the questions that have them."""
    c = compare_files(*mini_pair(tmp_path))
    out = build_compare_pdf(c, tmp_path / "mini.pdf")
    pages = pdftotext_pages(out)
    flat = squash(" ".join(pages))
    assert all(p.count("OFFICIAL-SENSITIVE") == 2 for p in pages)
    for s in (TITLE, "Earlier assessment", "Later assessment", "2024-25", "2025-26",
              "Mini checklist, version 0.1", "Mini checklist, version 0.2",
              "different checklist versions", "Changes by section", "All sections",
              "Question by question", "Findings side by side",
              "Earlier wording: Is the second question worded like this?",
              "Old findings for Q2.", "New findings for Q2.",
              "Findings of a removed question.", "Findings of a new question.",
              "This question was not in the earlier checklist.",
              "This question is not in the later checklist."):
        assert s in flat, s
    for label in ("Improved", "Worsened", "New question", "Removed", "Wording changed"):
        assert label in flat, label
    qpdf_check(out)


def test_questions_without_findings_are_left_out_of_the_findings(tmp_path):
    c = compare_files(*cis_pair(tmp_path))
    out = build_compare_pdf(c, tmp_path / "cis.pdf")
    flat = squash(" ".join(pdftotext_pages(out)))
    findings_part = flat.split("Findings side by side", 1)[1]
    assert "The 3 questions with findings in either assessment." in findings_part
    assert "ARR-01 – Is it clear" in findings_part and "LEAD-02 – " in findings_part
    assert "ARR-03 – " not in findings_part and "ARR-02 – " in findings_part
    qpdf_check(out)


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    c = compare_files(*mini_pair(tmp_path))
    target = tmp_path / "exports" / "comparison.pdf"
    target.parent.mkdir()
    target.write_bytes(b"the previous export")

    def broken_save(self):
        raise OSError("disk full")

    monkeypatch.setattr(pdfkit.PagedCanvas, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        build_compare_pdf(c, target)
    assert target.read_bytes() == b"the previous export"
    assert [p.name for p in target.parent.iterdir()] == ["comparison.pdf"]

    monkeypatch.undo()
    build_compare_pdf(c, target)
    assert target.read_bytes().startswith(b"%PDF")
    assert [p.name for p in target.parent.iterdir()] == ["comparison.pdf"]
