"""The export format read back: JSON Lines of log entries, keeping their ids, times and bodies.

Reading back is mostly checking (parse, validate, recompute the id), which is pure, so a large
input is checked in worker processes, a batch of lines at a time, while this process appends.
"""

from __future__ import annotations

import json
import os
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context

from events.codec import Restored, restore_lines
from events.ingest.base import Item, Level, Notice
from events.ingest.document import Document

name = "jsonl"

Checked = list[tuple[str, str, int, str, int | None, str, str] | tuple[int, str]]

PARALLEL_FROM_BYTES = 8 * 1024 * 1024
"""Smaller inputs are read in this process: starting workers would cost more than they save."""
BATCH_LINES = 2000
AHEAD = 3
"""Batches in flight per worker: enough to keep it busy, few enough to bound memory."""


def sniff(document: Document) -> bool:
    """True when the first line is an exported entry."""
    first = document.head.lstrip().partition("\n")[0]
    try:
        record = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return isinstance(record, dict) and {"kind", "occurred_at", "post"} <= record.keys()


def read(document: Document) -> Iterator[Item]:
    """One Restored event per non-blank line, in order; a line that is not an entry is a BAD notice."""
    workers = os.cpu_count() or 1
    small = document.size is not None and document.size < PARALLEL_FROM_BYTES
    for batch in _checked(document) if small or workers < 2 else _checked_in_workers(document, workers):
        for result in batch:
            if len(result) == 2:
                number, message = result
                yield Notice(level=Level.BAD, path=document.name, line=number, message=message)
            else:
                id_, kind, occurred_us, precision, recorded_us, body, source = result
                yield Restored(
                    id=id_,
                    kind=kind,
                    occurred_us=occurred_us,
                    precision=precision,
                    recorded_us=recorded_us,
                    body=body,
                    source=source,
                )


def _batches(document: Document) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for number, line in document.lines():
        if line.strip():
            batch.append((number, line))
            if len(batch) == BATCH_LINES:
                yield batch
                batch = []
    if batch:
        yield batch


def _checked(document: Document) -> Iterator[Checked]:
    for batch in _batches(document):
        yield restore_lines(batch)


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group; the parent stops the ingest, the workers just end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _checked_in_workers(document: Document, workers: int) -> Iterator[Checked]:
    """The batches checked by `workers` processes, handed back in file order."""
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_ignore_interrupts)
    pending: deque[Future[Checked]] = deque()
    try:
        for batch in _batches(document):
            pending.append(pool.submit(restore_lines, batch))
            if len(pending) >= workers * AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
