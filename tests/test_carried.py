"""Carried-forward judgements (document format 6): brought in "to confirm", not
counted as answered until confirmed or changed, audited, warned about before
sign-off without blocking it, and kept by the JSON export and import.  Also the
independence of the chair from the scrutineer."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.report.jsonio import export_data, export_json
from scrutiny_desktop.services import (
    answers,
    assessments,
    progress,
    recommendations,
    review,
    signoff,
)
from scrutiny_desktop.services.carry_forward import carry_forward
from scrutiny_desktop.services.permissions import (
    COUNTERSIGN,
    NOT_REVIEWING,
    REOPEN_REVIEW,
    REVIEW,
    permissions,
)
from scrutiny_desktop.services.transfer import import_json
from scrutiny_desktop.storage import FORMAT_VERSION
from tests.helpers import answer_all, audit_rows, chair_id, copy_document, make_signed


def previous_year(path: Path) -> list[str]:
    """Last year's assessment (2025-26): three judgements, one with findings."""
    with assessments.open_assessment(path) as doc:
        ids = assessments.question_ids(doc)
        answers.set_judgement(doc, ids[0], "limited")
        answers.set_findings(doc, ids[0], "Plan not published.")
        answers.set_judgement(doc, ids[1], "strong")
        answers.set_judgement(doc, ids[2], "reasonable")
        return ids


@pytest.fixture
def carried(new_doc_path, tmp_path) -> tuple[Path, list[str]]:
    """This year's assessment with last year's judgements brought in to confirm."""
    ids = previous_year(new_doc_path)
    result = carry_forward(new_doc_path, tmp_path / "next.scrutiny", period="2026-27",
                           scrutineer_name="Ann Jones", bring_judgements=True)
    assert result.judgements == 3
    return result.path, ids


def test_carried_judgements_wait_to_be_confirmed(carried):
    """Each judgement comes in marked with last year's period and does not count as
    answered, nor as missing (it is listed as unconfirmed instead)."""
    path, ids = carried
    with assessments.open_assessment(path, readonly=True) as doc:
        first = answers.get_answer(doc, ids[0])
        assert (first.judgement, first.carried_from, first.to_confirm) == ("limited", "2025-26", True)
        assert first.findings == ""  # findings only when asked for
        states = {s.question_id: s for s in answers.question_states(doc)}
        assert states[ids[0]].state == "carried" and not states[ids[0]].answered
        assert states[ids[3]].state == "not_started"
        prog = progress.progress(doc)
        assert prog.answered == 0
        assert prog.unconfirmed == tuple(ids[:3])
        assert not set(ids[:3]) & set(prog.missing_required)
        assert ids[3] in prog.missing_required
        rows = [r for r in audit_rows(doc) if r.action == "answer.judgement_carried"]
        assert [r.target for r in rows] == ids[:3]


def test_confirming_counts_the_judgement_and_is_audited(carried):
    """Confirm keeps the judgement as it is, counts it as answered and writes an audit
    row like a judgement change; there is nothing to confirm a second time."""
    path, ids = carried
    with assessments.open_assessment(path, actor="Ann Jones") as doc:
        assert answers.confirm_judgement(doc, ids[0]) is True
        view = answers.get_answer(doc, ids[0])
        assert (view.judgement, view.carried_from) == ("limited", None)
        assert progress.progress(doc).answered == 1
        assert answers.confirm_judgement(doc, ids[0]) is False
        assert answers.confirm_judgement(doc, ids[3]) is False  # never carried
        row = [r for r in audit_rows(doc) if r.action == "answer.judgement_confirmed"][-1]
        assert (row.target, row.actor) == (ids[0], "Ann Jones")
        assert json.loads(row.old_value) == {"judgement": "limited", "carried_from": "2025-26"}
        assert json.loads(row.new_value) == {"judgement": "limited", "carried_from": None}


