"""Slow work off the UI thread.

``run_in_background`` runs a plain function on the thread pool and calls back
on the UI thread with its result or its error; the function gets a
``progress(done, total)`` callable to report through.  Nothing inside the
work may touch a widget or an open database session: callers build plain data
first (the PDF report data, a list of paths) and hand that over.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object, str)


class _Job(QRunnable):
    def __init__(self, work, signals: _Signals):
        super().__init__()
        self.work = work
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work(lambda done, total: self._emit(self.signals.progress, done, total))
        except Exception as exc:  # noqa: BLE001 - reported to the UI, never swallowed
            self._emit(self.signals.failed, exc, traceback.format_exc())
            return
        self._emit(self.signals.succeeded, result)

    def _emit(self, signal, *args) -> None:
        # The app may be closing: whoever was waiting has gone (its signals deleted
        # with it), and there is nobody left to tell.
        if shiboken6.isValid(self.signals):
            with contextlib.suppress(RuntimeError):
                signal.emit(*args)


class BackgroundOp(QObject):
    """A handle on one running job: connect to ``progress``; it deletes itself when done."""

    progress = Signal(int, int)
    finished = Signal()

    def __init__(self, parent: QObject, work, on_success, on_failure):
        super().__init__(parent)
        self._signals = _Signals()
        self._signals.progress.connect(self.progress)
        self._signals.succeeded.connect(lambda result: self._done(on_success, result))
        self._signals.failed.connect(lambda exc, tb: self._done(on_failure, exc))
        self._job = _Job(work, self._signals)
        self.running = False

    def start(self) -> BackgroundOp:
        self.running = True
        QThreadPool.globalInstance().start(self._job)
        return self

    def _done(self, callback, value) -> None:
        self.running = False
        try:
            if callback is not None:
                callback(value)
        finally:
            # The parent (and so this op) may have been deleted while the job ran.
            if shiboken6.isValid(self):
                self.finished.emit()
                self.deleteLater()


def run_in_background(parent: QObject, work: Callable[[Callable[[int, int], None]], object],
                      on_success: Callable[[object], None] | None = None,
                      on_failure: Callable[[Exception], None] | None = None) -> BackgroundOp:
    return BackgroundOp(parent, work, on_success, on_failure).start()
