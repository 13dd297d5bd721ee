"""The PDF summary (issue 4, item 4): real documents made through the services,
real PDFs in tmp_path, read back with pypdf, pdftotext and qpdf.

pdftotext and qpdf (poppler-utils, qpdf) are required: CI installs them, so a
missing tool fails these tests rather than skipping them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import os
import re
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest
from pypdf import PdfReader

from scrutiny_desktop import __version__
from scrutiny_desktop.checklist import NOT_APPLICABLE
from scrutiny_desktop.report import pdf as pdfmod
from scrutiny_desktop.report import stamp
from scrutiny_desktop.report.data import ReportOptions, collect
from scrutiny_desktop.report.pdf import build_pdf, markup, para
from scrutiny_desktop.services import answers, assessments, evidence, recommendations, signoff, summary
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment
from scrutiny_desktop.services.evidence import EvidenceInput
from scrutiny_desktop.services.recommendations import RecommendationInput
from scrutiny_desktop.text import date_text as uk_date
from scrutiny_desktop.text import time_text as uk_time
from scrutiny_desktop.text import when_text as uk_datetime
from tests.helpers import NORTHSHIRE, answer_all, chair_id, pdftotext_pages, qpdf_check, scrutineer_id, squash

MARKING = "OFFICIAL-SENSITIVE"

#: Strings that must come back out of pdftotext exactly as typed.
MARKUP = "<b>not bold</b> & <img src='x'/> &amp; <font color=red>plain</font>"
WELSH = "Llanfairpwllgwyngyll: Siân Llŷr, ŵ ŷ Ŵ Ŷ"
POLISH = "Zażółć gęślą jaźń"
GREEK = "Καλημέρα κόσμε"
CYRILLIC = "Здравствуйте, мир"
PUNCTUATION = "“Quotes” – dashes — ‘single’ … £100"
EXACT = [MARKUP, WELSH, POLISH, GREEK, CYRILLIC, PUNCTUATION]
#: Text Noto Sans cannot show: it must not break the export.
UNSHOWABLE = "中文 日本語 한국어 😀👍🏽 مرحبا بالعالم שלום"


# -- helpers ------------------------------------------------------------------------------------


def signature_png() -> bytes:
    """A small drawn signature on a transparent background."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    ImageDraw.Draw(img).line([(10, 90), (60, 20), (110, 100), (170, 30), (240, 95), (350, 40)],
                             fill=(10, 10, 80, 255), width=5)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def sign(doc, *, png: bytes | None = None) -> None:
    signoff.sign_off(doc, identity=scrutineer_id(), name="Siân Llŷr-Wójcik", role="Independent scrutineer",
                     statement="I confirm that this is my independent judgement.", confirmed=True,
                     signature_png=png)


def export(doc, out: Path, **options) -> tuple[Path, object]:
    data = collect(doc, ReportOptions(**options))
    return build_pdf(data, out), data


def fill(doc) -> None:
    """Some of everything, with the awkward strings in several places."""
    answers.set_judgement(doc, "ARR-01", "limited")
    answers.set_judgement(doc, "ARR-02", NOT_APPLICABLE)
    answers.set_findings(doc, "ARR-01", "\n\n".join(EXACT[:3]) + "\n" + "\n".join(EXACT[3:]))
    evidence.add_evidence(doc, "ARR-01", EvidenceInput(
        POLISH, "meeting", dt.date(2026, 3, 12), GREEK, CYRILLIC + "\nSecond line of the note."))
    recommendations.add_recommendation(doc, "ARR-01", RecommendationInput(
        WELSH, owner="other", owner_other=GREEK, priority="high", due=dt.date(2026, 11, 28)))
    recommendations.add_recommendation(doc, "LEAD-02", RecommendationInput(
        "Agree a shared data set", priority="low"), carried_from="2024-25")
    summary.set_overall_judgement(doc, "reasonable")
    summary.set_text(doc, "conclusion", CONCLUSION)
    summary.set_text(doc, "strengths", "- Partners attend.\n- " + WELSH)
    summary.set_text(doc, "areas_for_improvement", "1. Use outcome data.\n2. Publish the plan.")
    summary.set_text(doc, "scope_and_method", "We read 40 documents and met " + GREEK + ".")
    summary.set_section_summary(doc, "arrangements", "The arrangements are published.")


