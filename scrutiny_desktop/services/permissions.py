"""What may be done to an assessment now: the one place these rules live.

``permissions(doc)`` answers for the window and the pages (what to enable, and a
one-line reason for what is not); ``require(doc, action, session)`` enforces the
same rules inside a service's write transaction, raising the error a person sees.
The reason ``permissions`` gives for an action is the message ``require`` raises.

The actions:

* ``EDIT_ANSWERS``: judgements, findings, evidence, recommendations (a draft);
* ``SIGN_OFF`` and ``REOPEN``: the scrutineer's sign-off, and voiding it;
* ``REVIEW``: the chair's comments, overall response and decisions (signed off);
* ``COUNTERSIGN`` and ``REOPEN_REVIEW``: the chair's countersignature, and voiding it.

Every action is refused on a document open read-only (``doc.readonly_reason``).

The chair's actions (``REVIEW``, ``COUNTERSIGN``, ``REOPEN_REVIEW``) are a role, not
just a status: in the app they are open only once someone has chosen to review as
the chair (``permissions(doc, chair=False)`` refuses them with ``NOT_REVIEWING``), so
opening a signed-off file, the scrutineer's own included, shows it read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from scrutiny_desktop.errors import DocumentLocked, DocumentReadOnly, InvalidInput
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import Assessment, Status

__all__ = ["ACTIONS", "CHAIR_ACTIONS", "COUNTERSIGN", "EDIT_ANSWERS", "NOT_REVIEWING", "REOPEN",
           "REOPEN_REVIEW", "REVIEW", "SIGN_OFF", "Permissions", "Status", "permissions", "require",
           "require_status"]

EDIT_ANSWERS = "edit_answers"
SIGN_OFF = "sign_off"
REOPEN = "reopen"
REVIEW = "review"
COUNTERSIGN = "countersign"
REOPEN_REVIEW = "reopen_review"
ACTIONS = (EDIT_ANSWERS, SIGN_OFF, REOPEN, REVIEW, COUNTERSIGN, REOPEN_REVIEW)

LOCKED_MESSAGE = (
    "This assessment is signed off, so its answers, evidence and recommendations are "
    "locked. Reopen it to make changes."
)
ALREADY_SIGNED_OFF = "This assessment is already signed off."
COUNTERSIGNED_REOPEN_REVIEW_FIRST = ("This assessment has been countersigned. Reopen the review "
                                     "first, then the sign-off.")
NOTHING_TO_REOPEN = "This assessment is not signed off, so there is nothing to reopen."
NOT_SIGNED_OFF_FOR_REVIEW = ("Only a signed-off assessment can be reviewed. The scrutineer has "
                             "not signed this one off yet.")
NOT_SIGNED_OFF_FOR_COUNTERSIGN = ("Only a signed-off assessment can be countersigned. The "
                                  "scrutineer has not signed this one off yet.")
LOCKED_REVIEW = ("The partnership's response has been countersigned, so it is locked. "
                 "Reopen the review to change it.")
NOTHING_TO_REOPEN_REVIEW = ("The review has not been countersigned, so there is nothing to "
                            "reopen.")
NO_ASSESSMENT = "This document has no assessment in it."
NOT_REVIEWING = ("Only the partnership's chair reviews a signed-off assessment: choose "
                 "Assessment > Review as chair… and give the chair's name and role first.")
CHAIR_ACTIONS = (REVIEW, COUNTERSIGN, REOPEN_REVIEW)

def _refusal(doc: Document, action: str, status: str | None) -> Exception | None:
    """The error that refuses ``action`` on ``doc`` in ``status``, or None if allowed."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    if doc.readonly:
        return DocumentReadOnly(doc.path, doc.readonly_reason or "it is open read-only")
    if status is None:
        return InvalidInput(NO_ASSESSMENT)
    if action in (EDIT_ANSWERS, SIGN_OFF):
        if status == Status.DRAFT:
            return None
        return DocumentLocked(doc.path, LOCKED_MESSAGE if action == EDIT_ANSWERS
                              else ALREADY_SIGNED_OFF)
    if action == REOPEN:
        if status == Status.SIGNED_OFF:
            return None
        if status == Status.REVIEWED:
            return DocumentLocked(doc.path, COUNTERSIGNED_REOPEN_REVIEW_FIRST)
        return InvalidInput(NOTHING_TO_REOPEN)
    if action in (REVIEW, COUNTERSIGN):
        if status == Status.SIGNED_OFF:
            return None
        if status == Status.DRAFT:
            return InvalidInput(NOT_SIGNED_OFF_FOR_REVIEW if action == REVIEW
                                else NOT_SIGNED_OFF_FOR_COUNTERSIGN)
        return DocumentLocked(doc.path, LOCKED_REVIEW)
    # REOPEN_REVIEW
    if status == Status.REVIEWED:
        return None
    return InvalidInput(NOTHING_TO_REOPEN_REVIEW)


