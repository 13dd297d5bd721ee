"""Find text anywhere in an assessment (Edit > Find).

:func:`search` looks through every question of the open document: the question
itself (its id and wording, as the question page heads it), its guidance (from the
document's own copy of the checklist), the findings, the chair's comment, the
evidence (title, source and note) and the recommendations.  It reads the document
in one session with four queries, whatever the number of questions.

Matching ignores case, and any run of white space in what is searched for matches
any run of white space in the text (a line break included), so "board  minutes"
finds "Board\\nminutes".  Each :class:`Match` says where it is, as a character
offset into that field's text, so the window can select exactly what matched.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from scrutiny_desktop.checklist.model import Question
from scrutiny_desktop.services.common import template_of
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import Answer, EvidenceItem, Recommendation, ReviewComment

# Where a match is (``Match.where``), in the order they are listed for a question.
QUESTION = "Question"
GUIDANCE = "Guidance"
FINDINGS = "Findings"
CHAIR_COMMENT = "Chair's comment"
EVIDENCE = "Evidence"
RECOMMENDATION = "Recommendation"
WHERE_ORDER = (QUESTION, GUIDANCE, FINDINGS, CHAIR_COMMENT, EVIDENCE, RECOMMENDATION)

#: Characters of context shown before and after a match in a snippet (at most).
SNIPPET_BEFORE = 30
SNIPPET_AFTER = 60
#: Question wording longer than this is shortened in a match's label.
LABEL_LENGTH = 60


@dataclass(frozen=True)
class Match:
    """One place the text was found."""

    question_id: str
    #: The question's id and (shortened) wording, as the question list shows it.
    question_label: str
    #: One of QUESTION, GUIDANCE, FINDINGS, CHAIR_COMMENT, EVIDENCE, RECOMMENDATION.
    where: str
    #: Offset and length of the match, in characters of that field's text.
    start: int
    length: int
    #: The match with a little context, on one line.
    snippet: str
    #: Which part of an evidence item matched ("title", "source" or "note"); else "".
    part: str = ""
    #: Evidence and recommendations: the item's row, counted from 0 in the order the
    #: question page lists them, and its id.  None elsewhere.
    item_index: int | None = None
    item_id: int | None = None


def question_heading(question: Question) -> str:
    """The question as the question page heads it: id, two spaces, wording.  A
    QUESTION match's offsets are into this text."""
    return f"{question.id}  {question.text}"


def question_label(question: Question) -> str:
    text = question.text
    short = text if len(text) <= LABEL_LENGTH else text[:LABEL_LENGTH - 3].rstrip() + "…"
    return f"{question.id}  {short}"


def pattern(text: str) -> re.Pattern[str] | None:
    """The pattern for ``text`` (None when there is nothing to look for): case
    ignored, each run of white space matching any run of white space."""
    words = text.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)


def spans(text: str, query: str) -> list[tuple[int, int]]:
    """(start, length) of every match of ``query`` in ``text``, in order."""
    compiled = pattern(query)
    if compiled is None:
        return []
    return [(m.start(), m.end() - m.start()) for m in compiled.finditer(text)]


def snippet(text: str, start: int, length: int) -> str:
    """The match in ``text`` with some context either side, on one line."""
    left = max(0, start - SNIPPET_BEFORE)
    right = min(len(text), start + length + SNIPPET_AFTER)
    # Start and end on a word boundary where one is near.
    if left > 0:
        space = text.find(" ", left, start)
        if space != -1:
            left = space + 1
    if right < len(text):
        space = text.rfind(" ", start + length, right)
        if space != -1:
            right = space
    body = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + body + ("…" if right < len(text) else "")


def search(doc: Document, text: str, limit: int | None = None) -> list[Match]:
    """Every match of ``text`` in ``doc``, question by question in checklist order
    (and within a question in ``WHERE_ORDER``).  ``limit`` stops after that many."""
    compiled = pattern(text)
    if compiled is None:
        return []
    template = template_of(doc)
    evidence: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    recs: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with doc.read() as session:
        findings = dict(session.execute(select(Answer.question_id, Answer.findings)).all())
        for qid, eid, title, source, note in session.execute(
                select(Answer.question_id, EvidenceItem.id, EvidenceItem.title,
                       EvidenceItem.source, EvidenceItem.note)
                .join(EvidenceItem.answer).order_by(EvidenceItem.position)):
            evidence[qid].append((eid, title, source, note))
        for qid, rid, rec_text in session.execute(
                select(Answer.question_id, Recommendation.id, Recommendation.text)
                .join(Recommendation.answer).order_by(Recommendation.position)):
            recs[qid].append((rid, rec_text))
        comments = {qid: comment for qid, comment in session.execute(
            select(ReviewComment.question_id, ReviewComment.text)
            .where(ReviewComment.question_id.is_not(None))) if qid}

    out: list[Match] = []

    def add(q: Question, label: str, where: str, field: str | None, part: str = "",
            index: int | None = None, item_id: int | None = None) -> bool:
        """Add the matches in ``field``; False once ``limit`` is reached."""
        for m in compiled.finditer(field or ""):
            if limit is not None and len(out) >= limit:
                return False
            start, length = m.start(), m.end() - m.start()
            out.append(Match(q.id, label, where, start, length,
                             snippet(field or "", start, length), part, index, item_id))
        return limit is None or len(out) < limit

    for _section, q in template.questions():
        label = question_label(q)
        fields: list[tuple[str, str | None, str, int | None, int | None]] = [
            (QUESTION, question_heading(q), "", None, None),
            (GUIDANCE, q.guidance, "", None, None),
            (FINDINGS, findings.get(q.id), "", None, None),
            (CHAIR_COMMENT, comments.get(q.id), "", None, None),
        ]
        for index, (eid, title, source, note) in enumerate(evidence.get(q.id, [])):
            fields += [(EVIDENCE, title, "title", index, eid),
                       (EVIDENCE, source, "source", index, eid),
                       (EVIDENCE, note, "note", index, eid)]
        for index, (rid, rec_text) in enumerate(recs.get(q.id, [])):
            fields.append((RECOMMENDATION, rec_text, "", index, rid))
        for where, field, part, row, item_id in fields:
            if not add(q, label, where, field, part, row, item_id):
                return out
    return out
