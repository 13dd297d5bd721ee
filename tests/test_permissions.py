"""One place per rule: ``permissions(doc)`` says what the services enforce, with the
same words, in every status; and the Status enum is the only spelling of a status."""

from __future__ import annotations

import pytest

from scrutiny_desktop.errors import DocumentLocked, DocumentReadOnly, InvalidInput
from scrutiny_desktop.services import answers, assessments, evidence, recommendations, review, signoff
from scrutiny_desktop.services.assessments import Permissions, Status, open_assessment, permissions
from scrutiny_desktop.services.permissions import (
    ACTIONS,
    COUNTERSIGN,
    EDIT_ANSWERS,
    REOPEN,
    REOPEN_REVIEW,
    REVIEW,
    SIGN_OFF,
    require,
)
from scrutiny_desktop.storage.models import STATUS_LABELS, Assessment
from tests.helpers import chair_id, copy_document, scrutineer_id


def sign(doc):
    return signoff.sign_off(doc, identity=scrutineer_id(),
                            name="Ann Jones", role="", statement="I confirm.", confirmed=True)


def countersign(doc):
    review.set_overall_response(doc, "Accepted.")
    return review.countersign(doc, identity=chair_id(), name="Chris Chair", role="Chair", statement="Agreed.",
                              confirmed=True)


#: For each status, the actions allowed (everything else is refused).
ALLOWED = {
    Status.DRAFT: {EDIT_ANSWERS, SIGN_OFF},
    Status.SIGNED_OFF: {REOPEN, REVIEW, COUNTERSIGN},
    Status.REVIEWED: {REOPEN_REVIEW},
}


def move_to(doc, status: Status) -> None:
    if status in (Status.SIGNED_OFF, Status.REVIEWED):
        sign(doc)
    if status == Status.REVIEWED:
        countersign(doc)
    assert assessments.info(doc).status is status


def attempt(doc, action: str):
    """Do ``action`` through its service, as the window would."""
    calls = {
        EDIT_ANSWERS: lambda: answers.set_findings(doc, "ARR-01", "A change."),
        SIGN_OFF: lambda: sign(doc),
        REOPEN: lambda: signoff.reopen(doc, reason="A correction."),
        REVIEW: lambda: review.set_question_comment(doc, "ARR-01", "A comment."),
        COUNTERSIGN: lambda: countersign(doc),
        REOPEN_REVIEW: lambda: review.reopen_review(doc, reason="A correction."),
    }
    return calls[action]()


@pytest.mark.parametrize("status", list(ALLOWED))
def test_permissions_match_the_status(ready, status):
    move_to(ready, status)
    allowed = permissions(ready)
    assert isinstance(allowed, Permissions) and allowed.status is status
    got = {a for a in ACTIONS if allowed.allows(a)}
    assert got == ALLOWED[status]
    assert (allowed.can_edit_answers, allowed.can_sign_off, allowed.can_reopen, allowed.can_review,
            allowed.can_countersign, allowed.can_reopen_review) == tuple(
        a in ALLOWED[status] for a in ACTIONS)
    for action in ACTIONS:
        assert bool(allowed.reason(action)) == (action not in ALLOWED[status]), action


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("action", ACTIONS)
def test_a_refused_action_raises_the_reason_permissions_gave(ready, status, action):
    """What the services refuse is what permissions() refuses, in the same words."""
    move_to(ready, status)
    reason = permissions(ready).reason(action)
    if not reason:
        attempt(ready, action)  # allowed: it works
        return
    with pytest.raises((DocumentLocked, InvalidInput)) as info:
        require(ready, action)
    assert str(info.value) == reason
    with pytest.raises((DocumentLocked, InvalidInput)):
        attempt(ready, action)


def test_editing_a_signed_off_assessment_is_refused_with_the_familiar_message(ready):
    move_to(ready, Status.SIGNED_OFF)
    message = ("This assessment is signed off, so its answers, evidence and recommendations are "
               "locked. Reopen it to make changes.")
    assert permissions(ready).reason(EDIT_ANSWERS) == message
    for edit in (lambda: answers.set_judgement(ready, "ARR-01", None),
                 lambda: evidence.add_evidence(ready, "ARR-01", evidence.EvidenceInput("E")),
                 lambda: recommendations.add_recommendation(
                     ready, "ARR-01", recommendations.RecommendationInput("R"))):
        with pytest.raises(DocumentLocked, match="^" + message + "$"):
            edit()


