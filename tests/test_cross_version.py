"""Comparison and carry-forward across versions of a checklist: questions are
matched through the later checklist's ``replaces`` (merges and splits), and
questions with no counterpart are listed, never silently lost."""

from __future__ import annotations

import pytest

from scrutiny_desktop.report.compare_pdf import UNMATCHED_HEADING, build_compare_pdf
from scrutiny_desktop.services import answers, assessments, recommendations
from scrutiny_desktop.services.carry_forward import carry_forward
from scrutiny_desktop.services.compare import counterparts
from scrutiny_desktop.services.recommendations import RecommendationInput
from tests.helpers import compare_files, make_doc, pdftotext_pages, squash, write_template

_SCALE = """
[scale]
allow_not_applicable = true

[[scale.points]]
value = "yes"
label = "Yes"

[[scale.points]]
value = "partly"
label = "Partly"

[[scale.points]]
value = "no"
label = "No"
"""

#: Version 1: Q1-Q3 in section A, Q4-Q6 in section B.
V1 = """
format = 1
id = "versions"
version = "1.0"
title = "Versioned checklist"
description = "Version one."
""" + _SCALE + """
[[sections]]
id = "A"
title = "Section A"

[[sections.questions]]
id = "Q1"
text = "Kept as it was?"

[[sections.questions]]
id = "Q2"
text = "First half of a merge?"

[[sections.questions]]
id = "Q3"
text = "Second half of a merge?"

[[sections]]
id = "B"
title = "Section B"

[[sections.questions]]
id = "Q4"
text = "A question later split in two?"

[[sections.questions]]
id = "Q5"
text = "A question later retired with a reason?"

[[sections.questions]]
id = "Q6"
text = "A question later dropped without a word?"
"""

#: Version 2: Q1 kept; N1 merges Q2 and Q3; S1 and S2 split Q4; Q5 retired with a
#: reason; Q6 simply gone; N2 new.
V2 = """
format = 2
id = "versions"
version = "2.0"
title = "Versioned checklist"
description = "Version two."
directions = true
""" + _SCALE + """
[[retired]]
id = "Q5"
reason = "Covered by the new inspection framework."

[[sections]]
id = "A"
title = "Section A"

[[sections.questions]]
id = "Q1"
text = "Kept as it was?"

[[sections.questions]]
id = "N1"
text = "Both halves, merged?"
replaces = ["Q2", "Q3"]

[[sections]]
id = "B"
title = "Section B"

[[sections.questions]]
id = "S1"
text = "The first part of the split question?"
replaces = ["Q4"]

[[sections.questions]]
id = "S2"
text = "The second part of the split question?"
replaces = ["Q4"]

[[sections.questions]]
id = "N2"
text = "A brand new question?"
"""

RETIRED = "Covered by the new inspection framework."


@pytest.fixture
def templates(tmp_path):
    return write_template(tmp_path, "v1", V1), write_template(tmp_path, "v2", V2)


@pytest.fixture
def pair(tmp_path, templates):
    v1, v2 = templates
    earlier = make_doc(tmp_path / "v1.scrutiny", v1, period="2024-25",
                       judgements={"Q1": "no", "Q2": "yes", "Q3": "no", "Q4": "partly", "Q5": "yes"},
                       findings={"Q2": "Merge one.", "Q3": "Merge two.", "Q5": "Old Q5."})
    later = make_doc(tmp_path / "v2.scrutiny", v2, period="2025-26",
                     judgements={"Q1": "yes", "N1": "partly", "S1": "yes", "S2": "no"},
                     findings={"N1": "Merged findings."})
    with assessments.open_assessment(later) as doc:
        answers.set_direction(doc, "Q1", "improving")
    return earlier, later


def test_counterparts_follow_the_later_checklists_replaces(templates):
    v1, v2 = templates
    assert counterparts(v1, v2) == {"Q1": ["Q1"], "Q2": ["N1"], "Q3": ["N1"],
                                    "Q4": ["S1", "S2"], "Q5": [], "Q6": []}
    # The same checklist on both sides: every question matches itself.
    assert counterparts(v2, v2) == {q: [q] for q in v2.question_ids()}


def test_comparison_matches_through_the_map(pair):
    c = compare_files(*pair)
    by_id = {q.question_id: q for q in c.questions if q.change != "removed"}
    assert list(by_id) == ["Q1", "N1", "S1", "S2", "N2"]
    q1 = by_id["Q1"]
    assert (q1.earlier_ids, q1.change, q1.replaced) == (("Q1",), "improved", False)
    assert (q1.earlier_direction, q1.later_direction) == ("", "Improving")
    n1 = by_id["N1"]
    assert n1.earlier_ids == ("Q2", "Q3") and n1.replaced
    assert n1.change == "changed"  # the merged questions disagreed
    assert n1.earlier_label == "Q2: Yes; Q3: No"
    assert n1.earlier_findings == "Q2: Merge one.\n\nQ3: Merge two."
    assert n1.later_findings == "Merged findings."
    for split in ("S1", "S2"):
        assert by_id[split].earlier_ids == ("Q4",)
        assert by_id[split].earlier_judgement == "partly"
    assert (by_id["S1"].change, by_id["S2"].change) == ("improved", "worse")
    assert by_id["N2"].change == "new" and by_id["N2"].earlier_ids == ()
    assert c.templates_differ


