"""Signing off, reopening and exporting through the real window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLineEdit, QListWidget, QPlainTextEdit

from scrutiny_desktop.services import answers, signoff
from tests.helpers import PASSPHRASE, answer_all_in, identity_path
from tests.ui.helpers import find, run_modal


def test_ready_page_lists_missing_questions_and_refuses_signing(make_window, qtbot, new_doc_path):
    """Before every required question has a judgement, the review lists them and Sign off is disabled."""
    window = make_window()
    window.open_path(new_doc_path)
    window.menus.ready_action.trigger()
    assert window.stack.currentWidget() is window.ready
    assert not find(window, "Sign off", QAbstractButton).isEnabled()
    assert "Not ready to sign off" in window.ready.status.text()
    missing = find(window, "Unanswered required questions", QListWidget)
    assert missing.count() == sum(q.required for _s, q in window.assessment.template.questions())
    first = missing.item(0)
    qid = first.data(Qt.ItemDataRole.UserRole)
    missing.setFocus()
    missing.setCurrentItem(first)
    qtbot.keyClick(missing, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.assessment
    assert window.assessment.page.question_id == qid


def test_sign_off_with_drawn_signature_locks_then_reopen_unlocks(make_window, qtbot, new_doc_path):
    """Signing off through the dialog locks the answers; reopening with a reason unlocks them."""
    answer_all_in(new_doc_path)
    window = make_window()
    window.open_path(new_doc_path)
    window.menus.ready_action.trigger()
    sign = find(window, "Sign off", QAbstractButton)
    assert sign.isEnabled()

    def fill(dialog):
        assert find(dialog, "Signer name", QLineEdit).text() == "Ann Jones"
        assert find(dialog, "Sign-off statement", QPlainTextEdit).toPlainText()
        ok = find(dialog, "Sign off", QAbstractButton)
        assert not ok.isEnabled()  # not confirmed yet
        find(dialog, "Signature pad").add_stroke([(20, 60), (60, 30), (100, 70), (160, 40)])
        find(dialog, "Signing certificate file", QLineEdit).setText(str(identity_path("Ann Jones")))
        qtbot.keyClicks(find(dialog, "Certificate passphrase", QLineEdit), PASSPHRASE.decode())
        confirm = find(dialog, "I confirm", QCheckBox)
        confirm.setFocus()
        qtbot.keyClick(confirm, Qt.Key.Key_Space)
        assert ok.isEnabled()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.mouseClick(sign, Qt.MouseButton.LeftButton), fill)
    current = signoff.current_signoff(window.doc)
    assert current is not None and current.name == "Ann Jones" and current.has_signature
    # The certificate is remembered for next time (never its passphrase).
    assert window.state.signing_key == str(identity_path("Ann Jones"))
    png = signoff.signature_png(window.doc, current.id)
    assert png.startswith(b"\x89PNG")
    window.show_questions()
    assert "signed off" in window.assessment.banner.label.text().lower()
    assert find(window, "Findings", QPlainTextEdit).isReadOnly()
    assert window.menus.reopen_action.isEnabled() and not window.menus.sign_action.isEnabled()

    def give_reason(dialog):
        ok = find(dialog, "Reopen", QAbstractButton)
        assert not ok.isEnabled()
        qtbot.keyClicks(find(dialog, "Reason", QPlainTextEdit), "Chair asked for more evidence")
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    run_modal(qtbot, window.menus.reopen_action.trigger, give_reason)
    assert signoff.current_signoff(window.doc) is None
    voided = signoff.history(window.doc)[-1]
    assert voided.void_reason == "Chair asked for more evidence" and voided.voided
    assert not find(window, "Findings", QPlainTextEdit).isReadOnly()
    assert not window.assessment.banner.isVisible()


def test_export_pdf_runs_in_background_and_reports(make_window, qtbot, new_doc_path, tmp_path):
    """File > Export PDF writes the summary without freezing the window."""
    window = make_window()
    window.open_path(new_doc_path)
    target = tmp_path / "summary.pdf"
    window.ask_save_path = lambda *a, **k: target
    with qtbot.waitSignal(window.export_finished, timeout=30000) as done:
        window.menus.export_pdf_action.trigger()
    assert done.args == [target, ""]
    assert target.read_bytes().startswith(b"%PDF")


def test_verify_pdf_from_the_menu(make_window, qtbot, new_doc_path, tmp_path):
    """File > Verify a PDF says whether the open assessment still matches."""
    window = make_window()
    window.open_path(new_doc_path)
    target = tmp_path / "summary.pdf"
    window.ask_save_path = lambda *a, **k: target
    with qtbot.waitSignal(window.export_finished, timeout=30000):
        window.menus.export_pdf_action.trigger()
    window.ask_open_pdf = lambda: target
    window.menus.verify_action.trigger()
    assert window.recorder.infos and "matches the draft" in window.recorder.infos[-1][1]
    answers.set_findings(window.doc, window.assessment.page.question_id, "Changed afterwards")
    window.menus.verify_action.trigger()
    assert window.recorder.errors and "does not match" in window.recorder.errors[-1][1]


def test_signed_off_in_the_app_exports_the_signed_pdf_and_verifies_it(make_window, qtbot,
                                                                     new_doc_path, tmp_path):
    """Signing off in the dialog keeps a PAdES-signed PDF; File > Export writes exactly it,
    and File > Verify a PDF says who signed it, in the command line's words."""
    from scrutiny_desktop.report import pades
    from scrutiny_desktop.services import signatures

    answer_all_in(new_doc_path)
    window = make_window()
    window.open_path(new_doc_path)
    window.menus.ready_action.trigger()

    def fill(dialog):
        find(dialog, "Signing certificate file", QLineEdit).setText(str(identity_path("Ann Jones")))
        qtbot.keyClicks(find(dialog, "Certificate passphrase", QLineEdit), PASSPHRASE.decode())
        confirm = find(dialog, "I confirm", QCheckBox)
        confirm.setFocus()
        qtbot.keyClick(confirm, Qt.Key.Key_Space)
        qtbot.mouseClick(find(dialog, "Sign off", QAbstractButton), Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.mouseClick(find(window, "Sign off", QAbstractButton),
                                              Qt.MouseButton.LeftButton), fill)
    kept = signatures.pdf_to_export(window.doc)
    assert kept is not None
    target = tmp_path / "signed.pdf"
    window.ask_save_path = lambda *a, **k: target
    with qtbot.waitSignal(window.export_finished, timeout=30000) as done:
        window.menus.export_pdf_action.trigger()
    assert done.args == [target, ""]
    assert target.read_bytes() == kept
    assert [s.signer for s in pades.verify_pdf(target).signatures] == ["Ann Jones"]
    window.ask_open_pdf = lambda: target
    window.menus.verify_action.trigger()
    title, text = window.recorder.infos[-1][:2]
    assert title == "The PDF is verified"
    assert text.startswith("Signed by Ann Jones (certificate ") and "matches: signed off by Ann Jones" in text


def test_export_asks_for_the_marking_and_prints_it(make_window, qtbot, new_doc_path, tmp_path):
    """File > Export asks which protective marking to print (the preference first) and
    prints the one chosen; None leaves the pages unmarked, for publication."""
    from tests.helpers import pdftotext_pages

    window = make_window()
    window.open_path(new_doc_path)
    asked = []
    window.ask_marking = lambda default: asked.append(default) or ""
    target = tmp_path / "public.pdf"
    window.ask_save_path = lambda *a, **k: target
    with qtbot.waitSignal(window.export_finished, timeout=30000):
        window.menus.export_pdf_action.trigger()
    assert asked == [window.settings.protective_marking]
    assert all("OFFICIAL" not in page for page in pdftotext_pages(target))
