"""The findings and judgement saves go straight to the driver (issue 17): they must
write exactly what the ORM's edits write, keep the audit chain whole, and refuse and
fail the same way."""

from __future__ import annotations

import datetime as dt

import pytest

from scrutiny_desktop import errors
from scrutiny_desktop.services import answers, assessments, evidence
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.services.evidence import EvidenceInput
from scrutiny_desktop.services.integrity import integrity_report
from scrutiny_desktop.storage.audit import verify_chain
from tests.helpers import audit_rows, live_writer, make_signed


def test_findings_and_other_edits_share_one_sound_audit_chain(doc):
    """Typed findings and judgements (driver) and evidence (ORM), interleaved: one
    chain, in order, with the assessment's head, count and modification time kept up
    to date."""
    ids = assessments.question_ids(doc)
    before = assessments.info(doc).modified_at
    for n, qid in enumerate(ids[:6]):
        assert answers.set_findings(doc, qid, f"Draft {n}: the minutes show the work.")
        assert answers.set_judgement(doc, qid, "reasonable")
        evidence.add_evidence(doc, qid, EvidenceInput(f"Board minutes {n}", "document"))
        assert answers.set_findings(doc, qid, f"Final {n}: the minutes show the work.")
    with doc.read() as session:
        report = verify_chain(session)
    assert report.ok, report.problem
    rows = audit_rows(doc)
    findings = [r for r in rows if r.action == "answer.findings"]
    assert len(findings) == 12
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    last = findings[-1]
    assert (last.target, last.old_value, last.new_value) == (
        ids[5], "Draft 5: the minutes show the work.", "Final 5: the minutes show the work.")
    assert last.actor == "Ann Jones"
    assert assessments.info(doc).modified_at > before
    assert integrity_report(doc).ok


def test_the_stored_times_read_back_as_the_orm_writes_them(doc):
    """``updated_at`` and ``modified_at`` written by the driver path are the same ISO
    text in UTC the ORM's type stores, so they read back as aware datetimes."""
    qid = assessments.question_ids(doc)[0]
    start = dt.datetime.now(dt.UTC)
    answers.set_findings(doc, qid, "Seen in the board minutes.")
    answer = answers.get_answer(doc, qid)
    assert answer.updated_at is not None and answer.updated_at.tzinfo is not None
    assert start <= answer.updated_at <= dt.datetime.now(dt.UTC)
    assert start <= assessments.info(doc).modified_at <= dt.datetime.now(dt.UTC)


#: The two saves made on the driver: (the save, what it stored), each for question ``qid``.
SAVES = {
    "findings": (lambda doc, qid: answers.set_findings(doc, qid, "Typed in the minutes"),
                 lambda doc, qid: answers.get_answer(doc, qid).findings or None),
    "judgement": (lambda doc, qid: answers.set_judgement(doc, qid, "strong"),
                  lambda doc, qid: answers.get_answer(doc, qid).judgement),
}


@pytest.mark.parametrize("save", SAVES)
def test_an_unchanged_value_writes_nothing(doc, save):
    write, _stored = SAVES[save]
    qid = assessments.question_ids(doc)[0]
    assert write(doc, qid)
    count = len(audit_rows(doc))
    before = doc.path.read_bytes()
    assert write(doc, qid) is False
    assert len(audit_rows(doc)) == count
    assert doc.path.read_bytes() == before


@pytest.mark.parametrize("save", SAVES)
def test_an_unknown_question_is_refused_and_nothing_is_written(doc, save):
    write, _stored = SAVES[save]
    before = doc.path.read_bytes()
    with pytest.raises(errors.InvalidInput, match="no question 'NOPE-1'"):
        write(doc, "NOPE-1")
    assert doc.path.read_bytes() == before


@pytest.mark.parametrize("save", SAVES)
def test_a_signed_off_assessment_refuses_the_save_and_stays_byte_for_byte(doc_path, save):
    write, _stored = SAVES[save]
    make_signed(doc_path)
    before = doc_path.read_bytes()
    with open_assessment(doc_path) as doc, pytest.raises(errors.DocumentLocked):
        write(doc, assessments.question_ids(doc)[0])
    assert doc_path.read_bytes() == before


