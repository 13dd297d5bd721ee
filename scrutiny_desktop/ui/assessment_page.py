"""The assessment screen: navigator beside the question page, with autosave.

This is the wiring between the question page's signals and the services.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QKeyCombination, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.services import answers, assessments, evidence, recommendations, review
from scrutiny_desktop.services.assessments import AssessmentInfo
from scrutiny_desktop.services.common import template_of
from scrutiny_desktop.services.evidence import EvidenceView
from scrutiny_desktop.services.permissions import Status, permissions
from scrutiny_desktop.services.recommendations import RecommendationView
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.ui.announce import announce
from scrutiny_desktop.ui.autosave import Autosaver
from scrutiny_desktop.ui.navigator import Navigator
from scrutiny_desktop.ui.question_page import QuestionPage
from scrutiny_desktop.ui.review import ResponseDialog
from scrutiny_desktop.ui.widgets import Banner, local_time


class AssessmentPage(QWidget):
    #: Emitted after anything that changes progress (for the title and home list).
    changed = Signal()
    question_shown = Signal(str)

    def __init__(self, window, autosaver: Autosaver, parent: QWidget | None = None):
        super().__init__(parent)
        self.window_ = window  # for show_error / confirm
        self.autosaver = autosaver
        self.doc: Document | None = None
        self.template: Template | None = None
        self.info: AssessmentInfo | None = None
        self.editable = False
        self.review_mode = False
        self.review_editable = False
        #: Who reviews as the chair now ("" for nobody: a signed-off file is read-only).
        self.chair_source: Callable[[], str] = lambda: ""
        self._order: list[str] = []

        self.banner = Banner()
        self.navigator = Navigator()
        self.page = QuestionPage()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("assessment_splitter")
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(self.page)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 900])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

        self.navigator.question_activated.connect(self.choose_question)
        p = self.page
        p.judgement_chosen.connect(self._judgement_chosen)
        p.confirm_requested.connect(self._confirm_judgement)
        p.direction_chosen.connect(self._direction_chosen)
        p.findings_edited.connect(self._findings_edited)
        p.previous_requested.connect(self.previous_question)
        p.next_requested.connect(self.next_question)
        p.review_requested.connect(lambda: self.window_.show_ready())
        p.files_dropped.connect(self.add_dropped_files)
        p.add_evidence.connect(self._add_evidence)
        p.edit_evidence.connect(self._edit_evidence)
        p.remove_evidence.connect(self._remove_evidence)
        p.open_attachment.connect(self._open_attachment)
        p.add_recommendation.connect(self._add_recommendation)
        p.edit_recommendation.connect(self._edit_recommendation)
        p.remove_recommendation.connect(self._remove_recommendation)
        p.review_comment_edited.connect(self._review_comment_edited)
        p.respond_recommendation.connect(self.respond_to)

        # Alt+1 ... Alt+9 choose the judgement options in order.
        self._option_shortcuts = []
        for n in range(1, 10):
            key = QKeySequence(QKeyCombination(Qt.KeyboardModifier.AltModifier,
                                               Qt.Key(Qt.Key.Key_0.value + n)))
            sc = QShortcut(key, self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(partial(self.page.choose_option, n - 1))
            self._option_shortcuts.append(sc)

    # -- opening ------------------------------------------------------------
    def load(self, doc: Document, question_id: str = "", banner: str = "",
             banner_action: tuple[str, Callable[[], object]] | None = None) -> None:
        self.doc = doc
        self.template = template_of(doc)
        self.info = assessments.info(doc)
        self._order = self.template.question_ids()
        self.page.set_scale(self.template)
        # Tab follows the screen: the navigator on the left, then the page.
        chain = [self.navigator.filter, self.navigator.tree, *self.page.tab_chain()]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.navigator.populate(self.template, answers.question_states(doc))
        allowed = permissions(doc, chair=bool(self.chair_source()))
        self.editable = allowed.can_edit_answers
        self.review_mode = allowed.status != Status.DRAFT
        self.review_editable = allowed.can_review
        self.page.set_editable(self.editable)
        self.page.set_review_mode(self.review_mode, self.review_editable)
        if banner_action is not None:
            self.banner.show_message(banner or self.lock_message(), *banner_action)
        else:
            self.banner.show_message(banner or self.lock_message())
        first = question_id if question_id in self._order else self._first_open_question(doc)
        self.go_to(first)

    def lock_message(self) -> str:
        if self.doc is None or self.info is None:
            return ""
        if self.doc.readonly:
            return (f"Read-only: {self.doc.readonly_reason}. Nothing you see here can be changed. "
                    "Use File > Save a copy to edit a copy of it.")
        if self.review_mode:
            return self.signed_off_message()
        return ""

    def signed_off_message(self) -> str:
        from scrutiny_desktop.services import signoff

        current = signoff.current_signoff(self.doc) if self.doc else None
        who = f" by {current.name} on {local_time(current.signed_at)}" if current else ""
        if self.info and self.info.status == Status.REVIEWED:
            return (f"This assessment was signed off{who} and has been reviewed, so it is locked. "
                    "Use File > Save a copy to keep a copy.")
        chair = self.chair_source()
        if chair:
            return (f"Signed off{who}: the scrutineer's answers are locked. You are reviewing as "
                    f"{chair} (chair): add a comment on any question, and the partnership's "
                    "response (Assessment > Partnership response…).")
        return (f"Signed off{who}, so it is read-only. To change it, the scrutineer reopens it "
                "(Assessment > Reopen for changes…). The partnership's chair reviews it with "
                "Assessment > Review as chair….")

    def _first_open_question(self, doc: Document) -> str:
        for state in answers.question_states(doc):
            if not state.answered:
                return state.question_id
        return self._order[0]

    def unload(self) -> None:
        self.doc = None
        self.template = None
        self.info = None

    # -- navigation -----------------------------------------------------------
    @property
    def current_question(self) -> str:
        return self.page.question_id

    def go_to(self, question_id: str) -> None:
        if self.doc is None or self.template is None:
            return
        self.autosaver.flush()
        index = self._order.index(question_id)
        section = self.template.section_of(question_id)
        question = self.template.question(question_id)
        try:
            answer = answers.get_answer(self.doc, question_id)
            comment = ""
            if self.review_mode:
                review_view = review.get_review(self.doc)
                comment = review_view.comments.get(question_id, "")
                self.page.set_decisions({rid: r.decision_label
                                         for rid, r in review_view.responses.items()})
        except (DocumentError, InvalidInput) as exc:
            self.window_.show_error("Cannot show this question", str(exc))
            return
        # While saves fail (a full disk, a folder gone read-only) the screen is
        # the truth: show what is waiting to be saved, not the older stored text.
        pending = self.autosaver.pending_value
        answer = dataclasses.replace(
            answer,
            findings=pending(("findings", question_id), answer.findings),
            judgement=pending(("judgement", question_id), answer.judgement),
            direction=pending(("direction", question_id), answer.direction))
        comment = pending(("review-comment", question_id), comment)
        self.page.show_question(section, question, index, len(self._order), answer, comment)
        self.navigator.select(question_id)
        self.question_shown.emit(question_id)

    def next_question(self) -> None:
        self._step(+1)

    def previous_question(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        if not self._order:
            return
        index = self._order.index(self.current_question) + delta
        if 0 <= index < len(self._order):
            focus_was_next = self.page.next_button.hasFocus() or self.page.previous_button.hasFocus()
            self.go_to(self._order[index])
            if not focus_was_next:
                # Alt+Left/Alt+Right: carry on writing in the new question.
                self.focus_writing()
            elif not (self.page.next_button.isEnabled() and self.page.previous_button.isEnabled()):
                (self.page.previous_button if delta > 0 else self.page.next_button).setFocus()

    def choose_question(self, question_id: str) -> None:
        """A question chosen in the navigator: show it and put the cursor in its text."""
        self.go_to(question_id)
        if self.page.question_id == question_id:
            self.focus_writing()

    def focus_writing(self) -> None:
        """Focus the box the person writes in (Findings, or the chair's comment), cursor at the end."""
        box = self.page.review_comment if self.review_editable else self.page.findings
        box.setFocus(Qt.FocusReason.OtherFocusReason)
        cursor = box.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        box.setTextCursor(cursor)

    # -- edits ----------------------------------------------------------------
    def _refresh_states(self, question_id: str | None = None) -> None:
        """Show the new state of the question an edit touched (the current one unless
        named): one row of the navigator and the progress, not every question."""
        if self.doc is not None:
            qid = question_id or self.current_question
            self.navigator.update_some(answers.question_states(self.doc, [qid]))
            self.changed.emit()

    def _judgement_chosen(self, question_id: str, value) -> None:
        doc = self.doc
        if doc is None:
            return
        if self.autosaver.save_now(("judgement", question_id),
                                   partial(answers.set_judgement, doc, question_id, value), value):
            if self.page.question_id == question_id:
                self.page.set_carried(None)  # choosing a judgement confirms it
            self._refresh_states(question_id)
            # Alt+1... leave the focus in Findings: say what was chosen.
            label = dict(self.template.judgement_options()).get(value, "") if self.template else ""
            announce(self.page.findings, f"Judgement: {label}" if value else "Judgement cleared")

    def _confirm_judgement(self, question_id: str) -> None:
        """Keep the carried-forward judgement as it is (Confirm judgement; audited)."""
        doc = self.doc
        if doc is None:
            return
        if self.autosaver.save_now(("confirm", question_id),
                                   partial(answers.confirm_judgement, doc, question_id), True):
            if self.page.question_id == question_id:
                self.page.set_carried(None)
            self._refresh_states(question_id)

    def _direction_chosen(self, question_id: str, value) -> None:
        doc = self.doc
        if doc is None:
            return
        if self.autosaver.save_now(("direction", question_id),
                                   partial(answers.set_direction, doc, question_id, value), value):
            self._refresh_states(question_id)

    def _findings_edited(self, question_id: str, text: str) -> None:
        if self.doc is None:
            return
        self.autosaver.schedule(("findings", question_id),
                                partial(answers.set_findings, self.doc, question_id, text), text)

    def _review_comment_edited(self, question_id: str, text: str) -> None:
        if self.doc is None:
            return
        self.autosaver.schedule(("review-comment", question_id),
                                partial(review.set_question_comment, self.doc, question_id, text),
                                text)

    def respond_to(self, recommendation_id: int) -> bool:
        """Ask for and store the partnership's decision on one recommendation."""
        if self.doc is None or not self.review_editable:
            return False
        rec = next((r for r in recommendations.list_recommendations(self.doc)
                    if r.id == recommendation_id), None)
        if rec is None:
            return False
        existing = review.get_review(self.doc).responses.get(recommendation_id)
        result = ResponseDialog.ask(self.window_, rec, existing)
        if result is None:
            return False
        ok = self._run("Could not save the response",
                       lambda: review.set_response(self.doc, recommendation_id, **result))
        if ok:
            self.go_to(self.current_question)
            self.changed.emit()
        return ok

    def _reload_lists(self) -> None:
        if self.doc is None:
            return
        answer = answers.get_answer(self.doc, self.current_question)
        self.page.show_evidence(answer)
        self.page.show_recommendations(answer)
        self._refresh_states()

    def _run(self, title: str, action) -> bool:
        """Flush pending typing, then run one service call, reporting errors."""
        self.autosaver.flush()
        try:
            action()
        except (DocumentError, InvalidInput, OSError) as exc:
            self.window_.show_error(title, str(exc))
            return False
        self._reload_lists()
        self.window_.note_saved()
        return True

    # The page's buttons act only while a document is loaded; each handler below
    # checks, so that a late signal after ``unload`` does nothing.
    def _add_evidence(self) -> None:
        doc = self.doc
        if doc is None:
            return
        from scrutiny_desktop.ui.item_dialogs import EvidenceDialog  # here, not at start-up
        result = EvidenceDialog.ask(self.window_)
        if result is not None:
            self._run("Could not add the evidence", lambda: evidence.add_evidence(
                doc, self.current_question, result.item, attach=result.attach))

    def add_dropped_files(self, paths: list) -> None:
        """Files dropped on the evidence list: one evidence item each, titled by the
        file's name and with the file attached (edit it afterwards to add detail)."""
        doc = self.doc
        if doc is None or not self.editable:
            return
        added = 0
        for path in paths:
            item = evidence.EvidenceInput(title=Path(path).stem or Path(path).name)
            ok = self._run(f"Could not add {Path(path).name} as evidence",
                           lambda item=item, path=path: evidence.add_evidence(
                               doc, self.current_question, item, attach=Path(path)))
            added += ok
        if added:
            files = "1 file" if added == 1 else f"{added} files"
            self.window_.show_status(f"Added {files} as evidence to question "
                                     f"{self.current_question}. Edit an item to add its date "
                                     "and source.")

    def _find_evidence(self, doc: Document, evidence_id: int) -> EvidenceView | None:
        answer = answers.get_answer(doc, self.current_question)
        return next((e for e in answer.evidence if e.id == evidence_id), None)

    def _edit_evidence(self, evidence_id: int) -> None:
        doc = self.doc
        existing = None if doc is None else self._find_evidence(doc, evidence_id)
        if doc is None or existing is None:
            return
        from scrutiny_desktop.ui.item_dialogs import EvidenceDialog  # here, not at start-up
        result = EvidenceDialog.ask(self.window_, existing)
        if result is not None:
            self._run("Could not change the evidence", lambda: evidence.update_evidence(
                doc, evidence_id, result.item, attach=result.attach,
                remove_attachment=result.remove_attachment))

    def _remove_evidence(self, evidence_id: int) -> None:
        doc = self.doc
        existing = None if doc is None else self._find_evidence(doc, evidence_id)
        if doc is None or existing is None:
            return
        extra = " and its attached file" if existing.attachment else ""
        if self.window_.confirm("Remove evidence",
                                f"Remove “{existing.title}”{extra} from this question?"):
            self._run("Could not remove the evidence",
                      lambda: evidence.remove_evidence(doc, evidence_id))

    def _open_attachment(self, attachment_id: int) -> None:
        if self.doc is None:
            return
        try:
            path = evidence.attachment_to_temp(self.doc, attachment_id)
        except (InvalidInput, DocumentError, OSError) as exc:
            self.window_.show_error("Cannot open the attached file", str(exc))
            return
        self.window_.open_external(path)

    def _add_recommendation(self) -> None:
        doc = self.doc
        if doc is None:
            return
        from scrutiny_desktop.ui.item_dialogs import RecommendationDialog  # here, not at start-up
        item = RecommendationDialog.ask(self.window_)
        if item is not None:
            self._run("Could not add the recommendation", lambda: recommendations.add_recommendation(
                doc, self.current_question, item))

    def _find_rec(self, doc: Document, rec_id: int) -> RecommendationView | None:
        answer = answers.get_answer(doc, self.current_question)
        return next((r for r in answer.recommendations if r.id == rec_id), None)

    def _edit_recommendation(self, rec_id: int) -> None:
        doc = self.doc
        existing = None if doc is None else self._find_rec(doc, rec_id)
        if doc is None or existing is None:
            return
        from scrutiny_desktop.ui.item_dialogs import RecommendationDialog  # here, not at start-up
        item = RecommendationDialog.ask(self.window_, existing)
        if item is not None:
            self._run("Could not change the recommendation",
                      lambda: recommendations.update_recommendation(doc, rec_id, item))

    def _remove_recommendation(self, rec_id: int) -> None:
        doc = self.doc
        existing = None if doc is None else self._find_rec(doc, rec_id)
        if doc is None or existing is None:
            return
        if self.window_.confirm("Remove recommendation", "Remove this recommendation?"):
            self._run("Could not remove the recommendation",
                      lambda: recommendations.remove_recommendation(doc, rec_id))


def open_with_system_viewer(path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
