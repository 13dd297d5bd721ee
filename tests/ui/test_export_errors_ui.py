"""Export errors in the window name the file and folder and say what to do (issue 9,
item 8); the disk-full simulation is the ``full_disk`` fixture in tests/conftest.py."""

from __future__ import annotations

import errno
import os

import pytest

from tests.helpers import NO_SPACE


@pytest.fixture
def window(make_window, doc_with_file):
    """The window with a document (one attached file) open."""
    window = make_window()
    window.open_path(doc_with_file)
    return window


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_export_on_a_full_disk_shows_the_sentence(window, out_dir, full_disk, kind):
    target = out_dir / f"answers.{kind}"
    window.ask_save_path = lambda *a, **k: target
    full_disk(out_dir, room=0)
    getattr(window.menus, f"export_{kind}_action").trigger()
    assert window.recorder.errors == [
        (f"Export {kind.upper()}", f"Could not write answers.{kind}: "
         + NO_SPACE.format(folder=out_dir))]
    assert list(out_dir.iterdir()) == []


def test_pdf_export_into_a_read_only_folder_shows_the_sentence(window, qtbot, out_dir, monkeypatch):
    target = out_dir / "summary.pdf"
    window.ask_save_path = lambda *a, **k: target

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with qtbot.waitSignal(window.export_finished, timeout=30000) as done:
        window.menus.export_pdf_action.trigger()
    message = (f"Could not write summary.pdf: you do not have permission to write in {out_dir}. "
               "Choose a folder you can write to.")
    assert done.args == [None, message]
    assert window.recorder.errors == [("Could not export the PDF", message)]
    assert list(out_dir.iterdir()) == []
