"""Encrypted assessments (SQLCipher 4): nothing readable in the file, a wrong or missing
passphrase refused without changing a byte, and everything else working as on a plain
document: recovery, migration, copies, exports, comparison, carry-forward, library."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from scrutiny_desktop import errors
from scrutiny_desktop.report.csvout import export_csv
from scrutiny_desktop.report.jsonio import export_json
from scrutiny_desktop.services import answers, assessments, encryption, evidence, library
from scrutiny_desktop.services.assessments import create_assessment, open_assessment
from scrutiny_desktop.services.carry_forward import carry_forward
from scrutiny_desktop.services.compare import compare_paths
from scrutiny_desktop.services.fingerprint import content_fingerprint
from scrutiny_desktop.services.integrity import integrity_report
from scrutiny_desktop.storage import APPLICATION_ID, FORMAT_VERSION, fileformat, lockfile
from scrutiny_desktop.storage.sqlite import connect, table_digests
from tests.fixtures import badfiles
from tests.helpers import FIXTURES, KEPT, NORTHSHIRE_DETAILS, export_pdf

PASS = "Tiger 'orchard' \"lamp\" ünïcode ☂ river"  # quotes of both kinds, non-ASCII
OTHER = "a completely different passphrase"
FINDINGS = "Zebrafinch-findings: the partnership's escalation policy is not followed."
TITLE = "Quokka-evidence-title of the board minutes"
ATTACHMENT = b"Narwhal-attachment-bytes: case review summary, strictly confidential.\n" * 40
ATTACHMENT_NAME = "wombat-attachment-name.txt"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def fill(doc, folder: Path) -> None:
    answers.set_findings(doc, "ARR-01", FINDINGS)
    answers.set_judgement(doc, "ARR-01", "strong")
    source = folder / ATTACHMENT_NAME
    source.write_bytes(ATTACHMENT)
    evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput(TITLE), attach=source)
    source.unlink()


@pytest.fixture
def enc(tmp_path, cis) -> Path:
    """An encrypted document with findings, a judgement, evidence and an attachment."""
    path = create_assessment(tmp_path / "secret.scrutiny", cis, NORTHSHIRE_DETAILS,
                             passphrase=PASS)
    with open_assessment(path, passphrase=PASS, lock=True) as doc:
        fill(doc, tmp_path)
    return path


@pytest.fixture
def plain(tmp_path, cis) -> Path:
    folder = tmp_path / "plain"
    folder.mkdir()
    path = create_assessment(folder / "plain.scrutiny", cis, NORTHSHIRE_DETAILS)
    with open_assessment(path) as doc:
        fill(doc, folder)
    return path


def digests(path: Path, passphrase: str | None) -> dict[str, str]:
    with closing(fileformat.connect_ro(path, passphrase)) as conn:
        return table_digests(conn)


# -- nothing readable --------------------------------------------------------------------

def test_no_findings_title_attachment_or_file_name_in_the_raw_bytes(enc, plain):
    """Every secret is in the plain document's bytes (so this test can fail) and none in
    the encrypted one's; nothing is left beside the encrypted file."""
    secrets = [FINDINGS.encode(), TITLE.encode(), ATTACHMENT[:40], ATTACHMENT_NAME.encode(),
               b"Northshire", b"SQLite format 3"]
    plain_bytes = plain.read_bytes()
    assert all(s in plain_bytes for s in secrets)
    raw = enc.read_bytes()
    for secret in secrets:
        assert secret not in raw
    assert [n for n in listing(enc.parent) if n.startswith(enc.name)] == [enc.name]
    assert fileformat.is_encrypted(enc) and not fileformat.is_encrypted(plain)


def test_python_sqlite3_cannot_read_it(enc):
    with closing(sqlite3.connect(enc)) as conn, pytest.raises(sqlite3.DatabaseError,
                                                              match="not a database"):
        conn.execute("SELECT * FROM answers").fetchall()


def test_it_is_a_standard_sqlcipher_4_file_that_opens_with_the_passphrase(enc):
    """Any SQLCipher 4 tool opens it with the passphrase itself (SQLCipher's own key
    derivation), so the key derived once in this process is the one SQLCipher derives."""
    with closing(sqlcipher.connect(str(enc))) as conn:
        conn.execute("PRAGMA key = '" + PASS.replace("'", "''") + "'")
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION
        findings = conn.execute("SELECT findings FROM answers WHERE question_id = 'ARR-01'")
        assert findings.fetchone()[0] == FINDINGS


