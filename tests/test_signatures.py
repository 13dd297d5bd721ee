"""Real signatures (format 2): identities, signing, countersigning, independence, and
the tampers of issue 11, each caught by ``integrity_report`` and by ``check``.

Each tamper test names the edit; all of them passed ``check`` before format 2.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from scrutiny_desktop.errors import IdentityError, InvalidInput
from scrutiny_desktop.report import signing
from scrutiny_desktop.services import answers, assessments, evidence, recommendations, review, signoff
from scrutiny_desktop.services.fingerprint import content_fingerprint, signer_block, signoff_payload
from scrutiny_desktop.services.identity import (
    create_identity,
    load_identity,
    passphrase_from_file,
    sign_payload,
    trust_of,
    verify_payload,
)
from scrutiny_desktop.services.integrity import NO_KEY, VALID, integrity_report, signature_checks
from scrutiny_desktop.services.recommendations import RecommendationInput
from scrutiny_desktop.storage import audit
from scrutiny_desktop.storage.document import open_document
from scrutiny_desktop.storage.models import AUDIT_TRIGGERS
from tests.helpers import (
    PASSPHRASE,
    chair_id,
    copy_document,
    identity_for,
    identity_path,
    run_cli,
    scrutineer_id,
    tamper,
    tamper_raw,
)

STATEMENT = "I confirm this is my independent assessment."


# -- identities ---------------------------------------------------------------------------


def test_identity_round_trip_and_fingerprint(tmp_path):
    """A created certificate loads back with the same fingerprint, name and email."""
    made = identity_for("Fay Fingerprint", "fay@example.org")
    loaded = load_identity(identity_path("Fay Fingerprint", "fay@example.org"), PASSPHRASE)
    assert loaded.fingerprint == made.fingerprint
    assert (loaded.name, loaded.email) == ("Fay Fingerprint", "fay@example.org")
    assert len(made.fingerprint) == 95 and made.fingerprint.upper() == made.fingerprint
    assert made.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
    assert made.certificate.signature_hash_algorithm.name == "sha256"
    assert made.private_key.key_size == 3072
    usage = made.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment


def test_identity_errors_are_one_line(tmp_path):
    path = identity_path()
    with pytest.raises(IdentityError, match=r"passphrase .* is wrong"):
        load_identity(path, b"not it")
    junk = tmp_path / "junk.p12"
    junk.write_bytes(b"hello, world")
    with pytest.raises(IdentityError, match="not a PKCS#12"):
        load_identity(junk, PASSPHRASE)
    with pytest.raises(IdentityError, match="already exists"):
        create_identity(path, name="Again", passphrase=b"x")


def _p12(tmp_path, *, expired: bool = False, with_key: bool = True) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Old Cert")])
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=800 if expired else 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=365 if expired else 30))
            .sign(key, hashes.SHA256()))
    enc = serialization.BestAvailableEncryption(b"pw")
    data = (pkcs12.serialize_key_and_certificates(b"x", key, cert, None, enc) if with_key else
            pkcs12.serialize_key_and_certificates(b"x", None, None, [cert], enc))
    path = tmp_path / f"{'expired' if expired else 'nokey'}.p12"
    path.write_bytes(data)
    return path


def test_expired_certificate_and_missing_key_are_refused(tmp_path):
    with pytest.raises(IdentityError, match="expired"):
        load_identity(_p12(tmp_path, expired=True), b"pw")
    with pytest.raises(IdentityError, match=r"no private key|no certificate"):
        load_identity(_p12(tmp_path, with_key=False), b"pw")


def test_passphrase_file_is_its_first_line(tmp_path):
    f = tmp_path / "pass.txt"
    f.write_bytes(b"s3cret phrase\r\nsecond line\n")
    assert passphrase_from_file(f) == b"s3cret phrase"


def test_sign_and_verify_payload():
    ident = scrutineer_id()
    sig = sign_payload(ident, b"payload")
    assert verify_payload(ident.certificate_der, b"payload", sig)
    assert not verify_payload(ident.certificate_der, b"payloaD", sig)
    assert not verify_payload(chair_id().certificate_der, b"payload", sig)


def test_trust_pinned_or_self_signed():
    ident = scrutineer_id()
    assert trust_of(ident.certificate_der) == (False, "self-signed, not pinned")
    assert trust_of(ident.certificate_der, pinned=[ident.fingerprint.lower().replace(":", "")])[0]


# -- signing ----------------------------------------------------------------------------------


def _answered_with_file(path: Path, tmp_path: Path) -> None:
    note = tmp_path / "minutes.txt"
    note.write_bytes(b"board minutes " * 50)
    with assessments.open_assessment(path) as doc:
        for qid in assessments.question_ids(doc):
            answers.set_judgement(doc, qid, "strong")
        answers.set_findings(doc, "ARR-01", "Terms of reference seen.")
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Minutes"), attach=note)
        recommendations.add_recommendation(doc, "ARR-01", RecommendationInput("Publish the plan"))


@pytest.fixture
def signed(tmp_path, new_doc_path):
    """A signed-off document with an attachment and a recommendation."""
    _answered_with_file(new_doc_path, tmp_path)
    with assessments.open_assessment(new_doc_path) as doc:
        signing.sign_off(doc, identity=scrutineer_id(), name="Ann Jones", role="Scrutineer",
                         statement=STATEMENT, confirmed=True)
    return new_doc_path


@pytest.fixture
def countersigned(signed):
    with assessments.open_assessment(signed) as doc:
        review.set_overall_response(doc, "Accepted.")
        for r in recommendations.list_recommendations(doc):
            review.set_response(doc, r.id, decision="accepted")
        signing.countersign(doc, identity=chair_id(), name="Chris Chair", role="Chair",
                            statement="Agreed.", confirmed=True)
    return signed


def test_sign_off_needs_an_identity(ready):
    with pytest.raises(InvalidInput, match="signing certificate"):
        signoff.sign_off(ready, name="Ann Jones", role="", statement=STATEMENT, confirmed=True)


def test_sign_off_stores_signature_certificate_and_time(signed):
    with assessments.open_assessment(signed, readonly=True) as doc:
        view = signoff.current_signoff(doc)
        assert view is not None and view.keyed
        assert view.certificate_sha256 == scrutineer_id().fingerprint
        checks = signature_checks(doc)
        assert [(c.kind, c.state) for c in checks] == [("sign-off", VALID)]
        assert integrity_report(doc).ok
        entry = [e for e in doc_audit(doc) if e.action == "assessment.signed_off"][-1]
        assert json.loads(entry.new_value)["certificate_sha256"] == view.certificate_sha256


def doc_audit(doc):
    from tests.helpers import audit_rows

    return audit_rows(doc)


def test_countersignature_is_valid_and_covers_the_sign_off(countersigned):
    with assessments.open_assessment(countersigned, readonly=True) as doc:
        assert [(c.kind, c.state) for c in signature_checks(doc)] == [
            ("sign-off", VALID), ("countersignature", VALID)]
        assert integrity_report(doc).ok


def _prepare_review(doc):
    review.set_overall_response(doc, "Accepted.")
    for r in recommendations.list_recommendations(doc):
        review.set_response(doc, r.id, decision="accepted")


def test_chair_cannot_countersign_with_the_scrutineers_certificate(signed):
    with assessments.open_assessment(signed) as doc:
        _prepare_review(doc)
        with pytest.raises(InvalidInput, match="independent"):
            review.countersign(doc, identity=scrutineer_id(), name="Chris Chair", role="Chair",
                               statement="Agreed.", confirmed=True)


def test_chair_cannot_countersign_under_the_scrutineers_name(signed):
    with assessments.open_assessment(signed) as doc:
        _prepare_review(doc)
        with pytest.raises(InvalidInput, match="independent"):
            review.countersign(doc, identity=chair_id(), name="  ann   JONES ", role="Chair",
                               statement="Agreed.", confirmed=True)


# -- tampers (each passed `check` before format 2) ----------------------------------------------


def _problem(path: Path) -> str:
    with assessments.open_assessment(path, readonly=True) as doc:
        report = integrity_report(doc)
    assert not report.ok
    return report.problem


def _check_fails(capsys, path: Path) -> str:
    code, _out, err = run_cli(capsys, "check", str(path))
    assert code == 1
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1
    return err


def test_back_dated_signing_time_is_caught(signed, capsys):
    tamper(signed, "UPDATE signoffs SET signed_at = '2020-01-01T09:00:00.000000+00:00'")
    assert "2020-01-01" in _problem(signed)
    _check_fails(capsys, signed)


def test_review_comment_without_audit_entry_is_caught(signed, capsys):
    tamper(signed, "INSERT INTO review_comments (question_id, author, text, updated_at) VALUES "
                   "(NULL, 'chair', 'All fine', '2026-01-01T00:00:00.000000+00:00')")
    assert "audit log" in _problem(signed)
    _check_fails(capsys, signed)


def test_response_without_audit_entry_is_caught(signed, capsys):
    tamper(signed, "INSERT INTO recommendation_responses (recommendation_id, decision, detail, "
                   "action_owner, updated_at) SELECT id, 'accepted', '', '', "
                   "'2026-01-01T00:00:00.000000+00:00' FROM recommendations LIMIT 1")
    assert "decision" in _problem(signed)
    _check_fails(capsys, signed)


def test_attachment_media_type_change_is_caught(signed, capsys):
    tamper(signed, "UPDATE attachments SET media_type = 'application/x-msdownload'")
    assert "no longer verifies" in _problem(signed)
    _check_fails(capsys, signed)


@pytest.mark.parametrize("sql", [
    "UPDATE assessments SET created_at = '2019-01-01T00:00:00.000000+00:00'",
    "UPDATE answers SET updated_at = '2019-01-01T00:00:00.000000+00:00' WHERE question_id = 'ARR-01'",
    "UPDATE attachments SET added_at = '2019-01-01T00:00:00.000000+00:00'",
])
def test_signed_timestamps_are_covered_by_the_signature(signed, capsys, sql):
    tamper(signed, sql)
    assert "no longer verifies" in _problem(signed)
    _check_fails(capsys, signed)


def test_modified_at_is_checked_against_the_audit_log(signed, capsys):
    tamper(signed, "UPDATE assessments SET modified_at = '2019-01-01T00:00:00.000000+00:00'")
    assert "last-modified" in _problem(signed)
    _check_fails(capsys, signed)


def test_voided_by_on_the_sign_off_in_force_is_caught(signed, capsys):
    tamper(signed, "UPDATE signoffs SET voided_by = 'Mallory'")
    assert "Mallory" in _problem(signed)
    _check_fails(capsys, signed)


def test_dropped_audit_triggers_are_caught(signed, capsys):
    tamper_raw(signed)  # drops both triggers and leaves them out
    assert "trigger" in _problem(signed)
    _check_fails(capsys, signed)


def test_altered_audit_trigger_is_caught(signed):
    tamper_raw(signed, AUDIT_TRIGGERS[0], AUDIT_TRIGGERS[1].replace("cannot be changed", "ok"))
    assert "altered" in _problem(signed)


def _rechain(conn: sqlite3.Connection) -> None:
    """What a strong attacker does with the project's own code: recompute every hash of
    the audit chain and the head."""
    prev = audit.GENESIS
    rows = conn.execute("SELECT id, seq, at, actor, action, target, old_value, new_value "
                        "FROM audit_entries ORDER BY seq").fetchall()
    for row_id, seq, at, actor, action, target, old, new in rows:
        digest = audit.entry_hash(prev, seq, at, actor, action, target, old, new)
        conn.execute("UPDATE audit_entries SET prev_hash = ?, row_hash = ? WHERE id = ?",
                     (prev, digest, row_id))
        prev = digest
    conn.execute("UPDATE assessments SET audit_head = ?", (prev,))


def _strong_edit(path: Path, *, resign_with=None, fix_audit_cert: bool = False) -> None:
    """Edit a signed finding, then recompute the fingerprint, the sign-off audit row, the
    chain and the head; optionally re-sign with another key."""
    tamper_raw(path, "UPDATE answers SET findings = 'Nothing of concern.' WHERE question_id = 'ARR-01'",
               restore_triggers=True)
    with open_document(path) as d:
        fp = content_fingerprint(d)
        payload = None
        if resign_with is not None:
            from scrutiny_desktop.services.signatures import SIGN_OFF, history

            row = history(d, SIGN_OFF)[-1]
            signer = signer_block(name=row.name, role=row.role, statement=row.statement,
                                  signed_at=row.signed_at, certificate_sha256=resign_with.fingerprint)
            payload = signoff_payload(d, signer)
    with contextlib.closing(sqlite3.connect(str(path), isolation_level=None)) as conn:
        for ddl in ("DROP TRIGGER audit_entries_no_update", "DROP TRIGGER audit_entries_no_delete"):
            conn.execute(ddl)
        conn.execute("UPDATE signoffs SET fingerprint = ?", (fp,))
        if resign_with is not None:
            conn.execute("UPDATE signoffs SET signature = ?, certificate_der = ?",
                         (sign_payload(resign_with, payload), resign_with.certificate_der))
        rid, new = conn.execute("SELECT id, new_value FROM audit_entries "
                                "WHERE action = 'assessment.signed_off'").fetchone()
        data = json.loads(new)
        data["fingerprint"] = fp
        if fix_audit_cert and resign_with is not None:
            data["certificate_sha256"] = resign_with.fingerprint
        conn.execute("UPDATE audit_entries SET new_value = ? WHERE id = ?",
                     (audit.as_text(data), rid))
        _rechain(conn)
        for ddl in AUDIT_TRIGGERS:
            conn.execute(ddl)


def test_strong_attacker_recomputing_every_hash_is_caught(signed, capsys):
    _strong_edit(signed)
    assert "no longer verifies" in _problem(signed)
    _check_fails(capsys, signed)


def test_strong_attacker_re_signing_with_their_own_key_is_caught(signed, capsys):
    _strong_edit(signed, resign_with=identity_for("Mallory"))
    assert "different certificate" in _problem(signed)
    _check_fails(capsys, signed)


def test_re_signing_and_rewriting_the_audit_log_shows_an_untrusted_certificate(signed, capsys):
    """If the attacker also rewrites the audit row, the record verifies, but `check` names the
    certificate, and it is not the scrutineer's (not pinned, not from a trusted issuer)."""
    mallory = identity_for("Mallory")
    _strong_edit(signed, resign_with=mallory, fix_audit_cert=True)
    _code, out, _err = run_cli(capsys, "check", str(signed))
    assert mallory.fingerprint in out and "self-signed, not pinned" in out
    assert scrutineer_id().fingerprint not in out


