"""Sign-off, reopening and the content fingerprint (issue 4, items 1-3)."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3

import pytest

from scrutiny_desktop.errors import DocumentLocked, InvalidInput
from scrutiny_desktop.services import answers, assessments, evidence, progress, recommendations, signoff
from scrutiny_desktop.services.assessments import create_assessment, open_assessment
from scrutiny_desktop.services.fingerprint import (
    content_fingerprint,
    part_hashes,
    scrutineer_content,
)
from scrutiny_desktop.storage.audit import verify_chain
from tests.fixtures import badfiles
from tests.helpers import (
    NORTHSHIRE_DETAILS,
    STATEMENT,
    all_evidence,
    answer_all,
    audit_rows,
    copy_document,
    scrutineer_id,
    set_details,
    tamper,
)

PNG = badfiles.minimal_png()


def sign(doc, **overrides):
    kwargs = dict(identity=scrutineer_id(), name="Ann Jones", role="Independent scrutineer",
                  statement=STATEMENT,
                  confirmed=True, signature_png=PNG)
    kwargs.update(overrides)
    return signoff.sign_off(doc, **kwargs)


# -- readiness -----------------------------------------------------------------------------

def test_fresh_document_is_not_ready_and_the_reason_names_the_missing_questions(doc, cis):
    """A new assessment cannot be signed; the reason counts and names the open required questions."""
    required = [q.id for _s, q in cis.questions() if q.required]
    state = signoff.readiness(doc)
    assert not state.ready
    assert state.missing_required == tuple(required)
    text = " ".join(state.reasons)
    assert f"{len(required)} required questions" in text
    for qid in required[:3]:
        assert qid in text


def test_one_unanswered_required_question_is_named(ready, cis):
    """With all but one required question answered, the reason names that one question."""
    last_required = [q.id for _s, q in cis.questions() if q.required][-1]
    answers.set_judgement(ready, last_required, None)
    state = signoff.readiness(ready)
    assert not state.ready
    assert state.missing_required == (last_required,)
    text = " ".join(state.reasons)
    assert "1 required question has" in text
    assert last_required in text


def test_answering_every_question_makes_it_ready(ready):
    """Once every question has a judgement, the assessment is ready to sign with no reasons given."""
    state = signoff.readiness(ready)
    assert state.ready
    assert state.reasons == ()
    assert state.missing_required == ()


def test_signing_is_refused_while_required_questions_are_unanswered(doc):
    """Signing an unfinished assessment is refused with the reason, and nothing is recorded."""
    rows_before = len(audit_rows(doc))
    with pytest.raises(InvalidInput, match="required question"):
        sign(doc)
    assert signoff.history(doc) == []
    assert assessments.info(doc).status == "draft"
    assert len(audit_rows(doc)) == rows_before


def test_tampered_audit_log_makes_the_document_not_ready(tmp_path, answered):
    """A document whose audit log was edited behind the app's back cannot be signed off."""
    path = copy_document(answered, tmp_path, "tampered.scrutiny")
    tamper(path, "UPDATE audit_entries SET actor = 'Mallory' WHERE seq = 1")
    with open_assessment(path) as d:
        state = signoff.readiness(d)
        assert not state.ready
        text = " ".join(state.reasons).lower()
        assert "integrity" in text
        assert "tampered" in text
        with pytest.raises(InvalidInput, match="tampered"):
            sign(d)
        assert signoff.history(d) == []


# -- signing off -----------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, words", [
    ({"confirmed": False}, "I confirm"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"statement": ""}, "statement"),
    ({"statement": "\n\t"}, "statement"),
])
def test_sign_off_needs_confirmation_a_name_and_a_statement(ready, overrides, words):
    """Signing without "I confirm", a name or a statement is refused and nothing changes."""
    fp = content_fingerprint(ready)
    rows_before = len(audit_rows(ready))
    with pytest.raises(InvalidInput, match=words):
        sign(ready, **overrides)
    assert signoff.history(ready) == []
    assert assessments.info(ready).status == "draft"
    assert len(audit_rows(ready)) == rows_before
    assert content_fingerprint(ready) == fp


@pytest.mark.parametrize("data", [
    b"GIF89a\x01\x00\x01\x00",
    b"\xff\xd8\xff\xe0 not a png",
    b"",
    b"PNG but not really",
])
def test_a_signature_that_is_not_a_png_is_refused(ready, data):
    """A signature image that is not a PNG is refused and the assessment stays a draft."""
    with pytest.raises(InvalidInput, match="PNG"):
        sign(ready, signature_png=data)
    assert signoff.history(ready) == []
    assert assessments.info(ready).status == "draft"


