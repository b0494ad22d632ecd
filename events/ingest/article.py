"""Plain news-article text: the posts it quotes, each closed by a "— Name (@handle) Month D, YYYY" line.

An *attribution* is a whole line "— Display Name (@handle) Month D, YYYY": the dash may also be "–",
"--", or "-" followed by a space; the month is written in full or abbreviated ("Dec", "Dec.", "Sept");
the display name may be empty, start with "@" or be in any script. It closes a post whose text is

- the last non-blank line before it, always: an attribution vouches for the line it follows; and
- the lines directly above that one, back to the previous attribution, a blank line or a prose line.

A line is *prose* (the article's own words, not a quoted post) when it has no hashtag, @mention or
t.co / pic.twitter.com link, no first- or second-person word (I, me, my, we, us, our, you, your, u)
outside quotation marks, and at least 12 words: journalism is long third-person sentences, a quoted
post is short, personal or tagged. Articles whose paragraphs are separated by blank lines get a
second, stronger cue: a post is one block of lines, so a blank line above it ends it too (a blank line
between the post and its attribution is skipped). A post that itself contains a blank line therefore
keeps only its last block.

A line with a hashtag, mention or tweet link that no attribution closes is yielded as a WARNING notice,
never dropped and never made into a post; so is an attribution with no text above it, or an
impossible date. The same post quoted twice in one document is yielded once, and a line repeated
right after itself (a paragraph duplicated by the page scraper) counts once. Times are the day only:
midnight UTC with `Precision.DAY`. Hashtags, mentions and links come from `events.ingest.text`, as in
every importer. Each line is looked at a fixed number of times: linear time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import NamedTuple

from events.ingest.base import Item, Level, Notice
from events.ingest.document import Document
from events.ingest.text import find_entities
from events.model import Author, Event, Post, Precision, Source

name = "article"

PROSE_MIN_WORDS = 12
"""A line with fewer words than this is never taken for prose."""

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_NUMBERS = {
    **{month: number for number, month in enumerate(_MONTHS, start=1)},
    **{month[:3]: number for number, month in enumerate(_MONTHS, start=1)},
    "sept": 9,
}
# Attribution lines are short; longer lines are not tried, which keeps the lazy name match linear.
_ATTRIBUTION_MAX = 300
_ATTRIBUTION = re.compile(
    r"""\s*(?:[—–]\s*|--\s*|-\s+)
    (?P<name>.*?)\s*\(@(?P<handle>[A-Za-z0-9_]+)\)\s*
    (?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})\s*""",
    re.VERBOSE,
)
# The links that mark a line as a copied tweet, as opposed to a link the article itself gives.
_TWEET_LINK = re.compile(r"https?://(?:t\.co|pic\.twitter\.com)/", re.IGNORECASE)
# Capitalised or lower case only, and not an abbreviation: "US", "U.S." and "U.N." are not "us"/"u".
_PERSON = re.compile(
    r"(?<!\w)(?:[Ii]|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself|[Ww]e|[Uu]s|[Oo]urs?|[Oo]urselves"
    r"|[Yy]ou|[Yy]ours?|[Yy]oursel(?:f|ves)|[Uu]r?)(?!\w|\.\w)"
)
# Quoted speech in prose ('said: "We're living the final moments"') is not the writer's own voice.
# Bounded so that a line full of unmatched quote marks still takes linear time.
_QUOTED = re.compile(r"\"[^\"]{0,500}\"|“[^”]{0,500}”|‘[^’]{0,500}’")
_CSV_HEADER = re.compile(r"\"?[\w.-]+\"?(?:,\"?[\w.-]+\"?)+")
_PREVIEW = 60


class _Line(NamedTuple):
    number: int
    text: str
    tagged: bool
    """Has a hashtag, @mention or tweet link."""
    prose: bool


def is_prose(text: str) -> bool:
    """True when a line reads as the article's own words rather than a quoted post (see the module)."""
    return not _is_tagged(text) and _is_prose_untagged(text)


