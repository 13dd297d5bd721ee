"""Shared fixtures.  Every user directory points into tmp_path, and Qt runs
offscreen; both are set before any QApplication can exist."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from scrutiny_desktop.checklist import bundled_template  # noqa: E402
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user's settings, state or documents."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("HOME", ""), ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache"),
                     ("XDG_DOCUMENTS_DIR", "Documents")):
        path = home / sub if sub else home
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    # An empty managed config (nothing managed), so the real one on this machine is never
    # read; it must exist, as a missing file named by this variable is an error.
    empty_config = home / "empty-managed-config.toml"
    empty_config.write_text("", encoding="utf-8")
    monkeypatch.setenv("SCRUTINY_DESKTOP_CONFIG", str(empty_config))
    return home


@pytest.fixture(scope="session")
def cis():
    return bundled_template()


@pytest.fixture
def details():
    return NewAssessment(partnership="Northshire Safeguarding Children Partnership",
                         period="2025-26", scrutineer_name="Ann Jones",
                         area="Northshire", scrutineer_role="Independent scrutineer")


@pytest.fixture
def new_doc_path(tmp_path, cis, details):
    """A freshly created CIS document on disk."""
    return create_assessment(tmp_path / "assessment.scrutiny", cis, details)
