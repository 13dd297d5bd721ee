"""What a PDF carries so that ``verify`` can check it later.

The PDF's Keywords metadata holds one line:
``scrutiny-desktop/1 fingerprint=HEX state=STATE parts=ID:HASH,ID:HASH...``
(the fingerprint is also printed on the page).  ``parts`` are short hashes of
the details and of each answer, so a verifier can say which questions changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "scrutiny-desktop/1"


@dataclass(frozen=True)
class Stamp:
    fingerprint: str
    state: str  # a storage.models.Status value: "draft", "signed_off" or "reviewed"
    parts: dict[str, str]
    countersign_fingerprint: str = ""

    def encode(self) -> str:
        parts = ",".join(f"{k}:{v}" for k, v in self.parts.items())
        extra = f" countersign={self.countersign_fingerprint}" if self.countersign_fingerprint else ""
        return f"{PREFIX} fingerprint={self.fingerprint} state={self.state}{extra} parts={parts}"


_RE = re.compile(
    rf"{re.escape(PREFIX)} fingerprint=(?P<fp>[0-9a-f]{{64}}) state=(?P<state>\w+)"
    r"(?: countersign=(?P<cs>[0-9a-f]{64}))?(?: parts=(?P<parts>\S*))?")


def decode(text: str) -> Stamp | None:
    m = _RE.search(text or "")
    if not m:
        return None
    parts = {}
    for item in (m.group("parts") or "").split(","):
        if ":" in item:
            k, v = item.rsplit(":", 1)
            parts[k] = v
    return Stamp(m.group("fp"), m.group("state"), parts, m.group("cs") or "")
