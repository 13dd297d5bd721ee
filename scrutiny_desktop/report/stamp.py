"""What a PDF carries so that ``verify`` can check it later.

An entry of the app's own in the PDF's document information, ``/ScrutinyDesktop``
(PDFs made before it used the Keywords, which people see), holds one line:
``scrutiny-desktop/1 fingerprint=HEX state=STATE [signer=HEX] [countersign=HEX
countersigner=HEX] parts=ID:HASH,ID:HASH...`` (the fingerprint is also printed on
the page).  ``signer`` and ``countersigner`` are the SHA-256 of the certificates whose
PAdES signatures the PDF must carry; ``parts`` are short hashes of the details and
of each answer, so a verifier can say which questions changed.

The stamp only says what to check: ``verify`` believes nothing in it until the PDF's
digital signatures by those certificates are found intact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "scrutiny-desktop/1"
#: The document information entry that holds the stamp.
INFO_KEY = "ScrutinyDesktop"


def hex_of(certificate_sha256: str) -> str:
    """A certificate fingerprint ("3A:0F:…") as the stamp writes it ("3a0f…")."""
    return "".join(ch for ch in certificate_sha256.lower() if ch in "0123456789abcdef")


@dataclass(frozen=True)
class Stamp:
    fingerprint: str
    state: str  # a storage.models.Status value: "draft", "signed_off" or "reviewed"
    parts: dict[str, str]
    countersign_fingerprint: str = ""
    #: SHA-256 (lowercase hex) of the scrutineer's and the chair's certificates; "" if none.
    signer: str = ""
    countersigner: str = ""

    def encode(self) -> str:
        parts = ",".join(f"{k}:{v}" for k, v in self.parts.items())
        extra = f" signer={self.signer}" if self.signer else ""
        if self.countersign_fingerprint:
            extra += f" countersign={self.countersign_fingerprint}"
            if self.countersigner:
                extra += f" countersigner={self.countersigner}"
        return f"{PREFIX} fingerprint={self.fingerprint} state={self.state}{extra} parts={parts}"


_RE = re.compile(
    rf"{re.escape(PREFIX)} fingerprint=(?P<fp>[0-9a-f]{{64}}) state=(?P<state>\w+)"
    r"(?: signer=(?P<signer>[0-9a-f]{64}))?"
    r"(?: countersign=(?P<cs>[0-9a-f]{64}))?(?: countersigner=(?P<csr>[0-9a-f]{64}))?"
    r"(?: parts=(?P<parts>\S*))?")


def decode(text: str) -> Stamp | None:
    m = _RE.search(text or "")
    if not m:
        return None
    parts = {}
    for item in (m.group("parts") or "").split(","):
        if ":" in item:
            k, v = item.rsplit(":", 1)
            parts[k] = v
    return Stamp(m.group("fp"), m.group("state"), parts, m.group("cs") or "",
                 m.group("signer") or "", m.group("csr") or "")
