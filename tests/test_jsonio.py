"""JSON export and import: deterministic, lossless, validated (issue 4, item 5)."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.report.jsonio import (
    FORMAT_NAME,
    FORMAT_VERSION,
    AssessmentExport,
    dumps,
    export_json,
    json_schema,
    schema_path,
)
from scrutiny_desktop.services import answers, assessments, evidence, recommendations, signoff
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment
from scrutiny_desktop.services.fingerprint import content_fingerprint
from scrutiny_desktop.services.transfer import ImportProblem, import_json
from scrutiny_desktop.storage.audit import verify_chain
from scrutiny_desktop.storage.models import AuditEntry
from tests.fixtures import badfiles
from tests.helpers import all_evidence, answer_all, copy_document, legacy_template, scrutineer_id

PNG = badfiles.minimal_png()

# Awkward text of every kind a held-out document may carry.
AWKWARD = {
    "markup": "<b>bold</b> <script>alert('x')</script> <img src=x onerror=y> <para>&amp; &lt;</para>",
    "ampersands": "Police & Health & Education; R&D; &&& &nbsp; \"quoted\" 'single'",
    "welsh": "Siân Llŷr, Dafydd ap Gwilym, Ynys Môn — ŵ ŷ â ê î ô û",
    "polish": "Zażółć gęślą jaźń; Łódź; Wójcik, Przybyszewska, Ślązak",
    "greek": "Ανεξάρτητος έλεγχος — Αξιολόγηση",
    "cyrillic": "Независимая проверка: Ёжик, Україна, Беларусь",
    "rtl": "مراجعة مستقلة — ביקורת עצמאית",
    "cjk": "独立审查 日本語のテキスト 한국어 텍스트",
    "emoji": "👩‍👧‍👦 ✅ 🇬🇧 🧒🏽 — done",
    "control": "tabs\tand\nnew lines\n\nand trailing spaces   ",
}
LONG = ("Findings paragraph with Siân & <b>tags</b>. " * 500)[:20000]


def build_rich(folder: Path, cis) -> Path:
    """A signed-off document full of awkward text, evidence, attachments, recommendations
    and a voided earlier sign-off."""
    details = NewAssessment(
        partnership="Partneriaeth Diogelu Plant Gwynedd & Môn <Ltd>",
        period="2025–26 (Ebrill–Mawrth)",
        scrutineer_name="Siân Llŷr-Wójcik",
        area="Gwynedd — Ynys Môn",
        scrutineer_role="Craffwr annibynnol / Niezależny audytor",
    )
    path = create_assessment(folder / "rich.scrutiny", cis, details)
    attach1 = folder / "Cofnodion cyfarfod – Łódź – Σύσκεψη – Совещание – 会議.pdf"
    attach1.write_bytes(b"%PDF-1.4 fake\x00\xff\xfe binary \x89PNG" * 20)
    attach2 = folder / "données & <notes>.txt"
    attach2.write_text("Ça va? Zażółć 😀\n", encoding="utf-8")
    with open_assessment(path) as doc:
        qids = assessments.question_ids(doc)
        answer_all(doc)
        scale = ["strong", "reasonable", "limited", "none", "not_applicable"]
        for i, qid in enumerate(qids[:5]):
            answers.set_judgement(doc, qid, scale[i])
        for i, text in enumerate(AWKWARD.values()):
            answers.set_findings(doc, qids[i], text)
        answers.set_findings(doc, qids[len(AWKWARD)], LONG)
        e1 = evidence.add_evidence(doc, qids[0], evidence.EvidenceInput(
            "Board minutes — Siân & <Ola>", "meeting", dt.date(2025, 3, 14),
            "Gwynedd LSCP", "Notatka: Zażółć; Ελληνικά; עברית"), attach=attach1)
        evidence.add_evidence(doc, qids[0], evidence.EvidenceInput(
            "Dashboard", "data", None, "", ""))
        removed = evidence.add_evidence(doc, qids[1], evidence.EvidenceInput("To be removed"))
        evidence.add_evidence(doc, qids[1], evidence.EvidenceInput(
            "Case audit 中文", "case_audit", dt.date(2024, 12, 31), "ICB", "🧒🏽"), attach=attach2)
        evidence.remove_evidence(doc, removed.id)
        evidence.update_evidence(doc, e1.id, evidence.EvidenceInput(
            "Board minutes — Siân & <Ola> (revised)", "meeting", dt.date(2025, 3, 14),
            "Gwynedd LSCP", "Notatka: Zażółć; Ελληνικά; עברית"))
        recommendations.add_recommendation(doc, qids[0], recommendations.RecommendationInput(
            "Publish the <annual> report & plan — Łódź", "partnership", "", "high",
            dt.date(2026, 6, 30)))
        r2 = recommendations.add_recommendation(doc, qids[2], recommendations.RecommendationInput(
            "Ymchwilio i’r achosion 👩‍👧‍👦", "other", "Heddlu Gogledd Cymru", "low", None,
            "in_progress", "Начато"))
        recommendations.add_recommendation(doc, qids[2], recommendations.RecommendationInput(
            "Review data sharing 中文", "health", "", "medium", dt.date(2026, 1, 1)))
        recommendations.update_recommendation(doc, r2.id, recommendations.RecommendationInput(
            "Ymchwilio i’r achosion 👩‍👧‍👦 (wedi newid)", "other", "Heddlu Gogledd Cymru", "low",
            dt.date(2027, 2, 28), "in_progress", "Начато"))
        signoff.sign_off(doc, identity=scrutineer_id(), name="Siân Llŷr-Wójcik", role="Craffwr annibynnol",
                         statement="Rwy’n cadarnhau & I confirm <this>.", confirmed=True,
                         signature_png=PNG)
        signoff.reopen(doc, reason="Tystiolaeth hwyr — late evidence & a typo",
                       by="Siân Llŷr-Wójcik")
        answers.set_findings(doc, qids[20], "Added after reopening: Ελληνικά.")
        signoff.sign_off(doc, identity=scrutineer_id(), name="Siân Llŷr-Wójcik", role="Craffwr annibynnol",
                         statement="Rwy’n cadarnhau & I confirm <this>.", confirmed=True,
                         signature_png=PNG)
    return path


@pytest.fixture(scope="module")
def rich_source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rich")
    return build_rich(folder, legacy_template())


@pytest.fixture
def rich(tmp_path, rich_source):
    """Path of a private copy of the rich, signed-off document."""
    path = tmp_path / "rich.scrutiny"
    shutil.copyfile(rich_source, path)
    return path


@pytest.fixture(scope="module")
def rich_export(tmp_path_factory, rich_source):
    """The rich document's JSON export, as parsed data (tests mutate deep copies)."""
    out = tmp_path_factory.mktemp("export") / "rich.json"
    with open_assessment(rich_source, readonly=True) as doc:
        export_json(doc, out)
    return json.loads(out.read_bytes().decode("utf-8"))


