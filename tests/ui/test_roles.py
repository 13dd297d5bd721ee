"""Roles kept apart: a signed-off assessment opens read-only for everyone; the chair's
review starts only from Assessment > Review as chair…, which asks for the chair's name
and role (remembered, never the scrutineer's), and the scrutineer who signed off can
neither review nor countersign."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit

from scrutiny_desktop.services import assessments, recommendations, review
from scrutiny_desktop.settings import Settings
from scrutiny_desktop.ui.chair import ChairDialog
from scrutiny_desktop.ui.signoff import SignOffDialog
from tests.helpers import audit_rows, make_signed
from tests.ui.helpers import find, run_modal


def scrutineer() -> Settings:
    """The scrutineer's own settings (a fresh copy: the window changes what it is given)."""
    return Settings(scrutineer_name="Ann Jones", scrutineer_role="Independent scrutineer")


def ready_to_countersign(path) -> None:
    """A signed-off file with the overall response written and every decision made."""
    make_signed(path)
    with assessments.open_assessment(path, actor="Chris Chair") as doc:
        review.set_overall_response(doc, "The partnership accepts the findings.")
        for rec in recommendations.list_recommendations(doc):
            review.set_response(doc, rec.id, decision="accepted")


def test_the_scrutineer_sees_their_signed_off_file_read_only(make_window, qtbot, new_doc_path):
    """No comment mode on opening: everything is read-only, and the banner says it is
    signed off, how to reopen it and how a chair reviews it."""
    make_signed(new_doc_path)
    window = make_window(settings=scrutineer())
    assert window.open_path(new_doc_path)
    page = window.assessment
    assert not page.editable and not page.review_editable
    assert find(window, "Findings", QPlainTextEdit).isReadOnly()
    assert find(window, "Chair's comment", QPlainTextEdit).isReadOnly()
    banner = page.banner.label.text()
    assert banner.startswith("Signed off by Ann Jones on ")
    assert "read-only" in banner and "Assessment > Reopen for changes…" in banner
    assert "Assessment > Review as chair…" in banner
    menus = window.menus
    assert menus.chair_action.isEnabled() and menus.reopen_action.isEnabled()
    assert not menus.countersign_action.isEnabled()
    assert not window.status_actions.role_label.isVisible()
    # The partnership response page is there to read, not to write.
    menus.response_action.trigger()
    assert find(window, "Overall response", QPlainTextEdit).isReadOnly()
    assert not find(window, "Respond to recommendation", QAbstractButton).isEnabled()
    assert not find(window, "Countersign", QAbstractButton).isEnabled()


def test_the_scrutineer_cannot_review_as_the_chair(make_window, qtbot, new_doc_path):
    """The chair dialog is never filled in from the scrutineer's name, and refuses it
    (in any capitals) with a sentence on independence."""
    make_signed(new_doc_path)
    window = make_window(settings=scrutineer())
    assert window.open_path(new_doc_path)
    seen = {}

    def fill(dialog):
        assert isinstance(dialog, ChairDialog)
        name = find(dialog, "Chair's name", QLineEdit)
        seen["prefilled"] = name.text()
        qtbot.keyClicks(name, "ann JONES")
        seen["enabled"] = find(dialog, "Start the review", QAbstractButton).isEnabled()
        seen["error"] = dialog.error.text() if dialog.error.isVisible() else ""
        dialog.reject()

    run_modal(qtbot, window.menus.chair_action.trigger, fill)
    assert seen["prefilled"] == ""
    assert seen["enabled"] is False
    assert seen["error"].startswith("The review must be independent of the scrutineer: Ann Jones")
    assert not window.assessment.review_editable
    assert window.status_actions.chair() is None


