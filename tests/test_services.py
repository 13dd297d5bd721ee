"""Services: what a scrutineer does to an assessment, each change saved and audited."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from scrutiny_desktop import errors
from scrutiny_desktop.checklist import NOT_APPLICABLE
from scrutiny_desktop.services import answers, evidence, recommendations
from scrutiny_desktop.services.assessments import (
    NewAssessment,
    create_assessment,
    info,
    open_assessment,
    question_ids,
    suggested_file_name,
)
from scrutiny_desktop.services.progress import progress
from scrutiny_desktop.storage import FORMAT_VERSION
from scrutiny_desktop.storage.audit import verify_chain
from scrutiny_desktop.storage.models import Attachment, AuditEntry, EvidenceItem, Recommendation
from tests.helpers import audit_rows


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path, monkeypatch):
    """attachment_to_temp writes under this test's folder, not the system temp."""
    folder = tmp_path / "systemp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield
    # attachment_to_temp makes files read-only; make them removable again
    for root, _dirs, files in os.walk(folder):
        for name in files:
            os.chmod(os.path.join(root, name), 0o600)


class AuditWatch:
    """Collects the audit rows written since it was created."""

    def __init__(self, doc):
        self.doc = doc
        self.start = len(audit_rows(doc))

    def new(self) -> list[AuditEntry]:
        return audit_rows(self.doc)[self.start:]

    def one(self) -> AuditEntry:
        rows = self.new()
        assert len(rows) == 1, [(r.action, r.target) for r in rows]
        self.start += 1
        return rows[0]


# -- create and describe -------------------------------------------------------

def test_create_gives_a_draft_with_the_typed_details(new_doc_path, cis):
    """A new assessment shows the partnership, period, scrutineer, template and Draft status."""
    with open_assessment(new_doc_path) as doc:
        about = info(doc)
        assert about.path == new_doc_path
        assert about.partnership == "Northshire Safeguarding Children Partnership"
        assert about.area == "Northshire"
        assert about.period == "2025-26"
        assert about.scrutineer_name == "Ann Jones"
        assert about.scrutineer_role == "Independent scrutineer"
        assert about.status == "draft" and about.status_label == "Draft"
        assert (about.template_id, about.template_version, about.template_title) == (
            cis.id, cis.version, cis.title)
        assert about.format_version == FORMAT_VERSION
        assert about.readonly is False
        assert about.created_at.tzinfo is not None
        assert about.created_at <= about.modified_at
        assert len(about.uid) == 36
        assert question_ids(doc) == cis.question_ids()
        (created,) = audit_rows(doc)
        assert created.action == "assessment.created"
        assert created.actor == "Ann Jones"
        assert json.loads(created.new_value)["partnership"] == about.partnership


def test_create_adds_the_file_suffix_and_refuses_blank_details(tmp_path, cis):
    """A name without .scrutiny gets it; a blank partnership is refused before any file is made."""
    path = create_assessment(tmp_path / "northshire", cis,
                             NewAssessment("  Northshire  ", "2025-26", "Ann"))
    assert path == tmp_path / "northshire.scrutiny"
    with open_assessment(path) as doc:
        assert info(doc).partnership == "Northshire"
    with pytest.raises(errors.InvalidInput, match="partnership"):
        create_assessment(tmp_path / "blank.scrutiny", cis, NewAssessment("   ", "2025-26", "Ann"))
    assert not (tmp_path / "blank.scrutiny").exists()


def test_two_documents_get_different_ids(tmp_path, cis, details):
    """Each new assessment has its own identity even with the same details."""
    a = create_assessment(tmp_path / "a.scrutiny", cis, details)
    b = create_assessment(tmp_path / "b.scrutiny", cis, details)
    with open_assessment(a) as da, open_assessment(b) as db:
        assert info(da).uid != info(db).uid


def test_open_assessment_with_a_damaged_template_snapshot_is_a_typed_error(tmp_path, pristine):
    """A document whose stored checklist is damaged is reported as damaged, not as a crash."""
    from tests.fixtures import badfiles

    path = badfiles.make_damaged_snapshot(tmp_path, pristine)
    before = badfiles.snapshot(path)
    with pytest.raises(errors.DocumentCorrupt) as info_:
        open_assessment(path)
    message = str(info_.value)
    assert "\n" not in message and str(path) in message
    assert badfiles.snapshot(path) == before