def test_a_file_sqlcipher_itself_encrypted_opens_with_the_passphrase(plain, tmp_path):
    """The other way round: SQLCipher derives the key from the passphrase and a salt it
    chose (``sqlcipher_export`` to a database attached with the passphrase), and the app
    opens the result with the same passphrase."""
    target = tmp_path / "by-sqlcipher.scrutiny"
    with closing(sqlcipher.connect(str(plain), isolation_level=None)) as conn:
        versions = [conn.execute(f"PRAGMA {p}").fetchone()[0]
                    for p in ("user_version", "application_id")]
        conn.execute(f"ATTACH DATABASE '{target}' AS x KEY '" + PASS.replace("'", "''") + "'")
        conn.execute("SELECT sqlcipher_export('x')").fetchall()
        conn.execute(f"PRAGMA x.user_version = {versions[0]}")
        conn.execute(f"PRAGMA x.application_id = {versions[1]}")
        conn.execute("DETACH DATABASE x")
    assert fileformat.is_encrypted(target)
    with pytest.raises(errors.PassphraseNeeded):
        fileformat.read_header(target)  # a check that takes no passphrase asks for one
    with open_assessment(target, passphrase=PASS) as doc:
        assert doc.encrypted and answers.get_answer(doc, "ARR-01").findings == FINDINGS
        assert integrity_report(doc).ok


def test_take_over_editing_of_an_encrypted_document(enc):
    lockfile.lock_path(enc).write_text(json.dumps(
        {"user": "bea", "host": "PC-LAPTOP-17", "pid": 99,
         "since": "2026-01-05T09:30:00+00:00"}), encoding="utf-8")
    with pytest.raises(errors.DocumentInUse) as info:
        open_assessment(enc, lock=True, passphrase=PASS)
    assert info.value.can_take_over
    with pytest.raises(errors.WrongPassphrase):
        assessments.take_over(enc, "Ann Jones", passphrase=OTHER)
    with assessments.take_over(enc, "Ann Jones", passphrase=PASS) as doc:
        assert not doc.readonly and doc.encrypted and doc.took_over_from is not None


def test_a_patterned_or_random_looking_file_is_told_apart(tmp_path, pristine):
    """The bad-file set's patterned 4096 bytes is not taken for an encrypted document;
    a file of random whole pages is, and opening it asks for a passphrase."""
    patterned = badfiles.make_random(tmp_path, pristine)
    assert not fileformat.is_encrypted(patterned)
    with pytest.raises(errors.NotADocument):
        open_assessment(patterned)
    noise = tmp_path / "noise.scrutiny"
    noise.write_bytes(os.urandom(8192))
    assert fileformat.is_encrypted(noise)
    with pytest.raises(errors.PassphraseNeeded):
        open_assessment(noise)
    with pytest.raises(errors.WrongPassphrase):
        open_assessment(noise, passphrase=PASS)


# -- refused cleanly ---------------------------------------------------------------------

@pytest.mark.parametrize("given", [None, "tiger 'orchard' \"lamp\" ünïcode ☂ river", ""])
@pytest.mark.parametrize("how", ["edit", "lock", "readonly"])
def test_a_missing_or_wrong_passphrase_changes_nothing(enc, given, how):
    before, names = sha(enc), listing(enc.parent)
    expected = errors.PassphraseNeeded if given is None else errors.WrongPassphrase
    with pytest.raises(expected) as info:
        open_assessment(enc, passphrase=given, readonly=how == "readonly", lock=how == "lock")
    message = str(info.value)
    assert "\n" not in message and enc.name in message
    if given is None:
        assert message == f"{enc.name} is encrypted. Enter its passphrase to open it."
    else:
        assert "Nothing was changed" in message and "capital letters count" in message
    assert sha(enc) == before
    assert listing(enc.parent) == names  # no lock file, journal or copy left


