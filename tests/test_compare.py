"""Comparing two assessments question by question (issue 6, item 5).

The builders here are shared with tests/ui/test_compare_ui.py and
tests/report/test_compare_pdf.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrutiny_desktop.checklist import bundled_template, load_template
from scrutiny_desktop.services import answers
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment
from scrutiny_desktop.services.compare import CHANGES, compare
from scrutiny_desktop.errors import InvalidInput

NORTHSHIRE = "Northshire Safeguarding Children Partnership"

MINI_HEAD = """
format = 1
id = "mini"
version = "{version}"
title = "Mini checklist"
description = "A tiny template used by the comparison tests."

[scale]
allow_not_applicable = true

[[scale.points]]
value = "yes"
label = "Yes"

[[scale.points]]
value = "partly"
label = "Partly"

[[scale.points]]
value = "no"
label = "No"

[[scale.points]]
value = "pending"
label = "Not yet"
answered = false
"""

#: Version 0.1: Q1, Q2 in section one; Q3 in section two.
MINI_V1 = MINI_HEAD.format(version="0.1") + """
[[sections]]
id = "s1"
title = "Section one"

[[sections.questions]]
id = "Q1"
text = "First question?"

[[sections.questions]]
id = "Q2"
text = "Is the second question worded like this?"

[[sections]]
id = "s2"
title = "Section two"

[[sections.questions]]
id = "Q3"
text = "Third question, later removed?"
"""

#: Version 0.2: Q1 unchanged, Q2 reworded, Q3 removed, Q4 new.
MINI_V2 = MINI_HEAD.format(version="0.2") + """
[[sections]]
id = "s1"
title = "Section one"

[[sections.questions]]
id = "Q1"
text = "First   question?"

[[sections.questions]]
id = "Q2"
text = "Is the second question now worded differently?"

[[sections]]
id = "s3"
title = "Section three"

[[sections.questions]]
id = "Q4"
text = "A brand new fourth question?"
"""

#: Nothing in common with the mini checklist.
OTHER = MINI_HEAD.format(version="9").replace('id = "mini"', 'id = "other"') + """
[[sections]]
id = "x"
title = "Something else"

[[sections.questions]]
id = "X1"
text = "An unrelated question?"
"""


def write_template(folder: Path, name: str, text: str):
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return load_template(path)


def make_doc(path: Path, template=None, *, period: str, partnership: str = NORTHSHIRE,
             judgements: dict[str, str | None] | None = None,
             findings: dict[str, str] | None = None) -> Path:
    """A draft document with these judgements and findings, built through the services."""
    create_assessment(path, template or bundled_template(),
                      NewAssessment(partnership, period, "Ann Jones", area="Northshire"))
    with open_assessment(path) as doc:
        for qid, value in (judgements or {}).items():
            answers.set_judgement(doc, qid, value)
        for qid, text in (findings or {}).items():
            answers.set_findings(doc, qid, text)
    return path


#: Earlier and later judgements on the bundled checklist (best first: strong,
#: reasonable, limited, none), with the change each pair must be classed as.
CIS_CASES = {
    "ARR-01": ("limited", "strong", "improved"),
    "ARR-02": ("strong", "reasonable", "worse"),
    "ARR-03": ("reasonable", "reasonable", "same"),
    "ARR-04": ("none", "limited", "improved"),
    "LEAD-01": ("none", "not_applicable", "changed"),
    "LEAD-02": (None, "strong", "changed"),
    "LEAD-03": ("strong", "not_yet", "changed"),
    "LEAD-04": ("reasonable", "none", "worse"),
}


def cis_pair(folder: Path, *, findings: bool = True) -> tuple[Path, Path]:
    """Last year's and this year's assessment for one partnership (CIS checklist)."""
    earlier = make_doc(folder / "2024-25.scrutiny", period="2024-25",
                       judgements={q: e for q, (e, _l, _c) in CIS_CASES.items() if e},
                       findings={"ARR-01": "The arrangements were not published.",
                                 "ARR-02": "Strong challenge in the minutes."} if findings else None)
    later = make_doc(folder / "2025-26.scrutiny", period="2025-26",
                     judgements={q: v for q, (_e, v, _c) in CIS_CASES.items()},
                     findings={"ARR-01": "Published in June 2025.",
                               "LEAD-02": "Leaders now attend every meeting."} if findings else None)
    return earlier, later


def mini_pair(folder: Path) -> tuple[Path, Path]:
    """Two documents made from two versions of a small checklist that share Q1 and Q2."""
    v1 = write_template(folder, "mini-v1", MINI_V1)
    v2 = write_template(folder, "mini-v2", MINI_V2)
    earlier = make_doc(folder / "mini-2024.scrutiny", v1, period="2024-25",
                       judgements={"Q1": "yes", "Q2": "no", "Q3": "partly"},
                       findings={"Q2": "Old findings for Q2.", "Q3": "Findings of a removed question."})
    later = make_doc(folder / "mini-2025.scrutiny", v2, period="2025-26",
                     judgements={"Q1": "partly", "Q2": "yes", "Q4": "yes"},
                     findings={"Q2": "New findings for Q2.", "Q4": "Findings of a new question."})
    return earlier, later


def compare_files(earlier: Path, later: Path):
    with open_assessment(earlier, readonly=True) as e, open_assessment(later, readonly=True) as l:
        return compare(e, l)


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
    template = bundled_template()
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
