"""The `bluesky` format: PostView, FeedViewPost, repo records and Jetstream commit events.

Read: PostView objects (`uri`, `author`, `record`, `indexedAt`), alone, in an array, one per line,
or as an API response's `posts`; FeedViewPost objects (`post`, `reply`, `reason`), or a feed
response's `feed`; `com.atproto.repo.listRecords` entries (`uri`, `value`) or its `records`; and
Jetstream events (`did`, `time_us`, `kind`, `commit`).

Every post and repost is keyed by its at:// URI, so the hydrated and the firehose form of one post
are one post. A post is PUBLISHED at its record's `createdAt`; a `createdAt` that is missing or
unreadable (no offset, a year 0) falls back to the server's time (`indexedAt`, Jetstream's `time_us`)
with a warning. A reply or quoted post given in full is PUBLISHED too, before the post. A repost
(`reason` #reasonRepost, or an `app.bsky.feed.repost` record) is REPOSTED by the reposter at
`reason.indexedAt` or the record's `createdAt`. Jetstream names authors only by DID, so a post read
from it has Author(handle=<did>); `delete` is DELETED at `time_us`, `update` EDITED at `time_us`.
Other collections (likes, follows, ...) and other event kinds are unknown records, counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from events.ingest.base import Item, Level, Notice
from events.ingest.bluesky_record import PLATFORM, POST, REPOST, did_of, post_uri, record_post
from events.ingest.document import Document
from events.ingest.json_fields import Json, RecordError, UnknownRecord, iso_time, obj, optional_string, string
from events.ingest.records import records
from events.ingest.text import parse_iso_time
from events.model import Author, Event, Kind, Post, Precision, Source, from_micros

name = "bluesky"

_MARKERS = re.compile(r'(?<!\\)"(?:at://did:|app\.bsky\.)|(?<!\\)"did"\s*:\s*"did:')
_LISTS = ("feed", "posts", "records")

Moment = tuple[datetime, Precision]


def sniff(document: Document) -> bool:
    """True for JSON that names at:// URIs, DIDs or app.bsky record types."""
    head = document.head.lstrip()
    return head.startswith(("{", "[")) and _MARKERS.search(head) is not None


def read(document: Document) -> Iterator[Item]:
    """The events of a Bluesky document, in file order, with a Notice for anything else."""
    reader = _Reader(document.name)
    for record in records(document):
        if isinstance(record, Notice):
            yield record
        else:
            yield from reader.record(record.value, record.line)


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def record(self, value: Any, line: int) -> Iterator[Item]:
        if not isinstance(value, dict):
            message = f"expected a JSON object, got {type(value).__name__}"
            yield Notice(level=Level.BAD, path=self.path, line=line, message=message)
            return
        wrapped = next((key for key in _LISTS if isinstance(value.get(key), list)), None)
        if wrapped is None or "uri" in value:
            yield from self._guarded(line, "", value)
            return
        for index, entry in enumerate(value[wrapped]):
            yield from self._guarded(line, f"{wrapped}[{index}]: ", entry)

    def _guarded(self, line: int, where: str, value: Any) -> Iterator[Item]:
        source = Source(path=self.path, format=name, line=line)
        try:
            found = _events(value, source)
        except UnknownRecord as exc:
            message = f"{name}: unknown record type {exc.kind}"
            yield Notice(level=Level.UNKNOWN, path=self.path, line=line, message=message)
            return
        except ValueError as exc:  # RecordError, and the model's own validation of what was read
            yield Notice(level=Level.BAD, path=self.path, line=line, message=f"{where}{exc}")
            return
        yield from found


def _events(value: Any, source: Source) -> list[Item]:
    if not isinstance(value, dict):
        raise RecordError(f"expected a JSON object, got {type(value).__name__}")
    if "commit" in value or ("kind" in value and "time_us" in value):
        return _jetstream(value, source)
    if isinstance(value.get("post"), dict):
        return _feed_view_post(value, source)
    if "uri" in value and "record" in value:
        return _post_view(value, "record", source)
    if "uri" in value and "value" in value:
        uri = string(value, "uri")
        author = Author(handle=did_of(uri))
        return _record_events(uri, author, obj(value, "value"), source, None)
    raise UnknownRecord(str(value.get("$type") or "(no uri, post or commit)"))


def _author(profile: Json, where: str) -> Author:
    return Author(
        handle=string(profile, "handle", where), name=optional_string(profile, "displayName", where)
    )


def _created(record: Json, fallback: Moment | None, source: Source, notes: list[Item]) -> Moment:
    """The record's createdAt; the server's time with a warning when createdAt cannot be read."""
    value = record.get("createdAt")
    try:
        if value is None:
            raise ValueError("missing")
        return parse_iso_time(value)
    except ValueError as exc:
        problem = "record.createdAt is missing" if value is None else f"record.createdAt: {exc}"
        if fallback is None:
            raise RecordError(problem) from None
        message = f"{problem}; the server's time is used instead"
        notes.append(Notice(level=Level.WARNING, path=source.path, line=source.line, message=message))
        return fallback


