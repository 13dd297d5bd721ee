"""File > Export Word report… writes the accessible Word report (report/docx.py), and is
available exactly when the PDF export is."""

from __future__ import annotations

import docx

from tests.helpers import NORTHSHIRE


def test_menu_item_follows_the_pdf_export(make_window, doc_path):
    window = make_window()
    action = window.menus.export_docx_action
    assert action.text() == "Export &Word report…"
    assert not action.isEnabled()
    window.open_path(doc_path)
    assert action.isEnabled() and window.menus.export_pdf_action.isEnabled()
    window.close_document()
    assert not action.isEnabled()


def test_export_word_report_from_the_menu(make_window, doc_path, tmp_path):
    window = make_window()
    window.open_path(doc_path)
    target = tmp_path / "out" / "report"
    target.parent.mkdir()
    window.ask_save_path = lambda *a, **k: target
    window.menus.export_docx_action.trigger()
    written = target.with_name("report.docx")
    assert window.recorder.errors == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.docx"]
    document = docx.Document(str(written))
    assert document.paragraphs[0].text == NORTHSHIRE
    assert document.core_properties.language == "en-GB"
