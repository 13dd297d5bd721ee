"""The 2026 checklist (cis 2.0.0) and the 2024 edition kept beside it (cis-2024 1.0.0)."""

from __future__ import annotations

import itertools
import re

import pytest

from scrutiny_desktop import paths
from scrutiny_desktop.checklist import bundled_template, load_template
from scrutiny_desktop.checklist.model import Template

#: The 51 question ids of version 1.0.0, in order: documents and comparisons rely on them.
IDS_1_0_0 = [
    "ARR-01", "ARR-02", "ARR-03", "ARR-04", "ARR-05", "ARR-06",
    "LEAD-01", "LEAD-02", "LEAD-03", "LEAD-04", "LEAD-05", "LEAD-06",
    "CYP-01", "CYP-02", "CYP-03", "CYP-04", "CYP-05", "CYP-06",
    "PRAC-01", "PRAC-02", "PRAC-03", "PRAC-04", "PRAC-05",
    "LRN-01", "LRN-02", "LRN-03", "LRN-04", "LRN-05", "LRN-06",
    "PUB-01", "PUB-02", "PUB-03", "PUB-04", "PUB-05",
    "YR-01", "YR-02", "YR-03", "YR-04", "YR-05",
    "MTH-01", "MTH-02", "MTH-03", "MTH-04", "MTH-05", "MTH-06",
    "IMP-01", "IMP-02", "IMP-03", "IMP-04", "IMP-05", "IMP-06",
]

INVENTED_NUMBERING = re.compile(r"paragraphs? [1-5](\b|–|-)", re.IGNORECASE)


@pytest.fixture(scope="module")
def cis2() -> Template:
    return bundled_template()


@pytest.fixture(scope="module")
def cis2024() -> Template:
    return load_template(paths.bundled_checklists_dir() / "cis-2024.toml")


def guidance_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{4,}", text.lower()))


def template_text(t: Template) -> str:
    parts = [t.description]
    for section in t.sections:
        parts += [section.title, section.intro]
    for _s, q in t.questions():
        parts += [q.text, q.guidance]
    return " ".join(" ".join(parts).split()).lower()


# -- versions ---------------------------------------------------------------------

def test_bundled_cis_is_version_2_in_format_2(cis2):
    assert cis2.id == "cis"
    assert cis2.version == "2.0.0"
    assert cis2.format == 2
    assert cis2.directions is True
    assert 45 <= len(cis2.question_ids()) <= 60


def test_cis_2024_keeps_version_1_and_its_51_ids(cis2024):
    assert cis2024.id == "cis-2024"
    assert cis2024.version == "1.0.0"
    assert cis2024.format == 1
    assert cis2024.question_ids() == IDS_1_0_0
    assert "opened and compared" in " ".join(cis2024.description.split())


def test_both_editions_say_they_are_not_the_official_cis(cis2, cis2024):
    for t in (cis2, cis2024):
        assert "not the official" in " ".join(t.description.split())
    assert "cis-2024" in cis2.description


# -- sources ----------------------------------------------------------------------

def test_every_question_has_a_source(cis2):
    for _s, q in cis2.questions():
        assert q.source.strip(), f"{q.id} has no source"
        assert q.guidance.strip(), f"{q.id} has no guidance"


def test_no_source_uses_invented_paragraph_numbers(cis2):
    texts = [q.source for _s, q in cis2.questions()]
    texts += [s.note for s in cis2.sources] + [s.title for s in cis2.sources]
    for text in texts:
        assert not INVENTED_NUMBERING.search(text), text


# -- wording ----------------------------------------------------------------------

def test_no_two_questions_have_overlapping_guidance(cis2):
    words = {q.id: guidance_words(q.guidance) for _s, q in cis2.questions()}
    for (a, wa), (b, wb) in itertools.combinations(words.items(), 2):
        jaccard = len(wa & wb) / len(wa | wb)
        assert jaccard < 0.35, f"{a} and {b} have similar guidance ({jaccard:.2f})"


@pytest.mark.parametrize("phrase", [
    "lead safeguarding partner", "delegated safeguarding partner", "education",
    "section 11", "multi-agency child protection team", "Families First",
])
def test_template_covers_the_2026_topics(cis2, phrase):
    assert phrase.lower() in template_text(cis2)


# -- mapping from 1.0.0 -----------------------------------------------------------

def test_every_1_0_0_id_is_replaced_or_retired_with_a_reason(cis2):
    replaced = set(cis2.successors())
    retired = {r.id: r.reason for r in cis2.retired}
    for qid in IDS_1_0_0:
        assert qid in replaced or retired.get(qid, "").strip(), f"{qid} is not mapped"
    assert not replaced & set(retired), "an id is both replaced and retired"
    assert set(replaced) | set(retired) <= set(IDS_1_0_0), "a mapping names an unknown id"


def test_a_question_that_keeps_its_id_replaces_itself(cis2):
    for _s, q in cis2.questions():
        if q.id in IDS_1_0_0:
            assert q.id in q.replaces, q.id


def test_self_rated_questions_are_retired(cis2):
    retired = {r.id for r in cis2.retired}
    assert {"ARR-02", "MTH-01", "MTH-03", "MTH-05", "CYP-01"} <= retired


# -- scale ------------------------------------------------------------------------

def test_scale_keeps_the_four_levels_and_adds_insufficient_evidence(cis2, cis2024):
    old = [(p.value, p.label) for p in cis2024.scale.points if p.answered]
    new = {p.value: p for p in cis2.scale.points}
    for value, label in old:
        assert new[value].label == label
    values = [p.value for p in cis2.scale.points if p.answered]
    assert values == ["strong", "reasonable", "limited", "none", "insufficient_evidence"]
    insufficient, none = new["insufficient_evidence"], new["none"]
    assert insufficient.answered and insufficient.label == "Insufficient evidence to judge"
    assert insufficient.label != none.label
    assert insufficient.description != none.description


def test_every_scale_point_has_a_description(cis2):
    for p in cis2.scale.points:
        assert p.description.strip(), p.value


def test_required_questions_allow_not_applicable_only_when_marked(cis2):
    for _s, q in cis2.questions():
        if q.required and q.allow_not_applicable is not True:
            assert not cis2.not_applicable_allowed(q.id), q.id