def require(doc: Document, action: str, session: Session | None = None) -> Assessment:
    """Raise the error that refuses ``action`` now, or return the assessment row.

    Called with the write transaction's ``session`` (so the status is read in the
    same transaction as the change it guards); without one, it looks in a short read.
    Raises ``DocumentReadOnly`` (a read-only document), ``DocumentLocked`` (signed off or
    countersigned content) or ``InvalidInput`` (nothing to reopen, not yet signed off).
    """
    if session is None:
        with doc.read() as own:
            return require(doc, action, own)
    assessment = session.get(Assessment, 1)
    require_status(doc, action, assessment.status if assessment is not None else None)
    assert assessment is not None  # (no assessment is refused above)
    return assessment


def require_status(doc: Document, action: str, status: str | None) -> None:
    """:func:`require` given the status as read in the write transaction (None if the
    document has no assessment), for a write made without the ORM."""
    refused = _refusal(doc, action, status)
    if refused is not None:
        raise refused


@dataclass(frozen=True)
class Permissions:
    """What may be done to a document now, and why not where not.

    ``can_*`` say whether each action is allowed; :meth:`reason` gives the one-line
    reason one is not ("" when it is), the same message the service would raise.
    ``can_sign_off`` and ``can_countersign`` include readiness (every required question
    answered, a decision on every recommendation...) only when ``readiness_checked``.
    """

    status: Status | str
    readonly: bool
    readonly_reason: str
    can_edit_answers: bool
    can_sign_off: bool
    can_reopen: bool
    can_review: bool
    can_countersign: bool
    can_reopen_review: bool
    readiness_checked: bool = False
    reasons: dict[str, str] = field(default_factory=dict, compare=False)

    def allows(self, action: str) -> bool:
        """Whether ``action`` (one of ``ACTIONS``) is allowed now."""
        return not self.reason(action)

    def reason(self, action: str) -> str:
        """Why ``action`` (one of ``ACTIONS``) is not allowed now, in one line; "" if it is."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
        return self.reasons.get(action, "")


def permissions(doc: Document, *, readiness: bool = False, chair: bool = True) -> Permissions:
    """What may be done to ``doc`` now (see :class:`Permissions`).

    With ``readiness`` the sign-off and countersignature are also checked for being
    ready (``signoff.readiness``, ``review.review_readiness``): that reads the whole
    document, including the integrity check, so it is asked for only where needed.
    With ``chair=False`` (the app, until someone chooses to review as the chair) the
    chair's actions are refused with ``NOT_REVIEWING`` where nothing else refuses them.
    """
    with doc.read() as session:
        assessment = session.get(Assessment, 1)
        status = assessment.status if assessment is not None else None
    reasons: dict[str, str] = {}
    for action in ACTIONS:
        refused = _refusal(doc, action, status)
        if refused is not None:
            reasons[action] = " ".join(str(refused).split())
        elif action in CHAIR_ACTIONS and not chair:
            reasons[action] = NOT_REVIEWING
    if readiness:
        from scrutiny_desktop.services.review import countersign_blocker
        from scrutiny_desktop.services.signoff import sign_off_blocker

        for action, blocker in ((SIGN_OFF, sign_off_blocker), (COUNTERSIGN, countersign_blocker)):
            if action not in reasons:
                why = blocker(doc)
                if why:
                    reasons[action] = why
    return Permissions(
        status=Status.coerce(status) if status is not None else "",
        readonly=doc.readonly, readonly_reason=doc.readonly_reason,
        can_edit_answers=EDIT_ANSWERS not in reasons, can_sign_off=SIGN_OFF not in reasons,
        can_reopen=REOPEN not in reasons, can_review=REVIEW not in reasons,
        can_countersign=COUNTERSIGN not in reasons,
        can_reopen_review=REOPEN_REVIEW not in reasons,
        readiness_checked=readiness, reasons=reasons)