def test_a_plain_document_ignores_a_passphrase(plain):
    with open_assessment(plain, passphrase=PASS) as doc:
        assert not doc.encrypted and doc.passphrase is None
        assert answers.get_answer(doc, "ARR-01").findings == FINDINGS


def test_the_open_document_knows_it_is_encrypted_and_reads_everything(enc):
    with open_assessment(enc, passphrase=PASS) as doc:
        assert doc.encrypted and doc.passphrase == PASS
        assert not doc.readonly
        answer = answers.get_answer(doc, "ARR-01")
        assert answer.findings == FINDINGS and answer.judgement == "strong"
        (item,) = answer.evidence
        assert item.title == TITLE and item.attachment.filename == ATTACHMENT_NAME
        _view, content = evidence.attachment_content(doc, item.attachment.id)
        assert content == ATTACHMENT
        assert integrity_report(doc).ok


def test_save_copy_keeps_the_encryption_and_passphrase(enc, tmp_path):
    with open_assessment(enc, passphrase=PASS) as doc:
        copy = assessments.save_copy(doc, tmp_path / "copy.scrutiny")
    assert fileformat.is_encrypted(copy) and FINDINGS.encode() not in copy.read_bytes()
    with pytest.raises(errors.PassphraseNeeded):
        open_assessment(copy)
    with open_assessment(copy, passphrase=PASS, readonly=True) as doc:
        assert answers.get_answer(doc, "ARR-01").findings == FINDINGS


# -- passphrases -------------------------------------------------------------------------

def test_strength_scores_and_hints():
    assert encryption.strength("")[0] == 0
    assert encryption.strength("password1")[0] == 0
    score, hint = encryption.strength("short1")
    assert score <= 1 and hint.startswith("Weak: use at least 10 characters")
    assert encryption.strength("plainlonger")[0] == 2
    assert encryption.strength("correct horse battery staple")[0] == 4
    assert all(len(encryption.strength(p)[1].splitlines()) == 1
               for p in ("", "x", "password", "abcdefghijk", "correct horse battery staple"))


def test_check_new_passphrase_says_what_is_wrong():
    with pytest.raises(errors.PassphraseTooWeak, match="too short"):
        encryption.check_new_passphrase("short", "short")
    with pytest.raises(errors.PassphraseTooWeak, match="first anyone would try"):
        encryption.check_new_passphrase("password123", "password123")
    with pytest.raises(errors.InvalidInput, match="do not match"):
        encryption.check_new_passphrase("correct horse battery", "correct horse batery")
    encryption.check_new_passphrase("correct horse battery", "correct horse battery")


def test_changing_the_passphrase_keeps_every_record_and_the_audit_chain(enc):
    before = digests(enc, PASS)
    with open_assessment(enc, passphrase=PASS, readonly=True) as doc:
        fingerprint, rows = content_fingerprint(doc), integrity_report(doc).audit_rows
    names = listing(enc.parent)
    encryption.change_passphrase(enc, PASS, OTHER, actor="Ann Jones")
    assert listing(enc.parent) == names  # replaced in place, nothing left beside it
    with pytest.raises(errors.WrongPassphrase):
        open_assessment(enc, passphrase=PASS)
    after = digests(enc, OTHER)
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= {"audit_entries", "assessments"}  # one audit row and its head
    with open_assessment(enc, passphrase=OTHER) as doc:
        report = integrity_report(doc)
        assert report.ok and report.audit_rows == rows + 1
        assert content_fingerprint(doc) == fingerprint
        from tests.helpers import audit_rows

        last = audit_rows(doc)[-1]
        assert (last.action, last.actor) == ("file.passphrase_changed", "Ann Jones")
    assert FINDINGS.encode() not in enc.read_bytes()


def test_a_wrong_old_passphrase_or_an_editor_elsewhere_stops_the_change(enc):
    before = sha(enc)
    with pytest.raises(errors.WrongPassphrase):
        encryption.change_passphrase(enc, OTHER, "yet another passphrase")
    lock = lockfile.lock_path(enc)
    lock.write_text(json.dumps({"user": "bea", "host": "PC-LAPTOP-17", "pid": 99,
                                "since": "2026-01-05T09:30:00+00:00"}), encoding="utf-8")
    assert socket.gethostname() != "PC-LAPTOP-17"
    with pytest.raises(errors.DocumentInUse, match="bea on PC-LAPTOP-17"):
        encryption.change_passphrase(enc, PASS, OTHER)
    lock.unlink()
    assert sha(enc) == before
    assert listing(enc.parent) == [enc.name]