def sniff(document: Document) -> bool:
    """True when the start of `document` is text (not JSON or CSV) with at least one attribution line."""
    head = document.head
    first = head.lstrip().partition("\n")[0].strip()
    if "\x00" in head or first[:1] in ("{", "[") or _CSV_HEADER.fullmatch(first):
        return False
    return any(_attribution(line) is not None for line in head.splitlines())


def read(document: Document) -> Iterator[Item]:
    """Every quoted post of `document` as a PUBLISHED event, in file order, with WARNING notices."""
    path = document.name
    seen: set[tuple[str, str, date]] = set()  # (handle, text, day) of the posts yielded so far
    quoted: set[str] = set()  # lines already in a post or a warning: a repeat is not warned again
    run: list[_Line] = []  # the candidate post: the lines since the last boundary
    after_blank = False
    for number, raw in document.lines():
        text = raw.strip()
        if not text:
            after_blank = True
            continue
        match = _attribution(text)
        if match is not None:
            yield from _close(path, run, match, number, seen, quoted)
            run, after_blank = [], False
            continue
        if run and text == run[-1].text:
            after_blank = False  # a paragraph repeated right after itself is one paragraph
            continue
        tagged = _is_tagged(text)
        line = _Line(number, text, tagged, not tagged and _is_prose_untagged(text))
        if after_blank or line.prose or (run and run[-1].prose):
            yield from _unattributed(path, run, quoted)
            run = []
        run.append(line)
        after_blank = False
    yield from _unattributed(path, run, quoted)


def _close(
    path: str,
    run: list[_Line],
    match: re.Match[str],
    number: int,
    seen: set[tuple[str, str, date]],
    quoted: set[str],
) -> Iterator[Item]:
    """The post an attribution closes, or a warning when it has no text or an impossible date."""
    if not run:
        message = f"attribution with no post text before it: {_preview(match.string)}"
        yield Notice(level=Level.WARNING, path=path, line=number, message=message)
        return
    try:
        day = date(int(match["year"]), _MONTH_NUMBERS[match["month"].lower()], int(match["day"]))
    except ValueError:
        message = f"attribution has an impossible date, its post is left out: {_preview(match.string)}"
        yield Notice(level=Level.WARNING, path=path, line=number, message=message)
        return
    text = "\n".join(line.text for line in run)
    handle = match["handle"]
    quoted.update(line.text for line in run)
    key = (handle.lower(), text, day)  # handles are case-insensitive on Twitter
    if key in seen:
        return
    seen.add(key)
    found = find_entities(text)
    post = Post(
        platform="twitter",  # the attribution line is the form of an embedded tweet
        author=Author(handle=handle, name=match["name"] or None),
        text=text,
        hashtags=found.hashtags,
        mentions=found.mentions,
        urls=found.urls,
        source=Source(path=path, format=name, line=run[0].number),
    )
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    yield Event.published(post, midnight, Precision.DAY)


def _unattributed(path: str, run: list[_Line], quoted: set[str]) -> Iterator[Notice]:
    """A warning for each line of `run` that reads like a quoted post; nothing closed the run."""
    for line in run:
        if line.tagged and line.text not in quoted:
            quoted.add(line.text)
            message = f"looks like a quoted post but has no attribution: {_preview(line.text)}"
            yield Notice(level=Level.WARNING, path=path, line=line.number, message=message)


def _attribution(text: str) -> re.Match[str] | None:
    """The match of `text` as an attribution line, or None (a known month is part of being one)."""
    if len(text) > _ATTRIBUTION_MAX or "(@" not in text:
        return None
    match = _ATTRIBUTION.fullmatch(text.strip())
    if match is None or match["month"].lower() not in _MONTH_NUMBERS:
        return None
    return match


def _is_tagged(text: str) -> bool:
    found = find_entities(text)
    return bool(found.hashtags or found.mentions or any(_TWEET_LINK.match(url) for url in found.urls))


def _is_prose_untagged(text: str) -> bool:
    return _PERSON.search(_QUOTED.sub(" ", text)) is None and len(text.split()) >= PROSE_MIN_WORDS


def _preview(text: str) -> str:
    return f"'{text[:_PREVIEW]}…'" if len(text) > _PREVIEW else f"'{text}'"
