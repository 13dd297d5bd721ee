"""Checklist templates: the bundled CIS, validation errors a person can find, discovery."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrutiny_desktop import paths
from scrutiny_desktop.checklist import (
    NOT_APPLICABLE,
    TemplateError,
    bundled_template,
    discover_templates,
    find_template,
    load_template,
)
from scrutiny_desktop.checklist.loader import format_loc
from scrutiny_desktop.checklist.model import Template
from tests.helpers import MINI


def mini_text() -> str:
    return MINI.read_text(encoding="utf-8")


def write_variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of mini.toml with one exact piece of text replaced."""
    text = mini_text()
    assert old in text, f"fixture no longer contains {old!r}"
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(TemplateError) as info:
        load_template(path)
    message = str(info.value)
    assert "\n" not in message, "a template error is one line"
    assert str(path) in message, "the error names the file"
    assert info.value.path == path
    return message


# -- the bundled CIS -----------------------------------------------------------

def test_the_2024_checklist_keeps_nine_sections_and_51_questions(cis):
    """The 1.0.0 checklist, kept as cis-2024 for the documents made with it, is unchanged:
    nine sections, 51 questions (the current one: tests/test_checklist_2026.py)."""
    assert (cis.id, cis.version) == ("cis-2024", "1.0.0")
    assert len(cis.sections) == 9
    assert len(cis.question_ids()) == 51


def test_bundled_cis_question_and_section_ids_are_unique(cis):
    """Every CIS question can be found by its own id (carry-forward matches on it)."""
    ids = cis.question_ids()
    assert len(ids) == len(set(ids))
    section_ids = [s.id for s in cis.sections]
    assert len(section_ids) == len(set(section_ids))
    for qid in ids:
        assert cis.question(qid).id == qid


def test_bundled_cis_every_question_has_guidance_and_source(cis):
    """Every question shows guidance on good evidence and the source it rests on."""
    for section, question in cis.questions():
        assert question.text.strip(), question.id
        assert len(question.guidance.strip()) > 40, f"{question.id} has little or no guidance"
        assert question.source.strip(), f"{question.id} has no source"
        assert section.title.strip()


def test_bundled_cis_description_states_its_basis_and_that_it_is_not_official(cis):
    """The description says what the checklist rests on and that it is not the official CIS."""
    text = " ".join(cis.description.split())
    assert "Working Together" in text
    assert "2018" in text
    assert "VKPP" in text
    assert "not the official" in text
    assert "template" in text.lower(), "it says partnerships can load another template"
    assert cis.sources, "the sources it rests on are listed"


def test_bundled_cis_scale_has_not_applicable_and_an_unanswered_point(cis):
    """The judgement list offers 'Not applicable', and 'not yet' does not count as answered."""
    values = [v for v, _ in cis.judgement_options()]
    assert NOT_APPLICABLE in values
    assert cis.counts_as_answered(NOT_APPLICABLE)
    assert not cis.counts_as_answered("not_yet")
    assert not cis.counts_as_answered(None)
    assert cis.counts_as_answered("strong")


def test_bundled_template_is_the_same_as_loading_the_file(cis):
    """Loading cis.toml by path gives the bundled checklist; cis-2024.toml the 1.0.0 one."""
    assert load_template(paths.bundled_checklists_dir() / "cis.toml") == bundled_template()
    assert load_template(paths.bundled_checklists_dir() / "cis-2024.toml") == cis


def test_mini_fixture_is_valid():
    """The small test template loads: 2 sections, 3 questions."""
    t = load_template(MINI)
    assert t.id == "mini"
    assert [s.id for s in t.sections] == ["s1", "s2"]
    assert t.question_ids() == ["Q1", "Q2", "Q3"]
    assert t.question("Q2").required is False


# -- invalid templates -----------------------------------------------------------

def test_toml_syntax_error_names_file_and_line(tmp_path):
    """A typo in the TOML is reported with the file name and the line it is on."""
    text = mini_text().splitlines()
    broken_line = 7  # 1-based line number of the inserted bad line
    text.insert(broken_line - 1, "this line is not toml")
    path = tmp_path / "syntax.toml"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    message = load_error(path)
    assert "TOML" in message
    assert f"line {broken_line}" in message


def test_duplicate_question_id_names_field_path(tmp_path):
    """A question id used twice is reported at the second question's field path."""
    path = write_variant(tmp_path, "dup.toml", 'id = "Q3"', 'id = "Q1"')
    message = load_error(path)
    assert "sections[1].questions[0].id" in message
    assert "Q1" in message


def test_duplicate_section_id_is_an_error(tmp_path):
    """Two sections with the same id are reported at the second section."""
    path = write_variant(tmp_path, "dupsec.toml", 'id = "s2"', 'id = "s1"')
    assert "sections[1].id" in load_error(path)