def test_choosing_any_judgement_confirms(carried):
    """Choosing the same judgement confirms it; another replaces and confirms it;
    clearing it leaves nothing to confirm."""
    path, ids = carried
    with assessments.open_assessment(path) as doc:
        assert answers.set_judgement(doc, ids[0], "limited") is True
        assert answers.get_answer(doc, ids[0]).carried_from is None
        assert answers.set_judgement(doc, ids[0], "limited") is False  # nothing left to do
        assert answers.set_judgement(doc, ids[1], "reasonable") is True
        assert (answers.get_answer(doc, ids[1]).judgement,
                answers.get_answer(doc, ids[1]).carried_from) == ("reasonable", None)
        assert answers.set_judgement(doc, ids[2], None) is True
        assert answers.get_answer(doc, ids[2]).carried_from is None
        assert progress.progress(doc).unconfirmed == ()
        assert progress.progress(doc).answered == 2


def test_leaving_judgements_blank_still_copies_findings(new_doc_path, tmp_path):
    """"Leave the judgements blank": no judgement comes in, findings still may."""
    ids = previous_year(new_doc_path)
    result = carry_forward(new_doc_path, tmp_path / "blank.scrutiny", period="2026-27",
                           scrutineer_name="Ann Jones", copy_findings=True,
                           bring_judgements=False)
    assert result.judgements == 0
    with assessments.open_assessment(result.path, readonly=True) as doc:
        first = answers.get_answer(doc, ids[0])
        assert (first.judgement, first.carried_from, first.findings) == (
            None, None, "Plan not published.")
        assert progress.progress(doc).unconfirmed == ()


def test_readiness_warns_without_blocking(carried):
    """The ready-to-sign checks warn about judgements with no findings and about
    carried judgements not yet confirmed, but sign-off is still allowed."""
    path, ids = carried
    with assessments.open_assessment(path) as doc:
        for qid in ids[3:]:
            answers.set_judgement(doc, qid, "strong")
        answers.set_findings(doc, ids[3], "Seen the plan.")
        warnings = progress.readiness_warnings(doc)
        assert warnings.unconfirmed == tuple(ids[:3])
        assert warnings.carried_period == "2025-26"
        assert warnings.no_findings[:3] == tuple(ids[:3]) and ids[3] not in warnings.no_findings
        texts = warnings.texts
        n = len(warnings.no_findings)
        assert texts[0].startswith(f"{n} questions have a judgement but no findings: {ids[0]}, ")
        assert texts[1] == (f"3 judgements carried forward from 2025-26 are not yet confirmed: "
                            f"{ids[0]}, {ids[1]}, {ids[2]}.")
        assert signoff.readiness(doc).ready  # a warning, never a blocker
        for qid in ids[:3]:
            answers.confirm_judgement(doc, qid)
        assert progress.readiness_warnings(doc).unconfirmed == ()
        assert progress.progress(doc).complete


def test_one_question_reads_in_the_singular(new_doc_path):
    with assessments.open_assessment(new_doc_path) as doc:
        qid = assessments.question_ids(doc)[0]
        answers.set_judgement(doc, qid, "strong")
        assert progress.readiness_warnings(doc).texts == (
            f"1 question has a judgement but no findings: {qid}.",)


def test_json_round_trip_keeps_the_state_to_confirm(carried, tmp_path):
    """The export carries ``carried_from`` only while a judgement waits to be confirmed;
    the import restores it, so the export of the import is the same."""
    path, ids = carried
    with assessments.open_assessment(path) as doc:
        answers.confirm_judgement(doc, ids[1])
        data = export_data(doc)
        out = export_json(doc, tmp_path / "carried.json")
    by_id = {a["question_id"]: a for a in data["answers"]}
    assert by_id[ids[0]]["carried_from"] == "2025-26"
    assert "carried_from" not in by_id[ids[1]] and "carried_from" not in by_id[ids[3]]
    back = import_json(out, tmp_path / "back.scrutiny")
    with assessments.open_assessment(back, readonly=True) as doc:
        assert answers.get_answer(doc, ids[0]).carried_from == "2025-26"
        assert answers.get_answer(doc, ids[1]).carried_from is None
        again = {a["question_id"]: a for a in export_data(doc)["answers"]}
    assert again == by_id


