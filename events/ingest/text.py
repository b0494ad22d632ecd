"""What every importer finds in post text the same way: hashtags, mentions, links, entities, times."""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime

from attrs import frozen

from events.model import Precision

# A hashtag may be glued to the text before it ("me!#SaveAleppo#SaveHumanity"), so it is not
# required to start a word; "&#39;" style entities are decoded before this runs.
_HASHTAG = re.compile(r"[#＃](\w*[^\W\d]\w*)")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,30}(?:@[\w.-]+\w)?)")
_URL = re.compile(r"\b(?:https?://|pic\.twitter\.com/|t\.co/)[^\s<>\"]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)]}'\u2026"


@frozen(kw_only=True)
class Entities:
    """Hashtags (no "#"), mentioned handles (no "@") and links found in a text, in order, once each."""

    hashtags: tuple[str, ...]
    mentions: tuple[str, ...]
    urls: tuple[str, ...]


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def find_urls(text: str) -> tuple[str, ...]:
    """Links in `text`; bare pic.twitter.com and t.co links get "https://"."""
    found = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        if not url.lower().startswith("http"):
            url = "https://" + url
        found.append(url)
    return _unique(found)


def find_entities(text: str) -> Entities:
    """The hashtags, mentions and links of plain post text, for sources that do not list them."""
    without_urls = _URL.sub(" ", text)
    return Entities(
        hashtags=_unique(_HASHTAG.findall(without_urls)),
        mentions=_unique(_MENTION.findall(without_urls)),
        urls=find_urls(text),
    )


def unescape(text: str) -> str:
    """HTML entities decoded exactly once ("&amp;amp;" becomes "&amp;", as the author typed it)."""
    return html.unescape(text) if "&" in text else text


def parse_twitter_time(text: str) -> datetime:
    """Twitter's created_at ("Wed Oct 10 20:19:24 +0000 2018") as UTC; ValueError if it is not one."""
    if not isinstance(text, str):
        raise ValueError(f"expected a Twitter time string, got {type(text).__name__}")
    try:
        # strptime, not email.utils: that would read the year 0050 as 2050.
        moment = datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        raise ValueError(f"not a Twitter time: {text!r}") from None
    return _in_utc(moment, text)


_ISO_CLOCK = re.compile(r"[T ](\d\d)(?::?(\d\d)(?::?(\d\d)(?:[.,](\d+))?)?)?(?:[+-]\d\d(?::?\d\d)?)?$")


def parse_iso_time(text: str) -> tuple[datetime, Precision]:
    """An ISO 8601 time with an offset ("Z", "+05:30", "+0000") as UTC, with the precision it gives.

    Fractions of a second say millisecond or microsecond precision; none says second; a time
    without seconds says minute, without minutes hour. A time without an offset is refused: it
    would be a guess.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected an ISO 8601 time string, got {type(text).__name__}")
    cleaned = text.strip()
    if cleaned.endswith(("z", "Z")):
        cleaned = cleaned[:-1] + "+00:00"
    clock = _ISO_CLOCK.search(cleaned)
    fraction = clock.group(4) if clock else None
    if clock and fraction and len(fraction) > 6:  # nanoseconds: Python keeps microseconds
        cleaned = cleaned[: clock.start(4)] + fraction[:6] + cleaned[clock.end(4) :]
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"time has no timezone offset: {text!r}")
    if fraction:
        precision = Precision.MILLISECOND if len(fraction) <= 3 else Precision.MICROSECOND
    elif clock is not None and clock.group(3):
        precision = Precision.SECOND
    elif clock is not None and clock.group(2):
        precision = Precision.MINUTE
    else:
        precision = Precision.HOUR
    return _in_utc(moment, text), precision


def from_epoch(seconds: float | str, *, millis: bool = False) -> tuple[datetime, Precision]:
    """A Unix timestamp (seconds, or milliseconds with `millis`) as UTC with its precision."""
    if isinstance(seconds, bool):
        raise ValueError(f"not a time: {seconds!r}")
    value = float(seconds)
    if not math.isfinite(value):
        raise ValueError(f"not a time: {seconds!r}")
    try:
        if millis:
            return datetime.fromtimestamp(value / 1000, UTC), Precision.MILLISECOND
        precision = Precision.SECOND if value == int(value) else Precision.MILLISECOND
        return datetime.fromtimestamp(value, UTC), precision
    except (OverflowError, OSError):
        raise ValueError(f"time out of range: {seconds!r}") from None


def _in_utc(moment: datetime, text: str) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is a time UTC cannot hold
        raise ValueError(f"time out of range: {text!r}") from None
