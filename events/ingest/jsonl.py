"""The export format read back: JSON Lines of log entries, keeping their ids and recorded times."""

from __future__ import annotations

import json
from collections.abc import Iterator

from events.codec import event_id, import_record
from events.ingest.base import Item, Level, Notice
from events.ingest.document import Document
from events.store import Restored

name = "jsonl"


def sniff(document: Document) -> bool:
    """True when the first line is an exported entry."""
    first = document.head.lstrip().partition("\n")[0]
    try:
        record = json.loads(first)
    except ValueError:
        return False
    return isinstance(record, dict) and {"kind", "occurred_at", "post"} <= record.keys()


def read(document: Document) -> Iterator[Item]:
    """One Restored event per non-blank line; a line that is not an entry is a BAD notice."""
    for number, line in document.lines():
        if not line.strip():
            continue
        try:
            event, recorded_at, claimed = import_record(json.loads(line))
        except ValueError as exc:  # json.JSONDecodeError and CodecError are both ValueErrors
            message = f"not valid JSON: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else str(exc)
            yield Notice(level=Level.BAD, path=document.name, line=number, message=message)
            continue
        if claimed is not None and claimed != event_id(event):
            message = f"id {claimed[:12]}… does not match the entry's content"
            yield Notice(level=Level.BAD, path=document.name, line=number, message=message)
            continue
        yield event if recorded_at is None else Restored(event=event, recorded_at=recorded_at)
