"""The PDF's layout rules (issue 17, item 3): no heading is left at the foot of a page
without the start of what it heads, and a question's heading lines stay with the start
of its findings; the cheaper keeping (pdfkit.KeepWithStart) that replaced reportlab's
keepWithNext, and the plain-paragraph, font-run and watermark shortcuts, change
nothing that is printed."""

from __future__ import annotations

import datetime as dt
import io
from itertools import pairwise

import pytest
from pypdf import PdfReader
from reportlab.platypus import Flowable, Paragraph

from scrutiny_desktop.report import pdf as pdfmod
from scrutiny_desktop.report import pdfkit
from scrutiny_desktop.report.data import collect
from scrutiny_desktop.services import answers, assessments, evidence, recommendations
from scrutiny_desktop.services.assessments import create_assessment, open_assessment
from scrutiny_desktop.services.evidence import EvidenceInput
from scrutiny_desktop.services.recommendations import RecommendationInput
from tests.helpers import NORTHSHIRE_DETAILS

SENTENCE = ("The partners described how the “front door” triages contacts within a day, and "
            "practitioners said that feedback on outcomes is rare. ")
#: The styles of the lines that head something: they must be followed on their page.
HEADING_STYLES = {"h1", "h2", "h3", "question", "qid"}


@pytest.fixture(scope="module")
def data(tmp_path_factory, cis):
    """Every question answered, with findings of many lengths (so that headings fall at
    every height on a page), evidence and recommendations for some."""
    folder = tmp_path_factory.mktemp("layout")
    path = create_assessment(folder / "layout.scrutiny", cis, NORTHSHIRE_DETAILS)
    with open_assessment(path) as doc:
        for i, qid in enumerate(assessments.question_ids(doc)):
            answers.set_judgement(doc, qid, "reasonable" if i % 3 else "limited")
            answers.set_findings(doc, qid, "\n\n".join(SENTENCE * (1 + (i * 7 + k) % 6)
                                                       for k in range(1 + i % 3)))
            if i % 2:
                evidence.add_evidence(doc, qid, EvidenceInput(
                    f"Minutes {i}", "meeting", dt.date(2026, 1, 1 + i % 28), "", SENTENCE * (i % 4)))
            if i % 5 == 0:
                recommendations.add_recommendation(doc, qid, RecommendationInput(SENTENCE))
        return collect(doc)


def drawn_pages(data, monkeypatch) -> list[tuple[int, Flowable]]:
    """Build the PDF of ``data``, and return (page number, flowable) for each flowable
    that takes room, in the order they are drawn."""
    drawn: list[tuple[int, Flowable]] = []
    draw_on = Flowable.drawOn

    def spy(self, canvas, x, y, *args, **kwargs):
        if not isinstance(self, pdfkit.ZeroSize) and getattr(self, "height", None) != 0:
            drawn.append((canvas._doctemplate.page, self))
        return draw_on(self, canvas, x, y, *args, **kwargs)

    monkeypatch.setattr(Flowable, "drawOn", spy)
    pages = len(PdfReader(io.BytesIO(pdfmod.build_pdf_bytes(data))).pages)
    monkeypatch.undo()
    assert drawn and drawn[-1][0] == pages
    return drawn


def orphans(drawn: list[tuple[int, Flowable]]) -> list[str]:
    """The heading lines (after the cover) drawn last on their page."""
    out = []
    for (page, f), (next_page, _) in pairwise(drawn):
        style = getattr(getattr(f, "style", None), "name", "")
        heads = style in HEADING_STYLES or style.startswith("judgement_")
        if heads and page > 1 and next_page != page:
            out.append(f"page {page}: {f.getPlainText()[:60]!r} ({style})")
    return out


def test_no_heading_is_left_at_the_foot_of_a_page(data, monkeypatch):
    drawn = drawn_pages(data, monkeypatch)
    assert len({page for page, _ in drawn}) > 20
    assert orphans(drawn) == []


def test_without_the_keeping_this_document_would_leave_headings_alone(data, monkeypatch):
    """The check above can fail: with the keepers taken out (and reportlab's
    keepWithNext off), the same document strands headings at the foot of pages."""
    def no_keeping(story):
        for f in story:
            if isinstance(f, Paragraph):
                f.__dict__["keepWithNext"] = 0
        return [f for f in story if not isinstance(f, pdfkit.KeepWithStart)]

    monkeypatch.setattr(pdfmod, "keep_headings", no_keeping)
    assert orphans(drawn_pages(data, monkeypatch))


def test_headings_are_kept_by_keep_with_start_not_by_keep_with_next(data):
    """reportlab's keepWithNext (which lays a heading and all of what follows out twice)
    is off on every paragraph of the story; a KeepWithStart stands before each heading."""
    story = pdfmod._Builder(data, None).story()
    paragraphs = [f for f in story if isinstance(f, Paragraph)]
    assert not any(f.getKeepWithNext() for f in paragraphs)
    keepers = [f for f in story if isinstance(f, pdfkit.KeepWithStart)]
    kept = {id(h) for k in keepers for h in k.block}
    headings = [f for f in paragraphs if f.style.name in {"h1", "h2", "h3", "question"}]
    assert headings and all(id(h) in kept for h in headings)