def test_unknown_field_names_its_path(tmp_path):
    """A misspelt or unknown key is reported with its path, not silently ignored."""
    path = write_variant(tmp_path, "unknown.toml", 'text = "Second question?"',
                         'text = "Second question?"\ncolour = "red"')
    message = load_error(path)
    assert "sections[0].questions[1].colour" in message
    assert "unknown field" in message


def test_unknown_top_level_field_names_it(tmp_path):
    """An unknown key at the top of the file is reported by name."""
    path = write_variant(tmp_path, "unknown-top.toml", 'title = "Mini checklist"',
                         'title = "Mini checklist"\ntitel = "typo"')
    assert "titel" in load_error(path)


def test_empty_section_is_an_error(tmp_path):
    """A section with no questions is refused and the section is named."""
    text = mini_text()
    cut = '\n[[sections.questions]]\nid = "Q3"'
    assert cut in text
    path = tmp_path / "empty-section.toml"
    path.write_text(text.split(cut)[0] + "questions = []\n", encoding="utf-8")
    message = load_error(path)
    assert "sections[1].questions" in message
    assert "empty" in message


def test_scale_with_one_point_is_an_error(tmp_path):
    """A judgement scale with a single option is refused."""
    text = mini_text()
    start = text.index('[[scale.points]]\nvalue = "no"')
    end = text.index("[[sections]]")
    path = tmp_path / "one-point.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert load_template(MINI)  # sanity: the unmodified file is fine
    message = load_error(path)
    assert "scale.points" in message
    assert "two" in message


def test_not_applicable_as_a_point_value_is_an_error(tmp_path):
    """'not_applicable' is reserved for the built-in option and cannot be a scale point."""
    path = write_variant(tmp_path, "na.toml", 'value = "pending"', 'value = "not_applicable"')
    message = load_error(path)
    assert "scale" in message
    assert "not_applicable" in message


def test_scale_with_no_answered_point_is_an_error(tmp_path):
    """A scale where no option counts as answered could never be completed, so it is refused."""
    text = mini_text().replace('label = "Yes"', 'label = "Yes"\nanswered = false', 1)
    text = text.replace('label = "No"', 'label = "No"\nanswered = false', 1)
    path = tmp_path / "none-answered.toml"
    path.write_text(text, encoding="utf-8")
    assert "answered" in load_error(path)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('required = false', 'required = "no"', "sections[0].questions[1].required"),
        ('required = false', 'required = "yes"', "sections[0].questions[1].required"),
        ('required = false', "required = 0", "sections[0].questions[1].required"),
        ("answered = false", 'answered = "false"', "scale.points[2].answered"),
        ("allow_not_applicable = true", 'allow_not_applicable = "yes"',
         "scale.allow_not_applicable"),
        ("allow_not_applicable = true", "allow_not_applicable = 1", "scale.allow_not_applicable"),
    ],
)
def test_true_false_fields_take_only_booleans(tmp_path, old, new, expected):
    """required, answered and allow_not_applicable must be true or false, not "yes" or 1."""
    path = write_variant(tmp_path, "strict-bool.toml", old, new)
    message = load_error(path)
    assert f"{expected}: must be true or false" in message


def test_two_scale_points_with_the_same_label_are_an_error(tmp_path):
    """Two options with one label would give two controls the same accessible name."""
    path = write_variant(tmp_path, "dup-label.toml", 'label = "Not yet"', 'label = "yes "')
    message = load_error(path)
    assert "scale.points[2].label: judgement label 'yes' is already used by scale.points[0]" \
        in message


def test_a_scale_point_labelled_like_not_applicable_is_an_error(tmp_path):
    """A point may not share its label with the built-in 'not applicable' option..."""
    path = write_variant(tmp_path, "na-label.toml", 'label = "Not yet"', 'label = "Not applicable"')
    message = load_error(path)
    assert "scale.points[2].label: 'Not applicable' is the label of the 'not applicable' option" \
        in message
    path = write_variant(tmp_path, "na-label2.toml", "allow_not_applicable = true",
                         'allow_not_applicable = true\nnot_applicable_label = "Yes"')
    assert "scale.points[0].label:" in load_error(path)
    # ...unless that option is switched off
    path = write_variant(tmp_path, "na-off.toml", "allow_not_applicable = true",
                         'allow_not_applicable = false\nnot_applicable_label = "Yes"')
    assert load_template(path).judgement_options() == [
        ("yes", "Yes"), ("no", "No"), ("pending", "Not yet")]