def test_review_as_chair_is_remembered_and_ends_with_the_document(make_window, qtbot,
                                                                 new_doc_path):
    """Review as chair… asks for the chair's name and role (remembered for this
    computer), opens the chair's actions, says so in the status bar and names the chair
    in the audit log; the countersignature dialog is filled in with the chair, refuses
    the scrutineer's name, and reopening the file starts read-only again."""
    ready_to_countersign(new_doc_path)
    window = make_window(settings=scrutineer())
    assert window.open_path(new_doc_path)
    assert window.save_status.text() == "Read-only"

    def start(dialog):
        qtbot.keyClicks(find(dialog, "Chair's name", QLineEdit), "Chris Chair")
        qtbot.keyClicks(find(dialog, "Chair's role", QLineEdit), "Independent chair")
        qtbot.mouseClick(find(dialog, "Start the review", QAbstractButton),
                         Qt.MouseButton.LeftButton)

    run_modal(qtbot, window.menus.chair_action.trigger, start)
    assert window.assessment.review_editable
    role = window.status_actions.role_label
    assert role.isVisible() and role.text() == "Reviewing as Chris Chair (chair)"
    assert window.save_status.text() == "Reviewing: your comments are saved as you type"
    assert "You are reviewing as Chris Chair (chair)" in window.assessment.banner.label.text()
    assert (window.user_settings.chair_name, window.user_settings.chair_role) == (
        "Chris Chair", "Independent chair")
    assert window.saved_store["settings"].chair_name == "Chris Chair"
    assert window.user_settings.scrutineer_name == "Ann Jones"  # untouched
    assert window.menus.countersign_action.isEnabled()

    comment = find(window, "Chair's comment", QPlainTextEdit)
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        qtbot.keyClicks(comment, "Agreed.")
    assert audit_rows(window.doc)[-1].actor == "Chris Chair"

    seen = {}

    def countersign(dialog):
        assert isinstance(dialog, SignOffDialog)
        name = find(dialog, "Signer name", QLineEdit)
        seen["name"], seen["role"] = name.text(), find(dialog, "Signer role", QLineEdit).text()
        name.setText("ANN  jones")
        seen["enabled"] = find(dialog, "Countersign", QAbstractButton).isEnabled()
        seen["error"] = dialog.error.text() if dialog.error.isVisible() else ""
        dialog.reject()

    run_modal(qtbot, window.menus.countersign_action.trigger, countersign)
    assert (seen["name"], seen["role"]) == ("Chris Chair", "Independent chair")
    assert seen["enabled"] is False
    assert "independent of the scrutineer" in seen["error"]

    # The role lasts as long as the document is open.
    assert window.close_document()
    assert not window.status_actions.role_label.isVisible()
    assert window.open_path(new_doc_path)
    assert not window.assessment.review_editable
    assert find(window, "Chair's comment", QPlainTextEdit).isReadOnly()

    # Next time the chair's details are offered (and only the chair's).
    def check_offered(dialog):
        seen["offered"] = (find(dialog, "Chair's name", QLineEdit).text(),
                           find(dialog, "Chair's role", QLineEdit).text())
        dialog.reject()

    run_modal(qtbot, window.menus.chair_action.trigger, check_offered)
    assert seen["offered"] == ("Chris Chair", "Independent chair")


def test_review_as_chair_needs_a_signed_off_assessment(make_window, qtbot, new_doc_path):
    """On a draft the action is unavailable (and, if called, says why)."""
    window = make_window(settings=scrutineer())
    assert window.open_path(new_doc_path)
    assert not window.menus.chair_action.isEnabled()
    window.status_actions.review_as_chair()
    title, text = window.recorder.errors[-1]
    assert title == "Cannot review this assessment"
    assert text == ("Only a signed-off assessment can be reviewed. The scrutineer has not "
                    "signed this one off yet.")
    assert window.status_actions.chair() is None
    assert not find(window, "Findings", QPlainTextEdit).isReadOnly()
    assert not window.status_actions.role_label.isVisible()


def test_starting_a_review_as_the_scrutineer_is_refused(make_window, qtbot, new_doc_path):
    """Even without the dialog, the scrutineer who signed off cannot become the chair."""
    from scrutiny_desktop.ui.chair import Chair

    make_signed(new_doc_path)
    window = make_window(settings=scrutineer())
    assert window.open_path(new_doc_path)
    window.status_actions.start_review(Chair("ANN JONES", "Chair"))
    title, text = window.recorder.errors[-1]
    assert title == "Cannot review this assessment" and "independent of the scrutineer" in text
    assert window.status_actions.chair() is None and not window.assessment.review_editable
    assert window.user_settings.chair_name == ""
