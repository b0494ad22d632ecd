"""JSON records streamed out of a document: JSON Lines, one object, an array, or a JS-wrapped array.

Every JSON importer reads through `records()`, so duplicate keys, runaway nesting, truncated lines
and oversized records are handled once, the same way, with the line they were found on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from attrs import frozen

from events.ingest.base import Level, Notice
from events.ingest.document import MAX_LINE_BYTES, Document

MAX_RECORD_CHARS = MAX_LINE_BYTES
"""A single record larger than this is refused rather than buffered without bound."""

_JS_ASSIGNMENT = re.compile(r"\s*window\.[\w.$]+\s*=\s*")
_WHITESPACE = re.compile(r"[\s,]*")
_AFTER_ARRAY = re.compile(r"[\s;]*")


class DuplicateKeyError(ValueError):
    """A JSON object names the same key twice, so which value is meant is ambiguous."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise DuplicateKeyError(f"duplicate key {key!r} in a JSON object")
    return record


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


@frozen(kw_only=True)
class Record:
    """One JSON value read from a document, with the line it starts on."""

    line: int
    value: Any


def loads(text: str) -> Any:
    """Parse one JSON value strictly: duplicate keys and runaway nesting raise ValueError."""
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _problem(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} (column {exc.colno})"
    return str(exc)


def layout(document: Document) -> str:
    """How the document holds its records: "lines", "array", "js" or "stream"."""
    head = document.head.lstrip()
    if _JS_ASSIGNMENT.match(head):
        return "js"
    if head.startswith("["):
        return "array"
    first_line, newline, _ = head.partition("\n")
    if not newline and document.head_is_partial and first_line.startswith("{"):
        return "lines"  # one long line (a twarc2 page is 100 KB+) cut by the sniff window
    first_line = first_line.strip()
    try:
        json.loads(first_line)  # syntax only: a duplicate key still makes a JSON Lines file
    except (ValueError, RecursionError):
        return "stream"
    return "lines"


def records(document: Document) -> Iterator[Record | Notice]:
    """Every top-level record of `document`, streamed; the elements of a top-level array.

    A JSON Lines file recovers after a bad line (a BAD Notice for it, then the next line); in the
    other layouts a syntax error ends the read with a BAD Notice, since nothing after it can be
    trusted.
    """
    shape = layout(document)
    if shape == "lines":
        yield from _lines(document)
    else:
        yield from _stream(document, unwrap=shape in ("array", "js"), js=shape == "js")


def _lines(document: Document) -> Iterator[Record | Notice]:
    for number, line in document.lines():
        if not line.strip():
            continue
        if len(line) > MAX_RECORD_CHARS:
            message = f"line longer than {MAX_RECORD_CHARS:,} characters"
            yield Notice(level=Level.BAD, path=document.name, line=number, message=message)
            continue
        try:
            yield Record(line=number, value=loads(line))
        except ValueError as exc:
            yield Notice(level=Level.BAD, path=document.name, line=number, message=_problem(exc))


def _stream(document: Document, *, unwrap: bool, js: bool) -> Iterator[Record | Notice]:
    """Values decoded one after another from a growing buffer, never the whole file at once."""
    buffer = ""
    offset_line = 1  # line number of buffer[0]
    position = 0
    started = not unwrap
    attempt_at = 0  # buffer length at which decoding is worth trying again
    lines = document.lines()
    exhausted = False
    while True:
        if not exhausted and (len(buffer) - position < 2 or len(buffer) < attempt_at):
            try:
                _, text = next(lines)
                buffer += text + "\n"
                continue
            except StopIteration:
                exhausted = True
        if not started:
            match = _JS_ASSIGNMENT.match(buffer, position) if js else None
            position = match.end() if match else position
            position = _WHITESPACE.match(buffer, position).end()  # type: ignore[union-attr]
            if position >= len(buffer):
                if exhausted:
                    return
                continue
            if buffer[position] != "[":
                line = offset_line + buffer.count("\n", 0, position)
                message = "expected a JSON array here"
                yield Notice(level=Level.BAD, path=document.name, line=line, message=message)
                return
            position += 1
            started = True
        position = _WHITESPACE.match(buffer, position).end()  # type: ignore[union-attr]
        if unwrap and position < len(buffer) and buffer[position] == "]":
            # The array ends. Another may follow (an array per line, or a second `window.YTD...
            # = [` part); anything else is reported where it stands, never passed over.
            position = _AFTER_ARRAY.match(buffer, position + 1).end()  # type: ignore[union-attr]
            started = False
            continue
        if position >= len(buffer):
            if exhausted:
                if unwrap:
                    line = offset_line + buffer.count("\n")
                    message = "the JSON array is not closed (file cut short?)"
                    yield Notice(level=Level.BAD, path=document.name, line=line, message=message)
                return
            # Drop what has been decoded so memory holds at most one record.
            offset_line += buffer.count("\n", 0, position)
            buffer, position, attempt_at = buffer[position:], 0, 0
            continue
        line = offset_line + buffer.count("\n", 0, position)
        try:
            value, end = _DECODER.raw_decode(buffer, position)
        except RecursionError:
            yield Notice(level=Level.BAD, path=document.name, line=line, message="JSON nested too deeply")
            return
        except ValueError as exc:
            if not exhausted and not isinstance(exc, DuplicateKeyError):
                if len(buffer) - position > MAX_RECORD_CHARS:
                    message = f"record longer than {MAX_RECORD_CHARS:,} characters"
                    yield Notice(level=Level.BAD, path=document.name, line=line, message=message)
                    return
                # Probably incomplete: read on, doubling what is buffered so retries stay linear.
                attempt_at = len(buffer) + max(len(buffer) - position, 4096)
                continue
            if isinstance(exc, json.JSONDecodeError) and exc.pos < len(buffer.rstrip()):
                line = offset_line + buffer.count("\n", 0, exc.pos)
            yield Notice(level=Level.BAD, path=document.name, line=line, message=_problem(exc))
            return
        if end - position > MAX_RECORD_CHARS:
            message = f"record longer than {MAX_RECORD_CHARS:,} characters"
            yield Notice(level=Level.BAD, path=document.name, line=line, message=message)
            return
        yield Record(line=line, value=value)
        position = end
        if position > 1 << 20:
            offset_line += buffer.count("\n", 0, position)
            buffer, position, attempt_at = buffer[position:], 0, 0
