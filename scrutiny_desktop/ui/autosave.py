"""Autosave: every edit reaches the document within a second.

Edits are queued under a key (for example ``("findings", "ARR-01")``) with a
function that writes them and the value it writes; a later edit to the same key
replaces the earlier one.  The queue is written

* when typing pauses for ``delay_ms`` (the debounce),
* at most ``ceiling_ms`` after the first edit that is not yet on disk, however
  fast the typing (so a crash loses at most about a second of continuous
  typing), and
* at once on ``flush()`` (navigation, losing focus, closing).

A failed write keeps the edit queued, reports the error and retries; nothing
typed is dropped.  While an edit waits, ``pending_value(key)`` returns what is
on screen, so a page shown again during a disk-full outage shows the text the
person typed rather than the older stored text.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from scrutiny_desktop.errors import DocumentError, InvalidInput

#: Quiet time after the last keystroke before a save.
DEFAULT_DELAY_MS = 500
#: The longest an edit waits on screen before it is saved, typing or not.
CEILING_MS = 1000
RETRY_MS = 5000

_NO_VALUE = object()


class Autosaver(QObject):
    #: An edit is waiting to be written.
    pending = Signal()
    #: Everything queued is on disk; carries the local time of the write.
    saved = Signal(object)
    #: A write failed; carries a one-line message.  The edit stays queued.
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, delay_ms: int = DEFAULT_DELAY_MS,
                 retry_ms: int = RETRY_MS, ceiling_ms: int = CEILING_MS):
        super().__init__(parent)
        self._queue: OrderedDict[Hashable, Callable[[], object]] = OrderedDict()
        self._values: dict[Hashable, Any] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._ceiling = QTimer(self)
        self._ceiling.setSingleShot(True)
        self._ceiling.setInterval(max(ceiling_ms, delay_ms))
        self._ceiling.timeout.connect(self.flush)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(retry_ms)
        self._retry.timeout.connect(self.flush)
        self.last_error = ""
        self.last_saved: dt.datetime | None = None

    @property
    def delay_ms(self) -> int:
        return self._timer.interval()

    @property
    def ceiling_ms(self) -> int:
        return self._ceiling.interval()

    @property
    def failing(self) -> bool:
        """True while the last write failed and edits wait for a retry."""
        return bool(self.last_error) and bool(self._queue)

    def pending_value(self, key: Hashable, default: Any = None) -> Any:
        """The value an unsaved edit will write (what the screen shows), or ``default``."""
        value = self._values.get(key, _NO_VALUE)
        if key not in self._queue or value is _NO_VALUE:
            return default
        return value

    def _enqueue(self, key: Hashable, write: Callable[[], object], value: Any) -> None:
        self._queue[key] = write
        self._queue.move_to_end(key)
        if value is _NO_VALUE:
            self._values.pop(key, None)
        else:
            self._values[key] = value

    def schedule(self, key: Hashable, write: Callable[[], object], value: Any = _NO_VALUE) -> None:
        """Queue a write; it happens after the typing pause, or at the ceiling."""
        self._enqueue(key, write, value)
        self._timer.start()
        if not self._ceiling.isActive() and not self._retry.isActive():
            self._ceiling.start()
        self.pending.emit()

    def save_now(self, key: Hashable, write: Callable[[], object], value: Any = _NO_VALUE) -> bool:
        """Queue a write and flush at once (for clicks, not keystrokes)."""
        self._enqueue(key, write, value)
        return self.flush()

    def discard(self) -> None:
        self._queue.clear()
        self._values.clear()
        self._timer.stop()
        self._ceiling.stop()
        self._retry.stop()
        self.last_error = ""

    def flush(self) -> bool:
        """Write everything queued, oldest first.  Returns True if all was written."""
        self._timer.stop()
        self._ceiling.stop()
        if not self._queue:
            return True
        wrote = False
        while self._queue:
            key, write = next(iter(self._queue.items()))
            try:
                write()
            except (DocumentError, InvalidInput, OSError) as exc:
                self.last_error = " ".join(str(exc).split())
                self._retry.start()
                self.failed.emit(self.last_error)
                return False
            # Only drop the edit once it is on disk, and only if no newer edit
            # for the same key arrived while writing.
            if self._queue.get(key) is write:
                del self._queue[key]
                self._values.pop(key, None)
            wrote = True
        self._retry.stop()
        self.last_error = ""
        if wrote:
            self.last_saved = dt.datetime.now().astimezone()
            self.saved.emit(self.last_saved)
        return True