# -- answers ------------------------------------------------------------------

def test_set_judgement_saves_and_audits(doc):
    """Choosing a judgement is saved at once, with one audit row old -> new."""
    watch = AuditWatch(doc)
    assert answers.set_judgement(doc, "ARR-01", "strong") is True
    row = watch.one()
    assert (row.action, row.target, row.old_value, row.new_value) == (
        "answer.judgement", "ARR-01", None, "strong")
    assert row.actor == "Ann Jones"
    assert answers.set_judgement(doc, "ARR-01", "limited") is True
    row = watch.one()
    assert (row.old_value, row.new_value) == ("strong", "limited")
    got = answers.get_answer(doc, "ARR-01")
    assert got.judgement == "limited"
    assert got.updated_at is not None
    assert answers.set_judgement(doc, "ARR-01", None) is True
    assert (watch.one().old_value, answers.get_answer(doc, "ARR-01").judgement) == ("limited", None)


def test_set_judgement_refuses_values_off_the_scale(doc):
    """A judgement that is not on the checklist's scale is refused and nothing is logged."""
    watch = AuditWatch(doc)
    for bad in ("excellent", "", "STRONG", "not applicable"):
        with pytest.raises(errors.InvalidInput):
            answers.set_judgement(doc, "ARR-01", bad)
    with pytest.raises(errors.InvalidInput):
        answers.set_judgement(doc, "NO-SUCH-QUESTION", "strong")
    assert answers.get_answer(doc, "ARR-01").judgement is None
    assert watch.new() == []


def test_unchanged_judgement_or_findings_writes_no_audit_row(doc):
    """Saving the same value again is not logged as a change."""
    answers.set_judgement(doc, "ARR-01", "strong")
    answers.set_findings(doc, "ARR-01", "Same text")
    watch = AuditWatch(doc)
    modified = info(doc).modified_at
    assert answers.set_judgement(doc, "ARR-01", "strong") is False
    assert answers.set_findings(doc, "ARR-01", "Same text") is False
    assert answers.set_findings(doc, "ARR-02", "") is False
    assert watch.new() == []
    assert info(doc).modified_at == modified


@pytest.mark.parametrize("findings", [
    "  leading and trailing spaces  ",
    "Line one\n\n\nLine four\n",
    "Ünïcödé — “quotes” ✓ 日本語 👍",
    "<b>not bold</b> & <script>alert(1)</script>",
    "\ttabbed\ttext",
])
def test_set_findings_keeps_the_text_exactly(doc, findings):
    """Findings come back exactly as typed: spaces, blank lines, symbols and all."""
    watch = AuditWatch(doc)
    assert answers.set_findings(doc, "ARR-04", findings) is True
    assert answers.get_answer(doc, "ARR-04").findings == findings
    row = watch.one()
    assert (row.action, row.target, row.old_value, row.new_value) == (
        "answer.findings", "ARR-04", "", findings)


def test_set_findings_unifies_windows_newlines(doc):
    """Text pasted with Windows line endings is stored with plain newlines."""
    answers.set_findings(doc, "ARR-04", "a\r\nb\rc")
    assert answers.get_answer(doc, "ARR-04").findings == "a\nb\nc"


def test_findings_survive_closing_and_reopening(doc):
    """Findings are on disk as soon as they are set, not only when the app closes."""
    answers.set_findings(doc, "ARR-05", "Saved at once")
    with contextlib.closing(sqlite3.connect(str(doc.path))) as conn:
        (stored,) = conn.execute(
            "SELECT findings FROM answers WHERE question_id = 'ARR-05'").fetchone()
    assert stored == "Saved at once"


@settings(max_examples=25, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.sampled_from(["strong", "reasonable", "limited", "none", "not_yet",
                              NOT_APPLICABLE, None]),
       question=st.sampled_from(["ARR-01", "ARR-02", "ARR-06"]))
def test_any_valid_judgement_round_trips(doc, value, question):
    """Whatever option on the scale is chosen is exactly what is read back."""
    before = answers.get_answer(doc, question).judgement
    changed = answers.set_judgement(doc, question, value)
    assert changed == (before != value)
    assert answers.get_answer(doc, question).judgement == value


