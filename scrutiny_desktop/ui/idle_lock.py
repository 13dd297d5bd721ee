"""The optional inactivity lock: after some minutes without use the main window hides
what it shows until someone presses a key and confirms.

An app-wide event filter restarts a timer on every key press, mouse press and wheel
turn in any of the app's windows.  When the timer runs out the lock

1. writes everything the autosaver still holds (nothing typed is lost),
2. hides the main window's content (the central widget, not just covered: screen
   readers and the window list cannot read it either) behind a page that says why,
   sets the window title to the app's name alone (no partnership, no file name), and
   hides the app's other non-modal windows (the user guide stays: it holds nothing
   private),
3. turns off the menu bar and every shortcut outside the lock page.

Any key then puts the focus on Unlock; Unlock (click, Enter or Space) shows everything
again and puts the focus back where it was.  There is no password: this keeps a
passer-by from reading an open assessment, it is not an access control.

While a modal dialog (or a menu) is open the lock does not engage: the timer starts
again instead.  Locking under a modal dialog would either leave the dialog's content
on screen or mean cancelling it and losing what was typed into it; waiting is simpler
and safe, and a modal dialog shows little of the document.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop import APP_NAME
from scrutiny_desktop.ui.widgets import named

MS_PER_MINUTE = 60_000

#: Input that counts as use (restarts the timer).
_INPUT = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})
_CONFIRM_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_WINDOW_TYPES = (Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Tool)


def minutes_text(minutes: int) -> str:
    return f"{minutes} minute" + ("" if minutes == 1 else "s")


class LockPage(QWidget):
    """What the window shows while locked: why, and the Unlock button."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("lock_page")
        self.setAutoFillBackground(True)
        self.heading = QLabel("Locked")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.heading.setFont(font)
        self.message = named(QLabel(""), "Lock message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.unlock_button = named(QPushButton("&Unlock"), "Unlock",
                                   "Show the window's content again")
        self.unlock_button.setDefault(True)
        self.unlock_button.setAutoDefault(True)
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(self.heading, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.message, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addSpacing(12)
        column.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)
        self.hide()

    def locked_after(self, minutes: int) -> None:
        self.message.setText(f"Locked after {minutes_text(minutes)} without use. "
                             "Press any key to continue.")

    def ask_to_confirm(self) -> None:
        self.message.setText("Press Enter or choose Unlock to carry on.")
        self.unlock_button.setFocus(Qt.FocusReason.OtherFocusReason)


