"""Comparing two assessments question by question (issue 6, item 5).

The builders (``cis_pair``, ``mini_pair``, ``make_doc``...) are in tests/helpers.py,
shared with tests/ui/test_compare_ui.py and tests/report/test_compare_pdf.py.
"""

from __future__ import annotations

import pytest

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services.compare import CHANGES
from tests.helpers import (
    CIS_CASES,
    MINI_V1,
    OTHER,
    cis_pair,
    compare_files,
    legacy_template,
    make_doc,
    mini_pair,
    write_template,
)

# -- tests ------------------------------------------------------------------------------


def test_same_checklist_improved_same_worse_and_changed(tmp_path):
    """Each pair of judgements is classed by its place on the scale (best first);
    anything that is not a move along the scale (not applicable, not yet, a first
    answer) is "Changed"; an unanswered question in both is "Stayed the same"."""
    c = compare_files(*cis_pair(tmp_path))
    by_id = {q.question_id: q for q in c.questions}
    for qid, (earlier, later, change) in CIS_CASES.items():
        q = by_id[qid]
        assert (q.earlier_judgement, q.later_judgement, q.change) == (earlier, later, change), qid
        assert q.change_label == CHANGES[change]
        assert not q.wording_changed
    assert by_id["ARR-01"].earlier_label == "Limited assurance"
    assert by_id["ARR-01"].later_label == "Strong assurance"
    assert by_id["ARR-01"].earlier_findings == "The arrangements were not published."
    assert by_id["ARR-01"].later_findings == "Published in June 2025."
    assert by_id["ARR-05"].change == "same" and by_id["ARR-05"].earlier_judgement is None
    assert not c.templates_differ
    assert (c.earlier.period, c.later.period) == ("2024-25", "2025-26")
    totals = c.totals()
    assert totals == {"improved": 2, "same": len(c.questions) - 8 + 1, "worse": 2, "changed": 3,
                      "new": 0, "removed": 0}


def test_section_counts_add_up(tmp_path):
    """Every question is counted once, in its section, and the sections add up to the totals."""
    c = compare_files(*cis_pair(tmp_path, findings=False))
    template = legacy_template()
    assert [s.title for s in c.sections] == [s.title for s in template.sections]
    for section, summary in zip(template.sections, c.sections, strict=True):
        assert sum(summary.counts.values()) == len(section.questions)
    summed = {k: sum(s.counts[k] for s in c.sections) for k in CHANGES}
    assert summed == c.totals()
    assert sum(summed.values()) == len(c.questions) == len(template.question_ids())
    first = c.sections[0]
    assert (first.counts["improved"], first.counts["worse"], first.counts["same"]) == (2, 1, 3)


def test_across_checklist_versions_new_removed_and_reworded(tmp_path):
    """Questions are matched by id across versions: a question only in the later
    checklist is new, one only in the earlier is removed, and a shared id whose text
    changed (more than in spacing) is marked as reworded, with the old wording kept."""
    c = compare_files(*mini_pair(tmp_path))
    by_id = {q.question_id: q for q in c.questions}
    assert set(by_id) == {"Q1", "Q2", "Q3", "Q4"}
    assert c.templates_differ
    assert (c.earlier.template_version, c.later.template_version) == ("0.1", "0.2")

    assert by_id["Q1"].change == "worse" and not by_id["Q1"].wording_changed
    q2 = by_id["Q2"]
    assert q2.change == "improved" and q2.wording_changed
    assert q2.text == "Is the second question now worded differently?"
    assert q2.earlier_text == "Is the second question worded like this?"
    assert (q2.earlier_findings, q2.later_findings) == ("Old findings for Q2.", "New findings for Q2.")

    q3 = by_id["Q3"]
    assert q3.change == "removed" and q3.later_judgement is None and q3.later_label == ""
    assert (q3.earlier_label, q3.earlier_findings) == ("Partly", "Findings of a removed question.")
    q4 = by_id["Q4"]
    assert q4.change == "new" and q4.earlier_judgement is None and q4.earlier_label == ""
    assert (q4.later_label, q4.later_findings) == ("Yes", "Findings of a new question.")

    sections = {s.title: s.counts for s in c.sections}
    assert sections["Section one"]["worse"] == 1 and sections["Section one"]["improved"] == 1
    assert sections["Section two"]["removed"] == 1
    assert sections["Section three"]["new"] == 1
    assert sum(sum(counts.values()) for counts in sections.values()) == 4
    assert c.totals() == {"improved": 1, "same": 0, "worse": 1, "changed": 0, "new": 1, "removed": 1}


def test_refuses_when_the_checklists_share_nothing(tmp_path):
    v1 = write_template(tmp_path, "mini-v1", MINI_V1)
    other = write_template(tmp_path, "other", OTHER)
    a = make_doc(tmp_path / "a.scrutiny", v1, period="2024-25")
    b = make_doc(tmp_path / "b.scrutiny", other, period="2025-26")
    with pytest.raises(InvalidInput) as caught:
        compare_files(a, b)
    message = str(caught.value)
    assert "share no questions" in message and "cannot be compared" in message
    assert "same checklist" in message


def test_comparing_reads_only(tmp_path):
    """Comparing opens both documents read-only: neither file changes."""
    earlier, later = mini_pair(tmp_path)
    before = (earlier.read_bytes(), later.read_bytes(), sorted(p.name for p in tmp_path.iterdir()))
    compare_files(earlier, later)
    assert (earlier.read_bytes(), later.read_bytes(), sorted(p.name for p in tmp_path.iterdir())) == before
