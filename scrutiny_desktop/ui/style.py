"""The app's look: one spacing rhythm and a few accents, on top of the platform's
own style and palette (so light, dark and high-contrast palettes keep working).

Only colours from the palette are used (``palette(...)``), never fixed ones,
except the judgement marks (``ui/marks.py``), which carry their own tint.  Font
sizes are not set here: headings scale from the application font in code, so
the text-size preference and the screen's scaling apply to them.

Buttons with the dynamic property ``primary`` set are the page's main action
(Next, Create, Sign off…): drawn in the palette's highlight colour.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

STYLE = """
QGroupBox {
    font-weight: 600;
    border: 1px solid palette(mid);
    border-radius: 6px;
    margin-top: 14px;
    padding: 12px 10px 8px 10px;
}
QGroupBox::title {
    subcontrol-origin: margin;
    subcontrol-position: top left;
    left: 8px;
    padding: 0 4px;
}
QPushButton[primary="true"] {
    background: palette(highlight);
    color: palette(highlighted-text);
    border: 1px solid palette(highlight);
    border-radius: 4px;
    padding: 5px 16px;
    font-weight: 600;
}
QPushButton[primary="true"]:hover { border: 1px solid palette(highlighted-text); }
QPushButton[primary="true"]:focus { border: 2px solid palette(highlighted-text); }
QPushButton[primary="true"]:disabled {
    background: palette(button);
    color: palette(mid);
    border: 1px solid palette(mid);
}
QTreeView::item { padding: 3px 2px; }
QPlainTextEdit, QTextEdit { padding: 2px; }
"""


def apply_style(root: QWidget) -> None:
    """Give ``root`` (the main window) and every widget and dialog under it the look."""
    # Cleared first, so that setting it again re-polishes every widget (after the
    # application font changed, for one: styled widgets keep their old font until then).
    root.setStyleSheet("")
    root.setStyleSheet(STYLE)


def primary(button: QPushButton) -> QPushButton:
    """Mark ``button`` as its page's main action."""
    button.setProperty("primary", True)
    return button
