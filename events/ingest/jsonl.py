"""The export format read back: JSON Lines of log entries, keeping their ids, times and bodies.

Reading back is mostly checking (parse, validate, recompute the id), which is pure, so a large
input is checked in worker processes, a block of lines at a time, while this process appends on
a core of its own.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Generator, Iterable, Iterator

from events.codec import CodecError
from events.errors import InputError
from events.ingest.base import Item, Level, Notice
from events.ingest.document import Block, Document, Span
from events.ingest.workers import WorkerLost, in_order
from events.readback import RestoredBlock, RestoredRow, restore_row

name = "jsonl"

PARALLEL_FROM_BYTES = 32 * 1024 * 1024
"""Smaller inputs are read in this process: starting a worker (it imports the package afresh)
would cost more than it saves. Measured break-even on 2 cores: about 40,000 entries, 32 MB."""
AHEAD = 3
"""Blocks in flight per worker: enough to keep it busy, few enough to bound memory."""


_EXPORT_START = re.compile(
    r'\{"hash":"[0-9a-f]{64}","id":"[0-9a-f]{64}","kind":"post\.[a-z]+","occurred_at":"'
)
"""How `replay log export` begins every line: enough to know one whose end is past the sniff window."""


def sniff(document: Document) -> bool:
    """True when the first line is an exported entry."""
    first, newline, _ = document.head.lstrip().partition("\n")
    try:
        record = json.loads(first)
    except (ValueError, RecursionError):
        cut = not newline and document.head_is_partial  # a first line longer than the window
        return cut and _EXPORT_START.match(first) is not None
    return isinstance(record, dict) and {"kind", "occurred_at", "post"} <= record.keys()


def read(document: Document) -> Iterator[Item]:
    """The entries of each block of lines, in order; a line that is not an entry is a BAD notice."""
    workers = (os.cpu_count() or 1) - 1  # this process appends, on a core of its own
    small = document.size is not None and document.size < PARALLEL_FROM_BYTES
    if small or workers < 1:
        checked: Iterator[Checked] = map(restore_block, document.blocks())
    else:
        checked = _in_workers(document, workers)
    try:
        for rows, bad, unreadable in checked:
            yield RestoredBlock(rows)
            for number, message in bad:
                yield Notice(level=Level.BAD, path=document.name, line=number, message=message)
            if unreadable is not None:
                raise unreadable  # after what the lines before it said: the first problem first
    finally:
        if isinstance(checked, Generator):
            checked.close()  # the workers end now, not when the error's traceback is collected


Checked = tuple[list[RestoredRow], list[tuple[int, str]], InputError | None]
"""A block read back: its entries as rows, (line number, what is wrong) of the other lines, and
the error of a line that is not text, which ends the read there."""


def restore_block(block: Block) -> Checked:
    """Every non-blank line of `block` read back and checked.

    A line that is not text ends the read with an InputError, as in any other input.
    """
    rows: list[RestoredRow] = []
    bad: list[tuple[int, str]] = []
    try:
        for number, line in block.lines():
            if not line or line.isspace():
                continue
            try:
                rows.append(restore_row(line))
            except CodecError as exc:
                bad.append((number, str(exc)))
    except InputError as exc:
        return rows, bad, exc
    return rows, bad, None


def _restore_piece(piece: Block | Span) -> tuple[Checked, int]:
    """What a worker does: read the piece if it is a span, check it, and count its lines."""
    block = piece.read() if isinstance(piece, Span) else piece
    return restore_block(block), block.data.count(b"\n") + 1


def _in_workers(document: Document, workers: int) -> Iterator[Checked]:
    """The document checked by `workers` processes, a piece each at a time, in input order.

    A plain file is handed out as spans, which the workers read themselves; other inputs as
    blocks read here. Lines in a span are numbered from 1, so they are renumbered here.
    """
    pieces: Iterable[Block | Span] = document.spans() if document.path is not None else document.blocks()
    relative = document.path is not None
    before = 0  # lines before the piece whose result comes next

    def shifted(error: InputError, shift: int) -> InputError:
        return InputError(error.path, error.message, None if error.line is None else error.line + shift)

    checked = in_order(_restore_piece, pieces, workers=workers, ahead=AHEAD)
    try:
        for (rows, bad, unreadable), count in checked:
            shift = before if relative else 0
            before += count
            told = [(number + shift, message) for number, message in bad]
            yield rows, told, None if unreadable is None else shifted(unreadable, shift)
    except WorkerLost as exc:
        raise InputError(document.name, f"could not be checked: {exc}") from None
