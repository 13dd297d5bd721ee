"""A long session in one process: what a scrutineer does in a day, and more.

The first release aborted after about 140 judgement changes (a Qt binding that
lost references to ``None``), a bug no ten-keystroke test could see.  This test
drives the real window, offscreen, through the bundled checklist three times by
keyboard, with evidence, recommendations, the review page and a 500-file library
refreshed ten times, and then checks that every typed character is in the file.
"""

from __future__ import annotations

import gc
import shutil
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from scrutiny_desktop.services import answers, assessments, recommendations
from scrutiny_desktop.services.evidence import EvidenceInput
from scrutiny_desktop.services.recommendations import RecommendationInput
from scrutiny_desktop.settings import AppState
from scrutiny_desktop.ui import item_dialogs
from scrutiny_desktop.ui.item_dialogs import EvidenceDialog, EvidenceResult, RecommendationDialog

PASSES = 3
ALT_DIGITS_PER_QUESTION = 4
LIBRARY_FILES = 500
LIBRARY_REFRESHES = 10


def focused():
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def none_refs() -> int:
    gc.collect()
    return sys.getrefcount(None)


@pytest.mark.slow
def test_three_passes_through_the_checklist_in_one_process(make_window, qtbot, new_doc_path,
                                                            tmp_path, monkeypatch):
    library = tmp_path / "library"
    library.mkdir()
    for n in range(LIBRARY_FILES):
        shutil.copyfile(new_doc_path, library / f"assessment-{n:03}.scrutiny")

    window = make_window(state=AppState(library_folders=[str(library)]), delay_ms=200)
    assert window.open_path(new_doc_path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = window.assessment.page
    order = list(window.assessment._order)
    options = window.assessment.template.judgement_options()
    digits = min(len(options), 9)

    # Dialogs answer themselves (each dialog's ask() is its one seam).
    monkeypatch.setattr(EvidenceDialog, "ask", classmethod(lambda cls, parent, existing=None:
                        EvidenceResult(EvidenceInput(title="Soak evidence", source="Board minutes"),
                                       None, False)))
    monkeypatch.setattr(RecommendationDialog, "ask", classmethod(
        lambda cls, parent, existing=None: RecommendationInput(text="Soak recommendation")))
    assert item_dialogs.EvidenceDialog is EvidenceDialog

    def refresh_library() -> None:
        with qtbot.waitSignal(window.library.listing_finished, timeout=60_000) as listed:
            window.library.refresh()
        assert len(listed.args[0]) == LIBRARY_FILES

    expected_findings = {qid: "" for qid in order}
    expected_judgement: dict[str, str | None] = {qid: None for qid in order}
    judgement_changes = typed = refreshes = evidence_added = recs_added = 0
    baseline = None

    for p in range(PASSES):
        window.assessment.choose_question(order[0])
        assert page.findings.hasFocus()
        for i, qid in enumerate(order):
            assert page.question_id == qid
            text = f"Pass {p + 1}, {qid}: the partners showed their evidence. "
            qtbot.keyClicks(focused(), text)
            expected_findings[qid] += text
            typed += len(text)
            for k in range(ALT_DIGITS_PER_QUESTION):
                choice = (i + k + p) % digits
                qtbot.keyClick(focused(), Qt.Key(Qt.Key.Key_1.value + choice),
                               Qt.KeyboardModifier.AltModifier)
                expected_judgement[qid] = options[choice][0]
                judgement_changes += 1
            assert page.findings.hasFocus(), f"focus left Findings at {qid}"
            if i % 10 == 3:
                # Add evidence and a recommendation with the buttons, remove one of each.
                qtbot.mouseClick(page.add_evidence_button, Qt.MouseButton.LeftButton)
                qtbot.mouseClick(page.add_rec_button, Qt.MouseButton.LeftButton)
                evidence_added += 1
                recs_added += 1
                assert page.evidence_table.rowCount() >= 1 and page.rec_table.rowCount() >= 1
                if p > 0:
                    page.evidence_table.selectRow(0)
                    qtbot.mouseClick(page.remove_evidence_button, Qt.MouseButton.LeftButton)
                    page.rec_table.selectRow(0)
                    qtbot.mouseClick(page.remove_rec_button, Qt.MouseButton.LeftButton)
                    evidence_added -= 1
                    recs_added -= 1
                window.assessment.focus_writing()
            if i < len(order) - 1:
                qtbot.keyClick(focused(), Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
                assert page.findings.hasFocus(), f"Alt+Right left focus outside Findings at {qid}"
        # The review page and back, then the library, a few times a pass.
        window.show_ready()
        assert window.stack.currentWidget() is window.ready
        window.show_questions()
        assert window.stack.currentWidget() is window.assessment
        for _ in range(4 if p < PASSES - 1 else LIBRARY_REFRESHES - refreshes):
            refresh_library()
            refreshes += 1
        if baseline is None:
            baseline = none_refs()  # after the first pass: caches and imports are warm

    assert window.autosaver.flush()
    assert judgement_changes >= 500 and typed >= 5000 and refreshes == LIBRARY_REFRESHES
    drift = none_refs() - baseline
    assert drift > -50, f"{-drift} references to None were lost: the Qt bindings leak"

    with assessments.open_assessment(new_doc_path, readonly=True) as doc:
        for qid in order:
            stored = answers.get_answer(doc, qid)
            assert stored.findings == expected_findings[qid], qid
            assert stored.judgement == expected_judgement[qid], qid
        from tests.helpers import all_evidence
        assert len(all_evidence(doc)) == evidence_added
        assert len(recommendations.list_recommendations(doc)) == recs_added
