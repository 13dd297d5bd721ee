"""What the window says and offers when a file is locked, was crashed, or looks tampered
with: the lock's holder and a Take over editing action, the recovery notice, and a
read-only view of a suspicious file in the same words as `check`."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QPushButton

from scrutiny_desktop.cli import main
from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.storage import lockfile
from tests.helpers import make_crashed_growing_save
from tests.ui.helpers import find

OTHER_COMPUTER = ('{"user": "bob", "host": "laptop-7", "pid": 4242, '
                  '"since": "2026-11-28T09:00:00+00:00"}')


def audit_actions(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return [r[0] for r in conn.execute("SELECT action FROM audit_entries ORDER BY seq")]


def test_a_lock_from_another_computer_offers_take_over(make_window, qtbot, new_doc_path):
    lock = lockfile.lock_path(new_doc_path)
    lock.write_text(OTHER_COMPUTER)
    window = make_window()
    assert window.open_path(new_doc_path)
    assert window.doc.readonly
    banner = window.assessment.banner
    assert "bob on laptop-7" in banner.label.text()
    button = find(window, "Take over editing", QPushButton)

    # Saying no changes nothing.
    window.recorder.confirm_answer = False
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.doc.readonly and "laptop-7" in lock.read_text()

    window.recorder.confirm_answer = True
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.recorder.confirms[-1][0] == "Take over editing"
    assert not window.doc.readonly
    assert not banner.isVisible()
    assert "took over editing from bob on laptop-7" in window.statusBar().currentMessage()
    findings = find(window, "Findings", QPlainTextEdit)
    assert not findings.isReadOnly()
    qtbot.keyClicks(findings, "Carried on after the take-over")
    assert window.autosaver.flush()
    qid = window.assessment.page.question_id
    window.close()
    assert "editing.taken_over" in audit_actions(new_doc_path)
    with assessments.open_assessment(new_doc_path, readonly=True) as doc:
        assert answers.get_answer(doc, qid).findings == "Carried on after the take-over"
    assert not lock.exists()  # ours now, released on close


def test_a_lock_left_by_a_dead_process_here_is_cleared_with_a_notice(make_window, new_doc_path):
    lock = lockfile.lock_path(new_doc_path)
    host = lockfile._hostname()
    lock.write_text(f'{{"user": "ann", "host": "{host}", "pid": 999999, '
                    '"since": "2026-11-28T09:00:00+00:00"}')
    window = make_window()
    assert window.open_path(new_doc_path)
    assert not window.doc.readonly
    assert "no longer running, was cleared" in window.statusBar().currentMessage()


def test_a_crashed_save_reopens_with_a_recovery_notice(make_window, new_doc_path):
    crashed = make_crashed_growing_save(new_doc_path)
    window = make_window()
    assert window.open_path(crashed)
    assert not window.doc.readonly
    banner = window.assessment.banner
    assert banner.isVisible()
    assert banner.label.text().startswith("Recovered an interrupted save")
    assert window.doc.recovered_backup.name in banner.label.text()
    assert not window.recorder.errors


def test_a_tampered_file_opens_read_only_saying_what_check_says(make_window, new_doc_path,
                                                                  capsys):
    with assessments.open_assessment(new_doc_path) as doc:
        answers.set_judgement(doc, assessments.question_ids(doc)[0], "strong")
    with contextlib.closing(sqlite3.connect(new_doc_path, isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
        conn.execute("UPDATE audit_entries SET new_value = 'limited' WHERE seq = 2")
    assert main(["check", str(new_doc_path)]) == 1
    out, _err = capsys.readouterr()
    (line,) = [x for x in out.splitlines() if x.startswith("integrity: ")]
    problem = line.removeprefix("integrity: ")

    before = new_doc_path.read_bytes()
    window = make_window()
    assert window.open_path(new_doc_path)
    assert window.doc.readonly
    text = window.assessment.banner.label.text()
    assert "integrity check failed" in text and problem in text
    assert find(window, "Findings", QPlainTextEdit).isReadOnly()
    assert not any(r.isEnabled() for r in window.assessment.page.radios)
    window.close()
    assert new_doc_path.read_bytes() == before
