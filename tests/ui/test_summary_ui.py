"""The summary page through the real window: reached from the Go menu, the navigator
and the ready-to-sign page; typed and chosen by keyboard, saved as typed, and
read-only once signed off."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QPlainTextEdit

from scrutiny_desktop.report import signing
from scrutiny_desktop.services import summary
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.ui.navigator import SUMMARY_TITLE
from tests.helpers import STATEMENT, copy_document, scrutineer_id
from tests.ui.helpers import find

#: Long enough that only leaving the page (or an explicit flush) writes the text.
NEVER = 60_000

TYPED = "Arrangements are sound; the board’s grip is improving — £2k for training.\n- one list line"


def _type(qtbot, box: QPlainTextEdit, text: str) -> None:
    """Type ``text`` key by key: ASCII through ``qtbot.keyClicks`` (QTest cannot map
    other characters to keys), others as the key events a keyboard layout sends."""
    for line_number, line in enumerate(text.split("\n")):
        if line_number:
            qtbot.keyClick(box, Qt.Key.Key_Return)
        run = ""
        for ch in line + "\0":
            if ch.isascii() and ch != "\0":
                run += ch
                continue
            if run:
                qtbot.keyClicks(box, run)
                run = ""
            if ch != "\0":
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(box, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                          Qt.KeyboardModifier.NoModifier, ch))


def _open_from_menu(qtbot, window) -> QPlainTextEdit:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    action = window.menus.summary_action
    assert action.isEnabled()
    assert action.shortcut().toString() == "Ctrl+Shift+M"
    action.trigger()
    assert window.stack.currentWidget() is window.summary_page
    conclusion = find(window, "Conclusion", QPlainTextEdit)
    qtbot.waitUntil(conclusion.hasFocus)
    return conclusion


def test_menu_is_off_without_a_document_and_its_shortcut_is_unique(make_window):
    window = make_window()
    assert not window.menus.summary_action.isEnabled()
    shortcuts = [a.shortcut().toString() for a in window.findChildren(type(window.menus.summary_action))
                 if not a.shortcut().isEmpty()]
    assert shortcuts.count("Ctrl+Shift+M") == 1


def test_typing_and_choosing_by_keyboard_is_saved_on_leaving(make_window, qtbot, new_doc_path):
    """Every character typed in Conclusion, and the judgement chosen with the arrow keys,
    reach the document; leaving the page writes what was still waiting."""
    window = make_window(delay_ms=NEVER)
    assert window.open_path(new_doc_path)
    conclusion = _open_from_menu(qtbot, window)
    _type(qtbot, conclusion, TYPED)
    assert conclusion.toPlainText() == TYPED
    assert summary.get_summary(window.doc).conclusion == ""  # still waiting to be written

    judgement = find(window, "Overall judgement", QComboBox)
    options = summary.overall_options(window.doc)
    # Alt+O (the label's mnemonic) takes the focus to the judgement; Down chooses.
    qtbot.keyClick(conclusion, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(judgement.hasFocus)
    assert judgement.currentText() == "Not given"
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        qtbot.keyClick(judgement, Qt.Key.Key_Down)
    assert judgement.currentText() == options[0][1]
    # Saved at once, with the typing queued before it.
    assert summary.get_summary(window.doc).overall_judgement == options[0][0]
    qtbot.keyClick(judgement, Qt.Key.Key_Down)
    assert summary.get_summary(window.doc).overall_judgement == options[1][0]

    qtbot.keyClicks(find(window, "Strengths", QPlainTextEdit), "Leadership")
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        qtbot.mouseClick(find(window, "Back to the questions", QAbstractButton),
                         Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.assessment
    saved = summary.get_summary(window.doc)
    assert saved.conclusion == TYPED
    assert saved.strengths == "Leadership"
    assert saved.overall_judgement == options[1][0]
    assert window.save_status.text().startswith("All changes saved")


def test_navigator_opens_the_page_and_section_summaries_save(make_window, qtbot, new_doc_path):
    """The first item of the question list opens the summary; each section has its own box."""
    window = make_window()
    assert window.open_path(new_doc_path)
    tree = window.assessment.navigator.tree
    item = tree.topLevelItem(0)
    assert item is not None and item.text(0) == SUMMARY_TITLE
    assert tree.topLevelItem(1).text(0).startswith("1. ")
    tree.setFocus()
    tree.setCurrentItem(item)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.summary_page
    sections = window.assessment.template.sections
    boxes = window.summary_page.section_boxes
    assert list(boxes) == [s.id for s in sections]
    box = find(window, f"Summary of section 2: {sections[1].title}", QPlainTextEdit)
    qtbot.keyClicks(box, "Shared leadership")
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        qtbot.mouseClick(find(window, "Back to the questions", QAbstractButton),
                         Qt.MouseButton.LeftButton)
    assert summary.get_summary(window.doc).sections == {sections[1].id: "Shared leadership"}


def test_tab_reaches_every_field_in_order(make_window, qtbot, new_doc_path):
    window = make_window()
    assert window.open_path(new_doc_path)
    _open_from_menu(qtbot, window)
    find(window, "Overall judgement", QComboBox).setFocus()
    walk = [QApplication.focusWidget().accessibleName()]
    expected = 1 + len(summary.FIELDS) + len(window.summary_page.section_boxes) + 2
    for _ in range(expected - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        walk.append(QApplication.focusWidget().accessibleName())
    sections = [f"Summary of section {n}: {s.title}"
                for n, s in enumerate(window.assessment.template.sections, start=1)]
    assert walk == ["Overall judgement", *summary.FIELD_LABELS.values(), *sections,
                    "Back to the questions", "Review and sign off"]
    for widget in window.summary_page.findChildren(QPlainTextEdit):
        assert widget.accessibleName() and widget.accessibleDescription()


def test_a_change_elsewhere_reloads_without_losing_typing(make_window, qtbot, new_doc_path):
    """When the window announces a change, the page redraws from the document but keeps
    what is typed and not yet written."""
    window = make_window(delay_ms=NEVER)
    assert window.open_path(new_doc_path)
    conclusion = _open_from_menu(qtbot, window)
    qtbot.keyClicks(conclusion, "Half a sent")
    window.document_changed("content")
    assert conclusion.toPlainText() == "Half a sent"
    assert summary.get_summary(window.doc).conclusion == ""  # still only on screen
    qtbot.keyClicks(conclusion, "ence")
    # A change of status reloads the question page too, which writes what waits first.
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        window.document_changed("status")
    assert conclusion.toPlainText() == "Half a sentence"
    assert conclusion.textCursor().position() == len("Half a sentence")
    assert summary.get_summary(window.doc).conclusion == "Half a sentence"


def test_signed_off_summary_is_read_only_and_says_why(make_window, qtbot, tmp_path, answered):
    path = copy_document(answered, tmp_path, "signed.scrutiny")
    with open_assessment(path, actor="Ann Jones") as doc:
        summary.set_text(doc, "conclusion", "Written before sign-off.")
        summary.set_overall_judgement(doc, summary.overall_options(doc)[0][0])
        signing.sign_off(doc, identity=scrutineer_id(), name="Ann Jones",
                         role="Independent scrutineer", statement=STATEMENT, confirmed=True)
    window = make_window()
    assert window.open_path(path)
    conclusion = _open_from_menu(qtbot, window)
    page = window.summary_page
    assert page.banner.isVisible()
    assert "signed off by ann jones" in page.banner.label.text().lower()
    assert "locked" in page.banner.label.text()
    assert conclusion.toPlainText() == "Written before sign-off."
    judgement = find(window, "Overall judgement", QComboBox)
    assert not judgement.isEnabled()
    assert judgement.currentText() == summary.overall_options(window.doc)[0][1]
    for box in page.findChildren(QPlainTextEdit):
        assert box.isReadOnly(), box.accessibleName()
    qtbot.keyClicks(conclusion, " more")
    assert conclusion.toPlainText() == "Written before sign-off."
    window.show_questions()
    assert summary.get_summary(window.doc).conclusion == "Written before sign-off."
    assert not window.autosaver.failing


def test_ready_page_warns_until_a_conclusion_is_written(make_window, qtbot, new_doc_path):
    window = make_window()
    assert window.open_path(new_doc_path)
    window.menus.ready_action.trigger()
    assert window.stack.currentWidget() is window.ready
    warning = window.ready.summary_warning
    assert warning.isVisible()
    assert warning.text() == summary.summary_warning(window.doc) != ""
    assert "conclusion" in find(window, warning.text(), QLabel).text()

    write = find(window, "Write the summary", QAbstractButton)
    qtbot.mouseClick(write, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.summary_page
    conclusion = find(window, "Conclusion", QPlainTextEdit)
    qtbot.waitUntil(conclusion.hasFocus)
    qtbot.keyClicks(conclusion, "Sound arrangements.")
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        qtbot.mouseClick(find(window, "Review and sign off", QAbstractButton),
                         Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.ready
    assert summary.summary_warning(window.doc) == ""
    assert not warning.isVisible()
