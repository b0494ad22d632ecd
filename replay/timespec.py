"""Times as people type them: ISO 8601 dates and datetimes, and relative offsets like +10m or -2h."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_OFFSET = re.compile(r"^\s*([+-])\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day|days|w)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400}
_UNITS |= {"days": 86400, "w": 7 * 86400}


class TimeSpecError(ValueError):
    """Text that is neither an ISO 8601 time nor a relative offset; the message says what is expected."""


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date ("2016-12-12") or datetime as UTC; a datetime without an offset is UTC."""
    cleaned = text.strip()
    try:
        moment = datetime.fromisoformat(cleaned.replace("z", "Z"))
    except ValueError:
        raise TimeSpecError(
            f"not a time: {text!r} (expected an ISO 8601 date or datetime, e.g. 2016-12-12 or "
            "2016-12-12T14:30Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise TimeSpecError(f"time out of range: {text!r}") from None


def parse_offset(text: str) -> timedelta:
    """A relative offset such as "+10m", "-2h", "+1d" or "-30s"."""
    match = _OFFSET.match(text)
    if match is None:
        raise TimeSpecError(f"not an offset: {text!r} (expected e.g. +10m, -2h, +1d)")
    sign, amount, unit = match.groups()
    seconds = float(amount) * _UNITS[unit.lower()]
    try:
        return timedelta(seconds=-seconds if sign == "-" else seconds)
    except OverflowError:  # more days than a timedelta holds, or more digits than a float
        raise TimeSpecError(f"offset out of range: {text!r}") from None


def parse_target(text: str, now: datetime) -> datetime:
    """Where a "go to time" box points: an absolute time, or an offset from `now`."""
    stripped = text.strip()
    if stripped[:1] in "+-" and stripped[1:2].isdigit():
        try:
            return now + parse_offset(stripped)
        except OverflowError:
            raise TimeSpecError(f"time out of range: {text!r} (before the year 1 or after 9999)") from None
    return parse_moment(stripped)