class IdleLock(QObject):
    """Locks ``window`` after ``minutes`` without use (0 = never).

    ``flush`` writes whatever is waiting to be saved (the window's autosaver);
    ``ms_per_minute`` is there for tests; ``keep_open`` says which other windows
    may stay on screen while locked."""

    locked = Signal()
    unlocked = Signal()
    #: The time ran out under a modal dialog or menu; the lock waits another spell.
    deferred = Signal()

    def __init__(self, window: QMainWindow, flush: Callable[[], object], minutes: int = 0, *,
                 ms_per_minute: int = MS_PER_MINUTE,
                 keep_open: Callable[[QWidget], bool] | None = None):
        super().__init__(window)
        self.window = window
        self._flush = flush
        self._keep_open = keep_open or (lambda w: False)
        self.ms_per_minute = ms_per_minute
        self.minutes = 0
        self._filtering = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)
        self.page = LockPage(window)
        self.page.unlock_button.clicked.connect(self.unlock)
        self._is_locked = False
        self._focus: QWidget | None = None
        self._hidden_windows: list[QWidget] = []
        self._content: QWidget | None = None
        self._title = ""
        self._file_path = ""
        self._setting_title = False
        window.windowTitleChanged.connect(self._title_changed)
        self.set_minutes(minutes)

    # -- settings ----------------------------------------------------------------------
    def set_minutes(self, minutes: int) -> None:
        """Lock after ``minutes`` without use from now on; 0 turns the lock off."""
        self.minutes = max(0, int(minutes))
        app = QApplication.instance()
        if self.minutes and not self._filtering and app is not None:
            app.installEventFilter(self)
            self._filtering = True
        elif not self.minutes and self._filtering and app is not None:
            app.removeEventFilter(self)
            self._filtering = False
        if self.minutes:
            self._timer.start(self.minutes * self.ms_per_minute)
        else:
            self._timer.stop()

    @property
    def is_locked(self) -> bool:
        return self._is_locked

    @property
    def active(self) -> bool:
        """True while the timer is counting towards a lock."""
        return self._timer.isActive()

    def restart(self) -> None:
        if self.minutes and not self._is_locked:
            self._timer.start(self.minutes * self.ms_per_minute)

    # -- the timer ---------------------------------------------------------------------
    def _timed_out(self) -> None:
        if not self.minutes or self._is_locked:
            return
        if QApplication.activeModalWidget() is not None or QApplication.activePopupWidget() is not None:
            # Never lock under a modal dialog or an open menu: wait for another spell.
            self.restart()
            self.deferred.emit()
            return
        self.lock()

    def lock(self) -> None:
        """Save what is pending, then hide the content behind the lock page."""
        if self._is_locked:
            return
        self._flush()  # a failed write stays queued and retried; nothing typed is dropped
        self._is_locked = True
        self._timer.stop()
        w = self.window
        self._focus = w.focusWidget()
        self._title, self._file_path = w.windowTitle(), w.windowFilePath()
        self._set_title(APP_NAME, "")
        self._hidden_windows = [other for other in QApplication.topLevelWidgets()
                                if self._should_hide(other)]
        for other in self._hidden_windows:
            other.hide()
        self._content = w.centralWidget()
        if self._content is not None:
            self._content.hide()
        menu = w.menuWidget()
        if menu is not None:
            menu.setEnabled(False)
        self.page.locked_after(self.minutes)
        self._place_page()
        self.page.show()
        self.page.raise_()
        self.page.unlock_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.locked.emit()

    def unlock(self) -> None:
        """Show everything again and put the focus back where it was."""
        if not self._is_locked:
            return
        self._is_locked = False
        w = self.window
        self.page.hide()
        if self._content is not None and shiboken6.isValid(self._content):
            self._content.show()
        self._content = None
        menu = w.menuWidget()
        if menu is not None:
            menu.setEnabled(True)
        self._set_title(self._title, self._file_path)
        for other in self._hidden_windows:
            if shiboken6.isValid(other):
                other.show()
        self._hidden_windows = []
        focus, self._focus = self._focus, None
        if focus is not None and shiboken6.isValid(focus) and focus.isVisibleTo(w):
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self.restart()
        self.unlocked.emit()

    # -- helpers -----------------------------------------------------------------------
    def _should_hide(self, other: QWidget) -> bool:
        return (other is not self.window and other.isVisible()
                and other.windowType() in _WINDOW_TYPES
                and other.windowModality() == Qt.WindowModality.NonModal
                and type(other) is not type(self.window)  # another main window locks itself
                and not self._keep_open(other))

    def _place_page(self) -> None:
        """Cover the area between the menu bar and the status bar."""
        w = self.window
        top = 0
        menu = w.menuWidget()
        if menu is not None and menu.isVisible():
            top = menu.geometry().bottom() + 1
        bottom = w.height()
        status = w.statusBar()
        if status.isVisible():
            bottom = status.geometry().top()
        self.page.setGeometry(0, top, w.width(), max(0, bottom - top))

    def _set_title(self, title: str, file_path: str) -> None:
        self._setting_title = True
        try:
            self.window.setWindowFilePath(file_path)
            self.window.setWindowTitle(title)
        finally:
            self._setting_title = False

    def _title_changed(self, title: str) -> None:
        """While locked, a title the window sets for itself (after a retried save, say)
        is kept for later and the app's name shown instead."""
        if self._is_locked and not self._setting_title:
            self._title, self._file_path = title, self.window.windowFilePath()
            QTimer.singleShot(0, self._reassert_title)

    def _reassert_title(self) -> None:
        if self._is_locked and self.window.windowTitle() != APP_NAME:
            self._set_title(APP_NAME, "")

    def _in_page(self, obj: QObject) -> bool:
        return isinstance(obj, QWidget) and (obj is self.page or self.page.isAncestorOf(obj))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT:
            self.restart()
        if not self._is_locked:
            return False
        if kind == QEvent.Type.Shortcut:
            # No menu command or Alt+letter works while locked, except the page's own.
            return not self._in_page(obj)
        if kind == QEvent.Type.Resize and obj is self.window:
            QTimer.singleShot(0, self._place_page)
            return False
        if kind == QEvent.Type.KeyPress and isinstance(obj, QWidget) and obj.window() is self.window:
            key = event.key()  # type: ignore[attr-defined]  # a QKeyEvent (KeyPress)
            if key in _CONFIRM_KEYS and self._in_page(obj):
                self.unlock()
                return True
            if key == Qt.Key.Key_Space and obj is self.page.unlock_button:
                return False  # the button's own Space press and release click it
            self.page.ask_to_confirm()
            return True
        return False
