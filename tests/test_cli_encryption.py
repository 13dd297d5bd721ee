"""The command line on encrypted documents: ``--encrypt --passphrase-file F`` to make one,
``--passphrase-file F`` to open one, and a missing or wrong passphrase as exit 1 with
one ``error:`` line that leaves the file as it was."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from scrutiny_desktop.services import answers
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.storage import fileformat
from tests.helpers import MINI, PASSPHRASE, cli_error, identity_path, run_cli

SECRET = "Pangolin findings that only the passphrase may reveal."


@pytest.fixture
def keys(tmp_path) -> dict[str, Path]:
    out = {}
    for name, text in (("pw", "copper kettle mountain"), ("bad", "Copper kettle mountain"),
                       ("new", "seven silver swans swimming"), ("weak", "short")):
        out[name] = tmp_path / f"{name}.txt"
        out[name].write_text(text + "\n", encoding="utf-8")
    return out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def enc(tmp_path, capsys, keys) -> Path:
    path = tmp_path / "locked.scrutiny"
    code, out, err = run_cli(capsys, "new", path, "--partnership", "Northshire", "--period",
                             "2025-26", "--scrutineer", "Ann Jones", "--template", MINI,
                             "--encrypt", "--passphrase-file", keys["pw"])
    assert code == 0, err
    assert out.strip().endswith(", encrypted")
    with open_assessment(path, passphrase="copper kettle mountain") as doc:
        answers.set_findings(doc, "Q1", SECRET)
    assert fileformat.is_encrypted(path) and SECRET.encode() not in path.read_bytes()
    return path


def test_new_refuses_a_weak_or_missing_passphrase(tmp_path, capsys, keys):
    target = tmp_path / "x.scrutiny"
    base = ["new", target, "--partnership", "N", "--period", "2025-26", "--scrutineer", "Ann",
            "--template", MINI, "--encrypt"]
    assert "too short" in cli_error(capsys, *base, "--passphrase-file", keys["weak"])
    assert "--passphrase-file" in cli_error(capsys, *base)
    assert "add --encrypt" in cli_error(capsys, *base[:-1], "--passphrase-file", keys["pw"])
    assert not target.exists()


@pytest.mark.parametrize("command", ["check", "export"])
def test_a_missing_or_wrong_passphrase_is_one_error_line_and_changes_nothing(
        enc, tmp_path, capsys, keys, command):
    before, names = sha(enc), sorted(os.listdir(enc.parent))
    extra = ["--json", tmp_path / "out.json"] if command == "export" else []
    line = cli_error(capsys, command, enc, *extra)
    assert "is encrypted" in line and "--passphrase-file" in line
    line = cli_error(capsys, command, enc, *extra, "--passphrase-file", keys["bad"])
    assert "does not open locked.scrutiny" in line and "capital letters count" in line
    assert sha(enc) == before and sorted(os.listdir(enc.parent)) == names


def test_check_says_encrypted(enc, capsys, keys):
    code, out, err = run_cli(capsys, "check", enc, "--passphrase-file", keys["pw"])
    assert code == 0, err
    assert "integrity: ok" in out
    assert "encryption: encrypted" in out


def test_export_writes_plain_files(enc, tmp_path, capsys, keys):
    outs = {kind: tmp_path / f"out.{kind}" for kind in ("json", "csv", "pdf")}
    code, _out, err = run_cli(capsys, "export", enc, "--json", outs["json"], "--csv", outs["csv"],
                              "--pdf", outs["pdf"], "--passphrase-file", keys["pw"])
    assert code == 0, err
    assert SECRET in json.dumps(json.loads(outs["json"].read_text(encoding="utf-8")))
    assert SECRET in outs["csv"].read_text(encoding="utf-8-sig")
    assert outs["pdf"].read_bytes().startswith(b"%PDF-")


def test_import_makes_an_encrypted_document(enc, tmp_path, capsys, keys):
    exported = tmp_path / "out.json"
    assert run_cli(capsys, "export", enc, "--json", exported, "--passphrase-file", keys["pw"])[0] == 0
    target = tmp_path / "imported.scrutiny"
    code, out, err = run_cli(capsys, "import", exported, "--to", target, "--encrypt",
                             "--passphrase-file", keys["new"])
    assert code == 0, err
    assert out.strip().endswith(", encrypted")
    assert fileformat.is_encrypted(target) and SECRET.encode() not in target.read_bytes()
    assert all(fileformat.is_encrypted(p) for p in tmp_path.glob("*.scrutiny")), "no plain copy"
    assert not list(tmp_path.glob(".*")), "no temporary file left"
    with open_assessment(target, passphrase="seven silver swans swimming", readonly=True) as doc:
        assert answers.get_answer(doc, "Q1").findings == SECRET
    assert "already exists" in cli_error(capsys, "import", exported, "--to", target, "--encrypt",
                                         "--passphrase-file", keys["new"])


def test_encrypt_decrypt_and_change_passphrase(enc, tmp_path, capsys, keys):
    plain = tmp_path / "plain.scrutiny"
    code, out, err = run_cli(capsys, "decrypt", enc, "--to", plain, "--passphrase-file", keys["pw"])
    assert code == 0, err
    assert "NOT encrypted" in out
    assert SECRET.encode() in plain.read_bytes()
    again = tmp_path / "again.scrutiny"
    code, _out, err = run_cli(capsys, "encrypt", plain, "--to", again, "--passphrase-file",
                              keys["new"])
    assert code == 0, err
    assert fileformat.is_encrypted(again)
    assert "too short" in cli_error(capsys, "change-passphrase", again, "--passphrase-file",
                                    keys["new"], "--new-passphrase-file", keys["weak"])
    assert "does not open" in cli_error(capsys, "change-passphrase", again, "--passphrase-file",
                                        keys["bad"], "--new-passphrase-file", keys["pw"])
    code, _out, err = run_cli(capsys, "change-passphrase", again, "--passphrase-file", keys["new"],
                              "--new-passphrase-file", keys["pw"])
    assert code == 0, err
    assert "does not open" in cli_error(capsys, "check", again, "--passphrase-file", keys["new"])
    assert run_cli(capsys, "check", again, "--passphrase-file", keys["pw"])[0] == 0


def test_sign_and_verify_against_an_encrypted_document(enc, tmp_path, capsys, keys):
    with open_assessment(enc, passphrase="copper kettle mountain") as doc:
        for qid in ("Q1", "Q2", "Q3"):
            answers.set_judgement(doc, qid, "yes")
    cert_pw = tmp_path / "cert.txt"
    cert_pw.write_bytes(PASSPHRASE + b"\n")
    base = ["sign", enc, "--key", identity_path(), "--passphrase-file", cert_pw, "--name",
            "Ann Jones", "--role", "Scrutineer", "--confirm"]
    line = cli_error(capsys, *base)
    assert "is encrypted" in line and "--document-passphrase-file" in line
    assert "does not open" in cli_error(capsys, *base, "--document-passphrase-file", keys["bad"])
    code, out, err = run_cli(capsys, *base, "--document-passphrase-file", keys["pw"])
    assert code == 0, err
    pdf = tmp_path / "signed.pdf"
    assert run_cli(capsys, "export", enc, "--pdf", pdf, "--passphrase-file", keys["pw"])[0] == 0
    assert "is encrypted" in cli_error(capsys, "verify", pdf, "--against", enc)
    code, out, err = run_cli(capsys, "verify", pdf, "--against", enc, "--passphrase-file",
                             keys["pw"])
    assert code == 0, err
    code, out, err = run_cli(capsys, "check", enc, "--passphrase-file", keys["pw"])
    assert code == 0, err
    assert "signature valid" in out and "signed PDF: kept" in out


def test_it_can_require_encryption(tmp_path, capsys, monkeypatch, keys):
    """IT's ``require_encryption`` refuses a new plain document; ``encrypt_by_default``
    is read too (the New assessment dialog uses it)."""
    from scrutiny_desktop.settings import load_managed

    config = tmp_path / "config.toml"
    config.write_text("encrypt_by_default = true\nrequire_encryption = true\n", encoding="utf-8")
    monkeypatch.setenv("SCRUTINY_DESKTOP_CONFIG", str(config))
    managed = load_managed()
    assert managed.error == "" and managed.config.encrypt_by_default
    base = ["new", tmp_path / "n.scrutiny", "--partnership", "N", "--period", "2025-26",
            "--scrutineer", "Ann", "--template", MINI]
    assert "requires new assessments to be encrypted" in cli_error(capsys, *base)
    assert not (tmp_path / "n.scrutiny").exists()
    code, _out, err = run_cli(capsys, *base, "--encrypt", "--passphrase-file", keys["pw"])
    assert code == 0, err
    assert fileformat.is_encrypted(tmp_path / "n.scrutiny")
