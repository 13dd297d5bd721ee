"""The window's menus: every command, its shortcut, and when it is available.

The menus only name commands and decide whether each can be used now (from the
assessment's permissions); what a command does lives with the window or its
actions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from scrutiny_desktop.services.permissions import Status, permissions

if TYPE_CHECKING:
    from scrutiny_desktop.ui.main_window import MainWindow

Shortcut = QKeySequence.StandardKey | str | None


def _on_focused(method: str) -> Callable[[], None]:
    """A command done by the focused control (text fields have undo(), cut(), ...)."""
    def run() -> None:
        act = getattr(QApplication.focusWidget(), method, None)
        if callable(act):
            act()
    return run


class Menus:
    """Builds the menu bar of ``window`` and keeps its actions."""

    def __init__(self, window: MainWindow):
        self.window = window
        w = window
        bar = w.menuBar()
        m = self.file_menu = bar.addMenu("&File")
        self.new_action = self._add(m, "&New assessment…", w.new_assessment,
                                    QKeySequence.StandardKey.New, "new_assessment")
        self.carry_action = self._add(m, "New assessment &from a previous one…",
                                      w.library_actions.carry_forward, None, "new_from_previous")
        self.open_action = self._add(m, "&Open…", w.open_dialog, QKeySequence.StandardKey.Open,
                                     "open")
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.library_action = self._add(m, "&Library…", w.library_actions.show_library,
                                        "Ctrl+Shift+L", "library")
        self.compare_action = self._add(m, "Co&mpare two assessments…",
                                        w.library_actions.compare_dialog, None, "compare")
        m.addSeparator()
        self.save_copy_action = self._add(m, "&Save a copy…", w.exports.save_a_copy,
                                          "Ctrl+Shift+S", "save_copy")
        self.close_action = self._add(m, "&Close assessment", w.close_document,
                                      QKeySequence.StandardKey.Close, "close_assessment")
        e = self.encryption_menu = m.addMenu("Encr&yption")
        enc = w.encryption_actions
        self.encrypt_action = self._add(e, "&Encrypt with a passphrase…", enc.encrypt, None,
                                        "encrypt")
        self.change_passphrase_action = self._add(e, "&Change passphrase…", enc.change_passphrase,
                                                  None, "change_passphrase")
        self.decrypt_action = self._add(e, "&Remove encryption…", enc.remove, None,
                                        "remove_encryption")
        m.addSeparator()
        self.export_pdf_action = self._add(m, "&Export PDF summary…", w.exports.export_pdf,
                                           "Ctrl+E", "export_pdf")
        self.export_docx_action = self._add(m, "Export &Word report…", w.exports.export_docx, None,
                                            "export_docx")
        self.print_action = self._add(m, "Prin&t…", w.exports.print_summary,
                                      QKeySequence.StandardKey.Print, "print")
        # Available exactly when the PDF export is (update() decides that one).
        self.export_docx_action.setEnabled(self.export_pdf_action.isEnabled())
        self.export_pdf_action.enabledChanged.connect(self.export_docx_action.setEnabled)
        self.export_pdf_action.enabledChanged.connect(self.print_action.setEnabled)
        self.print_action.setEnabled(self.export_pdf_action.isEnabled())
        self.export_json_action = self._add(m, "Export &JSON…", w.exports.export_json, None,
                                            "export_json")
        self.export_csv_action = self._add(m, "Export CS&V…", w.exports.export_csv, None,
                                           "export_csv")
        self.verify_action = self._add(m, "Ver&ify a PDF…", w.exports.verify_pdf, None,
                                       "verify_pdf")
        m.addSeparator()
        self.preferences_action = self._add(m, "&Preferences…", w.preferences, "Ctrl+,",
                                            "preferences")
        m.addSeparator()
        # Spelled out: QKeySequence.StandardKey.Quit has no binding on Windows (or offscreen).
        self.quit_action = self._add(m, "&Quit", w.close, "Ctrl+Q", "quit")

        e = bar.addMenu("&Edit")
        keys = QKeySequence.StandardKey
        self.undo_action = self._add(e, "&Undo", _on_focused("undo"), keys.Undo, "undo")
        self.redo_action = self._add(e, "&Redo", _on_focused("redo"), keys.Redo, "redo")
        e.addSeparator()
        self.cut_action = self._add(e, "Cu&t", _on_focused("cut"), keys.Cut, "cut")
        self.copy_action = self._add(e, "&Copy", _on_focused("copy"), keys.Copy, "copy")
        self.paste_action = self._add(e, "&Paste", _on_focused("paste"), keys.Paste, "paste")
        self.select_all_action = self._add(e, "Select &all", _on_focused("selectAll"),
                                           keys.SelectAll, "select_all")
        e.addSeparator()
        # Ctrl+F works anywhere in the window (not only while the menu has the focus).
        self.find_action = self._add(e, "&Find…", w.show_find, keys.Find, "find")
        # The menu shows the platform's keys; the keys themselves are left to the
        # focused control (text fields and lists handle them natively), so these
        # shortcuts are live only while the menu itself has the focus.
        for action in (self.undo_action, self.redo_action, self.cut_action, self.copy_action,
                       self.paste_action, self.select_all_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)

        g = bar.addMenu("&Go")
        self.next_action = self._add(g, "&Next question", w.assessment.next_question,
                                     "Alt+Right", "next_question")
        self.prev_action = self._add(g, "&Previous question", w.assessment.previous_question,
                                     "Alt+Left", "previous_question")
        self.questions_action = self._add(g, "Question &list", w.focus_navigator, "Ctrl+L",
                                          "question_list")
        self.question_text_action = self._add(g, "Question &text", w.focus_question_text, "Alt+Q",
                                              "question_text")
        # Ctrl+Shift+S is File > Save a copy; M for suMmary.
        self.summary_action = self._add(g, "&Summary and conclusions", w.show_summary,
                                        "Ctrl+Shift+M", "summary_and_conclusions")
        self.home_action = self._add(g, "&Home screen", w.close_document, None, "home")

        a = self.assessment_menu = bar.addMenu("&Assessment")
        s = w.status_actions
        self.ready_action = self._add(a, "&Review and sign off…", s.show_ready, "Ctrl+R",
                                      "review_sign_off")
        self.sign_action = self._add(a, "&Sign off…", s.sign_off, None, "sign_off")
        self.reopen_action = self._add(a, "Re&open for changes…", s.reopen, None, "reopen")
        a.addSeparator()
        # The chair's review starts only here (a signed-off file opens read-only).
        self.chair_action = self._add(a, "Revie&w as chair…", s.review_as_chair, None,
                                      "review_as_chair")
        self.response_action = self._add(a, "&Partnership response…", s.show_review,
                                         "Ctrl+Shift+R", "partnership_response")
        self.countersign_action = self._add(a, "&Countersign…", s.countersign, None,
                                            "countersign")
        self.reopen_review_action = self._add(a, "Reopen the re&view…", s.reopen_review, None,
                                              "reopen_review")

        h = bar.addMenu("&Help")
        self._add(h, "&User guide", w.show_guide, QKeySequence.StandardKey.HelpContents,
                  "user_guide")
        self._add(h, "&About Scrutiny Desktop", w.show_about, None, "about")

    def _add(self, menu: QMenu, text: str, slot: Callable[[], object], shortcut: Shortcut = None,
             name: str = "") -> QAction:
        action = QAction(text, self.window)
        if isinstance(shortcut, QKeySequence.StandardKey):
            # Every key the platform lists (Redo is Ctrl+Y and Ctrl+Shift+Z on some).
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    def _fill_recent_menu(self) -> None:
        menu, recent = self.recent_menu, self.window.state.recent
        menu.clear()
        if not recent:
            menu.addAction("No recent assessments").setEnabled(False)
            return
        for n, path in enumerate(recent, start=1):
            label = f"&{n} {Path(path).name}" if n < 10 else Path(path).name
            action = menu.addAction(label)
            action.setToolTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.window.open_path(Path(p)))

    def update(self) -> None:
        """Enable what the open assessment allows now (one rule: its permissions)."""
        doc = self.window.doc
        for action in (self.save_copy_action, self.close_action, self.next_action,
                       self.prev_action, self.questions_action, self.question_text_action,
                       self.export_pdf_action, self.export_json_action, self.export_csv_action,
                       self.ready_action, self.find_action):
            action.setEnabled(doc is not None)
        self.summary_action.setEnabled(doc is not None)
        changeable = doc is not None and not doc.readonly
        encrypted = bool(doc is not None and getattr(doc, "encrypted", False))
        self.encrypt_action.setEnabled(changeable and not encrypted)
        self.change_passphrase_action.setEnabled(changeable and encrypted)
        self.decrypt_action.setEnabled(changeable and encrypted)
        chair = self.window.status_actions.chair()
        allowed = permissions(doc, chair=chair is not None) if doc is not None else None
        self.chair_action.setEnabled(bool(allowed and allowed.status != Status.DRAFT
                                          and not allowed.readonly))
        self.window.status_actions.show_role()
        self.sign_action.setEnabled(bool(allowed and allowed.can_sign_off))
        self.reopen_action.setEnabled(bool(allowed and allowed.can_reopen))
        self.response_action.setEnabled(bool(allowed and allowed.status != Status.DRAFT))
        self.countersign_action.setEnabled(bool(allowed and allowed.can_countersign))
        self.reopen_review_action.setEnabled(bool(allowed and allowed.can_reopen_review))
