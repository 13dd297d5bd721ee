"""The writer's desk (issue 14): word counts, files dropped on the evidence list,
Print, a locked judgement shown as a badge, the last question pointing to the
review, and the navigator's full question text with the judgement's mark."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from scrutiny_desktop.checklist.marks import mark_for
from scrutiny_desktop.report.raster import page_count, render_pages
from scrutiny_desktop.services import answers
from scrutiny_desktop.ui.question_page import LOCKED_PLACEHOLDER, word_count_text
from tests.helpers import make_signed


def test_word_count_follows_the_findings_as_they_are_typed(make_window, qtbot, new_doc_path):
    window = make_window()
    window.open_path(new_doc_path)
    page = window.assessment.page
    assert page.word_count.text() == "0 words"
    page.findings.setFocus()
    qtbot.keyClicks(page.findings, "The partnership  publishes")
    qtbot.keyClick(page.findings, Qt.Key.Key_Return)
    qtbot.keyClicks(page.findings, "its plan")
    assert page.word_count.text() == "5 words"
    qtbot.keyClicks(page.findings, " 12")
    assert page.word_count.text() == "6 words"
    assert word_count_text("one") == "1 word"
    assert word_count_text(" ".join(["w"] * 1200)) == "1,200 words"
    # The summary page counts each of its boxes too.
    window.show_summary()
    box = window.summary_page.fields["conclusion"]
    count = window.summary_page.findChild(type(page.word_count), "word_count_conclusion")
    box.setPlainText("Arrangements are effective overall.")
    assert count.text() == "4 words"


def _drag(mime: QMimeData, target, kind: str):
    pos = QPoint(10, 10)
    actions = Qt.DropAction.CopyAction
    if kind == "enter":
        event = QDragEnterEvent(pos, actions, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    else:
        event = QDropEvent(QPointF(pos), actions, mime, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, event)
    return event


def test_files_dropped_on_the_evidence_list_become_evidence(make_window, qtbot, new_doc_path,
                                                            tmp_path):
    window = make_window()
    window.open_path(new_doc_path)
    question = window.assessment.current_question
    minutes = tmp_path / "Board minutes March 2026.pdf"
    minutes.write_bytes(b"%PDF-1.4 minutes")
    plan = tmp_path / "plan.docx"
    plan.write_bytes(b"PK plan")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(minutes)), QUrl.fromLocalFile(str(plan)),
                  QUrl.fromLocalFile(str(tmp_path))])  # a folder is left out
    target = window.assessment.page.evidence_table.viewport()
    assert _drag(mime, target, "enter").isAccepted()
    _drag(mime, target, "drop")
    items = answers.get_answer(window.doc, question).evidence
    assert [(e.title, e.attachment.filename if e.attachment else None) for e in items] == [
        ("Board minutes March 2026", "Board minutes March 2026.pdf"), ("plan", "plan.docx")]
    assert window.assessment.page.evidence_table.rowCount() == 2
    assert "Added 2 files as evidence" in window.statusBar().currentMessage()

    # Text (not files) is refused while dragging.
    text = QMimeData()
    text.setText("just words")
    assert not _drag(text, target, "enter").isAccepted()


def test_nothing_can_be_dropped_on_a_locked_assessment(make_window, qtbot, doc_path, tmp_path):
    make_signed(doc_path)
    window = make_window()
    window.open_path(doc_path)
    file = tmp_path / "late.pdf"
    file.write_bytes(b"%PDF-1.4")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(file))])
    viewport = window.assessment.page.evidence_table.viewport()
    assert not _drag(mime, viewport, "enter").isAccepted()
    _drag(mime, viewport, "drop")
    assert answers.get_answer(window.doc, window.assessment.current_question).evidence == ()


def test_a_locked_assessment_shows_its_judgement_as_a_badge(make_window, qtbot, doc_path):
    make_signed(doc_path)  # every question "reasonable"
    window = make_window()
    window.open_path(doc_path)
    page = window.assessment.page
    assert not window.assessment.editable
    assert page.judgement_badge.isVisible()
    assert all(not r.isVisible() for r in page.radios)
    assert not page.clear_judgement.isVisible()
    label = dict(window.assessment.template.judgement_options())["reasonable"]
    mark = mark_for(window.assessment.template, "reasonable")
    assert mark.symbol in page.judgement_badge.text() and label in page.judgement_badge.text()
    assert page.judgement_badge.accessibleName() == f"Judgement: {label}"
    assert page.findings.placeholderText() == LOCKED_PLACEHOLDER
    assert "saved as you type" not in page.findings.placeholderText()


def test_an_open_draft_shows_the_choices_not_the_badge(make_window, qtbot, new_doc_path):
    window = make_window()
    window.open_path(new_doc_path)
    page = window.assessment.page
    assert not page.judgement_badge.isVisible()
    assert any(r.isVisible() for r in page.radios)
    assert "saved as you type" in page.findings.placeholderText()
    # Each option carries its mark as an icon, as the PDF shows it.
    assert all(not r.icon().isNull() for r in page.radios)


def test_the_last_question_points_to_the_review(make_window, qtbot, new_doc_path):
    window = make_window()
    window.open_path(new_doc_path)
    last = window.assessment.template.question_ids()[-1]
    window.go_to_question(last)
    button = window.assessment.page.next_button
    assert button.isEnabled() and button.text() == "Review ▶"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.ready
    window.show_questions()
    window.assessment.previous_question()
    assert button.text() == "Next ▶"


def test_the_navigator_shows_whole_questions_and_judgement_marks(make_window, qtbot,
                                                                new_doc_path):
    window = make_window()
    window.open_path(new_doc_path)
    template = window.assessment.template
    nav = window.assessment.navigator
    for _section, q in template.questions():
        assert nav._items[q.id].text(0) == f"{q.id}  {q.text}"
        assert "…" not in nav._items[q.id].text(0)
    qid = template.question_ids()[0]
    window.assessment.page.choose_option(0)
    _value, label = template.judgement_options()[0]
    qtbot.waitUntil(lambda: nav.state_of(qid) == "answered")
    description = nav._items[qid].data(0, Qt.ItemDataRole.AccessibleDescriptionRole)
    assert description == f"Answered: {label}"
    assert nav.tree.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


@pytest.fixture
def pdf_printer(tmp_path):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setResolution(100)  # enough to check, and quick
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    return printer


def _ink(pdf: Path, page: int) -> int:
    """How many of the page's pixels are dark (printed text)."""
    image = next(render_pages(pdf, [page], 72))
    return sum(1 for i in range(0, len(image.rgb), 3) if image.rgb[i] < 128)


