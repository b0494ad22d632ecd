"""Posts as one line of plain text each, "TIME  @handle  text", safe to write to a terminal.

This is the hot path of headless play at max speed (hundreds of thousands of lines a second), so
it reads stored rows directly: the two fields it shows are taken from the body without decoding
the rest of it, and time labels are cached per minute. Both are checked against the codec and the
model by the tests.
"""

from __future__ import annotations

import json
import json.decoder
from collections.abc import Callable, Iterable
from typing import Any

from events.codec import Row
from events.model import Precision, from_micros

MARKERS = {
    "post.published": "",
    "post.reposted": "[repost] ",
    "post.edited": "[edit] ",
    "post.deleted": "[deleted] ",
}
"""What precedes the text of each kind of event."""

# Line breaks become a visible mark; every other C0/C1 control, DEL included, its Unicode
# picture (or U+FFFD), so that no escape sequence in a post reaches the terminal.
_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"
_HARMLESS: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
_HARMLESS |= {0x7F: "\u2421"} | dict.fromkeys(range(0x80, 0xA0), "\ufffd")
_HARMLESS |= {ord(char): "⏎" for char in _BREAKS} | {ord("\t"): " "}
_TABLE = str.maketrans(_HARMLESS)

# The C scanners json.loads itself uses; typeshed does not list them.
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_scan_string: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_AUTHOR_KEY = '{"author":'
_TEXT_KEY = ',"text":"'


def one_line(text: str) -> str:
    """`text` on one line with nothing a terminal would act on ("⏎" for each line break)."""
    if text.isprintable():
        return text
    return text.replace("\r\n", "\n").translate(_TABLE)


def headline(body: str) -> tuple[str, str]:
    """The author's handle and the text of a stored post body.

    Bodies are canonical JSON (sorted keys, no spaces), so "author" is the first key and
    `,"text":"` can only be the text's key (a quote inside a JSON string is always escaped, and no
    nested object of a post has a "text"): both are read without decoding the rest. A body in any
    other shape is decoded whole.
    """
    if body.startswith(_AUTHOR_KEY):
        at = body.rfind(_TEXT_KEY)
        if at > 0:
            try:
                author, _ = _scan(body, len(_AUTHOR_KEY))
                text, end = _scan_string(body, at + len(_TEXT_KEY))
            except (ValueError, StopIteration):
                pass
            else:
                if (
                    isinstance(author, dict)
                    and isinstance(author.get("handle"), str)
                    and body[end : end + 1] in (",", "}")
                ):
                    return author["handle"], text
    post = json.loads(body)
    return post["author"]["handle"], post["text"]


class TimeLabels:
    """`Precision.format` of stored times, remembered per minute (and per hour or day)."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._labels: dict[tuple[str, int], str] = {}

    def __call__(self, occurred_us: int, precision: str) -> str:
        """The time `occurred_us` written to `precision` (a stored precision name)."""
        if precision == "second":
            minute = self._unit(occurred_us, "minute")
            return f"{minute}:{occurred_us // 1_000_000 % 60:02d}"
        if precision in ("minute", "hour", "day"):
            return self._unit(occurred_us, precision)
        return Precision(precision).format(from_micros(occurred_us))

    def _unit(self, occurred_us: int, precision: str) -> str:
        unit = _UNIT_US[precision]
        key = (precision, occurred_us // unit)
        label = self._labels.get(key)
        if label is None:
            if len(self._labels) >= self._size:
                self._labels.clear()
            label = self._labels[key] = Precision(precision).format(from_micros(key[1] * unit))
        return label


_UNIT_US = {"minute": 60_000_000, "hour": 3_600_000_000, "day": 86_400_000_000}


class TextLines:
    """Renders stored rows as text lines (keeps the time-label cache between batches)."""

    def __init__(self) -> None:
        self._labels = TimeLabels()

    def render(self, rows: Iterable[Row]) -> str:
        """One line per row, each ending in a newline."""
        labels, markers = self._labels, MARKERS
        parts = []
        for _, _, kind, occurred, precision, _, body, _ in rows:
            handle, text = headline(body)
            if not text.isprintable():
                text = one_line(text)
            if not handle.isprintable():
                handle = one_line(handle)
            parts.append(f"{labels(occurred, precision)}  @{handle}  {markers.get(kind, '')}{text}\n")
        return "".join(parts)
