"""How dates and times are written for people: the UK way, in English, with the zone.

One module for every date a person reads, on screen, in a PDF, on the command
line.  Month names are spelt out here rather than taken from ``strftime("%B")``,
which follows the process locale (Qt sets it from the desktop), so a French
desktop would otherwise print "novembre" in an English report.  No Qt here.
"""

from __future__ import annotations

import datetime as dt

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