#: The conclusion the shared documents carry (a board reads it first).
CONCLUSION = "The partners give reasonable assurance overall, with clear leadership."


def image_xobjects(page) -> list[str]:
    """Names of the image XObjects a page uses directly."""
    xobjects = page["/Resources"].get("/XObject") or {}
    return [name for name, ref in xobjects.items() if ref.get_object().get("/Subtype") == "/Image"]


def draws_watermark(page) -> bool:
    return b"/FormXob.draftWatermark Do" in page.get_contents().get_data()


# -- shared documents ---------------------------------------------------------------------------


#: The shared documents' details: a scrutineer whose name needs the accented letters.
DETAILS = NewAssessment(NORTHSHIRE, "2025-26", "Siân Llŷr-Wójcik", area="Northshire",
                        scrutineer_role="Independent scrutineer")


@contextlib.contextmanager
def filled(tmp_path_factory, cis, name: str):
    """A new document ``name.scrutiny`` in its own folder, filled in by ``fill`` and open."""
    folder = tmp_path_factory.mktemp(name)
    path = create_assessment(folder / f"{name}.scrutiny", cis, DETAILS)
    with open_assessment(path) as doc:
        fill(doc)
        yield doc


@pytest.fixture(scope="module")
def draft(tmp_path_factory, cis):
    """A filled-in draft and its PDF: (pdf path, ReportData)."""
    with filled(tmp_path_factory, cis, "draft") as doc:
        return export(doc, doc.path.with_name("draft.pdf"))


@pytest.fixture(scope="module")
def signed(tmp_path_factory, cis):
    """A signed-off document (with a drawn signature) and its PDF."""
    with filled(tmp_path_factory, cis, "signed") as doc:
        answer_all(doc, "strong")
        sign(doc, png=signature_png())
        return export(doc, doc.path.with_name("signed.pdf"))


# -- metadata, every page, the watermark ------------------------------------------------------------


def test_metadata_carries_title_author_subject_and_the_stamp(draft):
    """Title, author, subject, creator; plain keywords people can read; the stamp in an
    entry of its own that decodes to the document's fingerprint; XMP with the language."""
    path, data = draft
    reader = PdfReader(path)
    meta = reader.metadata
    assert meta.title == ("Northshire Safeguarding Children Partnership: independent scrutiny "
                          "report, 2025-26")
    assert meta.author == "Siân Llŷr-Wójcik"
    assert meta.subject.startswith("Independent scrutiny of the safeguarding children partnership")
    assert meta.creator == f"Scrutiny Desktop {__version__}"
    assert "fingerprint" not in meta["/Keywords"] and "independent scrutiny" in meta["/Keywords"]
    xmp = reader.xmp_metadata
    assert xmp is not None and xmp.dc_language == ["en-GB"]
    assert xmp.dc_title == {"x-default": meta.title}
    assert xmp.dc_creator == ["Siân Llŷr-Wójcik"] and xmp.dc_description["x-default"] == meta.subject
    found = stamp.decode(meta[f"/{stamp.INFO_KEY}"])
    assert found is not None
    assert found.fingerprint == data.fingerprint
    assert found.state == "draft"
    assert found.parts == data.parts
    qpdf_check(path)


def test_signed_metadata_says_signed_off(signed):
    path, data = signed
    meta = PdfReader(path).metadata
    found = stamp.decode(meta[f"/{stamp.INFO_KEY}"])
    assert found.state == "signed_off"
    assert found.fingerprint == data.fingerprint == data.signoff.fingerprint
    qpdf_check(path)


