"""Find across an assessment (services/search.py): every field a scrutineer or chair
can read on a question page is searched, matches say exactly where they are, and the
document is read in one session with a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import event

from scrutiny_desktop.services import answers, evidence, recommendations, review, search
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.services.common import template_of
from scrutiny_desktop.services.recommendations import RecommendationInput
from tests.helpers import make_signed


def _field(doc, match: search.Match) -> str:
    """The text a match's offsets refer to, read back through the other services."""
    template = template_of(doc)
    q = template.question(match.question_id)
    answer = answers.get_answer(doc, match.question_id)
    if match.where == search.QUESTION:
        return search.question_heading(q)
    if match.where == search.GUIDANCE:
        return q.guidance
    if match.where == search.FINDINGS:
        return answer.findings
    if match.where == search.EVIDENCE:
        assert match.item_index is not None
        return getattr(answer.evidence[match.item_index], match.part)
    if match.where == search.RECOMMENDATION:
        assert match.item_index is not None
        return answer.recommendations[match.item_index].text
    assert match.where == search.CHAIR_COMMENT
    return review.get_review(doc).comments[match.question_id]


def _matched(doc, match: search.Match) -> str:
    return _field(doc, match)[match.start:match.start + match.length]


def test_finds_findings_ignoring_case_and_white_space(doc):
    """A search for "board  MINUTES" finds "Board\\nminutes" in the findings: case and
    the kind or amount of white space do not matter; offsets point at the text."""
    answers.set_findings(doc, "ARR-02", "Before the review we asked for papers from all three "
                                        "partners. Read the Board\nminutes for March; the board "
                                        "minutes for April were missing, and so were the May papers.")
    found = search.search(doc, "  board  MINUTES ")
    assert [(m.question_id, m.where) for m in found] == [("ARR-02", "Findings")] * 2
    assert [_matched(doc, m) for m in found] == ["Board\nminutes", "board minutes"]
    first = found[0]
    assert first.question_label.startswith("ARR-02  Is the scrutiny objective")
    assert first.snippet == ("…all three partners. Read the Board minutes for March; the board "
                             "minutes for April were missing, and…")
    assert found[1].snippet.endswith("so were the May papers.")
    assert "\n" not in first.snippet


def test_every_place_is_searched_in_question_order(doc):
    """Question wording and id, guidance, findings, evidence (title, source and note)
    and recommendations are all searched; matches come question by question, in the
    checklist's order, and in page order within a question."""
    answers.set_findings(doc, "ARR-03", "The zebra crossing audit was late.")
    evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Terms of reference"))
    evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput(
        "Zebra report", source="Zebra team", note="Shows the ZEBRA audit."))
    recommendations.add_recommendation(doc, "ARR-04", RecommendationInput("Fund the zebra review"))
    found = search.search(doc, "zebra")
    assert [(m.question_id, m.where, m.part, m.item_index) for m in found] == [
        ("ARR-01", "Evidence", "title", 1),
        ("ARR-01", "Evidence", "source", 1),
        ("ARR-01", "Evidence", "note", 1),
        ("ARR-03", "Findings", "", None),
        ("ARR-04", "Recommendation", "", 0),
    ]
    assert all(_matched(doc, m).lower() == "zebra" for m in found)
    ev_id = answers.get_answer(doc, "ARR-01").evidence[1].id
    assert found[0].item_id == ev_id

    in_text = search.search(doc, "timely access")
    assert [(m.question_id, m.where) for m in in_text] == [("ARR-03", "Question")]
    assert _matched(doc, in_text[0]) == "timely access"
    by_id = search.search(doc, "arr-05")
    assert (by_id[0].question_id, by_id[0].where, by_id[0].start) == ("ARR-05", "Question", 0)

    guidance = search.search(doc, "declaration of interests")
    assert [(m.question_id, m.where) for m in guidance] == [("ARR-02", "Guidance")]
    assert _matched(doc, guidance[0]) == "declaration of interests"


def test_nothing_to_find(doc):
    """A blank search finds nothing, and so does a word that is nowhere; characters
    that mean something in a regular expression are taken literally."""
    answers.set_findings(doc, "ARR-01", "Costs (about £3.5k) rose.")
    assert search.search(doc, "") == []
    assert search.search(doc, " \n\t") == []
    assert search.search(doc, "xylophonic") == []
    assert search.search(doc, "3.5k)") and search.search(doc, "3x5k") == []
    assert [m.where for m in search.search(doc, "(about £3.5K)")] == ["Findings"]


def test_limit_stops_early(doc):
    """``limit`` returns the first matches only."""
    answers.set_findings(doc, "ARR-01", "audit " * 10)
    everything = search.search(doc, "audit")
    assert len(everything) > 10
    assert search.search(doc, "audit", limit=3) == everything[:3]


def test_one_session_and_four_queries(doc):
    """However many questions, the document is read with four statements."""
    for qid in ("ARR-01", "ARR-02", "ARR-03"):
        answers.set_findings(doc, qid, "partners")
        evidence.add_evidence(doc, qid, evidence.EvidenceInput("Partners' minutes"))
    template_of(doc)  # the template is parsed once per open and kept
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = doc.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        found = search.search(doc, "partners")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(found) > 6
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 4


def test_chairs_comment_is_searched(doc_path):
    """On a signed-off assessment, the chair's comment on a question is found too."""
    make_signed(doc_path)
    with open_assessment(doc_path, actor="Chris Chair") as doc:
        review.set_question_comment(doc, "ARR-02", "The panel asked about the Walrus review.")
        found = search.search(doc, "walrus")
        assert [(m.question_id, m.where) for m in found] == [("ARR-02", "Chair's comment")]
        assert _matched(doc, found[0]) == "Walrus"
        assert found[0].snippet == "The panel asked about the Walrus review."
