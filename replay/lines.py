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

from events.codec import Row
from events.errors import LogError
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
# Embeddings, overrides and isolates would reorder the rest of the line on a terminal that does
# bidi ("\u202e" shows "abc" as "cba"): dropped, as the player drops them. The marks (LRM, RLM,
# ALM) only nudge neutral characters and stay.
_HARMLESS |= dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)], "")
_TABLE = str.maketrans(_HARMLESS)

# The C string scanner json.loads itself uses; typeshed does not list it.
_scan_string: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_HANDLE_KEY = '{"author":{"handle":"'
_TEXT_KEY = ',"text":"'


def one_line(text: str) -> str:
    """`text` on one line with nothing a terminal would act on ("⏎" for each line break)."""
    if text.isprintable():
        return text
    return text.replace("\r\n", "\n").translate(_TABLE)


def headline(body: str) -> tuple[str, str]:
    """The author's handle and the text of a stored post body.

    Bodies are canonical JSON (sorted keys, no spaces), so a body starts with the author's handle,
    and `,"text":"` can only be the text's key (a quote inside a JSON string is always escaped, and
    no nested object of a post has a "text"): both strings are read without decoding the rest. A
    body in any other shape is decoded whole.
    """
    if not isinstance(body, str):
        raise LogError("an entry's body is not text; run replay log verify")
    if body.startswith(_HANDLE_KEY):
        at = body.rfind(_TEXT_KEY)
        if at > 0:
            try:
                handle, after_handle = _scan_string(body, len(_HANDLE_KEY))
                text, after_text = _scan_string(body, at + len(_TEXT_KEY))
            except ValueError:
                pass
            else:
                # The canonical author is {"handle", "name"}: anything else (a second "handle",
                # which JSON would read as the last one) is decoded whole.
                if body.startswith(',"name":', after_handle) and body[after_text : after_text + 1] in (
                    ",",
                    "}",
                ):
                    return handle, text
    try:
        post = json.loads(body)
        return str(post["author"]["handle"]), str(post["text"])
    except (ValueError, KeyError, TypeError) as exc:
        raise LogError(f"an entry's body is damaged ({exc}); run replay log verify") from None


class TimeLabels:
    """`Precision.format` of stored times, remembered per minute (and per hour or day)."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._minutes: dict[int, str] = {}
        self._units: dict[tuple[str, int], str] = {}

    def __call__(self, occurred_us: int, precision: str) -> str:
        """The time `occurred_us` written to `precision` (a stored precision name)."""
        if precision == "second":  # by far the most common: the minute's label and the seconds
            minute = self._minutes.get(occurred_us // _MINUTE_US)
            if minute is None:
                minute = self._minute(occurred_us)
            return f"{minute}:{occurred_us // 1_000_000 % 60:02d}"
        unit = _UNIT_US.get(precision)
        if unit is None:
            return Precision(precision).format(from_micros(occurred_us))
        key = (precision, occurred_us // unit)
        label = self._units.get(key)
        if label is None:
            if len(self._units) >= self._size:
                self._units.clear()
            label = self._units[key] = Precision(precision).format(from_micros(key[1] * unit))
        return label

    def _minute(self, occurred_us: int) -> str:
        if len(self._minutes) >= self._size:
            self._minutes.clear()
        index = occurred_us // _MINUTE_US
        label = self._minutes[index] = _BY_MINUTE.format(from_micros(index * _MINUTE_US))
        return label


_MINUTE_US = 60_000_000
_BY_MINUTE: Precision = Precision.MINUTE  # (mypy takes Precision.MINUTE.format for str.format)
_UNIT_US = {"minute": _MINUTE_US, "hour": 3_600_000_000, "day": 86_400_000_000}


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
            time = labels(occurred, precision)
            parts.append(f"{time}  @{handle}  {markers.get(kind, '')}{text}\n")
        return "".join(parts)