@pytest.mark.parametrize("which", ["draft", "signed"])
def test_every_page_has_the_marking_twice_and_its_page_number(which, request):
    path, _ = request.getfixturevalue(which)
    pages = pdftotext_pages(path)
    assert len(pages) == len(PdfReader(path).pages) > 10
    for number, text in enumerate(pages, start=1):
        assert text.count(MARKING) == 2, f"page {number}"
        assert f"Page {number} of {len(pages)}" in text
    # pypdf sees the same
    for number, page in enumerate(PdfReader(path).pages, start=1):
        text = page.extract_text()
        assert text.count(MARKING) == 2 and f"Page {number} of {len(pages)}" in text


def test_a_draft_says_draft_on_every_page(draft):
    path, _ = draft
    reader = PdfReader(path)
    for number, (text, page) in enumerate(zip(pdftotext_pages(path), reader.pages, strict=True), 1):
        assert "DRAFT" in text, f"page {number}"
        assert draws_watermark(page), f"page {number} has no watermark"
    assert "Not signed off: this is a draft." in squash("\n".join(pdftotext_pages(path)))


def test_a_signed_document_has_no_draft_marks_and_shows_the_signature(signed):
    path, data = signed
    reader = PdfReader(path)
    pages = pdftotext_pages(path)
    for text, page in zip(pages, reader.pages, strict=True):
        assert "DRAFT" not in text
        assert "Not signed off" not in text
        assert not draws_watermark(page)
    last = squash(pages[-1])
    assert "Sign-off" in last and "Siân Llŷr-Wójcik" in last and "Independent scrutineer" in last
    assert "I confirm that this is my independent judgement." in last
    assert f"Signed off {uk_datetime(data.signoff.signed_at)}" in last
    assert image_xobjects(reader.pages[-1]), "the drawn signature is on the sign-off page"
    assert not any(image_xobjects(p) for p in reader.pages[:-1])


def test_fingerprint_and_how_to_verify_are_in_the_appendix_only(draft):
    """Tool-facing text (how to verify, the fingerprint, attachment hashes) is in the last
    part, "About this document", and nowhere in the body."""
    path, data = draft
    pages = [squash(p) for p in pdftotext_pages(path)]
    about = next(i for i, p in enumerate(pages) if "About this document" in p and "Fingerprint" in p)
    assert about == len(pages) - 1
    assert f"Fingerprint (SHA-256): {data.fingerprint}" in pages[about]
    assert "scrutiny-desktop verify REPORT.pdf --against FILE.scrutiny" in pages[about]
    body = " ".join(pages[:about])
    assert data.fingerprint not in body and "scrutiny-desktop" not in body


# -- content ------------------------------------------------------------------------------------


def test_cover_then_the_front_section_a_board_reads_first(draft):
    """The cover's headline is the partnership; the conclusion is within the first three
    pages; then strengths, areas for improvement, the judgements by section and the
    recommendations table (with status, carried-forward mark and question links)."""
    path, data = draft
    pages = [squash(p) for p in pdftotext_pages(path)]
    cover = pages[0]
    assert cover.index("INDEPENDENT SCRUTINY REPORT") < cover.index(NORTHSHIRE) < cover.index("2025-26")
    for expected in ("Independent scrutineer Siân Llŷr-Wójcik, Independent scrutineer",
                     "Status Draft", "Overall judgement Reasonable assurance",
                     f"Checklist {data.template.title}",
                     f"Generated {uk_datetime(data.options.generated_at)}",
                     "The checklist is based on: Working Together"):
        assert expected in cover, expected
    front = " ".join(pages[:3])
    assert CONCLUSION in front
    assert "Overall judgement: Reasonable assurance" in front
    assert front.index("Strengths") < front.index("Areas for improvement") < front.index(
        "Judgements by section") < front.index("Recommendations")
    for section in data.sections:
        assert f"{section.number}. {section.title}" in front
    recs = front[front.index("Recommendations"):]
    for cell in ("No. Recommendation Owner Priority Due Status Question", GREEK, "High",
                 "28 November 2026", "R1", "Q1", "Agree a shared data set", "The partnership",
                 "Low", "None set", "Open", "↻ Carried forward from 2024-25", "R2", "Q8"):
        assert cell in recs, cell
    assert WELSH in recs
    assert "Scope and method" in " ".join(pages[:4])


