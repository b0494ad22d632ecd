"""The input formats `replay ingest` knows, by name, and how `--format auto` picks one."""

from __future__ import annotations

from events.errors import InputError
from events.ingest import (
    article,
    bluesky,
    csv_table,
    jsonl,
    mastodon,
    twitter_v1,
    twitter_v2,
    x_archive,
)
from events.ingest.base import Importer
from events.ingest.document import Document

# The order `auto` tries them in: the most specific first, plain-text articles last.
_ORDER: tuple[Importer, ...] = (
    jsonl,
    mastodon,
    bluesky,
    csv_table,
    x_archive,
    twitter_v2,
    twitter_v1,
    article,
)
IMPORTERS: dict[str, Importer] = {importer.name: importer for importer in _ORDER}
"""Every importer by name."""

AUTO = "auto"


def names() -> list[str]:
    """The values --format accepts."""
    return [AUTO, *IMPORTERS]


def choose(document: Document, format_name: str = AUTO) -> Importer:
    """The importer for `document`: the one named, or the first whose sniff recognises it."""
    if format_name != AUTO:
        try:
            return IMPORTERS[format_name]
        except KeyError:
            known = ", ".join(names())
            raise InputError(document.name, f"unknown format {format_name!r} (known: {known})") from None
    for importer in IMPORTERS.values():
        if importer.sniff(document):
            return importer
    raise InputError(document.name, "cannot tell the format; name it with --format")
