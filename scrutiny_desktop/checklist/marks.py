"""How a judgement is shown, on screen and in the reports: a symbol and a colour,
always beside its label.

One table for both, so the mark a scrutineer sees beside a question is the mark
the board reads in the PDF.  Marks go by a point's place on the scale, best
first; the colours are from the Okabe-Ito set (apart for colour-blind readers)
and the symbols keep them apart in greyscale and for anyone who cannot see
colour at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrutiny_desktop.checklist.model import NOT_APPLICABLE, Template


@dataclass(frozen=True)
class Mark:
    symbol: str
    #: The symbol's (and a label's) colour, and a pale tint behind it; "#rrggbb".
    colour: str
    tint: str


SCALE_MARKS: tuple[Mark, ...] = (
    Mark("▲", "#00603a", "#e3f1e8"),
    Mark("●", "#0a5a99", "#e4eef7"),
    Mark("◆", "#9a4a00", "#fbeedd"),
    Mark("■", "#a3122a", "#f8e3e6"),
)
#: An answering point past the four levels of assurance ("Insufficient evidence to judge").
OTHER_MARK = Mark("?", "#5b1f6e", "#f1e6f4")
#: A point that does not answer the question ("Not yet assessed"): an open shape, as
#: "no judgement" is.
PLACEHOLDER_MARK = Mark("□", "#555555", "#f4f4f4")
NOT_APPLICABLE_MARK = Mark("–", "#555555", "#eeeeee")
NO_JUDGEMENT_MARK = Mark("○", "#555555", "#f4f4f4")


def mark_for(template: Template, value: str | None) -> Mark:
    """The mark of judgement ``value`` on ``template``'s scale (None: no judgement).

    The answering points take the assurance marks in order, best first; any past
    the fourth share one mark, and a placeholder point (one that leaves the question
    open) has its own.
    """
    if value is None:
        return NO_JUDGEMENT_MARK
    if value == NOT_APPLICABLE:
        return NOT_APPLICABLE_MARK
    point = next((p for p in template.scale.points if p.value == value), None)
    if point is None:
        return OTHER_MARK
    if not point.answered:
        return PLACEHOLDER_MARK
    answering = [p.value for p in template.scale.points if p.answered]
    index = answering.index(value)
    return SCALE_MARKS[index] if index < len(SCALE_MARKS) else OTHER_MARK
