"""Spell-checking in the text boxes (scrutiny_desktop.ui.spelling)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCharFormat
from PySide6.QtWidgets import QPlainTextEdit

from scrutiny_desktop.spelling import Speller
from scrutiny_desktop.ui.spelling import (
    LOOKING,
    SpellService,
    enable_spellcheck,
    spellcheck_of,
)

SPELL = QTextCharFormat.UnderlineStyle.SpellCheckUnderline


@pytest.fixture
def personal(tmp_path):
    return tmp_path / "personal-dictionary.txt"


@pytest.fixture
def service(qtbot, personal):
    """A service of its own (not the app's shared one), personal dictionary in tmp_path."""
    return SpellService(Speller(personal_file=personal))


@pytest.fixture
def box(qtbot, service):
    """A text box with spell-checking, once the dictionary has loaded."""
    edit = QPlainTextEdit()
    edit.resize(500, 200)
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    edit.setPlainText("The safeguarding partnersip met.")
    with qtbot.waitSignal(service.loaded, timeout=30000):
        enable_spellcheck(edit, service)
    return edit


def marked(edit: QPlainTextEdit) -> list[str]:
    """The words of ``edit`` shown with the spell-check underline."""
    words = []
    block = edit.document().begin()
    while block.isValid():
        for rng in block.layout().formats():
            if rng.format.underlineStyle() == SPELL:
                words.append(block.text()[rng.start:rng.start + rng.length])
        block = block.next()
    return words


def point_at(edit: QPlainTextEdit, word: str) -> QPoint:
    """The viewport point in the middle of the first ``word``."""
    cursor = edit.textCursor()
    cursor.setPosition(edit.toPlainText().index(word) + len(word) // 2)
    return edit.cursorRect(cursor).center()


def action(menu, text: str):
    hits = [a for a in menu.actions() if a.text() == text]
    assert hits, f"no {text!r} in {[a.text() for a in menu.actions()]}"
    return hits[0]


def test_nothing_is_marked_before_the_dictionary_loads(qtbot, service):
    edit = QPlainTextEdit("The safeguarding partnersip met.")
    qtbot.addWidget(edit)
    assert not service.ready
    with qtbot.waitSignal(service.loaded, timeout=30000):
        enable_spellcheck(edit, service)
        assert marked(edit) == []
    assert marked(edit) == ["partnersip"]


def test_misspelt_word_is_marked_and_safeguarding_is_not(box):
    assert marked(box) == ["partnersip"]
    formats = box.document().begin().layout().formats()
    assert formats[0].format.underlineColor().name() == "#d32f2f"


def test_uk_spellings_are_not_marked(box):
    box.setPlainText("The organisation’s colour, behaviour and programme; the scrutineer met the "
                     "LSCP and MACPT.\nA color.")
    assert marked(box) == ["color"]


def test_add_to_dictionary_from_the_context_menu(qtbot, box, personal):
    """Adding a word unmarks it everywhere and saves it to the personal dictionary."""
    other = QPlainTextEdit("Another partnersip.")
    qtbot.addWidget(other)
    enable_spellcheck(other, box_service(box))
    assert marked(other) == ["partnersip"]

    menu = spellcheck_of(box).context_menu(point_at(box, "partnersip"))
    with qtbot.waitSignal(box_service(box).changed):
        action(menu, "Add “partnersip” to dictionary").trigger()
    assert marked(box) == []
    assert marked(other) == []
    assert personal.read_text(encoding="utf-8").splitlines() == ["partnersip"]
    # A new session (a new speller) reads it back.
    assert Speller(personal_file=personal).check("partnersip")


def box_service(edit: QPlainTextEdit) -> SpellService:
    check = spellcheck_of(edit)
    assert check is not None
    return check.service


def test_suggestions_come_first_and_replace_the_word(qtbot, box):
    menu = spellcheck_of(box).context_menu(point_at(box, "partnersip"))
    texts = [a.text() for a in menu.actions()]
    assert texts[:3] == [LOOKING, "Add “partnersip” to dictionary", "Ignore"]
    assert menu.actions()[3].isSeparator()
    assert any(a.objectName() == "edit-undo" or "Undo" in a.text() for a in menu.actions()[4:])
    qtbot.waitUntil(lambda: LOOKING not in [a.text() for a in menu.actions()], timeout=10000)
    suggestions = [a for a in menu.actions() if a.objectName() == "spelling_suggestion"]
    assert 1 <= len(suggestions) <= 6
    assert suggestions[0].text() == "partnership"
    assert menu.actions()[0] is suggestions[0]
    suggestions[0].trigger()
    assert box.toPlainText() == "The safeguarding partnership met."
    assert marked(box) == []
    box.undo()
    assert box.toPlainText() == "The safeguarding partnersip met."


def test_ignore_accepts_the_word_without_saving_it(qtbot, box, personal):
    menu = spellcheck_of(box).context_menu(point_at(box, "partnersip"))
    action(menu, "Ignore").trigger()
    assert marked(box) == []
    assert not personal.exists()


def test_correct_word_gets_only_the_usual_menu(box):
    menu = spellcheck_of(box).context_menu(point_at(box, "safeguarding"))
    names = [a.objectName() for a in menu.actions()]
    assert not any(n.startswith("spelling_") for n in names)
    assert LOOKING not in [a.text() for a in menu.actions()]


def test_read_only_box_is_not_marked(qtbot, box):
    box.setReadOnly(True)
    assert marked(box) == []
    menu = spellcheck_of(box).context_menu(point_at(box, "partnersip"))
    assert "Ignore" not in [a.text() for a in menu.actions()]
    box.setReadOnly(False)
    assert marked(box) == ["partnersip"]


def test_highlighting_is_not_an_edit(qtbot, service):
    """Underlining changes neither the text, nor the undo history, nor textChanged (autosave)."""
    edit = QPlainTextEdit("The partnersip met.")
    qtbot.addWidget(edit)
    changes = []
    edit.textChanged.connect(lambda: changes.append(1))
    with qtbot.waitSignal(service.loaded, timeout=30000):
        enable_spellcheck(edit, service)
    assert marked(edit) == ["partnersip"]
    assert changes == []
    assert not edit.document().isUndoAvailable()


def test_word_being_typed_is_marked_when_the_cursor_leaves_it(qtbot, box):
    box.activateWindow()
    box.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(box.hasFocus)
    box.moveCursor(box.textCursor().MoveOperation.End)
    qtbot.keyClicks(box, " Teh")
    assert marked(box) == ["partnersip"]
    qtbot.keyClicks(box, " end")
    assert marked(box) == ["partnersip", "Teh"]


def test_failure_to_save_is_reported(qtbot, tmp_path):
    blocker = tmp_path / "blocked"
    blocker.write_text("not a folder", encoding="utf-8")
    service = SpellService(Speller(personal_file=blocker / "personal.txt"))
    reports = []
    service.report_error = lambda parent, title, text: reports.append((title, text))
    edit = QPlainTextEdit("The partnersip met.")
    qtbot.addWidget(edit)
    with qtbot.waitSignal(service.loaded, timeout=30000):
        enable_spellcheck(edit, service)
    service.add_to_personal("partnersip", edit)
    assert reports and reports[0][0] == "Personal dictionary not saved"
    assert "blocked" in reports[0][1]
    assert marked(edit) == []


def test_enabling_twice_adds_nothing(qtbot, box):
    first = spellcheck_of(box)
    assert enable_spellcheck(box, box_service(box)) is first
    assert len(box.findChildren(type(first))) == 1


# -- wiring: every multi-line text box of the app --------------------------------------------

def test_every_text_box_of_the_window_is_checked(make_window, qtbot, new_doc_path):
    """The real findings box marks a misspelt word; every other box has spell-checking too."""
    window = make_window()
    assert window.open_path(new_doc_path)
    boxes = window.findChildren(QPlainTextEdit)
    names = {box.accessibleName() for box in boxes}
    assert {"Findings", "Chair's comment"} <= names
    assert len(names) > 3  # the summary's boxes too
    unchecked = [box.accessibleName() for box in boxes if spellcheck_of(box) is None]
    assert unchecked == []

    findings = next(box for box in boxes if box.accessibleName() == "Findings")
    service = box_service(findings)
    qtbot.waitUntil(lambda: service.ready, timeout=30000)
    findings.setPlainText("The safeguarding partnersip met.")
    assert marked(findings) == ["partnersip"]


def test_every_text_box_of_the_dialogs_is_checked(qtbot):
    from scrutiny_desktop.ui.item_dialogs import EvidenceDialog, RecommendationDialog
    from scrutiny_desktop.ui.review import ReviewPage
    from scrutiny_desktop.ui.signoff import ReasonDialog

    for widget in (EvidenceDialog(), RecommendationDialog(), ReviewPage(),
                   ReasonDialog(None, "Reopen", "Why?", "Reopen")):
        qtbot.addWidget(widget)
        boxes = widget.findChildren(QPlainTextEdit)
        assert boxes, type(widget).__name__
        assert [b.accessibleName() for b in boxes if spellcheck_of(b) is None] == []