@pytest.mark.parametrize("text", [
    "plain ASCII", "Siân Llŷr “quoted” – £100 Καλημέρα Здравствуйте",
    "attendance ≥ 90% → ✓ met", "中文 and 😀👍🏽 here", "a\u200db ≥\u200d≤ c", "≥", "≥≤→ x ✓✗",
    "mixed: ŵ ≥ ŷ ≠ Ŵ → 中 end\nsecond line ✓",
])
def test_font_runs_are_those_of_one_character_at_a_time(text):
    """The fast font runs (one set check, then only the characters Noto lacks looked at)
    are exactly what looking at every character gives."""
    noto, dejavu = pdfkit._coverage()
    expected: list[tuple[bool, str]] = []
    for ch in text:
        if ord(ch) in noto or ch == "\n":
            fallback = False
        elif ord(ch) in dejavu:
            fallback = True
        elif pdfkit._ignorable(ch):
            continue
        else:
            ch, fallback = pdfkit.MISSING_GLYPH, True
        if expected and expected[-1][0] == fallback:
            expected[-1] = (fallback, expected[-1][1] + ch)
        else:
            expected.append((fallback, ch))
    assert pdfkit._font_runs(text) == expected


@pytest.mark.parametrize("text", ["Plain text", "  spaced   out\ttext ", "A & B <b>x</b> &amp;",
                                  "Siân Llŷr “q” – £5", "a\xa0b  c", "≥ 80", "two\nlines", ""])
def test_a_plain_paragraph_is_what_reportlabs_parser_makes_of_it(text):
    """para() skips the markup parser for text that needs no markup: the fragments,
    text and plain text are the same as through the parser."""
    style = pdfmod._styles()["body"]
    fast = pdfkit.para(text, style)
    parsed = Paragraph(pdfkit.markup(text), style)
    assert fast.getPlainText() == parsed.getPlainText()
    assert fast.text == parsed.text
    assert "".join(f.text for f in fast.frags) == "".join(f.text for f in parsed.frags)
    assert {f.fontName for f in fast.frags} == {f.fontName for f in parsed.frags}
    if len(parsed.frags) == 1:  # every attribute of the one run
        assert [f.__dict__ for f in fast.frags] == [f.__dict__ for f in parsed.frags]


@pytest.mark.parametrize(("label", "text"), [
    ("1.", "Board minutes, meeting 1"), ("Owner:", "  spaced   out\ttext "),
    ("R1 <b>", "A & B &amp; <i>x</i>"), ("Siân:", "Llŷr “q” – £5"), ("≥", "needs the fallback"),
    ("Label:", "≥ 80"), ("Two\nlines:", "text"), ("Label:", "two\nlines"), ("Label:", ""),
])
def test_a_labelled_paragraph_is_what_reportlabs_parser_makes_of_it(label, text):
    """para(label=...) skips the parser too when both parts need no markup: the same
    runs, texts and fonts as ``<b>label</b> text`` through the parser."""
    style = pdfmod._styles()["body"]
    fast = pdfkit.para(text, style, label=label)
    parsed = Paragraph(f"<b>{pdfkit.markup(label, bold=True)}</b> {pdfkit.markup(text)}", style)
    assert fast.getPlainText() == parsed.getPlainText()

    def runs(frags):  # (font, text) with neighbours in the same font joined
        out: list[list[str]] = []
        for f in frags:
            if out and out[-1][0] == f.fontName:
                out[-1][1] += f.text
            else:
                out.append([f.fontName, f.text])
        return out

    assert runs(fast.frags) == runs(parsed.frags)
    if len(parsed.frags) == 2:
        assert [f.__dict__ for f in fast.frags] == [f.__dict__ for f in parsed.frags]


def test_a_list_item_keeps_its_bullet_on_the_fast_path():
    style = pdfmod._styles()["body"]
    items = pdfkit.paragraphs("- first point\n- second “point” £5\n1. numbered", style)
    assert [p.bulletText for p in items] == ["•", "•", "1."]
    assert [p.getPlainText() for p in items] == ["first point", "second “point” £5", "numbered"]
    parsed = Paragraph(pdfkit.markup("second “point” £5"), items[1].style, bulletText="•")
    assert [f.__dict__ for f in items[1].frags] == [f.__dict__ for f in parsed.frags]


def test_a_repeated_paragraph_is_parsed_once_and_shares_nothing():
    """pdfkit.repeated: the second paragraph of the same markup and style has the
    parser's fragments (copies: laying one out cannot change the other)."""
    style = pdfmod._styles()["body"]
    text = '<font color="#0a5a99"><font name="DejaVuSans-Bold">●</font></font><b>Strong</b>'
    first, second = pdfkit.repeated(text, style), pdfkit.repeated(text, style)
    parsed = Paragraph(text, style)
    assert [f.__dict__ for f in second.frags] == [f.__dict__ for f in parsed.frags]
    assert not {id(f) for f in first.frags} & {id(f) for f in second.frags}
    second.frags[0].text = "changed"
    assert pdfkit.repeated(text, style).frags[0].text == parsed.frags[0].text


def test_the_watermark_is_drawn_the_same_in_every_pdf_of_a_process(data):
    """The DRAFT picture is made once per process: each PDF still carries it (with its
    transparency mask) on every page."""
    for _ in range(2):
        reader = PdfReader(io.BytesIO(pdfmod.build_pdf_bytes(data)))
        for page in reader.pages:
            form = page["/Resources"]["/XObject"]["/FormXob.draftWatermark"].get_object()
            images = [x.get_object() for x in form["/Resources"]["/XObject"].values()]
            assert len(images) == 1 and images[0]["/Subtype"] == "/Image"
            assert images[0]["/SMask"].get_object()["/Width"] == images[0]["/Width"] > 500
