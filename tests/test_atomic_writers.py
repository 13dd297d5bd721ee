"""One ``atomic_write``: every writer that writes a temporary file and renames it goes
through :mod:`scrutiny_desktop.atomic` (temporary name in the same folder, fsync,
rename, folder fsync, clean-up on failure).  Each is caught in the act by the folder
fsync only that helper does, and leaves no temporary file behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scrutiny_desktop import atomic, paths, settings
from scrutiny_desktop.services import evidence
from scrutiny_desktop.services.assessments import open_assessment, save_copy
from scrutiny_desktop.storage import lockfile, migrate
from scrutiny_desktop.storage.document import create_document


@pytest.fixture
def synced(monkeypatch) -> list[Path]:
    """The folders atomic_path synced, in order."""
    folders: list[Path] = []
    real = atomic._fsync_folder
    monkeypatch.setattr(atomic, "_fsync_folder", lambda f: (folders.append(Path(f)), real(f)))
    return folders


def names(folder: Path) -> set[str]:
    return set(os.listdir(folder))


def test_settings_and_state(synced):
    settings.save_settings(settings.Settings(scrutineer_name="Ann Jones"))
    settings.save_state(settings.AppState(recent=["/tmp/x.scrutiny"]))
    folder = paths.settings_file().parent
    assert synced[-2:] == [folder, paths.state_file().parent]
    assert settings.load_settings().scrutineer_name == "Ann Jones"
    assert not [n for n in names(folder) if n.endswith(".tmp") or n.startswith(".")]


def test_create_document_and_save_copy(synced, tmp_path, new_doc_path):
    synced.clear()  # (making the document synced its folder too)
    made = create_document(tmp_path / "empty.scrutiny")
    assert synced == [tmp_path]
    with open_assessment(new_doc_path, readonly=True) as doc:
        copy = save_copy(doc, tmp_path / "copy.scrutiny")
    assert synced == [tmp_path, tmp_path]
    assert names(tmp_path) == {made.name, copy.name, new_doc_path.name}


def test_create_document_never_replaces(synced, new_doc_path):
    before = new_doc_path.read_bytes()
    with pytest.raises(FileExistsError, match=r"already exists\. Choose another name"):
        create_document(new_doc_path)
    assert new_doc_path.read_bytes() == before


def test_migration_backup(synced, tmp_path, new_doc_path):
    synced.clear()  # (making the document synced its folder too)
    backup = migrate.backup_copy(new_doc_path, 1)
    assert synced == [tmp_path] and backup.parent == tmp_path
    assert names(tmp_path) == {new_doc_path.name, backup.name}


def test_replacing_a_lock(synced, new_doc_path):
    synced.clear()  # (making the document synced its folder too)
    target = lockfile.lock_path(new_doc_path)
    target.write_text("stale", encoding="utf-8")
    lockfile._replace(target, b'{"user": "ann"}')
    assert synced == [target.parent] and target.read_bytes() == b'{"user": "ann"}'
    assert not [n for n in names(target.parent) if n.endswith(".tmp") or ".writing-" in n]


def test_attachment_for_the_viewer(synced, tmp_path, new_doc_path):
    synced.clear()  # (making the document synced its folder too)
    source = tmp_path / "minutes.txt"
    source.write_text("minutes", encoding="utf-8")
    with open_assessment(new_doc_path) as doc:
        item = evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Minutes"), attach=source)
        out = evidence.attachment_to_temp(doc, item.attachment.id)
    try:
        assert synced == [out.parent] and out.read_text(encoding="utf-8") == "minutes"
        assert names(out.parent) == {"minutes.txt"}
    finally:
        out.chmod(0o600)
        out.unlink()
        out.parent.rmdir()