def test_print_sends_every_page_of_the_pdf_summary(make_window, qtbot, new_doc_path, tmp_path,
                                                   pdf_printer):
    window = make_window()
    window.open_path(new_doc_path)
    answers.set_findings(window.doc, window.assessment.current_question, "Printed findings.")
    asked: list[tuple[int, str]] = []

    def ask_printer(pages, title):
        asked.append((pages, title))
        return pdf_printer

    window.ask_printer = ask_printer
    with qtbot.waitSignal(window.export_finished, timeout=60000) as done:
        window.menus.print_action.trigger()
    printed = Path(pdf_printer.outputFileName())
    assert done.args == [printed, ""]
    pages, title = asked[0]
    assert title == new_doc_path.stem
    assert len(PdfReader(printed).pages) == pages > 1
    assert _ink(printed, 1) > 500  # the cover, not a blank page
    assert "Sent" in window.statusBar().currentMessage()
    assert window.recorder.errors == []


def test_print_of_a_page_range_and_cancel(make_window, qtbot, new_doc_path, pdf_printer):
    window = make_window()
    window.open_path(new_doc_path)
    window.ask_printer = lambda pages, title: None
    window.menus.print_action.trigger()  # the PDF is laid out first, then the dialog
    qtbot.waitUntil(lambda: window.exports._op is not None and not window.exports._op.running,
                    timeout=60000)
    assert not Path(pdf_printer.outputFileName()).exists()

    pdf_printer.setPrintRange(QPrinter.PrintRange.PageRange)
    pdf_printer.setFromTo(2, 3)
    window.ask_printer = lambda pages, title: pdf_printer
    with qtbot.waitSignal(window.export_finished, timeout=60000):
        window.menus.print_action.trigger()
    assert page_count(Path(pdf_printer.outputFileName())) == 2


