"""The chair's library, comparing two assessments, and next year's assessment.

Window actions that reach beyond the open document: they list, compare and
create documents, and talk to the window only through its ``Host`` protocol.
"""

from __future__ import annotations

from pathlib import Path

from scrutiny_desktop.checklist import discover_templates
from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.services import assessments, recommendations
from scrutiny_desktop.services.compare import compare_paths, in_time_order
from scrutiny_desktop.ui.compare import CompareDialog
from scrutiny_desktop.ui.library import LibraryPage
from scrutiny_desktop.ui.prompts import Host


class LibraryActions:
    def __init__(self, host: Host):
        self.host = host
        self.page = LibraryPage(host.state.library_folders, save_folders=self._save_folders,
                                ask_folder=lambda _parent: host.ask_folder())
        self.page.open_requested.connect(host.open_path)
        self.page.compare_requested.connect(self.compare_documents)
        host.add_page(self.page)
        self._compare_op: object | None = None

    def _save_folders(self, folders: list[str]) -> None:
        self.host.state.library_folders = list(folders)
        self.host.save_app_state()

    def show_library(self) -> None:
        if not self.host.close_document():
            return
        self.page.refresh()
        self.host.show_page(self.page)
        self.page.table.setFocus()

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
        self.compare_documents(*in_time_order(first, second))

    def compare_documents(self, earlier: Path, later: Path) -> None:
        self.host.show_status("Comparing…", 0)

        def done(comparison) -> None:
            self.host.show_status("", 0)
            CompareDialog.ask(self.host.dialog_parent(), comparison, self.host.ask_save_path,
                              protective_marking=self.host.settings.protective_marking)

        def failed(exc: BaseException) -> None:
            self.host.show_status("", 0)
            self.host.show_error("Cannot compare these assessments", " ".join(str(exc).split()))

        self._compare_op = self.host.run_in_background(
            lambda _progress: compare_paths(earlier, later), done, failed)

    def carry_forward(self) -> None:
        from scrutiny_desktop.services.carry_forward import carry_forward
        from scrutiny_desktop.ui.carry_forward import CarryForwardDialog, result_note

        host = self.host
        previous = host.doc.path if host.doc is not None else host.ask_open_path()
        if previous is None or not host.close_document():
            return
        try:
            with assessments.open_assessment(previous, readonly=True) as prev:
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
                                   copy_findings=choice.copy_findings, actor=host.actor())
        except (DocumentError, InvalidInput, FileExistsError, OSError) as exc:
            host.show_error("Could not create the assessment", str(exc))
            return
        host.forget_state(result.path)
        host.open_path(result.path)
        note, tell = result_note(result)
        if tell:
            host.show_info("New assessment created", note)
        host.show_status(note, 15000)
