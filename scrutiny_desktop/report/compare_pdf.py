"""The comparison of two assessments as a PDF (reportlab platypus, A4 landscape).

``build_compare_pdf(comparison, out)`` turns a
:class:`~scrutiny_desktop.services.compare.Comparison` (plain data) into a PDF:
the two assessments' details, counts per section, every question with its
earlier and later judgement (with its direction of travel, where given) and the
change, the earlier checklist's questions with no counterpart in the later one,
then the findings of each question side by side.  It never touches storage or Qt, so it can run on a
worker thread.

Only the layout is here.  Fonts, safe text, the palette, the header and footer
with the protective marking, "Page X of Y" and writing the file are the PDF
summary's too (:mod:`~scrutiny_desktop.report.pdfkit`): every string from a
person or a template goes through ``para``/``paragraphs``, which escape
``& < >`` so markup in user text prints as typed and never becomes a tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Spacer, Table

from scrutiny_desktop.report.pdfkit import (
    A4_LANDSCAPE,
    FONT_BOLD,
    FONT_ITALIC,
    MUTED,
    RULE,
    SHADE,
    PageFurniture,
    PdfInfo,
    Progress,
    Styles,
    clean_text,
    one_line,
    para,
    paragraphs,
    shared_styles,
    table,
    write_pdf,
)
from scrutiny_desktop.services.assessments import AssessmentInfo
from scrutiny_desktop.services.compare import CHANGES, Comparison
from scrutiny_desktop.settings import DEFAULT_MARKING
from scrutiny_desktop.text import when_text

TITLE = "Comparison of two assessments"

PAGE = A4_LANDSCAPE
CONTENT_WIDTH = PAGE.content_width

#: Pale row tints by change; the change is always written out as well.
TINTS = {
    "improved": colors.HexColor("#e3f4e6"),
    "worse": colors.HexColor("#fbe4e6"),
    "changed": colors.HexColor("#fdf0d9"),
    "new": colors.HexColor("#e2ecfb"),
    "removed": colors.HexColor("#ececec"),
}

def _styles() -> Styles:
    s = shared_styles()
    add = s.add
    add("title", fontName=FONT_BOLD, fontSize=20, leading=25, spaceAfter=4)
    add("subtitle", fontSize=13, leading=17, spaceAfter=10)
    add("h1", fontName=FONT_BOLD, fontSize=14, leading=18, spaceBefore=10, spaceAfter=6,
        keepWithNext=1)
    add("h2", fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=3,
        keepWithNext=1)
    add("note", backColor=SHADE, borderPadding=(4, 5, 4, 5), leftIndent=5, rightIndent=5,
        spaceBefore=6, spaceAfter=10)
    add("small_keep", parent="small", keepWithNext=1)
    add("wording", fontName=FONT_ITALIC, fontSize=8.5, leading=11, textColor=MUTED)
    # A findings heading does not keep with its (possibly page-long) table: a
    # CondPageBreak before it stops it being stranded at the foot of a page.
    add("finding_head", fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=8,
        spaceAfter=3)
    add("empty", fontName=FONT_ITALIC, textColor=MUTED, fontSize=8.5, leading=11, spaceAfter=0)
    add("cell_body", fontSize=8.5, leading=11.5, spaceAfter=3)
    add("label", fontName=FONT_BOLD, fontSize=8.5, leading=11, spaceAfter=0, textColor=MUTED)
    return s


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float], *, header: bool = True,
           extra_style: Sequence[tuple[Any, ...]] = (), split_in_row: bool = True) -> Table:
    # splitInRow: a row with very long findings continues on the next page.
    return table(rows, widths, header=header, extra_style=extra_style, split_in_row=split_in_row)


UNMATCHED_HEADING = "Questions of the earlier checklist with no counterpart"


def _judgement(label: str, present: bool, direction: str = "", *, short: bool = False) -> str:
    """The judgement's words, and the direction of travel when one was given (after
    " · " alone in the narrow table columns, named in full elsewhere)."""
    if not present:
        return "—"
    text = label or "Not answered"
    if not direction:
        return text
    return f"{text} · {direction}" if short else f"{text} · Direction of travel: {direction}"


def _wording(q) -> str:
    if q.replaced:
        return f"Replaces {', '.join(q.earlier_ids)}"
    return "Yes" if q.wording_changed else ""


class _Builder:
    def __init__(self, comparison: Comparison, marking: str, progress: Progress | None):
        self.c = comparison
        self.s = _styles()
        self.progress = progress
        earlier, later = comparison.earlier, comparison.later
        self.furniture = PageFurniture(
            PAGE, marking, header_left=TITLE,
            footer_left=one_line(f"{earlier.partnership}: {earlier.period} and {later.period}"))

    # -- page furniture ---------------------------------------------------------------
    def on_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        self.furniture.draw_header(canv)

    def decorate(self, canv: Canvas, number: int, total: int) -> None:
        self.furniture.draw_footer(canv, number, total)

    # -- content -------------------------------------------------------------------------
    def story(self) -> list[Flowable]:
        c, s = self.c, self.s
        earlier, later = c.earlier, c.later
        out: list[Flowable] = [
            para(TITLE, s["title"]),
            para(f"{earlier.partnership}: {earlier.period} compared with {later.period}", s["subtitle"]),
        ]
        out += self.details()
        notes = []
        if c.templates_differ:
            notes.append(f"The two assessments use different checklist versions "
                         f"({one_line(earlier.template_title)} {one_line(earlier.template_version)} and "
                         f"{one_line(later.template_title)} {one_line(later.template_version)}). "
                         "Questions are matched by their ID, or with the later questions that "
                         "replace them; questions whose wording changed are marked "
                         "“Wording changed”.")
        if one_line(earlier.partnership).casefold() != one_line(later.partnership).casefold():
            notes.append("The two assessments are for different partnerships.")
        if notes:
            out.append(Spacer(1, 6))
            out.append(para(" ".join(notes), s["note"]))
        totals = c.totals()
        out.append(Spacer(1, 6))
        out.append(para("In all: " + "; ".join(f"{n} {CHANGES[k].lower()}" for k, n in totals.items())
                        + ".", s["body"]))
        out += self.summary()
        out += self.question_table()
        out += self.unmatched()
        out += self.findings()
        return out

    def details(self) -> list[Flowable]:
        s = self.s
        earlier, later = self.c.earlier, self.c.later

        def rows(info: AssessmentInfo) -> list[str]:
            return [info.partnership, info.area or "Not given", info.period,
                    ", ".join(x for x in (info.scrutineer_name, info.scrutineer_role) if x),
                    info.status_label, f"{info.template_title}, version {info.template_version}",
                    info.path.name, f"{when_text(info.modified_at)}"]

        labels = ["Partnership", "Area", "Period", "Scrutineer", "Status", "Checklist", "File",
                  "Last changed"]
        label_w = 3.2 * cm
        col = (CONTENT_WIDTH - label_w) / 2
        table_rows = [[para("", s["cell_head"]), para("Earlier assessment", s["cell_head"]),
                       para("Later assessment", s["cell_head"])]]
        for label, a, b in zip(labels, rows(earlier), rows(later), strict=True):
            table_rows.append([para(label, s["label"]), para(a, s["cell"]), para(b, s["cell"])])
        return [_table(table_rows, [label_w, col, col])]

    def summary(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [para("Changes by section", s["h1"])]
        n = len(CHANGES)
        num_w = 2.4 * cm
        widths = [CONTENT_WIDTH - n * num_w] + [num_w] * n
        rows = [[para("Section", s["cell_head"])]
                + [para(label, s["cell_head_num"]) for label in CHANGES.values()]]
        for section in self.c.sections:
            rows.append([para(section.title, s["cell"])]
                        + [para(str(section.counts.get(k, 0) or "–"), s["cell_num"]) for k in CHANGES])
        totals = self.c.totals()
        rows.append([para("All sections", s["cell_head"])]
                    + [para(str(totals[k]), s["cell_head_num"]) for k in CHANGES])
        out.append(_table(rows, widths, extra_style=[
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, MUTED),
            ("BACKGROUND", (0, -1), (-1, -1), SHADE),
        ]))
        return out

    def question_table(self) -> list[Flowable]:
        s = self.s
        earlier, later = self.c.earlier, self.c.later
        directions = any(q.earlier_direction or q.later_direction for q in self.c.questions)
        out: list[Flowable] = [para("Question by question", s["h1"]),
                               para("Questions are matched by their ID. The change is written "
                                    "out in the Change column; row shading only repeats it."
                                    + (" A direction of travel, where one was given, follows the "
                                       "judgement after “·”." if directions else ""),
                                    s["small_keep"])]
        widths = [2.0 * cm, 0, 3.6 * cm, 3.6 * cm, 2.8 * cm, 2.4 * cm]
        widths[1] = CONTENT_WIDTH - sum(widths)
        rows = [[para(h, s["cell_head"]) for h in
                 ("ID", "Question", f"Earlier ({one_line(earlier.period)})",
                  f"Later ({one_line(later.period)})", "Change", "Wording changed")]]
        extra = []
        section = None
        for q in self.c.questions:
            if q.section_title != section:
                section = q.section_title
                rows.append([para(section, s["cell_head"]), "", "", "", "", ""])
                r = len(rows) - 1
                # A section's heading row never ends a page on its own.
                extra += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), SHADE),
                          ("NOSPLIT", (0, r), (-1, r + 1))]
            rows.append([
                para(q.question_id, s["cell"]),
                para(q.text, s["cell"]),
                para(_judgement(q.earlier_label, q.change != "new", q.earlier_direction,
                                short=True), s["cell"]),
                para(_judgement(q.later_label, q.change != "removed", q.later_direction,
                                short=True), s["cell"]),
                para(q.change_label, s["cell"]),
                para(_wording(q), s["cell"]),
            ])
            tint = TINTS.get(q.change)
            if tint is not None:
                r = len(rows) - 1
                extra.append(("BACKGROUND", (0, r), (-1, r), tint))
        # Rows here are a few lines at most: whole rows only, so that NOSPLIT holds.
        out.append(_table(rows, widths, extra_style=extra, split_in_row=False))
        return out

    def unmatched(self) -> list[Flowable]:
        """The earlier questions that no later question replaces, with the reason."""
        s = self.s
        if not self.c.unmatched:
            return []
        out: list[Flowable] = [
            para(UNMATCHED_HEADING, s["h1"]),
            para("No question of the later checklist replaces these, so they are not compared. "
                 "The reason is the later checklist's own, where it gives one.", s["small_keep"])]
        widths = [2.0 * cm, 0, 4.0 * cm, 7.0 * cm]
        widths[1] = CONTENT_WIDTH - sum(widths)
        rows = [[para(h, s["cell_head"]) for h in
                 ("ID", "Question", f"Earlier ({one_line(self.c.earlier.period)})", "Reason")]]
        for u in self.c.unmatched:
            rows.append([para(u.question_id, s["cell"]), para(u.text, s["cell"]),
                         para(u.judgement_label or "Not answered", s["cell"]),
                         para(u.reason or "Not given.", s["cell"])])
        out.append(_table(rows, widths, split_in_row=False))
        return out

    def findings(self) -> list[Flowable]:
        s = self.s
        earlier, later = self.c.earlier, self.c.later
        with_findings = [q for q in self.c.questions
                         if clean_text(q.earlier_findings).strip() or clean_text(q.later_findings).strip()]
        out: list[Flowable] = [para("Findings side by side", s["h1"])]
        if not with_findings:
            out.append(para("Neither assessment records findings for any question.", s["body"]))
            return out
        out.append(para(f"The {len(with_findings)} question{'s' if len(with_findings) != 1 else ''} "
                        "with findings in either assessment.", s["small"]))
        half = CONTENT_WIDTH / 2
        for i, q in enumerate(with_findings, start=1):
            out.append(CondPageBreak(4 * cm))
            out.append(para(f"{q.question_id} – {q.text}", s["finding_head"]))
            out.append(para(f"{q.section_title} · {q.change_label}"
                            + (" · Wording changed" if q.wording_changed else ""), s["small"]))
            if q.replaced:
                out.append(para(f"Replaces earlier {', '.join(q.earlier_ids)}: {q.earlier_text}",
                                s["wording"]))
            elif q.wording_changed:
                out.append(para(f"Earlier wording: {q.earlier_text}", s["wording"]))
            left = (paragraphs(q.earlier_findings, s["cell_body"])
                    or [para("This question was not in the earlier checklist." if q.change == "new"
                             else "No findings recorded.", s["empty"])])
            right = (paragraphs(q.later_findings, s["cell_body"])
                     or [para("This question is not in the later checklist." if q.change == "removed"
                              else "No findings recorded.", s["empty"])])
            e_j = _judgement(q.earlier_label, q.change != "new", q.earlier_direction)
            l_j = _judgement(q.later_label, q.change != "removed", q.later_direction)
            rows = [[para(f"Earlier ({earlier.period}): {e_j}", s["cell_head"]),
                     para(f"Later ({later.period}): {l_j}", s["cell_head"])],
                    [left, right]]
            out.append(_table(rows, [half, half], extra_style=[
                ("LINEAFTER", (0, 0), (0, -1), 0.4, RULE)]))
            out.append(Spacer(1, 4))
            if self.progress is not None:
                self.progress(i, len(with_findings))
        return out


def _metadata(c: Comparison) -> PdfInfo:
    earlier, later = c.earlier, c.later
    return PdfInfo(
        title=one_line(f"{TITLE}: {earlier.partnership}, {earlier.period} and {later.period}"),
        author=one_line(", ".join(dict.fromkeys(
            x for x in (earlier.scrutineer_name, later.scrutineer_name) if x))),
        subject="Comparison of two independent scrutiny assessments",
    )


def build_compare_pdf(comparison: Comparison, out: Path | str,
                      protective_marking: str = DEFAULT_MARKING, *,
                      progress: Progress | None = None) -> Path:
    """Write the comparison to ``out`` (A4 landscape) and return ``out``.

    Written through :func:`scrutiny_desktop.atomic.atomic_write`: built under a
    temporary name in the same folder and moved into place only when complete; on
    any error the temporary file is removed, ``out`` is left as it was, and a
    failure to write is one sentence naming the file and its folder.
    """
    out = Path(out)
    builder = _Builder(comparison, protective_marking, progress)
    story = builder.story()
    write_pdf(out, story, page=PAGE, info=_metadata(comparison), on_page=builder.on_page,
              decorate=builder.decorate)
    return out
