"""Compare two assessments question by question.

Questions are matched by id.  When the two documents were made from different
checklists (versions), an earlier question is matched to the later question(s)
that replace it (``Template.successors`` of the LATER checklist: merges and
splits); an id present in both that no later question claims still matches
itself.  Earlier questions that match nothing are listed in
``Comparison.unmatched``, with the later checklist's reason when it retires them.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    #: The earlier questions this one is compared with: ``(question_id,)`` when
    #: matched by id, others when the later checklist says this one replaces them
    #: (several for a merge), ``()`` for a new question.
    earlier_ids: tuple[str, ...] = ()
    #: Each side's direction of travel, in words ("" when none was given).
    earlier_direction: str = ""
    later_direction: str = ""

    @property
    def change_label(self) -> str:
        return CHANGES[self.change]

    @property
    def replaced(self) -> bool:
        """Compared with an earlier question under another id (or several)."""
        return bool(self.earlier_ids) and self.earlier_ids != (self.question_id,)


@dataclass(frozen=True)
class UnmatchedQuestion:
    """A question of the earlier checklist that no question of the later one replaces."""

    question_id: str
    section_title: str
    text: str
    judgement_label: str
    #: Why the later checklist retired it ("" when it does not say).
    reason: str = ""


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
    #: Questions of the earlier checklist with no counterpart in the later one.
    unmatched: tuple[UnmatchedQuestion, ...] = ()

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


def counterparts(earlier: Template, later: Template) -> dict[str, list[str]]:
    """Earlier question id -> the ids of the later checklist's questions that take its
    place, in the later checklist's order ([] for a question nothing replaces).

    The later checklist's ``successors()`` say which questions replace an earlier one
    (merges and splits); an id in both checklists also matches itself unless the later
    question of that id names what it replaces (then only its ``replaces`` count).
    The same checklist on both sides matches every question by id.
    """
    later_ids = later.question_ids()
    if (earlier.id, earlier.version) == (later.id, later.version):
        present = set(later_ids)
        return {qid: [qid] if qid in present else [] for qid in earlier.question_ids()}
    successors = later.successors()
    position = {qid: i for i, qid in enumerate(later_ids)}
    out: dict[str, list[str]] = {}
    for qid in earlier.question_ids():
        found = list(successors.get(qid, []))
        if qid in position and qid not in found and not later.question(qid).replaces:
            found.append(qid)
        out[qid] = sorted(found, key=position.__getitem__)
    return out


def _joined(parts: list[tuple[str, str]]) -> str:
    """Findings of several earlier questions (a merge), each headed by its id."""
    written = [(qid, text) for qid, text in parts if text.strip()]
    if len(parts) == 1:
        return parts[0][1]
    return "\n\n".join(f"{qid}: {text}" for qid, text in written)


def compare(earlier_doc: Document, later_doc: Document) -> Comparison:
    et, lt = template_of(earlier_doc), template_of(later_doc)
    mapping = counterparts(et, lt)
    if not any(mapping.values()):
        raise InvalidInput("These two assessments use checklists that share no questions, so they "
                           "cannot be compared. Choose two assessments made from the same checklist "
                           "(or versions of it).")
    earlier_of: dict[str, list[str]] = {}
    for old, new_ids in mapping.items():  # in the earlier checklist's order
        for new in new_ids:
            earlier_of.setdefault(new, []).append(old)
    earlier_answers = {qid: answers.get_answer(earlier_doc, qid) for qid in et.question_ids()}
    questions: list[QuestionComparison] = []
    for section, q in lt.questions():
        later_a = answers.get_answer(later_doc, q.id)
        later_dir = answers.direction_label(later_a.direction)
        olds = earlier_of.get(q.id, [])
        if not olds:
            questions.append(QuestionComparison(
                q.id, section.title, q.text, None, "", later_a.judgement,
                lt.judgement_label(later_a.judgement), "new", False, "", later_a.findings,
                later_direction=later_dir))
            continue
        prior = [earlier_answers[o] for o in olds]
        judgements = {a.judgement for a in prior}
        if len(olds) == 1:
            earlier_j: str | None = prior[0].judgement
            earlier_label = et.judgement_label(earlier_j)
            earlier_dir = answers.direction_label(prior[0].direction)
            change = classify(et, earlier_j, lt, later_a.judgement)
        else:  # a merge: one judgement when they all agree, each named otherwise
            earlier_j = prior[0].judgement if len(judgements) == 1 else None
            earlier_label = (et.judgement_label(earlier_j) if len(judgements) == 1 else
                             "; ".join(f"{o}: {et.judgement_label(a.judgement) or 'none'}"
                                       for o, a in zip(olds, prior, strict=True)))
            earlier_dir = "; ".join(f"{o}: {answers.direction_label(a.direction)}"
                                    for o, a in zip(olds, prior, strict=True) if a.direction)
            change = (classify(et, earlier_j, lt, later_a.judgement) if len(judgements) == 1
                      else "changed")
        earlier_text = "\n".join(et.question(o).text for o in olds)
        wording_changed = (len(olds) > 1 or " ".join(earlier_text.split()) != " ".join(q.text.split()))
        questions.append(QuestionComparison(
            q.id, section.title, q.text, earlier_j, earlier_label,
            later_a.judgement, lt.judgement_label(later_a.judgement), change, wording_changed,
            _joined([(o, a.findings) for o, a in zip(olds, prior, strict=True)]),
            later_a.findings, earlier_text, tuple(olds), earlier_dir, later_dir))
    unmatched: list[UnmatchedQuestion] = []
    for section, q in et.questions():
        if mapping[q.id]:
            continue
        earlier_a = earlier_answers[q.id]
        questions.append(QuestionComparison(
            q.id, section.title, q.text, earlier_a.judgement,
            et.judgement_label(earlier_a.judgement), None, "", "removed", False,
            earlier_a.findings, "", q.text,
            earlier_direction=answers.direction_label(earlier_a.direction)))
        unmatched.append(UnmatchedQuestion(q.id, section.title, q.text,
                                           et.judgement_label(earlier_a.judgement),
                                           lt.retired_reason(q.id)))
    sections: dict[str, dict[str, int]] = {}
    for qc in questions:
        counts = sections.setdefault(qc.section_title, {k: 0 for k in CHANGES})
        counts[qc.change] += 1
    return Comparison(
        assessments.info(earlier_doc), assessments.info(later_doc), tuple(questions),
        tuple(SectionSummary(t, c) for t, c in sections.items()),
        (et.id, et.version) != (lt.id, lt.version), tuple(unmatched))


def _passphrase_for(path: Path | str, passphrases: Mapping[Path, str] | None) -> str | None:
    """The passphrase given for ``path`` (looked up as given, then resolved), or None."""
    if not passphrases:
        return None
    if Path(path) in passphrases:
        return passphrases[Path(path)]
    wanted = Path(path).expanduser().resolve()
    return next((v for p, v in passphrases.items() if Path(p).expanduser().resolve() == wanted),
                None)


def compare_paths(earlier: Path | str, later: Path | str, *,
                  passphrases: Mapping[Path, str] | None = None) -> Comparison:
    """Open both documents read-only, compare them (earlier with later) and close them.

    Raises the storage errors of ``open_assessment`` (a file that cannot be
    opened) and ``InvalidInput`` when the checklists share no question.
    Nothing is written to either file; plain data comes back, so this may run on
    a worker thread.  ``passphrases`` (by path) open encrypted documents.
    """
    with assessments.open_assessment(earlier, readonly=True,
                                     passphrase=_passphrase_for(earlier, passphrases)) as e_doc, \
            assessments.open_assessment(later, readonly=True,
                                        passphrase=_passphrase_for(later, passphrases)) as l_doc:
        return compare(e_doc, l_doc)


def in_time_order(a: Path | str, b: Path | str, *,
                  passphrases: Mapping[Path, str] | None = None) -> tuple[Path, Path]:
    """Two document paths, earlier first: by period text, then when last changed.

    For a "Compare two assessments…" command that picks files one by one.
    Files that cannot be read keep the order given.
    """
    from scrutiny_desktop.services.library import summarise_file

    sa = summarise_file(a, passphrase=_passphrase_for(a, passphrases))
    sb = summarise_file(b, passphrase=_passphrase_for(b, passphrases))
    if not (sa.ok and sb.ok):
        return Path(a), Path(b)

    def key(s):
        modified = s.modified_at.timestamp() if s.modified_at is not None else float("-inf")
        return (s.period.casefold(), modified)

    return (Path(a), Path(b)) if key(sa) <= key(sb) else (Path(b), Path(a))
