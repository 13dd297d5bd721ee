"""A chair reviews a signed-off assessment through the real window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
)

from scrutiny_desktop.services import assessments, recommendations, review, signoff
from scrutiny_desktop.services.fingerprint import content_fingerprint
from scrutiny_desktop.settings import Settings
from tests.helpers import PASSPHRASE, identity_path, make_signed
from tests.ui.helpers import find, run_modal


def test_chair_comments_responds_and_countersigns(make_window, qtbot, new_doc_path):
    """The chair opens the signed-off file (read-only), chooses Review as chair…,
    comments on a question, writes the overall response, decides on each
    recommendation and countersigns; the scrutineer's sign-off stays valid."""
    fingerprint = make_signed(new_doc_path)
    window = make_window(settings=Settings(scrutineer_name="Chris Chair", scrutineer_role="Chair"))
    window.open_path(new_doc_path)
    # Opening it is read-only, for the chair too, until they choose to review.
    assert find(window, "Findings", QPlainTextEdit).isReadOnly()
    comment = find(window, "Chair's comment", QPlainTextEdit)
    assert comment.isReadOnly()

    def start(dialog):
        name = find(dialog, "Chair's name", QLineEdit)
        assert name.text() == ""  # never taken from the scrutineer's name in Preferences
        qtbot.keyClicks(name, "Chris Chair")
        qtbot.keyClicks(find(dialog, "Chair's role", QLineEdit), "Chair")
        qtbot.mouseClick(find(dialog, "Start the review", QAbstractButton),
                         Qt.MouseButton.LeftButton)

    run_modal(qtbot, window.menus.chair_action.trigger, start)
    # The scrutineer's answers stay read-only; the chair's comment is not.
    assert find(window, "Findings", QPlainTextEdit).isReadOnly()
    comment = find(window, "Chair's comment", QPlainTextEdit)
    assert not comment.isReadOnly()
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        qtbot.keyClicks(comment, "Agreed; the plan is overdue.")

    window.menus.response_action.trigger()
    assert window.stack.currentWidget() is window.review_page
    overall = find(window, "Overall response", QPlainTextEdit)
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        qtbot.keyClicks(overall, "The partnership accepts the findings.")
    table = find(window, "Recommendations and decisions", QTableWidget)
    assert table.rowCount() == 2
    assert not find(window, "Countersign", QAbstractButton).isEnabled()

    decisions = [("accepted", ""), ("not_accepted", "Covered by the health plan")]
    for row, (decision, detail) in enumerate(decisions):
        table.selectRow(row)

        def fill(dialog, decision=decision, detail=detail):
            combo = find(dialog, "Decision", QComboBox)
            combo.setCurrentIndex(combo.findData(decision))
            save = find(dialog, "Save response", QAbstractButton)
            if detail:
                assert not save.isEnabled()  # a reason is required
                qtbot.keyClicks(find(dialog, "Decision detail", QPlainTextEdit), detail)
            qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

        run_modal(qtbot, lambda: qtbot.mouseClick(find(window, "Respond to recommendation", QAbstractButton),
                                                  Qt.MouseButton.LeftButton), fill)
    table = find(window, "Recommendations and decisions", QTableWidget)
    assert [table.item(r, 4).text() for r in range(2)] == ["Accepted", "Not accepted"]
    countersign = find(window, "Countersign", QAbstractButton)
    assert countersign.isEnabled()

    def sign_as_chair(dialog):
        find(dialog, "Signing certificate file", QLineEdit).setText(str(identity_path("Chris Chair")))
        find(dialog, "Certificate passphrase", QLineEdit).setText(PASSPHRASE.decode())
        confirm = find(dialog, "I confirm", QCheckBox)
        confirm.setFocus()
        qtbot.keyClick(confirm, Qt.Key.Key_Space)
        qtbot.mouseClick(find(dialog, "Countersign", QAbstractButton), Qt.MouseButton.LeftButton)

    def sign(dialog):
        # The chair's name and role from Review as chair…, not the scrutineer's.
        assert find(dialog, "Signer name", QLineEdit).text() == "Chris Chair"
        assert find(dialog, "Signer role", QLineEdit).text() == "Chair"
        sign_as_chair(dialog)

    run_modal(qtbot, lambda: qtbot.mouseClick(countersign, Qt.MouseButton.LeftButton), sign)
    rv = review.get_review(window.doc)
    assert rv.countersignature is not None and rv.countersignature.name == "Chris Chair"
    assert assessments.info(window.doc).status == "reviewed"
    assert content_fingerprint(window.doc) == fingerprint
    assert signoff.verify_signoff(window.doc)[0]
    assert find(window, "Overall response", QPlainTextEdit).isReadOnly()
    qid = assessments.question_ids(window.doc)[0]
    assert rv.comments[qid] == "Agreed; the plan is overdue."


def test_new_assessment_from_a_previous_one(make_window, qtbot, new_doc_path, tmp_path):
    """File > New assessment from a previous one suggests the next period and brings
    open recommendations forward."""
    from PySide6.QtWidgets import QLineEdit

    make_signed(new_doc_path)
    window = make_window()
    window.ask_open_path = lambda: new_doc_path
    target = tmp_path / "next-year.scrutiny"

    def fill(dialog):
        assert find(dialog, "Period covered", QLineEdit).text() == "2026-27"
        location = find(dialog, "Save as", QLineEdit)
        location.setText(str(target))
        qtbot.mouseClick(find(dialog, "Create", QAbstractButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, window.menus.carry_action.trigger, fill)
    assert window.doc is not None and window.doc.path == target
    recs = recommendations.list_recommendations(window.doc)
    assert [r.text for r in recs] == ["Publish the plan", "Train staff"]
    assert all(r.carried_from.startswith("2025-26") for r in recs)
    assert assessments.info(window.doc).status == "draft"