def test_sign_off_records_who_when_what_and_the_fingerprint(ready):
    """Signing stores who, role, when, statement, signature and fingerprint, and marks it Signed off."""
    expected_fp = content_fingerprint(ready)
    before = dt.datetime.now(dt.UTC)
    view = sign(ready, name="  Siân Llŷr-Wójcik ", role="Craffwr annibynnol")
    after = dt.datetime.now(dt.UTC)

    assert view.name == "Siân Llŷr-Wójcik"
    assert view.role == "Craffwr annibynnol"
    assert view.statement == STATEMENT
    assert view.has_signature
    assert view.fingerprint == expected_fp == content_fingerprint(ready)
    assert view.signed_at.tzinfo is not None
    assert before <= view.signed_at <= after
    assert not view.voided
    assert signoff.signature_png(ready, view.id) == PNG
    assert signoff.current_signoff(ready) == view
    assert signoff.history(ready) == [view]
    info = assessments.info(ready)
    assert info.status == "signed_off"
    assert info.status_label == "Signed off"


def test_sign_off_without_a_drawn_signature_is_allowed(ready):
    """The drawn signature is optional: signing without one works and stores no image."""
    view = sign(ready, signature_png=None)
    assert not view.has_signature
    assert signoff.signature_png(ready, view.id) is None
    assert assessments.info(ready).status == "signed_off"


def test_sign_off_writes_exactly_one_audit_row(ready):
    """Signing off adds one audit row, "assessment.signed_off", naming the signer and the fingerprint."""
    before = audit_rows(ready)
    view = sign(ready)
    after = audit_rows(ready)
    assert len(after) == len(before) + 1
    row = after[-1]
    assert row.action == "assessment.signed_off"
    assert "Ann Jones" in row.new_value
    assert view.fingerprint in row.new_value
    with ready.read() as session:
        assert verify_chain(session).ok


def test_signing_twice_is_refused(ready):
    """A signed-off assessment cannot be signed again without reopening it first."""
    sign(ready)
    with pytest.raises((InvalidInput, DocumentLocked)):
        sign(ready)
    assert len(signoff.history(ready)) == 1


def _locked_edits(doc, tmp_path):
    """Every kind of change a scrutineer can make to the content, as zero-argument calls."""
    ev = all_evidence(doc)[0]
    rec = recommendations.list_recommendations(doc)[0]
    extra = tmp_path / "extra.txt"
    extra.write_text("more", encoding="utf-8")
    return {
        "judgement": lambda: answers.set_judgement(doc, "ARR-01", "limited"),
        "clear judgement": lambda: answers.set_judgement(doc, "ARR-01", None),
        "findings": lambda: answers.set_findings(doc, "ARR-01", "changed after signing"),
        "add evidence": lambda: evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("New")),
        "change evidence": lambda: evidence.update_evidence(
            doc, ev.id, evidence.EvidenceInput("Renamed")),
        "attach to evidence": lambda: evidence.update_evidence(
            doc, ev.id, evidence.EvidenceInput(ev.title), attach=extra),
        "remove evidence": lambda: evidence.remove_evidence(doc, ev.id),
        "add recommendation": lambda: recommendations.add_recommendation(
            doc, "ARR-01", recommendations.RecommendationInput("Another")),
        "change recommendation": lambda: recommendations.update_recommendation(
            doc, rec.id, recommendations.RecommendationInput("Changed", priority="low")),
        "remove recommendation": lambda: recommendations.remove_recommendation(doc, rec.id),
    }


def test_signed_off_assessment_refuses_every_change(ready, tmp_path):
    """After sign-off every answer, evidence, recommendation and detail change is refused as locked."""
    evidence.add_evidence(ready, "ARR-01", evidence.EvidenceInput("Board minutes"))
    recommendations.add_recommendation(ready, "ARR-01", recommendations.RecommendationInput("Do it"))
    sign(ready)
    fp = content_fingerprint(ready)
    rows = len(audit_rows(ready))
    for what, edit in _locked_edits(ready, tmp_path).items():
        with pytest.raises(DocumentLocked, match="Reopen"):
            edit()
        assert content_fingerprint(ready) == fp, what
        assert len(audit_rows(ready)) == rows, what
    assert assessments.info(ready).status == "signed_off"
    assert signoff.verify_signoff(ready) == (True, "the content matches the sign-off")


