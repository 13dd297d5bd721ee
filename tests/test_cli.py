"""The command line: what IT staff and scripts see (exit codes, one error line, no traceback)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from scrutiny_desktop import __version__, paths
from scrutiny_desktop.storage import APPLICATION_ID, FORMAT_VERSION
from tests.fixtures import badfiles
from tests.helpers import MINI, REPO, live_writer, one_error_line, run_cli

NEW_ARGS = ("--partnership", "Northshire Safeguarding Children Partnership",
            "--period", "2025-26", "--scrutineer", "Ann Jones", "--role", "Independent scrutineer")


# -- version -----------------------------------------------------------------------

def test_version_in_process(capsys):
    """--version prints the app name and version and exits 0."""
    code, out, _err = run_cli(capsys, "--version")
    assert code == 0
    assert out.strip() == f"Scrutiny Desktop {__version__}"


def test_version_as_a_module_subprocess():
    """`python -m scrutiny_desktop --version` works from a shell, with no GUI and no traceback."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "scrutiny_desktop", "--version"],
                            capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Scrutiny Desktop {__version__}"
    assert "Traceback" not in result.stderr


# -- new and check -------------------------------------------------------------------

def test_new_then_check_reports_zero_of_n(capsys, tmp_path):
    """`new` makes a document (from the bundled cis 2.0.0) and `check` reports format,
    template, status and 0/N progress."""
    from scrutiny_desktop.checklist import bundled_template

    cis = bundled_template()
    path = tmp_path / "northshire.scrutiny"
    code, out, err = run_cli(capsys, "new", path, *NEW_ARGS)
    assert code == 0, err
    assert err == ""
    n = len(cis.question_ids())
    assert f"{n} questions" in out
    assert path.is_file()

    code, out, err = run_cli(capsys, "check", path)
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert f"format: {FORMAT_VERSION}" in lines
    assert f"template: {cis.id} {cis.version}" in lines
    assert "status: Draft" in lines
    assert f"progress: 0/{n}" in lines
    assert "integrity: ok" in lines
    assert "partnership: Northshire Safeguarding Children Partnership" in lines
    assert not any(line.startswith("read-only") for line in lines)


def test_new_file_is_a_clean_sqlite_document(capsys, tmp_path):
    """After `new` exits, the file is ours, uses a rollback journal and nothing is left beside it."""
    path = tmp_path / "clean.scrutiny"
    assert run_cli(capsys, "new", path, *NEW_ARGS)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.scrutiny"]
    with contextlib.closing(sqlite3.connect(str(path))) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID != 0
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT length(template_snapshot) FROM assessments").fetchone()[0] > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.scrutiny"]


def test_check_does_not_change_the_document(capsys, doc_path):
    """Checking a document only reads it."""
    before = badfiles.snapshot(doc_path)
    assert run_cli(capsys, "check", doc_path)[0] == 0
    assert badfiles.snapshot(doc_path) == before


def test_new_with_a_template_file(capsys, tmp_path):
    """`new --template FILE.toml` builds the assessment from that template."""
    path = tmp_path / "mini.scrutiny"
    code, out, err = run_cli(capsys, "new", path, *NEW_ARGS, "--template", MINI)
    assert code == 0, err
    code, out, err = run_cli(capsys, "check", path)
    assert code == 0
    assert "template: mini 0.1" in out.splitlines()
    assert "progress: 0/3" in out.splitlines()
    assert "required answered: 0/2" in out.splitlines()


def test_new_with_a_template_id_from_the_user_folder(capsys, tmp_path):
    """`new --template ID` finds a template the user dropped in their template folder."""
    folder = paths.user_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MINI, folder / "mini.toml")
    path = tmp_path / "by-id.scrutiny"
    assert run_cli(capsys, "new", path, *NEW_ARGS, "--template", "mini")[0] == 0
    assert "template: mini 0.1" in run_cli(capsys, "check", path)[1]


