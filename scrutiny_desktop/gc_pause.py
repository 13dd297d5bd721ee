"""Python's cyclic garbage collector held off during a burst of allocation.

Laying out a PDF or reading the spelling dictionary makes hundreds of thousands of
objects that live on; each burst of them starts a collection that walks every
object the process holds, again and again (the dictionary reads in 0.7 s instead
of 1.2 s without them; issue 17).  Reference counting still frees what it can;
cycles wait until the block ends, and then the collector is back as it was.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off cyclic collection for the block (process-wide; other threads run on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
