"""File > New with a broken template in the user's checklists folder (issue 9, item 8):
the dialog offers the usable templates and names the unusable files in a short note."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QComboBox, QLabel

from scrutiny_desktop import paths
from scrutiny_desktop.checklist import discover_templates
from scrutiny_desktop.settings import Settings
from scrutiny_desktop.ui.new_assessment import NewAssessmentDialog
from tests.helpers import MINI
from tests.ui.helpers import fill_new_assessment, find, run_modal


@pytest.fixture
def bad_user_templates():
    folder = paths.user_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MINI, folder / "mini.toml")
    (folder / "deep.toml").write_text("a = " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    (folder / "broken.toml").write_text("id = \n", encoding="utf-8")
    return folder


def test_dialog_lists_usable_templates_and_names_the_unusable_files(qtbot, tmp_path,
                                                                   bad_user_templates):
    dialog = NewAssessmentDialog(discover_templates(), Settings(documents_dir=str(tmp_path)))
    qtbot.addWidget(dialog)
    dialog.show()
    combo = find(dialog, "Template", QComboBox)
    offered = [combo.itemData(i).id for i in range(combo.count())]
    assert offered == ["cis", "cis-2024", "mini"]
    note = find(dialog, "Unusable templates", QLabel)
    text = note.text()
    assert text.startswith("These 2 template files cannot be used and are not listed:")
    assert "deep.toml: tables and lists are nested more than 64 levels deep (line 1)" in text
    assert "broken.toml: TOML syntax error" in text
    assert "scrutiny-desktop templates" in text
    assert len(text.splitlines()) == 4, "one short line per file"


def test_dialog_has_no_note_when_every_template_is_usable(qtbot, tmp_path):
    dialog = NewAssessmentDialog(discover_templates(), Settings(documents_dir=str(tmp_path)))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.unusable.isVisible() and dialog.unusable.text() == ""


def test_file_new_works_with_a_bad_template_in_the_user_folder(make_window, qtbot, tmp_path,
                                                               bad_user_templates):
    """File > New opens the dialog (it used to crash listing templates) and creates the
    assessment from a usable template."""
    window = make_window()
    seen = {}

    def fill(dialog):
        seen["note"] = find(dialog, "Unusable templates", QLabel).text()
        fill_new_assessment(qtbot, tmp_path, "fresh")(dialog)

    run_modal(qtbot, window.new_assessment, fill)
    assert "deep.toml" in seen["note"]
    assert window.doc is not None and window.doc.path == tmp_path / "fresh.scrutiny"
    assert window.recorder.errors == []
