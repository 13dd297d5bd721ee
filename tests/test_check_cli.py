"""`check` answers the question it is asked: a good read-only file passes; every value it
reads is validated, so a bad one is one `error:` line, never a traceback; odd paths get
accurate one-line messages."""

from __future__ import annotations

import os

import pytest

from scrutiny_desktop.services import answers, assessments, evidence, recommendations, review, signoff
from tests.helpers import (
    chair_id,
    copy_document,
    legacy_template,
    one_error_line,
    refuse_to_open,
    run_cli,
    scrutineer_id,
    tamper,
)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """A reviewed document with a row in every table: answers, evidence with an
    attachment, a recommendation with a response, a sign-off and a countersignature."""
    import datetime as dt

    from scrutiny_desktop.services.assessments import NewAssessment, create_assessment

    folder = tmp_path_factory.mktemp("full")
    path = create_assessment(folder / "full.scrutiny", legacy_template(),
                             NewAssessment("Eastshire Partnership", "2025-26", "Ann Jones"))
    attachment = folder / "minutes.txt"
    attachment.write_text("Minutes of the March meeting.")
    with assessments.open_assessment(path) as doc:
        for qid in assessments.question_ids(doc):
            answers.set_judgement(doc, qid, "strong")
        answers.set_findings(doc, "ARR-01", "Seen the terms of reference.")
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Minutes", date=dt.date(2025, 3, 1)),
                              attach=attachment)
        rec = recommendations.add_recommendation(
            doc, "ARR-02", recommendations.RecommendationInput("Publish the plan.",
                                                               due=dt.date(2026, 3, 31)))
        signoff.sign_off(doc, identity=scrutineer_id(),
                         name="Ann Jones", role="Scrutineer", statement="I confirm.",
                         confirmed=True, signature_png=None)
        review.set_response(doc, rec.id, decision="accepted", detail="Will do.",
                            action_due=dt.date(2026, 1, 1))
        review.set_overall_response(doc, "Thank you.")
        review.set_question_comment(doc, "ARR-02", "Agreed.")
        review.countersign(doc, identity=chair_id(), name="Chris Chair", role="Chair", statement="Reviewed.",
                           confirmed=True)
    return path


@pytest.fixture
def reviewed_path(tmp_path, reviewed):
    """A copy of the ``reviewed`` document (every table in use) in this test's folder."""
    return copy_document(reviewed, tmp_path)


def test_the_full_document_passes(capsys, reviewed_path):
    code, out, err = run_cli(capsys, "check", reviewed_path)
    assert code == 0, err
    assert "integrity: ok" in out and "status: Reviewed" in out


# -- read-only is not a problem --------------------------------------------------------

def test_a_document_in_a_read_only_folder_passes_check(capsys, reviewed_path):
    """A valid document in a read-only folder (an archive) exits 0 and says it is read-only."""
    folder = reviewed_path.parent
    folder.chmod(0o555)
    try:
        code, out, err = run_cli(capsys, "check", reviewed_path)
    finally:
        folder.chmod(0o755)
    assert code == 0, err
    assert err == ""
    assert any(line.startswith("read-only: its folder is read-only") for line in out.splitlines())


def test_a_read_only_document_with_a_real_problem_still_fails(capsys, reviewed_path):
    tamper(reviewed_path, "UPDATE audit_entries SET actor = 'Mallory' WHERE seq = 2")
    reviewed_path.chmod(0o444)
    code, out, err = run_cli(capsys, "check", reviewed_path)
    assert code == 1
    assert "audit" in one_error_line(err, out)
    assert "read-only: the file is read-only" in out


# -- every value check reads is validated ---------------------------------------------------

BAD_VALUES = [
    ("UPDATE answers SET updated_at = 'garbage' WHERE position = 0", "answers.updated_at"),
    ("UPDATE answers SET updated_at = 12345 WHERE position = 0", "answers.updated_at"),
    ("UPDATE answers SET updated_at = x'00ff' WHERE position = 0", "answers.updated_at"),
    ("UPDATE answers SET updated_at = '2025-01-01T10:00:00' WHERE position = 0",
     "answers.updated_at"),  # no time zone
    # (a text column stores a number as text: then the judgement is off the scale)
    ("UPDATE answers SET judgement = 7 WHERE position = 1", "not on the checklist's scale"),
    ("UPDATE answers SET findings = x'c3' WHERE position = 2", "answers.findings"),
    ("UPDATE answers SET findings = CAST(x'c328' AS TEXT) WHERE position = 2", "answers.findings"),
    ("UPDATE answers SET position = 'first' WHERE position = 3", "answers.position"),
    ("UPDATE answers SET position = 2.5 WHERE position = 3", "answers.position"),
    ("UPDATE assessments SET modified_at = 12345", "assessments.modified_at"),
    ("UPDATE assessments SET audit_count = 'many'", "assessments.audit_count"),
    ("UPDATE assessments SET previous_period = x'00'", "assessments.previous_period"),
    ("UPDATE assessments SET uid = 99", "changed after it was signed off"),
    ("UPDATE evidence_items SET date = '1st March'", "evidence_items.date"),
    ("UPDATE evidence_items SET date = '2025-3-1'", "evidence_items.date"),
    ("UPDATE evidence_items SET date = 20250301", "evidence_items.date"),
    ("UPDATE evidence_items SET attachment_id = 'one'", "evidence_items.attachment_id"),
    ("UPDATE recommendations SET due = 'soon'", "recommendations.due"),
    ("UPDATE recommendation_responses SET updated_at = 'yesterday'",
     "recommendation_responses.updated_at"),
    ("UPDATE recommendation_responses SET action_due = x'01'", "recommendation_responses.action_due"),
    ("UPDATE signoffs SET signed_at = '2025-13-45T99:00:00+00:00'", "signoffs.signed_at"),
    ("UPDATE signoffs SET voided_at = 1", "signoffs.voided_at"),
    ("UPDATE signoffs SET signature_png = 'not a picture'", "signoffs.signature_png"),
    ("UPDATE countersignatures SET signed_at = ''", "countersignatures.signed_at"),
    ("UPDATE review_comments SET updated_at = 'x'", "review_comments.updated_at"),
    ("UPDATE attachments SET added_at = 3.5", "attachments.added_at"),
    ("UPDATE attachments SET size = 'big'", "changed after it was attached"),
    ("UPDATE audit_entries SET at = 17 WHERE seq = 1", "audit entry 1 was changed"),
    ("UPDATE audit_entries SET old_value = x'00' WHERE seq = 1", "audit_entries.old_value"),
]


