"""Python's cyclic garbage collector held off during a burst of allocation.

Laying out a PDF, reading the spelling dictionary or listing a folder of thousands
of documents makes many objects that live on; each burst of them starts a
collection that walks every object the process holds, again and again (the
dictionary reads in 0.7 s instead of 1.2 s without them; a listing spends about a
tenth of its time in them; issue 17).  Reference counting still frees what it can;
cycles wait until the block ends.

Pauses may overlap, on several threads (the dictionary and a listing load on worker
threads while the PDF is laid out on the UI thread): the collector comes back, as it
was before the first, when the last one ends.

Two bursts make objects that live as long as the app: starting it (some 130,000:
modules, classes, the window) and reading the spelling dictionary (some 430,000).
Collections walk them all as they are made (50 ms of a start), once more when the
collector comes back (100 ms on the loader's thread, then 150 ms on the UI thread,
once the dictionary has loaded), and again in every full collection after that.
``freeze_survivors`` moves what is alive out of the collector's sight instead
(``gc.freeze``).  Reference counting still frees any of them whose count falls to
nothing; only cyclic garbage among them is never collected: the start's own, and
the document open at the time once it is closed (3,400 objects, about 400 KB, once
in a session).  The app holds the collector off from its start to its first idle
moment (``pause_for_start_up``, ``start_up_done``).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pauses = 0
_was_enabled = True


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off cyclic collection for the block (process-wide; other threads run on)."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def freeze_survivors() -> None:
    """Keep every object alive now out of all later collections (see above): after a
    burst of objects that live as long as the app."""
    gc.freeze()


_start_up: contextlib.ExitStack | None = None


def pause_for_start_up() -> None:
    """Hold off the collector while the app starts, until :func:`start_up_done`."""
    global _start_up
    with _lock:
        if _start_up is not None:
            return
        _start_up = contextlib.ExitStack()
    _start_up.enter_context(collector_paused())


def start_up_done() -> None:
    """The app has started: freeze what the start made and let the collector run again
    (once no other pause holds it).  Nothing if :func:`pause_for_start_up` was not called."""
    global _start_up
    with _lock:
        started, _start_up = _start_up, None
    if started is not None:
        freeze_survivors()
        started.close()
