"""How long a judgement change blocks the UI thread, in a 1,000-question assessment.

Builds a checklist of 20 sections of 50 questions from the bundled one, opens a
document of it in the real main window (offscreen), and times choosing a
judgement with Alt+1... (``QuestionPage.choose_option``, which saves at once and
redraws the navigator and progress) on question after question: the time the
call holds the UI thread.  The issue's goal is 16 ms (one frame at 60 Hz).  It
times two runs of edits: straight after opening, while the spelling dictionary
loads on a worker thread, and once it has loaded.

Then typing: keys typed at the end of a question's findings (``QTest.keyClick``,
then the events it leads to, the repaint among them), timed one by one, with the
dictionary loaded and every keystroke's paragraph spell-checked again as the box
does it.  Twice: findings of 20 KB in paragraphs of about 600 characters, and the
same 20 KB as one paragraph (text pasted without line breaks), the worst case for
the spelling check.

    .venv/bin/python benchmarks/edit_latency.py [--questions 1000] [--edits 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def big_template(folder: Path, questions: int) -> Path:
    """The 2024 checklist's header and scale, with ``questions`` questions."""
    from scrutiny_desktop import paths

    source = (paths.resource("checklists", "cis-2024.toml")).read_text(encoding="utf-8")
    head = source[:source.index("[[sections]]")].replace('id = "cis-2024"', 'id = "bench-big"', 1)
    per_section = 50
    parts = [head]
    for s in range((questions + per_section - 1) // per_section):
        parts.append(f'[[sections]]\nid = "s{s}"\ntitle = "Section {s + 1}"\n')
        for q in range(min(per_section, questions - s * per_section)):
            parts.append(f'[[sections.questions]]\nid = "Q{s:02d}-{q:02d}"\n'
                         f'text = "Question {q + 1} of section {s + 1}: is the work done and '
                         f'written down?"\nguidance = "Look for the evidence."\nrequired = true\n')
    path = folder / "big.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=60)
    args = parser.parse_args(argv)

    from PySide6.QtCore import QEventLoop
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from scrutiny_desktop.checklist.loader import load_template
    from scrutiny_desktop.services.assessments import NewAssessment, create_assessment
    from scrutiny_desktop.settings import AppState, Settings
    from scrutiny_desktop.ui.main_window import MainWindow
    from scrutiny_desktop.ui.spelling import shared_service

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="scrutiny-bench-") as tmp:
        folder = Path(tmp)
        for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
            os.environ[var] = str(folder / var.lower())
        template = load_template(big_template(folder, args.questions))
        path = create_assessment(folder / "big.scrutiny", template, NewAssessment(
            partnership="Benchmark Partnership", period="2025-26", scrutineer_name="Ann Jones"))
        window = MainWindow(Settings(scrutineer_name="Ann Jones"), AppState())
        window.resize(1366, 768)
        window.show()
        window.open_path(path)
        app.processEvents()
        ids = template.question_ids()

        def edits(first: int) -> list[float]:
            times = []
            for n in range(first, first + args.edits):
                window.go_to_question(ids[(n * 17) % len(ids)])
                app.processEvents()
                start = time.perf_counter()
                window.assessment.page.choose_option(n % 4)
                times.append((time.perf_counter() - start) * 1000)
                app.processEvents()
            return sorted(times)

        # At once, as a person who starts work as soon as the window is up: the spelling
        # dictionary loads on a worker thread meanwhile (it starts a second after the
        # window opens, and takes about one).
        early = edits(0)
        spelling = shared_service()
        if not spelling.ready:
            loop = QEventLoop()
            spelling.loaded.connect(loop.quit)
            loop.exec()
        later = edits(args.edits)  # and once it has loaded: every edit after that

        def typing(findings: str) -> list[float]:
            window.go_to_question(ids[0])
            box = window.assessment.page.findings
            box.setPlainText(findings)
            box.setFocus()
            box.moveCursor(QTextCursor.MoveOperation.End)
            app.processEvents()
            times = []
            for n in range(args.edits):
                start = time.perf_counter()
                QTest.keyClick(box, "abcdefghij "[n % 11])
                app.processEvents()
                times.append((time.perf_counter() - start) * 1000)
            return sorted(times)

        sentence = "The partners described how the front door triages contacts within a day. "
        paragraph = sentence * 8
        paragraphs = typing("\n".join([paragraph] * (20 * 1024 // len(paragraph))))
        one_paragraph = typing(sentence * (20 * 1024 // len(sentence)))
        window.close()
    for name, times in (("while the dictionary loads", early), ("after", later)):
        print(f"judgement change, {args.questions} questions, {args.edits} edits {name}: "
              f"median {statistics.median(times):.1f} ms, 90th percentile "
              f"{times[int(len(times) * 0.9) - 1]:.1f} ms, worst {times[-1]:.1f} ms "
              f"(goal: 16 ms)")
    for name, times in (("in paragraphs", paragraphs), ("as one paragraph", one_paragraph)):
        print(f"a key typed in 20 KB of findings {name}, {args.edits} keys: "
              f"median {statistics.median(times):.1f} ms, 90th percentile "
              f"{times[int(len(times) * 0.9) - 1]:.1f} ms, worst {times[-1]:.1f} ms "
              f"(goal: 16 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
