"""How far an assessment has got, overall and per section, and what to check
before signing off (warnings that do not block it: :func:`readiness_warnings`)."""

from __future__ import annotations

from dataclasses import dataclass

from scrutiny_desktop.services.answers import QuestionState, question_states
from scrutiny_desktop.services.common import template_of
from scrutiny_desktop.storage.document import Document


@dataclass(frozen=True)
class SectionProgress:
    section_id: str
    title: str
    total: int
    answered: int
    required: int
    required_answered: int
    judgements: dict[str, int]  # judgement value -> count


@dataclass(frozen=True)
class Progress:
    total: int
    answered: int
    required: int
    required_answered: int
    sections: tuple[SectionProgress, ...]
    #: Required questions without a judgement that answers them (question ids).  A
    #: carried-forward judgement still to confirm is not missing: it is ``unconfirmed``.
    missing_required: tuple[str, ...]
    #: Questions whose judgement was carried forward and is not yet confirmed.
    unconfirmed: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.answered}/{self.total}"

    @property
    def complete(self) -> bool:
        return self.required_answered == self.required


def summarise(template, states: list[QuestionState]) -> Progress:
    by_id = {s.question_id: s for s in states}
    sections = []
    for section in template.sections:
        ss = [by_id[q.id] for q in section.questions if q.id in by_id]
        judgements: dict[str, int] = {}
        for s in ss:
            if s.judgement is not None:
                judgements[s.judgement] = judgements.get(s.judgement, 0) + 1
        sections.append(SectionProgress(
            section.id, section.title, len(ss), sum(s.answered for s in ss),
            sum(s.required for s in ss), sum(s.answered and s.required for s in ss), judgements))
    return Progress(
        total=len(states), answered=sum(s.answered for s in states),
        required=sum(s.required for s in states),
        required_answered=sum(s.answered and s.required for s in states),
        sections=tuple(sections),
        missing_required=tuple(s.question_id for s in states if s.required and not s.answered
                               and not (s.to_confirm and template.counts_as_answered(s.judgement))),
        unconfirmed=tuple(s.question_id for s in states if s.to_confirm),
    )


def progress(doc: Document) -> Progress:
    return summarise(template_of(doc), question_states(doc))


@dataclass(frozen=True)
class ReadinessWarnings:
    """What to check before signing off; none of it stops the sign-off."""

    #: Questions with a judgement but no findings written, in checklist order.
    no_findings: tuple[str, ...]
    #: Questions whose judgement was carried forward and is not yet confirmed.
    unconfirmed: tuple[str, ...]
    #: The period the unconfirmed judgements came from ("" if none, or several).
    carried_period: str = ""

    @property
    def any(self) -> bool:
        return bool(self.no_findings or self.unconfirmed)

    @property
    def texts(self) -> tuple[str, ...]:
        """One sentence per warning, naming the questions."""
        out = []
        if self.no_findings:
            n = len(self.no_findings)
            out.append(f"{n} question{'s' if n != 1 else ''} {'have' if n != 1 else 'has'} a "
                       f"judgement but no findings: {_ids(self.no_findings)}.")
        if self.unconfirmed:
            n = len(self.unconfirmed)
            where = f" from {self.carried_period}" if self.carried_period else ""
            out.append(f"{n} judgement{'s' if n != 1 else ''} carried forward{where} "
                       f"{'are' if n != 1 else 'is'} not yet confirmed: {_ids(self.unconfirmed)}.")
        return tuple(out)


def _ids(ids: tuple[str, ...], limit: int = 12) -> str:
    return ", ".join(ids[:limit]) + (", …" if len(ids) > limit else "")


def warnings_of(states: list[QuestionState]) -> ReadinessWarnings:
    """The readiness warnings for these question states."""
    periods = {s.carried_from for s in states if s.to_confirm}
    return ReadinessWarnings(
        no_findings=tuple(s.question_id for s in states
                          if s.judgement is not None and not s.has_findings),
        unconfirmed=tuple(s.question_id for s in states if s.to_confirm),
        carried_period=next(iter(periods)) or "" if len(periods) == 1 else "")


def readiness_warnings(doc: Document) -> ReadinessWarnings:
    """Judgements without findings, and carried-forward judgements not yet confirmed:
    shown on the ready-to-sign page, without blocking the sign-off."""
    return warnings_of(question_states(doc))