def test_a_read_only_document_refuses_everything_with_its_reason(tmp_path, answered):
    with open_assessment(copy_document(answered, tmp_path), readonly=True) as doc:
        allowed = permissions(doc)
        assert allowed.readonly and allowed.readonly_reason == "you opened it read-only"
        assert not any(allowed.allows(a) for a in ACTIONS)
        for action in ACTIONS:
            assert "you opened it read-only" in allowed.reason(action)
            with pytest.raises(DocumentReadOnly) as info:
                require(doc, action)
            assert str(info.value) == allowed.reason(action)
        with pytest.raises(DocumentReadOnly, match="read-only"):
            answers.set_findings(doc, "ARR-01", "No.")


def test_readiness_is_checked_only_when_asked(tmp_path, cis):
    from scrutiny_desktop.services.assessments import NewAssessment, create_assessment

    path = create_assessment(tmp_path / "new.scrutiny", cis,
                             NewAssessment("Northshire Partnership", "2025-26", "Ann Jones"))
    with open_assessment(path) as doc:
        assert permissions(doc).can_sign_off
        ready = permissions(doc, readiness=True)
        assert ready.readiness_checked and not ready.can_sign_off
        assert ready.reason(SIGN_OFF).startswith("This assessment cannot be signed off yet.")
        assert "required question" in ready.reason(SIGN_OFF)
        with pytest.raises(InvalidInput) as info:
            sign(doc)
        assert str(info.value) == ready.reason(SIGN_OFF)


def test_countersign_readiness_needs_the_overall_response(ready):
    move_to(ready, Status.SIGNED_OFF)
    assert permissions(ready).can_countersign
    checked = permissions(ready, readiness=True)
    assert not checked.can_countersign and "overall response" in checked.reason(COUNTERSIGN)
    review.set_overall_response(ready, "Accepted.")
    assert permissions(ready, readiness=True).can_countersign


def test_an_unknown_action_is_a_programming_error(ready):
    with pytest.raises(ValueError, match="unknown action"):
        permissions(ready).reason("delete_everything")
    with pytest.raises(ValueError, match="unknown action"):
        require(ready, "delete_everything")


def test_sign_and_reopen_write_one_audit_row_each_and_void_with_who_and_why(ready):
    """The shared helper: signature record + status + audit row; void + status + audit row."""
    from sqlalchemy import select

    from scrutiny_desktop.storage.models import AuditEntry

    def actions():
        with ready.read() as session:
            return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))

    before = len(actions())
    sign(ready)
    countersign(ready)
    voided = review.reopen_review(ready, reason="Wrong minute.", by="Chris Chair")
    assert (voided.voided_by, voided.void_reason) == ("Chris Chair", "Wrong minute.")
    voided = signoff.reopen(ready, reason="Late evidence.")
    assert (voided.voided_by, voided.void_reason) == ("Ann Jones", "Late evidence.")
    assert actions()[before:] == ["assessment.signed_off", "review.overall_response",
                                  "review.countersigned", "review.reopened",
                                  "assessment.reopened"]
    assert assessments.info(ready).status is Status.DRAFT


def test_status_is_one_enum_with_its_labels():
    assert [s.value for s in Status] == ["draft", "signed_off", "reviewed"]
    assert [s.label for s in Status] == ["Draft", "Signed off", "Reviewed"]
    assert {s.value: s.label for s in Status} == STATUS_LABELS
    assert Status.SIGNED_OFF == "signed_off" and Status.coerce("reviewed") is Status.REVIEWED
    assert Status.label_of("edited by hand") == "edited by hand"
    constraint = next(c for c in Assessment.__table__.constraints if c.name == "ck_assessments_status")
    assert str(constraint.sqltext) == "status IN ('draft', 'signed_off', 'reviewed')"