def test_new_onto_an_existing_file_is_refused_and_the_file_kept(capsys, doc_path, tmp_path):
    """`new` never overwrites: an existing document (or any file) is left exactly as it was."""
    before = badfiles.snapshot(doc_path)
    code, out, err = run_cli(capsys, "new", doc_path, *NEW_ARGS)
    assert code == 1
    line = one_error_line(err, out)
    assert str(doc_path) in line and "already exists" in line
    assert badfiles.snapshot(doc_path) == before

    other = tmp_path / "notes.scrutiny"
    other.write_text("my notes", encoding="utf-8")
    before = badfiles.snapshot(other)
    code, out, err = run_cli(capsys, "new", other, *NEW_ARGS)
    assert code == 1
    one_error_line(err, out)
    assert badfiles.snapshot(other) == before


def test_new_with_blank_details_or_unknown_template_is_a_data_error(capsys, tmp_path):
    """A blank partnership or an unknown template gives exit 1, one error line and no file."""
    path = tmp_path / "blank.scrutiny"
    code, out, err = run_cli(capsys, "new", path, "--partnership", "  ", "--period", "2025-26",
                             "--scrutineer", "Ann")
    assert code == 1
    assert "partnership" in one_error_line(err, out)
    code, out, err = run_cli(capsys, "new", path, *NEW_ARGS, "--template", "no-such-template")
    assert code == 1
    assert "no-such-template" in one_error_line(err, out)
    code, out, err = run_cli(capsys, "new", path, *NEW_ARGS, "--template", tmp_path / "gone.toml")
    assert code == 1
    one_error_line(err, out)
    assert list(tmp_path.iterdir()) == []


# -- templates ------------------------------------------------------------------------

def test_templates_lists_the_bundled_cis_first(capsys, cis):
    """`templates` lists the bundled CIS 2.0.0 first, then the 1.0.0 checklist under its own
    id (``cis`` here is that 1.0.0 checklist), each with its version and question count."""
    from scrutiny_desktop.checklist import bundled_template

    code, out, err = run_cli(capsys, "templates")
    assert code == 0, err
    rows = [line.split("\t") for line in out.splitlines()]
    current = bundled_template()
    assert rows[0][:4] == ["cis", "2.0.0", f"{len(current.question_ids())} questions", "bundled"]
    legacy = next(r for r in rows if r[0] == "cis-2024")
    assert legacy[1:4] == [cis.version, f"{len(cis.question_ids())} questions", "bundled"]


def test_templates_lists_user_templates_and_broken_ones(capsys):
    """User templates are listed, and a broken one is shown as unusable with its reason."""
    folder = paths.user_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MINI, folder / "mini.toml")
    (folder / "broken.toml").write_text("id = \n", encoding="utf-8")
    code, out, _err = run_cli(capsys, "templates")
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("mini\t0.1\t3 questions\tuser") for line in lines)
    # Usable templates first, then one "Unusable: FILE: reason" line per broken file.
    broken = [line for line in lines if line.startswith("Unusable: ")]
    assert broken == [line for line in lines[-len(broken):]]
    assert len(broken) == 1 and str(folder / "broken.toml") in broken[0] and "line 1" in broken[0]


def test_templates_check_accepts_a_good_file(capsys):
    """`templates --check` on a valid file says so and exits 0."""
    code, out, err = run_cli(capsys, "templates", "--check", MINI)
    assert code == 0, err
    assert "valid template 'mini'" in out
    assert "3 questions" in out
    code, out, err = run_cli(capsys, "templates", "--check", paths.bundled_checklists_dir() / "cis.toml")
    assert code == 0


def test_templates_check_reports_toml_syntax_error_with_line(capsys, tmp_path):
    """A TOML typo is reported as one error line naming the file and the line."""
    path = tmp_path / "typo.toml"
    lines = MINI.read_text(encoding="utf-8").splitlines()
    lines.insert(4, 'title = "unterminated')  # becomes line 5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "templates", "--check", path)
    assert code == 1
    line = one_error_line(err, out)
    assert str(path) in line
    assert "line 5" in line


