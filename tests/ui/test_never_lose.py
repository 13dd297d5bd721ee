"""Nothing typed is lost: autosave's ceiling, focus that stays in the writing,
and saves that fail without costing text.  Driven through the real window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QPlainTextEdit

from scrutiny_desktop.errors import DocumentWriteFailed
from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.ui.autosave import Autosaver
from tests.helpers import fail_first_calls, make_signed
from tests.ui.helpers import find


def stored(path, qid: str) -> answers.AnswerView:
    with assessments.open_assessment(path, readonly=True) as doc:
        return answers.get_answer(doc, qid)


class Typist(QObject):
    """Types one character every ``every_ms`` into a widget, like a steady typist."""

    typed = Signal(int)

    def __init__(self, qtbot, widget, text: str, every_ms: int):
        super().__init__()
        self.qtbot, self.widget, self.text, self.pos = qtbot, widget, text, 0
        self.timer = QTimer(self)
        self.timer.setInterval(every_ms)
        self.timer.timeout.connect(self._one)

    def _one(self) -> None:
        if self.pos >= len(self.text):
            self.timer.stop()
            return
        self.qtbot.keyClicks(self.widget, self.text[self.pos])
        self.pos += 1
        self.typed.emit(self.pos)


def test_autosaver_saves_at_the_ceiling_however_fast_the_edits(qtbot):
    """A queue that never goes quiet is still written within the ceiling."""
    saver = Autosaver(delay_ms=300, ceiling_ms=600)
    written: list[int] = []
    feeder = QTimer()
    feeder.setInterval(40)  # far faster than the quiet time
    count = {"n": 0}

    def edit():
        count["n"] += 1
        n = count["n"]
        saver.schedule("findings", lambda: written.append(n), n)

    feeder.timeout.connect(edit)
    feeder.start()
    with qtbot.waitSignal(saver.saved, timeout=3000):
        pass
    assert feeder.isActive(), "the save should come while edits are still arriving"
    assert written and written[-1] >= 1
    feeder.stop()
    assert saver.flush()


def test_pending_value_is_what_will_be_written():
    saver = Autosaver(delay_ms=60_000)
    saver.schedule(("findings", "Q1"), lambda: None, "typed text")
    assert saver.pending_value(("findings", "Q1"), "stored") == "typed text"
    assert saver.pending_value(("findings", "Q2"), "stored") == "stored"
    assert saver.flush()
    assert saver.pending_value(("findings", "Q1"), "stored") == "stored"


def test_continuous_typing_reaches_the_file_within_the_ceiling(make_window, qtbot, new_doc_path):
    """A typist who never pauses has their text on disk while still typing."""
    window = make_window(delay_ms=400)  # the quiet time never comes at one key per 100 ms
    window.open_path(new_doc_path)
    qid = window.assessment.page.question_id
    findings = find(window, "Findings", QPlainTextEdit)
    typist = Typist(qtbot, findings, "steady typing without a single pause " * 3, every_ms=100)
    typist.timer.start()
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        pass
    assert typist.timer.isActive(), "saved only after the typing stopped"
    on_disk = stored(new_doc_path, qid).findings
    assert on_disk and findings.toPlainText().startswith(on_disk)
    typist.timer.stop()


def test_alt_digit_keeps_focus_and_alt_right_lands_in_the_next_findings(make_window, qtbot,
                                                                         new_doc_path):
    """type, Alt+3, type, Alt+Right, type: each fragment lands in the right question."""
    window = make_window()
    window.open_path(new_doc_path)
    page = window.assessment.page
    first = page.question_id
    findings = find(window, "Findings", QPlainTextEdit)
    findings.setFocus()
    qtbot.waitUntil(findings.hasFocus)
    qtbot.keyClicks(findings, "Before the judgement.")
    qtbot.keyClick(findings, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert findings.hasFocus(), "Alt+3 moved focus out of the Findings box"
    assert page.radios[2].isChecked()
    qtbot.keyClicks(QApplicationFocus.widget(), " After the judgement.")
    qtbot.keyClick(QApplicationFocus.widget(), Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    second = page.question_id
    assert second != first
    assert findings.hasFocus(), "Alt+Right left focus outside the new question's Findings box"
    assert findings.textCursor().atEnd()
    qtbot.keyClicks(QApplicationFocus.widget(), "Second question text.")
    assert window.autosaver.flush()

    one = stored(new_doc_path, first)
    two = stored(new_doc_path, second)
    label_3 = window.assessment.template.judgement_options()[2][0]
    assert one.findings == "Before the judgement. After the judgement."
    assert one.judgement == label_3
    assert two.findings == "Second question text."


def test_alt_right_from_a_radio_button_lands_in_findings(make_window, qtbot, new_doc_path):
    window = make_window()
    window.open_path(new_doc_path)
    page = window.assessment.page
    page.radios[0].setFocus()
    qtbot.waitUntil(page.radios[0].hasFocus)
    qtbot.keyClick(page.radios[0], Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert page.findings.hasFocus()
    qtbot.keyClicks(page.findings, "Typed for the next question")
    assert window.autosaver.flush()
    assert stored(new_doc_path, page.question_id).findings == "Typed for the next question"


def test_navigator_choice_puts_the_cursor_at_the_end_of_findings(make_window, qtbot, new_doc_path):
    window = make_window()
    window.open_path(new_doc_path)
    with assessments.open_assessment(new_doc_path) as doc:
        target = assessments.question_ids(doc)[4]
        answers.set_findings(doc, target, "Already written.")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    nav = window.assessment.navigator
    nav.tree.setFocus()
    qtbot.waitUntil(nav.tree.hasFocus)
    nav.tree.setCurrentItem(nav._items[target])
    qtbot.keyClick(nav.tree, Qt.Key.Key_Return)
    page = window.assessment.page
    assert page.question_id == target
    assert page.findings.hasFocus()
    assert page.findings.textCursor().atEnd()


class QApplicationFocus:
    @staticmethod
    def widget():
        from PySide6.QtWidgets import QApplication

        w = QApplication.focusWidget()
        assert w is not None
        return w


def test_text_typed_while_saves_fail_is_never_overwritten(make_window, qtbot, new_doc_path,
                                                          monkeypatch):
    """Disk full: move away and back, keep typing; the typed text wins once saving works."""
    window = make_window(delay_ms=20, retry_ms=60_000)
    window.open_path(new_doc_path)
    page = window.assessment.page
    first = page.question_id
    real_findings, real_judgement = answers.set_findings, answers.set_judgement
    broken = {"on": True}

    def findings_writer(doc, question_id, text):
        if broken["on"]:
            raise DocumentWriteFailed(doc.path, "No space left on device")
        return real_findings(doc, question_id, text)

    def judgement_writer(doc, question_id, value):
        if broken["on"]:
            raise DocumentWriteFailed(doc.path, "No space left on device")
        return real_judgement(doc, question_id, value)

    monkeypatch.setattr(answers, "set_findings", findings_writer)
    monkeypatch.setattr(answers, "set_judgement", judgement_writer)
    findings = find(window, "Findings", QPlainTextEdit)
    findings.setFocus()
    with qtbot.waitSignal(window.autosaver.failed, timeout=2000):
        qtbot.keyClicks(findings, "Written during the outage.")
    qtbot.keyClick(findings, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert "Could not save" in window.statusBar().currentMessage()

    window.assessment.next_question()  # the flush fails again
    window.assessment.previous_question()
    assert page.question_id == first
    assert findings.toPlainText() == "Written during the outage.", \
        "the older stored text was shown over what was typed"
    assert page.radios[1].isChecked(), "the unsaved judgement was not shown"

    broken["on"] = False
    with qtbot.waitSignal(window.autosaver.saved, timeout=2000):
        qtbot.keyClicks(findings, " And after.")
    assert window.autosaver.flush()
    after = stored(new_doc_path, first)
    assert after.findings == "Written during the outage. And after."
    assert after.judgement == window.assessment.template.judgement_options()[1][0]
    assert window.save_status.text().startswith("All changes saved")
    assert not window.statusBar().currentMessage().startswith("Could not save")


def test_failed_save_from_a_read_only_folder_keeps_text(make_window, qtbot, new_doc_path,
                                                         monkeypatch):
    """The folder turns read-only mid-session: text stays on screen and in the queue."""
    from scrutiny_desktop.errors import DocumentReadOnly

    window = make_window(delay_ms=20, retry_ms=50)
    window.open_path(new_doc_path)
    qid = window.assessment.page.question_id
    left = fail_first_calls(monkeypatch, answers, "set_findings", 3,
                            lambda doc: DocumentReadOnly(doc.path, "its folder is read-only"))
    findings = find(window, "Findings", QPlainTextEdit)
    with qtbot.waitSignal(window.autosaver.failed, timeout=2000):
        qtbot.keyClicks(findings, "Kept safe")
    with qtbot.waitSignal(window.autosaver.saved, timeout=3000):
        pass
    assert left["n"] == 0
    assert stored(new_doc_path, qid).findings == "Kept safe"
    assert window.save_status.text().startswith("All changes saved")


def test_chair_text_typed_while_saves_fail_survives_leaving_the_page(make_window, qtbot,
                                                                      new_doc_path, monkeypatch):
    """The chair's comment and overall response are shown as typed after moving away and back."""
    from scrutiny_desktop.services import review
    from scrutiny_desktop.settings import Settings

    make_signed(new_doc_path)
    window = make_window(settings=Settings(scrutineer_name="Chris Chair", scrutineer_role="Chair"),
                         delay_ms=20, retry_ms=60_000)
    window.open_path(new_doc_path)
    # A signed-off file opens read-only: the chair chooses to review it.
    from scrutiny_desktop.ui.chair import Chair

    window.status_actions.start_review(Chair("Chris Chair", "Chair"))
    real_comment, real_overall = review.set_question_comment, review.set_overall_response
    broken = {"on": True}

    def failing(real):
        def write(*args):
            if broken["on"]:
                raise DocumentWriteFailed(new_doc_path, "No space left on device")
            return real(*args)
        return write

    monkeypatch.setattr(review, "set_question_comment", failing(real_comment))
    monkeypatch.setattr(review, "set_overall_response", failing(real_overall))
    page = window.assessment.page
    first = page.question_id
    with qtbot.waitSignal(window.autosaver.failed, timeout=2000):
        qtbot.keyClicks(page.review_comment, "Comment in the outage.")
    window.assessment.next_question()
    window.assessment.previous_question()
    assert page.review_comment.toPlainText() == "Comment in the outage."

    window.show_review()
    overall = window.review_page.overall
    with qtbot.waitSignal(window.autosaver.failed, timeout=2000):
        qtbot.keyClicks(overall, "Overall, in the outage.")
    window.show_questions()
    window.show_review()
    assert overall.toPlainText() == "Overall, in the outage."

    broken["on"] = False
    assert window.autosaver.flush()
    with assessments.open_assessment(new_doc_path, readonly=True) as doc:
        view = review.get_review(doc)
    assert view.comments[first] == "Comment in the outage."
    assert view.overall == "Overall, in the outage."
