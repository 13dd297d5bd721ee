"""Changes made behind the app's back are caught by check, verify and import."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from scrutiny_desktop.report import signing
from scrutiny_desktop.report.jsonio import export_json
from scrutiny_desktop.report.verify import verify_against
from scrutiny_desktop.services import answers, assessments, evidence
from scrutiny_desktop.services.evidence import EvidenceInput
from scrutiny_desktop.services.integrity import integrity_report
from scrutiny_desktop.services.transfer import ImportProblem, import_json
from scrutiny_desktop.storage.models import AuditEntry
from tests.helpers import scrutineer_id, tamper


@pytest.fixture
def signed(new_doc_path, tmp_path):
    """A signed-off document with an attachment, and a PDF made from it."""
    att = tmp_path / "minutes.txt"
    att.write_text("minutes")
    with assessments.open_assessment(new_doc_path) as doc:
        for qid in assessments.question_ids(doc):
            answers.set_judgement(doc, qid, "strong")
        evidence.add_evidence(doc, assessments.question_ids(doc)[0], EvidenceInput("Minutes"), attach=att)
        signing.sign_off(doc, identity=scrutineer_id(),
                         name="Ann Jones", role="Scrutineer", statement="I confirm.",
                         confirmed=True, signature_png=None)
        pdf = signing.export_pdf(doc, tmp_path / "signed.pdf")
    return new_doc_path, pdf


@pytest.mark.parametrize(("sql", "expected"), [
    ("UPDATE attachments SET content = x'00'", "attached file"),
    ("UPDATE signoffs SET name = 'Mallory'", "sign-off record was changed"),
    ("UPDATE signoffs SET statement = 'Something else'", "sign-off record was changed"),
    ("UPDATE assessments SET status = 'draft'", "does not agree with its signatures"),
    ("UPDATE answers SET findings = 'edited' WHERE position = 3", "changed after it was signed off"),
])
def test_tampering_is_caught_by_integrity_and_verify(signed, sql, expected):
    """Each change made with a SQLite shell is reported by check's integrity test and
    makes verify fail, naming what is wrong."""
    path, pdf = signed
    tamper(path, sql)
    with assessments.open_assessment(path, readonly=True) as doc:
        report = integrity_report(doc)
        result = verify_against(pdf, doc)
    assert not report.ok and expected in report.problem
    assert not result.ok and result.message.startswith("does not match")


def test_untouched_signed_document_is_sound(signed):
    """Without tampering everything agrees."""
    path, pdf = signed
    with assessments.open_assessment(path, readonly=True) as doc:
        assert integrity_report(doc).ok
        assert verify_against(pdf, doc).ok


def test_import_refuses_an_export_whose_signed_findings_were_edited(signed, tmp_path):
    """A JSON export of a signed-off assessment, edited by hand, is refused on import."""
    import json

    path, _pdf = signed
    with assessments.open_assessment(path, readonly=True) as doc:
        out = export_json(doc, tmp_path / "export.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    data["answers"][2]["findings"] = "Quietly rewritten"
    out.write_text(json.dumps(data), encoding="utf-8")
    target = tmp_path / "imported.scrutiny"
    with pytest.raises(ImportProblem, match="changed after it was signed off"):
        import_json(out, target)
    assert not target.exists()


# -- the records compared with the audit log, on a document's whole life ------------------------

def _lived(path):
    """Every kind of record the checks compare with the audit log, made through the app:
    a sign-off voided and made again, comments, a response, a countersignature voided and
    made again, and the summary."""
    from scrutiny_desktop.services import recommendations, review, signoff, summary
    from scrutiny_desktop.services.recommendations import RecommendationInput
    from tests.helpers import chair_id

    with assessments.open_assessment(path, actor="Ann Jones") as doc:
        qids = assessments.question_ids(doc)
        for qid in qids:
            answers.set_judgement(doc, qid, "strong")
            answers.set_findings(doc, qid, f"Findings on {qid}.")
        recommendations.add_recommendation(doc, qids[0], RecommendationInput("Publish the plan."))
        summary.set_overall_judgement(doc, "strong")
        summary.set_text(doc, "conclusion", "Sound arrangements.")

        def sign_off():
            signing.sign_off(doc, identity=scrutineer_id(), name="Ann Jones", role="Scrutineer",
                             statement="I confirm.", confirmed=True)

        def countersign():
            signing.countersign(doc, identity=chair_id(), name="Chris Chair", role="Chair",
                                statement="Reviewed.", confirmed=True)

        sign_off()
        signoff.reopen(doc, reason="A date was wrong.", by="Ann Jones")
        sign_off()
        review.set_overall_response(doc, "The partnership accepts the findings.")
        review.set_question_comment(doc, qids[1], "Agreed.")
        rec = recommendations.list_recommendations(doc)[0]
        review.set_response(doc, rec.id, decision="accepted", action_owner="Business manager")
        countersign()
        review.reopen_review(doc, reason="The owner changed.", by="Chris Chair")
        review.set_response(doc, rec.id, decision="accepted", action_owner="Board")
        countersign()
    return path


@pytest.mark.parametrize("sql", [
    "UPDATE review_comments SET text = 'Changed.' WHERE question_id IS NOT NULL",
    "UPDATE review_comments SET text = 'Changed.' WHERE question_id IS NULL",
    "UPDATE recommendation_responses SET action_owner = 'Nobody'",
    "UPDATE summary_parts SET text = 'Changed.' WHERE part = 'conclusion'",
    "UPDATE signoffs SET void_reason = 'Another reason.' WHERE voided_at IS NOT NULL",
    "UPDATE countersignatures SET voided_by = 'Someone else' WHERE voided_at IS NOT NULL",
    "UPDATE signoffs SET voided_at = NULL, void_reason = '', voided_by = ''",
    "UPDATE assessments SET modified_at = '2019-01-01T00:00:00.000000+00:00'",
    None,
])
def test_the_checks_read_only_the_audit_rows_they_compare(new_doc_path, monkeypatch, sql):
    """Issue 17: the record checks read the audit rows of the actions they compare (not
    the thousands of edits to answers) and the newest row.  On a document that has been
    through every kind of record, untouched or changed behind the app's back, they find
    what reading every audit row finds."""
    from scrutiny_desktop.services import integrity

    path = _lived(new_doc_path)
    if sql is not None:
        tamper(path, sql)
    checked = set(integrity._CHECKED_ACTIONS)
    with assessments.open_assessment(path, readonly=True) as doc:
        quick = integrity_report(doc)
        with doc.read() as session:
            every = tuple(session.scalars(select(AuditEntry.action).distinct()))
        monkeypatch.setattr(integrity, "_CHECKED_ACTIONS", every)
        full = integrity_report(doc)
    assert quick == full
    assert quick.ok == (sql is None), quick.problem
    assert checked < set(every)  # (the edits are left out)
