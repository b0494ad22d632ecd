"""The export format read back: JSON Lines of log entries, keeping their ids, times and bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator

from events.codec import CodecError, restore_line
from events.ingest.base import Item, Level, Notice
from events.ingest.document import Document

name = "jsonl"


def sniff(document: Document) -> bool:
    """True when the first line is an exported entry."""
    first = document.head.lstrip().partition("\n")[0]
    try:
        record = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return isinstance(record, dict) and {"kind", "occurred_at", "post"} <= record.keys()


def read(document: Document) -> Iterator[Item]:
    """One Restored event per non-blank line; a line that is not an entry is a BAD notice."""
    for number, line in document.lines():
        if not line.strip():
            continue
        try:
            yield restore_line(line)
        except CodecError as exc:
            yield Notice(level=Level.BAD, path=document.name, line=number, message=str(exc))
