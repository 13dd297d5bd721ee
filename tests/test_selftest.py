"""`scrutiny-desktop self-test`: what IT runs to prove an install works."""

from __future__ import annotations

import os

from scrutiny_desktop import cli


def test_self_test_passes_and_reports_each_step(capsys, tmp_path):
    """Every step prints one ok line, and the temporary folder is removed afterwards."""
    assert cli.main(["self-test"]) == 0
    out = capsys.readouterr().out
    for step in ("resources", "fonts", "migrations", "managed settings", "template cis",
                 "encrypted document", "Qt offscreen", "Qt bindings keep Python sound",
                 "no network"):
        assert any(line.startswith("ok") and step in line for line in out.splitlines()), step
    assert out.strip().endswith("self-test passed")
    folder = next(line for line in out.splitlines() if "temporary folder" in line).split()[-1].rstrip(")")
    assert not os.path.exists(folder)


def test_self_test_names_a_broken_managed_config(capsys, tmp_path, monkeypatch):
    """A bad config.toml fails the managed-settings step, naming the file and setting."""
    config = tmp_path / "config.toml"
    config.write_text("locked = ['colour']\n")
    monkeypatch.setenv("SCRUTINY_DESKTOP_CONFIG", str(config))
    assert cli.main(["self-test"]) == 1
    out = capsys.readouterr().out
    fail = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert len(fail) == 1 and "managed settings" in fail[0]
    assert str(config) in fail[0] and "locked[0]" in fail[0]
    assert "self-test failed: managed settings" in out


def test_self_test_fails_on_a_network_attempt(capsys, monkeypatch):
    """Anything that tries to reach the network during the test makes it fail."""
    import sys

    from scrutiny_desktop import selftest

    real = selftest._check_migrations

    def sneaky():
        # The audit event a connect raises, without opening any socket.
        sys.audit("socket.connect", None, ("127.0.0.1", 9))
        return real()

    monkeypatch.setattr(selftest, "_check_migrations", sneaky)
    assert cli.main(["self-test"]) == 1
    out = capsys.readouterr().out
    assert any(line.startswith("FAIL  no network") for line in out.splitlines())
