"""The main window: the page stack, the menus, and the life of the open document.

It receives its settings and state in the constructor.  What the menus do beyond
opening and closing lives in action modules (``export_actions``,
``status_actions``, ``library_actions``) that reach the window only through
the ``Host`` protocol of ``prompts.py``: prompts (``ask_open_path``,
``ask_save_path``, ``confirm``, ``show_error``, ``show_info``...) that a test
can replace, the open document, and ``document_changed``, after which every
page redraws itself from the document.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from scrutiny_desktop import APP_NAME
from scrutiny_desktop.checklist import bundled_template, discover_templates
from scrutiny_desktop.errors import (
    DocumentError,
    DocumentInUse,
    InvalidInput,
    PassphraseNeeded,
    WrongPassphrase,
)
from scrutiny_desktop.services import assessments, library, summary
from scrutiny_desktop.settings import (
    AppState,
    DocumentState,
    Managed,
    ManagedConfig,
    Settings,
    effective,
)
from scrutiny_desktop.storage import SUFFIX, Document
from scrutiny_desktop.text import clock_text
from scrutiny_desktop.ui import help as help_
from scrutiny_desktop.ui import open_notices
from scrutiny_desktop.ui.announce import announce
from scrutiny_desktop.ui.assessment_page import AssessmentPage, open_with_system_viewer
from scrutiny_desktop.ui.autosave import CEILING_MS, DEFAULT_DELAY_MS, RETRY_MS, Autosaver
from scrutiny_desktop.ui.encryption_actions import EncryptionActions
from scrutiny_desktop.ui.export_actions import ExportActions
from scrutiny_desktop.ui.home import HomePage
from scrutiny_desktop.ui.idle_lock import IdleLock
from scrutiny_desktop.ui.library_actions import LibraryActions
from scrutiny_desktop.ui.menus import Menus
from scrutiny_desktop.ui.notice import SavedNotice
from scrutiny_desktop.ui.ops import BackgroundOp, run_in_background
from scrutiny_desktop.ui.status_actions import StatusActions
from scrutiny_desktop.ui.style import apply_style
from scrutiny_desktop.ui.summary_page import SummaryPage
from scrutiny_desktop.ui.text_size import apply_text_size
from scrutiny_desktop.ui.widgets import (
    StatusLabel,
    message_box,
    restoring_focus,
    run_dialog,
    show_in_folder,
)

if TYPE_CHECKING:
    from scrutiny_desktop.ui.library import LibraryPage

FILE_FILTER = f"Scrutiny Desktop assessments (*{SUFFIX});;All files (*)"

#: The window's size when nothing else decides it (and the least it takes on a large screen).
DEFAULT_SIZE = QSize(1280, 760)
#: Screens whose available area is at or below this start with the window maximised.
SMALL_SCREEN = QSize(1366, 768)
#: Room left for the window manager's frame: each side, and the title bar above.
FRAME_SIDE, FRAME_TOP = 8, 32


def available_area(near: QRect | None = None) -> QRect:
    """The available area (without panels and docks) of the screen showing ``near``,
    or of the primary screen; tests replace this to pretend a screen size."""
    screen = None
    if near is not None:
        screen = QGuiApplication.screenAt(near.center())
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:
        return QRect(QPoint(0, 0), DEFAULT_SIZE)
    return screen.availableGeometry()


def is_small(area: QRect) -> bool:
    """Whether a screen this size is best used with the window maximised."""
    return area.width() <= SMALL_SCREEN.width() and area.height() <= SMALL_SCREEN.height()


def _room(area: QRect) -> QRect:
    """Where the window's contents may go in ``area``, leaving room for its frame."""
    return area.adjusted(FRAME_SIDE, FRAME_TOP, -FRAME_SIDE, -FRAME_SIDE)


def first_start_geometry(area: QRect) -> QRect:
    """A sensible, centred size for a large screen: 85 % of it, at least the default
    size where that fits, and never more than fits."""
    room = _room(area)
    width = min(max(round(area.width() * 0.85), DEFAULT_SIZE.width()), room.width())
    height = min(max(round(area.height() * 0.85), DEFAULT_SIZE.height()), room.height())
    rect = QRect(0, 0, width, height)
    rect.moveCenter(room.center())
    return rect


