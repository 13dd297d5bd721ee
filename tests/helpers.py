"""Helpers shared by tests (plain functions; fixtures live in conftest.py).

``all_evidence`` and ``set_details`` stand in for two service functions that only
tests used (``evidence.list_all_evidence`` and ``assessments.update_details``):
the app has no such feature, so the code lives with the tests.
"""

from __future__ import annotations

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.services.common import clean, record, required_text
from scrutiny_desktop.services.evidence import EvidenceView
from scrutiny_desktop.services.permissions import EDIT_ANSWERS, require

#: The details ``set_details`` may change, and how a blank one is named (None: may be blank).
DETAILS = {
    "partnership": "The partnership",
    "area": None,
    "period": "The period covered",
    "scrutineer_name": "The scrutineer's name",
    "scrutineer_role": None,
}


def all_evidence(doc) -> list[EvidenceView]:
    """Every evidence item in the document, in checklist order."""
    return [e for qid in assessments.question_ids(doc)
            for e in answers.get_answer(doc, qid).evidence]


def set_details(doc, **changes: str) -> None:
    """Change an assessment's details as the app would (a draft only; one audit row per
    changed detail, action ``assessment.updated``)."""
    unknown = set(changes) - set(DETAILS)
    if unknown:
        raise InvalidInput(f"Unknown detail: {', '.join(sorted(unknown))}.")
    with doc.write() as session:
        a = require(doc, EDIT_ANSWERS, session)
        for name, value in changes.items():
            label = DETAILS[name]
            value = required_text(value, label) if label else clean(value)
            old = getattr(a, name)
            if old != value:
                setattr(a, name, value)
                record(doc, session, "assessment.updated", name, old, value)
