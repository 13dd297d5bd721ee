"""How dates and times are written for people (no Qt): the UK way, with the zone."""

from __future__ import annotations

import datetime as dt


def date_text(value: dt.date | None) -> str:
    """28 November 2026."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B %Y')}"


def when_text(value: dt.datetime | None) -> str:
    """28 November 2026 at 14:03 GMT (local time, with its zone)."""
    if value is None:
        return ""
    local = value.astimezone()
    zone = local.strftime("%Z") or local.strftime("UTC%z")
    return f"{date_text(local.date())} at {local.strftime('%H:%M')} {zone}"
