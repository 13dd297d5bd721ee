"""The chair's library, comparing two assessments, and next year's assessment.

Window actions that reach beyond the open document: they list, compare and
create documents, and talk to the window only through its ``Host`` protocol.
The library is a window of its own (``LibraryWindow``): opening it leaves the
open assessment open; opening an assessment from it opens that one in the main
window (which closes the previous one, as any open does) and brings the main
window forward.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect
from PySide6.QtWidgets import QWidget

from scrutiny_desktop.checklist import discover_templates
from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.services import assessments, recommendations
from scrutiny_desktop.ui.prompts import Host

if TYPE_CHECKING:
    from scrutiny_desktop.ui.library import LibraryPage, LibraryWindow

#: The library window's size when nothing is remembered (made to fit the screen).
LIBRARY_SIZE = (1180, 720)


class LibraryActions:
    def __init__(self, host: Host):
        self.host = host
        #: The library page and its window, made the first time either is needed.
        self._made: tuple[LibraryPage, LibraryWindow] | None = None
        self._placed = False
        self._compare_op: object | None = None

    @property
    def page(self) -> LibraryPage:
        return self._library()[0]

    @property
    def window(self) -> LibraryWindow:
        return self._library()[1]

    def _library(self) -> tuple[LibraryPage, LibraryWindow]:
        if self._made is not None:
            return self._made
        from scrutiny_desktop.ui.library import LibraryPage, LibraryWindow  # here, not at start-up

        host = self.host
        page = LibraryPage(host.state.library_folders, save_folders=self._save_folders,
                           passphrases=lambda: dict(getattr(host, "passphrases", {})),
                           ask_folder=lambda _parent: host.ask_folder())
        page.open_requested.connect(self._open_from_library)
        # A child of the main window (closed and deleted with it), but a window of its own.
        window = LibraryWindow(page, host.dialog_parent())
        page.compare_requested.connect(
            lambda earlier, later: self.compare_documents(earlier, later, parent=window))
        window.closed.connect(self._library_closed)
        self._made = (page, window)
        return self._made

    def _save_folders(self, folders: list[str]) -> None:
        self.host.state.library_folders = list(folders)
        self.host.state.library_folders_chosen = True
        self.host.save_app_state()

    def show_library(self) -> None:
        """Show the library window (or bring it forward if it is already open); the
        open assessment stays open."""
        window = self.window
        if window.isVisible():
            if window.isMinimized():
                window.showNormal()
            window.raise_()
            window.activateWindow()
            return
        state = self.host.state
        if not state.library_folders and not state.library_folders_chosen:
            self.page.offer_folder(self.host.settings.documents_folder())
        self.page.refresh()
        if not self._placed:
            self._place()
        window.show()
        window.raise_()
        window.activateWindow()
        self.page.table.setFocus()

    def close_library(self) -> None:
        if self._made is not None and self._made[1].isVisible():
            self._made[1].close()

    def _place(self) -> None:
        """Where the library opens: where it was last, kept on the screen it would open
        on; or a comfortable size centred on the main window's screen."""
        from scrutiny_desktop.ui import main_window as mw

        window = self.window
        # Not kept above the main window (as a child window would be by default).
        window.winId()
        handle = window.windowHandle()
        if handle is not None:
            handle.setTransientParent(None)  # type: ignore[arg-type]  # (None clears it)
        saved = self.host.state.library_geometry
        restored = bool(saved) and window.restoreGeometry(QByteArray.fromBase64(saved.encode()))
        if restored:
            if not window.isMaximized():
                window.setGeometry(mw.clamped(window.geometry(),
                                              mw.available_area(window.geometry())))
        else:
            owner = self.host.dialog_parent().window()
            area = mw.available_area(owner.geometry() if owner.isVisible() else None)
            # On a laptop-sized screen all of it (the table's columns need the width).
            rect = QRect(area) if mw.is_small(area) else QRect(0, 0, *LIBRARY_SIZE)
            rect.moveCenter(area.center())
            window.setGeometry(mw.clamped(rect, area))
        self._placed = True

    def _library_closed(self) -> None:
        self.host.state.library_geometry = bytes(self.window.saveGeometry().toBase64().data()).decode()
        self.host.save_app_state()

    def _open_from_library(self, path: Path) -> None:
        """Open in the main window (the library stays open behind it)."""
        if self.host.open_path(path):
            main = self.host.dialog_parent().window()
            if main.isMinimized():
                main.showNormal()
            main.raise_()
            main.activateWindow()

    def compare_dialog(self) -> None:
        """Pick two documents, one after the other, and compare them."""
        first = self.host.ask_open_path()
        if first is None:
            return
        second = self.host.ask_open_path()
        if second is None:
            return
        if first.resolve() == second.resolve():
            self.host.show_error("Choose two different assessments",
                                 "Both choices were the same file. Choose two assessments to "
                                 "compare.")
            return
        from scrutiny_desktop.services.compare import in_time_order  # here, not at start-up
        self.compare_documents(*in_time_order(first, second))

    def compare_documents(self, earlier: Path, later: Path, *, parent: QWidget | None = None) -> None:
        """Compare two documents (on a worker thread) and show the comparison, over
        ``parent`` (the library window when started there) or the main window.
        An encrypted one needs its passphrase (asked here, on the UI thread, first)."""
        from scrutiny_desktop.services.encryption import is_encrypted

        passphrases: dict[Path, str] = {}
        for path in (earlier, later):
            if not is_encrypted(path):
                continue
            try:
                ok, passphrase = self.host.unlocked(path, self.host.known_passphrase(path),
                                                    partial(_check_unlocks, path))
            except (DocumentError, InvalidInput) as exc:
                self.host.show_error("Cannot compare these assessments", str(exc))
                return
            if ok is None or passphrase is None:
                return
            passphrases[path] = passphrase
        self.host.show_status("Comparing…", 0)

        def done(comparison) -> None:
            self.host.show_status("", 0)
            over = parent if parent is not None and parent.isVisible() else self.host.dialog_parent()
            from scrutiny_desktop.ui.compare import CompareDialog  # here, not at start-up
            CompareDialog.ask(over, comparison, self.host.ask_save_path,
                              protective_marking=self.host.settings.protective_marking)

        def failed(exc: BaseException) -> None:
            self.host.show_status("", 0)
            self.host.show_error("Cannot compare these assessments", " ".join(str(exc).split()))

        from scrutiny_desktop.services.compare import compare_paths  # here, not at start-up

        self._compare_op = self.host.run_in_background(
            lambda _progress: compare_paths(earlier, later, passphrases=passphrases), done, failed)

    def carry_forward(self) -> None:
        from scrutiny_desktop.services.carry_forward import carry_forward
        from scrutiny_desktop.ui.carry_forward import CarryForwardDialog, result_note

        host = self.host
        # The open assessment stays open until the new one exists (cancelling keeps it).
        previous = host.doc.path if host.doc is not None else host.ask_open_path()
        if previous is None:
            return
        host.autosaver.flush()
        try:
            prev, passphrase = host.unlocked(previous, host.known_passphrase(previous),
                                             lambda p: assessments.open_assessment(
                                                 previous, readonly=True, passphrase=p))
            if prev is None:
                return
            with prev:
                info = assessments.info(prev)
                open_count = sum(r.status != "done"
                                 for r in recommendations.list_recommendations(prev))
        except (DocumentError, InvalidInput) as exc:
            host.show_error("Cannot use this assessment", str(exc))
            return
        choice = CarryForwardDialog.ask(host.dialog_parent(), info, open_count,
                                        discover_templates(host.settings.extra_template_folders()),
                                        host.settings)
        if choice is None:
            return
        try:
            result = carry_forward(previous, choice.path, period=choice.period,
                                   scrutineer_name=choice.scrutineer_name,
                                   scrutineer_role=choice.scrutineer_role, template=choice.template,
                                   copy_findings=choice.copy_findings,
                                   bring_judgements=choice.bring_judgements, actor=host.actor(),
                                   passphrase=passphrase)
        except (DocumentError, InvalidInput, FileExistsError, OSError) as exc:
            host.show_error("Could not create the assessment", str(exc))
            return
        host.forget_state(result.path)
        if passphrase is not None:  # the new one is encrypted with the same passphrase
            getattr(host, "remember_passphrase", lambda p, v: None)(result.path, passphrase)
        host.open_path(result.path)
        note, tell = result_note(result)
        if tell:
            host.show_info("New assessment created", note)
        host.show_status(note, 15000)


def _check_unlocks(path: Path, passphrase: str | None) -> bool:
    """Open ``path`` read-only with ``passphrase`` and close it (raises the passphrase
    errors that ``unlocked`` asks again on)."""
    with assessments.open_assessment(path, readonly=True, passphrase=passphrase):
        return True
