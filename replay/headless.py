"""Headless play: run the scheduler under trio and write each post to a stream as it comes due.

Text lines read "TIME  @handle  text": the time at the post's real precision ("12 Dec 2016" for
a post known to the day), the text on one line. Post text is data, never terminal control: line
breaks show as "⏎", tabs as a space, and every other control character (escape included) as a
visible symbol, so nothing in a post can move the cursor, change colours or retitle a terminal.
JSONL writes the export format, one entry per line, always as stored.

`paused=True` means there is nobody to press play: the state at the start position is written
(the posts visible on the timeline there, oldest first: with `since`, what had been posted
before it) and play returns without playing. Ctrl-C stops cleanly and a closed pipe (`| head`)
ends quietly, both with exit code 0.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Literal, TextIO

import trio

from events.codec import Row, export_line_from_row
from events.model import GENESIS
from events.store import Log
from events.timeline import Visible
from replay.lines import TextLines
from replay.scheduler import Batch, Ended, Reset, Scheduler

EXIT_OK = 0
OutputFormat = Literal["text", "jsonl"]


def play(
    log_path: str | Path,
    *,
    speed: float | None = 1.0,
    since: datetime | None = None,
    until: datetime | None = None,
    max_gap: float | None = None,
    paused: bool = False,
    loop: bool = False,
    output_format: OutputFormat = "text",
    out: TextIO,
) -> int:
    """Replay the log at `log_path` to `out`; returns the exit code. `speed=None` plays at max."""
    with Log.open(log_path, readonly=True) as log:
        write = _writer(log, output_format, out)
        try:
            edited = output_format == "text"  # JSONL writes entries as stored; edits are their own
            trio.run(_play, Path(log_path), write, out, speed, since, until, max_gap, paused, loop, edited)
        except BaseException as exc:
            if not _only(exc, (KeyboardInterrupt, BrokenPipeError)):
                raise _single(exc) from None
            if _only(exc, (BrokenPipeError,)):
                _silence(out)
    return EXIT_OK


async def _play(
    path: Path,
    write: Callable[[Iterable[Row]], None],
    out: TextIO,
    speed: float | None,
    since: datetime | None,
    until: datetime | None,
    max_gap: float | None,
    paused: bool,
    loop: bool,
    edited: bool,
) -> None:
    with Scheduler.open(
        path,
        speed=speed,
        since=since,
        until=until,
        max_gap=max_gap,
        paused=paused,
        loop=loop,
        keep_state=paused,  # playing needs no state; the paused view shows it
        max_batch=4096 if speed is None else 1024,
    ) as scheduler:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(scheduler.run)
            async for update in scheduler.updates:
                if isinstance(update, Batch):
                    write(update.rows)
                    out.flush()
                elif isinstance(update, Reset) and paused:
                    _write_state(update, write, path, edited)
                    out.flush()
                    break
                elif isinstance(update, Ended):
                    break
            nursery.cancel_scope.cancel()


def _write_state(reset: Reset, write: Callable[[Iterable[Row]], None], path: Path, edited: bool) -> None:
    """The posts visible at the reset's position, oldest first, written as rows.

    With `edited`, each row carries the text the post shows now (edits applied), for reading;
    without, each is the entry exactly as stored, so JSONL lines are true export lines.
    """
    if reset.projection is None:
        return
    visible = list(reversed(reset.projection.recent()))
    with Log.open(path, readonly=True) as log:
        rows = [_row_shown(item, log, edited) for item in visible]
    write(rows)


def _row_shown(item: Visible, log: Log, edited: bool) -> Row:
    """The stored row that put `item` on the timeline; with `edited`, the body it shows now."""
    # Positions are ordered by (occurred_at, seq): the first row after (t, seq - 1) is (t, seq).
    stored = next(log.rows_after(item.occurred_us, item.seq - 1, item.occurred_us + 1))
    if not edited:
        return stored
    seq, id_, kind, occurred, precision, recorded, _, hash_ = stored
    return (seq, id_, kind, occurred, precision, recorded, item.body, hash_)


def _writer(log: Log, output_format: OutputFormat, out: TextIO) -> Callable[[Iterable[Row]], None]:
    if output_format == "text":
        lines = TextLines()

        def write_text(rows: Iterable[Row]) -> None:
            out.write(lines.render(rows))

        return write_text
    if output_format == "jsonl":
        previous = [(0, bytes.fromhex(GENESIS))]  # (seq, hash) of the last row written

        def write_jsonl(rows: Iterable[Row]) -> None:
            parts = []
            for row in rows:
                seq = row[0]
                last_seq, last_hash = previous[0]
                prev = last_hash if seq == last_seq + 1 else log.hash_before(seq)
                parts.append(export_line_from_row(row, prev) + "\n")
                previous[0] = (seq, row[7])
            out.write("".join(parts))

        return write_jsonl
    raise ValueError(f"output format must be 'text' or 'jsonl', got {output_format!r}")


def _only(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    """True when `exc`, or every exception in a (nested) group of them, is one of `kinds`."""
    if isinstance(exc, BaseExceptionGroup):
        return all(_only(inner, kinds) for inner in exc.exceptions)
    return isinstance(exc, kinds)


def _single(exc: BaseException) -> BaseException:
    """The one error inside trio's (nested) exception groups, so callers see what went wrong."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def _silence(out: TextIO) -> None:
    """After the reader of `out` went away, point it at /dev/null so the final flush is quiet."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
