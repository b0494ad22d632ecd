"""Helpers for the importer tests: read a file or a text through an importer, split what comes out."""

from __future__ import annotations

from pathlib import Path

from events.ingest.base import Importer, Item, Level, Notice
from events.ingest.document import Document, from_text
from events.model import Event, Kind

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def read(importer: Importer, source: Path | str | Document) -> list[Item]:
    """Everything `importer` yields for a file path or a document."""
    document = source if isinstance(source, Document) else Document.open(str(source))
    return list(importer.read(document))


def text_document(text: str, name: str = "input.json") -> Document:
    """A document over in-memory text."""
    return from_text(name, text)


def events_of(items: list[Item]) -> list[Event]:
    """The events among `items`, in order."""
    return [item for item in items if isinstance(item, Event)]


def notices_of(items: list[Item], level: Level | None = None) -> list[Notice]:
    """The notices among `items` (of one level when given), in order."""
    return [item for item in items if isinstance(item, Notice) and level in (None, item.level)]


def kinds_of(events: list[Event]) -> list[Kind]:
    """The kind of each event."""
    return [event.kind for event in events]


def by_kind(events: list[Event], kind: Kind) -> list[Event]:
    """The events of one kind."""
    return [event for event in events if event.kind is kind]


def only_event(items: list[Item]) -> Event:
    """The one item, which must be an event."""
    [item] = items
    assert isinstance(item, Event), item
    return item


def only_notice(items: list[Item]) -> Notice:
    """The one item, which must be a notice."""
    [item] = items
    assert isinstance(item, Notice), item
    return item
