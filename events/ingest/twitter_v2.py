"""Twitter API v2 tweets: twarc2 pages, filtered-stream lines, raw responses, and `twarc2 flatten` output.

A page (`data` a list, or one object on a stream line) takes authors from `includes.users` and the
tweets it refers to from `includes.tweets`; a flattened line has them inline (`author`, and
`referenced_tweets` holding whole tweets). Both go through the same mapping (events.ingest.tweet_v2),
so the same tweets give the same events, with one exception: a page also holds the first version of
an edited tweet in `includes.tweets`, PUBLISHED before the edit, and flattening drops it. A tweet
included on many pages (a viral tweet, retweeted again and again) gives its events once per file.
An error line (`errors` without `data`) is a warning; a page with no results is nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from events.ingest.base import Item, Level, Notice
from events.ingest.document import Document
from events.ingest.records import records
from events.ingest.tweet import Malformed, json_type
from events.ingest.tweet_v2 import EMPTY, Memory, Page, add_tweet, gather_users
from events.model import Event, Source

name = "twitter-v2"

_V2_TWEET = re.compile(r'"(?:author_id|edit_history_tweet_ids|conversation_id)"\s*:')
_V2_TIME = re.compile(r'"created_at"\s*:\s*"\d{4}-\d\d-\d\dT')


def sniff(document: Document) -> bool:
    """True for JSON whose first tweets carry v2 fields (author_id, edit history, ISO created_at)."""
    head = document.head.lstrip()
    if not head.startswith(("{", "[")):
        return False
    return '"text"' in head and _V2_TWEET.search(head) is not None and _V2_TIME.search(head) is not None


def read(document: Document) -> Iterator[Item]:
    """The events of every page, stream line or flattened tweet, in file order."""
    memory = Memory()
    for record in records(document):
        if isinstance(record, Notice):
            yield record
            continue
        value = record.value
        line = record.line
        page = None
        try:
            if not isinstance(value, dict):
                raise Malformed(f"expected a page or a tweet object, got {json_type(value)}")
            source = Source(path=document.name, format=name, line=line)
            if "data" in value:
                data = value["data"]
                if isinstance(data, dict):
                    data = [data]
                elif not isinstance(data, list):
                    raise Malformed(f"data is {json_type(data)}, not a list of tweets")
                page = Page(value, source, memory)
                items = _page_items(data, page, line)
            elif "text" in value and "id" in value:  # a flattened tweet
                page = Page(EMPTY, source, memory)
                gather_users(value, page.users, 0)
                items = _page_items([value], page, line)
            elif "errors" in value:
                items = [_error(value, document.name, line)]
            elif "meta" in value:  # a page with no results
                items = []
            else:
                kind = next(iter(value), "(empty object)")
                message = f"{name}: unknown record type {kind}"
                items = [Notice(level=Level.UNKNOWN, path=document.name, line=line, message=message)]
        except (ValueError, TypeError) as exc:  # Malformed, or a value the model refuses
            yield Notice(level=Level.BAD, path=document.name, line=line, message=str(exc))
            continue
        if page is not None:
            memory.done(page.fresh)
        yield from items


def _page_items(data: list[Any], page: Page, line: int) -> list[Item]:
    items: list[Item] = []
    events: list[Event] = []
    for tweet in data:
        if isinstance(tweet, dict) and "text" not in tweet and "username" in tweet:
            message = f"{name}: unknown record type user"
            items.append(Notice(level=Level.UNKNOWN, path=page.source.path, line=line, message=message))
            continue
        add_tweet(tweet, page, events, 0)
    items.extend(events)
    return items


def _error(value: Mapping[str, Any], path: str, line: int) -> Notice:
    errors = value.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else errors
    if isinstance(first, dict):
        what = ": ".join(
            str(first[key]) for key in ("title", "detail") if isinstance(first.get(key), str | int)
        )
    else:
        what = str(first)
    message = f"{name}: the API returned an error instead of tweets: {what or 'no detail'}"
    return Notice(level=Level.WARNING, path=path, line=line, message=message)