@pytest.mark.parametrize(("sql", "column"), BAD_VALUES,
                         ids=[s.split(" SET ")[1][:40] for s, _c in BAD_VALUES])
def test_a_bad_value_in_any_column_is_one_error_line(capsys, reviewed_path, sql, column):
    """A date that does not parse, a number where text belongs, bytes where a date
    belongs, text that is not UTF-8: `check` exits 1 with one error line saying what is
    wrong (naming the column), never a traceback; the file is unchanged."""
    tamper(reviewed_path, sql)
    before = reviewed_path.read_bytes()
    code, out, err = run_cli(capsys, "check", reviewed_path)
    assert code == 1
    line = one_error_line(err, out)
    assert str(reviewed_path) in line
    assert column in line, line
    assert reviewed_path.read_bytes() == before


def test_an_invalid_answers_updated_at_is_reported_as_such(capsys, reviewed_path):
    """The case from the issue: check used to end in a traceback."""
    tamper(reviewed_path, "UPDATE answers SET updated_at = 'garbage'")
    code, out, err = run_cli(capsys, "check", reviewed_path)
    assert code == 1
    line = one_error_line(err, out)
    assert "answers.updated_at" in line and "'garbage'" in line and "a date and time" in line


# -- odd paths given as the document ----------------------------------------------------

def test_check_on_a_named_pipe_says_so_and_does_not_block(capsys, tmp_path):
    fifo = tmp_path / "pipe.scrutiny"
    os.mkfifo(fifo)
    code, out, err = run_cli(capsys, "check", fifo)
    assert code == 1
    line = one_error_line(err, out)
    assert "is not a regular file" in line and "named pipe" in line and "folder" not in line


def test_check_on_a_link_to_a_device(capsys, tmp_path):
    link = tmp_path / "device.scrutiny"
    link.symlink_to("/dev/null")
    code, out, err = run_cli(capsys, "check", link)
    assert code == 1
    line = one_error_line(err, out)
    assert "is not a regular file" in line and "device" in line and "folder" not in line


def test_check_on_a_link_loop(capsys, tmp_path):
    loop = tmp_path / "loop.scrutiny"
    loop.symlink_to(loop)
    code, out, err = run_cli(capsys, "check", loop)
    assert code == 1
    line = one_error_line(err, out)
    assert "points back to itself" in line and "does not exist" not in line


def test_check_on_a_file_you_may_not_read(capsys, reviewed_path, monkeypatch):
    """(The tests run as root, who can read anything, so the refusal is simulated.)"""
    refuse_to_open(monkeypatch, reviewed_path)
    code, out, err = run_cli(capsys, "check", reviewed_path)
    assert code == 1
    line = one_error_line(err, out)
    assert "do not have permission to read" in line and "Save a copy" not in line


def test_check_names_whoever_has_it_open_for_editing(capsys, reviewed_path):
    """A lock from another computer is not a problem with the document: check passes and
    says who has it open; a stale lock (a dead process here) is not mentioned."""
    import json
    import socket

    from scrutiny_desktop.storage import lockfile

    lock = lockfile.lock_path(reviewed_path)
    lock.write_text(json.dumps({"user": "bea", "host": "PC-LAPTOP-17", "pid": 7,
                                "since": "2026-01-05T09:30:00+00:00"}))
    code, out, err = run_cli(capsys, "check", reviewed_path)
    assert code == 0, err
    assert "open for editing: by bea on PC-LAPTOP-17 since 5 January 2026" in out
    lock.write_text(json.dumps({"user": "bea", "host": socket.gethostname(), "pid": 2 ** 22 + 7,
                                "since": "2026-01-05T09:30:00+00:00"}))
    code, out, err = run_cli(capsys, "check", reviewed_path)
    assert code == 0 and "open for editing" not in out
