"""Small shared widgets and helpers."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QDate, QDeadlineTimer, QEventLoop, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from scrutiny_desktop.storage import SUFFIX
from scrutiny_desktop.text import date_text, local_time_text


def named(widget, name: str, description: str = ""):
    """Give a widget its accessible name (and description); returns it."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
    if not widget.objectName():
        widget.setObjectName(name.lower().replace(" ", "_").replace("…", ""))
    return widget


uk_date = date_text


local_time = local_time_text


class ErrorLabel(QLabel):
    """An inline validation message under a field.

    A new message is sent to screen readers as an alert, and, once tied to its
    field (``for_field``), is added to the field's accessible description, so that
    it is read again whenever the field has the focus.
    """

    def __init__(self, parent: QWidget | None = None, field: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet("color: palette(highlighted-text); background: #b3261e; "
                           "padding: 2px 6px; border-radius: 3px;")
        self._field: QWidget | None = None
        self._field_description = ""
        if field is not None:
            self.for_field(field)
        self.hide()

    def for_field(self, field: QWidget) -> ErrorLabel:
        """Tie the message to ``field`` (its description carries the message)."""
        self._field, self._field_description = field, field.accessibleDescription()
        return self

    def show_error(self, text: str) -> None:
        from scrutiny_desktop.ui.announce import alert, description_changed

        shown = "" if self.isHidden() else self.text()
        self.setText(text)
        self.setAccessibleName(text)
        self.setVisible(bool(text))
        if self._field is not None:
            described = " ".join(part for part in (text, self._field_description) if part)
            if self._field.accessibleDescription() != described:
                self._field.setAccessibleDescription(described)
                description_changed(self._field)
        if text and text != shown:
            alert(self, text)


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
        self.action_button = QPushButton()
        self.action_button.setStyleSheet("color: #1f1f1f;")
        self.action_button.hide()
        self.action_button.clicked.connect(self._act)
        self.layout_.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._action: Callable[[], object] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()

    def show_message(self, text: str, action: str = "",
                     on_action: Callable[[], object] | None = None) -> None:
        """Show ``text``; with ``action``, a button that calls ``on_action``."""
        self.label.setText(text)
        self.setAccessibleName(text)
        self._action = on_action if action else None
        self.action_button.setText(action)
        self.action_button.setAccessibleName(action.replace("&", ""))
        self.action_button.setVisible(bool(action))
        self.setVisible(bool(text))

    def _act(self) -> None:
        if self._action is not None:
            self._action()


def show_in_folder(folder: Path) -> bool:
    """Open a local folder in the system's file manager (never a network address);
    False if nothing could."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(folder))))


# -- "Save as" paths ------------------------------------------------------------

def document_target(text: str) -> tuple[Path | None, str]:
    """The document file a typed "Save as" path names, or why it names none.

    Never raises, whatever half-typed text it is given ("/", ".", "~", a folder):
    returns ``(path, "")`` with the ``.scrutiny`` suffix added when missing, or
    ``(None, problem)`` with a sentence to show under the field.
    """
    raw = text.strip()
    if not raw:
        return None, "Choose where to save the assessment."
    try:
        path = Path(raw).expanduser()
    except RuntimeError:  # "~someone" with no such user: take the text as it is
        path = Path(raw)
    separators = tuple(sep for sep in (os.sep, os.altsep, "/") if sep)
    if raw.endswith(separators) or path.name in ("", ".", ".."):
        return None, "Add a file name to the end of the folder."
    try:
        if path.is_dir():
            return None, "That is a folder. Add a file name to the end of it."
        if path.suffix.lower() != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
            if path.is_dir():
                return None, f"{path.name} is a folder. Choose another name."
    except (OSError, ValueError) as exc:  # a name too long, a NUL character...
        return None, f"This name cannot be used ({exc.__class__.__name__}). Choose another name."
    return path, ""


# -- dialogs and keyboard focus ---------------------------------------------------

#: Platforms with no window manager: nothing to raise a window above, no person
#: whose focus could be taken, and activation only arrives with the next events.
_HEADLESS_PLATFORMS = ("offscreen", "minimal")


def activate_window(window: QWidget | None, timeout_ms: int = 1000) -> bool:
    """Raise and activate ``window``'s top-level window; True once it is active.

    Activation is asynchronous: the platform confirms it with an event. This
    waits for it in a local event loop (user input is held back until after)
    for at most ``timeout_ms``.
    """
    if window is None or not isValid(window):
        return False
    window = window.window()
    if not window.isVisible():
        return False
    if QApplication.activeWindow() is window:
        return True
    headless = QGuiApplication.platformName() in _HEADLESS_PLATFORMS
    if not headless:
        window.raise_()  # headless platforms log "does not support raise()"
    window.activateWindow()
    if headless:
        _activate_now(window)
    if QApplication.activeWindow() is window:
        return True
    deadline = QDeadlineTimer(timeout_ms)
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(10)

    def check() -> None:
        if QApplication.activeWindow() is window or deadline.hasExpired():
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    poll.stop()
    return QApplication.activeWindow() is window


def _activate_now(window: QWidget) -> None:
    """Headless only: make ``window`` active at once, not at the next events.

    Offscreen, the confirmation is a queued window-system event, and Qt always
    delivers posted events (``QTimer.singleShot(0, ...)``) before it. A script
    that starts driving the app from such a callback, or that sends a shortcut
    straight after a dialog, would find no active window. ``QApplication.
    setActiveWindow`` (deprecated in Qt 6.5 in favour of the asynchronous
    ``activateWindow``) is the only synchronous way; the platform's own
    activation event follows and agrees with it.
    """
    set_active = getattr(QApplication, "setActiveWindow", None)
    if set_active is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        set_active(window)


@contextlib.contextmanager
def restoring_focus(parent: QWidget | None) -> Iterator[None]:
    """Around a modal prompt: afterwards, re-activate the window it was opened
    from and give the keyboard focus back to the control that had it.

    Without this, window shortcuts (Alt+Right, Ctrl+R...) stop working after a
    dialog on platforms that do not re-activate the parent themselves.
    """
    window = QApplication.activeWindow() or (parent.window() if parent is not None else None)
    focus = QApplication.focusWidget() or (window.focusWidget() if window is not None else None)
    try:
        yield
    finally:
        reactivate(window, focus)


def reactivate(window: QWidget | None, focus: QWidget | None) -> None:
    """After a dialog or progress window has gone: make ``window`` active again
    and give ``focus`` (if still there) the keyboard focus."""
    if window is None or not isValid(window) or not window.isVisible():
        return
    if QApplication.activeModalWidget() not in (None, window):
        return  # another dialog is still open on top; it keeps the focus
    if QApplication.activeWindow() is None and \
            QGuiApplication.applicationState() != Qt.ApplicationState.ApplicationActive:
        return  # the person has switched to another program: do not steal focus
    activate_window(window)
    if (focus is not None and isValid(focus) and focus.window() is window
            and focus.isVisible() and focus.isEnabled()
            and QApplication.focusWidget() is not focus):
        focus.setFocus(Qt.FocusReason.ActiveWindowFocusReason)


def run_dialog(dialog: QDialog) -> int:
    """``dialog.exec()``, then re-activate the window and focus it came from."""
    with restoring_focus(dialog.parentWidget()):
        return dialog.exec()


_BUTTON_NAMES = {
    QMessageBox.StandardButton.Ok: "OK",
    QMessageBox.StandardButton.Yes: "Yes",
    QMessageBox.StandardButton.No: "No",
    QMessageBox.StandardButton.Cancel: "Cancel",
    QMessageBox.StandardButton.Close: "Close",
}


def message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
                buttons=QMessageBox.StandardButton.Ok,
                default=QMessageBox.StandardButton.NoButton) -> QMessageBox:
    """A message box whose buttons have accessible names ("OK", "Yes", "No")."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setAccessibleName(title)
    if default != QMessageBox.StandardButton.NoButton:
        box.setDefaultButton(default)
    for standard, name in _BUTTON_NAMES.items():
        button = box.button(standard)
        if button is not None:
            named(button, name)
    return box


def scrolling_page(page: QWidget, content: QWidget, back: QWidget, primary: QWidget) -> None:
    """Lay out ``page``: ``content`` scrolls; Back on the left and the page's main
    action on the right stay in view below it."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(content)
    # Not a Tab stop of its own (a silent one for a screen reader): its contents are.
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    buttons = QHBoxLayout()
    buttons.setContentsMargins(14, 4, 14, 8)
    buttons.addWidget(back)
    buttons.addStretch(1)
    buttons.addWidget(primary)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(scroll, 1)
    layout.addLayout(buttons)


def ok_cancel(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    """The dialog's buttons: OK (named ``ok_text``) and Cancel, wired to accept and
    reject; returns the box and the OK button."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    named(ok, ok_text)
    named(box.button(QDialogButtonBox.StandardButton.Cancel), "Cancel")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box, ok


def refused(problem: str, error: ErrorLabel) -> bool:
    """Whether a dialog must refuse to close: with a ``problem``, it is shown under
    the fields (``error``) and the dialog stays open."""
    if problem:
        error.show_error(problem)
    return bool(problem)


class StatusLabel(QLabel):
    """A status shown as text that a screen reader can read at any time (its
    accessible name is the text itself) and is told about when it matters: a
    failure at once, and the recovery from one."""

    def __init__(self, placeholder_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._placeholder = placeholder_name
        self.setAccessibleName(placeholder_name)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                     | Qt.TextInteractionFlag.TextSelectableByMouse)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        from scrutiny_desktop.ui.announce import announce, name_changed

        before = self.text()
        super().setText(text)
        self.setAccessibleName(text or self._placeholder)
        if text == before:
            return
        name_changed(self)
        failing = text.startswith("Not saved")
        if failing and not before.startswith("Not saved"):
            announce(self, text, assertive=True)
        elif before.startswith("Not saved") and not failing:
            announce(self, text)
