"""What a screen reader is told when something changes that a sighted person sees
at a glance: the save status, a new question, an error under a field.

Qt sends these as accessibility events (AT-SPI on Linux, UI Automation on
Windows, NSAccessibility on macOS) only while an assistive technology is
listening; otherwise they cost nothing.  Each announcement is also emitted on
``announcer.announced``, so tests (and anything else in the app) can see what a
screen-reader user was told.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent
from PySide6.QtWidgets import QWidget


class Announcer(QObject):
    #: (text, assertive): what was announced.
    announced = Signal(str, bool)


#: The one announcer of the app.
announcer = Announcer()


def announce(widget: QWidget, text: str, *, assertive: bool = False) -> None:
    """Have screen readers say ``text`` (politely: after what they are saying now;
    ``assertive`` interrupts, for errors and failed saves)."""
    text = " ".join(text.split())
    if not text:
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
    announcer.announced.emit(text, assertive)


def name_changed(widget: QWidget) -> None:
    QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.NameChanged))


def description_changed(widget: QWidget) -> None:
    QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.DescriptionChanged))


def alert(widget: QWidget, text: str) -> None:
    """An error shown in ``widget``: an alert event, and an assertive announcement."""
    QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.Alert))
    announce(widget, text, assertive=True)
