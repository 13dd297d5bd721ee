"""Verify a PDF against a document (issue 4, item 7; issue 11: signed PDFs).

The PDFs are real exports: a draft laid out by ``build_pdf``, a signed-off one the
PAdES-signed PDF kept at sign-off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.report import signing
from scrutiny_desktop.report.verify import read_stamp, verify_against
from scrutiny_desktop.services import answers, evidence, recommendations, signoff
from scrutiny_desktop.services.assessments import create_assessment, open_assessment
from scrutiny_desktop.services.fingerprint import content_fingerprint
from tests.helpers import (
    NORTHSHIRE,
    NORTHSHIRE_DETAILS,
    answer_all,
    copy_document,
    export_pdf,
    raw_update,
    scrutineer_id,
)


def make_pdf(doc, out: Path) -> Path:
    """The PDF summary an export of ``doc`` writes (signed, once signed off)."""
    export_pdf(doc, out)
    assert out.read_bytes().startswith(b"%PDF")
    return out


def sign(doc, name: str = "Ann Jones"):
    return signing.sign_off(doc, identity=scrutineer_id(), name=name, role="Independent scrutineer",
                            statement="I confirm.", confirmed=True)


def add_content(doc) -> None:
    """Findings with markup, an evidence item and a recommendation: each kind of content
    the fingerprint and the PDF carry."""
    answers.set_findings(doc, "ARR-01", "Findings with Siân & <b>markup</b>.")
    evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Board minutes"))
    recommendations.add_recommendation(doc, "ARR-02",
                                       recommendations.RecommendationInput("Publish the plan"))


@pytest.fixture(scope="module")
def filled(tmp_path_factory, answered):
    """The shared fully answered draft (``answered``) with ``add_content`` added: not the
    conftest document itself, as verify must see findings, evidence and recommendations."""
    path = copy_document(answered, tmp_path_factory.mktemp("filled"), "filled.scrutiny")
    with open_assessment(path) as doc:
        add_content(doc)
    return path


@pytest.fixture
def draft(tmp_path, filled):
    """An open copy of the ``filled`` draft."""
    with open_assessment(copy_document(filled, tmp_path, "draft.scrutiny")) as d:
        yield d


# -- matching ---------------------------------------------------------------------------------

def test_pdf_of_a_draft_matches_the_draft(draft, tmp_path):
    """A PDF made from a draft verifies as "matches the draft of" the partnership."""
    pdf = make_pdf(draft, tmp_path / "draft.pdf")
    stamp = read_stamp(pdf)
    assert stamp.fingerprint == content_fingerprint(draft)
    assert stamp.state == "draft"
    result = verify_against(pdf, draft)
    assert result.ok, result.message
    assert result.message.startswith("matches the draft of")
    assert NORTHSHIRE in result.message
    assert result.changed == ()


def test_pdf_of_a_signed_off_assessment_names_the_signer(draft, tmp_path):
    """A PDF made after signing verifies as "matches: signed off by" the scrutineer."""
    sign(draft, name="Siân Llŷr-Wójcik")
    pdf = make_pdf(draft, tmp_path / "signed.pdf")
    assert read_stamp(pdf).state == "signed_off"
    result = verify_against(pdf, draft)
    assert result.ok, result.message
    assert result.message.startswith("matches: signed off by Siân Llŷr-Wójcik")
    assert "voided" not in result.message


def test_verify_works_on_a_read_only_document(draft, tmp_path):
    """Verifying opens the document read-only and leaves its bytes untouched."""
    sign(draft)
    pdf = make_pdf(draft, tmp_path / "signed.pdf")
    before = draft.path.read_bytes()
    with open_assessment(draft.path, readonly=True) as ro:
        assert verify_against(pdf, ro).ok
    assert draft.path.read_bytes() == before


def test_draft_pdf_no_longer_vouches_once_signed_off_even_unchanged(draft, tmp_path):
    """A draft PDF checked after sign-off, with no change in between, does not match:
    an unsigned draft never speaks for a signed-off assessment (its pages could say
    anything); the message names who signed off."""
    pdf = make_pdf(draft, tmp_path / "draft.pdf")
    assert verify_against(pdf, draft).ok
    sign(draft)
    result = verify_against(pdf, draft)
    assert not result.ok
    assert "unsigned draft" in result.message and "signed off since (by Ann Jones" in result.message


def test_pdf_from_the_second_sign_off_names_the_sign_off_in_force(draft, tmp_path):
    """Signed, reopened, signed again unchanged: the new PDF names the sign-off in force."""
    sign(draft)
    signoff.reopen(draft, reason="Second thoughts")
    sign(draft, name="Ann Jones")
    pdf = make_pdf(draft, tmp_path / "second.pdf")
    result = verify_against(pdf, draft)
    assert result.ok, result.message
    assert result.message.startswith("matches: signed off by Ann Jones")
    assert "voided" not in result.message, result.message


# -- changes after the PDF was made -------------------------------------------------------------

def test_change_through_the_app_after_the_pdf_is_reported_with_the_question(draft, tmp_path):
    """Findings changed in the app after the PDF was made: verify fails and names the changed question."""
    pdf = make_pdf(draft, tmp_path / "draft.pdf")
    answers.set_findings(draft, "ARR-05", "Changed after the PDF was made.")
    result = verify_against(pdf, draft)
    assert not result.ok
    assert "ARR-05" in result.message
    assert result.changed == ("ARR-05",)


def test_change_after_reopening_a_signed_pdf_is_reported(draft, tmp_path):
    """Signed PDF, then reopened and edited: verify fails and names the question."""
    sign(draft)
    pdf = make_pdf(draft, tmp_path / "signed.pdf")
    signoff.reopen(draft, reason="Late evidence")
    recommendations.add_recommendation(draft, "LEAD-03", recommendations.RecommendationInput("New"))
    result = verify_against(pdf, draft)
    assert not result.ok
    assert "LEAD-03" in result.message


def test_change_behind_the_apps_back_is_caught(draft, tmp_path):
    """A signed document edited with the sqlite3 shell no longer verifies; the question is named."""
    sign(draft)
    pdf = make_pdf(draft, tmp_path / "signed.pdf")
    raw_update(draft.path, "UPDATE answers SET findings = ? WHERE question_id = 'ARR-03'",
               "Quietly rewritten.")
    result = verify_against(pdf, draft)
    assert not result.ok
    assert "ARR-03" in result.message


def test_judgement_changed_behind_the_apps_back_is_caught(draft, tmp_path):
    """A judgement altered with the sqlite3 shell after a draft PDF makes verify fail."""
    pdf = make_pdf(draft, tmp_path / "draft.pdf")
    raw_update(draft.path, "UPDATE answers SET judgement = 'none' WHERE question_id = 'CYP-02'")
    result = verify_against(pdf, draft)
    assert not result.ok
    assert "CYP-02" in result.message


def test_details_changed_behind_the_apps_back_are_caught(draft, tmp_path):
    """The partnership's name altered with the sqlite3 shell makes verify fail, naming the details."""
    sign(draft)
    pdf = make_pdf(draft, tmp_path / "signed.pdf")
    raw_update(draft.path, "UPDATE assessments SET partnership = 'Another Partnership'")
    result = verify_against(pdf, draft)
    assert not result.ok
    assert "details" in result.message


