"""A plain snapshot of everything a report prints.

Built on the calling thread from the document, then handed to the PDF
builder (which may run on a worker thread): no database session crosses
threads, and the PDF code never touches storage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.services import answers, assessments, progress, review, signoff, summary
from scrutiny_desktop.services.answers import AnswerView
from scrutiny_desktop.services.assessments import AssessmentInfo, Status
from scrutiny_desktop.services.common import template_of
from scrutiny_desktop.services.evidence import EvidenceView, evidence_view
from scrutiny_desktop.services.fingerprint import (
    countersign_fingerprint,
    fingerprint,
    part_hashes,
    scrutineer_content,
)
from scrutiny_desktop.services.progress import Progress, SectionProgress
from scrutiny_desktop.services.recommendations import RecommendationView, recommendation_view
from scrutiny_desktop.services.review import CountersignatureView
from scrutiny_desktop.services.signoff import SignOffView
from scrutiny_desktop.services.summary import SummaryView
from scrutiny_desktop.settings import DEFAULT_MARKING
from scrutiny_desktop.storage.document import Document


@dataclass(frozen=True)
class ReportOptions:
    protective_marking: str = DEFAULT_MARKING
    organisation_name: str = ""
    organisation_logo: Path | None = None
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())


@dataclass(frozen=True)
class ReportQuestion:
    number: int  # 1-based across the whole checklist
    id: str
    text: str
    guidance: str
    source: str
    required: bool
    judgement: str | None
    judgement_label: str
    answered: bool
    findings: str
    evidence: tuple[EvidenceView, ...]
    recommendations: tuple[RecommendationView, ...]
    #: The direction of travel's words ("Improving"...), "" when none was given.
    direction_label: str = ""


@dataclass(frozen=True)
class ReportSection:
    number: int
    id: str
    title: str
    intro: str
    questions: tuple[ReportQuestion, ...]
    progress: SectionProgress


@dataclass(frozen=True)
class NumberedRecommendation:
    number: int
    question_id: str
    question_number: int
    recommendation: RecommendationView


@dataclass(frozen=True)
class ReportDecision:
    """The partnership's decision on one numbered recommendation."""

    number: int
    question_id: str
    question_number: int
    text: str
    decision_label: str
    detail: str
    action_owner: str
    action_due: dt.date | None


@dataclass(frozen=True)
class ReportReview:
    """The chair's review as the PDF prints it."""

    overall: str
    comments: dict[str, str]  # question id -> the chair's comment
    decisions: tuple[ReportDecision, ...]
    countersignature: CountersignatureView | None
    countersignature_png: bytes | None
    history: tuple[CountersignatureView, ...]
    countersign_fingerprint: str


@dataclass(frozen=True)
class ReportData:
    info: AssessmentInfo
    template: Template
    sections: tuple[ReportSection, ...]
    progress: Progress
    recommendations: tuple[NumberedRecommendation, ...]
    signoff: SignOffView | None
    signature_png: bytes | None
    signoff_history: tuple[SignOffView, ...]
    fingerprint: str
    parts: dict[str, str]
    options: ReportOptions
    #: The chair's review; None while the assessment is a draft or nobody has reviewed it.
    review: ReportReview | None = None
    #: The scrutineer's summary (overall judgement, conclusion, strengths, areas for
    #: improvement, scope and method, section summaries); empty if none was written.
    summary: SummaryView = field(default_factory=SummaryView)

    @property
    def overall_label(self) -> str:
        """The overall judgement's label, or "" when none was given."""
        value = self.summary.overall_judgement
        return self.template.judgement_label(value) if value else ""

    def evidence_count(self) -> int:
        return sum(len(q.evidence) for s in self.sections for q in s.questions)


