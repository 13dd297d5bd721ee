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