# -- reopening ----------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_reopen_needs_a_reason(ready, reason):
    """Reopening without a reason is refused and the sign-off stays in force."""
    view = sign(ready)
    with pytest.raises(InvalidInput, match="reason"):
        signoff.reopen(ready, reason=reason)
    assert signoff.current_signoff(ready) == view
    assert assessments.info(ready).status == "signed_off"


def test_reopen_a_draft_is_refused(ready):
    """Reopening an assessment that is not signed off says there is nothing to reopen."""
    with pytest.raises(InvalidInput, match="not signed off"):
        signoff.reopen(ready, reason="why not")


def test_reopen_voids_the_sign_off_and_unlocks(ready):
    """Reopening voids the sign-off (kept with who, when and why), returns to Draft and allows edits."""
    view = sign(ready)
    before = dt.datetime.now(dt.UTC)
    voided = signoff.reopen(ready, reason="A finding was typed against the wrong question.",
                            by="Ann Jones")
    assert voided.id == view.id
    assert voided.voided
    assert voided.voided_at >= before
    assert voided.voided_by == "Ann Jones"
    assert voided.void_reason == "A finding was typed against the wrong question."
    assert signoff.current_signoff(ready) is None
    [kept] = signoff.history(ready)
    assert kept.fingerprint == view.fingerprint and kept.name == view.name
    assert kept.voided and kept.void_reason == voided.void_reason
    assert assessments.info(ready).status == "draft"
    assert answers.set_findings(ready, "ARR-01", "Corrected.") is True
    assert answers.get_answer(ready, "ARR-01").findings == "Corrected."


def test_reopen_without_by_names_the_scrutineer(ready):
    """With no one named, the voided sign-off records the document's scrutineer as who reopened it."""
    sign(ready)
    voided = signoff.reopen(ready, reason="Late evidence")
    assert voided.voided_by == "Ann Jones"


def test_reopen_writes_one_audit_row_with_the_reason(ready):
    """Reopening adds one audit row, "assessment.reopened", with the reason; the chain still verifies."""
    sign(ready)
    before = audit_rows(ready)
    signoff.reopen(ready, reason="Late evidence from health")
    after = audit_rows(ready)
    assert len(after) == len(before) + 1
    assert after[-1].action == "assessment.reopened"
    assert "Late evidence from health" in after[-1].new_value
    with ready.read() as session:
        assert verify_chain(session).ok


def test_signing_again_after_reopen_makes_a_second_sign_off(ready):
    """Signing after a reopen adds a second sign-off in force, with the first kept as voided."""
    first = sign(ready)
    signoff.reopen(ready, reason="Late evidence")
    answers.set_findings(ready, "ARR-02", "New evidence considered.")
    second = sign(ready, signature_png=None)
    history = signoff.history(ready)
    assert [h.id for h in history] == [first.id, second.id]
    assert history[0].voided and not history[1].voided
    assert second.id != first.id
    assert second.fingerprint != first.fingerprint
    assert second.fingerprint == content_fingerprint(ready)
    assert signoff.current_signoff(ready) == second
    assert assessments.info(ready).status == "signed_off"
    actions = [r.action for r in audit_rows(ready)]
    assert actions.count("assessment.signed_off") == 2
    assert actions.count("assessment.reopened") == 1


def test_verify_signoff_notices_a_change_made_behind_the_apps_back(ready):
    """A signed document edited with the sqlite3 shell no longer matches its sign-off."""
    sign(ready)
    assert signoff.verify_signoff(ready)[0] is True
    path = ready.path
    with contextlib.closing(sqlite3.connect(str(path), isolation_level=None)) as conn:
        conn.execute("UPDATE answers SET findings = 'inserted later' WHERE question_id = 'ARR-03'")
    ok, message = signoff.verify_signoff(ready)
    assert ok is False
    assert "changed" in message


# -- the fingerprint ----------------------------------------------------------------------------

def _walk_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_keys(item)


def test_fingerprint_is_stable_and_reading_does_not_change_it(ready):
    """The fingerprint is the same every time it is computed, however the document is read in between."""
    from scrutiny_desktop.report.data import collect
    from scrutiny_desktop.report.jsonio import export_data

    first = content_fingerprint(ready)
    assert len(first) == 64 and set(first) <= set("0123456789abcdef")
    assert content_fingerprint(ready) == first
    assessments.info(ready)
    answers.get_answer(ready, "ARR-01")
    answers.question_states(ready)
    progress.progress(ready)
    signoff.readiness(ready)
    export_data(ready)
    collect(ready)
    assert content_fingerprint(ready) == first