def _answer_views(rows) -> dict[str, AnswerView]:
    """Every question's answer with its evidence (and their attachments' details) and
    recommendations, from the rows the content fingerprint was made from."""
    return {row.question_id: AnswerView(
        question_id=row.question_id, judgement=row.judgement, findings=row.findings,
        updated_at=row.updated_at,
        evidence=tuple(evidence_view(e, row.question_id) for e in row.evidence),
        recommendations=tuple(recommendation_view(r, row.question_id) for r in row.recommendations),
        direction=row.direction, carried_from=row.carried_from) for row in rows}


def collect(doc: Document, options: ReportOptions | None = None) -> ReportData:
    """Read everything the report needs, in one go, on the caller's thread: the
    answers with their evidence and recommendations in one session (a query per
    table, not per question), the signed content once for both the fingerprint and
    the part hashes."""
    options = options or ReportOptions()
    template: Template = template_of(doc)
    info = assessments.info(doc)
    state_list = answers.question_states(doc)
    prog = progress.summarise(template, state_list)
    states = {s.question_id: s for s in state_list}
    # One read of the answers, their evidence and recommendations, for both the
    # fingerprint (what a sign-off covers) and the report's pages.
    rows: list = []
    content = scrutineer_content(doc, rows_out=rows)
    all_answers = _answer_views(rows)
    section_progress = {sp.section_id: sp for sp in prog.sections}
    sections = []
    number = 0
    numbered_recs: list[NumberedRecommendation] = []
    for s_index, section in enumerate(template.sections, start=1):
        questions = []
        for q in section.questions:
            number += 1
            a = all_answers.get(q.id)
            if a is None:  # as get_answer would: every question has its row
                a = answers.get_answer(doc, q.id)
            questions.append(ReportQuestion(
                number=number, id=q.id, text=q.text, guidance=q.guidance, source=q.source,
                required=q.required, judgement=a.judgement,
                judgement_label=template.judgement_label(a.judgement) if a.judgement else "Not answered",
                answered=states[q.id].answered, findings=a.findings, evidence=a.evidence,
                recommendations=a.recommendations,
                direction_label=answers.direction_label(a.direction)))
            for r in a.recommendations:
                numbered_recs.append(NumberedRecommendation(len(numbered_recs) + 1, q.id, number, r))
        sections.append(ReportSection(s_index, section.id, section.title, section.intro,
                                      tuple(questions), section_progress[section.id]))
    current = signoff.current_signoff(doc)
    rv = review.get_review(doc)
    report_review = None
    if info.status != Status.DRAFT and not (rv.is_empty and rv.countersignature is None and not rv.history):
        decisions = []
        for n in numbered_recs:
            resp = rv.responses.get(n.recommendation.id)
            decisions.append(ReportDecision(
                n.number, n.question_id, n.question_number, n.recommendation.text,
                resp.decision_label if resp else "No decision recorded",
                resp.detail if resp else "", resp.action_owner if resp else "",
                resp.action_due if resp else None))
        cs = rv.countersignature
        report_review = ReportReview(
            overall=rv.overall, comments=dict(rv.comments), decisions=tuple(decisions),
            countersignature=cs,
            countersignature_png=review.countersignature_png(doc, cs.id) if cs and cs.has_signature else None,
            history=rv.history,
            countersign_fingerprint=countersign_fingerprint(doc) if cs else "")
    return ReportData(
        info=info, template=template, sections=tuple(sections), progress=prog,
        recommendations=tuple(numbered_recs), signoff=current,
        signature_png=signoff.signature_png(doc, current.id) if current and current.has_signature else None,
        signoff_history=tuple(signoff.history(doc)),
        fingerprint=fingerprint(content), parts=part_hashes(content), options=options,
        review=report_review, summary=summary.get_summary(doc),
    )


def options_from_settings(settings) -> ReportOptions:
    logo = Path(settings.organisation_logo).expanduser() if settings.organisation_logo else None
    return ReportOptions(protective_marking=settings.protective_marking,
                         organisation_name=settings.organisation_name, organisation_logo=logo)
