"""New assessment from a previous one."""

from __future__ import annotations

import hashlib

import pytest

from scrutiny_desktop.services import answers, assessments, recommendations
from scrutiny_desktop.services.carry_forward import carry_forward, next_period
from scrutiny_desktop.services.recommendations import RecommendationInput


@pytest.mark.parametrize(("period", "expected"), [
    ("2025-26", "2026-27"), ("2025/26", "2026/27"), ("2025", "2026"),
    ("April 2025 to March 2026", "April 2026 to March 2027"), ("2099-00", "2100-01"),
    ("Year three", "Year three (next)"),
])
def test_next_period_is_suggested(period, expected):
    """The next period is suggested from the last one."""
    assert next_period(period) == expected


def make_previous(path):
    with assessments.open_assessment(path) as doc:
        ids = assessments.question_ids(doc)
        answers.set_judgement(doc, ids[0], "limited")
        answers.set_findings(doc, ids[0], "Plan not published.")
        recommendations.add_recommendation(doc, ids[0], RecommendationInput(
            "Publish the plan", "partnership", priority="high", status="in_progress",
            progress="Draft written"))
        recommendations.add_recommendation(doc, ids[2], RecommendationInput("Already done", "police",
                                                                            status="done"))
        recommendations.add_recommendation(doc, ids[3], RecommendationInput("Train staff", "health"))
        return ids


def test_carry_forward_brings_open_recommendations_only(new_doc_path, tmp_path):
    """Open and in-progress recommendations come forward on the same question, labelled."""
    ids = make_previous(new_doc_path)
    before = hashlib.sha256(new_doc_path.read_bytes()).hexdigest()
    result = carry_forward(new_doc_path, tmp_path / "next.scrutiny", period="2026-27",
                           scrutineer_name="Ann Jones")
    assert hashlib.sha256(new_doc_path.read_bytes()).hexdigest() == before  # previous untouched
    assert result.carried == 2 and result.skipped == ()
    with assessments.open_assessment(result.path, readonly=True) as doc:
        info = assessments.info(doc)
        assert (info.partnership, info.area, info.period) == (
            "Northshire Safeguarding Children Partnership", "Northshire", "2026-27")
        assert info.previous_period == "2025-26"
        recs = recommendations.list_recommendations(doc)
        assert [(r.question_id, r.text, r.status) for r in recs] == [
            (ids[0], "Publish the plan", "in_progress"), (ids[3], "Train staff", "open")]
        assert recs[0].carried_from == f"2025-26, recommendation 1 on {ids[0]}"
        assert recs[0].progress == "Draft written"
        # Answers are not copied unless asked.
        assert answers.get_answer(doc, ids[0]).findings == ""
        assert answers.get_answer(doc, ids[0]).judgement is None


def test_carry_forward_can_start_from_last_years_findings(new_doc_path, tmp_path):
    """Asking for last year's findings copies findings and judgements."""
    ids = make_previous(new_doc_path)
    result = carry_forward(new_doc_path, tmp_path / "next.scrutiny", period="2026-27",
                           scrutineer_name="Ann Jones", copy_findings=True)
    with assessments.open_assessment(result.path, readonly=True) as doc:
        a = answers.get_answer(doc, ids[0])
        assert (a.findings, a.judgement) == ("Plan not published.", "limited")


def test_carry_forward_never_overwrites(new_doc_path):
    """The new assessment cannot replace an existing file."""
    make_previous(new_doc_path)
    with pytest.raises(FileExistsError):
        carry_forward(new_doc_path, new_doc_path, period="2026-27", scrutineer_name="A")