def test_no_recommendations_says_so(new_doc_path, tmp_path):
    with open_assessment(new_doc_path) as doc:
        path, _ = export(doc, tmp_path / "out.pdf")
    assert "The scrutineer made no recommendations." in squash("\n".join(pdftotext_pages(path)))


def test_section_pages_show_questions_judgements_findings_evidence_and_recommendations(draft):
    path, data = draft
    text = squash("\n".join(pdftotext_pages(path)))
    q = data.sections[0].questions[0]
    # The judgement is a mark (symbol and colour) with its label.
    assert f"Q1. {squash(q.text)} ARR-01 ◆ Limited assurance" in text
    assert "– Not applicable" in text
    assert f"Meeting · 12 March 2026 · Source: {GREEK}" in text
    assert f"Owner: {GREEK} · Priority: High · Due: 28 November 2026 · Status: Open" in text
    assert "↻ Carried forward from 2024-25." in text
    assert "The scrutineer's summary of this section The arrangements are published." in text


def test_awkward_text_prints_exactly(draft):
    """Markup-like text, Welsh, Polish, Greek, Cyrillic come back out of pdftotext as typed."""
    path, _ = draft
    lines = set()
    for page in pdftotext_pages(path):
        lines.update(line.strip() for line in page.splitlines())
    for s in EXACT:
        assert s in lines, s
    pypdf_text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
    for s in EXACT:
        assert s in pypdf_text, s
    # the markup stayed text: no image came of it
    reader = PdfReader(path)
    assert not any(image_xobjects(p) for p in reader.pages)


def test_markup_is_always_escaped():
    style = pdfmod._styles()["body"]
    assert markup("<img src='x'/> & <b>") == "&lt;img src='x'/&gt; &amp; &lt;b&gt;"
    assert markup("one\ntwo\r\nthree\x00\x07\x1b\x0c\ud800") == "one<br/>two<br/>three"
    for text in ("<img src='/etc/passwd'/><a href='http://example.org'>x</a>",
                 "<b>bold?</b> &amp; &#65; <br/> <font face=Courier>f</font>",
                 "<para>unclosed <i>"):
        p = para(text, style)
        assert p.getPlainText() == text
        assert not any(getattr(f, "cbDefn", None) or getattr(f, "link", None) for f in p.frags)
        assert {f.fontName for f in p.frags} == {pdfmod.FONT}
    labelled = para("<x>", style, label="Owner:")
    assert labelled.getPlainText() == "Owner: <x>"


def test_reportlab_may_not_fetch_anything():
    from reportlab import rl_config

    assert not rl_config.trustedHosts
    assert not rl_config.trustedSchemes


def test_unshowable_text_and_control_characters_do_not_break_the_export(new_doc_path, tmp_path):
    awkward = f"{UNSHOWABLE}\x00\x01\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f\x85 end"
    with open_assessment(new_doc_path) as doc:
        answers.set_findings(doc, "ARR-01", f"{awkward}\nΚαλημέρα after")
        evidence.add_evidence(doc, "ARR-01", EvidenceInput(awkward, source=awkward, note=awkward))
        recommendations.add_recommendation(doc, "ARR-01", RecommendationInput(awkward))
        from tests.helpers import set_details
        set_details(doc, partnership=f"Partneriaeth {UNSHOWABLE}")
        path, _ = export(doc, tmp_path / "out.pdf", organisation_name=awkward,
                         protective_marking=f"OFFICIAL {UNSHOWABLE}")
    qpdf_check(path)
    assert "Καλημέρα after" in "\n".join(pdftotext_pages(path))


