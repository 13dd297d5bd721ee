"""Judgement marks on screen: the same symbol and colours as the PDF's
(``checklist.marks``), drawn on their pale tint so they read the same in a
light or a dark palette."""

from __future__ import annotations

from functools import cache
from html import escape as escape_html

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from scrutiny_desktop.checklist.marks import Mark


@cache
def mark_icon(mark: Mark, size: int = 16) -> QIcon:
    """A rounded square in the mark's tint with its symbol in its colour."""
    scale = 2  # drawn at twice the size, so it stays crisp at 150 % and 200 %
    pix = QPixmap(size * scale, size * scale)
    pix.setDevicePixelRatio(scale)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.setPen(QColor(mark.colour))
    p.setBrush(QColor(mark.tint))
    p.drawRoundedRect(QRectF(0.5, 0.5, size - 1, size - 1), 3, 3)
    font = QFont()
    font.setPixelSize(max(8, round(size * 0.7)))
    font.setBold(True)
    p.setFont(font)
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, mark.symbol)
    p.end()
    return QIcon(pix)


def badge_html(mark: Mark, label: str) -> str:
    """Rich text for a label showing the judgement: its symbol in its colour, then
    the label, on the mark's tint (the label widget draws the background)."""
    return (f'<span style="color:{mark.colour}; font-weight:600;">{escape_html(mark.symbol)}'
            f'&nbsp;{escape_html(label)}</span>')


def badge_style(mark: Mark) -> str:
    """The style sheet of a badge label: the tint behind, a border in the colour."""
    return (f"QLabel {{ background: {mark.tint}; color: {mark.colour}; border: 1px solid "
            f"{mark.colour}; border-radius: 4px; padding: 4px 10px; }}")