def test_fingerprint_changes_with_each_kind_of_content(ready, tmp_path):
    """Each change to a judgement, findings, evidence, attachment, recommendation or detail changes it."""
    seen = {content_fingerprint(ready)}
    attachment = tmp_path / "minutes.txt"
    attachment.write_text("minutes", encoding="utf-8")

    def changed():
        fp = content_fingerprint(ready)
        assert fp not in seen
        seen.add(fp)

    answers.set_judgement(ready, "ARR-01", "limited")
    changed()
    answers.set_findings(ready, "ARR-01", "Some findings.")
    changed()
    ev = evidence.add_evidence(ready, "ARR-01", evidence.EvidenceInput("Minutes"))
    changed()
    evidence.update_evidence(ready, ev.id, evidence.EvidenceInput("Minutes"), attach=attachment)
    changed()
    attachment.write_text("minutes, revised", encoding="utf-8")
    evidence.update_evidence(ready, ev.id, evidence.EvidenceInput("Minutes"), attach=attachment)
    changed()
    rec = recommendations.add_recommendation(ready, "ARR-01", recommendations.RecommendationInput("Act"))
    changed()
    recommendations.update_recommendation(ready, rec.id,
                                          recommendations.RecommendationInput("Act", priority="high"))
    changed()
    set_details(ready, period="2026-27")
    changed()


def test_fingerprint_ignores_status_and_timestamps(ready):
    """Signing off, reopening, and editing a field then putting it back do not change the fingerprint."""
    fp = content_fingerprint(ready)
    answers.set_findings(ready, "ARR-01", "temporary")
    answers.set_findings(ready, "ARR-01", "")
    assert answers.get_answer(ready, "ARR-01").updated_at is not None
    assert content_fingerprint(ready) == fp
    view = sign(ready)
    assert view.fingerprint == fp
    assert content_fingerprint(ready) == fp
    signoff.reopen(ready, reason="check")
    assert content_fingerprint(ready) == fp
    content = scrutineer_content(ready)
    keys = set(_walk_keys(content))
    assert not keys & {"created_at", "modified_at", "updated_at", "signed_at", "added_at"}, keys
    # the document's status is left out (a recommendation's own status is content)
    assert "status" not in content["assessment"]
    # database row ids are left out of the answers
    assert "id" not in set(_walk_keys(content["answers"]))


def test_fingerprint_survives_a_json_round_trip(ready, tmp_path):
    """A document exported to JSON and imported again has the same fingerprint as the original."""
    from scrutiny_desktop.report.jsonio import export_json
    from scrutiny_desktop.services.transfer import import_json

    answers.set_findings(ready, "ARR-01", "Zażółć gęślą jaźń — Siân, Ελληνικά, Русский, 中文 😀")
    fp = content_fingerprint(ready)
    export_json(ready, tmp_path / "export.json")
    import_json(tmp_path / "export.json", tmp_path / "imported.scrutiny")
    with open_assessment(tmp_path / "imported.scrutiny", readonly=True) as imported:
        assert content_fingerprint(imported) == fp


def test_separately_created_documents_with_the_same_content_differ_by_uid(tmp_path, cis):
    """Two identically typed but separate assessments differ, because the fingerprint covers the uid."""
    paths = [create_assessment(tmp_path / f"{n}.scrutiny", cis, NORTHSHIRE_DETAILS) for n in ("one", "two")]
    contents = []
    for path in paths:
        with open_assessment(path) as d:
            answer_all(d)
            answers.set_findings(d, "ARR-01", "Identical findings.")
            contents.append((scrutineer_content(d), content_fingerprint(d)))
    (c1, fp1), (c2, fp2) = contents
    assert c1["assessment"]["uid"] != c2["assessment"]["uid"]
    assert fp1 != fp2
    # everything except the uid is the same
    c1["assessment"]["uid"] = c2["assessment"]["uid"]
    assert c1 == c2


def test_part_hashes_name_only_the_question_that_changed(ready):
    """A change to one question's findings alters only that question's part hash."""
    before = part_hashes(scrutineer_content(ready))
    answers.set_findings(ready, "ARR-04", "Changed.")
    after = part_hashes(scrutineer_content(ready))
    assert set(before) == set(after)
    assert [k for k in before if before[k] != after[k]] == ["ARR-04"]