def fits(rect: QRect, area: QRect) -> bool:
    """Whether a window of ``rect``'s size fits on a screen with this available area."""
    room = _room(area)
    return rect.width() <= room.width() and rect.height() <= room.height()


def clamped(rect: QRect, area: QRect) -> QRect:
    """``rect`` made no larger than ``area`` (frame included) and moved wholly inside it."""
    room = _room(area)
    width, height = min(rect.width(), room.width()), min(rect.height(), room.height())
    x = min(max(rect.x(), room.left()), room.right() + 1 - width)
    y = min(max(rect.y(), room.top()), room.bottom() + 1 - height)
    return QRect(x, y, width, height)


class MainWindow(QMainWindow):
    document_opened = Signal(Path)
    document_closed = Signal()
    #: The open document changed in a way every page should see (a new status...).
    changed = Signal(str)
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
        #: Passphrases given this session, by resolved path: memory only, never saved.
        self.passphrases: dict[str, str] = {}
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        apply_style(self)
        self.resize(DEFAULT_SIZE)

        self.autosaver = Autosaver(self, delay_ms=autosave_delay_ms, retry_ms=autosave_retry_ms,
                                   ceiling_ms=autosave_ceiling_ms)
        self.autosaver.pending.connect(lambda: self.save_status.setText("Saving…"))
        self.autosaver.saved.connect(self._on_saved)
        self.autosaver.failed.connect(self._on_save_failed)

        self.stack = QStackedWidget()
        # The pages, with the notice after an export (hidden until then) beneath them.
        self.notice = SavedNotice(lambda path: self.open_external(path), self.show_folder)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.stack, 1)
        column.addWidget(self.notice)
        self.setCentralWidget(central)
        self.home = HomePage()
        self.assessment: AssessmentPage = AssessmentPage(self, self.autosaver)
        self.add_page(self.home)
        self.add_page(self.assessment)
        self.status_actions: StatusActions = StatusActions(self)
        self.status_actions.set_responder(self.assessment.respond_to)
        # The chair's review starts only from Assessment > Review as chair….
        self.status_actions.set_review_started(self._review_started)
        self.assessment.chair_source = self.status_actions.chair_name
        self.ready = self.status_actions.ready
        self.review_page = self.status_actions.review_page
        self.summary_page: SummaryPage = SummaryPage(self, self.autosaver)
        self.add_page(self.summary_page)
        self.summary_page.back_requested.connect(self.show_questions)
        self.summary_page.ready_requested.connect(self.show_ready)
        self.assessment.navigator.summary_activated.connect(self.show_summary)
        self.ready.summary_requested.connect(self.show_summary)
        self.ready.summary_warning_source = self._summary_warning
        self.library_actions: LibraryActions = LibraryActions(self)
        self.exports: ExportActions = ExportActions(self, self.export_finished.emit,
                                                    self.notice.show_saved)
        self.encryption_actions = EncryptionActions(self, self.remember_passphrase,
                                                    self.known_passphrase)

        # Its accessible name is its text ("All changes saved 12:31:05"), so a screen
        # reader's read-the-status-bar command says it; failures are announced.
        self.save_status: QLabel = StatusLabel("Save status")
        self.save_status.setObjectName("save_status")
        self.statusBar().addPermanentWidget(self.save_status)
        self.statusBar().addPermanentWidget(self.status_actions.role_label)

        self.home.new_requested.connect(self.new_assessment)
        self.home.open_requested.connect(self.open_dialog)
        self.home.open_path.connect(self.open_path)
        self.home.remove_requested.connect(self.remove_recent)
        self.home.library_requested.connect(self.library_actions.show_library)
        self.assessment.changed.connect(self._update_title)
        self.changed.connect(self._on_document_changed)

        self.menus = Menus(self)
        self.refresh_home()
        self.menus.update()
        #: The optional inactivity lock (minutes from Preferences or IT's managed config).
        self.idle_lock: IdleLock = IdleLock(self, self.autosaver.flush, self.settings.lock_after_minutes,
                                            keep_open=lambda w: isinstance(w, help_.GuideWindow))
        app = QApplication.instance()
        if isinstance(app, QGuiApplication):  # (always: a window needs one)
            app.applicationStateChanged.connect(self._app_state_changed)

    @property
    def library(self) -> LibraryPage:
        """The library page (in its own window, ``library_actions.window``), made the
        first time it is needed."""
        return self.library_actions.page

    # -- the Host protocol (what the actions may ask of the window) -----------------------
    def add_page(self, page: QWidget) -> None:
        self.stack.addWidget(page)

    def show_page(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)

    def dialog_parent(self) -> QWidget:
        return self

    def show_questions(self) -> None:
        if self.doc is not None:
            self.stack.setCurrentWidget(self.assessment)

    def go_to_question(self, question_id: str) -> None:
        self.assessment.choose_question(question_id)

    def show_find(self) -> None:
        """Edit > Find (Ctrl+F): look for words anywhere in the open assessment."""
        from scrutiny_desktop.ui.find import FindDialog

        if self.doc is not None:
            FindDialog.show_for(self)

    def show_ready(self) -> None:
        self.status_actions.show_ready()

    def show_review(self) -> None:
        self.status_actions.show_review()

    def show_summary(self) -> None:
        """The summary and conclusions page (Go > Summary and conclusions)."""
        if self.doc is None:
            return
        self.autosaver.flush()
        if self.summary_page.load(self.doc):
            self.stack.setCurrentWidget(self.summary_page)
            self.summary_page.focus_first()

    def _summary_warning(self) -> str:
        """What the ready-to-sign page says about the summary ("" if nothing)."""
        if self.doc is None:
            return ""
        try:
            return summary.summary_warning(self.doc)
        except (DocumentError, InvalidInput):
            return ""

    def focus_question_text(self) -> None:
        """Go > Question text (Alt+Q): the question's wording, read and selectable by
        keyboard (guidance follows it with Tab)."""
        if self.doc is not None:
            self.show_questions()
            self.assessment.page.question_label.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_navigator(self) -> None:
        if self.doc is not None:
            self.assessment.navigator.tree.setFocus()

    def document_changed(self, what: str) -> None:
        """Tell every page the document changed (``what``: "status" or "content")."""
        self.changed.emit(what)

    def _on_document_changed(self, what: str) -> None:
        if self.doc is not None and what == "status":
            self.assessment.load(self.doc, self.assessment.current_question)
        self.status_actions.refresh()
        if self.doc is not None and self.summary_page.isVisible():
            self.summary_page.refresh()
        self._update_title()
        self.menus.update()

    def run_in_background(self, work, done, failed) -> BackgroundOp:
        return run_in_background(self, work, done, failed)

    def save_app_state(self) -> None:
        self._save_state(self.state)

    def forget_state(self, path: Path) -> None:
        """A new document at ``path``: nothing remembered for the path applies to it."""
        self.state.set_document(path, DocumentState())
        self._save_state(self.state)

    def actor(self) -> str:
        """Who is acting: the chair while someone reviews as the chair, else the scrutineer."""
        return self.status_actions.chair_name() or self.settings.scrutineer_name

    def _review_started(self, chair) -> None:
        """A chair started reviewing: say so, and offer their name and role next time
        (on this computer only)."""
        self.save_status.setText("Reviewing: your comments are saved as you type")
        if (self.user_settings.chair_name, self.user_settings.chair_role) != (chair.name,
                                                                            chair.role):
            self.user_settings.chair_name, self.user_settings.chair_role = chair.name, chair.role
            self._save_settings(self.user_settings)
            self.settings = effective(self.user_settings, self.managed)

    # -- prompts (replaceable in tests) -------------------------------------------------
    # Every prompt goes through restoring_focus / run_dialog, so that when it
    # closes this window is active again and the focus is back where it was
    # (otherwise window shortcuts stop working on some platforms).
    def _ask_file(self, title: str, file_filter: str, save_as: Path | None = None) -> Path | None:
        with restoring_focus(self):
            if save_as is not None:
                chosen, _ = QFileDialog.getSaveFileName(self, title, str(save_as), file_filter)
            else:
                chosen, _ = QFileDialog.getOpenFileName(
                    self, title, str(self.settings.documents_folder()), file_filter)
        return Path(chosen) if chosen else None

    def ask_open_path(self) -> Path | None:
        return self._ask_file("Open an assessment", FILE_FILTER)

    def ask_open_pdf(self) -> Path | None:
        return self._ask_file("Choose a PDF summary to verify", "PDF documents (*.pdf)")

    def ask_save_path(self, title: str, suggested: Path, file_filter: str = FILE_FILTER) -> Path | None:
        return self._ask_file(title, file_filter, save_as=suggested)

    def ask_marking(self, default: str) -> str | None:
        """The protective marking for the report about to be exported ("" for none, None
        if cancelled): the Preferences' choice first; IT may have fixed it."""
        from scrutiny_desktop.settings import load_managed

        if "protective_marking" in load_managed().locked:
            return default
        none = "None (for publication)"
        choices = list(dict.fromkeys([default or none, "OFFICIAL-SENSITIVE", "OFFICIAL", none]))
        with restoring_focus(self):
            chosen, ok = QInputDialog.getItem(
                self, "Protective marking", "&Marking to print at the top and bottom of every page:",
                choices, 0, True)
        if not ok:
            return None
        chosen = " ".join(chosen.split())
        return "" if chosen == none else chosen

    def ask_printer(self, pages: int, title: str):
        """The system print dialog (a QPrinter, or None if cancelled)."""
        from scrutiny_desktop.ui.printing import ask_printer

        with restoring_focus(self):
            return ask_printer(self, pages, title)

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

    def show_status(self, text: str, timeout_ms: int = 15000) -> None:
        if text:
            self.statusBar().showMessage(text, timeout_ms)
        else:
            self.statusBar().clearMessage()

    def open_external(self, path: Path) -> None:
        if not open_with_system_viewer(path):
            self.show_error("Cannot open the file",
                            f"No program on this computer could open {path.name}. "
                            f"A copy was saved at {path}.")

    def show_folder(self, folder: Path) -> None:
        """The folder in the system's file manager (Show in folder)."""
        if not show_in_folder(folder):
            self.show_error("Cannot show the folder",
                            f"No program on this computer could show the folder {folder}.")

    # -- documents ------------------------------------------------------------------------
    def new_assessment(self) -> None:
        """Ask for the new assessment, create it, and only then close the open one
        (in ``open_path``): cancelling leaves the open assessment open."""
        templates = discover_templates(self.settings.extra_template_folders())
        from scrutiny_desktop.ui.new_assessment import NewAssessmentDialog  # here, not at start-up
        result = NewAssessmentDialog.ask(self, templates, self.settings,
                                         encryption=self.encryption_policy())
        if result is None:
            return
        try:
            path = assessments.create_assessment(result.path, result.template, result.details,
                                                 actor=result.details.scrutineer_name,
                                                 passphrase=result.passphrase)
        except (DocumentError, InvalidInput, FileExistsError, OSError) as exc:
            self.show_error("Could not create the assessment", str(exc))
            return
        # Remember the scrutineer for next time.
        name, role = result.details.scrutineer_name.strip(), result.details.scrutineer_role.strip()
        if (self.settings.scrutineer_name, self.settings.scrutineer_role) != (name, role):
            self.user_settings.scrutineer_name, self.user_settings.scrutineer_role = name, role
            self._save_settings(self.user_settings)
            self.settings = effective(self.user_settings, self.managed)
        self.forget_state(path)
        if result.passphrase is not None:
            self.remember_passphrase(path, result.passphrase)
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
        banner, banner_action = "", None
        passphrase = self.known_passphrase(path)
        try:
            doc, passphrase = self.unlocked(path, passphrase, lambda p: assessments.open_assessment(
                path, actor=self.actor(), lock=True, passphrase=p))
            if doc is None:
                self.refresh_home()
                return False
        except DocumentInUse as exc:
            try:
                doc, _p = self.unlocked(path, self.known_passphrase(path),
                                         lambda p: assessments.open_assessment(
                                             path, actor=self.actor(), readonly=True, passphrase=p))
            except (DocumentError, InvalidInput, ValueError) as exc2:
                self.show_error("Cannot open this assessment", str(exc2))
                return False
            if doc is None:
                return False
            doc.readonly_reason, banner = open_notices.in_use_banner(exc)
            if exc.can_take_over:
                banner_action = ("&Take over editing", lambda p=path: self.take_over_editing(p))
        except (DocumentError, InvalidInput, ValueError) as exc:
            self.show_error("Cannot open this assessment", str(exc))
            self.refresh_home()
            return False
        return self._show_document(doc, banner, banner_action)

    # -- encrypted assessments -------------------------------------------------------------
    def encryption_policy(self) -> str:
        """What IT's settings say about encrypting new assessments."""
        config = self.managed.config
        if getattr(config, "require_encryption", False):
            return "required"
        return "default" if getattr(config, "encrypt_by_default", False) else "optional"

    def known_passphrase(self, path: Path) -> str | None:
        return self.passphrases.get(str(Path(path).resolve()))

    def remember_passphrase(self, path: Path, passphrase: str | None) -> None:
        """Keep ``passphrase`` for ``path`` for this session (None forgets it)."""
        key = str(Path(path).resolve())
        if passphrase is None:
            self.passphrases.pop(key, None)
        else:
            self.passphrases[key] = passphrase

    def ask_passphrase(self, path: Path, problem: str = "") -> str | None:
        """The passphrase of the encrypted assessment at ``path`` (None if cancelled)."""
        from scrutiny_desktop.ui.passphrase import UnlockDialog

        with restoring_focus(self):
            return UnlockDialog.ask(self, Path(path).name, problem)

    def unlocked(self, path: Path, passphrase: str | None, attempt):
        """Run ``attempt(passphrase)`` (an open), asking for the passphrase while the file
        says it needs one or the one given is wrong; returns (result, passphrase), or
        (None, None) if the person cancelled.  Every try leaves the file as it was."""
        problem = ""
        while True:
            try:
                result = attempt(passphrase)
            except PassphraseNeeded:
                problem = ""
            except WrongPassphrase as exc:
                problem = str(exc)
            else:
                if passphrase is not None:
                    self.remember_passphrase(path, passphrase)
                return result, passphrase
            passphrase = self.ask_passphrase(path, problem)
            if passphrase is None:
                return None, None

    def take_over_editing(self, path: Path) -> bool:
        """Replace another person's lock with ours (after a clear warning) and edit."""
        if not self.confirm("Take over editing", open_notices.TAKE_OVER_WARNING):
            return False
        self.autosaver.flush()
        self._abandon_document()
        try:
            doc = assessments.take_over(path, actor=self.actor(),
                                        passphrase=self.known_passphrase(path))
        except (DocumentError, InvalidInput, ValueError) as exc:
            self.show_error("Cannot take over editing", str(exc))
            self.open_path(path)
            return False
        return self._show_document(doc, "")

    def _show_document(self, doc: Document, banner: str,
                       banner_action: tuple[str, Callable[[], object]] | None = None) -> bool:
        self.doc = doc
        notes = open_notices.opening_notes(doc)
        if notes:
            self.statusBar().showMessage(" ".join(notes), 30000)
        if not banner and doc.recovered_interrupted_save and not doc.readonly:
            banner = doc.recovery_message
        try:
            doc_state = self._saved_state(doc)
            self.assessment.load(doc, doc_state.question_id, banner, banner_action)
        except (SQLAlchemyError, DocumentError, InvalidInput, ValueError) as exc:
            # Opened, but unreadable inside (a table missing, a damaged row...):
            # let it go again, lock file included, and say so in one line.
            self._abandon_document()
            self.show_error("Cannot open this assessment", open_notices.damaged_text(doc.path.name, exc))
            return False
        if doc_state.splitter:
            self.assessment.splitter.setSizes(doc_state.splitter)
        self.assessment.page.set_guidance_visible(self.state.guidance_expanded)
        self.assessment.page.guidance_toggled.connect(self._guidance_toggled)
        self.stack.setCurrentWidget(self.assessment)
        self.state.add_recent(doc.path)
        self._save_state(self.state)
        if self.assessment.editable:
            self.save_status.setText("All changes saved")
        elif self.assessment.review_editable:
            self.save_status.setText("Reviewing: your comments are saved as you type")
        else:
            self.save_status.setText("Read-only")
        self._update_title()
        self.menus.update()
        self.assessment.page.findings.setFocus()
        # A screen reader hears what was opened and in what state, not just the title.
        notice = self.assessment.banner
        said = [f"Opened {self.windowTitle().rsplit(' — ', 1)[0]}.", self.save_status.text() + "."]
        if not notice.isHidden():
            said.append(notice.label.text())
        announce(self.assessment.page.findings, " ".join(said))
        self.document_opened.emit(doc.path)
        return True

    def _saved_state(self, doc: Document) -> DocumentState:
        """Where this assessment was left last time, if it is the same assessment.

        The state is kept by path, so a different assessment later created at the
        same path must not inherit it: the assessment's uid is remembered with it
        (``DocumentState.uid``; states saved without one are trusted).
        """
        saved = self.state.document(doc.path)
        if saved.uid and saved.uid != assessments.info(doc).uid:
            return DocumentState()
        return saved

    def _abandon_document(self) -> None:
        """Close a document that failed to load, without saving anything about it."""
        doc, self.doc = self.doc, None
        if doc is not None:
            doc.close()
        self._back_home()

    def _back_home(self) -> None:
        self.assessment.unload()
        self.summary_page.unload()
        self.stack.setCurrentWidget(self.home)
        self.save_status.setText("")
        self.refresh_home()
        self._update_title()
        self.menus.update()

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
        info = self.assessment.info
        self.state.set_document(self.doc.path, DocumentState(
            question_id=self.assessment.current_question,
            splitter=self.assessment.splitter.sizes(), uid=info.uid if info else ""))
        self._save_state(self.state)
        with contextlib.suppress(RuntimeError, TypeError):
            self.assessment.page.guidance_toggled.disconnect(self._guidance_toggled)
        self.doc.close()
        self.doc = None
        self._back_home()
        self.document_closed.emit()
        return True

    def remove_recent(self, path: Path) -> None:
        self.state.remove_recent(path)
        self._save_state(self.state)
        self.refresh_home()

    def refresh_home(self) -> None:
        self.home.show_recent([library.summarise_file(Path(p), passphrase=self.known_passphrase(Path(p)))
                               for p in self.state.recent])

    # -- preferences and help ------------------------------------------------------------
    def preferences(self) -> None:
        from scrutiny_desktop.ui.preferences import PreferencesDialog  # here, not at start-up
        updated = PreferencesDialog.ask(self, self.settings, self.managed.locked)
        if updated is None:
            return
        text_size_before = self.settings.text_size
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
        self.idle_lock.set_minutes(self.settings.lock_after_minutes)
        if self.settings.text_size != text_size_before:
            apply_text_size(self.settings.text_size)
            apply_style(self)  # widgets under a style sheet take the new font once re-styled

    def show_guide(self) -> None:
        self._guide = help_.GuideWindow(self)
        self._guide.show()

    def show_about(self) -> None:
        template = self.assessment.template
        help_.show_about(self, template if self.doc is not None and template else bundled_template(),
                         self.managed)

    # -- status and title ---------------------------------------------------------------
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
            self.setWindowFilePath("")
            return
        # The platform shows the file (a proxy icon on macOS) alongside the title.
        self.setWindowFilePath(str(self.doc.path))
        ro = " (read-only)" if self.doc.readonly else ""
        info = self.assessment.info
        names = [n.strip() for n in (info.partnership, info.period)] if info else []
        name = ", ".join(n for n in names if n) or self.doc.path.name
        self.setWindowTitle(f"{name}{ro} — {APP_NAME}")

    def _app_state_changed(self, state: Qt.ApplicationState) -> None:
        if state != Qt.ApplicationState.ApplicationActive:
            self.autosaver.flush()

    # -- window events ------------------------------------------------------------------
    def place_on_screen(self) -> None:
        """Size and place the window before it is first shown (at start-up).

        The geometry remembered from last time is used if it still fits the screen
        it would open on; a window remembered on a larger monitor is shrunk and moved
        on-screen.  With nothing remembered, a laptop-sized screen (at or below
        1366 by 768 available) gets the window maximised, a larger one a centred 85 %.
        """
        restored = bool(self.state.window_geometry) and self.restoreGeometry(
            QByteArray.fromBase64(self.state.window_geometry.encode()))
        if restored and self.isMaximized():
            return
        area = available_area(self.geometry() if restored else None)
        if restored and fits(self.geometry(), area):
            self.setGeometry(clamped(self.geometry(), area))
        elif is_small(area):
            self.setGeometry(clamped(self.geometry(), area))  # the size when un-maximised
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        else:
            self.setGeometry(first_start_geometry(area))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_document():
            event.ignore()
            return
        self.library_actions.close_library()  # (remembers where the library window was)
        self.state.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
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