# -- evidence -------------------------------------------------------------------

def test_add_evidence_with_attachment_stores_the_file_and_its_hash(doc, tmp_path):
    """An attached file is kept inside the document with a SHA-256 matching the original."""
    payload = bytes(range(256)) * 40 + b"end"
    source = tmp_path / "minutes.pdf"
    source.write_bytes(payload)
    watch = AuditWatch(doc)
    item = evidence.EvidenceInput(title="  Board minutes  ", kind="meeting",
                                  date=dt.date(2025, 6, 3), source="Business unit", note="p. 4")
    view = evidence.add_evidence(doc, "ARR-03", item, attach=source)
    assert view.title == "Board minutes"
    assert (view.kind, view.date, view.question_id) == ("meeting", dt.date(2025, 6, 3), "ARR-03")
    att = view.attachment
    assert att.filename == "minutes.pdf"
    assert att.size == len(payload)
    assert att.sha256 == hashlib.sha256(payload).hexdigest()
    assert att.media_type == "application/pdf"
    row = watch.one()
    assert row.action == "evidence.added"
    assert row.target == f"ARR-03/evidence/{view.id}"
    assert row.old_value is None
    new = json.loads(row.new_value)
    assert new["title"] == "Board minutes"
    assert new["attachment"] == {"name": "minutes.pdf", "sha256": att.sha256}

    source.unlink()  # the document keeps its own copy
    out = evidence.attachment_to_temp(doc, att.id)
    assert out.read_bytes() == payload
    assert out.name == "minutes.pdf"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == att.sha256
    assert answers.get_answer(doc, "ARR-03").evidence == (view,)


def test_edit_evidence_replaces_the_attachment_and_audits_old_and_new(doc, tmp_path):
    """Editing evidence and swapping its file is saved and logged with before and after."""
    first, second = tmp_path / "v1.txt", tmp_path / "v2.txt"
    first.write_bytes(b"version one")
    second.write_bytes(b"version two")
    view = evidence.add_evidence(doc, "ARR-03", evidence.EvidenceInput("Plan"), attach=first)
    watch = AuditWatch(doc)
    changed = evidence.update_evidence(doc, view.id, evidence.EvidenceInput("Plan (revised)",
                                       kind="data"), attach=second)
    row = watch.one()
    assert row.action == "evidence.changed" and row.target == f"ARR-03/evidence/{view.id}"
    old, new = json.loads(row.old_value), json.loads(row.new_value)
    assert old["title"] == "Plan" and new["title"] == "Plan (revised)"
    assert old["attachment"]["sha256"] == hashlib.sha256(b"version one").hexdigest()
    assert new["attachment"]["sha256"] == hashlib.sha256(b"version two").hexdigest()
    assert changed.attachment.sha256 == new["attachment"]["sha256"]
    with doc.read() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 1
    _v, content = evidence.attachment_content(doc, changed.attachment.id)
    assert content == b"version two"

    # the same values again: nothing to log
    evidence.update_evidence(doc, view.id, evidence.EvidenceInput("Plan (revised)", kind="data"))
    assert watch.new() == []

    # remove just the file
    kept = evidence.update_evidence(doc, view.id, evidence.EvidenceInput("Plan (revised)",
                                    kind="data"), remove_attachment=True)
    assert kept.attachment is None
    assert "attachment" not in json.loads(watch.one().new_value)
    with doc.read() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_remove_evidence_removes_its_attachment_and_audits(doc, tmp_path):
    """Removing evidence takes its attached file out of the document and logs what was removed."""
    source = tmp_path / "note.txt"
    source.write_bytes(b"remove me")
    view = evidence.add_evidence(doc, "ARR-03", evidence.EvidenceInput("Note"), attach=source)
    watch = AuditWatch(doc)
    evidence.remove_evidence(doc, view.id)
    row = watch.one()
    assert (row.action, row.target, row.new_value) == (
        "evidence.removed", f"ARR-03/evidence/{view.id}", None)
    assert json.loads(row.old_value)["title"] == "Note"
    with doc.read() as session:
        assert session.scalar(select(func.count()).select_from(EvidenceItem)) == 0
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert answers.get_answer(doc, "ARR-03").evidence == ()
    with pytest.raises(errors.InvalidInput):
        evidence.remove_evidence(doc, view.id)


