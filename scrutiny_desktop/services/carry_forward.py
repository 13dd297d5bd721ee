"""A new assessment from a previous one: same partnership, next period, and
every recommendation not yet done brought forward to follow up.

A recommendation goes to the same question, or, in a newer version of the
checklist, to the first question that replaces it (``compare.counterparts``: the
new checklist's ``replaces``).  One whose question nothing replaces is never
dropped: it is re-homed on the first question of the first section, its
``carried_from`` naming the original question, and listed in
``CarryResult.rehomed`` so the person is told.

Last year's judgements may come too (``bring_judgements``), each marked "carried
from PERIOD": it does not count as answered until the scrutineer confirms or changes
it (``answers.confirm_judgement``).  Findings come only when asked for
(``copy_findings``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.services import answers, assessments, recommendations
from scrutiny_desktop.services.assessments import NewAssessment
from scrutiny_desktop.services.common import assessment_of, record
from scrutiny_desktop.services.recommendations import RecommendationInput


def next_period(period: str) -> str:
    """``2025-26`` -> ``2026-27``; ``April 2025 to March 2026`` -> ``April 2026 to March 2027``."""
    def bump4(m: re.Match) -> str:
        return str(int(m.group(0)) + 1)

    text = re.sub(r"(?<!\d)(19|20)\d{2}(?!\d)", bump4, period)

    def bump2(m: re.Match) -> str:  # the short year after a separator: 2025-26, 2025/26
        return m.group(1) + f"{(int(m.group(2)) + 1) % 100:02d}"

    text = re.sub(r"(\d{4}\s*[-/–]\s*)(\d{2})(?!\d)", bump2, text)
    return text if text != period else f"{period} (next)"


@dataclass(frozen=True)
class Rehomed:
    """A recommendation whose question the new checklist neither keeps nor replaces."""

    question_id: str  # the question it was made on, in the previous assessment
    text: str
    #: Why the new checklist retired that question ("" when it does not say).
    reason: str
    placed_on: str  # the new question it was attached to


@dataclass(frozen=True)
class CarryResult:
    path: Path
    carried: int
    #: Kept for callers of earlier versions: nothing is skipped any more (see ``rehomed``).
    skipped: tuple[str, ...] = ()
    #: Recommendations moved to the first question because theirs has no counterpart.
    rehomed: tuple[Rehomed, ...] = ()
    #: Recommendations moved to a question with another id (old id -> new id).
    moved: tuple[tuple[str, str], ...] = ()
    #: Judgements brought in to confirm.
    judgements: int = 0


def carry_forward(previous: Path | str, target: Path | str, *, period: str, scrutineer_name: str,
                  scrutineer_role: str = "", template: Template | None = None,
                  copy_findings: bool = False, bring_judgements: bool | None = None,
                  actor: str = "", passphrase: str | None = None,
                  new_passphrase: str | None = None) -> CarryResult:
    """Create ``target`` from the assessment at ``previous`` (which is only read).

    ``bring_judgements`` brings each judgement (and its direction of travel) in to
    confirm; left as None it follows ``copy_findings`` (as before the choice existed).
    ``passphrase`` opens an encrypted previous assessment.  The new one is encrypted
    with ``new_passphrase`` if given, else with the previous one's passphrase if that
    was encrypted, else it is plain.
    """
    if bring_judgements is None:
        bring_judgements = copy_findings
    with assessments.open_assessment(previous, readonly=True, passphrase=passphrase) as prev:
        key = new_passphrase if new_passphrase is not None else prev.passphrase
        info = assessments.info(prev)
        prev_template = _template_of(prev)
        template = template or prev_template
        open_recs = [r for r in recommendations.list_recommendations(prev) if r.status != "done"]
        all_recs = recommendations.list_recommendations(prev)
        numbers = {r.id: n for n, r in enumerate(all_recs, start=1)}
        old_answers = {qid: answers.get_answer(prev, qid) for qid in prev_template.question_ids()} \
            if copy_findings or bring_judgements else {}
    details = NewAssessment(partnership=info.partnership, period=period,
                            scrutineer_name=scrutineer_name, area=info.area,
                            scrutineer_role=scrutineer_role)
    path = assessments.create_assessment(target, template, details, actor=actor or scrutineer_name,
                                         passphrase=key)
    from scrutiny_desktop.services.compare import counterparts

    new_ids = set(template.question_ids())
    mapping = counterparts(prev_template, template)
    first_question = template.question_ids()[0]
    rehomed: list[Rehomed] = []
    moved: list[tuple[str, str]] = []
    carried = 0
    with assessments.open_assessment(path, actor=actor or scrutineer_name, passphrase=key) as doc:
        with doc.write() as session:
            a = assessment_of(doc, session)
            a.previous_uid, a.previous_period = info.uid, info.period
            record(doc, session, "assessment.carried_forward", "assessment", None,
                   {"from_uid": info.uid, "from_period": info.period,
                    "from_file": str(Path(previous).name), "findings_copied": copy_findings,
                    "judgements_to_confirm": bring_judgements})
        for r in open_recs:
            origin = f"{info.period}, recommendation {numbers[r.id]} on {r.question_id}"
            targets = mapping.get(r.question_id) or []
            if targets:
                where = targets[0]
                if where != r.question_id:
                    moved.append((r.question_id, where))
            else:
                where = first_question
                reason = template.retired_reason(r.question_id)
                origin += (", a question this checklist no longer has"
                           + (f" ({reason})" if reason else ""))
                rehomed.append(Rehomed(r.question_id, r.text, reason, where))
            recommendations.add_recommendation(doc, where, RecommendationInput(
                text=r.text, owner=r.owner, owner_other=r.owner_other, priority=r.priority,
                due=r.due, status=r.status, progress=r.progress), carried_from=origin)
            carried += 1
        judgements = 0
        for qid, old in old_answers.items():
            if qid not in new_ids:
                continue
            if copy_findings and old.findings:
                answers.set_findings(doc, qid, old.findings)
            if not bring_judgements:
                continue
            # Only a judgement this question may be given (a newer checklist may not
            # allow "Not applicable" on a required question).
            if old.judgement is not None and old.judgement in dict(template.options_for(qid)):
                answers.carry_judgement(doc, qid, old.judgement, info.period)
                judgements += 1
            if old.direction is not None and template.directions:
                answers.set_direction(doc, qid, old.direction)
    return CarryResult(path, carried, rehomed=tuple(rehomed), moved=tuple(moved),
                       judgements=judgements)


def _template_of(doc) -> Template:
    from scrutiny_desktop.services.common import template_of

    return template_of(doc)
