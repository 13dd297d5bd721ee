"""No two Alt+letter mnemonics on one screen (the menu bar's menus included)
share a letter: every page of the main window and every dialog that can be
opened from it is checked."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QTabBar,
    QWidget,
)

from scrutiny_desktop.services import recommendations
from scrutiny_desktop.settings import Settings
from scrutiny_desktop.ui.find import FindDialog
from scrutiny_desktop.ui.identity import CreateIdentityDialog
from scrutiny_desktop.ui.review import ResponseDialog
from tests.helpers import answer_all_in, make_signed
from tests.ui.helpers import find, run_modal


def mnemonic(text: str) -> str | None:
    """The letter after a single "&" in ``text`` ("&&" is a literal ampersand)."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] == "&":
                i += 2
                continue
            return text[i + 1].lower()
        i += 1
    return None


def _clashes(texts: list[str]) -> list[str]:
    by_letter: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        letter = mnemonic(text)
        if letter is not None:
            by_letter[letter].append(text)
    return [f"Alt+{letter.upper()}: {', '.join(repr(t) for t in hits)}"
            for letter, hits in sorted(by_letter.items()) if len(hits) > 1]


def screen_texts(root: QWidget) -> list[str]:
    """Every mnemonic-bearing text shown now in ``root`` (one window or dialog)."""
    texts: list[str] = []
    for w in root.findChildren(QWidget):
        if w.window() is not root or not w.isVisible():
            continue
        if isinstance(w, QAbstractButton) or (isinstance(w, QLabel) and w.buddy() is not None):
            texts.append(w.text())
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QTabBar):
            texts.extend(w.tabText(i) for i in range(w.count()) if w.isTabVisible(i))
    if isinstance(root, QMainWindow):
        texts.extend(a.text() for a in root.menuBar().actions() if a.isVisible())
    return texts


def clashes(root: QWidget, where: str) -> list[str]:
    """The clashing texts on ``root``, one line per shared letter; each of a main
    window's menus is also checked on its own."""
    problems = _clashes(screen_texts(root))
    if isinstance(root, QMainWindow):
        for menu in root.menuBar().findChildren(QMenu):
            clash = _clashes([a.text() for a in menu.actions() if a.isVisible()])
            problems += [f"{menu.title()!r} menu: {c}" for c in clash]
    return [f"{where}: {p}" for p in problems]


class Screens:
    """Collects the clashes of every screen looked at; ``check()`` fails listing them all."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.seen: list[str] = []

    def look(self, root: QWidget, where: str) -> None:
        self.seen.append(where)
        self.problems += clashes(root, where)

    def dialog(self, where: str):
        """A ``fill`` for ``run_modal`` that looks at the dialog and cancels it."""
        def fill(dialog):
            try:
                self.look(dialog, where)
            finally:
                dialog.reject()
        return fill

    def check(self) -> None:
        assert not self.problems, "mnemonic clashes:\n" + "\n".join(self.problems)


def test_mnemonic_helper_reports_a_clash(qtbot):
    """The helper itself notices two labels sharing a letter and ignores "&&"."""
    assert mnemonic("Fish && &chips") == "c" and mnemonic("Plain") is None
    assert _clashes(["&File", "&Findings", "&Edit", "A && B"]) == ["Alt+F: '&File', '&Findings'"]
    label = QLabel("&Findings")
    qtbot.addWidget(label)
    assert screen_texts(label) == []  # a label without a buddy has no mnemonic


def test_main_window_pages_have_unique_mnemonics(make_window, qtbot, new_doc_path):
    screens = Screens()
    window = make_window()
    screens.look(window, "the home screen")
    assert window.open_path(new_doc_path)
    screens.look(window, "the question page")
    window.show_summary()
    screens.look(window, "the summary page")
    window.menus.ready_action.trigger()
    screens.look(window, "the review page")
    window.library_actions.show_library()
    screens.look(window.library_actions.window, "the library window")
    screens.check()


def test_signed_off_pages_have_unique_mnemonics(make_window, qtbot, new_doc_path):
    screens = Screens()
    make_signed(new_doc_path)
    window = make_window(settings=Settings(scrutineer_name="Chris Chair", scrutineer_role="Chair"))
    assert window.open_path(new_doc_path)
    screens.look(window, "the question page of a signed-off assessment")

    def review_as_chair(dialog):
        screens.look(dialog, "the review as chair dialog")
        dialog.name.setText("Chris Chair")
        dialog.accept()

    run_modal(qtbot, window.menus.chair_action.trigger, review_as_chair)
    assert window.assessment.review_editable
    screens.look(window, "the question page while reviewing as the chair")
    window.menus.response_action.trigger()
    assert window.stack.currentWidget() is window.review_page
    screens.look(window, "the partnership response page")
    recs = recommendations.list_recommendations(window.doc)
    dialog = ResponseDialog(window, recs[0])
    qtbot.addWidget(dialog)
    dialog.show()
    for i in range(dialog.decision.count()):  # each decision shows its own detail label
        dialog.decision.setCurrentIndex(i)
        screens.look(dialog, f"the response dialog ({dialog.decision.currentText()})")
    run_modal(qtbot, window.menus.reopen_action.trigger, screens.dialog("the reason dialog"))
    screens.check()


def test_dialogs_have_unique_mnemonics(make_window, qtbot, new_doc_path, tmp_path):
    screens = Screens()
    window = make_window()
    run_modal(qtbot, window.new_assessment, screens.dialog("the new assessment dialog"))
    run_modal(qtbot, window.preferences, screens.dialog("the preferences dialog"))
    answer_all_in(new_doc_path)
    assert window.open_path(new_doc_path)
    window.show_find()  # not modal: looked at while open, then closed
    find_dialog = window.findChild(FindDialog)
    screens.look(find_dialog, "the find dialog")
    find_dialog.reject()
    run_modal(qtbot, lambda: qtbot.mouseClick(find(window, "Add evidence", QAbstractButton),
                                              Qt.MouseButton.LeftButton),
              screens.dialog("the evidence dialog"))
    run_modal(qtbot, lambda: qtbot.mouseClick(find(window, "Add recommendation", QAbstractButton),
                                              Qt.MouseButton.LeftButton),
              screens.dialog("the recommendation dialog"))
    window.menus.ready_action.trigger()
    run_modal(qtbot, lambda: qtbot.mouseClick(find(window, "Sign off", QAbstractButton),
                                              Qt.MouseButton.LeftButton),
              screens.dialog("the sign-off dialog"))
    identity = CreateIdentityDialog(window, name="Ann Jones", folder=tmp_path)
    qtbot.addWidget(identity)
    identity.show()
    screens.look(identity, "the signing certificate dialog")
    screens.check()
