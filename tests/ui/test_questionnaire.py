"""The guided questionnaire, driven through the real window by accessible
names, keyboard shortcuts and mouse clicks."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QRadioButton,
    QTableWidget,
    QTreeWidget,
)

from scrutiny_desktop.services import answers, assessments, recommendations
from scrutiny_desktop.settings import AppState
from scrutiny_desktop.storage import lockfile
from tests.helpers import fail_first_calls, scrutineer_id
from tests.ui.helpers import fill_new_assessment, find, run_modal


def alt(qtbot, window, key):
    qtbot.keyClick(QApplication.focusWidget() or window, key, Qt.KeyboardModifier.AltModifier)


def test_full_walk_create_answer_evidence_recommend_close_reopen(make_window, qtbot, tmp_path):
    """A scrutineer creates an assessment, answers six questions (three by keyboard,
    three by mouse), adds evidence with a file and a recommendation, jumps with the
    navigator, closes, and finds everything there when reopening."""
    window = make_window()
    run_modal(qtbot, window.new_assessment, fill_new_assessment(qtbot, tmp_path))
    doc_path = tmp_path / "walk.scrutiny"
    assert window.doc is not None and window.doc.path == doc_path
    assert window.windowTitle() == ("Northshire Safeguarding Children Partnership, 2025-26"
                                    " — Scrutiny Desktop")
    assert window.windowFilePath() == str(doc_path)
    page = window.assessment.page
    template = window.assessment.template
    order = template.question_ids()
    labels = [label for _v, label in template.judgement_options()]

    # Three by keyboard: Alt+N picks option N, findings typed, Alt+Right moves on.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    for n in range(3):
        assert find(window, f"Question {n + 1} of {len(order)}, {order[n]}: "
                            f"{template.question(order[n]).text}")
        findings = find(window, "Findings", QPlainTextEdit)
        findings.setFocus()
        with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
            qtbot.keyClicks(findings, f"Keyboard finding {n}")
        with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
            alt(qtbot, window, Qt.Key.Key_1 + n)
        assert find(window, labels[n], QRadioButton).isChecked()
        alt(qtbot, window, Qt.Key.Key_Right)
        assert page.question_id == order[n + 1]

    # Three by mouse: click the option, then Next question.
    for n in range(3, 6):
        with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
            qtbot.mouseClick(find(window, labels[0], QRadioButton), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(find(window, "Next question", QAbstractButton), Qt.MouseButton.LeftButton)
        assert page.question_id == order[n + 1]

    # Back one with Alt+Left.
    alt(qtbot, window, Qt.Key.Key_Left)
    assert page.question_id == order[5]

    attachment = tmp_path / "minutes.txt"
    attachment.write_text("Partnership board minutes, 3 March 2026 – agreed actions")

    def fill_evidence(dialog):
        qtbot.keyClicks(find(dialog, "Evidence title", QLineEdit), "Board minutes & actions")
        kind = find(dialog, "Kind of evidence", QComboBox)
        kind.setCurrentIndex(kind.findData("meeting"))
        qtbot.keyClicks(find(dialog, "Evidence source", QLineEdit), "Business manager")
        dialog.set_attachment(attachment)
        qtbot.mouseClick(find(dialog, "Add evidence", QAbstractButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.mouseClick(find(window, "Add evidence", QAbstractButton),
                                              Qt.MouseButton.LeftButton), fill_evidence)
    assert find(window, "Evidence list", QTableWidget).rowCount() == 1

    def fill_rec(dialog):
        qtbot.keyClicks(find(dialog, "Recommendation text", QPlainTextEdit),
                        "Publish the scrutiny plan <with dates>")
        owner = find(dialog, "Owner", QComboBox)
        owner.setCurrentIndex(owner.findData("police"))
        prio = find(dialog, "Priority", QComboBox)
        prio.setCurrentIndex(prio.findData("high"))
        qtbot.mouseClick(find(dialog, "Add recommendation", QAbstractButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.mouseClick(find(window, "Add recommendation", QAbstractButton),
                                              Qt.MouseButton.LeftButton), fill_rec)
    assert find(window, "Recommendations list", QTableWidget).rowCount() == 1

    # Navigator: click a question in another section.
    tree = find(window, "Questions", QTreeWidget)
    target = order[20]
    item = window.assessment.navigator._items[target]
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.question_id == target
    assert find(window, f"6 of {len(order)} answered").isVisible()
    assert window.assessment.navigator.progress.value() == 6

    window.close()
    assert window.doc is None
    assert not lockfile.lock_path(doc_path).exists()

    # Everything is on disk.
    with assessments.open_assessment(doc_path, readonly=True) as doc:
        for n in range(3):
            a = answers.get_answer(doc, order[n])
            assert a.findings == f"Keyboard finding {n}"
            assert a.judgement == template.judgement_options()[n][0]
        for n in range(3, 6):
            assert answers.get_answer(doc, order[n]).judgement == template.judgement_options()[0][0]
        from tests.helpers import all_evidence
        ev = all_evidence(doc)
        assert [e.title for e in ev] == ["Board minutes & actions"]
        assert ev[0].question_id == order[5] and ev[0].kind == "meeting"
        assert ev[0].attachment.sha256 == hashlib.sha256(attachment.read_bytes()).hexdigest()
        recs = recommendations.list_recommendations(doc)
        assert [(r.text, r.owner, r.priority) for r in recs] == [
            ("Publish the scrutiny plan <with dates>", "police", "high")]

    # Reopen: the last question comes back.
    state = window.saved_store["state"]
    again = make_window(state=state)
    assert again.open_path(doc_path)
    assert again.assessment.page.question_id == target
    assert again.assessment.navigator.progress.value() == 6


def test_autosave_writes_within_a_second_and_on_navigation(make_window, qtbot, new_doc_path):
    """Typing is on disk after the pause, and moving on saves at once."""
    window = make_window(delay_ms=300)
    window.open_path(new_doc_path)
    findings = find(window, "Findings", QPlainTextEdit)
    qid = window.assessment.page.question_id
    with qtbot.waitSignal(window.autosaver.saved, timeout=1000):
        qtbot.keyClicks(findings, "Typed and left")
    assert window.save_status.text().startswith("All changes saved ")
    with assessments.open_assessment(new_doc_path, readonly=True) as doc:
        assert answers.get_answer(doc, qid).findings == "Typed and left"

    # A long delay, but navigation flushes straight away.
    window.autosaver._timer.setInterval(60_000)
    qtbot.keyClicks(findings, " then moved on")
    assert window.save_status.text() == "Saving…"
    window.assessment.next_question()
    with assessments.open_assessment(new_doc_path, readonly=True) as doc:
        assert answers.get_answer(doc, qid).findings == "Typed and left then moved on"


def test_failed_save_keeps_text_reports_and_retries(make_window, qtbot, new_doc_path, monkeypatch):
    """When the disk refuses a write, the text stays, the status says so, and it retries."""
    from scrutiny_desktop.errors import DocumentWriteFailed

    window = make_window(delay_ms=20, retry_ms=50)
    window.open_path(new_doc_path)
    qid = window.assessment.page.question_id
    fail_first_calls(monkeypatch, answers, "set_findings", 1,
                     lambda doc: DocumentWriteFailed(doc.path, "disk full"))
    findings = find(window, "Findings", QPlainTextEdit)
    with qtbot.waitSignal(window.autosaver.failed, timeout=2000) as failed:
        qtbot.keyClicks(findings, "Precious words")
    assert "disk full" in failed.args[0]
    assert findings.toPlainText() == "Precious words"
    assert "retrying" in window.save_status.text()
    with qtbot.waitSignal(window.autosaver.saved, timeout=2000):
        pass
    with assessments.open_assessment(new_doc_path, readonly=True) as doc:
        assert answers.get_answer(doc, qid).findings == "Precious words"


def test_readonly_file_opens_with_banner_and_disabled_inputs(make_window, new_doc_path):
    """A file marked read-only opens for reading only, and says how to edit it."""
    before = new_doc_path.read_bytes()
    os.chmod(new_doc_path, 0o444)
    window = make_window()
    assert window.open_path(new_doc_path)
    banner = window.assessment.banner
    assert banner.isVisible() and "Save a copy" in banner.label.text()
    assert "(read-only)" in window.windowTitle()
    assert find(window, "Findings", QPlainTextEdit).isReadOnly()
    assert not any(r.isEnabled() for r in window.assessment.page.radios)
    assert not find(window, "Add evidence", QAbstractButton).isEnabled()
    assert not find(window, "Add recommendation", QAbstractButton).isEnabled()
    window.close()
    assert new_doc_path.read_bytes() == before


def test_document_in_use_elsewhere_opens_read_only(make_window, new_doc_path):
    """If someone else has the assessment open, it opens read-only and names them."""
    lock = lockfile.lock_path(new_doc_path)
    lock.write_text('{"user": "bob", "host": "laptop-7", "pid": 4242, "since": "2026-11-28T09:00:00+00:00"}')
    window = make_window()
    assert window.open_path(new_doc_path)
    assert window.doc.readonly
    text = window.assessment.banner.label.text()
    assert "bob on laptop-7" in text and "Save a copy" in text
    window.close()
    assert lock.exists()  # their lock is left alone


def test_signed_off_document_is_locked_with_banner(make_window, new_doc_path):
    """A signed-off assessment shows its answers but accepts no changes."""
    from scrutiny_desktop.services import signoff

    # Signed off through the services: a status set behind the app's back (no signature)
    # fails the integrity check, and such a file opens read-only saying so instead.
    with assessments.open_assessment(new_doc_path) as doc:
        for qid in assessments.question_ids(doc):
            answers.set_judgement(doc, qid, "reasonable")
        signoff.sign_off(doc, identity=scrutineer_id(),
                         name="Ann Jones", role="Scrutineer", statement="I confirm.",
                         confirmed=True)
    window = make_window()
    window.open_path(new_doc_path)
    assert "signed off" in window.assessment.banner.label.text().lower()
    assert find(window, "Findings", QPlainTextEdit).isReadOnly()
    assert not find(window, "Add evidence", QAbstractButton).isEnabled()


def test_bad_file_shows_message_and_is_not_modified(make_window, tmp_path):
    """Opening a file that is not an assessment explains why, and leaves it alone."""
    bad = tmp_path / "holiday.scrutiny"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    before = bad.read_bytes()
    window = make_window()
    assert not window.open_path(bad)
    assert len(window.recorder.errors) == 1
    _title, text = window.recorder.errors[0]
    assert "PNG picture" in text and "\n" not in text
    assert bad.read_bytes() == before
    assert window.doc is None


def test_home_lists_recent_documents_and_missing_ones(make_window, new_doc_path, tmp_path, qtbot):
    """The home screen shows partnership, period, status and progress, marks a
    missing file as missing and lets it be removed from the list."""
    gone = tmp_path / "gone.scrutiny"
    state = AppState(recent=[str(new_doc_path), str(gone)])
    window = make_window(state=state)
    recent = find(window, "Recent assessments", QListWidget)
    assert recent.count() == 2
    first, second = window.home.entries
    assert (first.title, first.status, first.progress) == (
        "Northshire Safeguarding Children Partnership, 2025-26", "Draft", "0 of 51 answered")
    assert recent.item(0).data(Qt.ItemDataRole.AccessibleTextRole).startswith(
        "Northshire Safeguarding Children Partnership, 2025-26. Draft. 0 of 51 answered.")
    assert (second.title, second.status) == ("gone.scrutiny", "Missing")
    recent.setCurrentRow(1)
    qtbot.mouseClick(find(window, "Remove from list", QAbstractButton), Qt.MouseButton.LeftButton)
    assert recent.count() == 1
    assert window.state.recent == [str(new_doc_path)]
    # Enter on the entry opens it.
    recent.setFocus()
    recent.setCurrentRow(0)
    qtbot.keyClick(recent, Qt.Key.Key_Return)
    assert window.doc is not None


def test_dropping_a_document_opens_it(make_window, new_doc_path, qtbot):
    """Dropping a .scrutiny file on the window opens it."""
    window = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(new_doc_path))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=2000)
    assert window.doc.path == new_doc_path


def test_every_control_has_an_accessible_name(make_window, new_doc_path):
    """Screen-reader users hear a name for every interactive control."""
    window = make_window()
    window.open_path(new_doc_path)
    for name in ("Next question", "Previous question", "Findings", "Guidance",
                 "Add evidence", "Add recommendation"):
        find(window, name)
    for _value, label in window.assessment.template.judgement_options():
        assert find(window, label, QRadioButton).text() == label
    interactive = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QTableWidget, QTreeWidget)
    unnamed = [w for cls in interactive for w in window.findChildren(cls)
               if w.isVisible() and not w.accessibleName()
               and w.objectName() not in ("qt_scrollarea_viewport",)
               and not w.metaObject().className().startswith("QScrollBar")
               and w.parent() and w.parent().metaObject().className() not in ("QTabBar",)
               and w.metaObject().className() not in ("QHeaderView", "QTableCornerButton")
               and "qt_" not in w.objectName()]
    assert unnamed == [], [f"{w.metaObject().className()} {w.objectName()} {getattr(w, 'text', lambda: '')()}"
                           for w in unnamed]


def test_guidance_collapses_and_is_remembered(make_window, new_doc_path, qtbot):
    """Hiding the guidance keeps it hidden on the next question and next time."""
    window = make_window()
    window.open_path(new_doc_path)
    button = find(window, "Hide guidance", QAbstractButton)
    text = window.assessment.page.guidance_text
    assert text.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not text.isVisible()
    window.assessment.next_question()
    assert not text.isVisible()
    assert window.state.guidance_expanded is False


def test_save_a_copy_writes_a_clean_document(make_window, new_doc_path, tmp_path):
    """File > Save a copy makes a complete single file that opens on its own."""
    window = make_window()
    window.open_path(new_doc_path)
    target = tmp_path / "copy.scrutiny"
    window.ask_save_path = lambda *a, **k: target
    window.menus.save_copy_action.trigger()
    assert target.exists()
    assert not Path(str(target) + "-journal").exists()
    with assessments.open_assessment(target, readonly=True) as doc:
        assert assessments.info(doc).partnership == "Northshire Safeguarding Children Partnership"


def test_new_assessment_dialog_validates_inline(qtbot, tmp_path):
    """Blank required fields and an existing file are flagged as you type."""
    from scrutiny_desktop.checklist import discover_templates
    from scrutiny_desktop.settings import Settings
    from scrutiny_desktop.ui.new_assessment import NewAssessmentDialog

    existing = tmp_path / "taken.scrutiny"
    existing.write_bytes(b"")
    dialog = NewAssessmentDialog(discover_templates(), Settings(documents_dir=str(tmp_path)))
    qtbot.addWidget(dialog)
    dialog.show()
    create = find(dialog, "Create", QAbstractButton)
    # Create stays enabled; what is missing is said beside it (never greyed without a reason).
    assert create.isEnabled() and "the partnership's name" in dialog.needed.text()
    assert dialog.template.currentData().id == "cis"
    qtbot.keyClicks(find(dialog, "Partnership", QLineEdit), "Taken")
    qtbot.keyClicks(find(dialog, "Period covered", QLineEdit), "x")
    find(dialog, "Period covered", QLineEdit).clear()
    assert dialog.errors["period"].isVisible()
    assert "period" in dialog.errors["period"].text()
    dialog.period.setText("2025-26")
    assert Path(dialog.location.text()).name == "Taken-2025-26.scrutiny"
    dialog.location.setText(str(existing))
    assert "already exists" in dialog.errors["location"].text()
    assert "where to save it" in dialog.needed.text()
    dialog.location.setText(str(tmp_path / "fresh.scrutiny"))
    # The scrutineer's name is still blank.
    assert dialog.needed.text() == "Still needed before Create: the scrutineer's name."
    qtbot.keyClicks(find(dialog, "Scrutineer name", QLineEdit), "Ann Jones")
    assert create.isEnabled() and not dialog.needed.isVisible()