def test_templates_check_reports_validation_error_with_field_path(capsys, tmp_path):
    """A duplicate question id is reported as one error line naming the file and the field path."""
    path = tmp_path / "dup.toml"
    path.write_text(MINI.read_text(encoding="utf-8").replace('id = "Q3"', 'id = "Q1"'),
                    encoding="utf-8")
    code, out, err = run_cli(capsys, "templates", "--check", path)
    assert code == 1
    line = one_error_line(err, out)
    assert str(path) in line
    assert "sections[1].questions[0].id" in line


def test_templates_check_missing_file_or_folder(capsys, tmp_path):
    """`templates --check` on a missing path or a folder gives exit 1 and one error line."""
    for target in (tmp_path / "missing.toml", tmp_path):
        code, out, err = run_cli(capsys, "templates", "--check", target)
        assert code == 1
        assert str(target) in one_error_line(err, out)


# -- check on bad files ----------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(badfiles.BAD_FILES))
def test_check_bad_file_gives_one_error_line_and_leaves_it_unchanged(capsys, tmp_path, pristine, kind):
    """`check` on a file that is not a usable document: exit 1, one error line, file untouched."""
    maker, _error, words = badfiles.BAD_FILES[kind]
    path = maker(tmp_path, pristine)
    before = badfiles.snapshot(path)
    code, out, err = run_cli(capsys, "check", path)
    assert code == 1
    line = one_error_line(err, out)
    assert str(path) in line
    for word in words:
        assert word in line
    assert badfiles.snapshot(path) == before


def test_check_document_being_written_elsewhere(capsys, doc_path):
    """`check` on a file another program is writing reports it in use and changes nothing.
    (The writer is another process, as it is for `check`: a live SQLite lock, not a journal.)"""
    before = badfiles.snapshot(doc_path)
    with live_writer(doc_path, "UPDATE answers SET findings = 'half-written'"):
        code, out, err = run_cli(capsys, "check", doc_path)
    assert code == 1
    assert "being changed" in one_error_line(err, out)
    assert badfiles.snapshot(doc_path) == before


def test_check_read_only_document_reports_everything_and_passes(capsys, doc_path):
    """`check` on a valid document that is merely read-only (an archived or shared copy)
    prints the full report with a line saying it is read-only, and exits 0."""
    doc_path.chmod(0o444)
    before = badfiles.snapshot(doc_path)
    code, out, err = run_cli(capsys, "check", doc_path)
    assert code == 0, err
    assert err == ""
    assert any(line.startswith("read-only: the file is read-only") for line in out.splitlines())
    assert "Save a copy" in out
    assert "progress: 0/" in out and "integrity: ok" in out
    assert badfiles.snapshot(doc_path) == before


def test_check_document_with_damaged_template_snapshot(capsys, tmp_path, pristine):
    """`check` on a document whose stored checklist is damaged: exit 1, one error line, no traceback."""
    path = badfiles.make_damaged_snapshot(tmp_path, pristine)
    before = badfiles.snapshot(path)
    code, out, err = run_cli(capsys, "check", path)
    assert code == 1
    line = one_error_line(err, out)
    assert str(path) in line
    assert badfiles.snapshot(path) == before