def test_encrypt_and_decrypt_copies_round_trip(plain, tmp_path):
    original = digests(plain, None)
    with open_assessment(plain, readonly=True) as doc:
        fingerprint = content_fingerprint(doc)
    plain_before = sha(plain)
    locked = encryption.encrypt_copy(plain, tmp_path / "locked.scrutiny", PASS)
    assert sha(plain) == plain_before, "the original is only read"
    assert fileformat.is_encrypted(locked) and FINDINGS.encode() not in locked.read_bytes()
    with pytest.raises(FileExistsError):
        encryption.encrypt_copy(plain, locked, PASS)
    back = encryption.decrypt_copy(locked, tmp_path / "back.scrutiny", passphrase=PASS)
    assert back.read_bytes().startswith(b"SQLite format 3\x00")
    assert FINDINGS.encode() in back.read_bytes()
    with open_assessment(back) as doc:
        assert content_fingerprint(doc) == fingerprint
        report = integrity_report(doc)
        assert report.ok
        from tests.helpers import audit_rows

        assert [r.action for r in audit_rows(doc)[-2:]] == ["file.encrypted",
                                                            "file.encryption_removed"]
    roundtrip = digests(back, None)
    assert {k for k in original if original[k] != roundtrip[k]} <= {"audit_entries", "assessments"}
    with pytest.raises(errors.WrongPassphrase):
        encryption.decrypt_copy(locked, tmp_path / "nope.scrutiny", passphrase=OTHER)
    assert not (tmp_path / "nope.scrutiny").exists()
    assert not [n for n in listing(tmp_path) if n.startswith(".")], "no temporary file left"


# -- crashes -----------------------------------------------------------------------------

