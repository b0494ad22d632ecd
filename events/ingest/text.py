"""What every importer finds in post text the same way: hashtags, mentions, links, entities, times."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

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
    try:
        moment = parsedate_to_datetime(_reorder_twitter(text))
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"not a Twitter time: {text!r}") from exc
    if moment.tzinfo is None:
        raise ValueError(f"Twitter time without an offset: {text!r}")
    return moment.astimezone(UTC)


def _reorder_twitter(text: str) -> str:
    # "Wed Oct 10 20:19:24 +0000 2018" -> "Wed, 10 Oct 2018 20:19:24 +0000" (RFC 2822)
    day, month, date, clock, offset, year = text.split()
    return f"{day}, {date} {month} {year} {clock} {offset}"


def parse_iso_time(text: str) -> tuple[datetime, Precision]:
    """An ISO 8601 time with an offset ("Z", "+05:30", "+0000") as UTC, with the precision it gives.

    Fractions of a second say millisecond or microsecond precision; none says second; a time
    without seconds says minute. A time without an offset is refused: it would be a guess.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected an ISO 8601 time string, got {type(text).__name__}")
    cleaned = text.strip()
    if cleaned.endswith(("z", "Z")):
        cleaned = cleaned[:-1] + "+00:00"
    cleaned = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", cleaned)
    fraction = re.search(r"[T ]\d\d:\d\d:\d\d\.(\d+)", cleaned)
    if fraction and len(fraction.group(1)) > 6:  # nanoseconds: Python keeps microseconds
        digits = fraction.group(1)
        cleaned = cleaned.replace("." + digits, "." + digits[:6], 1)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"time has no timezone offset: {text!r}")
    if fraction:
        precision = Precision.MILLISECOND if len(fraction.group(1)) <= 3 else Precision.MICROSECOND
    elif re.search(r"[T ]\d\d:\d\d:\d\d", cleaned):
        precision = Precision.SECOND
    else:
        precision = Precision.MINUTE
    return moment.astimezone(UTC), precision


def from_epoch(seconds: float | str, *, millis: bool = False) -> tuple[datetime, Precision]:
    """A Unix timestamp (seconds, or milliseconds with `millis`) as UTC with its precision."""
    value = float(seconds)
    if millis:
        return datetime.fromtimestamp(value / 1000, UTC), Precision.MILLISECOND
    precision = Precision.SECOND if value == int(value) else Precision.MILLISECOND
    return datetime.fromtimestamp(value, UTC), precision
