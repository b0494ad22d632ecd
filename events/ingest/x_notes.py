"""The long texts of an X archive's `note-tweet.js`, matched to the truncated tweets they complete.

A note is keyed by its own `noteTweetId`, not by the tweet's id, so it is matched the way a person
would: the tweet was created in the same second as the note (±2 s, for the moment between saving
the note and posting the tweet), and the note's text continues the tweet's truncated text (leading
"@handle" reply mentions and a final "…" aside). The tweet then takes the note's text and entities.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from events.errors import InputError
from events.ingest.document import Document
from events.ingest.records import records
from events.ingest.text import parse_iso_time
from events.ingest.tweet import compose, found_in, present
from events.model import Event, Kind, to_micros

_LEADING_MENTIONS = re.compile(r"^(?:[@＠]\w+\s+)+")
_SLACK_SECONDS = 2
# A tweet's text shorter than this is not the cut-off start of a long one.
_MIN_SHARED = 20


@attrs.frozen
class _Note:
    text: str
    body: str  # the text without leading mentions, to compare with a tweet's
    hashtags: tuple[str, ...]
    mentions: tuple[str, ...]
    urls: tuple[str, ...]


class Notes:
    """The notes of one archive, by the second they were created in."""

    def __init__(self, by_second: dict[int, list[_Note]]) -> None:
        self._by_second = by_second

    @classmethod
    def empty(cls) -> Notes:
        """No notes: tweets keep their own text."""
        return cls({})

    @classmethod
    def load(cls, path: Path) -> Notes:
        """The notes of `path` (`note-tweet.js`); none when it is absent or cannot be read."""
        if not path.is_file():
            return cls.empty()
        by_second: dict[int, list[_Note]] = {}
        try:
            for record in records(Document.open(str(path))):
                value = getattr(record, "value", None)
                note = value.get("noteTweet") if isinstance(value, dict) else None
                if isinstance(note, dict):
                    found = _note(note)
                    if found is not None:
                        by_second.setdefault(found[0], []).append(found[1])
        except (InputError, OSError, ValueError, TypeError):
            pass  # the tweets are still worth reading with their own, truncated, text
        return cls(by_second)

    def __bool__(self) -> bool:
        return bool(self._by_second)

    def complete(self, event: Event) -> Event:
        """`event` with the full text of its tweet when a note continues it; else `event` itself."""
        if event.kind not in (Kind.PUBLISHED, Kind.EDITED):
            return event
        post = event.post
        lead_match = _LEADING_MENTIONS.match(post.text)
        lead = lead_match.group(0) if lead_match else ""
        body = post.text[len(lead) :].rstrip().removesuffix("…").rstrip()
        if len(body) < _MIN_SHARED:  # too short to be the cut-off start of a long text
            return event
        second = to_micros(event.occurred_at) // 1_000_000
        for offset in range(-_SLACK_SECONDS, _SLACK_SECONDS + 1):
            for note in self._by_second.get(second + offset, ()):
                if len(note.body) > len(body) and note.body.startswith(body):
                    text = note.text if note.text.startswith(lead) else lead + note.body
                    mentions = tuple(dict.fromkeys((*post.mentions, *note.mentions)))
                    full = attrs.evolve(
                        post, text=text, hashtags=note.hashtags, mentions=mentions, urls=note.urls
                    )
                    return attrs.evolve(event, post=full)
        return event


def _note(note: Mapping[str, Any]) -> tuple[int, _Note] | None:
    core = note.get("core")
    created = note.get("createdAt")
    if not isinstance(core, dict) or not isinstance(core.get("text"), str) or not isinstance(created, str):
        return None
    try:
        moment, _ = parse_iso_time(created)
    except ValueError:
        return None
    links = {
        item["shortUrl"]: item["expandedUrl"]
        for item in _items(core, "urls")
        if isinstance(item.get("shortUrl"), str) and isinstance(item.get("expandedUrl"), str)
    }
    text, urls = compose(core["text"], links, ())
    tags = [item.get("text", item.get("hashtag")) for item in _items(core, "hashtags")]
    names = [item.get("screenName", item.get("screen_name")) for item in _items(core, "mentions")]
    if "hashtags" in core or "mentions" in core:
        hashtags, mentions = present(text, tags, names)
    else:
        hashtags, mentions, urls = found_in(text)
    lead = _LEADING_MENTIONS.match(text)
    body = text[lead.end() :] if lead else text
    return to_micros(moment) // 1_000_000, _Note(text, body, hashtags, mentions, urls)


def _items(container: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    values = container.get(key)
    return [item for item in values if isinstance(item, dict)] if isinstance(values, list) else []