def test_evidence_validation(doc, tmp_path):
    """Evidence needs a title and a known kind, and only existing files can be attached."""
    watch = AuditWatch(doc)
    with pytest.raises(errors.InvalidInput):
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("   "))
    with pytest.raises(errors.InvalidInput):
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("x", kind="rumour"))
    with pytest.raises(errors.InvalidInput):
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("x"),
                              attach=tmp_path / "missing.pdf")
    with pytest.raises(errors.InvalidInput):
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("x"), attach=tmp_path)
    assert watch.new() == []


def test_damaged_attachment_is_reported(doc, tmp_path):
    """An attachment whose bytes no longer match its SHA-256 is reported, not handed out."""
    source = tmp_path / "a.txt"
    source.write_bytes(b"original")
    view = evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("A"), attach=source)
    with contextlib.closing(sqlite3.connect(str(doc.path))) as conn:
        conn.execute("UPDATE attachments SET content = ? WHERE id = ?", (b"tampered", view.attachment.id))
        conn.commit()
    with pytest.raises(errors.InvalidInput, match="damaged"):
        evidence.attachment_content(doc, view.attachment.id)


# -- recommendations ----------------------------------------------------------------

def test_recommendation_add_edit_remove_is_audited(doc):
    """Recommendations can be added, changed and removed, each step logged old -> new."""
    watch = AuditWatch(doc)
    rec = recommendations.add_recommendation(doc, "ARR-02", recommendations.RecommendationInput(
        "  Publish a declaration of interests.  ", owner="police", priority="high",
        due=dt.date(2026, 1, 31)))
    assert rec.text == "Publish a declaration of interests."
    assert (rec.owner_label, rec.priority_label, rec.status_label) == ("Police", "High", "Open")
    row = watch.one()
    assert (row.action, row.target, row.old_value) == (
        "recommendation.added", f"ARR-02/recommendations/{rec.id}", None)
    assert json.loads(row.new_value)["due"] == "2026-01-31"

    changed = recommendations.update_recommendation(doc, rec.id, recommendations.RecommendationInput(
        "Publish a declaration of interests.", owner="other", owner_other="Probation service",
        priority="high", due=dt.date(2026, 1, 31), status="in_progress"))
    assert changed.owner_label == "Probation service"
    row = watch.one()
    assert row.action == "recommendation.changed"
    assert json.loads(row.old_value)["status"] == "open"
    assert json.loads(row.new_value)["status"] == "in_progress"
    assert recommendations.list_recommendations(doc) == [changed]

    recommendations.remove_recommendation(doc, rec.id)
    row = watch.one()
    assert (row.action, row.new_value) == ("recommendation.removed", None)
    assert json.loads(row.old_value)["owner_other"] == "Probation service"
    assert recommendations.list_recommendations(doc) == []


@pytest.mark.parametrize("bad", [
    recommendations.RecommendationInput("   "),
    recommendations.RecommendationInput(""),
    recommendations.RecommendationInput("Do it", owner="other"),
    recommendations.RecommendationInput("Do it", owner="other", owner_other="   "),
    recommendations.RecommendationInput("Do it", owner="the mayor"),
    recommendations.RecommendationInput("Do it", priority="urgent"),
    recommendations.RecommendationInput("Do it", status="forgotten"),
])
def test_recommendation_validation(doc, bad):
    """A blank recommendation, an unnamed 'other' owner or an unknown option is refused."""
    watch = AuditWatch(doc)
    with pytest.raises(errors.InvalidInput):
        recommendations.add_recommendation(doc, "ARR-01", bad)
    rec = recommendations.add_recommendation(doc, "ARR-01", recommendations.RecommendationInput("ok"))
    watch.one()
    with pytest.raises(errors.InvalidInput):
        recommendations.update_recommendation(doc, rec.id, bad)
    assert watch.new() == []
    with doc.read() as session:
        assert session.get(Recommendation, rec.id).text == "ok"