#: Symbols Noto Sans lacks but the bundled DejaVu Sans has.
SYMBOLS = ["attendance ≥ 90%", "response ≤ 5 days", "plan ≠ practice", "referral → assessment",
           "← back", "✓ met", "✗ not met"]


def pdf_fonts(path: Path) -> set[str]:
    """The PostScript names of the fonts a PDF's pages use, without the subset prefix."""
    names = set()
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get("/Font") or {}
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def test_symbols_noto_lacks_are_set_in_the_fallback_font():
    assert markup("attendance ≥ 90%") == 'attendance <font name="DejaVuSans">≥</font> 90%'
    assert markup("a ≤ b", bold=True) == 'a <font name="DejaVuSans-Bold">≤</font> b'
    # the fallback run is escaped like the rest
    assert markup("<≠&>") == '&lt;<font name="DejaVuSans">≠</font>&amp;&gt;'
    # what Noto has is left alone, Welsh to Cyrillic
    for s in [*EXACT, "• – — … £ € ½ ©"]:
        assert markup(s) == markup_plain(s), s
    # what neither font has shows as a white square; invisible joiners go
    assert markup("a 中文 b") == 'a <font name="DejaVuSans">□□</font> b'
    assert markup("\U0001F44D\U0001F3FD!") == '<font name="DejaVuSans">□</font>!'
    # DejaVu draws 😀, but reportlab would write its text as U+1F60 (ὠ)
    assert markup("\U0001F600") == '<font name="DejaVuSans">□</font>'

    styles = pdfmod._styles()
    # a bold style, and the bold label, take the bold fallback
    frags = para("x ≥ y", styles["h1"], label="✓").frags
    assert {f.fontName for f in frags} == {pdfmod.FONT_BOLD, "DejaVuSans-Bold"}
    assert "".join(f.text for f in frags) == "✓ x ≥ y"
    frags = para("x ≥ y", styles["intro"]).frags
    assert [(f.fontName, f.text) for f in frags] == [
        (pdfmod.FONT_ITALIC, "x "), ("DejaVuSans", "≥"), (pdfmod.FONT_ITALIC, " y")]


def markup_plain(s: str) -> str:
    from xml.sax.saxutils import escape

    return escape(s).replace("\n", "<br/>")


def test_symbols_and_unshowable_text_print_in_the_pdf(new_doc_path, tmp_path):
    """≥ ≤ ≠ → ← ✓ ✗ come out of pdftotext exactly; CJK and emoji become □."""
    with open_assessment(new_doc_path) as doc:
        answers.set_findings(doc, "ARR-01", "\n".join(SYMBOLS))
        answers.set_findings(doc, "ARR-02", "before 中文 after\nemoji 👍🏽 😀 here")
        evidence.add_evidence(doc, "ARR-01", EvidenceInput("Register ≥ 95% ✓"))
        path, _ = export(doc, tmp_path / "out.pdf", organisation_name="Team ✓ ≥")
    qpdf_check(path)
    lines = {line.strip() for page in pdftotext_pages(path) for line in page.splitlines()}
    for s in [*SYMBOLS, "Team ✓ ≥", "before □□ after", "emoji □ □ here"]:
        assert s in lines, s
    assert any(line.endswith("Register ≥ 95% ✓") for line in lines)  # after its number
    fonts = pdf_fonts(path)
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= fonts  # the cover's org name is bold