def test_pdf_does_not_match_a_different_document_with_the_same_answers(draft, tmp_path, cis):
    """A PDF does not match another assessment typed identically (each has its own id)."""
    pdf = make_pdf(draft, tmp_path / "draft.pdf")
    other = create_assessment(tmp_path / "other.scrutiny", cis, NORTHSHIRE_DETAILS)
    with open_assessment(other) as d:
        answer_all(d)
        add_content(d)
        result = verify_against(pdf, d)
    assert not result.ok


# -- not our PDF ----------------------------------------------------------------------------------

def test_a_pdf_not_made_by_scrutiny_desktop_is_refused(draft, tmp_path):
    """A PDF from elsewhere (no fingerprint in its keywords) is refused as not made by the app."""
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "elsewhere.pdf"
    c = canvas.Canvas(str(pdf))
    c.setTitle("Some other report")
    c.drawString(72, 720, "Not a Scrutiny Desktop PDF")
    c.save()
    with pytest.raises(InvalidInput, match="not made by Scrutiny Desktop"):
        read_stamp(pdf)
    with pytest.raises(InvalidInput, match="not made by Scrutiny Desktop"):
        verify_against(pdf, draft)


def test_a_file_that_is_not_a_pdf_is_refused(draft, tmp_path):
    """A text file named .pdf is refused with a plain message."""
    fake = tmp_path / "fake.pdf"
    fake.write_text('{"this": "is JSON"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="not a readable PDF"):
        verify_against(fake, draft)


def test_a_truncated_pdf_is_refused(draft, tmp_path):
    """A real PDF cut short is refused with a plain message, not a crash."""
    pdf = make_pdf(draft, tmp_path / "draft.pdf")
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(pdf.read_bytes()[:200])
    with pytest.raises(InvalidInput):
        verify_against(cut, draft)


@pytest.mark.parametrize("name", ["missing.pdf", ""])
def test_a_missing_file_or_a_folder_is_refused(draft, tmp_path, name):
    """A PDF that does not exist (or a folder) is refused, saying it does not exist."""
    target = tmp_path / name if name else tmp_path
    with pytest.raises(InvalidInput, match="does not exist"):
        verify_against(target, draft)