@pytest.mark.parametrize("save", SAVES)
def test_a_read_only_document_refuses_the_save(doc_path, save):
    write, _stored = SAVES[save]
    with open_assessment(doc_path, readonly=True) as doc, pytest.raises(errors.DocumentReadOnly):
        write(doc, assessments.question_ids(doc)[0])


@pytest.mark.parametrize("save", SAVES)
def test_another_program_writing_means_in_use_and_nothing_is_half_saved(doc, save):
    """While another program holds the write lock the save is refused as "in use" (the
    autosaver keeps the edit and tries again); nothing of it reaches the file."""
    write, stored = SAVES[save]
    qid = assessments.question_ids(doc)[0]
    with live_writer(doc.path, "UPDATE answers SET direction = NULL WHERE position = 1"), \
            pytest.raises(errors.DocumentInUse):
        write(doc, qid)
    assert stored(doc, qid) is None
    # And the next save, once the other program has gone, goes through.
    assert write(doc, qid)
    assert stored(doc, qid) is not None
    with doc.read() as session:
        assert verify_chain(session).ok


@pytest.mark.parametrize("save", SAVES)
def test_a_failure_inside_the_transaction_rolls_all_of_it_back(doc, monkeypatch, save):
    """If the audit row cannot be written, the answer's new value is not kept either."""
    from scrutiny_desktop.storage import audit

    def broken(db, *args, **kwargs):
        raise errors.DocumentWriteFailed(doc.path, "disk I/O error")

    write, stored = SAVES[save]
    qid = assessments.question_ids(doc)[0]
    monkeypatch.setattr(audit, "append_raw", broken)
    with pytest.raises(errors.DocumentWriteFailed):
        write(doc, qid)
    monkeypatch.undo()
    assert stored(doc, qid) is None
    assert write(doc, qid)  # the connection is usable again
    assert stored(doc, qid) is not None


def test_an_encrypted_document_takes_the_same_path(tmp_path, doc_path):
    from scrutiny_desktop.services import encryption

    target = tmp_path / "locked.scrutiny"
    encryption.encrypt_copy(doc_path, target, "correct horse battery")
    with open_assessment(target, passphrase="correct horse battery") as doc:
        qid = assessments.question_ids(doc)[0]
        assert answers.set_findings(doc, qid, "Private findings")
        assert answers.get_answer(doc, qid).findings == "Private findings"
        with doc.read() as session:
            assert verify_chain(session).ok
    assert b"Private findings" not in target.read_bytes()


# -- the judgement ---------------------------------------------------------------------------


def test_a_judgement_carried_forward_is_confirmed_or_replaced_as_the_orm_did(new_doc_path,
                                                                             tmp_path):
    """Choosing the carried judgement confirms it, choosing another replaces it: the
    rows and audit entries are those the ORM's path wrote, and the document stays sound."""
    import json

    from scrutiny_desktop.services.carry_forward import carry_forward
    from tests.test_carried import previous_year

    ids = previous_year(new_doc_path)
    path = carry_forward(new_doc_path, tmp_path / "next.scrutiny", period="2026-27",
                         scrutineer_name="Ann Jones", bring_judgements=True).path
    with open_assessment(path, actor="Ann Jones") as doc:
        assert answers.set_judgement(doc, ids[0], "limited") is True  # the same: confirmed
        assert answers.set_judgement(doc, ids[0], "limited") is False  # nothing left to do
        assert answers.set_judgement(doc, ids[1], "reasonable") is True  # another: replaced
        confirmed, replaced = audit_rows(doc)[-2:]
        assert (confirmed.action, confirmed.target, confirmed.actor) == (
            "answer.judgement_confirmed", ids[0], "Ann Jones")
        assert json.loads(confirmed.old_value) == {"judgement": "limited",
                                                   "carried_from": "2025-26"}
        assert json.loads(confirmed.new_value) == {"judgement": "limited", "carried_from": None}
        assert (replaced.action, replaced.target, replaced.old_value, replaced.new_value) == (
            "answer.judgement", ids[1], "strong", "reasonable")
        for qid, judgement in ((ids[0], "limited"), (ids[1], "reasonable")):
            view = answers.get_answer(doc, qid)
            assert (view.judgement, view.carried_from) == (judgement, None)
        assert integrity_report(doc).ok
