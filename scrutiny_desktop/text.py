"""How dates and times are written for people (the UK way, in English, with the zone),
and how typed text divides into paragraphs and list items (:func:`blocks`).

One module for every date a person reads, on screen, in a PDF, on the command
line.  Month names are spelt out here rather than taken from ``strftime("%B")``,
which follows the process locale (Qt sets it from the desktop), so a French
desktop would otherwise print "novembre" in an English report.  No Qt here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Control characters (but not \n and \t), C1 controls, lone surrogates and the two
# XML non-characters: PDF and Word writers choke on them, and none of them prints.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: object) -> str:
    """User text made safe for a report: newlines normalised, control characters gone."""
    if text is None:
        return ""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    s = s.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _UNPRINTABLE.sub("", s)


def one_line(text: object) -> str:
    """User text on one line: cleaned, with every run of white space one space."""
    return " ".join(clean_text(text).split())


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def date_text(value: dt.date | None) -> str:
    """28 November 2026 (a datetime is shown in this computer's time zone)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def zone_text(local: dt.datetime) -> str:
    """The zone's abbreviation (GMT, BST), or its offset (UTC+05:30) when it has none."""
    name = (local.tzname() or "").strip()
    if name and name[0] not in "+-" and not name.startswith("UTC+") and not name.startswith("UTC-"):
        return name
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def time_text(value: dt.datetime) -> str:
    """14:03 GMT (local time, with its zone)."""
    local = value.astimezone()
    return f"{local:%H:%M} {zone_text(local)}"


def when_text(value: dt.datetime | None) -> str:
    """28 November 2026 at 14:03 GMT (local time, with its zone)."""
    if value is None:
        return ""
    return f"{date_text(value)} at {time_text(value)}"


def local_time_text(value: dt.datetime | None) -> str:
    """28 November 2026 14:03 (local time, no zone: for tables and lists)."""
    if value is None:
        return ""
    local = value.astimezone()
    return f"{date_text(local.date())} {local:%H:%M}"


def clock_text(value: dt.datetime) -> str:
    """14:03:05 (for "All changes saved HH:MM:SS")."""
    return f"{value:%H:%M:%S}"


def stamp_for_name(now: dt.datetime | None = None) -> str:
    """20261128-140305: a timestamp for file names (digits only, sorts by time)."""
    now = now or dt.datetime.now()
    return f"{now:%Y%m%d-%H%M%S}"


# -- typed text as blocks ----------------------------------------------------------------------

_BULLET = re.compile(r"^[ \t]*[-*•][ \t]+(?P<text>.*)$")
_NUMBER = re.compile(r"^[ \t]*(?P<n>\d{1,3})[.)][ \t]+(?P<text>.*)$")


@dataclass(frozen=True)
class Block:
    """One block of typed text: a paragraph, or an item of a bulleted or numbered list."""

    kind: str  # "paragraph", "bullet" or "number"
    text: str
    number: int = 0  # a numbered item's number, as typed

    @property
    def is_item(self) -> bool:
        return self.kind != "paragraph"


def blocks(text: str) -> list[Block]:
    """Free text as a scrutineer types it, as blocks: a blank line separates paragraphs;
    a line starting "- ", "* " or "• " is a bullet, "1. " or "1) " a numbered item; the
    lines after an item, up to a blank line or the next item, continue it; other lines
    inside a paragraph stay line breaks.  Nothing is lost: the blocks' text is the
    typed text less the list markers."""
    out: list[Block] = []
    current: list[str] = []
    kind, number = "paragraph", 0

    def flush() -> None:
        nonlocal current, kind, number
        body = "\n".join(current).strip("\n")
        if body.strip():
            out.append(Block(kind, body, number))
        current, kind, number = [], "paragraph", 0

    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            flush()
            continue
        bullet, numbered = _BULLET.match(line), _NUMBER.match(line)
        if bullet or numbered:
            flush()
            if bullet:
                kind, current = "bullet", [bullet.group("text")]
            else:
                assert numbered is not None
                kind, number, current = "number", int(numbered.group("n")), [numbered.group("text")]
            continue
        current.append(line.strip() if kind != "paragraph" else line)
    flush()
    return out
