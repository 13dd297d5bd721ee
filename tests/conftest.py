"""Shared fixtures.  Every user directory points into tmp_path, and Qt runs
offscreen; both are set before any QApplication can exist.

Plain helpers live in tests/helpers.py; Qt-driving ones in tests/ui/helpers.py.

The shared documents are made once per run (session scope) through the services
only, never through anything that reads user settings: a session fixture runs before
the per-test ``isolated_home`` exists.  Tests get copies of them (``doc_path``,
``doc``, ``ready``) and must never change the originals (``pristine``, ``answered``).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from scrutiny_desktop.services import evidence
from scrutiny_desktop.services.assessments import create_assessment, open_assessment
from tests.helpers import (
    NORTHSHIRE_DETAILS,
    FillingFile,
    answer_all,
    copy_document,
    legacy_template,
    patch_open,
)


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
    return legacy_template()


@pytest.fixture
def details():
    return NORTHSHIRE_DETAILS


@pytest.fixture
def new_doc_path(tmp_path, cis, details):
    """A freshly created CIS document on disk (made for this test)."""
    return create_assessment(tmp_path / "assessment.scrutiny", cis, details)


# -- shared documents: one of each per run, tests work on copies -------------------------

@pytest.fixture(scope="session")
def pristine(tmp_path_factory, cis):
    """One freshly created CIS document (``NORTHSHIRE_DETAILS``, nothing answered).
    Copy it (``doc_path``, ``doc``) rather than change it."""
    folder = tmp_path_factory.mktemp("pristine")
    return create_assessment(folder / "pristine.scrutiny", cis, NORTHSHIRE_DETAILS)


@pytest.fixture(scope="session")
def answered(tmp_path_factory, pristine):
    """A copy of ``pristine`` with every question answered 'strong': copies of it can
    be signed off straight away.  Copy it (``ready``) rather than change it."""
    path = copy_document(pristine, tmp_path_factory.mktemp("answered"), "answered.scrutiny")
    with open_assessment(path) as doc:
        answer_all(doc)
    return path


@pytest.fixture
def doc_path(tmp_path, pristine):
    """A copy of the fresh document in this test's folder."""
    return copy_document(pristine, tmp_path)


@pytest.fixture
def doc(doc_path):
    """An open, editable copy of the fresh (unanswered) document."""
    with open_assessment(doc_path) as d:
        yield d


@pytest.fixture
def ready(tmp_path, answered):
    """An open copy of the document with every question answered: ready to sign."""
    with open_assessment(copy_document(answered, tmp_path, "ready.scrutiny")) as d:
        yield d


@pytest.fixture
def doc_with_file(tmp_path, new_doc_path):
    """A fresh document whose first question has evidence with a 14 kB attached file."""
    note = tmp_path / "note.txt"
    note.write_bytes(b"board minutes " * 1000)
    with open_assessment(new_doc_path) as doc:
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Minutes"), attach=note)
    return new_doc_path


@pytest.fixture
def out_dir(tmp_path) -> Path:
    """An empty folder to export into."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


# -- simulated failures ------------------------------------------------------------------

@pytest.fixture
def full_disk(monkeypatch):
    """``full_disk(folder, room)``: files opened for writing in ``folder`` hold ``room`` bytes."""
    def fill(folder: Path, room: int = 0):
        real_open = io.open

        def fake_open(file, mode="r", *args, **kwargs):
            fh = real_open(file, mode, *args, **kwargs)
            if (isinstance(file, (str, os.PathLike)) and any(m in mode for m in "wxa")
                    and Path(os.path.abspath(file)).parent == folder):
                return FillingFile(fh, room)
            return fh

        patch_open(monkeypatch, fake_open)

    return fill


@pytest.fixture(scope="session")
def scrutineer_identity():
    """A throwaway signing identity for "Ann Jones" (made once per session)."""
    from tests.helpers import scrutineer_id

    return scrutineer_id()


@pytest.fixture(scope="session")
def chair_identity():
    """A throwaway signing identity for "Chris Chair" (made once per session)."""
    from tests.helpers import chair_id

    return chair_id()
