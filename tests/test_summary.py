"""The scrutineer's summary (issue 12, item 1): written, audited, locked, signed, exported."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pytest

from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.report.jsonio import export_data, export_json
from scrutiny_desktop.services import assessments, signoff, summary
from scrutiny_desktop.services.fingerprint import content_fingerprint, part_hashes, scrutineer_content
from scrutiny_desktop.services.integrity import integrity_report
from scrutiny_desktop.services.transfer import ImportProblem, import_json
from tests.helpers import audit_rows, copy_document, scrutineer_id, tamper


def _write(doc) -> None:
    summary.set_overall_judgement(doc, "reasonable")
    summary.set_text(doc, "conclusion", "The partnership is improving.\n\n- Leadership is visible.")
    summary.set_text(doc, "strengths", "Multi-agency audits are thorough.")
    summary.set_text(doc, "areas_for_improvement", "Use data on children's outcomes.")
    summary.set_text(doc, "scope_and_method", "Read 40 documents; met 12 practitioners.")
    first = summary.template_of(doc).sections[0].id
    summary.set_section_summary(doc, first, "Arrangements are published and clear.")


def test_a_new_document_has_an_empty_summary(ready):
    view = summary.get_summary(ready)
    assert view.is_empty and view.overall_judgement is None and view.conclusion == ""


def test_written_parts_read_back_and_are_audited(ready):
    _write(ready)
    view = summary.get_summary(ready)
    assert view.overall_judgement == "reasonable"
    assert view.conclusion.endswith("- Leadership is visible.")
    first = summary.template_of(ready).sections[0].id
    assert view.sections == {first: "Arrangements are published and clear."}
    actions = [(r.action, r.target) for r in audit_rows(ready)]
    assert ("summary.text", "conclusion") in actions
    assert ("summary.overall_judgement", "overall_judgement") in actions
    assert ("summary.text", f"section/{first}") in actions
    assert summary.set_text(ready, "conclusion", view.conclusion) is False  # unchanged: no row
    assert integrity_report(ready).ok


def test_bad_parts_and_values_are_refused(ready):
    with pytest.raises(InvalidInput, match="not a part of the summary"):
        summary.set_text(ready, "verdict", "x")
    with pytest.raises(InvalidInput, match="no section 'NOPE'"):
        summary.set_section_summary(ready, "NOPE", "x")
    with pytest.raises(InvalidInput, match="not a judgement on this checklist's scale"):
        summary.set_overall_judgement(ready, "not_applicable")


def test_the_summary_is_part_of_the_signed_content(ready):
    before = content_fingerprint(ready)
    assert "summary" not in scrutineer_content(ready)  # none written: the old fingerprint
    summary.set_text(ready, "conclusion", "A conclusion.")
    assert content_fingerprint(ready) != before
    assert "summary" in part_hashes(scrutineer_content(ready))


def test_signing_off_locks_the_summary(ready):
    _write(ready)
    signoff.sign_off(ready, identity=scrutineer_id(), name="Ann Jones", role="", statement="I confirm.",
                     confirmed=True)
    with pytest.raises((InvalidInput, DocumentError)):
        summary.set_text(ready, "conclusion", "Changed after sign-off")


def test_a_summary_changed_behind_the_apps_back_is_caught(ready):
    _write(ready)
    path = ready.path
    ready.close()
    tamper(path, "UPDATE summary_parts SET text = 'Everything is fine.' WHERE part = 'conclusion'")
    with assessments.open_assessment(path, readonly=True) as doc:
        report = integrity_report(doc)
    assert not report.ok and "conclusion is not what the audit log recorded" in report.problem


def test_the_template_can_require_a_conclusion(ready):
    template = summary.template_of(ready)
    ready.cache["template"] = template.model_copy(update={"require_conclusion": True})
    state = signoff.readiness(ready)
    assert not state.ready and any("asks for a conclusion" in r for r in state.reasons)
    summary.set_text(ready, "conclusion", "Written.")
    assert signoff.readiness(ready).ready


def test_the_review_warns_while_the_conclusion_is_empty(ready):
    assert "no conclusion yet" in summary.summary_warning(ready)
    summary.set_text(ready, "conclusion", "Written.")
    assert summary.summary_warning(ready) == ""


# -- JSON ------------------------------------------------------------------------------------

def test_the_json_export_carries_the_documented_summary(ready):
    _write(ready)
    data = export_data(ready)
    assert data["format"]["version"] == 3
    s = data["summary"]
    assert set(s) == {"overall_judgement", "conclusion", "strengths", "areas_for_improvement",
                      "scope_and_method", "sections"}
    assert s["overall_judgement"] == "reasonable"
    template = summary.template_of(ready)
    assert [x["section_id"] for x in s["sections"]] == [sec.id for sec in template.sections]
    assert s["sections"][0]["summary"] == "Arrangements are published and clear."
    assert all(x["summary"] == "" for x in s["sections"][1:])


def test_the_summary_round_trips_through_json(ready, tmp_path):
    _write(ready)
    first = export_json(ready, tmp_path / "a.json")
    copy = import_json(Path(first), tmp_path / "copy.scrutiny")
    with assessments.open_assessment(copy, readonly=True) as doc:
        assert summary.get_summary(doc) == summary.get_summary(ready)
        assert content_fingerprint(doc) == content_fingerprint(ready)
        assert integrity_report(doc).ok
        again = export_json(doc, tmp_path / "b.json")
    assert Path(first).read_bytes() == Path(again).read_bytes()


def test_a_version_2_export_imports_with_an_empty_summary(ready, tmp_path):
    data = export_data(ready)
    data["format"]["version"] = 2
    del data["summary"]
    source = tmp_path / "v2.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    copy = import_json(source, tmp_path / "v2.scrutiny")
    with assessments.open_assessment(copy, readonly=True) as doc:
        assert summary.get_summary(doc).is_empty


@pytest.mark.parametrize(("change", "where"), [
    (lambda s: s.update(overall_judgement="superb"), "$.summary.overall_judgement"),
    (lambda s: s["sections"].append({"section_id": "NOPE", "summary": "x"}), "$.summary.sections["),
    (lambda s: s.pop("conclusion"), "$.summary.conclusion"),
])
def test_a_bad_summary_in_an_import_is_named_by_its_json_path(ready, tmp_path, change, where):
    data = export_data(ready)
    change(data["summary"])
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ImportProblem) as problem:
        import_json(source, tmp_path / "bad.scrutiny")
    assert where in str(problem.value)


def test_a_format_2_document_upgrades_with_an_empty_summary(tmp_path):
    """The format-2 golden document (no summary table) opens, upgrades, and has an empty
    summary; its signature still verifies."""
    from scrutiny_desktop.services.integrity import VALID, signature_checks

    path = copy_document(Path(__file__).parent / "fixtures" / "golden-format2.scrutiny", tmp_path,
                         "golden.scrutiny")
    with assessments.open_assessment(path) as doc:
        assert summary.get_summary(doc).is_empty
        assert [c.state for c in signature_checks(doc)] == [VALID]
    with contextlib.closing(sqlite3.connect(str(path))) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "summary_parts" in tables


def test_the_golden_format_4_document_reads_its_summary_and_signed_pdf(tmp_path):
    """The format-4 golden (tests/fixtures/make_golden.py): summary, stored signature and
    kept signed PDF all read back with today's code (a later format must keep them so)."""
    from scrutiny_desktop.report import pades
    from scrutiny_desktop.services.integrity import VALID, signature_checks
    from scrutiny_desktop.services.signatures import pdf_to_export
    from tests.fixtures.make_golden import SECTION_SUMMARY, SUMMARY

    path = copy_document(Path(__file__).parent / "fixtures" / "golden-format4.scrutiny", tmp_path,
                         "golden4.scrutiny")
    with assessments.open_assessment(path, readonly=True) as doc:
        view = summary.get_summary(doc)
        assert view.overall_judgement == SUMMARY["overall_judgement"]
        assert {name: view.text(name) for name in summary.FIELDS} == \
            {k: v for k, v in SUMMARY.items() if k != "overall_judgement"}
        assert view.sections == dict([SECTION_SUMMARY])
        assert [c.state for c in signature_checks(doc)] == [VALID]
        assert integrity_report(doc).ok
        kept = pdf_to_export(doc)
    assert kept is not None and pades.verify_bytes(kept).ok
