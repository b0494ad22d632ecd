"""The `csv` format: tweet tables from twarc's `json2csv` and twitwi's export, told apart by header.

twarc json2csv: `created_at` in Twitter's format, `tweet_type` (original, reply, quote, retweet),
space-separated `hashtags` and `urls`, `retweet_or_quote_id` / `_screen_name`. Its text is the raw
API text, so HTML entities are decoded once here; t.co links stay as they are, since the table lists
expanded URLs without saying which t.co link each replaces.

twitwi: `timestamp_utc` in epoch seconds (`local_time` has no offset and is not used), `|`-separated
`hashtags`, `mentioned_names` and `links`, `to_tweetid`, `quoted_id`, and `retweeted_id`,
`retweeted_user` and `retweeted_timestamp_utc` for retweets; its text is already decoded.

A retweet row is REPOSTED by the row's user, with the original's text (a leading "RT @user: " is
dropped) and `repost_of` the original's id; where the table gives the original's time (twitwi), the
original is PUBLISHED first. Lists are put in the order and spelling of the text (see
listed_entities). The stdlib csv module reads fields with embedded newlines; a bad row is reported
at the physical line where it starts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from datetime import datetime

from attrs import frozen

from events.ingest.base import Item, Level, Notice
from events.ingest.document import Document
from events.ingest.listed_entities import in_text_order, unique
from events.ingest.text import find_entities, from_epoch, parse_iso_time, parse_twitter_time, unescape
from events.model import Author, Event, Kind, Post, Precision, Source

name = "csv"
PLATFORM = "twitter"

_RETWEET_PREFIX = re.compile(r"^RT @(\w{1,30}): ")
Row = dict[str, str]


class _RowError(ValueError):
    """A row whose values cannot be read; the message names the column."""


@frozen(kw_only=True)
class _Dialect:
    """A known table layout: its name, the columns that identify it, and how a row becomes events."""

    label: str
    required: tuple[str, ...]
    events: Callable[[Row, Source], list[Event]]

    def describe(self) -> str:
        return f"{self.label} ({', '.join(self.required)}, ...)"


def sniff(document: Document) -> bool:
    """True when the first line is the header of a known tweet table."""
    first = document.head.lstrip("\ufeff").partition("\n")[0]
    if "," not in first:
        return False
    try:
        header = next(csv.reader([first]))
    except csv.Error:
        return False
    return _dialect(header) is not None


def read(document: Document) -> Iterator[Item]:
    """One or two events per row, in file order; a Notice for each row that cannot be read."""
    header: list[str] | None = None
    dialect: _Dialect | None = None
    for line, row in _rows(document):
        if isinstance(row, str):
            yield Notice(level=Level.BAD, path=document.name, line=line, message=row)
            return
        if header is None:
            header = [column.strip() for column in row]
            dialect = _dialect(header)
            if dialect is None:
                expected = " or ".join(d.describe() for d in _DIALECTS)
                message = f"unknown CSV columns; expected the header of {expected}"
                yield Notice(level=Level.BAD, path=document.name, line=line, message=message)
                return
            continue
        assert dialect is not None
        if len(row) != len(header):
            message = f"row has {len(row)} fields, the header has {len(header)}"
            yield Notice(level=Level.BAD, path=document.name, line=line, message=message)
            continue
        source = Source(path=document.name, format=name, line=line)
        try:
            yield from dialect.events(dict(zip(header, row, strict=True)), source)
        except ValueError as exc:  # _RowError, and the model's own validation of what was read
            yield Notice(level=Level.BAD, path=document.name, line=line, message=str(exc))


def _rows(document: Document) -> Iterator[tuple[int, list[str] | str]]:
    """(first physical line, fields) per non-empty row; (line, problem) for a row csv cannot parse."""
    reader = csv.reader((text + "\n" for _, text in document.lines()), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, f"malformed CSV row: {exc}"
            return
        if row:
            yield start, row


def _dialect(header: list[str]) -> _Dialect | None:
    columns = set(header)
    return next((d for d in _DIALECTS if columns.issuperset(d.required)), None)


def _tweet_id(value: str, column: str) -> str:
    """A tweet id as the table holds it: decimal digits only, or a _RowError naming the column."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return value
    rounded = " (rounded by a spreadsheet?)" if "e" in value.lower() else ""
    raise _RowError(f"{column} is not a tweet id: {value!r}{rounded}")


def _optional_id(row: Row, column: str) -> str | None:
    value = (row.get(column) or "").strip()
    return _tweet_id(value, column) if value else None


def _required(row: Row, column: str) -> str:
    value = row[column].strip()
    if not value:
        raise _RowError(f"{column} is empty")
    return value


def _split(value: str | None, separator: str | None) -> list[str]:
    return [item.strip().lstrip("#@") for item in (value or "").split(separator) if item.strip()]