def test_latin_greek_and_cyrillic_stay_in_noto(draft):
    """The awkward-text draft needs no fallback for its text: Noto Sans is used; DejaVu
    Sans only for the judgement marks' symbols (bold), never for a letter."""
    path, _ = draft
    fonts = pdf_fonts(path)
    assert {"NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic"} <= fonts
    assert {name for name in fonts if name.startswith("DejaVu")} <= {"DejaVuSans", "DejaVuSans-Bold"}
    # ...and every letter of the awkward strings is set in Noto Sans.
    text = squash(" ".join(pdftotext_pages(path)))
    for sample in (WELSH, POLISH, GREEK, CYRILLIC):
        assert sample in text


def test_a_large_document_flows_across_pages(new_doc_path, tmp_path):
    """20,000 characters of findings, 200 evidence items, 100 recommendations; long words."""
    long_word = "W" * 5000
    url = "https://example.org/" + "path/segment-" * 300
    block = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. " * 10
    findings = ("\n\n".join([block] * 40))[:14000] + "\n" + long_word + "\n" + url
    assert len(findings) >= 20000
    with open_assessment(new_doc_path) as doc:
        ids = assessments.question_ids(doc)
        answers.set_findings(doc, "ARR-01", findings)
        for i in range(200):
            evidence.add_evidence(doc, ids[i % 3], EvidenceInput(
                f"Evidence item {i}", "document", dt.date(2026, 1, 1 + i % 28), url if i == 0 else "",
                long_word if i == 1 else f"Note {i}"))
        for i in range(100):
            text = long_word if i == 0 else f"Recommendation {i}: " + "act on the findings " * 8
            recommendations.add_recommendation(doc, ids[i % 5], RecommendationInput(text))
        recommendations.add_recommendation(doc, "IMP-01", RecommendationInput("word " * 3000))
        data = collect(doc)
    calls = []
    build_pdf(data, tmp_path / "big.pdf", progress=lambda done, total: calls.append((done, total)))
    path = tmp_path / "big.pdf"
    qpdf_check(path)
    pages = pdftotext_pages(path)
    assert len(pages) > 40
    for number, text in enumerate(pages, start=1):
        assert text.count(MARKING) == 2 and f"Page {number} of {len(pages)}" in text
    # the 5,000-character word (in the findings, a note and a recommendation) is wrapped
    # over lines and pages, but every character of it is printed
    assert sum(p.count("W") for p in pages) >= 3 * len(long_word)
    # (pdftotext joins a line that ends in "-" to the next without the hyphen; the page
    # furniture between two pages is taken out first)
    furniture = re.compile(rf"{MARKING}|DRAFT|Page \d+ of \d+|{NORTHSHIRE}, 2025-26|^.*\(continued\)$",
                           re.MULTILINE)
    flowing = "".join("".join(furniture.sub("", p).split()) for p in pages).replace("-", "")
    assert url.replace("-", "") in flowing
    assert "Evidence item 199" in squash("\n".join(pages))
    # table rows cannot split, so the recommendations table shortens very long text
    assert "(in full under question 1)" in squash("\n".join(pages))
    # progress: starts at 0, never goes back, ends at total/total
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1]
    assert len(calls) > 10
    assert all(a[0] <= b[0] and a[1] == b[1] for a, b in pairwise(calls))


def test_bookmarks_for_every_part_section_and_question(draft):
    """Summary, Recommendations, each section with each of its questions under it, the
    sign-off and the appendix; each points at the page that shows it."""
    path, data = draft
    reader = PdfReader(path)
    top = [item for item in reader.outline if not isinstance(item, list)]
    titles = [item.title for item in top]
    sections = [f"{s.number}. {s.title}" for s in data.sections]
    assert titles[:2] == ["Summary", "Recommendations"]
    assert titles[-2:] == ["Sign-off", "About this document"]
    assert [t for t in titles if t in sections] == sections
    nested = [item.title for group in reader.outline if isinstance(group, list) for item in group]
    for q in (q for s in data.sections for q in s.questions):
        assert any(t.startswith(f"Q{q.number}. ") for t in nested), q.id
    pages = pdftotext_pages(path)
    numbers = [reader.get_destination_page_number(item) for item in top]
    assert numbers == sorted(numbers)
    for item, number in zip(top, numbers, strict=True):
        assert item.title in squash(pages[number])


