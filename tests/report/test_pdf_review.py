"""The PDF of a reviewed assessment: the partnership's response and both signatures."""

from __future__ import annotations

from scrutiny_desktop.report import signing
from scrutiny_desktop.report.verify import read_stamp, verify_against
from scrutiny_desktop.services import answers, assessments, recommendations, review
from scrutiny_desktop.services.recommendations import RecommendationInput
from tests.helpers import chair_id, pdftotext_pages, scrutineer_id, squash


def pdftext(path) -> str:
    """The whole text, words only: table cells wrap, so line breaks are not compared."""
    return squash(" ".join(pdftotext_pages(path)))


def test_reviewed_pdf_shows_response_decisions_comments_and_both_signatures(new_doc_path, tmp_path):
    """A countersigned assessment prints the partnership's response and both signatures,
    and verify reports both."""
    with assessments.open_assessment(new_doc_path, actor="Ann Jones") as doc:
        ids = assessments.question_ids(doc)
        for qid in ids:
            answers.set_judgement(doc, qid, "strong")
        r1 = recommendations.add_recommendation(doc, ids[0],
                                                RecommendationInput("Publish the plan", "partnership"))
        r2 = recommendations.add_recommendation(doc, ids[1], RecommendationInput("Train staff", "health"))
        signing.sign_off(doc, identity=scrutineer_id(),
                         name="Ann Jones", role="Scrutineer", statement="I confirm.", confirmed=True)
        doc.actor = "Chris Chair"
        review.set_overall_response(doc, "The partnership welcomes this & <agrees>.")
        review.set_question_comment(doc, ids[0], "Łódź-style comment: Καλημέρα")
        review.set_response(doc, r1.id, decision="accepted_with_changes", detail="By September",
                            action_owner="Board")
        review.set_response(doc, r2.id, decision="not_accepted", detail="Covered elsewhere")
        signing.countersign(doc, identity=chair_id(),
                             name="Chris Chair", role="Chair", statement="Agreed by partners.",
                            confirmed=True)
        out = signing.export_pdf(doc, tmp_path / "reviewed.pdf")
        result = verify_against(out, doc)
    text = pdftext(out)
    for expected in ("Partnership response", "The partnership welcomes this & <agrees>.",
                     "Accepted with changes", "By September", "Not accepted", "Covered elsewhere",
                     "Łódź-style comment: Καλημέρα", "Countersigned", "Chris Chair", "Ann Jones",
                     "Countersignature fingerprint"):
        assert expected in text, expected
    assert "DRAFT" not in text
    stamp = read_stamp(out)
    assert stamp.state == "reviewed" and stamp.countersign_fingerprint
    assert result.ok
    assert "signed off by Ann Jones" in result.message and "countersigned by Chris Chair" in result.message


def test_changed_response_after_countersigned_pdf_fails_verify(new_doc_path, tmp_path):
    """If the response is reopened and changed after the PDF, verify says so."""
    with assessments.open_assessment(new_doc_path) as doc:
        for qid in assessments.question_ids(doc):
            answers.set_judgement(doc, qid, "strong")
        signing.sign_off(doc, identity=scrutineer_id(),
                         name="Ann", role="", statement="I confirm.", confirmed=True)
        review.set_overall_response(doc, "First response")
        signing.countersign(doc, identity=chair_id(),
                             name="Chris", role="Chair", statement="Agreed.", confirmed=True)
        out = signing.export_pdf(doc, tmp_path / "reviewed.pdf")
        review.reopen_review(doc, reason="Board asked for changes")
        review.set_overall_response(doc, "Second response")
        result = verify_against(out, doc)
    assert not result.ok
    assert "response" in result.message
