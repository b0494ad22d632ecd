"""Twitter API v1.1 tweet objects: a JSON array (REST), one object, or JSON Lines (twarc 1, streaming).

Tweets in compat mode (`text`, `truncated`, `extended_tweet`) and extended mode (`full_text`,
`display_text_range`) give the same events (see events.ingest.tweet for the text rule). A streaming
`delete` notice gives a DELETED event at its `timestamp_ms`; an old notice without one is placed at
the time of the latest event read before it in the same file, with that event's precision. Other
streaming messages (`limit`, `scrub_geo`, ...) are counted as unknown record types.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from events.ingest.base import Item, Level, Notice
from events.ingest.document import Document
from events.ingest.records import Record, records
from events.ingest.text import from_epoch
from events.ingest.tweet import PLATFORM, Malformed, author_from_user, json_type, optional_id
from events.ingest.tweet_object import tweet_events
from events.model import Event, Kind, Post, Precision, Source

name = "twitter-v1"

_TWITTER_TIME = re.compile(
    r'"created_at"\s*:\s*"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [+-]\d{4} \d{4}"'
)
_DELETE = re.compile(r'^[\[\s]*\{\s*"delete"\s*:\s*\{\s*"status"\s*:')
_TWEET_KEYS = ("id_str", "full_text", "text", "created_at", "retweeted_status")


def sniff(document: Document) -> bool:
    """True for JSON (not a JS-wrapped archive file) whose first tweet has a v1.1 created_at."""
    head = document.head.lstrip()
    if not head.startswith(("{", "[")):
        return False
    if _DELETE.match(head):
        return True
    return '"id_str"' in head and _TWITTER_TIME.search(head) is not None


def read(document: Document) -> Iterator[Item]:
    """The events of every tweet and delete notice, in file order; notices for anything else."""
    latest: tuple[datetime, Precision] | None = None
    sources: dict[int, Source] = {}
    for record in records(document):
        if isinstance(record, Notice):
            yield record
            continue
        source = sources.get(record.line)
        if source is None:
            sources.clear()  # a line's Source is shared by the tweets on it; only keep the last
            source = sources[record.line] = Source(path=document.name, format=name, line=record.line)
        try:
            items = _items(record, source, latest)
        except (ValueError, TypeError) as exc:  # Malformed, or a value the model refuses
            yield Notice(level=Level.BAD, path=document.name, line=record.line, message=str(exc))
            continue
        for item in items:
            if isinstance(item, Event):
                latest = (item.occurred_at, item.precision)
            yield item


def _items(record: Record, source: Source, latest: tuple[datetime, Precision] | None) -> list[Item]:
    value = record.value
    if not isinstance(value, dict):
        raise Malformed(f"expected a tweet object, got {json_type(value)}")
    if "delete" in value:
        return [_deletion(value, source, latest)]
    if any(key in value for key in _TWEET_KEYS):
        return list(tweet_events(value, source))
    kind = next(iter(value), "(empty object)")
    message = f"{name}: unknown record type {kind}"
    return [Notice(level=Level.UNKNOWN, path=source.path, line=record.line, message=message)]


def _deletion(value: Mapping[str, Any], source: Source, latest: tuple[datetime, Precision] | None) -> Event:
    notice = value["delete"]
    status = notice.get("status") if isinstance(notice, dict) else None
    if not isinstance(status, dict):
        raise Malformed("delete notice without a status object")
    tweet_id = optional_id(status, "id_str", "id")
    if tweet_id is None:
        raise Malformed("delete notice without the deleted tweet's id_str")
    stamp = notice.get("timestamp_ms", value.get("timestamp_ms"))
    if stamp is not None:
        try:
            at, precision = from_epoch(stamp, millis=True)
        except (TypeError, ValueError, OverflowError, OSError):
            raise Malformed(f"delete notice timestamp_ms is not a time: {stamp!r}") from None
    elif latest is not None:
        at, precision = latest
    else:
        raise Malformed("delete notice without timestamp_ms, and no earlier event to place it after")
    author = author_from_user(None, optional_id(status, "user_id_str", "user_id"))
    post = Post(platform=PLATFORM, id=tweet_id, author=author, text="", source=source)
    return Event(kind=Kind.DELETED, occurred_at=at, precision=precision, post=post)
