"""Autosave: every edit reaches the document within a second.

Edits are queued under a key (for example ``("findings", "ARR-01")``) with a
function that writes them; a later edit to the same key replaces the earlier
one.  The queue is written when typing pauses for ``delay_ms``, and at once on
``flush()`` (navigation, losing focus, closing).  A failed write keeps the
edit queued, reports the error and retries; nothing typed is dropped.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Hashable

from PySide6.QtCore import QObject, QTimer, Signal

from scrutiny_desktop.storage.errors import DocumentError, InvalidInput

DEFAULT_DELAY_MS = 800
RETRY_MS = 5000


class Autosaver(QObject):
    #: An edit is waiting to be written.
    pending = Signal()
    #: Everything queued is on disk; carries the local time of the write.
    saved = Signal(object)
    #: A write failed; carries a one-line message.  The edit stays queued.
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, delay_ms: int = DEFAULT_DELAY_MS,
                 retry_ms: int = RETRY_MS):
        super().__init__(parent)
        self._queue: OrderedDict[Hashable, Callable[[], object]] = OrderedDict()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(retry_ms)
        self._retry.timeout.connect(self.flush)
        self.last_error = ""
        self.last_saved: dt.datetime | None = None

    @property
    def delay_ms(self) -> int:
        return self._timer.interval()

    def has_pending(self) -> bool:
        return bool(self._queue)

    def schedule(self, key: Hashable, write: Callable[[], object]) -> None:
        """Queue a write; it happens after the typing pause."""
        self._queue[key] = write
        self._queue.move_to_end(key)
        self._timer.start()
        self.pending.emit()

    def save_now(self, key: Hashable, write: Callable[[], object]) -> bool:
        """Queue a write and flush at once (for clicks, not keystrokes)."""
        self._queue[key] = write
        self._queue.move_to_end(key)
        return self.flush()

    def discard(self) -> None:
        self._queue.clear()
        self._timer.stop()
        self._retry.stop()

    def flush(self) -> bool:
        """Write everything queued, oldest first.  Returns True if all was written."""
        self._timer.stop()
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
            wrote = True
        self._retry.stop()
        self.last_error = ""
        if wrote:
            self.last_saved = dt.datetime.now().astimezone()
            self.saved.emit(self.last_saved)
        return True
