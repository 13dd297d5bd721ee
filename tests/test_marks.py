"""Judgement marks: one table for the screen and the reports (issue 14, item 8)."""

from __future__ import annotations

from reportlab.lib import colors

from scrutiny_desktop.checklist import bundled_template
from scrutiny_desktop.checklist.marks import (
    NO_JUDGEMENT_MARK,
    NOT_APPLICABLE_MARK,
    OTHER_MARK,
    PLACEHOLDER_MARK,
    SCALE_MARKS,
    mark_for,
)
from scrutiny_desktop.checklist.model import NOT_APPLICABLE
from scrutiny_desktop.report.data import collect
from scrutiny_desktop.report.pdf_sections import mark_of
from tests.helpers import legacy_template


def test_every_judgement_on_the_2026_checklist_has_its_own_mark():
    template = bundled_template()
    marks = {value: mark_for(template, value) for value, _label in template.judgement_options()}
    symbols = [m.symbol for m in marks.values()]
    assert len(set(symbols)) == len(symbols), marks
    assert marks["strong"] == SCALE_MARKS[0]
    assert marks["insufficient_evidence"] == OTHER_MARK
    assert marks["not_yet"] == PLACEHOLDER_MARK
    assert mark_for(template, None) == NO_JUDGEMENT_MARK
    assert mark_for(template, NOT_APPLICABLE) == NOT_APPLICABLE_MARK


def test_the_2024_checklist_keeps_its_marks():
    template = legacy_template()
    assert [mark_for(template, v).symbol for v in ("strong", "reasonable", "limited", "none")] \
        == ["▲", "●", "◆", "■"]
    assert mark_for(template, "not_yet") == PLACEHOLDER_MARK


def test_the_pdf_draws_the_same_marks_as_the_screen(doc):
    data = collect(doc)
    for value, _label in data.template.judgement_options():
        screen, pdf = mark_for(data.template, value), mark_of(data, value)
        assert pdf.symbol == screen.symbol
        assert pdf.colour.hexval() == colors.HexColor(screen.colour).hexval()
        assert pdf.tint.hexval() == colors.HexColor(screen.tint).hexval()
