"""How far an assessment has got, overall and per section."""

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
    missing_required: tuple[str, ...]  # question ids

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
        missing_required=tuple(s.question_id for s in states if s.required and not s.answered),
    )


def progress(doc: Document) -> Progress:
    return summarise(template_of(doc), question_states(doc))
