"""Changes made behind the app's back are caught by check, verify and import."""

from __future__ import annotations

import pytest

from scrutiny_desktop.report import signing
from scrutiny_desktop.report.jsonio import export_json
from scrutiny_desktop.report.verify import verify_against
from scrutiny_desktop.services import answers, assessments, evidence
from scrutiny_desktop.services.evidence import EvidenceInput
from scrutiny_desktop.services.integrity import integrity_report
from scrutiny_desktop.services.transfer import ImportProblem, import_json
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
