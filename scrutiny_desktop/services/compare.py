"""Compare two assessments question by question (matched by question id)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.services.assessments import AssessmentInfo
from scrutiny_desktop.services.common import template_of
from scrutiny_desktop.storage.document import Document

CHANGES = {
    "improved": "Improved",
    "same": "Stayed the same",
    "worse": "Worsened",
    "changed": "Changed",
    "new": "New question",
    "removed": "Removed",
}


@dataclass(frozen=True)
class QuestionComparison:
    question_id: str
    section_title: str
    text: str
    earlier_judgement: str | None
    earlier_label: str
    later_judgement: str | None
    later_label: str
    change: str
    wording_changed: bool
    earlier_findings: str
    later_findings: str
    earlier_text: str = ""

    @property
    def change_label(self) -> str:
        return CHANGES[self.change]


@dataclass(frozen=True)
class SectionSummary:
    title: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Comparison:
    earlier: AssessmentInfo
    later: AssessmentInfo
    questions: tuple[QuestionComparison, ...]
    sections: tuple[SectionSummary, ...]
    templates_differ: bool

    def totals(self) -> dict[str, int]:
        out = {k: 0 for k in CHANGES}
        for q in self.questions:
            out[q.change] += 1
        return out


def _rank(template: Template, value: str | None) -> int | None:
    """Position among the answering judgements, best first; None if not ranked."""
    ranked = [p.value for p in template.scale.points if p.answered]
    return ranked.index(value) if value in ranked else None


def classify(earlier_t: Template, earlier: str | None, later_t: Template, later: str | None) -> str:
    a, b = _rank(earlier_t, earlier), _rank(later_t, later)
    same_scale = [p.value for p in earlier_t.scale.points] == [p.value for p in later_t.scale.points]
    if a is not None and b is not None and same_scale:
        return "improved" if b < a else "worse" if b > a else "same"
    return "same" if earlier == later else "changed"


def compare(earlier_doc: Document, later_doc: Document) -> Comparison:
    et, lt = template_of(earlier_doc), template_of(later_doc)
    e_ids, l_ids = et.question_ids(), lt.question_ids()
    if not set(e_ids) & set(l_ids):
        raise InvalidInput("These two assessments use checklists that share no questions, so they "
                           "cannot be compared. Choose two assessments made from the same checklist "
                           "(or versions of it).")
    questions: list[QuestionComparison] = []
    for section, q in lt.questions():
        later_a = answers.get_answer(later_doc, q.id)
        if q.id in e_ids:
            eq = et.question(q.id)
            earlier_a = answers.get_answer(earlier_doc, q.id)
            change = classify(et, earlier_a.judgement, lt, later_a.judgement)
            questions.append(QuestionComparison(
                q.id, section.title, q.text, earlier_a.judgement, et.judgement_label(earlier_a.judgement),
                later_a.judgement, lt.judgement_label(later_a.judgement), change,
                " ".join(eq.text.split()) != " ".join(q.text.split()),
                earlier_a.findings, later_a.findings, eq.text))
        else:
            questions.append(QuestionComparison(
                q.id, section.title, q.text, None, "", later_a.judgement,
                lt.judgement_label(later_a.judgement), "new", False, "", later_a.findings))
    for section, q in et.questions():
        if q.id not in l_ids:
            earlier_a = answers.get_answer(earlier_doc, q.id)
            questions.append(QuestionComparison(
                q.id, section.title, q.text, earlier_a.judgement,
                et.judgement_label(earlier_a.judgement), None, "", "removed", False,
                earlier_a.findings, "", q.text))
    sections: dict[str, dict[str, int]] = {}
    for qc in questions:
        counts = sections.setdefault(qc.section_title, {k: 0 for k in CHANGES})
        counts[qc.change] += 1
    return Comparison(
        assessments.info(earlier_doc), assessments.info(later_doc), tuple(questions),
        tuple(SectionSummary(t, c) for t, c in sections.items()),
        (et.id, et.version) != (lt.id, lt.version))


def compare_paths(earlier: Path | str, later: Path | str) -> Comparison:
    """Open both documents read-only, compare them (earlier with later) and close them.

    Raises the storage errors of ``open_assessment`` (a file that cannot be
    opened) and ``InvalidInput`` when the checklists share no question.
    Nothing is written to either file; plain data comes back, so this may run on
    a worker thread.
    """
    with assessments.open_assessment(earlier, readonly=True) as e_doc, \
            assessments.open_assessment(later, readonly=True) as l_doc:
        return compare(e_doc, l_doc)


def in_time_order(a: Path | str, b: Path | str) -> tuple[Path, Path]:
    """Two document paths, earlier first: by period text, then when last changed.

    For a "Compare two assessments…" command that picks files one by one.
    Files that cannot be read keep the order given.
    """
    from scrutiny_desktop.services.library import summarise_file

    sa, sb = summarise_file(a), summarise_file(b)
    if not (sa.ok and sb.ok):
        return Path(a), Path(b)

    def key(s):
        modified = s.modified_at.timestamp() if s.modified_at is not None else float("-inf")
        return (s.period.casefold(), modified)

    return (Path(a), Path(b)) if key(sa) <= key(sb) else (Path(b), Path(a))