def test_new_documents_are_format_6_with_the_column(new_doc_path):
    """The format number went up with migration 0006 (the carried_from column)."""
    assert FORMAT_VERSION == 6
    conn = sqlite3.connect(new_doc_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
        columns = [row[1] for row in conn.execute("PRAGMA table_info(answers)")]
        assert "carried_from" in columns
    finally:
        conn.close()


def test_format_4_golden_upgrades_with_nothing_to_confirm(tmp_path):
    """A document from before carried judgements opens with none waiting."""
    path = copy_document(Path(__file__).parent / "fixtures" / "golden-format4.scrutiny",
                         tmp_path, "golden4.scrutiny")
    with assessments.open_assessment(path) as doc:
        assert assessments.info(doc).format_version == FORMAT_VERSION
        assert progress.progress(doc).unconfirmed == ()
        assert all(s.carried_from is None for s in answers.question_states(doc))
        assert signoff.verify_signoff(doc)[0]


# -- the chair is independent of the scrutineer ---------------------------------------------

def test_the_scrutineer_may_not_act_as_the_chair_in_any_capitals(new_doc_path):
    """make_signed signs off as Ann Jones: her name, however written, is refused."""
    make_signed(new_doc_path)
    with assessments.open_assessment(new_doc_path, readonly=True) as doc:
        for name in ("Ann Jones", "ann  JONES", " ANN jones "):
            problem = review.name_independence_problem(doc, name)
            assert problem.startswith("The review must be independent of the scrutineer: "
                                      "Ann Jones signed off")
        assert review.name_independence_problem(doc, "Chris Chair") == ""
        assert review.name_independence_problem(doc, "") == ""


def test_countersigning_under_the_scrutineers_name_is_refused(new_doc_path):
    make_signed(new_doc_path)
    with assessments.open_assessment(new_doc_path, actor="Chris Chair") as doc:
        review.set_overall_response(doc, "Accepted.")
        for rec in recommendations.list_recommendations(doc):
            review.set_response(doc, rec.id, decision="accepted")
        with pytest.raises(InvalidInput, match="independent of the scrutineer"):
            review.countersign(doc, identity=chair_id(), name="ANN JONES", role="Chair",
                               statement="Agreed.", confirmed=True)


def test_chair_actions_need_the_chair_role(new_doc_path):
    """Without the chair's role the app offers none of the chair's actions, saying how
    to start; with it, the status decides as before."""
    make_signed(new_doc_path)
    with assessments.open_assessment(new_doc_path) as doc:
        plain = permissions(doc, chair=False)
        assert not plain.can_review and plain.reason(REVIEW) == NOT_REVIEWING
        assert plain.reason(COUNTERSIGN) == NOT_REVIEWING
        assert not plain.can_edit_answers and plain.can_reopen  # the scrutineer may reopen
        assert permissions(doc, chair=True).can_review
    with assessments.open_assessment(new_doc_path) as doc:
        signoff.reopen(doc, reason="A change")
        # A draft: the status refuses first, with its own reason.
        assert permissions(doc, chair=False).reason(REVIEW) != NOT_REVIEWING
        assert permissions(doc, chair=False).reason(REOPEN_REVIEW) != NOT_REVIEWING


def test_answer_all_still_counts_everything(new_doc_path):
    """Judgements made in the document itself count at once (nothing to confirm)."""
    with assessments.open_assessment(new_doc_path) as doc:
        answer_all(doc)
        prog = progress.progress(doc)
        assert prog.answered == prog.total and prog.unconfirmed == ()
