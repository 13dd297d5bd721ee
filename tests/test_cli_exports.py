"""The export, import and verify commands (issue 4, items 4-7 from the command line)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scrutiny_desktop.report import signing
from scrutiny_desktop.services import answers, assessments, evidence, recommendations
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment
from scrutiny_desktop.services.fingerprint import content_fingerprint
from tests.fixtures import badfiles
from tests.helpers import (
    REPO,
    copy_document,
    legacy_template,
    one_error_line,
    raw_update,
    run_cli,
    scrutineer_id,
)


@pytest.fixture(scope="module")
def rich_draft(tmp_path_factory):
    """A fully answered draft with a little of everything (Welsh, Polish, Greek and
    markup in its text, an attachment with such a name), made through the services:
    what the exports must carry through unchanged."""
    folder = tmp_path_factory.mktemp("answered")
    path = create_assessment(folder / "answered.scrutiny", legacy_template(),
                             NewAssessment("Partneriaeth Gwynedd & Môn", "2025-26",
                                           "Siân Llŷr-Wójcik", scrutineer_role="Craffwr"))
    attachment = folder / "Zażółć – Σύσκεψη.txt"
    attachment.write_text("Ελληνικά, Русский, 中文 😀\n", encoding="utf-8")
    with open_assessment(path) as doc:
        for qid in assessments.question_ids(doc):
            answers.set_judgement(doc, qid, "strong")
        answers.set_findings(doc, "ARR-01", 'Commas, "quotes" & <b>markup</b>\nSiân, Łódź, Ελληνικά')
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Board minutes"), attach=attachment)
        recommendations.add_recommendation(doc, "ARR-02",
                                           recommendations.RecommendationInput("Publish the plan"))
    return path


@pytest.fixture
def draft_path(tmp_path, rich_draft):
    """A copy of ``rich_draft`` in this test's folder."""
    return copy_document(rich_draft, tmp_path)


@pytest.fixture
def signed_path(draft_path):
    with open_assessment(draft_path) as doc:
        signing.sign_off(doc, identity=scrutineer_id(),
                         name="Siân Llŷr-Wójcik", role="Craffwr", statement="I confirm.",
                         confirmed=True)
    return draft_path


# -- export -------------------------------------------------------------------------------------

def test_export_json_and_csv(capsys, draft_path, tmp_path):
    """`export FILE --json OUT --csv OUT` exits 0, says what it wrote, and writes both files."""
    before = draft_path.read_bytes()
    code, out, err = run_cli(capsys, "export", draft_path, "--json", tmp_path / "a.json",
                             "--csv", tmp_path / "a.csv")
    assert code == 0, err
    assert err == ""
    assert f"wrote {tmp_path / 'a.json'}" in out and f"wrote {tmp_path / 'a.csv'}" in out
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert data["format"]["name"] == "scrutiny-desktop-assessment"
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert draft_path.read_bytes() == before


def test_export_pdf(capsys, signed_path, tmp_path):
    """`export FILE --pdf OUT` exits 0 and writes a PDF that carries the document's fingerprint."""
    from scrutiny_desktop.report.verify import read_stamp

    code, _out, err = run_cli(capsys, "export", signed_path, "--pdf", tmp_path / "a.pdf")
    assert code == 0, err
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    with open_assessment(signed_path, readonly=True) as doc:
        assert read_stamp(tmp_path / "a.pdf").fingerprint == content_fingerprint(doc)


def test_export_all_three_at_once(capsys, draft_path, tmp_path):
    """`export` with --pdf, --json and --csv together writes all three."""
    code, _out, err = run_cli(capsys, "export", draft_path, "--pdf", tmp_path / "a.pdf",
                             "--json", tmp_path / "a.json", "--csv", tmp_path / "a.csv")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("a.")) == \
        ["a.csv", "a.json", "a.pdf"]


def test_export_without_an_output_is_bad_usage(capsys, draft_path, tmp_path):
    """`export FILE` with no --pdf/--json/--csv exits 2 with a usage message and writes nothing."""
    before = sorted(os.listdir(tmp_path))
    code, _out, err = run_cli(capsys, "export", draft_path)
    assert code == 2
    assert "usage" in err.lower()
    assert sorted(os.listdir(tmp_path)) == before


