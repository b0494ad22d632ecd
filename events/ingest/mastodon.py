"""The `mastodon` format: REST statuses, streaming events and an account export's ActivityPub outbox.

Read: a status entity or an array of them (REST); streaming events as JSON objects `{"event": ...,
"payload": ...}` (the payload an object or a JSON string), one per line or in an array, or as the
server-sent text (`event: update` / `data: {...}` blocks); ActivityPub objects: `outbox.json` (an
OrderedCollection, its activities streamed one at a time with the line each starts on, so an
export of any size is read in bounded memory), a single activity, or a bare Note.

Streaming: `update` is the status's events, `status.update` an edit (PUBLISHED plus EDITED at
`edited_at`), `delete` a DELETED event for the bare status id by an unknown author. A delete
carries no time of its own, so it is placed at the event's `queued_at` when the server stamped one;
else at the latest time of the events read before it in the same document (streams arrive out of
order, so the latest, not the last), with that event's precision; with neither, it is a bad record.
The same fallback serves an ActivityPub Delete that carries no time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from events.ingest import activitypub
from events.ingest.base import Item, Level, Notice
from events.ingest.document import Document
from events.ingest.json_fields import RecordError, UnknownRecord
from events.ingest.json_members import member_items
from events.ingest.mastodon_status import PLATFORM, status_events
from events.ingest.records import layout, loads, records
from events.ingest.text import from_epoch
from events.model import Author, Event, Kind, Post, Source

name = "mastodon"

_ACCT_KEY = re.compile(r'(?<!\\)"acct"\s*:')
_STREAM_EVENT = re.compile(r'(?<!\\)"event"\s*:\s*"[\w.]+"')
_PAYLOAD_KEY = re.compile(r'(?<!\\)"payload"\s*:')
_AP_TYPE = re.compile(r'(?<!\\)"type"\s*:\s*"(?:Create|Announce|Delete|Update|Note|OrderedCollection)"')
_AP_MARKERS = ("https://www.w3.org/ns/activitystreams", '"attributedTo"', '"orderedItems"')
_SSE_FIELD = re.compile(r"(?:event|data|id|retry):")
_OUTBOX = re.compile(r'(?<!\\)"orderedItems"\s*:\s*\[')


def sniff(document: Document) -> bool:
    """True for Mastodon JSON (statuses, streaming events, ActivityPub) or streaming text."""
    head = document.head.lstrip()
    if _is_event_stream(head):
        return True
    if not head.startswith(("{", "[")):
        return False
    if _ACCT_KEY.search(head) or (_STREAM_EVENT.search(head) and _PAYLOAD_KEY.search(head)):
        return True
    return _AP_TYPE.search(head) is not None and any(marker in head for marker in _AP_MARKERS)


def read(document: Document) -> Iterator[Item]:
    """The events of a Mastodon document, in file order, with a Notice for anything else."""
    reader = _Reader(document.name)
    if _is_event_stream(document.head.lstrip()):
        for line, event, data in _server_sent_events(document):
            yield from reader.guarded(line, "", partial(reader.stream, event, data, None))
        return
    shape = layout(document)
    one_long_line = shape == "lines" and document.head_is_partial and "\n" not in document.head.strip()
    big_outbox = (shape == "stream" or one_long_line) and _OUTBOX.search(document.head)
    # An account export's outbox is streamed one activity at a time, never held whole, however
    # it is laid out (pretty-printed, or all on one line).
    for record in member_items(document, "orderedItems") if big_outbox else records(document):
        if isinstance(record, Notice):
            yield record
        else:
            yield from reader.record(record.value, record.line)


def _is_event_stream(head: str) -> bool:
    """True when the first line that is not a comment is a server-sent-events field."""
    for line in head.splitlines():
        if line.strip() and not line.startswith(":"):
            return _SSE_FIELD.match(line) is not None
    return False


def _server_sent_events(document: Document) -> Iterator[tuple[int, str, str]]:
    """(line of the block, event name, data) for each block of server-sent text."""
    event, data, start = "message", list[str](), 0
    for number, line in document.lines():
        if not line:
            if data:
                yield start, event, "\n".join(data)
            event, data, start = "message", list[str](), 0
            continue
        if line.startswith(":"):  # a comment: the server's heartbeat
            continue
        field, _, value = line.partition(":")
        start = start or number
        if field == "event":
            event = value.removeprefix(" ")
        elif field == "data":
            data.append(value.removeprefix(" "))
    if data:
        yield start, event, "\n".join(data)


class _Reader:
    """Turns records into events, remembering the latest time read for deletes that carry none."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.latest: activitypub.Moment | None = None

    def record(self, value: Any, line: int) -> Iterator[Item]:
        if not isinstance(value, dict):
            yield self._notice(Level.BAD, line, f"expected a JSON object, got {type(value).__name__}")
        elif isinstance(value.get("event"), str) and "payload" in value:
            event, payload = value["event"], value["payload"]
            yield from self.guarded(line, "", lambda source: self.stream(event, payload, value, source))
        elif activitypub.type_of(value) in activitypub.COLLECTION_TYPES:
            yield from self._collection(value, line)
        elif "type" in value:
            yield from self.guarded(line, "", self._activity(value))
        elif {"account", "content", "created_at"} & value.keys():
            yield from self.guarded(line, "", lambda source: status_events(value, source))
        else:
            message = f"{name}: unknown record type (no event, type or account)"
            yield self._notice(Level.UNKNOWN, line, message)

    def _collection(self, collection: dict[str, Any], line: int) -> Iterator[Item]:
        try:
            for where, item in activitypub.collection_items(collection):
                yield from self.guarded(line, f"{where}: ", self._activity(item))
        except RecordError as exc:
            yield self._notice(Level.BAD, line, str(exc))

    def _activity(self, activity: Any) -> Callable[[Source], list[Event]]:
        return lambda source: activitypub.activity_events(activity, source, self.latest)

    def stream(self, event: str, payload: Any, record: dict[str, Any] | None, source: Source) -> list[Event]:
        """The events of one streaming event; the payload is an object or its JSON text."""
        if event == "delete":
            return [self._delete(payload, record, source)]
        if event not in ("update", "status.update"):
            raise UnknownRecord(event)
        if isinstance(payload, str):
            try:
                payload = loads(payload)
            except ValueError as exc:
                raise RecordError(f"{event} payload is not valid JSON: {exc}") from None
        if event == "status.update" and not (isinstance(payload, dict) and payload.get("edited_at")):
            raise RecordError("status.update payload has no edited_at")
        return status_events(payload, source)

    def _delete(self, payload: Any, record: dict[str, Any] | None, source: Source) -> Event:
        if isinstance(payload, bool) or not isinstance(payload, str | int) or payload == "":
            raise RecordError("delete payload must be a status id")
        status_id = str(payload).strip().strip('"')
        queued_at = record.get("queued_at") if record else None
        if isinstance(queued_at, int | float) and not isinstance(queued_at, bool):
            moment = from_epoch(queued_at, millis=True)
        elif self.latest is not None:
            moment = self.latest
        else:
            message = f"delete of {status_id} has no time, and no event before it in the file has one"
            raise RecordError(message)
        post = Post(platform=PLATFORM, id=status_id, author=Author(handle="unknown"), text="", source=source)
        return Event(kind=Kind.DELETED, occurred_at=moment[0], precision=moment[1], post=post)

    def guarded(self, line: int, where: str, build: Callable[[Source], list[Event]]) -> Iterator[Item]:
        """The events `build` makes, or one notice saying why the record gave none."""
        source = Source(path=self.path, format=name, line=line)
        try:
            events = build(source)
        except UnknownRecord as exc:
            yield self._notice(Level.UNKNOWN, line, f"{name}: unknown record type {exc.kind}")
            return
        except ValueError as exc:  # RecordError, and the model's own validation of what was read
            yield self._notice(Level.BAD, line, f"{where}{exc}")
            return
        for event in events:
            if self.latest is None or event.occurred_at > self.latest[0]:
                self.latest = (event.occurred_at, event.precision)
            yield event

    def _notice(self, level: Level, line: int, message: str) -> Notice:
        return Notice(level=level, path=self.path, line=line, message=message)
