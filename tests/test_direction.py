"""Direction of travel per question (format-2 checklists with ``directions = true``):
the service, its audit row, the fingerprint, the JSON round trip and the reports."""

from __future__ import annotations

import csv
import json

import pytest

from scrutiny_desktop.checklist.model import DIRECTIONS
from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.report import csvout
from scrutiny_desktop.report.data import ReportOptions, collect
from scrutiny_desktop.report.docx import build_docx
from scrutiny_desktop.report.jsonio import export_json
from scrutiny_desktop.report.pdf import build_pdf
from scrutiny_desktop.services import answers
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.services.fingerprint import content_fingerprint, scrutineer_content
from scrutiny_desktop.services.integrity import integrity_report
from scrutiny_desktop.services.transfer import import_json
from tests.helpers import (
    DIRECTED_TEMPLATE,
    UNDIRECTED_TEMPLATE,
    audit_rows,
    make_doc,
    pdftotext_pages,
    squash,
    write_template,
)

DIRECTED, UNDIRECTED = DIRECTED_TEMPLATE, UNDIRECTED_TEMPLATE


@pytest.fixture
def directed(tmp_path):
    return make_doc(tmp_path / "directed.scrutiny", write_template(tmp_path, "directed", DIRECTED),
                    period="2025-26", judgements={"Q1": "yes"}, findings={"Q1": "Good."})


@pytest.fixture
def plain(tmp_path):
    return make_doc(tmp_path / "plain.scrutiny", write_template(tmp_path, "plain", UNDIRECTED),
                    period="2025-26", judgements={"Q1": "yes"})


def test_direction_is_stored_shown_and_audited(directed):
    """A direction is saved, read back in the answer view, and logged with old and new."""
    with open_assessment(directed) as doc:
        assert answers.get_answer(doc, "Q1").direction is None
        assert answers.set_direction(doc, "Q1", "improving") is True
        assert answers.set_direction(doc, "Q1", "improving") is False  # unchanged: no row
        assert answers.set_direction(doc, "Q1", "declining") is True
        assert answers.set_direction(doc, "Q1", None) is True
        assert answers.set_direction(doc, "Q2", "not_known") is True
        assert answers.get_answer(doc, "Q1").direction is None
        assert answers.get_answer(doc, "Q2").direction == "not_known"
        rows = [(r.action, r.target, r.old_value, r.new_value) for r in audit_rows(doc)
                if r.action == "answer.direction"]
        assert rows == [("answer.direction", "Q1", None, "improving"),
                        ("answer.direction", "Q1", "improving", "declining"),
                        ("answer.direction", "Q1", "declining", None),
                        ("answer.direction", "Q2", None, "not_known")]
        assert integrity_report(doc).ok


def test_every_direction_has_words():
    assert [answers.direction_label(v) for v, _ in DIRECTIONS] == [
        "Improving", "Stable", "Declining", "Not known"]
    assert answers.direction_label(None) == ""


def test_unknown_direction_is_refused(directed):
    with open_assessment(directed) as doc, pytest.raises(InvalidInput, match="not a direction"):
        answers.set_direction(doc, "Q1", "sideways")


def test_direction_refused_when_the_checklist_does_not_ask_for_one(plain):
    with open_assessment(plain) as doc, pytest.raises(InvalidInput, match="does not ask"):
        answers.set_direction(doc, "Q1", "stable")


def test_not_applicable_is_refused_for_a_required_question_in_format_2(directed):
    """Format 2: "Not applicable" only on optional questions (unless a question says so)."""
    with open_assessment(directed) as doc:
        template_options = dict(doc_template(doc).options_for("Q1"))
        assert "not_applicable" not in template_options
        assert "not_applicable" in dict(doc_template(doc).options_for("Q2"))
        with pytest.raises(InvalidInput, match="required"):
            answers.set_judgement(doc, "Q1", "not_applicable")
        assert answers.set_judgement(doc, "Q2", "not_applicable") is True


def doc_template(doc):
    from scrutiny_desktop.services.common import template_of

    return template_of(doc)