def test_export_onto_the_document_itself_is_refused(capsys, draft_path):
    """Exporting over the assessment file itself is refused with one error line and the document kept."""
    before = badfiles.snapshot(draft_path)
    code, out, err = run_cli(capsys, "export", draft_path, "--json", draft_path)
    assert code == 1
    one_error_line(err, out)
    assert badfiles.snapshot(draft_path) == before


def test_export_into_a_missing_folder_is_refused(capsys, draft_path, tmp_path):
    """Exporting into a folder that does not exist exits 1 with one error line."""
    code, out, err = run_cli(capsys, "export", draft_path, "--csv", tmp_path / "nowhere" / "a.csv")
    assert code == 1
    assert "nowhere" in one_error_line(err, out)


def test_export_of_a_missing_document_is_refused(capsys, tmp_path):
    """Exporting a document that does not exist exits 1 with one error line."""
    code, out, err = run_cli(capsys, "export", tmp_path / "nope.scrutiny", "--json", tmp_path / "a.json")
    assert code == 1
    assert "does not exist" in one_error_line(err, out)
    assert not (tmp_path / "a.json").exists()


# -- import -------------------------------------------------------------------------------------

def test_import_then_export_gives_identical_bytes(capsys, signed_path, tmp_path):
    """`import JSON --to FILE` then `export FILE --json` gives back exactly the same bytes."""
    code, _out, err = run_cli(capsys, "export", signed_path, "--json", tmp_path / "first.json")
    assert code == 0, err
    code, out, err = run_cli(capsys, "import", tmp_path / "first.json", "--to", tmp_path / "copy.scrutiny")
    assert code == 0, err
    assert out.startswith(f"created {tmp_path / 'copy.scrutiny'}")
    assert "Signed off" in out
    code, _out, err = run_cli(capsys, "export", tmp_path / "copy.scrutiny",
                              "--json", tmp_path / "second.json")
    assert code == 0, err
    assert (tmp_path / "second.json").read_bytes() == (tmp_path / "first.json").read_bytes()
    code, out, err = run_cli(capsys, "check", tmp_path / "copy.scrutiny")
    assert code == 0, err
    assert "integrity: ok" in out


def test_import_onto_an_existing_file_is_refused(capsys, draft_path, tmp_path):
    """Importing onto an existing document exits 1 with one error line and the document unchanged."""
    run_cli(capsys, "export", draft_path, "--json", tmp_path / "a.json")
    before = badfiles.snapshot(draft_path)
    code, out, err = run_cli(capsys, "import", tmp_path / "a.json", "--to", draft_path)
    assert code == 1
    assert "already exists" in one_error_line(err, out)
    assert badfiles.snapshot(draft_path) == before


def _break_judgement(data):
    data["answers"][3]["judgement"] = "excellent"


def _break_field(data):
    data["answers"][1]["colour"] = "red"


def _break_date(data):
    data["answers"][0]["evidence"][0]["date"] = "2025-02-30"


def _break_audit(data):
    data["audit"][1]["actor"] = "Mallory"


