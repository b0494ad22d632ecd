"""Reads sources through their importers into a log, in one atomic append, and reports on it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from attrs import frozen

from events.errors import InputError
from events.ingest.base import Level, Notice
from events.ingest.document import Document
from events.ingest.formats import AUTO, choose
from events.model import Event
from events.readback import Restored, RestoredBlock
from events.store import Log

Progress = Callable[[int, int | None], None]
"""Called with (bytes read so far, total bytes when known)."""


@frozen(kw_only=True)
class Report:
    """What an ingest did: events found, appended and already present, and what it met besides."""

    found: int
    new: int
    present: int
    head: str
    formats: dict[str, str]
    warnings: tuple[Notice, ...]
    skipped: tuple[Notice, ...]
    unknown: dict[str, int]


def open_documents(paths: Sequence[str], names: Sequence[str] | None = None) -> list[Document]:
    """Open every input before anything is read, so a missing file fails before the log is touched.

    `names`, when given, are what the sources are called in the log and in messages.
    """
    documents = []
    for index, path in enumerate(paths):
        document = Document.open(path, None if names is None else names[index])
        document.check_text()
        if document.is_empty:
            raise InputError(document.name, "is empty")
        documents.append(document)
    return documents


def ingest(
    log: Log,
    paths: Sequence[str],
    *,
    format_name: str = AUTO,
    names: Sequence[str] | None = None,
    skip_bad: bool = False,
    on_progress: Progress | None = None,
    now: Callable[[], datetime] | None = None,
) -> Report:
    """Append every event of `paths` to `log`, all or nothing.

    A malformed record stops the ingest with an InputError (nothing appended) unless `skip_bad`,
    in which case it is left out and listed in the report.
    """
    documents = open_documents(paths, names)
    importers = {document.name: choose(document, format_name) for document in documents}
    total = None if any(d.size is None for d in documents) else sum(d.size or 0 for d in documents)
    warnings: list[Notice] = []
    skipped: list[Notice] = []
    unknown: Counter[str] = Counter()

    def events() -> Iterator[Event | Restored | RestoredBlock]:
        done = 0
        for document in documents:
            for item in importers[document.name].read(document):
                if not isinstance(item, Notice):
                    yield item
                elif item.level is Level.WARNING:
                    warnings.append(item)
                elif item.level is Level.UNKNOWN:
                    unknown[item.message] += 1
                elif skip_bad:
                    skipped.append(item)
                else:
                    raise InputError(item.path, item.message, item.line)
            done += document.bytes_read
        if on_progress is not None:
            on_progress(done, total)

    def progress(_: int) -> None:
        if on_progress is not None:
            done = sum(document.bytes_read for document in documents)
            on_progress(done, total)

    result = log.append(events(), now=now, on_progress=progress)
    return Report(
        found=result.found,
        new=result.new,
        present=result.present,
        head=result.head,
        formats={name: importer.name for name, importer in importers.items()},
        warnings=tuple(warnings),
        skipped=tuple(skipped),
        unknown=dict(unknown),
    )