def test_references_are_links(draft):
    """Section names in the judgements table, question numbers in the recommendations
    table and recommendation numbers under questions link to their targets."""
    path, _data = draft
    reader = PdfReader(path)
    pages = [squash(p) for p in pdftotext_pages(path)]
    numbers = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    targets = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            link = annot.get_object()
            if link.get("/Subtype") != "/Link":
                continue
            dest = link.get("/Dest") or link["/A"]["/D"]
            targets.append(numbers[dest[0].idnum])
    assert len(targets) >= 9 + 2 + 2  # sections, questions of the two recommendations, R1 and R2
    q1 = next(i for i, p in enumerate(pages) if "Q1. " in p and "ARR-01" in p)
    q8 = next(i for i, p in enumerate(pages) if "Q8. " in p and "LEAD-02" in p)
    recs = next(i for i, p in enumerate(pages) if "No. Recommendation Owner" in p)
    assert {q1, q8, recs} <= set(targets)


# -- options: marking, organisation, logo -------------------------------------------------------


def make_png(path: Path, size=(300, 200)) -> Path:
    from PIL import Image

    Image.new("RGB", size, (20, 60, 120)).save(path, "PNG")
    return path


def with_options(data, **options):
    return dataclasses.replace(data, options=ReportOptions(**options))


def test_organisation_name_and_logo_on_the_cover(draft, tmp_path):
    logo = make_png(tmp_path / "logo.png")
    data = with_options(draft[1], organisation_name="Cyngor Sir Ynys Môn", organisation_logo=logo)
    path = build_pdf(data, tmp_path / "out.pdf")
    reader = PdfReader(path)
    assert len(image_xobjects(reader.pages[0])) == 1
    assert "Cyngor Sir Ynys Môn" in pdftotext_pages(path)[0]


def bad_logos(folder: Path) -> dict[str, Path]:
    from PIL import Image

    logos = {kind: folder / f"{kind}.png" for kind in
             ("missing", "not-an-image", "truncated", "gif", "folder", "fake-jpeg")}
    logos["not-an-image"].write_text("this is not a picture")
    logos["truncated"].write_bytes(make_png(folder / "good.png").read_bytes()[:60])
    Image.new("RGB", (20, 20)).save(logos["gif"], "GIF")
    logos["folder"].mkdir()
    logos["fake-jpeg"].write_bytes(b"\xff\xd8\xff" + b"\0" * 64)  # JPEG magic, no picture
    return logos


def test_a_bad_logo_is_skipped(draft, tmp_path):
    for kind, logo in bad_logos(tmp_path).items():
        assert pdfmod._logo(logo) is None, kind
    data = with_options(draft[1], organisation_name="Northshire Council",
                        organisation_logo=tmp_path / "truncated.png")
    path = build_pdf(data, tmp_path / "out.pdf")
    qpdf_check(path)
    assert not image_xobjects(PdfReader(path).pages[0])
    assert "Northshire Council" in pdftotext_pages(path)[0]


def test_marking_follows_the_setting(draft, tmp_path):
    official = build_pdf(with_options(draft[1], protective_marking="OFFICIAL"), tmp_path / "o.pdf")
    none = build_pdf(with_options(draft[1], protective_marking=""), tmp_path / "none.pdf")
    for text in pdftotext_pages(official):
        assert text.count("OFFICIAL") == 2 and MARKING not in text
    pages = pdftotext_pages(none)
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL" not in text and f"Page {number} of {len(pages)}" in text


# -- sign-off history ---------------------------------------------------------------------------