@pytest.mark.parametrize(
    "breaker, where", ids=["judgement", "unknown-field", "audit", "impossible-date"], argvalues=[
    (_break_judgement, "$.answers[3].judgement"),
    (_break_field, "$.answers[1].colour"),
    (_break_audit, "$.audit[1]"),
    (_break_date, "$.answers[0].evidence[0].date"),
])
def test_import_of_a_broken_export_names_the_json_path(capsys, draft_path, tmp_path, breaker, where):
    """Importing a damaged export exits 1 with one error line naming the JSON path; nothing is made."""
    run_cli(capsys, "export", draft_path, "--json", tmp_path / "a.json")
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    breaker(data)
    (tmp_path / "broken.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = sorted(os.listdir(tmp_path))
    code, out, err = run_cli(capsys, "import", tmp_path / "broken.json", "--to", tmp_path / "new.scrutiny")
    assert code == 1
    assert where in one_error_line(err, out)
    assert sorted(os.listdir(tmp_path)) == before


def test_import_of_invalid_json_gives_line_and_column(capsys, tmp_path):
    """Importing a file that is not JSON exits 1 with one error line giving the line and column."""
    (tmp_path / "bad.json").write_text('{"format": \n  nope}\n', encoding="utf-8")
    code, out, err = run_cli(capsys, "import", tmp_path / "bad.json", "--to", tmp_path / "new.scrutiny")
    assert code == 1
    line = one_error_line(err, out)
    assert "line 2" in line and "column" in line
    assert sorted(os.listdir(tmp_path)) == ["bad.json"]


def test_import_without_to_is_bad_usage(capsys, tmp_path):
    """`import JSON` without --to exits 2 with a usage message."""
    code, _out, err = run_cli(capsys, "import", tmp_path / "a.json")
    assert code == 2
    assert "usage" in err.lower()


# -- verify -------------------------------------------------------------------------------------

def _pdf(capsys, path: Path, out: Path) -> Path:
    code, _out, err = run_cli(capsys, "export", path, "--pdf", out)
    assert code == 0, err
    return out


def test_verify_against_a_signed_document_matches(capsys, signed_path, tmp_path):
    """`verify PDF --against FILE` exits 0 and prints "matches: signed off by" the scrutineer."""
    pdf = _pdf(capsys, signed_path, tmp_path / "signed.pdf")
    code, out, err = run_cli(capsys, "verify", pdf, "--against", signed_path)
    assert code == 0, err
    assert err == ""
    first, last = out.splitlines()
    # The PDF's signature in words (the app's certificate for the tests is "Ann Jones"),
    # then the verdict against the document.
    assert first.startswith("Signed by Ann Jones (certificate ") and "self-signed" in first
    assert last.startswith("matches: signed off by Siân Llŷr-Wójcik")


def test_verify_against_a_draft_matches_the_draft(capsys, draft_path, tmp_path):
    """`verify` of a draft PDF against its document exits 0 and says it matches the draft."""
    pdf = _pdf(capsys, draft_path, tmp_path / "draft.pdf")
    code, out, err = run_cli(capsys, "verify", pdf, "--against", draft_path)
    assert code == 0, err
    assert out.startswith("matches the draft of Partneriaeth Gwynedd & Môn")


def test_verify_after_tampering_fails_with_one_error_line(capsys, signed_path, tmp_path):
    """After findings are changed with the sqlite3 shell, `verify` exits 1 with one error line."""
    pdf = _pdf(capsys, signed_path, tmp_path / "signed.pdf")
    raw_update(signed_path, "UPDATE answers SET findings = 'rewritten' WHERE question_id = 'ARR-01'")
    code, out, err = run_cli(capsys, "verify", pdf, "--against", signed_path)
    assert code == 1
    line = one_error_line(err)
    assert "does not match" in line and "ARR-01" in line
    # The PDF itself is intact: its signature is described, then the one error line.
    assert [x.split(" (")[0] for x in out.splitlines()] == ["Signed by Ann Jones"]


def test_verify_without_against_checks_the_signature(capsys, signed_path, tmp_path):
    """`verify PDF` alone checks the PDF's digital signature and names the signer."""
    pdf = _pdf(capsys, signed_path, tmp_path / "signed.pdf")
    code, out, err = run_cli(capsys, "verify", pdf)
    assert code == 0, err
    first, last = out.splitlines()
    assert first.startswith("Signed by Ann Jones (certificate ")
    assert "the signed content is unchanged" in first
    assert last.startswith("verified: signed off by Ann Jones") and "--against" in last


@pytest.mark.parametrize("make", ["text", "missing", "foreign"])
def test_verify_of_something_that_is_not_our_pdf(capsys, draft_path, tmp_path, make):
    """`verify` of a non-PDF, a missing file or someone else's PDF exits 1 with one error line."""
    target = tmp_path / "thing.pdf"
    if make == "text":
        target.write_text('{"not": "a pdf"}\n', encoding="utf-8")
    elif make == "foreign":
        from reportlab.pdfgen import canvas

        c = canvas.Canvas(str(target))
        c.drawString(72, 720, "Someone else's PDF")
        c.save()
    for argv in (("verify", target), ("verify", target, "--against", draft_path)):
        code, out, err = run_cli(capsys, *argv)
        assert code == 1
        one_error_line(err, out)


def test_verify_of_a_non_pdf_from_a_shell_prints_one_line(tmp_path):
    """From a real shell, `verify` of a non-PDF prints exactly one `error:` line, no library noise."""
    fake = tmp_path / "fake.pdf"
    fake.write_text('{"not": "a pdf"}\n', encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "scrutiny_desktop", "verify", str(fake)],
                            capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
