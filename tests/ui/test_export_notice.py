"""After an export a notice in the window names the file and offers Open and Show in
folder (issue 14, item 7); Ctrl+N then Cancel leaves the open assessment open."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import QApplication

from scrutiny_desktop.ui.new_assessment import NewAssessmentDialog


def export_pdf(window, qtbot, target: Path) -> None:
    window.ask_save_path = lambda *a, **k: target
    with qtbot.waitSignal(window.export_finished, timeout=30000) as done:
        window.menus.export_pdf_action.trigger()
    assert done.args == [target, ""]


def test_pdf_export_shows_a_notice_with_open_and_show_in_folder(make_window, qtbot, new_doc_path,
                                                               tmp_path, monkeypatch):
    window = make_window()
    window.open_path(new_doc_path)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "summary.pdf"
    export_pdf(window, qtbot, target)
    notice = window.notice
    assert notice.isVisible()
    assert notice.label.text() == "PDF summary saved as summary.pdf."
    assert notice.open_button.isVisible() and notice.open_button.accessibleName() == "Open"
    assert notice.folder_button.isVisible()
    assert notice.folder_button.accessibleName() == "Show in folder"
    assert notice.close_button.accessibleName() == "Close the notice"
    assert "PDF summary saved as" in window.statusBar().currentMessage()  # still there too

    urls: list = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    qtbot.mouseClick(notice.open_button, Qt.MouseButton.LeftButton)
    assert window.recorder.opened == [target]
    qtbot.mouseClick(notice.folder_button, Qt.MouseButton.LeftButton)
    assert [u.isLocalFile() for u in urls] == [True]
    assert Path(urls[0].toLocalFile()) == out
    assert window.recorder.errors == []

    # Keyboard: the buttons take the focus, and Escape closes the notice.
    notice.folder_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is notice.folder_button)
    qtbot.keyClick(notice.folder_button, Qt.Key.Key_Escape)
    assert not notice.isVisible()


def test_the_next_export_replaces_the_notice_and_close_dismisses_it(make_window, qtbot,
                                                                    new_doc_path, tmp_path):
    window = make_window()
    window.open_path(new_doc_path)
    export_pdf(window, qtbot, tmp_path / "first.pdf")
    window.ask_save_path = lambda *a, **k: tmp_path / "answers.csv"
    window.menus.export_csv_action.trigger()
    assert window.notice.isVisible()
    assert window.notice.label.text() == "CSV file saved as answers.csv."
    assert window.notice.path == tmp_path / "answers.csv"
    qtbot.mouseClick(window.notice.close_button, Qt.MouseButton.LeftButton)
    assert not window.notice.isVisible()


def test_new_assessment_then_cancel_leaves_the_open_one_open(make_window, qtbot, new_doc_path,
                                                             monkeypatch):
    asked: list = []
    monkeypatch.setattr(NewAssessmentDialog, "ask",
                        classmethod(lambda cls, *a, **k: asked.append(a) or None))
    window = make_window()
    window.open_path(new_doc_path)
    action = window.menus.new_action
    assert QKeySequence("Ctrl+N") in action.shortcuts()
    action.trigger()
    assert len(asked) == 1
    assert window.doc is not None and window.doc.path == new_doc_path
    assert window.stack.currentWidget() is window.assessment