def test_comparison_lists_earlier_questions_with_no_counterpart(pair, tmp_path):
    c = compare_files(*pair)
    assert [(u.question_id, u.section_title, u.judgement_label, u.reason) for u in c.unmatched] == [
        ("Q5", "Section B", "Yes", RETIRED), ("Q6", "Section B", "", "")]
    removed = [q.question_id for q in c.questions if q.change == "removed"]
    assert removed == ["Q5", "Q6"]
    assert sum(c.totals().values()) == len(c.questions)

    pdf = build_compare_pdf(c, tmp_path / "comparison.pdf")
    text = squash("\n".join(pdftotext_pages(pdf)))
    assert UNMATCHED_HEADING in text
    assert RETIRED in text
    assert "Replaces Q2, Q3" in text
    assert "Yes · Improving" in text  # the direction beside the judgement


def test_no_unmatched_list_for_the_same_checklist(tmp_path, templates):
    _v1, v2 = templates
    a = make_doc(tmp_path / "a.scrutiny", v2, period="2024-25", judgements={"Q1": "no"})
    b = make_doc(tmp_path / "b.scrutiny", v2, period="2025-26", judgements={"Q1": "yes"})
    c = compare_files(a, b)
    assert c.unmatched == () and not c.templates_differ
    assert [q.question_id for q in c.questions] == v2.question_ids()


def _recommend(path, items: list[tuple[str, str, str]]) -> None:
    with assessments.open_assessment(path) as doc:
        for qid, text, status in items:
            recommendations.add_recommendation(doc, qid, RecommendationInput(
                text, "partnership", status=status))


def test_carry_forward_moves_recommendations_through_the_map(tmp_path, templates):
    v1, v2 = templates
    previous = make_doc(tmp_path / "v1.scrutiny", v1, period="2024-25",
                        judgements={"Q1": "not_applicable"}, findings={"Q1": "Old Q1."})
    _recommend(previous, [("Q1", "Keep going", "open"), ("Q3", "Merge me", "open"),
                          ("Q4", "Split me", "in_progress"), ("Q5", "Retired one", "open"),
                          ("Q6", "Dropped one", "open"), ("Q2", "Finished", "done")])
    result = carry_forward(previous, tmp_path / "v2.scrutiny", period="2025-26",
                           scrutineer_name="Ann Jones", template=v2, copy_findings=True)
    assert result.carried == 5 and result.skipped == ()
    assert result.moved == (("Q3", "N1"), ("Q4", "S1"))
    assert [(r.question_id, r.text, r.reason, r.placed_on) for r in result.rehomed] == [
        ("Q5", "Retired one", RETIRED, "Q1"), ("Q6", "Dropped one", "", "Q1")]
    with assessments.open_assessment(result.path, readonly=True) as doc:
        recs = {r.text: r for r in recommendations.list_recommendations(doc)}
        assert "Finished" not in recs
        assert recs["Keep going"].question_id == "Q1"
        assert recs["Merge me"].question_id == "N1"
        assert recs["Merge me"].carried_from == "2024-25, recommendation 3 on Q3"  # in checklist order
        assert recs["Split me"].question_id == "S1"
        for text, qid in (("Retired one", "Q5"), ("Dropped one", "Q6")):
            assert recs[text].question_id == "Q1"
            assert f"on {qid}" in recs[text].carried_from
            assert "no longer has" in recs[text].carried_from
        assert RETIRED in recs["Retired one"].carried_from
        # Findings come over; "Not applicable" does not, on a required format-2 question.
        q1 = answers.get_answer(doc, "Q1")
        assert (q1.findings, q1.judgement) == ("Old Q1.", None)


def test_carry_forward_on_the_same_checklist_rehomes_nothing(tmp_path, templates):
    _v1, v2 = templates
    previous = make_doc(tmp_path / "prev.scrutiny", v2, period="2024-25")
    _recommend(previous, [("S2", "Stay put", "open")])
    result = carry_forward(previous, tmp_path / "next.scrutiny", period="2025-26",
                           scrutineer_name="Ann Jones")
    assert (result.carried, result.rehomed, result.moved) == (1, (), ())
    with assessments.open_assessment(result.path, readonly=True) as doc:
        assert [r.question_id for r in recommendations.list_recommendations(doc)] == ["S2"]
