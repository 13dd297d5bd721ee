"""A new assessment from a previous one: same partnership, next period, and
every recommendation not yet done brought forward to follow up."""

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
class CarryResult:
    path: Path
    carried: int
    skipped: tuple[str, ...]  # recommendations whose question is not in the new checklist


def carry_forward(previous: Path | str, target: Path | str, *, period: str, scrutineer_name: str,
                  scrutineer_role: str = "", template: Template | None = None,
                  copy_findings: bool = False, actor: str = "") -> CarryResult:
    """Create ``target`` from the assessment at ``previous`` (which is only read)."""
    with assessments.open_assessment(previous, readonly=True) as prev:
        info = assessments.info(prev)
        prev_template = _template_of(prev)
        template = template or prev_template
        open_recs = [r for r in recommendations.list_recommendations(prev) if r.status != "done"]
        all_recs = recommendations.list_recommendations(prev)
        numbers = {r.id: n for n, r in enumerate(all_recs, start=1)}
        old_answers = {qid: answers.get_answer(prev, qid) for qid in prev_template.question_ids()} \
            if copy_findings else {}
    details = NewAssessment(partnership=info.partnership, period=period,
                            scrutineer_name=scrutineer_name, area=info.area,
                            scrutineer_role=scrutineer_role)
    path = assessments.create_assessment(target, template, details, actor=actor or scrutineer_name)
    new_ids = set(template.question_ids())
    skipped = []
    carried = 0
    with assessments.open_assessment(path, actor=actor or scrutineer_name) as doc:
        with doc.write() as session:
            a = assessment_of(doc, session)
            a.previous_uid, a.previous_period = info.uid, info.period
            record(doc, session, "assessment.carried_forward", "assessment", None,
                   {"from_uid": info.uid, "from_period": info.period,
                    "from_file": str(Path(previous).name), "findings_copied": copy_findings})
        for r in open_recs:
            if r.question_id not in new_ids:
                skipped.append(f"{r.question_id}: {r.text[:60]}")
                continue
            origin = f"{info.period}, recommendation {numbers[r.id]} on {r.question_id}"
            recommendations.add_recommendation(doc, r.question_id, RecommendationInput(
                text=r.text, owner=r.owner, owner_other=r.owner_other, priority=r.priority,
                due=r.due, status=r.status, progress=r.progress), carried_from=origin)
            carried += 1
        for qid, old in old_answers.items():
            if qid not in new_ids:
                continue
            if old.findings:
                answers.set_findings(doc, qid, old.findings)
            if old.judgement is not None and template.is_valid_judgement(old.judgement):
                answers.set_judgement(doc, qid, old.judgement)
    return CarryResult(path, carried, tuple(skipped))


def _template_of(doc) -> Template:
    from scrutiny_desktop.services.common import template_of

    return template_of(doc)
