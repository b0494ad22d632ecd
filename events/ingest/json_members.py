"""The items of one array inside a top-level JSON object, streamed from the raw bytes one at a time.

A Mastodon export's `outbox.json` is a single object whose `orderedItems` holds every activity the
account ever made, often written as one line of a hundred megabytes. Reading it as one record (or
even as one line) would hold all of it in memory; this reads decoded chunks into a window, skips the
other members, and decodes the array's items one by one, each checked as strictly as any record
(duplicate keys, runaway nesting, size), with the line it starts on.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any

from events.errors import InputError
from events.ingest.base import Level, Notice
from events.ingest.document import Document
from events.ingest.records import MAX_RECORD_CHARS, Record, loads

_SCANNER = json.JSONDecoder()  # finds where a value ends; `loads` then reads it strictly
_SPACE = re.compile(r"[ \t\r\n]*")
_DROP_AT = 1 << 20


class _Truncated(Exception):
    """The text ends before the value being read does."""


class _Window:
    """A sliding view of the document's text: what is consumed is dropped, line numbers kept."""

    def __init__(self, document: Document) -> None:
        self.name = document.name
        self._pieces = _decoded(document)
        self.text = ""
        self.at = 0
        self._line = 1  # line number at self.text[self._counted]
        self._counted = 0

    def line(self) -> int:
        """The line number at the current position."""
        # Counted on from the last call, so a long one-line document is not rescanned per item.
        self._line += self.text.count("\n", self._counted, self.at)
        self._counted = self.at
        return self._line

    def more(self) -> bool:
        """Append the next decoded piece; False when the text has ended."""
        if self.at > _DROP_AT:
            self.line()
            self.text, self.at, self._counted = self.text[self.at :], 0, 0
        piece = next(self._pieces, None)
        if piece is None:
            return False
        self.text += piece
        return True

    def at_end(self) -> bool:
        """Move past whitespace; True when the text has ended there."""
        while True:
            self.at = _SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]
            if self.at < len(self.text):
                return False
            if not self.more():
                return True

    def skip_space(self) -> str:
        """Move past whitespace; the next character (reading on as needed)."""
        if self.at_end():
            raise _Truncated
        return self.text[self.at]

    def value_end(self) -> int:
        """Where the JSON value at the current position ends, reading on until it is whole."""
        tried = 0  # how much of the value was there at the last failed try: retries stay linear
        while True:
            have = len(self.text) - self.at
            if have >= 2 * tried:
                try:
                    end = _SCANNER.raw_decode(self.text, self.at)[1]
                except json.JSONDecodeError as exc:
                    cut_short = exc.msg.startswith("Unterminated string") or exc.pos >= len(
                        self.text.rstrip()
                    )
                    if not cut_short:
                        raise
                    tried = max(have, 2048)
                else:
                    if end < len(self.text):
                        return end
                    # A number at the very end of the window may go on in the next piece.
                    if not self.more():
                        return end
                    continue
            if have > MAX_RECORD_CHARS:
                raise ValueError(f"record longer than {MAX_RECORD_CHARS:,} characters")
            if not self.more():
                raise _Truncated


def member_items(document: Document, key: str) -> Iterator[Record | Notice]:
    """Each item of the array under `key` in each top-level object of the document, in order.

    An object without that array is yielded whole, as `records()` would. A problem with one item
    is a BAD notice and the next item is read; a problem with the structure around them ends the
    read with a BAD notice.
    """
    window = _Window(document)
    try:
        while not window.at_end():
            yield from _members(window, key)
    except _Truncated:
        message = "the JSON ends early (file cut short?)"
        yield Notice(level=Level.BAD, path=document.name, line=window.line(), message=message)
    except (ValueError, RecursionError) as exc:
        message = "JSON nested too deeply" if isinstance(exc, RecursionError) else _problem(exc)
        yield Notice(level=Level.BAD, path=document.name, line=window.line(), message=message)


def _members(window: _Window, key: str) -> Iterator[Record | Notice]:
    """The items under `key` in the object at the window's position, or the object itself."""
    line = window.line()
    if window.text[window.at] != "{":
        raise ValueError("expected a JSON object")
    window.at += 1
    others: dict[str, Any] = {}  # the small members beside the array, kept in case there is none
    found = False
    while window.skip_space() != "}":
        if others or found:
            if window.text[window.at] != ",":
                raise ValueError("expected ',' between members")
            window.at += 1
            window.skip_space()
        end = window.value_end()
        name = json.loads(window.text[window.at : end])
        if not isinstance(name, str):
            raise ValueError("expected a member name")
        if name in others or (found and name == key):
            raise ValueError(f"duplicate key {name!r} in a JSON object")
        window.at = end
        if window.skip_space() != ":":
            raise ValueError("expected ':' after a member name")
        window.at += 1
        if window.skip_space() == "[" and name == key:
            found = True
            window.at += 1
            yield from _items(window)
        else:
            end = window.value_end()
            others[name] = loads(window.text[window.at : end])
            window.at = end
    window.at += 1
    if not found:
        yield Record(line=line, value=others)


def _items(window: _Window) -> Iterator[Record | Notice]:
    while True:
        char = window.skip_space()
        if char == "]":
            window.at += 1
            return
        if char == ",":
            window.at += 1
            continue
        line = window.line()
        end = window.value_end()
        try:
            yield Record(line=line, value=loads(window.text[window.at : end]))
        except ValueError as exc:
            yield Notice(level=Level.BAD, path=window.name, line=line, message=_problem(exc))
        window.at = end


def _problem(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg}"
    return str(exc)


def _decoded(document: Document) -> Iterator[str]:
    """The document's text in pieces, decoded strictly; bad bytes raise InputError with their line."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    line = 1
    for chunk in document.chunks():
        if b"\x00" in chunk:
            line += chunk.count(b"\n", 0, chunk.index(b"\x00"))
            raise InputError(document.name, "binary data (a NUL byte), not text", line)
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            # exc.start may count bytes the decoder kept from the chunk before; stay inside this one.
            at = min(max(exc.start, 0), len(chunk) - 1)
            line += chunk.count(b"\n", 0, at)
            raise InputError(document.name, f"not UTF-8 text (byte 0x{chunk[at]:02x})", line) from None
        line += chunk.count(b"\n")
        yield text
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError(document.name, "not UTF-8 text (ends inside a character)", line) from None
    if tail:
        yield tail
