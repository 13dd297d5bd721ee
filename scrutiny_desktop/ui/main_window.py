"""The main window: home screen, assessment screen, menus and status bar.

It receives its settings and state in the constructor, and every prompt goes
through a handful of methods (``ask_open_path``, ``ask_save_path``,
``confirm``, ``show_error``, ``show_info``) that a test can replace.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QStackedWidget,
    QWidget,
)

from sqlalchemy.exc import SQLAlchemyError

from scrutiny_desktop import APP_NAME, __version__
from scrutiny_desktop.checklist import discover_templates
from scrutiny_desktop.services import (
    assessments,
    library,
    progress,
    recommendations,
    review,
    signoff,
)
from scrutiny_desktop.settings import (
    AppState,
    DocumentState,
    Managed,
    ManagedConfig,
    Settings,
    effective,
)
from scrutiny_desktop.storage import SUFFIX, save_copy
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.errors import DocumentError, DocumentInUse, InvalidInput
from scrutiny_desktop.text import clock_text, when_text
from scrutiny_desktop.ui.assessment_page import AssessmentPage, open_with_system_viewer
from scrutiny_desktop.ui.autosave import CEILING_MS, DEFAULT_DELAY_MS, RETRY_MS, Autosaver
from scrutiny_desktop.ui.compare import CompareDialog, compare_paths, in_time_order
from scrutiny_desktop.ui.home import HomePage
from scrutiny_desktop.ui.library import LibraryPage
from scrutiny_desktop.ui.new_assessment import NewAssessmentDialog
from scrutiny_desktop.ui.ops import run_in_background
from scrutiny_desktop.ui.preferences import PreferencesDialog
from scrutiny_desktop.ui.review import ReviewPage
from scrutiny_desktop.ui.signoff import ReadyPage, ReasonDialog, SignOffDialog
from scrutiny_desktop.ui.widgets import message_box, reactivate, restoring_focus, run_dialog

FILE_FILTER = f"Scrutiny Desktop assessments (*{SUFFIX});;All files (*)"


class MainWindow(QMainWindow):
    document_opened = Signal(Path)
    document_closed = Signal()
    #: An export finished: (path or None, error message or "").
    export_finished = Signal(object, str)

    def __init__(self, settings: Settings, state: AppState, *,
                 save_settings: Callable[[Settings], None] | None = None,
                 save_state: Callable[[AppState], None] | None = None,
                 autosave_delay_ms: int = DEFAULT_DELAY_MS,
                 autosave_retry_ms: int = RETRY_MS,
                 autosave_ceiling_ms: int = CEILING_MS,
                 managed: Managed | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        #: What the person chose (saved), and what is in force (with IT's settings).
        self.user_settings = settings
        self.managed = managed or Managed(ManagedConfig(), None)
        self.settings = effective(settings, self.managed)
        self.state = state
        self._save_settings = save_settings or (lambda s: None)
        self._save_state = save_state or (lambda s: None)
        self.doc: Document | None = None
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.resize(1280, 760)

        self.autosaver = Autosaver(self, delay_ms=autosave_delay_ms, retry_ms=autosave_retry_ms,
                                   ceiling_ms=autosave_ceiling_ms)
        self.autosaver.pending.connect(lambda: self.save_status.setText("Saving…"))
        self.autosaver.saved.connect(self._on_saved)
        self.autosaver.failed.connect(self._on_save_failed)

        self.home = HomePage()
        self.assessment = AssessmentPage(self, self.autosaver)
        self.ready = ReadyPage()
        self.ready.back_requested.connect(self.show_questions)
        self.ready.sign_requested.connect(self.sign_off)
        self.ready.question_requested.connect(self._ready_go_to)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.home)
        self.stack.addWidget(self.assessment)
        self.stack.addWidget(self.ready)
        self.library = LibraryPage(self.state.library_folders, save_folders=self._save_library_folders,
                                   ask_folder=lambda _parent: self.ask_folder())
        self.library.open_requested.connect(self.open_path)
        self.library.compare_requested.connect(self.compare_documents)
        self.stack.addWidget(self.library)
        self.review_page = ReviewPage()
        self.review_page.back_requested.connect(self.show_questions)
        self.review_page.countersign_requested.connect(self.countersign)
        self.review_page.respond_requested.connect(self._respond_from_review)
        self.review_page.overall_edited.connect(self._overall_edited)
        self.stack.addWidget(self.review_page)
        self.setCentralWidget(self.stack)

        self.save_status = QLabel("")
        self.save_status.setObjectName("save_status")
        self.save_status.setAccessibleName("Save status")
        self.statusBar().addPermanentWidget(self.save_status)

        self.home.new_requested.connect(self.new_assessment)
        self.home.open_requested.connect(self.open_dialog)
        self.home.open_path.connect(self.open_path)
        self.home.remove_requested.connect(self.remove_recent)
        self.home.library_requested.connect(self.show_library)
        self.assessment.changed.connect(self._update_title)

        self._build_menus()
        self._restore_geometry()
        self.refresh_home()
        self._update_actions()
        app = QApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._app_state_changed)

    # -- menus ----------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None, name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        self.new_action = self._action(m, "&New assessment…", self.new_assessment,
                                       QKeySequence.StandardKey.New, "new_assessment")
        self.carry_action = self._action(m, "New assessment from a &previous one…",
                                         self.carry_forward, None, "new_from_previous")
        self.open_action = self._action(m, "&Open…", self.open_dialog,
                                        QKeySequence.StandardKey.Open, "open")
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.library_action = self._action(m, "&Library…", self.show_library, "Ctrl+Shift+L", "library")
        self.compare_action = self._action(m, "Co&mpare two assessments…", self.compare_dialog, None,
                                           "compare")
        m.addSeparator()
        self.save_copy_action = self._action(m, "Save a &copy…", self.save_a_copy,
                                             "Ctrl+Shift+S", "save_copy")
        self.close_action = self._action(m, "&Close assessment", self.close_document,
                                         QKeySequence.StandardKey.Close, "close_assessment")
        m.addSeparator()
        self.file_menu = m
        self.export_pdf_action = self._action(m, "&Export PDF summary…", self.export_pdf, "Ctrl+E", "export_pdf")
        self.export_json_action = self._action(m, "Export &JSON…", self.export_json, None, "export_json")
        self.export_csv_action = self._action(m, "Export CS&V…", self.export_csv, None, "export_csv")
        self.verify_action = self._action(m, "&Verify a PDF…", self.verify_pdf, None, "verify_pdf")
        m.addSeparator()
        self.preferences_action = self._action(m, "&Preferences…", self.preferences,
                                               "Ctrl+,", "preferences")
        m.addSeparator()
        # Spelled out: QKeySequence.StandardKey.Quit has no binding on Windows (or offscreen).
        self.quit_action = self._action(m, "&Quit", self.close, "Ctrl+Q", "quit")

        e = bar.addMenu("&Edit")
        self.undo_action = self._action(e, "&Undo", self._undo, QKeySequence.StandardKey.Undo, "undo")
        self.redo_action = self._action(e, "&Redo", self._redo, QKeySequence.StandardKey.Redo, "redo")
        # Text fields handle Ctrl+Z themselves; the menu items are for discovery
        # and for when focus is elsewhere.
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.redo_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)

        g = bar.addMenu("&Go")
        self.next_action = self._action(g, "&Next question", self.assessment.next_question,
                                        "Alt+Right", "next_question")
        self.prev_action = self._action(g, "&Previous question", self.assessment.previous_question,
                                        "Alt+Left", "previous_question")
        self.questions_action = self._action(g, "&Question list", self._focus_navigator,
                                             "Ctrl+L", "question_list")
        self.home_action = self._action(g, "&Home screen", self.close_document, None, "home")
        a = bar.addMenu("&Assessment")
        self.assessment_menu = a
        self.ready_action = self._action(a, "&Review and sign off…", self.show_ready, "Ctrl+R", "review_sign_off")
        self.sign_action = self._action(a, "&Sign off…", self.sign_off, None, "sign_off")
        self.reopen_action = self._action(a, "Re&open for changes…", self.reopen, None, "reopen")
        a.addSeparator()
        self.response_action = self._action(a, "&Partnership response…", self.show_review,
                                            "Ctrl+Shift+R", "partnership_response")
        self.countersign_action = self._action(a, "&Countersign…", self.countersign, None, "countersign")
        self.reopen_review_action = self._action(a, "Reopen the re&view…", self.reopen_review, None,
                                                 "reopen_review")

        h = bar.addMenu("&Help")
        self._action(h, "&User guide", self.show_guide, QKeySequence.StandardKey.HelpContents, "user_guide")
        self._action(h, "&About Scrutiny Desktop", self.show_about, None, "about")

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        if not self.state.recent:
            a = self.recent_menu.addAction("No recent assessments")
            a.setEnabled(False)
            return
        for n, path in enumerate(self.state.recent, start=1):
            label = f"&{n} {Path(path).name}" if n < 10 else Path(path).name
            action = self.recent_menu.addAction(label)
            action.setToolTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_path(Path(p)))

    def _update_actions(self) -> None:
        has_doc = self.doc is not None
        for a in (self.save_copy_action, self.close_action, self.next_action, self.prev_action,
                  self.questions_action, self.export_pdf_action, self.export_json_action,
                  self.export_csv_action, self.ready_action):
            a.setEnabled(has_doc)
        info = self.assessment.info
        draft = has_doc and info is not None and info.status == "draft" and not self.doc.readonly
        self.sign_action.setEnabled(draft)
        signed = has_doc and info is not None and info.status == "signed_off" and not self.doc.readonly
        self.reopen_action.setEnabled(signed)
        self.response_action.setEnabled(has_doc and info is not None and info.status != "draft")
        self.countersign_action.setEnabled(signed)
        self.reopen_review_action.setEnabled(has_doc and info is not None and info.status == "reviewed"
                                             and not self.doc.readonly)

    def _focus_navigator(self) -> None:
        if self.doc is not None:
            self.assessment.navigator.tree.setFocus()

    def _undo(self) -> None:
        w = QApplication.focusWidget()
        if hasattr(w, "undo"):
            w.undo()

    def _redo(self) -> None:
        w = QApplication.focusWidget()
        if hasattr(w, "redo"):
            w.redo()

    # -- prompts (replaceable in tests) -----------------------------------------
    # Every prompt goes through restoring_focus / run_dialog, so that when it
    # closes this window is active again and the focus is back where it was
    # (otherwise window shortcuts stop working on some platforms).
    def ask_open_path(self) -> Path | None:
        start = str(self.settings.documents_folder())
        with restoring_focus(self):
            chosen, _ = QFileDialog.getOpenFileName(self, "Open an assessment", start, FILE_FILTER)
        return Path(chosen) if chosen else None

    def ask_save_path(self, title: str, suggested: Path, file_filter: str = FILE_FILTER) -> Path | None:
        with restoring_focus(self):
            chosen, _ = QFileDialog.getSaveFileName(self, title, str(suggested), file_filter)
        return Path(chosen) if chosen else None

    def ask_folder(self) -> Path | None:
        with restoring_focus(self):
            chosen = QFileDialog.getExistingDirectory(self, "Choose a folder of assessments",
                                                      str(self.settings.documents_folder()))
        return Path(chosen) if chosen else None

    def confirm(self, title: str, text: str) -> bool:
        box = message_box(self, QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          QMessageBox.StandardButton.No)
        run_dialog(box)
        return box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)

    def show_error(self, title: str, text: str) -> None:
        run_dialog(message_box(self, QMessageBox.Icon.Warning, title, text))

    def show_info(self, title: str, text: str) -> None:
        run_dialog(message_box(self, QMessageBox.Icon.Information, title, text))

    def open_external(self, path: Path) -> None:
        if not open_with_system_viewer(path):
            self.show_error("Cannot open the file",
                            f"No program on this computer could open {path.name}. "
                            f"A copy was saved at {path}.")

    # -- documents ----------------------------------------------------------------
    def actor(self) -> str:
        return self.settings.scrutineer_name

    def new_assessment(self) -> None:
        if not self.close_document():
            return
        templates = discover_templates(self.settings.extra_template_folders())
        result = NewAssessmentDialog.ask(self, templates, self.settings)
        if result is None:
            return
        try:
            path = assessments.create_assessment(result.path, result.template, result.details,
                                                 actor=result.details.scrutineer_name)
        except (DocumentError, InvalidInput, FileExistsError, OSError) as exc:
            self.show_error("Could not create the assessment", str(exc))
            return
        # Remember the scrutineer for next time.
        d = result.details
        if (self.settings.scrutineer_name, self.settings.scrutineer_role) != (
                d.scrutineer_name.strip(), d.scrutineer_role.strip()):
            self.user_settings.scrutineer_name = d.scrutineer_name.strip()
            self.user_settings.scrutineer_role = d.scrutineer_role.strip()
            self._save_settings(self.user_settings)
            self.settings = effective(self.user_settings, self.managed)
        self._forget_state(path)
        self.open_path(path)

    def open_dialog(self) -> None:
        path = self.ask_open_path()
        if path is not None:
            self.open_path(path)

    def open_path(self, path: Path) -> bool:
        """Open a document for editing; read-only with a notice if someone holds it."""
        path = Path(path)
        if self.doc is not None and self.doc.path.resolve() == path.resolve():
            return True
        if not self.close_document():
            return False
        banner = ""
        banner_action = None
        try:
            doc = assessments.open_assessment(path, actor=self.actor(), lock=True)
        except DocumentInUse as exc:
            try:
                doc = assessments.open_assessment(path, actor=self.actor(), readonly=True)
            except (DocumentError, InvalidInput, ValueError) as exc2:
                self.show_error("Cannot open this assessment", str(exc2))
                return False
            holder = exc.holder_info
            who = f" by {holder.describe()}" if holder else (
                f" by {exc.holder}" if exc.holder else " by another program")
            doc.readonly_reason = f"it is open{who}"
            if exc.can_take_over:
                banner = (f"Read-only: this assessment is open{who}, according to the lock file "
                          "beside it. If they have finished, or their computer stopped without "
                          "closing it, you can take over editing; otherwise ask them to close it, "
                          "or use File > Save a copy to edit a copy.")
                banner_action = ("&Take over editing", lambda p=path: self.take_over_editing(p))
            else:
                banner = (f"Read-only: this assessment is open{who}. Nothing can be changed here. "
                          "Ask them to close it and open it again, or use File > Save a copy to "
                          "edit a copy.")
        except (DocumentError, InvalidInput, ValueError) as exc:
            self.show_error("Cannot open this assessment", str(exc))
            self.refresh_home()
            return False
        return self._show_document(doc, banner, banner_action)

    def take_over_editing(self, path: Path) -> bool:
        """Replace another person's lock with ours (after a clear warning) and edit."""
        if not self.confirm(
                "Take over editing",
                "Take over editing of this assessment?\n\nOnly do this if the person named in "
                "the notice has finished with it or their computer stopped without closing it. "
                "If they are still editing, changes made in two places at once can be lost. "
                "The take-over is recorded in the assessment's audit log."):
            return False
        self.autosaver.flush()
        self._abandon_document()
        try:
            doc = assessments.take_over(path, actor=self.actor())
        except (DocumentError, InvalidInput, ValueError) as exc:
            self.show_error("Cannot take over editing", str(exc))
            self.open_path(path)
            return False
        return self._show_document(doc, "")

    def _show_document(self, doc: Document, banner: str,
                       banner_action: tuple[str, Callable[[], object]] | None = None) -> bool:
        path = doc.path
        self.doc = doc
        notes = []
        if doc.backup_path is not None:
            notes.append(f"Updated to this version's format; the original was kept as "
                         f"{doc.backup_path.name}.")
        recovered = ""
        if doc.recovered_interrupted_save:
            recovered = doc.recovery_message
            notes.append(recovered)
        stale = doc.cleared_stale_lock
        if stale is not None:
            notes.append(f"A lock left by {stale.describe()}, which is no longer running, "
                         "was cleared.")
        taken = doc.took_over_from
        if taken is not None:
            notes.append(f"You took over editing from {taken.describe()}; this is recorded in "
                         "the audit log.")
        if notes:
            self.statusBar().showMessage(" ".join(notes), 30000)
        if not banner and recovered and not doc.readonly:
            banner = recovered
        try:
            doc_state = self._saved_state(doc)
            self.assessment.load(doc, doc_state.question_id, banner, banner_action)
        except (SQLAlchemyError, DocumentError, InvalidInput, ValueError) as exc:
            # Opened, but unreadable inside (a table missing, a damaged row...):
            # let it go again, lock file included, and say so in one line.
            self._abandon_document()
            detail = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200].rstrip(".")
            advice = "" if "earlier copy" in detail else " Open an earlier copy or backup of it."
            self.show_error("Cannot open this assessment",
                            f"{path.name} is damaged and cannot be shown: "
                            f"{detail or type(exc).__name__}.{advice}")
            return False
        if doc_state.splitter:
            self.assessment.splitter.setSizes(doc_state.splitter)
        self.assessment.page.set_guidance_visible(self.state.guidance_expanded)
        self.assessment.page.guidance_toggled.connect(self._guidance_toggled)
        self.stack.setCurrentWidget(self.assessment)
        self.state.add_recent(path)
        self._save_state(self.state)
        if self.assessment.editable:
            self.save_status.setText("All changes saved")
        elif self.assessment.review_editable:
            self.save_status.setText("Reviewing: your comments are saved as you type")
        else:
            self.save_status.setText("Read-only")
        self._update_title()
        self._update_actions()
        self.assessment.page.question_label.setFocus()
        self.assessment.page.findings.setFocus()
        self.document_opened.emit(path)
        return True

    def _saved_state(self, doc: Document) -> DocumentState:
        """Where this assessment was left last time, if it is the same assessment.

        The state is kept by path, so a different assessment later created at the
        same path must not inherit it: the assessment's uid is remembered with it
        (``DocumentState.uid``; states saved without one are trusted).
        """
        saved = self.state.document(doc.path)
        saved_uid = getattr(saved, "uid", "")
        if saved_uid and saved_uid != assessments.info(doc).uid:
            return DocumentState()
        return saved

    def _forget_state(self, path: Path) -> None:
        """A new document at ``path``: nothing remembered for the path applies to it."""
        self.state.set_document(path, DocumentState())
        self._save_state(self.state)

    def _abandon_document(self) -> None:
        """Close a document that failed to load, without saving anything about it."""
        doc, self.doc = self.doc, None
        if doc is not None:
            doc.close()
        self.assessment.unload()
        self.stack.setCurrentWidget(self.home)
        self.save_status.setText("")
        self.refresh_home()
        self._update_title()
        self._update_actions()

    def _guidance_toggled(self, visible: bool) -> None:
        self.state.guidance_expanded = visible
        self._save_state(self.state)

    def close_document(self) -> bool:
        """Save everything, remember where we were, and go back home."""
        if self.doc is None:
            self.stack.setCurrentWidget(self.home)
            return True
        if not self.autosaver.flush():
            if not self.confirm(
                    "Changes not saved",
                    f"Your latest changes could not be saved: {self.autosaver.last_error}\n\n"
                    "Close the assessment anyway and lose them?"):
                return False
            self.autosaver.discard()
        # ``uid`` is kept once DocumentState has the field (ignored until then).
        with_state = DocumentState(question_id=self.assessment.current_question,
                                   splitter=self.assessment.splitter.sizes(),
                                   uid=self.assessment.info.uid if self.assessment.info else "")
        self.state.set_document(self.doc.path, with_state)
        self._save_state(self.state)
        try:
            self.assessment.page.guidance_toggled.disconnect(self._guidance_toggled)
        except (RuntimeError, TypeError):
            pass
        self.doc.close()
        self.doc = None
        self.assessment.unload()
        self.stack.setCurrentWidget(self.home)
        self.save_status.setText("")
        self.refresh_home()
        self._update_title()
        self._update_actions()
        self.document_closed.emit()
        return True

    def remove_recent(self, path: Path) -> None:
        self.state.remove_recent(path)
        self._save_state(self.state)
        self.refresh_home()

    def refresh_home(self) -> None:
        self.home.show_recent([library.summarise_file(Path(p)) for p in self.state.recent])

    def save_a_copy(self) -> None:
        if self.doc is None:
            return
        self.autosaver.flush()
        suggested = self.doc.path.with_name(self.doc.path.stem + " (copy)" + SUFFIX)
        target = self.ask_save_path("Save a copy of this assessment", suggested)
        if target is None:
            return
        if target.suffix.lower() != SUFFIX:
            target = target.with_name(target.name + SUFFIX)
        try:
            save_copy(self.doc, target)
        except (DocumentError, InvalidInput, OSError) as exc:
            self.show_error("Could not save a copy", str(exc))
            return
        self.statusBar().showMessage(f"Copy saved as {target}", 10000)
        if self.doc.readonly and self.confirm(
                "Copy saved", f"The copy was saved as {target.name}. Open the copy to edit it?"):
            self.open_path(target)

    def preferences(self) -> None:
        updated = PreferencesDialog.ask(self, self.settings, self.managed.locked)
        if updated is None:
            return
        for key in Settings.model_fields:
            if key in self.managed.locked:
                continue
            new = getattr(updated, key)
            if key == "template_folders":
                new = [f for f in new if f not in self.managed.config.template_folders]
            if new != getattr(self.settings, key) or (key == "template_folders"
                                                       and new != self.user_settings.template_folders):
                setattr(self.user_settings, key, new)
        self._save_settings(self.user_settings)
        self.settings = effective(self.user_settings, self.managed)

    def show_guide(self) -> None:
        from scrutiny_desktop.ui.help import GuideWindow

        self._guide = GuideWindow(self)
        self._guide.show()

    def show_about(self) -> None:
        from scrutiny_desktop.checklist import bundled_template

        template = self.assessment.template if self.doc is not None else bundled_template()
        from html import escape

        managed = ""
        if self.managed.describe():
            managed = ("<p><b>Managed settings</b> (from " + escape(str(self.managed.path)) + "): "
                       + escape("; ".join(self.managed.describe())) + "</p>")
        if self.managed.error:
            managed += "<p><b>Problem with the managed settings:</b> " + escape(self.managed.error) + "</p>"

        box = message_box(
            self, QMessageBox.Icon.NoIcon, f"About {APP_NAME}",
            f"<h3>{APP_NAME} {escape(__version__)}</h3>"
            "<p>An offline tool for the independent scrutiny of safeguarding children "
            "partnerships. It never connects to a network.</p>"
            f"<p><b>Checklist:</b> {escape(template.title)}, version {escape(template.version)}</p>"
            f"<p>{escape(template.description)}</p>"
            f"<p><b>Sources:</b> {escape(template.source_statement())}</p>{managed}")
        box.setTextFormat(Qt.TextFormat.RichText)
        icon = QApplication.windowIcon()
        if not icon.isNull():
            box.setIconPixmap(icon.pixmap(64, 64))
        run_dialog(box)

    # -- sign-off -------------------------------------------------------------------
    def show_questions(self) -> None:
        if self.doc is not None:
            self.stack.setCurrentWidget(self.assessment)

    def _ready_go_to(self, question_id: str) -> None:
        self.show_questions()
        self.assessment.go_to(question_id)
        self.assessment.page.findings.setFocus()

    def show_ready(self) -> None:
        if self.doc is None:
            return
        self.autosaver.flush()
        current = signoff.current_signoff(self.doc)
        signed = ""
        if current is not None:
            signed = (f"Signed off by {current.name} on {when_text(current.signed_at)}. "
                      "The answers are locked.")
        self.ready.show_state(self.assessment.template, progress.progress(self.doc),
                              signoff.readiness(self.doc),
                              recommendations.list_recommendations(self.doc), signed)
        self.stack.setCurrentWidget(self.ready)
        (self.ready.sign if self.ready.sign.isEnabled() else self.ready.back).setFocus()

    def _reload_assessment(self) -> None:
        question = self.assessment.current_question
        self.assessment.load(self.doc, question)
        self._update_title()
        self._update_actions()

    def sign_off(self) -> None:
        if self.doc is None:
            return
        self.autosaver.flush()
        state = signoff.readiness(self.doc)
        if not state.ready:
            self.show_error("Not ready to sign off", " ".join(state.reasons))
            self.show_ready()
            return
        info = assessments.info(self.doc)
        statement = self.settings.signoff_statement or self.assessment.template.signoff_statement
        answer = SignOffDialog.ask(self, name=self.settings.scrutineer_name or info.scrutineer_name,
                                   role=self.settings.scrutineer_role or info.scrutineer_role,
                                   statement=statement)
        if answer is None:
            return
        self._change_status("Could not sign off", lambda: signoff.sign_off(self.doc, **answer),
                            self.show_ready, "Signed off. The answers are now locked.")

    def _change_status(self, failure_title: str, action, then, message: str) -> bool:
        """Sign, countersign or reopen: run it, then redraw for the new status."""
        try:
            action()
        except (DocumentError, InvalidInput) as exc:
            self.show_error(failure_title, str(exc))
            return False
        self._reload_assessment()
        then()
        self.statusBar().showMessage(message, 10000)
        return True

    def reopen(self) -> None:
        if self.doc is None:
            return
        reason = ReasonDialog.ask(
            self, "Reopen for changes",
            "Reopening voids the sign-off: it stays in the history, marked as voided, with your "
            "reason. Why are you reopening this assessment?", "Reopen")
        if reason is None:
            return
        self._change_status("Could not reopen",
                            lambda: signoff.reopen(self.doc, reason=reason, by=self.actor()),
                            self.show_questions,
                            "Reopened: the sign-off is void and the answers can be changed.")

    # -- review (chairs) ---------------------------------------------------------------
    def show_review(self) -> None:
        if self.doc is None:
            return
        self.autosaver.flush()
        info = assessments.info(self.doc)
        if info.status == "draft":
            self.show_error("Not signed off yet",
                            "Only a signed-off assessment can be reviewed. The scrutineer has not "
                            "signed this one off yet.")
            return
        current = signoff.current_signoff(self.doc)
        signed = (f"Signed off by {current.name} on {when_text(current.signed_at)}. "
                  "The scrutineer's content is read-only; your response is saved as you type "
                  "and does not affect their sign-off.") if current else ""
        ok, reasons = review.review_readiness(self.doc)
        view = review.get_review(self.doc)
        # While saves fail, show the response as typed, not the older stored one.
        view = dataclasses.replace(
            view, overall=self.autosaver.pending_value(("overall-response",), view.overall))
        self.review_page.show_review(
            view, recommendations.list_recommendations(self.doc),
            signed_text=signed, editable=self.assessment.review_editable, ready=ok, reasons=reasons)
        self.stack.setCurrentWidget(self.review_page)
        self.review_page.overall.setFocus()

    def _overall_edited(self, text: str) -> None:
        if self.doc is not None:
            self.autosaver.schedule(("overall-response",),
                                    partial(review.set_overall_response, self.doc, text), text)

    def _respond_from_review(self, recommendation_id: int) -> None:
        if self.assessment.respond_to(recommendation_id):
            self.show_review()

    def countersign(self) -> None:
        if self.doc is None:
            return
        self.autosaver.flush()
        ok, reasons = review.review_readiness(self.doc)
        if not ok:
            self.show_error("Not ready to countersign", " ".join(reasons))
            self.show_review()
            return
        answer = SignOffDialog.ask(
            self, name=self.settings.scrutineer_name, role=self.settings.scrutineer_role,
            statement=review.DEFAULT_COUNTERSIGN_STATEMENT, title="Countersign the review",
            confirm_text="I confirm the statement above", button_text="Countersign")
        if answer is None:
            return
        self._change_status("Could not countersign", lambda: review.countersign(self.doc, **answer),
                            self.show_review,
                            "Countersigned. The partnership's response is now locked.")

    def reopen_review(self) -> None:
        if self.doc is None:
            return
        reason = ReasonDialog.ask(
            self, "Reopen the review",
            "Reopening voids the countersignature (it stays in the history with your reason) so "
            "the partnership's response can be changed. Why are you reopening it?", "Reopen review")
        if reason is None:
            return
        self._change_status("Could not reopen the review",
                            lambda: review.reopen_review(self.doc, reason=reason, by=self.actor()),
                            self.show_review, "Review reopened: the response can be changed.")

    # -- library and comparison -------------------------------------------------------
    def _save_library_folders(self, folders: list[str]) -> None:
        self.state.library_folders = list(folders)
        self._save_state(self.state)

    def show_library(self) -> None:
        if not self.close_document():
            return
        self.library.refresh()
        self.stack.setCurrentWidget(self.library)
        self.library.table.setFocus()

    def compare_dialog(self) -> None:
        """Pick two documents, one after the other, and compare them."""
        first = self.ask_open_path()
        if first is None:
            return
        second = self.ask_open_path()
        if second is None:
            return
        if first.resolve() == second.resolve():
            self.show_error("Choose two different assessments",
                            "Both choices were the same file. Choose two assessments to compare.")
            return
        self.compare_documents(*in_time_order(first, second))

    def compare_documents(self, earlier: Path, later: Path) -> None:
        self.statusBar().showMessage("Comparing…")

        def done(comparison) -> None:
            self.statusBar().clearMessage()
            CompareDialog.ask(self, comparison, self.ask_save_path,
                              protective_marking=self.settings.protective_marking)

        def failed(exc) -> None:
            self.statusBar().clearMessage()
            self.show_error("Cannot compare these assessments", " ".join(str(exc).split()))

        self._compare_op = run_in_background(self, lambda progress: compare_paths(earlier, later),
                                             done, failed)

    # -- carry forward ----------------------------------------------------------------
    def carry_forward(self) -> None:
        from scrutiny_desktop.services.carry_forward import carry_forward
        from scrutiny_desktop.ui.carry_forward import CarryForwardDialog

        previous = self.doc.path if self.doc is not None else self.ask_open_path()
        if previous is None or not self.close_document():
            return
        try:
            with assessments.open_assessment(previous, readonly=True) as prev:
                info = assessments.info(prev)
                open_count = sum(r.status != "done" for r in recommendations.list_recommendations(prev))
        except (DocumentError, InvalidInput) as exc:
            self.show_error("Cannot use this assessment", str(exc))
            return
        choice = CarryForwardDialog.ask(self, info, open_count,
                                        discover_templates(self.settings.extra_template_folders()),
                                        self.settings)
        if choice is None:
            return
        try:
            result = carry_forward(previous, choice.path, period=choice.period,
                                   scrutineer_name=choice.scrutineer_name,
                                   scrutineer_role=choice.scrutineer_role, template=choice.template,
                                   copy_findings=choice.copy_findings, actor=self.actor())
        except (DocumentError, InvalidInput, FileExistsError, OSError) as exc:
            self.show_error("Could not create the assessment", str(exc))
            return
        self._forget_state(result.path)
        self.open_path(result.path)
        note = f"{result.carried} recommendation{'s' if result.carried != 1 else ''} brought forward."
        if result.skipped:
            note += (f" {len(result.skipped)} could not be, because their question is not in the new "
                     "checklist: " + "; ".join(result.skipped))
            self.show_info("New assessment created", note)
        self.statusBar().showMessage(note, 15000)

    # -- exports ----------------------------------------------------------------------
    def _export_target(self, title: str, extension: str, file_filter: str) -> Path | None:
        suggested = self.doc.path.with_suffix(extension)
        target = self.ask_save_path(title, suggested, file_filter)
        if target is None:
            return None
        if target.suffix.lower() != extension:
            target = target.with_name(target.name + extension)
        if target.resolve() == self.doc.path.resolve():
            self.show_error("Choose another name", "That is the assessment file itself.")
            return None
        return target

    def export_pdf(self) -> None:
        from scrutiny_desktop.report.data import collect, options_from_settings
        from scrutiny_desktop.report.pdf import build_pdf

        if self.doc is None:
            return
        self.autosaver.flush()
        target = self._export_target("Export the PDF summary", ".pdf", "PDF documents (*.pdf)")
        if target is None:
            return
        try:
            data = collect(self.doc, options_from_settings(self.settings))
        except (DocumentError, InvalidInput) as exc:
            self.show_error("Could not export the PDF", str(exc))
            return
        dialog = QProgressDialog("Writing the PDF summary…", "", 0, 0, self)
        dialog.setWindowTitle("Export PDF summary")
        dialog.setCancelButton(None)
        dialog.setMinimumDuration(300)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAccessibleName("Export progress")
        focus = QApplication.focusWidget()

        def progress_(done: int, total: int) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)

        def done(path) -> None:
            dialog.close()
            if QApplication.activeWindow() is None:  # the progress window took it
                reactivate(self, focus)
            self.statusBar().showMessage(f"PDF summary saved as {path}", 15000)
            self.export_finished.emit(path, "")

        def failed(exc) -> None:
            dialog.close()
            message = " ".join(str(exc).split()) or exc.__class__.__name__
            self.show_error("Could not export the PDF", message)
            self.export_finished.emit(None, message)

        op = run_in_background(self, lambda report: build_pdf(data, target, progress=report),
                               done, failed)
        op.progress.connect(progress_)
        self._export_op = op

    def _export_sync(self, title: str, extension: str, file_filter: str, write) -> None:
        if self.doc is None:
            return
        self.autosaver.flush()
        target = self._export_target(title, extension, file_filter)
        if target is None:
            return
        try:
            write(self.doc, target)
        except (DocumentError, InvalidInput, OSError) as exc:
            self.show_error(title, str(exc))
            self.export_finished.emit(None, str(exc))
            return
        self.statusBar().showMessage(f"Saved {target}", 15000)
        self.export_finished.emit(target, "")

    def export_json(self) -> None:
        from scrutiny_desktop.report.jsonio import export_json

        self._export_sync("Export JSON", ".json", "JSON files (*.json)", export_json)

    def export_csv(self) -> None:
        from scrutiny_desktop.report.csvout import export_csv

        self._export_sync("Export CSV", ".csv", "CSV files (*.csv)", export_csv)

    def ask_open_pdf(self) -> Path | None:
        with restoring_focus(self):
            chosen, _ = QFileDialog.getOpenFileName(self, "Choose a PDF summary to verify",
                                                    str(self.settings.documents_folder()),
                                                    "PDF documents (*.pdf)")
        return Path(chosen) if chosen else None

    def verify_pdf(self) -> None:
        from scrutiny_desktop.report.verify import verify_against

        pdf = self.ask_open_pdf()
        if pdf is None:
            return
        try:
            if self.doc is not None:
                self.autosaver.flush()
                result = verify_against(pdf, self.doc)
                name = self.doc.path.name
            else:
                path = self.ask_open_path()
                if path is None:
                    return
                with assessments.open_assessment(path, readonly=True) as doc:
                    result = verify_against(pdf, doc)
                name = path.name
        except (DocumentError, InvalidInput) as exc:
            self.show_error("Cannot verify", str(exc))
            return
        text = f"{pdf.name} against {name}: {result.message}."
        if result.ok:
            self.show_info("The PDF matches", text[0].upper() + text[1:])
        else:
            self.show_error("The PDF does not match", text[0].upper() + text[1:])

    # -- status and title ---------------------------------------------------------
    def note_saved(self) -> None:
        self._on_saved(dt.datetime.now().astimezone())

    def _on_saved(self, when: dt.datetime) -> None:
        self.save_status.setText(f"All changes saved {clock_text(when)}")
        if self.statusBar().currentMessage().startswith("Could not save"):
            # The retry worked: the warning no longer holds.
            self.statusBar().clearMessage()
        self._update_title()

    def _on_save_failed(self, message: str) -> None:
        self.save_status.setText("Not saved: retrying…")
        self.statusBar().showMessage(f"Could not save: {message}", 0)

    def _update_title(self) -> None:
        if self.doc is None:
            self.setWindowTitle(APP_NAME)
            return
        ro = " (read-only)" if self.doc.readonly else ""
        self.setWindowTitle(f"{self.doc.path.name}{ro} — {APP_NAME}")

    def _app_state_changed(self, state) -> None:
        if state != Qt.ApplicationState.ApplicationActive:
            self.autosaver.flush()

    # -- window events -------------------------------------------------------------
    def _restore_geometry(self) -> None:
        if self.state.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.state.window_geometry.encode()))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_document():
            event.ignore()
            return
        self.state.window_geometry = bytes(self.saveGeometry().toBase64()).decode()
        self._save_state(self.state)
        event.accept()

    def dragEnterEvent(self, event) -> None:
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        path = self._dropped_path(event)
        if path is not None:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_path(path))

    @staticmethod
    def _dropped_path(event) -> Path | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and url.toLocalFile().lower().endswith(SUFFIX):
                return Path(url.toLocalFile())
        return None
