"""Screenshots of the real windows for the README (``make screenshots``).

Builds a sample assessment in a temporary folder, opens it in the main window
at 1366x768 offscreen, and saves PNGs.  ``--font-scale 1.5``, ``--dark`` and
``--size`` (with ``QT_SCALE_FACTOR=1.5`` for 150 % scaling) produce the variants
used to check large fonts, dark palettes and smaller screens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _sample(folder: Path) -> Path:
    from scrutiny_desktop.checklist import bundled_template
    from scrutiny_desktop.services import answers, evidence, recommendations
    from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment
    from scrutiny_desktop.services.evidence import EvidenceInput
    from scrutiny_desktop.services.recommendations import RecommendationInput

    template = bundled_template()
    path = create_assessment(folder / "Northshire-2025-26.scrutiny", template, NewAssessment(
        partnership="Northshire Safeguarding Children Partnership", period="April 2025 to March 2026",
        scrutineer_name="Ann Jones", area="Northshire", scrutineer_role="Independent scrutineer"))
    ids = template.question_ids()
    minutes = folder / "board-minutes-march-2026.pdf"
    minutes.write_bytes(b"%PDF-1.4 sample")
    with open_assessment(path) as doc:
        judgements = ["strong", "reasonable", "reasonable", "limited", "strong"]
        for qid, value in zip(ids[:5], judgements, strict=True):
            answers.set_judgement(doc, qid, value)
        answers.set_findings(doc, ids[0], (
            "The scrutiny arrangements are set out in the published arrangements and in the "
            "scrutineer's terms of reference. Roles of the independent scrutineer, the lay members "
            "and the young people's panel are written down and understood by partners."))
        answers.set_findings(doc, ids[1], "Partners described the arrangements consistently.")
        answers.set_findings(doc, ids[5], "Awaiting the capacity review from the business unit.")
        evidence.add_evidence(doc, ids[0], EvidenceInput(
            "Partnership board minutes", "meeting", dt.date(2026, 3, 3), "Business manager",
            "Item 4: scrutiny plan agreed"), attach=minutes)
        evidence.add_evidence(doc, ids[0], EvidenceInput(
            "Scrutineer's terms of reference", "document", dt.date(2025, 4, 1), "Partnership website"))
        recommendations.add_recommendation(doc, ids[0], RecommendationInput(
            "Publish the annual scrutiny plan alongside the arrangements, with dates for each activity.",
            "partnership", priority="medium", due=dt.date(2026, 6, 30)))
        _summary(doc)
    return path


def _summary(doc) -> None:
    """The scrutineer's summary of the sample, as a board would read it."""
    from scrutiny_desktop.services import summary

    summary.set_overall_judgement(doc, "reasonable")
    summary.set_text(doc, "conclusion", (
        "Northshire's safeguarding partners give reasonable assurance that the arrangements "
        "keep children safe. Leadership is visible and the three partners hold each other to "
        "account, but the partnership does not yet know the difference its work makes for "
        "children, because outcome data is not brought together."))
    summary.set_text(doc, "strengths", (
        "- The scrutiny arrangements are published and understood by all three partners.\n"
        "- Lay members and the young people's panel are heard at the board.\n"
        "- Learning from rapid reviews reaches practitioners within weeks."))
    summary.set_text(doc, "areas_for_improvement", (
        "1. Bring health, police and council data together in one outcomes dashboard.\n"
        "2. Publish the annual scrutiny plan with dates for each activity.\n"
        "3. Test the escalation policy with frontline staff in schools."))
    summary.set_text(doc, "scope_and_method", (
        "Between January and March 2026 the scrutineer read 42 documents, observed two board "
        "meetings and met 18 practitioners from the three partner agencies and two schools. "
        "Case files were not read."))
    summary.set_section_summary(doc, "arrangements", (
        "The arrangements are clear and published; the scrutiny plan itself is not."))


def _report_pages(doc_path: Path, out: Path, suffix: str) -> None:
    """The first four pages of the sample's PDF report, as PNGs (needs pdftoppm)."""
    import shutil
    import subprocess

    from scrutiny_desktop.report.data import collect
    from scrutiny_desktop.report.pdf import build_pdf
    from scrutiny_desktop.services.assessments import open_assessment

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm (poppler-utils) is not installed: the report pages were not rendered.",
              file=sys.stderr)
        return
    with open_assessment(doc_path, readonly=True) as doc:
        pdf = build_pdf(collect(doc), doc_path.with_suffix(".pdf"))
    subprocess.run([pdftoppm, "-png", "-r", "70", "-f", "1", "-l", "4", str(pdf),
                    str(out / f"report{suffix}")], check=True)
    for page in sorted(out.glob(f"report{suffix}-*.png")):  # report-1.png ... report-4.png
        page.rename(out / f"report{suffix}-{int(page.stem.rsplit('-', 1)[1])}.png")


