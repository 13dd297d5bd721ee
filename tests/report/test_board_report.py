"""The PDF as a board paper (issue 12): what the pages must show, measured on real PDFs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from scrutiny_desktop.report.data import collect
from scrutiny_desktop.report.pdf import build_pdf
from scrutiny_desktop.services import answers, assessments, summary
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment
from tests.helpers import pdftotext_pages, squash, tool

#: 79 characters: an ordinary long partnership name must never be cut in the footer.
LONG_NAME = ("Royal Borough of Kensington, Westminster and Hammersmith Safeguarding Children P"
             "artnership")[:79]


@pytest.fixture(scope="module")
def report(tmp_path_factory, cis) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("board")
    path = create_assessment(folder / "board.scrutiny", cis,
                             NewAssessment(LONG_NAME, "2025-26", "Ann Jones"))
    with open_assessment(path) as doc:
        ids = assessments.question_ids(doc)
        for qid in ids:
            answers.set_judgement(doc, qid, "reasonable")
        answers.set_findings(doc, ids[0], "We found three things:\n- first finding\n- second finding\n"
                                          "1. numbered one\n2. numbered two\n\nAfter the list.")
        answers.set_findings(doc, ids[1], " ".join(["A long paragraph of findings."] * 400))
        summary.set_text(doc, "conclusion", "Overall the partners give reasonable assurance.")
        data = collect(doc)
    return build_pdf(data, folder / "board.pdf"), data


def test_every_font_is_embedded(report):
    path, _ = report
    out = subprocess.run([tool("pdffonts"), str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows, out.stdout
    for row in rows:
        assert "Helvetica" not in row, row
        # columns: name type encoding emb sub uni object ID
        assert row.split()[-5] == "yes", f"not embedded: {row}"


def test_the_full_partnership_name_is_in_every_footer(report):
    path, _ = report
    pages = pdftotext_pages(path)
    assert len(LONG_NAME) == 79
    for number, text in enumerate(pages, start=1):
        assert LONG_NAME in squash(text), f"page {number}"


def test_the_conclusion_is_in_the_first_three_pages(report):
    path, _ = report
    front = squash(" ".join(pdftotext_pages(path)[:3]))
    assert "Overall the partners give reasonable assurance." in front


def test_a_list_typed_with_dashes_and_numbers_prints_as_a_list(report, tmp_path):
    """The bullets and numbers are printed as list marks, and the item text is indented
    (hanging) against the text before it."""
    path, _ = report
    layout = subprocess.run([tool("pdftotext"), "-layout", str(path), "-"], capture_output=True,
                            text=True, check=True).stdout.splitlines()

    def line(text: str) -> str:
        return next(x for x in layout if text in x)

    intro, first, numbered = line("We found three things:"), line("first finding"), line("numbered one")
    assert first.strip().startswith("•") and "- first finding" not in first
    assert numbered.strip().startswith("1.")
    assert first.index("first finding") > intro.index("We found")  # a hanging indent


def test_body_text_keeps_to_about_85_characters_a_line(report):
    """Measured on the long paragraph: no line of body text is longer than 85 characters."""
    path, _ = report
    layout = subprocess.run([tool("pdftotext"), "-layout", str(path), "-"], capture_output=True,
                            text=True, check=True).stdout.splitlines()
    body = [x.strip() for x in layout if "A long paragraph of findings." in x]
    assert len(body) > 20
    assert max(len(x) for x in body) <= 85


def test_continuation_pages_name_their_section_and_question(report):
    path, _ = report
    pages = [squash(p) for p in pdftotext_pages(path)]
    assert any("1. The scrutiny arrangements · Q2 (continued)" in p for p in pages)


@pytest.mark.slow
def test_a_1_mb_findings_text_exports(new_doc_path, tmp_path):
    """A whole megabyte of findings lays out (every page numbered, the last words
    printed); how fast is measured by benchmarks/pdf_long_text.py, not here."""
    text = ("The partnership's data on outcomes was read in full. " * 20 + "\n\n") * 1000
    text = text[:1024 * 1024 - 20] + " THE-LAST-WORDS."
    with open_assessment(new_doc_path) as doc:
        answers.set_findings(doc, "ARR-01", text)
        data = collect(doc)
    path = build_pdf(data, tmp_path / "mb.pdf")
    pages = len(PdfReader(path).pages)
    assert pages > 200
    last = pdftotext_pages(path)
    assert any("THE-LAST-WORDS." in p for p in last[-40:])
    assert f"Page {pages} of {pages}" in last[-1]


@pytest.mark.parametrize(("marking", "expected"), [("none", ""), ("OFFICIAL", "OFFICIAL")])
def test_the_marking_is_chosen_at_export_time(answered, tmp_path, capsys, marking, expected):
    """`export --marking` sets the marking for this export ("none" for publication)."""
    from tests.helpers import copy_document, run_cli

    path = copy_document(answered, tmp_path, "m.scrutiny")
    out = tmp_path / "m.pdf"
    code, _out, err = run_cli(capsys, "export", path, "--pdf", out, "--marking", marking)
    assert code == 0, err
    for text in pdftotext_pages(out):
        if expected:
            assert text.count(expected) == 2 and "OFFICIAL-SENSITIVE" not in text
        else:
            assert "OFFICIAL" not in text