def test_a_document_snapshot_with_duplicate_labels_still_loads():
    """The label rules apply to template files; a snapshot already in a document still opens."""
    t = load_template(MINI)
    points = [p.model_copy(update={"label": "Same"}) for p in t.scale.points]
    snapshot = t.model_copy(update={"scale": t.scale.model_copy(update={"points": points})})
    again = Template.model_validate_json(snapshot.model_dump_json())
    assert [p.label for p in again.scale.points] == ["Same", "Same", "Same"]


def test_duplicate_scale_value_names_its_path(tmp_path):
    """A judgement value used twice is reported at the second point's path."""
    path = write_variant(tmp_path, "dup-value.toml", 'value = "pending"', 'value = "yes"')
    assert "scale.points[2].value: judgement value 'yes' is already used by scale.points[0]" \
        in load_error(path)


@pytest.mark.parametrize(
    ("old", "expected"),
    [
        ('title = "Mini checklist"\n', "title"),
        ('text = "Third question?"\n', "sections[1].questions[0].text"),
        ('id = "mini"\n', "id"),
    ],
)
def test_missing_required_field_names_it(tmp_path, old, expected):
    """A required field left out is reported by its path as required."""
    path = write_variant(tmp_path, "missing.toml", old, "")
    message = load_error(path)
    assert f"{expected}: this field is required" in message


def test_bad_question_id_characters_are_reported(tmp_path):
    """A question id with spaces is refused with a hint on allowed characters."""
    path = write_variant(tmp_path, "badid.toml", 'id = "Q2"', 'id = "Q 2"')
    message = load_error(path)
    assert "sections[0].questions[1].id" in message


def test_missing_and_non_utf8_files(tmp_path):
    """A missing file or a binary file gives a TemplateError naming it, not a crash."""
    assert "not found" in load_error(tmp_path / "nowhere.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert "UTF-8" in load_error(binary)


def test_several_problems_are_counted(tmp_path):
    """When a file has several problems the one-line message says how many more there are."""
    text = mini_text().replace('title = "Mini checklist"\n', "", 1)
    text = text.replace('text = "Third question?"\n', "", 1)
    path = tmp_path / "two.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert len(info.value.problems) == 2
    assert "1 more problem" in str(info.value)


# -- discovery -----------------------------------------------------------------

def test_templates_in_user_folder_are_discovered_with_broken_ones_listed(tmp_path):
    """A template dropped in the user folder is listed; a broken one is listed with its error."""
    folder = paths.user_templates_dir()
    assert str(folder).startswith(str(Path.home())), "user folder is under the test home"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mini.toml").write_text(mini_text(), encoding="utf-8")
    broken = folder / "broken.toml"
    broken.write_text("id = \n", encoding="utf-8")

    found = discover_templates()
    assert found[0].id == "cis" and found[0].origin == "bundled"
    by_name = {info.path.name: info for info in found}
    assert by_name["mini.toml"].origin == "user"
    assert by_name["mini.toml"].template is not None
    assert by_name["mini.toml"].template.id == "mini"
    bad = by_name["broken.toml"]
    assert bad.template is None
    assert bad.origin == "user"
    assert str(broken) in bad.error
    assert "line 1" in bad.error
    assert "cannot be used" in bad.label


def test_find_template_by_id_path_and_unknown(tmp_path):
    """A template can be chosen by id or by path; an unknown id says how to list them."""
    folder = paths.user_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mini.toml").write_text(mini_text(), encoding="utf-8")
    assert find_template(None).id == "cis"
    assert find_template("cis").id == "cis"
    assert find_template("mini").id == "mini"
    assert find_template(str(MINI)).id == "mini"
    with pytest.raises(TemplateError) as info:
        find_template("no-such-template")
    assert "templates" in str(info.value)


def test_managed_folder_is_searched(tmp_path):
    """A template in an extra (managed) folder is found with origin 'managed'."""
    managed = tmp_path / "managed"
    managed.mkdir()
    (managed / "mini.toml").write_text(mini_text(), encoding="utf-8")
    infos = [i for i in discover_templates([managed]) if i.id == "mini"]
    assert [i.origin for i in infos] == ["managed"]


# -- properties ------------------------------------------------------------------

_name = st.from_regex(r"[a-z_]{1,8}", fullmatch=True)
_loc = st.tuples(_name, st.lists(st.one_of(_name, st.integers(0, 999)), max_size=6)).map(
    lambda t: (t[0], *t[1]))


def _parse_loc(text: str) -> tuple:
    parts: list = []
    for name, index in re.findall(r"([a-z_]+)|\[(\d+)\]", text):
        parts.append(name if name else int(index))
    return tuple(parts)


@settings(max_examples=25, deadline=None, database=None, derandomize=True)
@given(_loc)
def test_format_loc_round_trips(loc):
    """Field paths in errors (sections[2].questions[4].id) always name the exact field."""
    text = format_loc(loc)
    assert _parse_loc(text) == loc
    assert not text.startswith(".")