def _original_text(text: str) -> str:
    """A retweet's text without its leading "RT @user: "."""
    match = _RETWEET_PREFIX.match(text)
    return text if match is None else text[match.end() :]


Lists = tuple[list[str], list[str], list[str]]
"""A table's (hashtags, mentions, urls) for one row."""


def _post(
    row: Row,
    source: Source,
    text: str,
    lists: Lists,
    *,
    reply_to: str | None = None,
    quote_of: str | None = None,
    repost_of: str | None = None,
) -> Post:
    """The row's post, with the table's lists put in the text's order."""
    hashtags, mentions, urls = lists
    found = find_entities(text)
    handle = _required(row, "user_screen_name").lstrip("@")
    return Post(
        platform=PLATFORM,
        id=_tweet_id(_required(row, "id"), "id"),
        author=Author(handle=handle, name=row.get("user_name") or None),
        text=text,
        hashtags=in_text_order(hashtags, found.hashtags) if hashtags else found.hashtags,
        mentions=in_text_order(mentions, found.mentions) if mentions else found.mentions,
        urls=unique(urls) if urls else found.urls,
        lang=row.get("lang") or None,
        reply_to=reply_to,
        quote_of=quote_of,
        repost_of=repost_of,
        source=source,
    )


def _json2csv_events(row: Row, source: Source) -> list[Event]:
    try:
        occurred_at, precision = parse_twitter_time(_required(row, "created_at")), Precision.SECOND
    except ValueError as exc:
        if not row.get("parsed_created_at"):
            raise _RowError(f"created_at: {exc}") from None
        occurred_at, precision = parse_iso_time(row["parsed_created_at"])
    kind = row.get("tweet_type", "").strip()
    other = _optional_id(row, "retweet_or_quote_id")
    text = unescape(row["text"])
    if kind == "retweet":
        if other is None:
            raise _RowError("retweet_or_quote_id is empty in a retweet row")
        text = _original_text(text)
    lists: Lists = (_split(row.get("hashtags"), None), [], _split(row.get("urls"), None))
    post = _post(
        row,
        source,
        text,
        lists,
        reply_to=_optional_id(row, "in_reply_to_status_id"),
        quote_of=other if kind == "quote" else None,
        repost_of=other if kind == "retweet" else None,
    )
    event_kind = Kind.REPOSTED if kind == "retweet" else Kind.PUBLISHED
    return [Event(kind=event_kind, occurred_at=occurred_at, precision=precision, post=post)]


def _epoch(row: Row, column: str) -> tuple[datetime, Precision]:
    try:
        return from_epoch(_required(row, column))
    except (ValueError, OverflowError, OSError):
        raise _RowError(f"{column} is not a Unix time: {row[column]!r}") from None


def _twitwi_events(row: Row, source: Source) -> list[Event]:
    occurred_at, precision = _epoch(row, "timestamp_utc")
    reposted = _optional_id(row, "retweeted_id")
    text = row["text"]
    mentions = _split(row.get("mentioned_names"), "|")
    if reposted is not None:
        text = _original_text(text)
        reposted_user = row.get("retweeted_user", "").strip()
        # twitwi lists the retweeted user among the mentions because of the "RT @user:" prefix.
        if reposted_user and f"@{reposted_user.casefold()}" not in text.casefold():
            mentions = [m for m in mentions if m.casefold() != reposted_user.casefold()]
    lists: Lists = (_split(row.get("hashtags"), "|"), mentions, _split(row.get("links"), "|"))
    post = _post(
        row,
        source,
        text,
        lists,
        reply_to=_optional_id(row, "to_tweetid"),
        quote_of=_optional_id(row, "quoted_id"),
        repost_of=reposted,
    )
    if reposted is None:
        return [Event.published(post, occurred_at, precision)]
    repost = Event(kind=Kind.REPOSTED, occurred_at=occurred_at, precision=precision, post=post)
    original_user = row.get("retweeted_user", "").strip()
    if not (original_user and row.get("retweeted_timestamp_utc", "").strip()):
        return [repost]
    original = Post(
        platform=PLATFORM,
        id=reposted,
        author=Author(handle=original_user),
        text=post.text,
        hashtags=post.hashtags,
        mentions=post.mentions,
        urls=post.urls,
        quote_of=post.quote_of,
        lang=post.lang,
        source=source,
    )
    return [Event.published(original, *_epoch(row, "retweeted_timestamp_utc")), repost]


_TWITWI = ("id", "timestamp_utc", "user_screen_name", "text")
_JSON2CSV = ("id", "created_at", "user_screen_name", "text")
_DIALECTS = (
    _Dialect(label="twitwi", required=_TWITWI, events=_twitwi_events),
    _Dialect(label="twarc json2csv", required=_JSON2CSV, events=_json2csv_events),
)