def _record_events(
    uri: str, author: Author, record: Json, source: Source, fallback: Moment | None
) -> list[Item]:
    """PUBLISHED for a post record, REPOSTED for a repost record."""
    kind = record.get("$type")
    notes: list[Item] = []
    if kind == POST:
        post = record_post(uri, author, record, source)
        moment = _created(record, fallback, source, notes)
        return [*notes, Event.published(post, *moment)]
    if kind == REPOST:
        subject = obj(record, "subject", "record.")
        repost = Post(
            platform=PLATFORM,
            id=uri,
            author=author,
            text="",
            repost_of=string(subject, "uri", "record.subject."),
            source=source,
        )
        moment = _created(record, fallback, source, notes)
        return [*notes, Event(kind=Kind.REPOSTED, occurred_at=moment[0], precision=moment[1], post=repost)]
    raise UnknownRecord(str(kind))


def _post_view(view: Json, record_key: str, source: Source) -> list[Item]:
    """The events of a PostView (or an embedded viewRecord, whose record is under `value`)."""
    uri = string(view, "uri")
    record = obj(view, record_key)
    if record.get("$type", POST) != POST:
        raise UnknownRecord(str(record.get("$type")))
    found: list[Item] = []
    quoted = _quoted_view(view.get("embed"))
    if quoted is not None:
        found += _post_view(quoted, "value", source)
    indexed = iso_time(view, "indexedAt") if view.get("indexedAt") else None
    post = record_post(uri, _author(obj(view, "author"), "author."), record, source)
    moment = _created(record, indexed, source, found)
    found.append(Event.published(post, *moment))
    return found


def _quoted_view(embed: Any) -> Json | None:
    """The quoted post of an embed view given in full (a viewRecord with its `value`), if any."""
    if not isinstance(embed, dict):
        return None
    view = embed.get("record")
    if isinstance(view, dict) and isinstance(view.get("record"), dict):  # recordWithMedia#view
        view = view["record"]
    if not isinstance(view, dict) or not isinstance(view.get("value"), dict) or "author" not in view:
        return None
    return view if view["value"].get("$type") == POST else None


def _feed_view_post(item: Json, source: Source) -> list[Item]:
    found: list[Item] = []
    reply = item.get("reply")
    if isinstance(reply, dict):
        root, parent = reply.get("root"), reply.get("parent")
        for context in (root, parent) if parent != root else (root,):
            if isinstance(context, dict) and "record" in context and "uri" in context:
                found += _post_view(context, "record", source)
    found += _post_view(obj(item, "post"), "record", source)
    reason = item.get("reason")
    if isinstance(reason, dict) and str(reason.get("$type", "")).endswith("#reasonRepost"):
        original = next(i for i in reversed(found) if isinstance(i, Event)).post
        occurred_at, precision = iso_time(reason, "indexedAt", "reason.")
        repost_id = reason.get("uri")
        repost = original.reposted(
            id=repost_id if isinstance(repost_id, str) and repost_id else None,
            author=_author(obj(reason, "by", "reason."), "reason.by."),
            source=source,
        )
        found.append(Event(kind=Kind.REPOSTED, occurred_at=occurred_at, precision=precision, post=repost))
    return found


def _jetstream(event: Json, source: Source) -> list[Item]:
    kind = event.get("kind", "commit")
    if kind != "commit":
        raise UnknownRecord(str(kind))
    did = string(event, "did")
    commit = obj(event, "commit")
    collection = string(commit, "collection", "commit.")
    if collection not in (POST, REPOST):
        raise UnknownRecord(collection)
    uri = post_uri(did, collection, string(commit, "rkey", "commit."))
    seen = _seen_at(event)
    operation = commit.get("operation")
    if operation == "create":
        return _record_events(uri, Author(handle=did), obj(commit, "record", "commit."), source, seen)
    if seen is None:
        raise RecordError(f"{operation} has no time_us")
    if operation == "delete":
        post = Post(platform=PLATFORM, id=uri, author=Author(handle=did), text="", source=source)
        return [Event(kind=Kind.DELETED, occurred_at=seen[0], precision=seen[1], post=post)]
    if operation == "update" and collection == POST:
        post = record_post(uri, Author(handle=did), obj(commit, "record", "commit."), source)
        return [Event(kind=Kind.EDITED, occurred_at=seen[0], precision=seen[1], post=post)]
    raise RecordError(f"commit.operation {operation!r} is not create, update or delete")


def _seen_at(event: Json) -> Moment | None:
    """When the relay saw a Jetstream event (`time_us`, microseconds since the epoch)."""
    micros = event.get("time_us")
    if micros is None:
        return None
    if isinstance(micros, bool) or not isinstance(micros, int):
        raise RecordError("time_us must be an integer")
    try:
        return from_micros(micros), Precision.MICROSECOND
    except OverflowError:
        raise RecordError(f"time_us out of range: {micros}") from None