def crash_encrypted(path: Path, passphrase: str, *statements: str) -> None:
    """A child process keyed with ``passphrase`` runs the statements in one write
    transaction and dies before committing, as a kill -9 would leave it."""
    key = "'" + passphrase.replace("'", "''") + "'"
    script = ("import os\nfrom sqlcipher3 import dbapi2 as s\n"
              f"c = s.connect({str(path)!r}, isolation_level=None)\n"
              f"c.execute({f'PRAGMA key = {key}'!r})\n"
              "c.execute('PRAGMA cache_size = 2')\n"
              "c.execute('BEGIN IMMEDIATE')\n"
              + "".join(f"c.execute({s!r})\n" for s in statements)
              + "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


@pytest.fixture
def crashed(enc) -> Path:
    with open_assessment(enc, passphrase=PASS) as doc:
        answers.set_findings(doc, "ARR-02", KEPT)
    crash_encrypted(enc, PASS, "UPDATE answers SET findings = hex(randomblob(20000))")
    journal = fileformat.journal_path(enc)
    assert journal.exists() and journal.read_bytes()[:8] == bytes.fromhex("d9d505f920a163d7")
    return enc


def test_an_encrypted_document_with_an_interrupted_save_recovers(crashed):
    with open_assessment(crashed, passphrase=PASS, lock=True) as doc:
        assert doc.recovered_interrupted_save and not doc.readonly
        assert doc.recovered_backup is not None and fileformat.is_encrypted(doc.recovered_backup)
        assert answers.get_answer(doc, "ARR-02").findings == KEPT
        assert answers.get_answer(doc, "ARR-01").findings == FINDINGS
        assert integrity_report(doc).ok
    assert not fileformat.journal_path(crashed).exists()


def test_read_only_recovery_and_a_wrong_passphrase_leave_the_crashed_files_alone(crashed):
    journal = fileformat.journal_path(crashed)
    before = (sha(crashed), sha(journal), listing(crashed.parent))
    with pytest.raises(errors.WrongPassphrase):
        open_assessment(crashed, passphrase=OTHER)
    with pytest.raises(errors.PassphraseNeeded):
        open_assessment(crashed)
    assert (sha(crashed), sha(journal), listing(crashed.parent)) == before
    with open_assessment(crashed, passphrase=PASS, readonly=True) as doc:
        assert doc.recovered_interrupted_save and doc.db_path != crashed
        assert answers.get_answer(doc, "ARR-02").findings == KEPT
    assert (sha(crashed), sha(journal), listing(crashed.parent)) == before
    summary = library.summarise_file(crashed, passphrase=PASS)
    assert summary.ok and summary.encrypted
    assert (sha(crashed), sha(journal), listing(crashed.parent)) == before


# -- older formats -----------------------------------------------------------------------

def test_an_encrypted_older_document_migrates_with_an_encrypted_backup(tmp_path):
    golden = tmp_path / "golden.scrutiny"
    shutil.copyfile(FIXTURES / "golden-format1.scrutiny", golden)
    old = encryption.encrypt_copy(golden, tmp_path / "golden-locked.scrutiny", PASS)
    with closing(connect(old, passphrase=PASS)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1, "the format is kept"
    with open_assessment(old, passphrase=PASS, readonly=True) as doc:
        assert doc.format_version == 1
    with open_assessment(old, passphrase=PASS) as doc:
        assert doc.format_version == FORMAT_VERSION and doc.backup_path is not None
        backup = doc.backup_path
        assert answers.get_answer(doc, "ARR-01").judgement == "strong"
        assert answers.get_answer(doc, "ARR-01").findings.startswith("Terms of reference seen.")
        assert integrity_report(doc).ok
    assert fileformat.is_encrypted(old) and fileformat.is_encrypted(backup)
    with closing(connect(backup, passphrase=PASS)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    with open_assessment(golden) as doc:  # the plain golden file still migrates too
        assert doc.format_version == FORMAT_VERSION


# -- exports, comparison, carry-forward, library -----------------------------------------

def test_exports_from_an_encrypted_document_are_plain_files(enc, tmp_path):
    with open_assessment(enc, passphrase=PASS, readonly=True) as doc:
        data = json.loads(export_json(doc, tmp_path / "out.json").read_text(encoding="utf-8"))
        csv_text = export_csv(doc, tmp_path / "out.csv").read_text(encoding="utf-8-sig")
        pdf = export_pdf(doc, tmp_path / "out.pdf").read_bytes()
    assert FINDINGS in json.dumps(data, ensure_ascii=False)
    assert FINDINGS in csv_text
    assert pdf.startswith(b"%PDF-")


def test_carry_forward_keeps_or_changes_the_encryption(enc, plain, tmp_path):
    same = carry_forward(enc, tmp_path / "next.scrutiny", period="2026-27",
                         scrutineer_name="Ann Jones", passphrase=PASS).path
    assert fileformat.is_encrypted(same)
    with open_assessment(same, passphrase=PASS, readonly=True) as doc:
        assert assessments.info(doc).previous_period == "2025-26"
    new = carry_forward(enc, tmp_path / "next2.scrutiny", period="2026-27",
                        scrutineer_name="Ann Jones", passphrase=PASS, new_passphrase=OTHER).path
    with pytest.raises(errors.WrongPassphrase):
        open_assessment(new, passphrase=PASS)
    open_assessment(new, passphrase=OTHER).close()
    from_plain = carry_forward(plain, tmp_path / "next3.scrutiny", period="2026-27",
                               scrutineer_name="Ann Jones", new_passphrase=OTHER).path
    assert fileformat.is_encrypted(from_plain)
    stays_plain = carry_forward(plain, tmp_path / "next4.scrutiny", period="2026-27",
                                scrutineer_name="Ann Jones").path
    assert not fileformat.is_encrypted(stays_plain)
    with pytest.raises(errors.PassphraseNeeded):
        carry_forward(enc, tmp_path / "next5.scrutiny", period="2026-27", scrutineer_name="Ann")


def test_compare_across_encrypted_files(enc, tmp_path):
    later = carry_forward(enc, tmp_path / "later.scrutiny", period="2026-27",
                          scrutineer_name="Ann Jones", passphrase=PASS,
                          new_passphrase=OTHER, bring_judgements=True).path
    with open_assessment(later, passphrase=OTHER) as doc:
        answers.confirm_judgement(doc, "ARR-01")
    result = compare_paths(enc, later, passphrases={enc: PASS, later: OTHER})
    (arr01,) = [q for q in result.questions if q.question_id == "ARR-01"]
    assert arr01.earlier_judgement == arr01.later_judgement == "strong"
    assert arr01.earlier_findings == FINDINGS
    with pytest.raises(errors.PassphraseNeeded):
        compare_paths(enc, later, passphrases={enc: PASS})


def test_the_library_lists_an_encrypted_file_by_name_until_unlocked(enc, tmp_path):
    before = sha(enc)
    locked = library.summarise_file(enc)
    assert (locked.encrypted, locked.ok, locked.error) == (True, False, "")
    assert locked.status_label == "Encrypted" and locked.partnership == ""
    wrong = library.summarise_file(enc, passphrase=OTHER)
    assert wrong.encrypted and not wrong.ok and "does not open" in wrong.error
    unlocked = library.summarise_file(enc, passphrase=PASS)
    assert unlocked.ok and unlocked.encrypted
    assert unlocked.partnership == NORTHSHIRE_DETAILS.partnership and unlocked.answered == 1
    rows = library.list_library([tmp_path], passphrases={enc: PASS})
    (row,) = [r for r in rows if r.path.name == enc.name]
    assert row.ok and row.encrypted
    assert sha(enc) == before


def test_a_program_writing_an_encrypted_document_is_reported_not_called_damaged(enc):
    """SQLCipher's "database is locked" is told apart by its result code like sqlite3's:
    opening for editing, ``check``'s read-only open and a save all say "being changed"."""
    key = "'" + PASS.replace("'", "''") + "'"
    script = ("import sys\nfrom sqlcipher3 import dbapi2 as s\n"
              f"c = s.connect({str(enc)!r}, isolation_level=None)\n"
              f"c.execute({f'PRAGMA key = {key}'!r})\n"
              "c.execute('BEGIN EXCLUSIVE')\n"
              "c.execute(\"UPDATE answers SET findings = 'x' WHERE question_id = 'ARR-03'\")\n"
              "print('writing', flush=True)\nsys.stdin.read()\nc.execute('ROLLBACK')\n")
    with open_assessment(enc, passphrase=PASS) as doc, \
            subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True) as writer:
        assert writer.stdout.readline().strip() == "writing"
        try:
            with pytest.raises(errors.DocumentInUse):
                answers.set_findings(doc, "ARR-02", "Typed while another program writes.")
            with pytest.raises(errors.DocumentInUse):
                open_assessment(enc, passphrase=PASS)
        finally:
            writer.stdin.close()
            writer.wait(timeout=30)
        answers.set_findings(doc, "ARR-02", "Saved once the other program finished.")


def test_encrypting_and_decrypting_a_signed_document_in_place(plain):
    """File > Encrypt and Remove encryption replace the file only with a checked copy: the
    signature, the signed PDF kept in it and the audit chain still check out."""
    from scrutiny_desktop.services.integrity import VALID, signature_checks
    from scrutiny_desktop.services.signatures import pdf_to_export
    from tests.helpers import make_signed

    fingerprint = make_signed(plain)
    names = listing(plain.parent)
    with pytest.raises(errors.InvalidInput, match="not encrypted"):
        encryption.decrypt_file(plain, PASS)
    encryption.encrypt_file(plain, PASS, actor="Ann Jones")
    assert listing(plain.parent) == names
    assert fileformat.is_encrypted(plain) and FINDINGS.encode() not in plain.read_bytes()
    with pytest.raises(errors.InvalidInput, match="already encrypted"):
        encryption.encrypt_file(plain, OTHER)
    with open_assessment(plain, passphrase=PASS) as doc:
        assert integrity_report(doc).ok and content_fingerprint(doc) == fingerprint
        assert [c.state for c in signature_checks(doc)] == [VALID]
        assert pdf_to_export(doc) is not None
    with pytest.raises(errors.WrongPassphrase):
        encryption.decrypt_file(plain, OTHER)
    encryption.decrypt_file(plain, PASS, actor="Ann Jones")
    assert not fileformat.is_encrypted(plain) and listing(plain.parent) == names
    with open_assessment(plain) as doc:
        assert integrity_report(doc).ok and content_fingerprint(doc) == fingerprint
        assert [c.state for c in signature_checks(doc)] == [VALID]