def test_owner_other_name_is_dropped_for_a_named_owner(doc):
    """An agency name typed for 'other' is not kept when a listed owner is chosen."""
    rec = recommendations.add_recommendation(doc, "ARR-01", recommendations.RecommendationInput(
        "Do it", owner="health", owner_other="Leftover text"))
    assert rec.owner_other == ""
    assert rec.owner_label == "Health / ICB"


# -- progress --------------------------------------------------------------------

def test_progress_counts_overall_and_per_section(doc, cis):
    """Progress shows answered/total overall and per section; 'not yet' is not an answer."""
    p = progress(doc)
    assert (p.total, p.answered, p.text) == (len(cis.question_ids()), 0, f"0/{len(cis.question_ids())}")
    assert p.required == sum(q.required for _, q in cis.questions())
    assert len(p.sections) == len(cis.sections) == 9
    assert [s.section_id for s in p.sections] == [s.id for s in cis.sections]
    assert [s.total for s in p.sections] == [len(s.questions) for s in cis.sections]
    assert set(p.missing_required) == {q.id for _, q in cis.questions() if q.required}
    assert not p.complete

    first, second = cis.sections[0], cis.sections[1]
    answers.set_judgement(doc, first.questions[0].id, "strong")
    answers.set_judgement(doc, first.questions[1].id, NOT_APPLICABLE)
    answers.set_judgement(doc, first.questions[2].id, "not_yet")
    answers.set_judgement(doc, second.questions[0].id, "none")
    answers.set_findings(doc, second.questions[1].id, "Findings without a judgement")

    p = progress(doc)
    assert p.answered == 3
    assert p.text == f"3/{len(cis.question_ids())}"
    s0, s1 = p.sections[0], p.sections[1]
    assert s0.answered == 2
    assert s0.judgements == {"strong": 1, NOT_APPLICABLE: 1, "not_yet": 1}
    assert s1.answered == 1
    assert all(s.answered == 0 for s in p.sections[2:])
    assert first.questions[2].id in p.missing_required  # not_yet still missing
    assert first.questions[0].id not in p.missing_required
    assert sum(s.answered for s in p.sections) == p.answered


def test_progress_complete_when_every_required_question_is_answered(doc, cis):
    """Answering every required question makes the assessment complete."""
    for _, q in cis.questions():
        if q.required:
            answers.set_judgement(doc, q.id, "reasonable")
    p = progress(doc)
    assert p.complete
    assert p.required_answered == p.required
    assert p.missing_required == ()


def test_question_states_report_missing_and_counts(doc, tmp_path):
    """Each question shows whether it is answered, missing, and how much evidence it has."""
    answers.set_judgement(doc, "ARR-01", "strong")
    evidence.add_evidence(doc, "ARR-02", evidence.EvidenceInput("E"))
    recommendations.add_recommendation(doc, "ARR-02", recommendations.RecommendationInput("R"))
    states = {s.question_id: s for s in answers.question_states(doc)}
    assert states["ARR-01"].state == "answered"
    assert states["ARR-02"].state == "missing"
    assert (states["ARR-02"].evidence_count, states["ARR-02"].recommendation_count) == (1, 1)


# -- signed-off documents are locked --------------------------------------------------

def test_signed_off_document_refuses_changes(doc, tmp_path):
    """A signed-off assessment refuses edits until it is reopened, and nothing is logged."""
    answers.set_judgement(doc, "ARR-01", "strong")
    rec = recommendations.add_recommendation(doc, "ARR-01", recommendations.RecommendationInput("R"))
    ev = evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("E"))
    with contextlib.closing(sqlite3.connect(str(doc.path))) as conn:
        conn.execute("UPDATE assessments SET status = 'signed_off'")
        conn.commit()
    watch = AuditWatch(doc)
    source = tmp_path / "f.txt"
    source.write_bytes(b"x")
    attempts = [
        lambda: answers.set_judgement(doc, "ARR-01", "limited"),
        lambda: answers.set_findings(doc, "ARR-01", "changed"),
        lambda: evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("E2"), attach=source),
        lambda: evidence.update_evidence(doc, ev.id, evidence.EvidenceInput("E3")),
        lambda: evidence.remove_evidence(doc, ev.id),
        lambda: recommendations.add_recommendation(
            doc, "ARR-01", recommendations.RecommendationInput("R2")),
        lambda: recommendations.update_recommendation(
            doc, rec.id, recommendations.RecommendationInput("R3")),
        lambda: recommendations.remove_recommendation(doc, rec.id),
    ]
    for attempt in attempts:
        with pytest.raises(errors.DocumentLocked) as info_:
            attempt()
        assert "signed off" in str(info_.value)
        assert "Reopen" in str(info_.value)
    assert watch.new() == []
    got = answers.get_answer(doc, "ARR-01")
    assert (got.judgement, got.findings) == ("strong", "")
    assert [e.title for e in got.evidence] == ["E"]
    assert [r.text for r in got.recommendations] == ["R"]
    assert info(doc).status_label == "Signed off"


