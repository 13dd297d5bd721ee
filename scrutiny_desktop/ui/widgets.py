"""Small shared widgets and helpers."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from scrutiny_desktop.ui_text import date_text


def named(widget, name: str, description: str = ""):
    """Give a widget its accessible name (and description); returns it."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
    if not widget.objectName():
        widget.setObjectName(name.lower().replace(" ", "_").replace("…", ""))
    return widget


uk_date = date_text


def local_time(value: dt.datetime | None) -> str:
    """28 November 2026 14:03 (for tables, where the zone would be noise)."""
    if value is None:
        return ""
    local = value.astimezone()
    return f"{date_text(local.date())} {local.strftime('%H:%M')}"


class ErrorLabel(QLabel):
    """An inline validation message under a field."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet("color: palette(highlighted-text); background: #b3261e; "
                           "padding: 2px 6px; border-radius: 3px;")
        self.hide()

    def show_error(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleName(text)
        self.setVisible(bool(text))


class OptionalDate(QWidget):
    """A date that may be left empty: a checkbox plus a date editor."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.enabled = named(QCheckBox("Set"), f"{name}: set a date")
        self.edit = named(QDateEdit(), name)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("d MMMM yyyy")
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        self.enabled.toggled.connect(self.edit.setEnabled)
        layout.addWidget(self.enabled)
        layout.addWidget(self.edit, 1)
        self.setFocusProxy(self.enabled)

    def value(self) -> dt.date | None:
        if not self.enabled.isChecked():
            return None
        d = self.edit.date()
        return dt.date(d.year(), d.month(), d.day())

    def set_value(self, value: dt.date | None) -> None:
        self.enabled.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))


class Banner(QFrame):
    """A notice across the top of a page (read-only, signed off...)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Fixed dark text on amber reads well in light and dark palettes alike.
        self.setStyleSheet("#banner { background: #ffe08a; border: 1px solid #b38600; }"
                           "#banner QLabel { color: #1f1f1f; }")
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(10, 6, 10, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName("Notice")
        self.layout_.addWidget(self.label, 1)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(text)
        self.setVisible(bool(text))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128