def test_check_lists_each_signature_with_its_certificate_and_trust(countersigned, capsys):
    code, out, err = run_cli(capsys, "check", str(countersigned))
    assert code == 0, err
    lines = [line for line in out.splitlines() if line.startswith(("sign-off:", "countersignature:"))]
    assert len(lines) == 2
    assert "Ann Jones" in lines[0] and scrutineer_id().fingerprint in lines[0]
    assert "signature valid" in lines[0] and "self-signed, not pinned" in lines[0]
    assert "Chris Chair" in lines[1] and chair_id().fingerprint in lines[1]


def test_removing_the_signature_to_pose_as_format_1_is_caught(signed):
    tamper(signed, "UPDATE signoffs SET signature = NULL, certificate_der = NULL, "
                   "signed_payload_version = 0")
    assert "removed" in _problem(signed)


def test_a_format_1_sign_off_is_reported_as_made_without_a_key(signed, capsys):
    """What an upgraded format-1 signed document holds: no key signature, and an audit row
    without a certificate.  It is reported as such, never as valid."""
    with contextlib.closing(sqlite3.connect(str(signed), isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER audit_entries_no_update")
        conn.execute("DROP TRIGGER audit_entries_no_delete")
        conn.execute("UPDATE signoffs SET signature = NULL, certificate_der = NULL, "
                     "signed_payload_version = 0, signed_pdf = NULL")
        rid, new = conn.execute("SELECT id, new_value FROM audit_entries "
                                "WHERE action = 'assessment.signed_off'").fetchone()
        data = {k: v for k, v in json.loads(new).items()
                if k not in ("signed_at", "certificate_sha256", "signed_payload_version",
                             "signed_pdf_sha256")}
        conn.execute("UPDATE audit_entries SET new_value = ? WHERE id = ?",
                     (audit.as_text(data), rid))
        _rechain(conn)
        for ddl in AUDIT_TRIGGERS:
            conn.execute(ddl)
    with assessments.open_assessment(signed, readonly=True) as doc:
        assert integrity_report(doc).ok
        assert [c.state for c in signature_checks(doc)] == [NO_KEY]
    code, out, _err = run_cli(capsys, "check", str(signed))
    assert code == 0
    assert "made without a key (format 1)" in out and "signature valid" not in out


def test_golden_format_1_document_upgrades_to_the_current_format(tmp_path):
    from scrutiny_desktop.storage import FORMAT_VERSION

    path = copy_document(Path(__file__).parent / "fixtures" / "golden-format1.scrutiny", tmp_path,
                         "old.scrutiny")
    with assessments.open_assessment(path) as doc:
        assert integrity_report(doc).ok
        assert signature_checks(doc) == []
    with contextlib.closing(sqlite3.connect(str(path))) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION
        cols = {r[1] for r in conn.execute("PRAGMA table_info(signoffs)")}
    assert {"signature", "certificate_der", "signed_payload_version", "signed_pdf"} <= cols


# -- the command line -------------------------------------------------------------------------


def test_cli_keys_sign_and_countersign(tmp_path, capsys, answered):
    path = copy_document(answered, tmp_path, "cli.scrutiny")
    pw = tmp_path / "pass.txt"
    pw.write_text("a long passphrase\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "keys", "new", str(tmp_path / "ann.p12"), "--name", "Ann Jones",
                             "--email", "ann@example.org", "--passphrase-file", str(pw))
    assert code == 0, err
    fingerprint = out.split("SHA-256 fingerprint: ")[1].strip()
    assert fingerprint == load_identity(tmp_path / "ann.p12", b"a long passphrase").fingerprint

    base = ["--key", str(tmp_path / "ann.p12"), "--passphrase-file", str(pw),
            "--name", "Ann Jones", "--role", "Scrutineer"]
    code, _out, err = run_cli(capsys, "sign", str(path), *base)
    assert code == 1 and "--confirm" in err and err.startswith("error:")
    bad = tmp_path / "bad.txt"
    bad.write_text("wrong\n", encoding="utf-8")
    code, _out, err = run_cli(capsys, "sign", str(path), *base[:2], "--passphrase-file", str(bad),
                              *base[4:], "--confirm")
    assert code == 1 and "passphrase" in err and len(err.strip().splitlines()) == 1
    code, out, err = run_cli(capsys, "sign", str(path), *base, "--confirm")
    assert code == 0, err
    assert fingerprint in out

    # The review is not ready yet: one error line.
    chair = ["--key", str(identity_path("Chris Chair")), "--passphrase-file", str(tmp_path / "c.txt"),
             "--name", "Chris Chair", "--role", "Chair", "--confirm"]
    (tmp_path / "c.txt").write_bytes(PASSPHRASE + b"\n")
    code, _out, err = run_cli(capsys, "countersign", str(path), *chair)
    assert code == 1 and "cannot be countersigned yet" in err
    with assessments.open_assessment(path) as doc:
        _prepare_review(doc)
    code, out, err = run_cli(capsys, "countersign", str(path), *chair)
    assert code == 0, err
    code, out, err = run_cli(capsys, "check", str(path))
    assert code == 0, err
    assert out.count("signature valid") == 2


def test_cli_sign_refuses_a_document_not_ready(tmp_path, capsys, new_doc_path):
    (tmp_path / "p.txt").write_bytes(PASSPHRASE + b"\n")
    code, _out, err = run_cli(capsys, "sign", str(new_doc_path), "--key", str(identity_path()),
                              "--passphrase-file", str(tmp_path / "p.txt"), "--name", "Ann Jones",
                              "--role", "Scrutineer", "--confirm")
    assert code == 1 and "cannot be signed off yet" in err
    assert len(err.strip().splitlines()) == 1


# -- JSON export and import ----------------------------------------------------------------------


def test_json_import_keeps_the_signatures(countersigned, tmp_path):
    from scrutiny_desktop.report.jsonio import export_json
    from scrutiny_desktop.services.transfer import import_json

    with assessments.open_assessment(countersigned, readonly=True) as doc:
        export_json(doc, tmp_path / "out.json")
    copy = import_json(tmp_path / "out.json", tmp_path / "copy.scrutiny")
    with assessments.open_assessment(copy, readonly=True) as doc:
        assert [c.state for c in signature_checks(doc)] == [VALID, VALID]
        assert signoff.current_signoff(doc).certificate_sha256 == scrutineer_id().fingerprint


def test_a_format_1_json_export_still_imports(tmp_path, answered):
    """Format 1 had no certificate_pem, signature_base64 or signed_payload_version."""
    from scrutiny_desktop.report.jsonio import dumps, export_data
    from scrutiny_desktop.services.transfer import import_json

    with assessments.open_assessment(answered, readonly=True) as doc:
        data = export_data(doc)
    data["format"]["version"] = 1
    for sig in data["signoffs"]:
        for key in ("certificate_pem", "signature_base64", "signed_payload_version"):
            sig.pop(key)
    (tmp_path / "v1.json").write_bytes(dumps(data))
    copy = import_json(tmp_path / "v1.json", tmp_path / "v1.scrutiny")
    with assessments.open_assessment(copy, readonly=True) as doc:
        assert integrity_report(doc).ok


def test_golden_format_2_document_opens_with_a_valid_signature(tmp_path):
    """The signed-off format-2 golden (tests/fixtures/make_golden.py): its stored signature
    verifies with today's code (a later format must keep it so)."""
    from tests.fixtures.make_golden import JUDGEMENTS, SIGNER

    path = copy_document(Path(__file__).parent / "fixtures" / "golden-format2.scrutiny", tmp_path,
                         "golden2.scrutiny")
    with contextlib.closing(sqlite3.connect(str(path))) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    with assessments.open_assessment(path, readonly=True) as doc:
        assert integrity_report(doc).ok
        checks = signature_checks(doc)
        assert [(c.kind, c.name, c.state) for c in checks] == [("sign-off", SIGNER["name"], VALID)]
        for qid, value in JUDGEMENTS.items():
            assert answers.get_answer(doc, qid).judgement == value


@pytest.mark.parametrize("sql", [
    "UPDATE signoffs SET signed_at = '2020-01-01T09:00:00.000000+00:00'",
    "INSERT INTO review_comments (question_id, author, text, updated_at) VALUES "
    "(NULL, 'chair', 'All fine', '2026-01-01T00:00:00.000000+00:00')",
    "UPDATE attachments SET media_type = 'application/x-msdownload'",
    "UPDATE assessments SET created_at = '2019-01-01T00:00:00.000000+00:00'",
    "UPDATE assessments SET modified_at = '2019-01-01T00:00:00.000000+00:00'",
    "UPDATE answers SET updated_at = '2019-01-01T00:00:00.000000+00:00' WHERE question_id = 'ARR-01'",
    "UPDATE signoffs SET voided_by = 'Mallory'",
])
def test_verify_against_fails_after_each_tamper(signed, tmp_path, capsys, sql):
    """The signed PDF verifies against the untouched file, and no longer after the edit."""
    with assessments.open_assessment(signed, readonly=True) as doc:
        pdf = signing.export_pdf(doc, tmp_path / "signed.pdf")
    code, _out, err = run_cli(capsys, "verify", str(pdf), "--against", str(signed))
    assert code == 0, err
    tamper(signed, sql)
    code, _out, err = run_cli(capsys, "verify", str(pdf), "--against", str(signed))
    assert code == 1 and err.startswith("error:") and "does not match" in err


def test_verify_against_fails_when_the_triggers_are_dropped(signed, tmp_path, capsys):
    with assessments.open_assessment(signed, readonly=True) as doc:
        pdf = signing.export_pdf(doc, tmp_path / "signed.pdf")
    tamper_raw(signed)
    code, _out, err = run_cli(capsys, "verify", str(pdf), "--against", str(signed))
    assert code == 1 and "trigger" in err


def test_a_certificate_issued_by_a_trusted_ca_is_trusted(tmp_path, scrutineer_identity):
    from scrutiny_desktop.services.identity import load_certificates

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Northshire Council CA")])
    now = dt.datetime.now(dt.UTC)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(7)
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    user = (x509.CertificateBuilder().subject_name(scrutineer_identity.certificate.subject)
            .issuer_name(ca_name).public_key(scrutineer_identity.private_key.public_key())
            .serial_number(8).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(ca_key, hashes.SHA256()))
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    issuers, problems = load_certificates([str(tmp_path / "ca.pem"), str(tmp_path / "missing.pem")])
    assert len(issuers) == 1 and len(problems) == 1
    der = user.public_bytes(serialization.Encoding.DER)
    assert trust_of(der, trusted_issuers=issuers) == (True, "trusted (issued by Northshire Council CA)")
    assert trust_of(der) == (False, "issued by Northshire Council CA, which is not a trusted issuer")


def test_managed_signing_settings_come_before_the_users():
    from scrutiny_desktop.settings import Managed, ManagedConfig, Settings, effective

    managed = Managed(ManagedConfig(signing_key="/srv/keys/me.p12", trusted_issuers=["/srv/ca.pem"],
                                    pinned_fingerprints=["AA:BB"], locked=["signing_key"]), None)
    user = Settings(signing_key="/home/me/other.p12", pinned_fingerprints=["CC:DD"])
    out = effective(user, managed)
    assert out.signing_key == "/srv/keys/me.p12"
    assert out.trusted_issuers == ["/srv/ca.pem"]
    assert out.pinned_fingerprints == ["AA:BB", "CC:DD"]
    assert "signing certificate (set by your organisation)" in managed.describe()


def test_golden_format_2_document_upgrades_to_the_current_format(tmp_path, capsys):
    """A format-2 file (signed off with a key, before signed PDFs) reads unchanged through
    check, updates to the current format when opened for editing with its signature still
    valid, and exports a PDF that verify calls unsigned rather than trusting its metadata."""
    from scrutiny_desktop.services.signatures import pdf_to_export
    from scrutiny_desktop.storage import FORMAT_VERSION

    path = copy_document(Path(__file__).parent / "fixtures" / "golden-format2.scrutiny", tmp_path,
                         "golden2.scrutiny")
    before = path.read_bytes()
    code, out, err = run_cli(capsys, "check", path)
    assert code == 0, err
    assert "format: 2 (an earlier format" in out and path.read_bytes() == before
    with assessments.open_assessment(path) as doc:
        assert [c.state for c in signature_checks(doc)] == [VALID]
        assert pdf_to_export(doc) is None
        pdf = signing.export_pdf(doc, tmp_path / "golden2.pdf")
    with contextlib.closing(sqlite3.connect(str(path))) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION
    code, out, err = run_cli(capsys, "verify", pdf, "--against", path)
    assert code == 1 and "no digital signature was found" in err