def test_fingerprint_unchanged_without_a_direction_and_changed_with_one(directed):
    """No direction: the record has no "direction" key (older fingerprints hold);
    once one is set, the fingerprint covers it."""
    with open_assessment(directed) as doc:
        before = content_fingerprint(doc)
        assert all("direction" not in a for a in scrutineer_content(doc)["answers"])
        answers.set_direction(doc, "Q1", "stable")
        after = content_fingerprint(doc)
        assert after != before
        q1 = scrutineer_content(doc)["answers"][0]
        assert q1["direction"] == "stable"
        assert "direction" not in scrutineer_content(doc)["answers"][1]
        answers.set_direction(doc, "Q1", "improving")
        assert content_fingerprint(doc) not in (before, after)


def test_json_round_trip_keeps_directions(directed, tmp_path):
    with open_assessment(directed) as doc:
        answers.set_direction(doc, "Q1", "improving")
        fingerprint = content_fingerprint(doc)
        out = export_json(doc, tmp_path / "export.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [a["direction"] for a in data["answers"]] == ["improving", None]
    copy = import_json(out, tmp_path / "copy.scrutiny")
    with open_assessment(copy, readonly=True) as doc:
        assert answers.get_answer(doc, "Q1").direction == "improving"
        assert answers.get_answer(doc, "Q2").direction is None
        assert content_fingerprint(doc) == fingerprint


def test_json_without_direction_imports(plain, tmp_path):
    """An export written before directions (no ``direction`` key) still imports."""
    with open_assessment(plain) as doc:
        out = export_json(doc, tmp_path / "export.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [a["direction"] for a in data["answers"]] == [None, None]
    for a in data["answers"]:
        del a["direction"]
    out.write_text(json.dumps(data), encoding="utf-8")
    with open_assessment(import_json(out, tmp_path / "copy.scrutiny"), readonly=True) as doc:
        assert answers.get_answer(doc, "Q1").direction is None


def test_csv_has_a_direction_column_after_the_judgement(directed, tmp_path):
    with open_assessment(directed) as doc:
        answers.set_direction(doc, "Q1", "declining")
        out = csvout.export_csv(doc, tmp_path / "out.csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    header = rows[0]
    assert header.index("Direction of travel") == header.index("Judgement") + 1
    assert header[:5] == csvout.HEADER[:5]
    by_id = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_id["Q1"]["Direction of travel"] == "Declining"
    assert by_id["Q2"]["Direction of travel"] == ""


def test_csv_of_a_checklist_without_directions_keeps_its_columns(plain, tmp_path):
    with open_assessment(plain) as doc:
        out = csvout.export_csv(doc, tmp_path / "out.csv")
    header = next(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert header == csvout.HEADER


def test_reports_print_the_direction(directed, tmp_path):
    """The PDF prints it under the judgement; the report data and Word report carry it."""
    with open_assessment(directed) as doc:
        answers.set_direction(doc, "Q1", "improving")
        data = collect(doc, ReportOptions())
    q1, q2 = data.sections[0].questions
    assert (q1.direction_label, q2.direction_label) == ("Improving", "")
    pdf = build_pdf(data, tmp_path / "report.pdf")
    text = squash("\n".join(pdftotext_pages(pdf)))
    assert "Direction of travel: Improving" in text
    assert text.count("Direction of travel:") == 1
    from docx import Document as WordDocument

    word = WordDocument(str(build_docx(data, tmp_path / "report.docx")))
    paragraphs = [p.text for p in word.paragraphs]
    assert any("Direction of travel:" in p and "Improving" in p for p in paragraphs)


def test_integrity_notices_a_direction_written_behind_the_apps_back(directed):
    from tests.helpers import raw_update

    raw_update(directed, "UPDATE answers SET direction = 'sideways' WHERE question_id = 'Q1'")
    with open_assessment(directed, readonly=True) as doc:
        report = integrity_report(doc)
    assert not report.ok and "direction" in report.problem
