"""CSV export: one row per question, for spreadsheets.

UTF-8 with a byte-order mark so Excel shows accents correctly; the csv module
quotes any field holding a comma, quote or line break.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from scrutiny_desktop.services import answers
from scrutiny_desktop.services.common import template_of
from scrutiny_desktop.storage.document import Document

HEADER = ["Section", "Question ID", "Question", "Required", "Judgement", "Findings",
          "Evidence count", "Recommendation count"]


def export_csv(doc: Document, out: Path | str) -> Path:
    out = Path(out)
    template = template_of(doc)
    states = {s.question_id: s for s in answers.question_states(doc)}
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for section, question in template.questions():
        a = answers.get_answer(doc, question.id)
        state = states[question.id]
        writer.writerow([
            section.title, question.id, question.text, "Yes" if question.required else "No",
            template.judgement_label(a.judgement), a.findings,
            state.evidence_count, state.recommendation_count,
        ])
    tmp = out.with_name(f".{out.name}.writing-{os.getpid()}")
    tmp.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    os.replace(tmp, out)
    return out