def _earlier_year(folder: Path) -> Path:
    """Last year's assessment of the same partnership: signed off, with a chair's review."""
    from scrutiny_desktop.checklist import bundled_template
    from scrutiny_desktop.report import signing
    from scrutiny_desktop.services import answers, recommendations, review
    from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment
    from scrutiny_desktop.services.identity import create_identity
    from scrutiny_desktop.services.recommendations import RecommendationInput

    template = bundled_template()
    path = create_assessment(folder / "Northshire-2024-25.scrutiny", template, NewAssessment(
        partnership="Northshire Safeguarding Children Partnership", period="April 2024 to March 2025",
        scrutineer_name="Ann Jones", area="Northshire", scrutineer_role="Independent scrutineer"))
    cycle = ["limited", "reasonable", "limited", "none", "reasonable", "strong"]
    with open_assessment(path) as doc:
        ids = template.question_ids()
        for n, qid in enumerate(ids):
            answers.set_judgement(doc, qid, cycle[n % len(cycle)])
        answers.set_findings(doc, ids[0], "The scrutiny arrangements were not yet published, and "
                             "the roles of the lay members were unclear.")
        recommendations.add_recommendation(doc, ids[0], RecommendationInput(
            "Publish the scrutiny arrangements and the role of each person involved.", "partnership",
            priority="high", due=dt.date(2025, 6, 30)))
        recommendations.add_recommendation(doc, ids[6], RecommendationInput(
            "Agree a joint data set for the three safeguarding partners.", "health",
            priority="medium", due=dt.date(2025, 9, 30)))
        identity = create_identity(folder / "ann-jones.p12", name="Ann Jones",
                                   passphrase=b"screenshots only")
        signing.sign_off(doc, identity=identity, name="Ann Jones", role="Independent scrutineer",
                         statement=template.signoff_statement, confirmed=True)
        doc.actor = "Chris Patel"
        review.set_overall_response(doc, "The partnership welcomes the assessment and accepts its "
                                    "main findings. Actions are in the business plan.")
        review.set_question_comment(doc, ids[0], "Agreed. The arrangements will be published in June.")
        recs = recommendations.list_recommendations(doc)
        review.set_response(doc, recs[0].id, decision="accepted", action_owner="Business manager",
                            action_due=dt.date(2025, 6, 30))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", default="docs/screenshots")
    parser.add_argument("--font-scale", type=float, default=1.0)
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--suffix", default="")
    parser.add_argument("--size", default="1366x768",
                        help="the window's size in logical pixels (1280x720 with "
                             "QT_SCALE_FACTOR=1.5 is a 1920x1080 screen at 150 %%)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="scrutiny-shots-") as tmp:
        tmp_path = Path(tmp)
        for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
            os.environ[var] = str(tmp_path / var.lower())
        from PySide6.QtCore import QEvent, QTimer
        from PySide6.QtGui import QColor, QPalette
        from PySide6.QtWidgets import QApplication, QStyleFactory

        from scrutiny_desktop.settings import AppState, Settings
        from scrutiny_desktop.ui.app import application
        from scrutiny_desktop.ui.main_window import MainWindow
        from scrutiny_desktop.ui.new_assessment import NewAssessmentDialog

        app = application()
        app.setStyle(QStyleFactory.create("Fusion"))
        if args.font_scale != 1.0:
            font = app.font()
            font.setPointSizeF(font.pointSizeF() * args.font_scale)
            app.setFont(font)
        if args.dark:
            pal = QPalette()
            for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                                 (QPalette.ColorRole.WindowText, "#e8e8e8"),
                                 (QPalette.ColorRole.Base, "#1e1e1e"),
                                 (QPalette.ColorRole.AlternateBase, "#2f2f2f"),
                                 (QPalette.ColorRole.Text, "#e8e8e8"),
                                 (QPalette.ColorRole.Button, "#3a3a3a"),
                                 (QPalette.ColorRole.ButtonText, "#e8e8e8"),
                                 (QPalette.ColorRole.Highlight, "#3d7bd9"),
                                 (QPalette.ColorRole.HighlightedText, "#ffffff"),
                                 (QPalette.ColorRole.PlaceholderText, "#9a9a9a"),
                                 (QPalette.ColorRole.ToolTipBase, "#3a3a3a"),
                                 (QPalette.ColorRole.ToolTipText, "#e8e8e8")):
                pal.setColor(role, QColor(colour))
            app.setPalette(pal)

        doc_path = _sample(tmp_path)
        earlier_path = _earlier_year(tmp_path)
        if args.font_scale == 1.0 and not args.dark:
            _report_pages(doc_path, out, args.suffix)
        broken = tmp_path / "Problems" / "copied-from-email.scrutiny"
        broken.parent.mkdir()
        broken.write_bytes(b"PK\x03\x04 not an assessment")
        settings = Settings(scrutineer_name="Ann Jones", scrutineer_role="Independent scrutineer",
                            documents_dir=str(tmp_path))
        state = AppState(recent=[str(doc_path), str(earlier_path)], library_folders=[str(tmp_path)])
        window = MainWindow(settings, state)
        width, height = (int(n) for n in args.size.lower().split("x"))
        window.resize(width, height)
        window.show()
        app.processEvents()
        sfx = args.suffix

        def shot(widget, name):
            # As the event loop would before painting: deferred deletes, then layouts
            # (a wrapped label's height follows its width only on the second pass).
            for _ in range(3):
                QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                app.processEvents()
            widget.grab().save(str(out / f"{name}{sfx}.png"))
            print(out / f"{name}{sfx}.png")

        shot(window, "home")

        def grab_dialog():
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, NewAssessmentDialog):
                QTimer.singleShot(20, grab_dialog)
                return
            dialog.partnership.setText("Westvale Safeguarding Children Partnership")
            dialog.area.setText("Westvale")
            dialog.period.setText("2025-26")
            dialog.resize(640, dialog.sizeHint().height())
            shot(dialog, "new-assessment")
            dialog.reject()

        QTimer.singleShot(0, grab_dialog)
        NewAssessmentDialog.ask(window, __import__(
            "scrutiny_desktop.checklist", fromlist=["discover_templates"]).discover_templates(), settings)

        window.open_path(doc_path)
        page = window.assessment.page
        template = window.assessment.template
        if template is None:
            raise RuntimeError(f"{doc_path} did not open")
        window.assessment.go_to(template.question_ids()[0])
        shot(window, "question")
        page.scroll_area.verticalScrollBar().setValue(page.scroll_area.verticalScrollBar().maximum())
        shot(window, "question-evidence")
        page.scroll_area.verticalScrollBar().setValue(0)
        window.assessment.navigator.filter.setChecked(True)
        window.assessment.go_to(template.question_ids()[5])
        shot(window, "navigator-unanswered")
        window.assessment.navigator.filter.setChecked(False)
        window.show_ready()
        shot(window, "ready-to-sign")

        # The chairs' screens.
        from scrutiny_desktop.services.compare import compare_paths
        from scrutiny_desktop.ui.compare import CompareDialog

        window.user_settings.scrutineer_name = "Chris Patel"
        window.settings.scrutineer_name = "Chris Patel"
        done = []
        window.library.listing_finished.connect(lambda _s: done.append(True))
        window.library_actions.show_library()
        while not done:
            app.processEvents()
        library_window = window.library_actions.window
        library_window.resize(1280, 720)
        shot(library_window, "library")
        library_window.close()
        window.open_path(earlier_path)
        shot(window, "signed-off-read-only")
        from scrutiny_desktop.ui.chair import Chair

        window.status_actions.start_review(Chair("Chris Patel", "Independent chair"))
        shot(window, "review-question")
        window.show_review()
        shot(window, "partnership-response")
        window.close_document()

        def grab_compare():
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, CompareDialog):
                QTimer.singleShot(20, grab_compare)
                return
            dialog.resize(1366, 768)
            if hasattr(dialog, "questions"):
                dialog.questions.selectRow(0)
            shot(dialog, "comparison")
            dialog.reject()

        QTimer.singleShot(0, grab_compare)
        CompareDialog.ask(window, compare_paths(earlier_path, doc_path), window.ask_save_path)
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
