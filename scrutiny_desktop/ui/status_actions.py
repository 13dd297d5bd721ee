"""Sign-off, reopening, the chair's review and countersignature, as window actions.

The scrutineer's and the chair's acts have the same shape: *sign* (check
readiness, ask for name, role and statement, record it) and *reopen* (ask for a
reason, void the signature).  Each pair is one helper driven by a small table,
so the two cannot drift.  After a change of status the window announces
"document changed" and every page redraws itself from the document.

The chair's acts need a chair: opening a signed-off assessment shows it read-only,
and the review starts only from Assessment > Review as chair…, which asks for the
chair's name and role (:mod:`scrutiny_desktop.ui.chair`).  The chair reviews for as
long as that document stays open.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtWidgets import QLabel

from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.services import assessments, progress, recommendations, review, signoff
from scrutiny_desktop.services.common import template_of
from scrutiny_desktop.services.permissions import REVIEW, Status, permissions
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.text import when_text
from scrutiny_desktop.ui.announce import announce
from scrutiny_desktop.ui.chair import Chair, ChairDialog
from scrutiny_desktop.ui.prompts import Host
from scrutiny_desktop.ui.review import ReviewPage
from scrutiny_desktop.ui.signoff import ReadyPage, ReasonDialog, SignOffDialog


@dataclass(frozen=True)
class _Reopening:
    title: str
    explanation: str
    button: str
    failure: str
    done: str
    service: Callable[..., object]


class StatusActions:
    def __init__(self, host: Host):
        self.host = host
        self.ready = ReadyPage()
        self.ready.back_requested.connect(host.show_questions)
        self.ready.sign_requested.connect(self.sign_off)
        self.ready.question_requested.connect(self._ready_go_to)
        self.review_page = ReviewPage()
        self.review_page.back_requested.connect(host.show_questions)
        self.review_page.countersign_requested.connect(self.countersign)
        self.review_page.respond_requested.connect(self._respond_from_review)
        self.review_page.overall_edited.connect(self._overall_edited)
        host.add_page(self.ready)
        host.add_page(self.review_page)
        self._respond: Callable[[int], bool] = lambda _rid: False
        #: The chair reviewing, and the document they review (the role ends with it).
        self._chair: tuple[Document, Chair] | None = None
        self._review_started: Callable[[Chair], None] = lambda _chair: None
        #: "Reviewing as NAME (chair)", for the window's status bar.
        self.role_label = QLabel("")
        self.role_label.setObjectName("role_status")
        self.role_label.setAccessibleName("Role")
        self.role_label.hide()

    def set_responder(self, respond: Callable[[int], bool]) -> None:
        """How to ask for the partnership's decision on one recommendation."""
        self._respond = respond

    def set_review_started(self, started: Callable[[Chair], None]) -> None:
        """What the window does when a chair starts reviewing (remember the chair's
        name and role for this computer, say so in the status bar)."""
        self._review_started = started

    # -- the chair's role -------------------------------------------------------------
    def chair(self) -> Chair | None:
        """The chair reviewing the open document, or None (nobody has chosen to)."""
        if self._chair is not None and self.host.doc is not None \
                and self._chair[0] is self.host.doc:
            return self._chair[1]
        return None

    def chair_name(self) -> str:
        chair = self.chair()
        return chair.name if chair else ""

    def show_role(self) -> None:
        """Say in the status bar who is reviewing (nothing when nobody is)."""
        chair = self.chair()
        self.role_label.setText(chair.status_text if chair else "")
        self.role_label.setVisible(chair is not None)

    def review_as_chair(self) -> None:
        """Assessment > Review as chair…: ask who is reviewing, then open the chair's
        actions (comments, response, decisions, countersignature) for this session."""
        doc = self.host.doc
        if doc is None:
            return
        self.host.autosaver.flush()
        allowed = permissions(doc)
        if allowed.status == Status.DRAFT or doc.readonly:
            self.host.show_error("Cannot review this assessment", allowed.reason(REVIEW))
            return
        current = signoff.current_signoff(doc)
        settings = self.host.settings
        chair = ChairDialog.ask(self.host.dialog_parent(), name=settings.chair_name,
                                role=settings.chair_role,
                                signed_by=current.name if current else "",
                                problem_for=partial(review.name_independence_problem, doc))
        if chair is not None:
            self.start_review(chair)

    def start_review(self, chair: Chair) -> None:
        """Review the open document as ``chair`` (never the scrutineer who signed off)."""
        doc = self.host.doc
        if doc is None:
            return
        problem = review.name_independence_problem(doc, chair.name)
        if problem:
            self.host.show_error("Cannot review this assessment", problem)
            return
        self._chair = (doc, chair)
        doc.actor = chair.name  # the review's audit rows name the chair
        self.host.document_changed("status")
        self._review_started(chair)
        self.show_role()  # (the banner says what a chair can do)

    # -- pages ------------------------------------------------------------------------
    def show_ready(self) -> None:
        doc = self.host.doc
        if doc is None:
            return
        self.host.autosaver.flush()
        current = signoff.current_signoff(doc)
        signed = ""
        if current is not None:
            signed = (f"Signed off by {current.name} on {when_text(current.signed_at)}. "
                      "The answers are locked.")
        self.ready.show_state(template_of(doc), progress.progress(doc),
                              signoff.readiness(doc), recommendations.list_recommendations(doc),
                              signed, warnings=progress.readiness_warnings(doc))
        self.host.show_page(self.ready)
        # The readiness sentence first: a screen reader reads where things stand.
        self.ready.status.setFocus()
        announce(self.ready.status, self.ready.status.text())

    def show_review(self) -> None:
        doc = self.host.doc
        if doc is None:
            return
        self.host.autosaver.flush()
        allowed = permissions(doc, chair=self.chair() is not None)
        if allowed.status == Status.DRAFT:
            self.host.show_error("Not signed off yet", allowed.reason(REVIEW))
            return
        current = signoff.current_signoff(doc)
        signed = (f"Signed off by {current.name} on {when_text(current.signed_at)}. "
                  "The scrutineer's content is read-only; your response is saved as you type "
                  "and does not affect their sign-off.") if current else ""
        if current and not allowed.can_review and allowed.status == Status.SIGNED_OFF \
                and not doc.readonly:
            signed = (f"Signed off by {current.name} on {when_text(current.signed_at)}. "
                      "This is read-only: the partnership's chair writes the response after "
                      "choosing Assessment > Review as chair….")
        ok, reasons = review.review_readiness(doc)
        view = review.get_review(doc)
        # While saves fail, show the response as typed, not the older stored one.
        view = dataclasses.replace(
            view, overall=self.host.autosaver.pending_value(("overall-response",), view.overall))
        self.review_page.show_review(
            view, recommendations.list_recommendations(doc), signed_text=signed,
            editable=allowed.can_review, ready=ok, reasons=reasons)
        self.host.show_page(self.review_page)
        self.review_page.overall.setFocus()

    def refresh(self) -> None:
        """Redraw whichever of our pages is showing (after the document changed)."""
        if self.ready.isVisible():
            self.show_ready()
        elif self.review_page.isVisible():
            self.show_review()

    def _ready_go_to(self, question_id: str) -> None:
        self.host.show_questions()
        self.host.go_to_question(question_id)

    def _overall_edited(self, text: str) -> None:
        doc = self.host.doc
        if doc is not None:
            self.host.autosaver.schedule(("overall-response",),
                                         partial(review.set_overall_response, doc, text), text)

    def _respond_from_review(self, recommendation_id: int) -> None:
        if self._respond(recommendation_id):
            self.show_review()

    # -- signing ------------------------------------------------------------------------
    def sign_off(self) -> None:
        from scrutiny_desktop.report import signing  # lays out and signs the PDF

        doc = self.host.doc
        if doc is None:
            return
        self.host.autosaver.flush()
        state = signoff.readiness(doc)
        if not state.ready:
            self.host.show_error("Not ready to sign off", " ".join(state.reasons))
            self.show_ready()
            return
        info = assessments.info(doc)
        settings = self.host.settings
        answer = SignOffDialog.ask(
            self.host.dialog_parent(), name=settings.scrutineer_name or info.scrutineer_name,
            role=settings.scrutineer_role or info.scrutineer_role,
            statement=settings.signoff_statement or template_of(doc).signoff_statement,
            key_path=self._key_path())
        if answer is not None:
            self._remember_key(answer.pop("key_path"))
            self._change_status("Could not sign off",
                                partial(signing.sign_off, doc, options=self._report_options(),
                                        **answer),
                                self.show_ready, "Signed off. The answers are now locked.")

    def countersign(self) -> None:
        from scrutiny_desktop.report import signing  # adds the response to the signed PDF

        doc = self.host.doc
        if doc is None:
            return
        self.host.autosaver.flush()
        ok, reasons = review.review_readiness(doc)
        if not ok:
            self.host.show_error("Not ready to countersign", " ".join(reasons))
            self.show_review()
            return
        chair = self.chair()
        if chair is None:
            self.host.show_error("Not reviewing as the chair",
                                 permissions(doc, chair=False).reason(REVIEW))
            return
        # The chair's name, never the scrutineer's: the countersignature is independent.
        answer = SignOffDialog.ask(
            self.host.dialog_parent(), name=chair.name, role=chair.role,
            statement=review.DEFAULT_COUNTERSIGN_STATEMENT,
            title="Countersign the review", confirm_text="I confirm the statement above",
            button_text="Countersign", key_path=self._key_path(),
            name_problem=partial(review.name_independence_problem, doc))
        if answer is not None:
            self._remember_key(answer.pop("key_path"))
            self._change_status("Could not countersign",
                                partial(signing.countersign, doc, options=self._report_options(),
                                        **answer),
                                self.show_review,
                                "Countersigned. The partnership's response is now locked.")

    def _report_options(self):
        from scrutiny_desktop.report.data import options_from_settings

        return options_from_settings(self.host.settings)

    def _key_path(self) -> str:
        """The certificate last used on this computer, else the one IT set, else none."""
        return self.host.state.signing_key or self.host.settings.signing_key or ""

    def _remember_key(self, path: str) -> None:
        if path and path != self.host.state.signing_key:
            self.host.state.signing_key = path
            self.host.save_app_state()

    # -- reopening -----------------------------------------------------------------------
    def reopen(self) -> None:
        self._reopen(_Reopening(
            "Reopen for changes",
            "Reopening voids the sign-off: it stays in the history, marked as voided, with your "
            "reason. Why are you reopening this assessment?", "Reopen", "Could not reopen",
            "Reopened: the sign-off is void and the answers can be changed.", signoff.reopen),
            self.host.show_questions)

    def reopen_review(self) -> None:
        if self.host.doc is not None and self.chair() is None:
            self.host.show_error("Not reviewing as the chair",
                                 permissions(self.host.doc, chair=False).reason(REVIEW))
            return
        self._reopen(_Reopening(
            "Reopen the review",
            "Reopening voids the countersignature (it stays in the history with your reason) so "
            "the partnership's response can be changed. Why are you reopening it?",
            "Reopen review", "Could not reopen the review",
            "Review reopened: the response can be changed.", review.reopen_review),
            self.show_review, by=self.chair_name())

    def _reopen(self, what: _Reopening, then: Callable[[], None], by: str = "") -> None:
        doc = self.host.doc
        if doc is None:
            return
        reason = ReasonDialog.ask(self.host.dialog_parent(), what.title, what.explanation,
                                  what.button)
        if reason is not None:
            self._change_status(what.failure, partial(what.service, doc, reason=reason,
                                                      by=by or self.host.actor()), then, what.done)

    def _change_status(self, failure_title: str, action: Callable[[], object],
                       then: Callable[[], None], message: str) -> bool:
        """Sign, countersign or reopen: run it, announce the change, then show ``then``.
        Signing lays out and signs the PDF (about a second): a busy cursor meanwhile."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication

        problem = ""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            action()
        except (DocumentError, InvalidInput) as exc:
            problem = str(exc)
        finally:
            QApplication.restoreOverrideCursor()
        if problem:
            self.host.show_error(failure_title, problem)
            return False
        self.host.document_changed("status")
        then()
        self.host.show_status(message, 10000)
        return True
