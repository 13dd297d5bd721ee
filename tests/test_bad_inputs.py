"""One ``error:`` line for every bad input, never a traceback (issue 9, item 8).

Hostile or broken files given to ``import``, ``templates`` and ``new``: JSON nested a
thousand deep, numbers SQLite cannot store, templates nested a thousand deep (in a
file given to ``--check`` and in the user's checklists folder), named pipes, devices,
folders and link loops given as a source or an export target, and an export holding
an attachment over the 50 MB limit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scrutiny_desktop import paths
from scrutiny_desktop.checklist import TemplateError, discover_templates, find_template, load_template
from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.report.jsonio import export_json
from scrutiny_desktop.services import evidence, recommendations
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.services.transfer import ImportProblem, import_json
from tests.helpers import MINI, REPO, cli_error, run_cli


@pytest.fixture
def export(tmp_path, new_doc_path) -> Path:
    """A real JSON export of a draft with one attached file and one recommendation."""
    note = tmp_path / "note.txt"
    note.write_bytes(b"minutes of the board meeting\n" * 40)
    with open_assessment(new_doc_path) as doc:
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Minutes"), attach=note)
        recommendations.add_recommendation(doc, "ARR-02",
                                           recommendations.RecommendationInput("Publish the plan"))
        out = tmp_path / "export.json"
        export_json(doc, out)
    return out


def _edited(export: Path, name: str, edit) -> Path:
    data = json.loads(export.read_text(encoding="utf-8"))
    edit(data)
    out = export.with_name(name)
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def _nothing_left(folder: Path, before: set[str]) -> None:
    left = {p.name for p in folder.iterdir()} - before
    assert not left, left


# -- JSON nesting and numbers --------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "[" * 1000 + "]" * 1000,
    '{"a":' * 1000 + "1" + "}" * 1000,
    '{"format": ' + "[" * 100_000,  # cut short, and deep
])
def test_import_of_deeply_nested_json_is_one_error_line(capsys, tmp_path, text):
    """JSON nested a thousand deep is refused before parsing (json.loads would exhaust the
    stack), with one line that names the file and says what to choose instead."""
    source = tmp_path / "deep.json"
    source.write_text(text, encoding="utf-8")
    before = {p.name for p in tmp_path.iterdir()}
    line = cli_error(capsys, "import", source, "--to", tmp_path / "out.scrutiny")
    assert str(source) in line and "nested more than 64 levels" in line
    assert "Choose a JSON export made by Scrutiny Desktop" in line
    _nothing_left(tmp_path, before)


def test_nesting_inside_strings_does_not_count(tmp_path, export):
    """Brackets inside text (findings full of '[') are text, not nesting."""
    source = _edited(export, "brackets.json",
                     lambda d: d["answers"][0].__setitem__("findings", "[{" * 5000 + '\\"]'))
    import_json(source, tmp_path / "ok.scrutiny")
    with open_assessment(tmp_path / "ok.scrutiny", readonly=True) as doc:
        from scrutiny_desktop.services import answers

        assert answers.get_answer(doc, "ARR-01").findings == "[{" * 5000 + '\\"]'


BIG = 2 ** 63


@pytest.mark.parametrize("field, edit", [
    ("$.answers[0].evidence[0].id",
     lambda d: d["answers"][0]["evidence"][0].__setitem__("id", BIG)),
    ("$.answers[0].evidence[0].attachment.id",
     lambda d: d["answers"][0]["evidence"][0]["attachment"].__setitem__("id", BIG + 12345)),
    ("$.answers[1].recommendations[0].id",
     lambda d: d["answers"][1]["recommendations"][0].__setitem__("id", -BIG - 1)),
    ("$.assessment.audit_count",
     lambda d: d["assessment"].__setitem__("audit_count", 10 ** 30)),
])
def test_import_of_an_integer_sqlite_cannot_store_names_the_field(capsys, tmp_path, export,
                                                                  field, edit):
    """Ids and counts must fit SQLite's signed 64-bit integers; one that does not is one
    error line naming its JSON path (not an OverflowError traceback)."""
    source = _edited(export, "big.json", edit)
    line = cli_error(capsys, "import", source, "--to", tmp_path / "out.scrutiny")
    assert f"{source}: {field}:" in line, line
    assert "9223372036854775807" in line and "export the assessment again" in line
    assert not (tmp_path / "out.scrutiny").exists()


@pytest.mark.parametrize("literal", ["9" * 5000, "NaN", "Infinity", "-1e999"])
def test_import_of_numbers_no_export_holds(capsys, tmp_path, export, literal):
    """A 5,000-digit integer (beyond Python's int parsing limit), NaN and infinities."""
    text = export.read_text(encoding="utf-8").replace(
        '"audit_count": ', f'"audit_count": {literal}, "x": ', 1)
    source = tmp_path / "odd.json"
    source.write_text(text, encoding="utf-8")
    line = cli_error(capsys, "import", source, "--to", tmp_path / "out.scrutiny")
    assert "$.assessment.audit_count" in line


def test_a_real_export_still_imports_and_exports_identically(capsys, tmp_path, export):
    """The guards refuse nothing a real export holds."""
    code, _out, err = run_cli(capsys, "import", export, "--to", tmp_path / "again.scrutiny")
    assert code == 0, err
    with open_assessment(tmp_path / "again.scrutiny", readonly=True) as doc:
        export_json(doc, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == export.read_bytes()


# -- the attachment limit on import ---------------------------------------------------------

def test_import_applies_the_attachment_limit(tmp_path, export, monkeypatch):
    """An export holding an attachment over the limit is refused, naming it, and nothing is
    written (import used to bypass the 50 MB limit that adding a file has)."""
    monkeypatch.setattr(evidence, "MAX_ATTACHMENT_BYTES", 1000)  # the note is 1,160 bytes
    before = {p.name for p in tmp_path.iterdir()}
    with pytest.raises(ImportProblem) as info:
        import_json(export, tmp_path / "out.scrutiny")
    message = str(info.value)
    assert "$.answers[0].evidence[0].attachment.size" in message
    assert "attachments can be at most" in message
    _nothing_left(tmp_path, before)


def test_import_refuses_an_attachment_over_50_mb_before_decoding_it(tmp_path, export):
    """A declared size over 50 MB is refused at once (no 300 MB decode first)."""
    source = _edited(export, "huge.json", lambda d: d["answers"][0]["evidence"][0]["attachment"]
                     .__setitem__("size", 300 * 1024 * 1024))
    with pytest.raises(ImportProblem, match=r"is 300 MB; attachments can be at most 50 MB"):
        import_json(source, tmp_path / "out.scrutiny")


# -- sources and targets that are not regular files ----------------------------------------

def _special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device-link":
        path.symlink_to("/dev/zero")
    elif kind == "loop":
        path.symlink_to(path.name)
    elif kind == "folder":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(tmp_path / "gone.json")
    return path


SOURCE_WORDS = {
    "fifo": "is a named pipe (FIFO), not a JSON export",
    "device-link": "(a link to /dev/zero) is a device, not a JSON export",
    "loop": "is a symbolic link that leads round in a loop",
    "folder": "is a folder, not a JSON export",
    "dangling": "is a link to a file that does not exist",
}


@pytest.mark.parametrize("kind", list(SOURCE_WORDS))
def test_import_source_that_is_not_a_file_is_described_as_what_it_is(capsys, tmp_path, kind):
    """A FIFO is never called a folder, a link loop never 'does not exist'; nothing blocks."""
    source = _special(tmp_path, kind)
    line = cli_error(capsys, "import", source, "--to", tmp_path / "out.scrutiny")
    assert SOURCE_WORDS[kind] in line, line
    assert str(source) in line


def test_import_of_dev_null_is_called_a_device(capsys, tmp_path):
    line = cli_error(capsys, "import", "/dev/null", "--to", tmp_path / "out.scrutiny")
    assert line == "error: /dev/null is a device, not a JSON export. Choose the JSON export itself."


def test_reading_a_fifo_never_blocks(tmp_path):
    """From a shell: import, templates --check and verify of a named pipe with no writer
    return at once (the old code opened it and waited for ever)."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    for argv in (["import", str(fifo), "--to", str(tmp_path / "o.scrutiny")],
                 ["templates", "--check", str(fifo)], ["verify", str(fifo)]):
        done = subprocess.run([sys.executable, "-m", "scrutiny_desktop", *argv], cwd=REPO,
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("error: ") and "named pipe (FIFO)" in done.stderr
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


TARGET_WORDS = {
    "fifo": "is a named pipe (FIFO), not a file",
    "device-link": "(a link to /dev/zero) is a device, not a file",
    "loop": "is a symbolic link that leads round in a loop",
    "folder": "is a folder. Give a file name inside it",
    "dangling": "is a link to a file that does not exist",
}


@pytest.mark.parametrize("kind", list(TARGET_WORDS))
@pytest.mark.parametrize("option", ["--json", "--csv", "--pdf"])
def test_export_target_that_is_not_a_file_is_refused_and_left_alone(capsys, tmp_path, new_doc_path,
                                                                   kind, option):
    """An export never replaces a pipe, a device link or a link loop, and says what it is."""
    target = _special(tmp_path, kind)
    before = os.lstat(target)
    line = cli_error(capsys, "export", new_doc_path, option, target)
    assert TARGET_WORDS[kind] in line, line
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


def test_attaching_a_fifo_or_device_says_what_it_is(tmp_path, new_doc_path):
    fifo = _special(tmp_path, "fifo")
    with open_assessment(new_doc_path) as doc:
        with pytest.raises(InvalidInput, match=r"named pipe \(FIFO\), not a file that can be attached"):
            evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("x"), attach=fifo)
        with pytest.raises(InvalidInput, match="is a device"):
            evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("x"), attach="/dev/zero")


# -- templates -----------------------------------------------------------------------------

DEEP_TEMPLATES = {
    "arrays": "a = " + "[" * 1000 + "]" * 1000 + "\n",
    "inline tables": "a = " + "{b = " * 1000 + "1" + "}" * 1000 + "\n",
    "dotted keys": "a" + ".a" * 1000 + " = 1\n",
}


@pytest.mark.parametrize("kind", list(DEEP_TEMPLATES))
def test_templates_check_of_a_deeply_nested_template(capsys, tmp_path, kind):
    """tomllib recurses once per level: a template nested 1,000 deep is one error line."""
    path = tmp_path / "deep.toml"
    path.write_text(DEEP_TEMPLATES[kind], encoding="utf-8")
    line = cli_error(capsys, "templates", "--check", path)
    assert line.startswith(f"error: {path}: tables and lists are nested more than 64 levels deep")
    assert "remove it from the folder" in line


def test_brackets_in_template_strings_and_comments_are_not_nesting(tmp_path):
    """The depth scan skips strings (all four TOML kinds) and comments."""
    text = MINI.read_text(encoding="utf-8")
    text = text.replace('title = "', 'title = "' + "[" * 200, 1)
    text = "# " + "[" * 200 + "\n" + text
    text += "\n# " + "{" * 100 + "\n"
    text = text.replace("\ndescription = ", "\ndescription = '''" + "[" * 100 + "'''\n#", 1)
    path = tmp_path / "brackets.toml"
    path.write_text(text, encoding="utf-8")
    template = load_template(path)
    assert template.title.startswith("[" * 200)


def test_a_huge_integer_in_a_template_is_a_template_error(tmp_path):
    path = tmp_path / "digits.toml"
    path.write_text(MINI.read_text(encoding="utf-8") + "\nextra = " + "9" * 5000 + "\n",
                    encoding="utf-8")
    with pytest.raises(TemplateError):
        load_template(path)


@pytest.fixture
def user_folder_with_bad_templates():
    """The user's checklists folder with one good template and three unusable ones."""
    folder = paths.user_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MINI, folder / "mini.toml")
    (folder / "deep.toml").write_text(DEEP_TEMPLATES["arrays"], encoding="utf-8")
    (folder / "digits.toml").write_text("id = " + "9" * 5000 + "\n", encoding="utf-8")
    os.mkfifo(folder / "pipe.toml")
    return folder


def test_discovery_lists_bad_user_templates_as_unusable(user_folder_with_bad_templates):
    found = {info.path.name: info for info in discover_templates()}
    assert found["mini.toml"].template is not None
    for name in ("deep.toml", "digits.toml", "pipe.toml"):
        assert found[name].template is None
        assert found[name].reason and str(found[name].path) not in found[name].reason
    assert "nested more than 64 levels" in found["deep.toml"].reason
    assert "named pipe" in found["pipe.toml"].reason


def test_templates_lists_good_ones_then_unusable_lines(capsys, user_folder_with_bad_templates):
    """`templates` still works and exits 0: the usable ones, then 'Unusable: FILE: reason'."""
    code, out, err = run_cli(capsys, "templates")
    assert code == 0, err
    assert "Traceback" not in out + err
    lines = out.splitlines()
    assert lines[0].startswith("cis\t")
    assert any(line.startswith("mini\t0.1\t3 questions\tuser") for line in lines)
    unusable = [line for line in lines if line.startswith("Unusable: ")]
    assert lines[-len(unusable):] == unusable, "unusable files come after the usable ones"
    folder = user_folder_with_bad_templates
    assert sorted(line.split(": ")[1] for line in unusable) == [
        str(folder / "deep.toml"), str(folder / "digits.toml"), str(folder / "pipe.toml")]
    deep = next(line for line in unusable if "deep.toml" in line)
    assert "nested more than 64 levels deep" in deep


def test_new_works_with_a_bad_template_in_the_user_folder(capsys, tmp_path,
                                                          user_folder_with_bad_templates):
    """`new` with the default template, and with a good user template by id."""
    for name, extra in (("a.scrutiny", ()), ("b.scrutiny", ("--template", "mini"))):
        code, out, err = run_cli(capsys, "new", tmp_path / name, "--partnership", "P", "--period",
                                 "2025-26", "--scrutineer", "Ann Jones", *extra)
        assert code == 0, err
        assert "Traceback" not in out + err
    assert find_template("mini").id == "mini"


def test_new_with_an_unknown_id_still_says_how_to_list(capsys, tmp_path,
                                                      user_folder_with_bad_templates):
    line = cli_error(capsys, "new", tmp_path / "c.scrutiny", "--partnership", "P",
                     "--period", "2025-26", "--scrutineer", "Ann", "--template", "deep")
    assert "scrutiny-desktop templates" in line


def test_an_unreadable_source_is_told_to_ask_for_access(capsys, tmp_path, export, monkeypatch):
    """Permission to read is refused (simulated: the tests run as root): the message says
    so and what to do, rather than calling the file damaged or offering "Save a copy"."""
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if str(path) == str(export):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    line = cli_error(capsys, "import", export, "--to", tmp_path / "out.scrutiny")
    assert line == (f"error: You do not have permission to read {export}. Ask its owner for "
                    "access, or choose a copy of the JSON export that you can read.")