def test_check_reports_a_tampered_audit_log(capsys, doc_path):
    """`check` exits 1 with one error line when the audit log was edited behind the app's back."""
    with contextlib.closing(sqlite3.connect(str(doc_path), isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER audit_entries_no_update")
        conn.execute("UPDATE audit_entries SET actor = 'Mallory' WHERE seq = 1")
    code, out, err = run_cli(capsys, "check", doc_path)
    assert code == 1
    assert "audit" in one_error_line(err, out)


# -- bad usage ---------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["--frobnicate"],
    ["check"],
    ["check", "a.scrutiny", "--frobnicate"],
    ["templates", "--frobnicate"],
    ["new", "x.scrutiny", "--period", "2025-26", "--scrutineer", "Ann"],
    ["new", "x.scrutiny", "--partnership", "P", "--period", "2025-26"],
    ["new"],
])
def test_bad_usage_exits_2(capsys, tmp_path, monkeypatch, argv):
    """Wrong options give exit 2 with a usage message, no traceback, and nothing created."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert "usage" in err.lower()
    assert "Traceback" not in err and "Traceback" not in out
    assert list(tmp_path.iterdir()) == []


def test_help_exits_0(capsys):
    """`new --help` shows the options and exits 0."""
    code, out, _err = run_cli(capsys, "new", "--help")
    assert code == 0
    assert "--partnership" in out and "--scrutineer" in out


def test_check_never_changes_a_document_even_one_in_wal_mode(capsys, tmp_path, pristine):
    """A document another program switched to WAL mode is checked without a byte changing
    and without -wal/-shm files appearing beside it."""
    import shutil
    import sqlite3
    from contextlib import closing

    path = tmp_path / "wal.scrutiny"
    shutil.copy(pristine, path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
    before = badfiles.snapshot(path)
    listing = sorted(p.name for p in tmp_path.iterdir())
    _code, _out, err = run_cli(capsys, "check", path)
    assert "Traceback" not in err
    assert badfiles.snapshot(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_structural_damage_is_one_error_line(capsys, tmp_path, pristine):
    """Dropped tables or columns and unreadable values give one error line, not a traceback."""
    import shutil
    import sqlite3
    from contextlib import closing

    for n, sql in enumerate(["DROP TABLE answers", "ALTER TABLE answers DROP COLUMN findings",
                             "DROP TABLE evidence_items",
                             "UPDATE assessments SET created_at = 'not a date'"]):
        path = tmp_path / f"damaged{n}.scrutiny"
        shutil.copy(pristine, path)
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
            conn.execute(sql)
            conn.commit()
        before = badfiles.snapshot(path)
        code, out, err = run_cli(capsys, "check", path)
        assert code == 1, sql
        line = one_error_line(err, out)
        assert "damaged" in line, line
        assert badfiles.snapshot(path) == before


def test_new_refuses_folders_and_empty_names(capsys, tmp_path):
    """`new` onto a folder or an empty name explains, with no traceback."""
    for target in (str(tmp_path), "", "."):
        code, out, err = run_cli(capsys, "new", target, "--partnership", "P", "--period", "1",
                                 "--scrutineer", "S")
        assert code == 1, target
        one_error_line(err, out)
    assert not (tmp_path.parent / f"{tmp_path.name}.scrutiny").exists()


def test_a_mistyped_command_is_a_usage_error(capsys):
    """`scrutiny-desktop chek F` says the command is unknown rather than opening the app."""
    code, _out, err = run_cli(capsys, "chek", "F")
    assert code == 2
    assert "not a command" in err


def test_interrupted_save_is_reported_and_recovered_on_open(capsys, tmp_path, pristine):
    """A document left with a hot journal by a crash: check reports the recovered content
    and says a save was interrupted (and changes nothing); opening it for editing rolls the
    unfinished change back and keeps a copy."""
    import shutil
    import subprocess
    import sys

    from scrutiny_desktop.services import assessments

    path = tmp_path / "crashed.scrutiny"
    shutil.copy(pristine, path)
    # A child process starts a write and dies without committing or rolling back.
    script = (
        "import sqlite3, os, sys\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "c.execute('PRAGMA cache_size=1')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"UPDATE answers SET findings = hex(randomblob(2000))\")\n"
        "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script], check=True)
    journal = path.with_name(path.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0
    before = badfiles.snapshot(path)
    code, out, err = run_cli(capsys, "check", path)
    assert code == 0, err
    assert "interrupted save:" in out and "integrity: ok" in out
    assert badfiles.snapshot(path) == before
    with assessments.open_assessment(path) as doc:
        assert doc.recovered_backup is not None and doc.recovered_backup.exists()
        assert assessments.info(doc).partnership
    assert not journal.exists()
    code, out, err = run_cli(capsys, "check", path)
    assert code == 0, err
