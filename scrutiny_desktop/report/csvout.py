"""CSV export: one row per question, for spreadsheets.

UTF-8 with a byte-order mark so Excel shows accents correctly; the csv module
quotes any field holding a comma, quote or line break.

Formula injection: a spreadsheet treats a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (which can run commands
or send data away when the file is opened).  Following OWASP's advice ("CSV
Injection"), every text column that holds words from a person or a template
(section, question, judgement label, findings) gets a single quote (``'``) in
front of such a value, so it is shown as text.  The quote stays visible in the
cell and in the file; a reader that wants the exact text strips one leading
``'`` from those columns.  The question id, "Yes"/"No" and the counts are ours
and never start with one of those characters, so they are written as they are.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from scrutiny_desktop.atomic import atomic_write
from scrutiny_desktop.services import answers
from scrutiny_desktop.services.common import template_of
from scrutiny_desktop.storage.document import Document

#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = ["Section", "Question ID", "Question", "Required", "Judgement", "Findings",
          "Evidence count", "Recommendation count"]
#: After "Judgement", only for a checklist that asks for a direction of travel
#: (``directions = true``): other exports keep exactly the columns they had.
DIRECTION = "Direction of travel"


def header_for(directions: bool) -> list[str]:
    """The header row: ``HEADER``, with the direction of travel after the judgement
    when the checklist asks for one."""
    if not directions:
        return list(HEADER)
    at = HEADER.index("Judgement") + 1
    return [*HEADER[:at], DIRECTION, *HEADER[at:]]


def text_cell(value: str) -> str:
    """User text for a cell, with a ``'`` in front if a spreadsheet would take it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def export_csv(doc: Document, out: Path | str) -> Path:
    out = Path(out)
    template = template_of(doc)
    states = {s.question_id: s for s in answers.question_states(doc)}
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header_for(template.directions))
    for section, question in template.questions():
        a = answers.get_answer(doc, question.id)
        state = states[question.id]
        direction = [answers.direction_label(a.direction)] if template.directions else []
        writer.writerow([
            text_cell(section.title), question.id, text_cell(question.text),
            "Yes" if question.required else "No",
            text_cell(template.judgement_label(a.judgement)), *direction,
            text_cell(a.findings or ""), state.evidence_count, state.recommendation_count,
        ])
    with atomic_write(out) as fh:  # no half-written file or temporary file on failure
        fh.write(buffer.getvalue().encode("utf-8-sig"))
    return out
