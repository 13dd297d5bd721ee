"""How long the PDF report takes for a very long findings text, against bare reportlab.

    make bench            (or: .venv/bin/python benchmarks/pdf_long_text.py [SIZE_KB])

Builds an assessment whose first question has SIZE_KB (default 1024) of findings:
realistic sentences in paragraphs of a few hundred words, some of them bulleted.
Times the app's PDF export (``build_pdf``) and, as the floor, a bare reportlab
platypus build of the same text in the same fonts and page size (one Paragraph per
blank-line-separated block, nothing else).  Prints the median of the runs and the
ratio.  No timing is asserted anywhere: speed claims are ratios on the same machine.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from scrutiny_desktop.checklist import bundled_template  # noqa: E402
from scrutiny_desktop.report.data import collect  # noqa: E402
from scrutiny_desktop.report.pdf import build_pdf  # noqa: E402
from scrutiny_desktop.report.pdfkit import FONT, register_fonts  # noqa: E402
from scrutiny_desktop.services import answers  # noqa: E402
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment  # noqa: E402

SENTENCES = [
    "The partners described how the multi-agency safeguarding hub triages contacts within a day.",
    "Minutes of the executive group show that actions are tracked, though some remain open for months.",
    "Practitioners said that escalation routes are known, but that feedback on outcomes is rare.",
    "The scrutineer sampled twelve cases and found that plans were clear in nine of them.",
    "Data on repeat referrals is collected, yet it is not reported to the board in a form it uses.",
]


def long_text(size: int) -> str:
    paragraphs, length, i = [], 0, 0
    while length < size:
        sentences = [SENTENCES[(i + k) % len(SENTENCES)] for k in range(12)]
        block = " ".join(sentences)
        if i % 7 == 3:
            block = "\n".join(f"- {s}" for s in sentences[:4])
        paragraphs.append(block)
        length += len(block) + 2
        i += 1
    return "\n\n".join(paragraphs)[:size]


def bare(text: str, out: Path) -> None:
    register_fonts()
    style = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15)
    story = [Paragraph(block.replace("&", "&amp;").replace("<", "&lt;"), style)
             for block in text.split("\n\n")]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    out.write_bytes(buf.getvalue())


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    size_kb = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    runs = 3
    text = long_text(size_kb * 1024)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = create_assessment(folder / "long.scrutiny", bundled_template(),
                                 NewAssessment("Benchmark Partnership", "2025-26", "Ann Jones"))
        with open_assessment(path) as doc:
            answers.set_findings(doc, "ARR-01", text)
            data = collect(doc)
        ours = timed(lambda: build_pdf(data, folder / "ours.pdf"), runs)
        floor = timed(lambda: bare(text, folder / "bare.pdf"), runs)
        pages = (folder / "ours.pdf").read_bytes().count(b"/Type /Page\n")
    print(f"findings text: {len(text) / 1024:.0f} KB; median of {runs} runs")
    print(f"  Scrutiny Desktop build_pdf: {ours:.2f} s")
    print(f"  bare reportlab platypus:    {floor:.2f} s")
    print(f"  ratio: {ours / floor:.2f}x (goal: at most 2x; and under 10 s for 1 MB)")
    if pages:
        print(f"  pages: {pages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