def test_voided_sign_offs_are_listed(new_doc_path, tmp_path):
    with open_assessment(new_doc_path) as doc:
        answer_all(doc)
        sign(doc)
        signoff.reopen(doc, reason="Late evidence & a <typo>", by="Ann Jones")
        path, data = export(doc, tmp_path / "out.pdf")
    voided = data.signoff_history[0]
    text = squash(pdftotext_pages(path)[-1])
    assert "Not signed off: this is a draft." in text
    assert (f"Voided on {uk_datetime(voided.voided_at)} by Ann Jones: Late evidence & a <typo>"
            in text)


def test_a_broken_signature_image_does_not_break_the_export(signed, tmp_path):
    _path, data = signed
    broken = dataclasses.replace(data, signature_png=b"\x89PNG\r\n\x1a\nbroken")
    path = build_pdf(broken, tmp_path / "out.pdf")
    assert "The drawn signature could not be shown." in squash(pdftotext_pages(path)[-1])


# -- writing the file ---------------------------------------------------------------------------


def test_an_error_leaves_no_temporary_file_and_keeps_the_old_pdf(draft, tmp_path, monkeypatch):
    _path, data = draft
    out = tmp_path / "out.pdf"
    out.write_bytes(b"the previous export")

    def fail(done, total):
        if done == 3:
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        build_pdf(data, out, progress=fail)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]
    assert out.read_bytes() == b"the previous export"

    def broken_footer(self, canv, number, total):  # fails while the file is being written
        raise ValueError("layout failed")

    monkeypatch.setattr(pdfmod._Builder, "decorate", broken_footer)
    with pytest.raises(ValueError, match="layout failed"):
        build_pdf(data, tmp_path / "new.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


def test_the_pdf_replaces_an_earlier_one(draft, tmp_path):
    _path, data = draft
    out = tmp_path / "out.pdf"
    out.write_bytes(b"old")
    assert build_pdf(data, out) == out
    assert out.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


def test_the_pdf_module_needs_no_qt():
    code = ("import sys, scrutiny_desktop.report.pdf; "
            "sys.exit(any(m.split('.')[0] in ('PySide6', 'shiboken6') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], env={**os.environ}).returncode == 0


# -- dates and times ----------------------------------------------------------------------------


@pytest.fixture
def london(monkeypatch):
    # The suite runs on Linux (CI); time.tzset is POSIX-only.
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_dates_are_written_the_uk_way(london):
    assert uk_date(dt.date(2026, 11, 28)) == "28 November 2026"
    assert uk_date(dt.date(2026, 3, 1)) == "1 March 2026"
    winter = dt.datetime(2026, 11, 28, 14, 3, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 1, 14, 3, tzinfo=dt.UTC)
    assert uk_time(winter) == "14:03 GMT"
    assert uk_time(summer) == "15:03 BST"
    assert uk_datetime(winter) == "28 November 2026 at 14:03 GMT"
    # just before midnight UTC in summer is the next day in London
    assert uk_date(dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC)) == "2 July 2026"


def test_a_countersigned_review_is_printed_and_stamped(new_doc_path, tmp_path):
    """When the report carries the chair's review, the PDF shows it and the stamp carries
    the countersignature's fingerprint."""
    from scrutiny_desktop.services import review

    with open_assessment(new_doc_path) as doc:
        answer_all(doc)
        sign(doc)
        review.set_overall_response(doc, "We accept the findings & will act — Siân.")
        cs = review.countersign(doc, identity=chair_id(), name="Chair Person", role="Partnership chair",
                                statement="Countersigned for the partnership.", confirmed=True)
        data = collect(doc)
    path = build_pdf(data, tmp_path / "out.pdf")
    found = stamp.decode(PdfReader(path).metadata[f"/{stamp.INFO_KEY}"])
    assert found.state == "reviewed" and found.countersign_fingerprint == cs.fingerprint
    text = squash(" ".join(pdftotext_pages(path)))
    assert "We accept the findings & will act — Siân." in text
    assert "Chair Person" in text and "Partnership chair" in text
    assert uk_datetime(cs.signed_at) in text
