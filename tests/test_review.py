"""Chairs' review and countersignature, through the services (no Qt)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from scrutiny_desktop.errors import DocumentLocked, InvalidInput
from scrutiny_desktop.services import answers, assessments, recommendations, review, signoff
from scrutiny_desktop.services.fingerprint import content_fingerprint, countersign_fingerprint
from scrutiny_desktop.services.recommendations import RecommendationInput
from scrutiny_desktop.storage import audit
from tests.helpers import chair_id, scrutineer_id


def signed_doc(path, recs=2):
    doc = assessments.open_assessment(path, actor="Ann Jones")
    ids = assessments.question_ids(doc)
    for qid in ids:
        answers.set_judgement(doc, qid, "reasonable")
    for n in range(recs):
        recommendations.add_recommendation(doc, ids[n], RecommendationInput(f"Do thing {n}", "police"))
    signoff.sign_off(doc, identity=scrutineer_id(),
                     name="Ann Jones", role="Scrutineer", statement="I confirm.", confirmed=True)
    doc.actor = "Chris Chair"
    return doc


def respond_all(doc):
    for r in recommendations.list_recommendations(doc):
        review.set_response(doc, r.id, decision="accepted", action_owner="Board", action_due=None)
    review.set_overall_response(doc, "The partnership welcomes the assessment.")


def test_review_needs_a_signed_off_assessment(new_doc_path):
    """A chair cannot respond to a draft."""
    with assessments.open_assessment(new_doc_path) as doc, pytest.raises(InvalidInput, match="signed"):
        review.set_overall_response(doc, "Too early")


def test_review_content_never_changes_the_scrutineers_sign_off(new_doc_path):
    """Comments, responses and decisions leave the scrutineer's fingerprint valid."""
    doc = signed_doc(new_doc_path)
    try:
        before = content_fingerprint(doc)
        qid = assessments.question_ids(doc)[0]
        review.set_question_comment(doc, qid, "We agree, and will act.")
        respond_all(doc)
        assert content_fingerprint(doc) == before
        assert signoff.verify_signoff(doc)[0]
        rv = review.get_review(doc)
        assert rv.comments[qid] == "We agree, and will act."
        assert rv.overall.startswith("The partnership welcomes")
        assert {r.decision for r in rv.responses.values()} == {"accepted"}
        with doc.read() as session:
            assert audit.verify_chain(session).ok
    finally:
        doc.close()


def test_decisions_need_detail_when_changed_or_refused(new_doc_path):
    """'Accepted with changes' needs the change; 'Not accepted' needs the reason."""
    doc = signed_doc(new_doc_path, recs=1)
    try:
        rid = recommendations.list_recommendations(doc)[0].id
        with pytest.raises(InvalidInput, match="change"):
            review.set_response(doc, rid, decision="accepted_with_changes")
        with pytest.raises(InvalidInput, match="reason"):
            review.set_response(doc, rid, decision="not_accepted", detail="  ")
        view = review.set_response(doc, rid, decision="not_accepted", detail="Already covered by the plan")
        assert view.decision_label == "Not accepted"
    finally:
        doc.close()


def test_countersign_locks_the_review_and_reopen_unlocks_it(new_doc_path):
    """Countersigning records its own fingerprint and locks the response; reopening needs a reason."""
    doc = signed_doc(new_doc_path)
    try:
        ok, reasons = review.review_readiness(doc)
        assert not ok and any("overall" in r for r in reasons)
        respond_all(doc)
        assert review.review_readiness(doc)[0]
        cs = review.countersign(doc, identity=chair_id(),
                                name="Chris Chair", role="Chair", statement="Agreed.", confirmed=True)
        assert cs.fingerprint == countersign_fingerprint(doc)
        assert assessments.info(doc).status == "reviewed"
        with pytest.raises(DocumentLocked):
            review.set_overall_response(doc, "Changed my mind")
        with pytest.raises(InvalidInput):
            review.reopen_review(doc, reason=" ")
        review.reopen_review(doc, reason="New evidence from the police")
        assert assessments.info(doc).status == "signed_off"
        hist = review.get_review(doc).history
        assert hist[-1].voided and hist[-1].void_reason == "New evidence from the police"
        review.set_overall_response(doc, "Revised response")
    finally:
        doc.close()


def test_scrutineer_cannot_reopen_while_countersigned(new_doc_path):
    """The review must be reopened before the sign-off can be."""
    doc = signed_doc(new_doc_path, recs=0)
    try:
        review.set_overall_response(doc, "Thank you.")
        review.countersign(doc, identity=chair_id(), name="C", role="", statement="Agreed.", confirmed=True)
        with pytest.raises(DocumentLocked):
            signoff.reopen(doc, reason="oops")
    finally:
        doc.close()


def test_countersign_refused_when_content_changed_behind_the_apps_back(new_doc_path):
    """If the signed content was altered with a SQLite shell, countersigning is refused."""
    doc = signed_doc(new_doc_path, recs=0)
    try:
        review.set_overall_response(doc, "Fine.")
        with closing(sqlite3.connect(new_doc_path)) as conn:
            conn.execute("UPDATE answers SET findings = 'tampered' WHERE position = 0")
            conn.commit()
        with pytest.raises(InvalidInput, match="no longer matches"):
            review.countersign(doc, identity=chair_id(),
                               name="C", role="", statement="Agreed.", confirmed=True)
    finally:
        doc.close()
