"""What every importer shares: the notices it yields beside events, and the shape of an importer."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Protocol

from attrs import frozen

from events.ingest.document import Document
from events.model import Event
from events.readback import Restored, RestoredBlock


class Level(enum.Enum):
    """How serious a notice is."""

    WARNING = "warning"
    """Worth telling the user; nothing was lost (an unattributed quote in an article)."""
    BAD = "bad"
    """A malformed record: stops the ingest unless bad records are skipped."""
    UNKNOWN = "unknown"
    """A record of a type the importer does not read: counted and reported."""


@frozen(kw_only=True)
class Notice:
    """Something an importer met that is not an event, with where it was."""

    level: Level
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


Item = Event | Restored | RestoredBlock | Notice
"""What an importer yields."""


class Importer(Protocol):
    """An input format: recognises its documents and turns one into events and notices."""

    name: str
    """The name given to --format."""

    def sniff(self, document: Document) -> bool:
        """True when the start of `document` looks like this format."""
        ...

    def read(self, document: Document) -> Iterator[Item]:
        """The events of `document`, in file order, with a Notice for anything else met."""
        ...
