"""The text-size preference: the application font scaled from the platform default.

The platform's default font is remembered the first time it is needed (at start-up,
before any size is applied), so choosing 130 % and later 100 % comes back to exactly
the platform's own size rather than compounding.  Widgets that set their own font
(headings scaled from the font they were built with) follow at the next start.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from scrutiny_desktop.settings import TEXT_SIZES

_default_font: QFont | None = None


def _app() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("the text size needs a running QApplication")
    return app


def remember_default_font() -> QFont:
    """The platform's default application font, remembered on the first call."""
    global _default_font
    if _default_font is None:
        _default_font = QFont(_app().font())
    return QFont(_default_font)


def scaled_font(percent: int) -> QFont:
    """The platform default font at ``percent`` per cent of its size."""
    font = remember_default_font()
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * percent / 100)
    elif font.pixelSize() > 0:  # a font sized in pixels (some platforms)
        font.setPixelSize(max(1, round(font.pixelSize() * percent / 100)))
    return font


def apply_text_size(percent: int) -> QFont:
    """Set the application font to ``percent`` (one of TEXT_SIZES) of the platform
    default; every open window follows at once.  Returns the font in force."""
    if percent not in TEXT_SIZES:
        raise ValueError(f"text size {percent} is not one of {TEXT_SIZES}")
    app = _app()
    font = scaled_font(percent)
    if app.font() != font:
        app.setFont(font)
    return font


def text_size_label(percent: int) -> str:
    """What the Preferences list shows for a size ("100 % (normal)")."""
    return f"{percent} %" + (" (normal)" if percent == 100 else "")