# -- every change is one audit row and the chain holds -----------------------------------

def test_each_change_writes_exactly_one_audit_row_and_chain_holds(doc, tmp_path):
    """Every saved change adds one audit row (who, what, old -> new) and the log stays intact."""
    source = tmp_path / "f.txt"
    source.write_bytes(b"file")
    watch = AuditWatch(doc)
    steps = [
        (lambda: answers.set_judgement(doc, "ARR-01", "strong"), "answer.judgement"),
        (lambda: answers.set_findings(doc, "ARR-01", "text"), "answer.findings"),
        (lambda: evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("E"), attach=source),
         "evidence.added"),
        (lambda: recommendations.add_recommendation(
            doc, "ARR-01", recommendations.RecommendationInput("R")), "recommendation.added"),
    ]
    for step, action in steps:
        step()
        row = watch.one()
        assert row.action == action
        assert row.target.startswith("ARR-01")
        assert row.actor == "Ann Jones"
        assert row.old_value is not None or row.new_value is not None
        dt.datetime.fromisoformat(row.at)
    with doc.read() as session:
        report = verify_chain(session)
    assert report.ok and report.rows == len(audit_rows(doc))


def test_long_findings_are_summarised_in_the_audit_log(doc):
    """Very long findings are stored in full, while the log keeps a summary with a hash."""
    long_text = "x" * 5000
    watch = AuditWatch(doc)
    answers.set_findings(doc, "ARR-01", long_text)
    assert answers.get_answer(doc, "ARR-01").findings == long_text
    row = watch.one()
    assert hashlib.sha256(long_text.encode()).hexdigest() in row.new_value
    assert len(row.new_value) < 1000


# -- file names --------------------------------------------------------------------

def test_suggested_file_name_examples():
    """The suggested name is readable and safe to save on any system."""
    assert (suggested_file_name("Northshire Safeguarding Partnership", "2025-26")
            == "Northshire-Safeguarding-Partnership-2025-26.scrutiny")
    assert suggested_file_name("A/B: C*D?", "2025/26") == "A-B-C-D-2025-26.scrutiny"
    assert suggested_file_name("", "") == "assessment.scrutiny"
    assert suggested_file_name("../../etc", "..") == "etc.scrutiny"


_UNSAFE = set('<>:"/\\|?*') | {chr(c) for c in range(32)}


@settings(max_examples=25, deadline=None, database=None, derandomize=True)
@given(st.text(alphabet=string.printable + "éß—“”日本/\\:*?<>|. ", max_size=120),
       st.text(max_size=30))
def test_suggested_file_name_is_always_filesystem_safe(partnership, period):
    """Whatever is typed as partnership and period, the suggested name is one safe file name."""
    name = suggested_file_name(partnership, period)
    assert name.endswith(".scrutiny")
    stem = name[: -len(".scrutiny")]
    assert stem
    assert not (set(name) & _UNSAFE)
    assert Path(name).name == name
    assert not name.startswith(".") and not name.startswith("-")
    assert len(name.encode("utf-8")) <= 255


def test_suggested_file_name_fits_in_255_bytes_in_any_script(tmp_path):
    """A long partnership name in any script still gives a name the file system accepts."""
    for partnership in ("Ж" * 200, "日" * 200, "\U00020000" * 200, "a" * 300):
        name = suggested_file_name(partnership, "2025-26")
        size = len(name.encode("utf-8"))
        assert name.endswith(".scrutiny")
        assert size <= 255, f"{partnership[:2]!r}... gives a {size}-byte name"
        (tmp_path / name).write_bytes(b"")
