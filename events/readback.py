"""Export lines read back: checked against the model, their bodies kept byte for byte.

An export line is the log's own stored form (see codec.export_line), so reading one back is mostly
checking it: the JSON, the envelope, the post against the model's validators, the id against the
content. The body is then taken from the line verbatim, so export -> ingest -> export is
byte-identical; a line shaped otherwise is decoded and encoded anew.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from attrs import frozen

from events.codec import (
    POSITIVE_INTEGER,
    CodecError,
    canonical_json,
    canonical_pattern,
    check_post,
    identity,
    json_text,
    native_identity,
    parse_time,
    post_body,
    post_from_body,
    structure_post,
)
from events.model import Event, Kind, Post, Precision, from_micros, to_micros

RestoredRow = tuple[bytes, str, int, str, int | None, str, str]
"""An event read back from an export, as the log will store it: (id, kind, occurred_at µs,
precision, recorded_at µs or None for "now", body, source path). Plain values, cheap to send
between processes."""


@frozen(kw_only=True)
class Restored:
    """One export line read back and checked (`restore_line`): the fields of its row, named.

    It carries no model objects, only what the log stores; `event()` decodes them. Large exports
    travel as RestoredBlocks of plain rows instead.
    """

    id: str
    kind: str
    occurred_us: int
    precision: str
    recorded_us: int | None
    body: str
    source: str
    """The path the event was first read from (counted in the ingest record)."""

    @classmethod
    def from_row(cls, row: RestoredRow) -> Restored:
        """The event a row holds."""
        id_, kind, occurred_us, precision, recorded_us, body, source = row
        return cls(
            id=id_.hex(),
            kind=kind,
            occurred_us=occurred_us,
            precision=precision,
            recorded_us=recorded_us,
            body=body,
            source=source,
        )

    def row(self) -> RestoredRow:
        """The same, as a row."""
        id_ = bytes.fromhex(self.id)
        return (id_, self.kind, self.occurred_us, self.precision, self.recorded_us, self.body, self.source)

    def event(self) -> Event:
        """The event decoded from the stored fields."""
        return Event(
            kind=Kind(self.kind),
            occurred_at=from_micros(self.occurred_us),
            precision=Precision(self.precision),
            post=post_from_body(self.body),
        )


def _field(record: dict[str, Any], name: str) -> Any:
    try:
        return record[name]
    except KeyError:
        raise CodecError(f"missing field {name!r}") from None


def _encodable(value: Any) -> bool:
    try:
        canonical_json(value).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _micros_field(record: dict[str, Any], name: str, parse: Callable[[str], int] | None = None) -> int:
    value = _field(record, name)
    try:
        return (parse or _micros)(value) if isinstance(value, str) else _micros(value)
    except CodecError as exc:
        raise CodecError(f"{name}: {exc}") from None


@functools.lru_cache(maxsize=256)
def _recorded_micros(text: str) -> int:
    # An export's entries share a few ingest times; each is parsed once.
    return _micros(text)


def _micros(text: str) -> int:
    return to_micros(parse_time(text))


_KINDS = {member.value: member for member in Kind}
_PRECISIONS = {member.value: member for member in Precision}
_NAMES = {name: name for name in (*_KINDS, *_PRECISIONS)}


def _enum(members: dict[str, Any], record: dict[str, Any], name: str) -> Any:
    value = _field(record, name)
    try:
        return members[value]
    except (KeyError, TypeError):
        choices = ", ".join(members)
        raise CodecError(f"{name} must be one of {choices}; got {value!r}") from None


_POST_GROUPS = {"platform": "platform", "id": "native_id", "source.path": "path"}

_ENVELOPE_KEYS = frozenset(
    ("seq", "id", "kind", "occurred_at", "precision", "recorded_at", "prev", "hash", "post")
)


_CONTAINERS = (dict, list)
_UNCHECKED_KEYS = ("seq", "prev", "hash")
"""Envelope keys whose values the reader does not use, so nothing else checks that they are scalars."""


def _verbatim_body(line: str, record: dict[str, Any], *, escaped: bool) -> str | None:
    """The text of `post` in `line` when it can be taken as is, else None.

    Only from a line shaped as the export writes it: the envelope's keys and no object or list
    among their values, the line ending `}}`, and no text `"post"` after the last `,"post":{`.
    Then the last pair in the line has an object for its value, so it is a "post" key (any other
    key would decode to an object), the last one, whose value JSON keeps; that value runs from
    there to the line's closing brace. An earlier "post" key, however spelled, was overwritten. A
    `\\u` escape could spell a key another way, so a line that has one (`escaped`) keeps its body
    only if that text decodes to the post.
    """
    if next(reversed(record)) != "post" or not record.keys() <= _ENVELOPE_KEYS:
        return None
    for key in _UNCHECKED_KEYS:  # the other envelope values are known to be strings by now
        if isinstance(record.get(key), _CONTAINERS):
            return None
    end = line if line.endswith("}}") else line.rstrip()
    start = end.rfind(',"post":{')
    if start < 0 or not end.endswith("}}") or end.rfind('"post"') != start + 1:
        return None
    body = end[start + 8 : -1]
    if escaped:
        try:
            return body if json.loads(body) == record["post"] else None
        except ValueError:
            return None
    return body


def restore_line(line: str) -> Restored:
    """An export line read back and checked; CodecError says what is wrong with it."""
    return Restored.from_row(restore_row(line))


def _one_of(members: type[Kind] | type[Precision]) -> str:
    return "|".join(re.escape(member.value) for member in members)


_HEX = "[0-9a-f]{64}"
_TIME = "[0-9:.T-]++Z"
EXPORTED_LINE = re.compile(
    rf'\{{"hash":"{_HEX}","id":"(?P<id>{_HEX})","kind":"(?P<kind>{_one_of(Kind)})",'
    rf'"occurred_at":"(?P<occurred>{_TIME})","precision":"(?P<precision>{_one_of(Precision)})",'
    rf'"prev":"{_HEX}","recorded_at":"(?P<recorded>{_TIME})","seq":{POSITIVE_INTEGER},'
    rf'"post":(?P<body>{canonical_pattern(Post, _POST_GROUPS)})\}}[ \t\r\n]*+'
)
"""A line exactly as `replay log export` writes one, with a post that has every field and is
valid: such a line is read without decoding its JSON. Any other line is decoded and checked
field by field, which also says what is wrong with it. `_exported_row` takes its groups in order."""


def restore_row(line: str) -> RestoredRow:
    """An export line read back and checked, as a row; CodecError says what is wrong with it."""
    exported = EXPORTED_LINE.fullmatch(line)
    row = None if exported is None else _exported_row(exported)
    return decoded_row(line) if row is None else row


def _exported_row(line: re.Match[str]) -> RestoredRow | None:
    """The row of a line `EXPORTED_LINE` matched, or None to leave it to `decoded_row`, for a time
    that does not parse, a post without a native id, or an id that does not match the content."""
    claimed, kind_name, occurred, precision, recorded, body, native_id, platform, path = line.groups()
    if native_id == "null":
        return None
    try:
        occurred_us = to_micros(datetime.fromisoformat(occurred))  # in UTC: it ends in Z
        recorded_us = _recorded_micros(recorded)
    except ValueError:
        return None
    kind = _NAMES[kind_name]  # the one copy of each name, which pickles once a block
    id_ = native_identity(kind, occurred_us, json_text(platform), json_text(native_id))
    if id_.hex() != claimed:
        return None
    return id_, kind, occurred_us, _NAMES[precision], recorded_us, body, json_text(path)


def decoded_row(line: str) -> RestoredRow:
    """`restore_row` of any line: decoded, then checked field by field."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CodecError(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except ValueError:  # the only other: a number longer than Python converts to an int
        raise CodecError(f"a number has more than {sys.get_int_max_str_digits():,} digits") from None
    except RecursionError:
        raise CodecError("JSON nested too deeply") from None
    if not isinstance(record, dict):
        raise CodecError(f"expected a JSON object, got {type(record).__name__}")
    escaped = "\\" in line and "\\u" in line  # the first test is a fast byte scan
    if escaped and not _encodable(record):
        raise CodecError("contains a lone surrogate (half of a character), which is not text")
    kind: Kind = _enum(_KINDS, record, "kind")
    precision: Precision = _enum(_PRECISIONS, record, "precision")
    occurred_us = _micros_field(record, "occurred_at")
    recorded = record.get("recorded_at")
    recorded_us = None if recorded is None else _micros_field(record, "recorded_at", _recorded_micros)
    claimed = record.get("id")
    if claimed is not None and not isinstance(claimed, str):
        raise CodecError(f"id must be a string, got {type(claimed).__name__}")
    raw = _field(record, "post")
    stored_shape = check_post(raw)  # every field of the model, and no other key
    body = _verbatim_body(line, record, escaped=escaped) if stored_shape else None
    if body is not None and raw.get("id") is not None:
        # The common case, and the fast one: the body is kept as it is, so the post is only
        # checked, never built, and its native id makes the event's id.
        id_ = native_identity(kind.value, occurred_us, raw["platform"], raw["id"])
        source = raw["source"]["path"]
    else:
        post = structure_post(raw)
        id_ = identity(kind, occurred_us, precision, post)
        body = body or post_body(post)
        source = post.source.path
    if claimed is not None and claimed != id_.hex():
        raise CodecError(f"id {claimed[:12]}… does not match the entry's content")
    return id_, kind.value, occurred_us, precision.value, recorded_us, body, source


@frozen
class RestoredBlock:
    """Events read back from an export, as rows, in order: how a large export reaches the log."""

    rows: list[RestoredRow]