def export_bytes(path: Path, out: Path) -> bytes:
    with open_assessment(path, readonly=True) as doc:
        export_json(doc, out)
    return out.read_bytes()


def audit_of(path: Path) -> list[tuple]:
    with open_assessment(path, readonly=True) as doc, doc.read() as session:
        return [(e.seq, e.at, e.actor, e.action, e.target, e.old_value, e.new_value,
                 e.prev_hash, e.row_hash)
                for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


# -- export ------------------------------------------------------------------------------

def test_exporting_twice_gives_identical_bytes(rich, tmp_path):
    """Exporting the same document twice gives byte-for-byte identical files."""
    a = export_bytes(rich, tmp_path / "a.json")
    b = export_bytes(rich, tmp_path / "b.json")
    assert a == b


def test_export_is_sorted_indented_utf8_with_a_trailing_newline(rich, tmp_path):
    """The export is UTF-8 (non-ASCII as is), keys sorted, two-space indent, one trailing newline."""
    raw = export_bytes(rich, tmp_path / "a.json")
    text = raw.decode("utf-8")
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert "Siân Llŷr-Wójcik" in text and "\\u" not in text
    assert text.splitlines()[1].startswith('  "')


def test_export_does_not_change_the_document(rich, tmp_path):
    """Exporting JSON leaves the document's bytes untouched."""
    before = rich.read_bytes()
    export_bytes(rich, tmp_path / "a.json")
    assert rich.read_bytes() == before


def test_export_has_the_documented_top_level_shape(rich_export):
    """The export has the eight documented top-level parts and names its format and version."""
    assert set(rich_export) == {"format", "assessment", "template", "answers", "signoffs",
                                "reviews", "summary", "audit"}
    assert rich_export["format"] == {"name": "scrutiny-desktop-assessment", "version": 3}
    assert (FORMAT_NAME, FORMAT_VERSION) == ("scrutiny-desktop-assessment", 3)
    assert rich_export["assessment"]["partnership"] == "Partneriaeth Diogelu Plant Gwynedd & Môn <Ltd>"
    assert rich_export["assessment"]["status"] == "signed_off"
    assert rich_export["template"]["id"] == "cis-2024"
    assert set(rich_export["reviews"]) == {"comments", "responses", "countersignatures"}
    assert len(rich_export["answers"]) == len(legacy_template().question_ids())


def test_answers_carry_evidence_attachments_and_recommendations(rich_export):
    """Answers carry judgement, findings, evidence (with attachment and hash) and recommendations."""
    answers_ = rich_export["answers"]
    for item in answers_:
        assert {"question_id", "judgement", "findings", "evidence", "recommendations"} <= set(item)
    first = answers_[0]
    assert first["question_id"] == "ARR-01"
    assert first["judgement"] == "strong"
    assert first["findings"] == AWKWARD["markup"]
    assert answers_[len(AWKWARD)]["findings"] == LONG
    ev = first["evidence"][0]
    assert {"title", "kind", "date", "source", "note", "attachment"} <= set(ev)
    assert ev["title"] == "Board minutes — Siân & <Ola> (revised)"
    assert ev["kind"] == "meeting" and ev["date"] == "2025-03-14"
    att = ev["attachment"]
    assert {"name", "sha256", "content_base64", "size"} <= set(att)
    assert att["name"] == "Cofnodion cyfarfod – Łódź – Σύσκεψη – Совещание – 会議.pdf"
    content = base64.b64decode(att["content_base64"], validate=True)
    assert hashlib.sha256(content).hexdigest() == att["sha256"]
    assert len(content) == att["size"]
    assert first["evidence"][1]["attachment"] is None and first["evidence"][1]["date"] is None
    rec = first["recommendations"][0]
    assert {"text", "owner", "priority", "due"} <= set(rec)
    assert rec == {**rec, "text": "Publish the <annual> report & plan — Łódź",
                   "owner": "partnership", "priority": "high", "due": "2026-06-30"}
    other = answers_[2]["recommendations"][0]
    assert other["owner"] == "other" and other["owner_other"] == "Heddlu Gogledd Cymru"


def test_sign_offs_and_reopen_are_exported(rich_export):
    """The voided first sign-off (with reason and signature) and the one in force are both exported."""
    first, second = rich_export["signoffs"]
    assert first["voided_at"] is not None
    assert first["void_reason"] == "Tystiolaeth hwyr — late evidence & a typo"
    assert first["voided_by"] == "Siân Llŷr-Wójcik"
    assert base64.b64decode(first["signature_png_base64"]) == PNG
    assert second["voided_at"] is None
    assert first["fingerprint"] != second["fingerprint"]
    actions = [row["action"] for row in rich_export["audit"]]
    assert actions[0] == "assessment.created"
    assert actions.count("assessment.signed_off") == 2 and "assessment.reopened" in actions


def test_times_are_utc_iso_8601_with_microseconds(rich_export):
    """Times are ISO 8601 in UTC with an explicit offset and microseconds; dates are YYYY-MM-DD."""
    times = [rich_export["assessment"]["created_at"], rich_export["assessment"]["modified_at"],
             rich_export["signoffs"][0]["signed_at"], rich_export["signoffs"][0]["voided_at"],
             rich_export["answers"][0]["updated_at"],
             rich_export["answers"][0]["evidence"][0]["attachment"]["added_at"]]
    times += [row["at"] for row in rich_export["audit"]]
    for text in times:
        parsed = dt.datetime.fromisoformat(text)
        assert parsed.utcoffset() == dt.timedelta(0), text
        assert text.endswith("+00:00"), text
        assert len(text) == len("2025-01-01T00:00:00.000000+00:00"), text


def test_committed_json_schema_matches_the_models():
    """The JSON Schema shipped in resources/ is exactly what the models generate (see --schema)."""
    path = schema_path()
    assert path.name == "assessment-export.schema.json"
    assert path.parent.name == "schemas"
    committed = json.loads(path.read_text(encoding="utf-8"))
    assert committed == json_schema()
    assert committed["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_export_validates_against_the_schema(rich_export):
    """A real export validates against the published schema (jsonschema if installed, else the model)."""
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    try:
        import jsonschema
    except ImportError:
        AssessmentExport.model_validate(rich_export)
    else:  # pragma: no cover - only when jsonschema happens to be installed
        jsonschema.validate(rich_export, schema)
    assert set(schema["required"]) == set(rich_export)
    assert schema["additionalProperties"] is False


# -- round trip --------------------------------------------------------------------------

def test_export_import_export_gives_identical_bytes(rich, tmp_path):
    """A full, awkward, signed-off document survives export -> import -> export byte for byte."""
    first = export_bytes(rich, tmp_path / "first.json")
    import_json(tmp_path / "first.json", tmp_path / "imported.scrutiny")
    second = export_bytes(tmp_path / "imported.scrutiny", tmp_path / "second.json")
    assert second == first


def test_import_restores_the_document_exactly(rich, tmp_path):
    """The imported document has the original's details, status, answers, sign-offs and attachments."""
    export_bytes(rich, tmp_path / "a.json")
    import_json(tmp_path / "a.json", tmp_path / "imported.scrutiny")
    with open_assessment(rich, readonly=True) as a, \
            open_assessment(tmp_path / "imported.scrutiny", readonly=True) as b:
        assert content_fingerprint(a) == content_fingerprint(b)
        ia, ib = assessments.info(a), assessments.info(b)
        for name in ("uid", "partnership", "area", "period", "scrutineer_name", "scrutineer_role",
                     "status", "created_at", "modified_at", "template_id", "template_version"):
            assert getattr(ia, name) == getattr(ib, name), name
        assert signoff.history(a) == signoff.history(b)
        assert signoff.current_signoff(b) is not None
        for qid in assessments.question_ids(a):
            assert answers.get_answer(a, qid) == answers.get_answer(b, qid)
        for ev_a, ev_b in zip(all_evidence(a), all_evidence(b), strict=True):
            assert ev_a == ev_b
            if ev_a.attachment:
                assert (evidence.attachment_content(a, ev_a.attachment.id)
                        == evidence.attachment_content(b, ev_b.attachment.id))
        assert recommendations.list_recommendations(a) == recommendations.list_recommendations(b)
        assert signoff.verify_signoff(b) == (True, "the content matches the sign-off")


def test_imported_audit_log_is_the_same_and_still_verifies(rich, tmp_path):
    """Import copies the audit log exactly, adds no row of its own, and the hash chain still verifies."""
    export_bytes(rich, tmp_path / "a.json")
    import_json(tmp_path / "a.json", tmp_path / "imported.scrutiny")
    original = audit_of(rich)
    restored = audit_of(tmp_path / "imported.scrutiny")
    assert len(restored) == len(original)
    assert restored == original
    with open_assessment(tmp_path / "imported.scrutiny", readonly=True) as doc, doc.read() as session:
        report = verify_chain(session)
    assert report.ok, report.problem
    assert report.rows == len(original)


def test_an_imported_draft_can_be_edited_and_its_log_continues(pristine, tmp_path):
    """After importing a draft, a new edit is saved and audited and the chain still verifies."""
    export_bytes(pristine, tmp_path / "a.json")
    import_json(tmp_path / "a.json", tmp_path / "imported.scrutiny")
    rows = len(audit_of(tmp_path / "imported.scrutiny"))
    with open_assessment(tmp_path / "imported.scrutiny") as doc:
        answers.set_findings(doc, "ARR-01", "Edited after import.")
        with doc.read() as session:
            report = verify_chain(session)
    assert report.ok and report.rows == rows + 1


def test_import_of_a_draft_and_a_reopened_document(rich, tmp_path):
    """A document last reopened (a draft with a voided sign-off) round-trips byte for byte too."""
    with open_assessment(rich) as doc:
        signoff.reopen(doc, reason="Once more, with feeling — ещё раз")
    first = export_bytes(rich, tmp_path / "first.json")
    import_json(tmp_path / "first.json", tmp_path / "imported.scrutiny")
    assert export_bytes(tmp_path / "imported.scrutiny", tmp_path / "second.json") == first
    with open_assessment(tmp_path / "imported.scrutiny", readonly=True) as doc:
        assert assessments.info(doc).status == "draft"
        assert signoff.current_signoff(doc) is None
        assert all(h.voided for h in signoff.history(doc))


_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\r\x00"),
                max_size=300)


@settings(max_examples=12, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(findings=_TEXT, title=_TEXT.filter(lambda s: s.strip()))
def test_any_text_round_trips_through_json(pristine, tmp_path, findings, title):
    """Any text a scrutineer types survives JSON export and import exactly, fingerprint included."""
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        folder = Path(folder)
        path = copy_document(pristine, folder)
        with open_assessment(path) as doc:
            answers.set_findings(doc, "ARR-01", findings)
            evidence.add_evidence(doc, "ARR-02", evidence.EvidenceInput(title, note=findings))
            fp = content_fingerprint(doc)
        first = export_bytes(path, folder / "a.json")
        import_json(folder / "a.json", folder / "b.scrutiny")
        assert export_bytes(folder / "b.scrutiny", folder / "b.json") == first
        with open_assessment(folder / "b.scrutiny", readonly=True) as doc:
            assert answers.get_answer(doc, "ARR-01").findings == findings
            assert content_fingerprint(doc) == fp


# -- refused imports -----------------------------------------------------------------------

def _write(folder: Path, data, name="broken.json") -> Path:
    path = folder / name
    path.write_bytes(dumps(data) if isinstance(data, dict) else data)
    return path


def _folder_names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def assert_nothing_left(folder: Path, before: list[str]) -> None:
    names = _folder_names(folder)
    assert names == before, names
    assert not [n for n in names if ".importing-" in n or ".creating-" in n]


def test_import_never_overwrites_an_existing_file(rich, tmp_path):
    """Importing onto a file that exists is refused and that file's bytes stay as they were."""
    export_bytes(rich, tmp_path / "a.json")
    target = tmp_path / "existing.scrutiny"
    target.write_bytes(b"precious bytes")
    before = _folder_names(tmp_path)
    with pytest.raises(FileExistsError, match="already exists"):
        import_json(tmp_path / "a.json", target)
    assert target.read_bytes() == b"precious bytes"
    assert_nothing_left(tmp_path, before)


def test_import_onto_an_existing_document_leaves_it_unchanged(rich, pristine, tmp_path):
    """Importing onto an existing assessment keeps that assessment exactly as it was."""
    export_bytes(rich, tmp_path / "a.json")
    target = tmp_path / "existing.scrutiny"
    shutil.copyfile(pristine, target)
    snap = badfiles.snapshot(target)
    with pytest.raises(FileExistsError):
        import_json(tmp_path / "a.json", target)
    assert badfiles.snapshot(target) == snap


def test_invalid_json_is_reported_with_line_and_column(tmp_path):
    """A file that is not valid JSON is refused with the line and column of the problem."""
    source = _write(tmp_path, b'{\n  "format": {"name": "scrutiny-desktop-assessment",\n  oops\n}\n')
    before = _folder_names(tmp_path)
    with pytest.raises(ImportProblem) as info:
        import_json(source, tmp_path / "out.scrutiny")
    message = str(info.value)
    assert "line 3" in message and "column" in message
    assert str(source) in message
    assert_nothing_left(tmp_path, before)


@pytest.mark.parametrize("raw, words", [
    (b"", "not valid JSON"),
    (b"[1, 2, 3]\n", "$"),
    (b"\xff\xfe\x00\x00 not utf-8", "UTF-8"),
    (b'"just a string"', "$"),
])
def test_other_non_exports_are_refused(tmp_path, raw, words):
    """Empty files, JSON that is not an object, and non-UTF-8 bytes are refused and nothing is written."""
    source = _write(tmp_path, raw)
    before = _folder_names(tmp_path)
    with pytest.raises(ImportProblem) as info:
        import_json(source, tmp_path / "out.scrutiny")
    assert words in str(info.value)
    assert_nothing_left(tmp_path, before)


def test_missing_source_is_reported(tmp_path):
    """Importing a JSON file that does not exist says so and writes nothing."""
    with pytest.raises(InvalidInput, match="does not exist"):
        import_json(tmp_path / "nope.json", tmp_path / "out.scrutiny")
    assert _folder_names(tmp_path) == []


def _set(path, value):
    def mutate(data):
        *parents, last = path
        target = data
        for key in parents:
            target = target[key]
        target[last] = value
    return mutate


def _delete(path):
    def mutate(data):
        *parents, last = path
        target = data
        for key in parents:
            target = target[key]
        del target[last]
    return mutate


def _tamper_attachment(data):
    att = data["answers"][0]["evidence"][0]["attachment"]
    content = bytearray(base64.b64decode(att["content_base64"]))
    content[0] ^= 0xFF
    att["content_base64"] = base64.b64encode(bytes(content)).decode("ascii")


def _duplicate_signoff_id(data):
    data["signoffs"][1]["id"] = data["signoffs"][0]["id"]


BROKEN = {
    "wrong format name": (_set(("format", "name"), "something-else"), "$.format.name"),
    "newer format version": (_set(("format", "version"), 4), "$.format.version"),
    "bad judgement": (_set(("answers", 3, "judgement"), "excellent"), "$.answers[3].judgement"),
    "bad evidence kind": (_set(("answers", 0, "evidence", 0, "kind"), "rumour"),
                          "$.answers[0].evidence[0].kind"),
    "tampered audit row": (_set(("audit", 1, "actor"), "Mallory"), "$.audit[1]"),
    "tampered audit hash": (_set(("audit", 2, "row_hash"), "0" * 64), "$.audit[2]"),
    "audit row removed": (lambda d: d["audit"].pop(1), "$.audit[1]"),
    "attachment sha256": (_tamper_attachment, "$.answers[0].evidence[0].attachment.sha256"),
    "attachment not base64": (_set(("answers", 0, "evidence", 0, "attachment", "content_base64"),
                                   "not base64!"),
                              "$.answers[0].evidence[0].attachment.content_base64"),
    "unknown top-level field": (_set(("colour",), "red"), "$.colour"),
    "unknown nested field": (_set(("answers", 0, "colour"), "red"), "$.answers[0].colour"),
    "missing findings": (_delete(("answers", 0, "findings")), "$.answers[0].findings"),
    "missing assessment": (_delete(("assessment",)), "$.assessment"),
    "template edited": (_set(("template", "title"), "A different checklist"),
                        "$.assessment.template_sha256"),
    "question removed": (lambda d: d["answers"].pop(5), "$.answers"),
    "naive time": (_set(("assessment", "created_at"), "2025-01-01T10:00:00"),
                   "$.assessment.created_at"),
    "signature not png": (_set(("signoffs", 0, "signature_png_base64"),
                                base64.b64encode(b"GIF89a").decode()), "$.signoffs[0]"),
    "impossible date": (_set(("answers", 0, "evidence", 0, "date"), "2025-02-30"),
                        "$.answers[0].evidence[0].date"),
    "duplicate sign-off id": (_duplicate_signoff_id, "$.signoffs"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_export_is_refused_with_its_json_path(rich_export, tmp_path, case):
    """A damaged or edited export is refused with the problem's JSON path, leaving no file behind."""
    mutate, where = BROKEN[case]
    data = copy.deepcopy(rich_export)
    mutate(data)
    source = _write(tmp_path, data)
    before = _folder_names(tmp_path)
    with pytest.raises(ImportProblem) as info:
        import_json(source, tmp_path / "out.scrutiny")
    message = str(info.value)
    assert where in message, message
    assert message.startswith(str(source))
    assert_nothing_left(tmp_path, before)


def test_only_the_first_few_problems_are_listed(rich_export, tmp_path):
    """Many problems at once are reported as the first ones plus a count of the rest."""
    data = copy.deepcopy(rich_export)
    for item in data["answers"][:10]:
        item["colour"] = "red"
    source = _write(tmp_path, data)
    with pytest.raises(ImportProblem) as info:
        import_json(source, tmp_path / "out.scrutiny")
    assert "$.answers[0].colour" in str(info.value)
    assert "more" in str(info.value)
    assert 1 < len(info.value.problems) <= 10