def test_print_is_offered_with_the_platform_key_only_with_a_document(make_window, qtbot,
                                                                    new_doc_path):
    window = make_window()
    action = window.menus.print_action
    assert QKeySequence("Ctrl+P") in action.shortcuts()
    assert not action.isEnabled()
    window.open_path(new_doc_path)
    assert action.isEnabled()
    window.close_document()
    assert not action.isEnabled()


def test_create_says_what_is_still_needed_and_shows_where(qtbot, tmp_path, cis):
    from scrutiny_desktop.checklist import discover_templates
    from scrutiny_desktop.settings import Settings
    from scrutiny_desktop.ui.new_assessment import NewAssessmentDialog

    settings = Settings(scrutineer_name="Ann Jones", documents_dir=str(tmp_path))
    dialog = NewAssessmentDialog(discover_templates([]), settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.ok_button.isEnabled()  # never greyed out without a reason
    assert dialog.needed.isVisible()
    assert dialog.needed.text() == ("Still needed before Create: the partnership's name, "
                                    "the period covered.")
    assert dialog.ok_button.accessibleDescription() == dialog.needed.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # not created
    assert dialog.focusWidget() is dialog.partnership
    assert dialog.errors["partnership"].text() == "Enter the partnership's name."
    qtbot.keyClicks(dialog.partnership, "Northshire Safeguarding Children Partnership")
    qtbot.keyClicks(dialog.period, "2025-26")
    assert not dialog.needed.isVisible()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_the_sign_off_dialog_shows_the_time_it_will_record(qtbot, tmp_path):
    import datetime as dt

    from scrutiny_desktop.text import when_text
    from scrutiny_desktop.ui.signoff import SignOffDialog

    dialog = SignOffDialog(None, name="Ann Jones", role="Scrutineer", statement="I confirm.",
                           identity_folder=tmp_path)
    qtbot.addWidget(dialog)
    # Left open a few minutes: the clock shown keeps up with the time that will be kept.
    dialog.now = dt.datetime.now().astimezone() - dt.timedelta(minutes=3)
    dialog.when.setText(when_text(dialog.now))
    stale = dialog.when.text()
    qtbot.waitUntil(lambda: dialog.when.text() != stale, timeout=3000)
    assert dialog.when.text() == when_text(dt.datetime.now().astimezone())


def test_after_sign_off_the_review_page_is_headed_signed_off(make_window, qtbot, doc_path):
    make_signed(doc_path)
    window = make_window()
    window.open_path(doc_path)
    window.show_ready()
    assert window.ready.title.text() == "Signed off"
    assert "Signed off by Ann Jones" in window.ready.status.text()


def test_a_judgement_change_redraws_only_its_own_row(make_window, qtbot, new_doc_path,
                                                     monkeypatch):
    """Issue 17: an edit re-reads the state of the question it touched, not all of them,
    and the navigator and progress show it."""
    from scrutiny_desktop.services import answers as answers_service

    window = make_window()
    window.open_path(new_doc_path)
    nav = window.assessment.navigator
    qid = window.assessment.current_question
    asked: list = []
    real = answers_service.question_states
    monkeypatch.setattr(answers_service, "question_states",
                        lambda doc, ids=None: asked.append(ids) or real(doc, ids))
    before = nav.progress.value()
    window.assessment.page.choose_option(0)
    assert asked == [[qid]]
    assert nav.state_of(qid) == "answered"
    assert nav.progress.value() == before + 1
    assert nav.progress.accessibleName() == f"{before + 1} of {len(nav._states)} answered"
    # The same state as a full read gives.
    assert answers_service.question_states(window.doc, [qid]) == [
        s for s in real(window.doc) if s.question_id == qid]
