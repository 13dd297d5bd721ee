"""How long the PDF summary takes for a full checklist, against bare reportlab.

    make bench            (or: .venv/bin/python benchmarks/pdf_speed.py [RUNS])

Builds a 51-question assessment (the 2024 checklist) through the services, every
question answered with a few paragraphs of findings in UK English (curly quotes,
dashes, "£", Welsh letters, now and then a "≥" or "→" that Noto Sans lacks), one or
two evidence items and, for some, a recommendation; the summary written.  Then, in
one process and interleaved (RUNS times each, default 9), times:

- ours: the whole export as the app runs it, ``collect`` (the snapshot read from
  the open document) and ``build_pdf``;
- the floor: bare reportlab platypus laying out the same text (every heading, question,
  judgement, findings paragraph, evidence and recommendation the report prints, and
  its two tables as plain tables of the same cells) in the report's own paragraph
  styles (fonts, sizes, colours, spacing) on the same pages, with nothing else: no
  bookmarks, links, marks, font fallback, table rules, page furniture or watermark,
  and no heading kept with what follows.

Prints the medians and their ratio (the figure that counts), ``collect`` on its own,
and the ratio of the fastest runs (a hint of how much a busy machine moved the
medians).  Nothing is asserted: speed claims are ratios on the same machine.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.pdfbase import pdfdoc  # noqa: E402
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table  # noqa: E402

from scrutiny_desktop import paths  # noqa: E402
from scrutiny_desktop.checklist import load_template  # noqa: E402
from scrutiny_desktop.report.data import ReportData, collect  # noqa: E402
from scrutiny_desktop.report.pdf import PAGE, build_pdf  # noqa: E402
from scrutiny_desktop.report.pdf import _styles as report_styles  # noqa: E402
from scrutiny_desktop.report.pdfkit import register_fonts  # noqa: E402
from scrutiny_desktop.services import answers, assessments, evidence, recommendations, summary  # noqa: E402
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment  # noqa: E402
from scrutiny_desktop.services.evidence import EvidenceInput  # noqa: E402
from scrutiny_desktop.services.recommendations import RecommendationInput  # noqa: E402
from scrutiny_desktop.text import blocks  # noqa: E402

SENTENCES = [
    "The partners described how the “front door” triages contacts within a day – most of them.",
    "Minutes of the executive group show that actions are tracked, though some remain open for months.",
    "Practitioners said that escalation routes are known, but that feedback on outcomes is rare.",
    "The scrutineer sampled twelve cases and found that plans were clear in nine of them.",
    "Data on repeat referrals is collected, yet it is not reported to the board in a form it uses.",
    "Training cost £12,400 last year; attendance from schools rose to 80 %, a clear gain.",
    "Siân Llŷr, the designated nurse, said the health partners’ voice is heard at every meeting.",
]


def findings(i: int) -> str:
    def para(k: int, n: int) -> str:
        return " ".join(SENTENCES[(i + k + j) % len(SENTENCES)] for j in range(n))

    text = para(0, 5) + "\n\n" + para(2, 4)
    if i % 5 == 0:  # now and then a symbol Noto Sans lacks
        text += " Attendance is now ≥ 80 % → the target is met ✓."
    if i % 3 == 0:
        text += "\n\n" + "\n".join(f"- {SENTENCES[(i + j) % len(SENTENCES)]}" for j in range(3))
    if i % 4 == 1:
        text += "\n\n" + para(5, 6)
    return text


def make_document(folder: Path) -> Path:
    template = load_template(paths.bundled_checklists_dir() / "cis-2024.toml")
    path = create_assessment(folder / "speed.scrutiny", template, NewAssessment(
        "Northshire Safeguarding Children Partnership", "2025-26", "Siân Llŷr-Wójcik",
        area="Northshire", scrutineer_role="Independent scrutineer"))
    scale = [value for value, _label in template.judgement_options()]
    with open_assessment(path) as doc:
        for i, qid in enumerate(assessments.question_ids(doc)):
            answers.set_judgement(doc, qid, scale[i % len(scale)])
            answers.set_findings(doc, qid, findings(i))
            evidence.add_evidence(doc, qid, EvidenceInput(
                f"Board minutes, meeting {i + 1}", "meeting", dt.date(2026, 1 + i % 12, 1 + i % 28),
                "Partnership business unit", SENTENCES[i % len(SENTENCES)]))
            if i % 2:
                evidence.add_evidence(doc, qid, EvidenceInput(f"Case audit {i}", "document"))
            if i % 4 == 0:
                recommendations.add_recommendation(doc, qid, RecommendationInput(
                    f"{SENTENCES[(i + 3) % len(SENTENCES)]} Act on it by the spring.", priority="high"))
        summary.set_overall_judgement(doc, scale[1])
        summary.set_text(doc, "conclusion", findings(1))
        summary.set_text(doc, "strengths", "- " + "\n- ".join(SENTENCES[:4]))
        summary.set_text(doc, "areas_for_improvement", "1. " + "\n2. ".join(SENTENCES[3:6]))
        summary.set_text(doc, "scope_and_method", findings(2))
    return path


# -- the floor ---------------------------------------------------------------------------------


def bare_story(data: ReportData) -> list[Flowable]:
    """The report's text as plain paragraphs in the report's own paragraph styles (its
    fonts, sizes, colours and spacing; headings without ``keepWithNext``)."""
    register_fonts()
    styles = report_styles()

    def style(name: str) -> ParagraphStyle:
        return ParagraphStyle(f"bare_{name}", parent=styles[name], keepWithNext=0)

    body, h1, h2, h3 = style("body"), style("h1"), style("h2"), style("h3")
    question, small, cell, italic = style("question"), style("qid"), style("cell"), style("intro")
    item_title, item_meta, item, judgement = (style("item_title"), style("item_meta"), style("item"),
                                              style("judgement"))
    story: list[Flowable] = []

    def add(text: str, style: ParagraphStyle) -> None:
        story.append(Paragraph(escape(text), style))

    def free(text: str, style: ParagraphStyle = body) -> None:
        for block in blocks(text):
            add(block.text, style)

    info, sm = data.info, data.summary
    for line in ("INDEPENDENT SCRUTINY REPORT", info.partnership, info.period, info.scrutineer_name,
                 info.status_label, data.template.title):
        add(line, h1)
    add("Summary", h1)
    add(f"Overall judgement: {data.overall_label}", judgement)
    for name in ("conclusion", "strengths", "areas_for_improvement"):
        add(name, h2)
        free(sm.text(name))

    def cells(*texts: object) -> list[Paragraph]:
        return [Paragraph(escape(str(t)), cell) for t in texts]

    options = data.template.judgement_options()
    add("Judgements by section", h2)
    rows = [cells("Section", *(label for _, label in options))]
    for section, sp in zip(data.sections, data.progress.sections, strict=False):
        rows.append(cells(f"{section.number}. {section.title}",
                          *(sp.judgements.get(v, 0) for v, _ in options)))
    count_w = 2.0 * cm
    story.append(Table(rows, colWidths=[PAGE.content_width - count_w * len(options)]
                       + [count_w] * len(options), repeatRows=1))
    add("Recommendations", h1)
    rows = [cells("No.", "Recommendation", "Owner", "Priority", "Due", "Status", "Question")]
    for n in data.recommendations:
        r = n.recommendation
        rows.append(cells(f"R{n.number}", r.text, r.owner_label, r.priority_label, r.due or "None set",
                          r.status_label, f"Q{n.question_number}"))
    widths = [1.0 * cm, 0, 2.3 * cm, 1.6 * cm, 2.0 * cm, 1.8 * cm, 1.8 * cm]
    widths[1] = PAGE.content_width - sum(widths)
    story.append(Table(rows, colWidths=widths, repeatRows=1))
    add("Scope and method", h1)
    free(sm.scope_and_method)
    for section in data.sections:
        add(f"{section.number}. {section.title}", h1)
        free(section.intro, italic)
        for q in section.questions:
            add(f"Q{q.number}. {q.text}", question)
            add(q.id, small)
            add(q.judgement_label, judgement)
            add("Findings", h3)
            free(q.findings)
            if q.evidence:
                add(f"Evidence ({len(q.evidence)})", h3)
            for i, e in enumerate(q.evidence, start=1):
                add(f"{i}. {e.title}", item_title)
                add(f"{e.kind_label} · {e.date} · Source: {e.source}", item_meta)
                free(e.note, item)
            if q.recommendations:
                add(f"Recommendations ({len(q.recommendations)})", h3)
            for r in q.recommendations:
                add(r.text, item_title)
                add(f"Owner: {r.owner_label} · Priority: {r.priority_label} · Due: {r.due} · "
                    f"Status: {r.status_label}", item_meta)
    add("Sign-off", h1)
    add("Not signed off: this is a draft.", h2)
    add("The assessment has not been signed off, so this report may still change. Every page "
        "is marked DRAFT.", body)
    add("About this document", h1)
    add("This report was made by Scrutiny Desktop from the assessment file. To check that a copy "
        "of it is unchanged and shows what the file holds, open File > Verify a PDF… in Scrutiny "
        "Desktop, or run “scrutiny-desktop verify REPORT.pdf --against FILE.scrutiny”.", body)
    add(f"Fingerprint (SHA-256): {data.fingerprint}", style("fingerprint"))
    return story


def bare(data: ReportData) -> bytes:
    register_fonts()
    # reportlab as it comes: without the spelling of PDF names that pdfkit keeps
    kept = pdfdoc.PDFName
    pdfdoc.PDFName = getattr(kept, "__wrapped__", kept)
    try:
        buf = io.BytesIO()
        SimpleDocTemplate(buf, pagesize=(PAGE.width, PAGE.height), leftMargin=PAGE.margin,
                          rightMargin=PAGE.margin, topMargin=PAGE.v_margin,
                          bottomMargin=PAGE.v_margin).build(bare_story(data))
        return buf.getvalue()
    finally:
        pdfdoc.PDFName = kept


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = make_document(folder)
        ours_t, floor_t, collect_t = [], [], []
        with open_assessment(path) as doc:
            data = collect(doc)
            bare(data)  # warm both (fonts, caches) before timing
            build_pdf(data, folder / "warm.pdf")
            for i in range(runs):
                for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                    started = time.perf_counter()
                    if which == 0:
                        data = collect(doc)
                        collected = time.perf_counter()
                        build_pdf(data, folder / "ours.pdf")
                        ours_t.append(time.perf_counter() - started)
                        collect_t.append(collected - started)
                    else:
                        bare(data)
                        floor_t.append(time.perf_counter() - started)
        questions = sum(len(s.questions) for s in data.sections)
        pages = (folder / "ours.pdf").read_bytes().count(b"/Type /Page\n")
    ours, floor = statistics.median(ours_t), statistics.median(floor_t)
    print(f"PDF summary, {questions} questions ({pages} pages), in-process; "
          f"median of {runs} interleaved runs")
    print(f"  Scrutiny Desktop collect + build_pdf: {ours:.3f} s "
          f"(collect {statistics.median(collect_t):.3f} s)")
    print(f"  bare reportlab platypus, same text:  {floor:.3f} s")
    print(f"  ratio: {ours / floor:.2f}x (goal: at most 1.5x); "
          f"fastest runs: {min(ours_t):.3f} s / {min(floor_t):.3f} s = {min(ours_t) / min(floor_t):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
