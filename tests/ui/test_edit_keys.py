"""The Edit menu and the text boxes' own keys: Undo and Redo a word at a time with
the platform's standard keys, and Cut, Copy, Paste and Select all."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from tests.ui.helpers import find

Key = QKeySequence.StandardKey


def _findings(make_window, qtbot, new_doc_path) -> tuple:
    window = make_window()
    assert window.open_path(new_doc_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    box = find(window, "Findings", QPlainTextEdit)
    box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box)
    return window, box


def _press(qtbot, widget, standard: QKeySequence.StandardKey) -> None:
    """Press the platform's first key for ``standard`` on ``widget``."""
    combo = QKeySequence.keyBindings(standard)[0][0]
    qtbot.keyClick(widget, combo.key(), combo.keyboardModifiers())


def test_edit_menu_lists_the_commands_with_the_platform_keys(make_window):
    window = make_window()
    menus = window.menus
    for action, standard in ((menus.undo_action, Key.Undo), (menus.redo_action, Key.Redo),
                             (menus.cut_action, Key.Cut), (menus.copy_action, Key.Copy),
                             (menus.paste_action, Key.Paste),
                             (menus.select_all_action, Key.SelectAll),
                             (menus.find_action, Key.Find)):
        assert action.shortcuts() == QKeySequence.keyBindings(standard), action.text()
    assert not menus.find_action.isEnabled()  # until an assessment is open
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert [a.text() for a in edit.actions() if not a.isSeparator()] == [
        "&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Select &all", "&Find…"]


def test_menu_undo_removes_only_the_last_word_and_redo_restores_it(make_window, qtbot,
                                                                    new_doc_path):
    window, box = _findings(make_window, qtbot, new_doc_path)
    qtbot.keyClicks(box, "The plan is overdue")
    window.menus.undo_action.trigger()
    assert box.toPlainText() == "The plan is "
    window.menus.undo_action.trigger()
    assert box.toPlainText() == "The plan "
    window.menus.redo_action.trigger()
    window.menus.redo_action.trigger()
    assert box.toPlainText() == "The plan is overdue"


def test_undo_key_in_the_box_goes_a_word_at_a_time_too(make_window, qtbot, new_doc_path):
    _window, box = _findings(make_window, qtbot, new_doc_path)
    qtbot.keyClicks(box, "First line")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.keyClicks(box, "second line")
    _press(qtbot, box, Key.Undo)
    assert box.toPlainText() == "First line\nsecond "
    for standard in Key.Undo, Key.Undo:
        _press(qtbot, box, standard)
    assert box.toPlainText() == "First line"
    for standard in Key.Redo, Key.Redo, Key.Redo:
        _press(qtbot, box, standard)
    assert box.toPlainText() == "First line\nsecond line"


def test_summary_boxes_undo_a_word_at_a_time(make_window, qtbot, new_doc_path):
    window = make_window()
    assert window.open_path(new_doc_path)
    window.show_summary()
    box = next(b for b in window.findChildren(QPlainTextEdit)
               if b.isVisible() and not b.isReadOnly() and b.accessibleName() != "Findings")
    box.setFocus()
    qtbot.keyClicks(box, "Strong leadership overall")
    box.undo()
    assert box.toPlainText() == "Strong leadership "


def test_select_all_copy_cut_and_paste_from_the_menu(make_window, qtbot, new_doc_path):
    window, box = _findings(make_window, qtbot, new_doc_path)
    menus = window.menus
    qtbot.keyClicks(box, "Evidence seen")
    menus.select_all_action.trigger()
    assert box.textCursor().selectedText() == "Evidence seen"
    menus.copy_action.trigger()
    assert QApplication.clipboard().text() == "Evidence seen"
    menus.cut_action.trigger()
    assert box.toPlainText() == ""
    menus.paste_action.trigger()
    menus.paste_action.trigger()
    assert box.toPlainText() == "Evidence seenEvidence seen"


def test_edit_commands_do_nothing_without_a_text_box(make_window, qtbot):
    """On the home screen the focused control has no undo() or copy(): nothing happens."""
    window = make_window()
    QApplication.clipboard().setText("kept")
    for action in (window.menus.undo_action, window.menus.redo_action, window.menus.cut_action,
                   window.menus.copy_action, window.menus.paste_action,
                   window.menus.select_all_action):
        action.trigger()
    assert QApplication.clipboard().text() == "kept"
