"""The one place that turns events into JSON, rows and hashes, and back (one cattrs converter)."""

from __future__ import annotations

import hashlib
import json
import struct
import sys
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs
import cattrs

from events.model import (
    Entry,
    Event,
    Kind,
    Post,
    Precision,
    from_micros,
    non_empty,
    optional_int,
    optional_non_empty,
    str_list,
    string,
    text_value,
    to_micros,
)

Row = tuple[int, bytes, str, int, str, int, str, bytes]
"""A stored entry: (seq, id, kind, occurred_at µs, precision, recorded_at µs, body, hash)."""


_T = TypeVar("_T")


class CodecError(ValueError):
    """A value could not be decoded; the message says which field and why, in one line."""


def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC with a trailing Z, microseconds only when there are any."""
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def parse_time(text: str) -> datetime:
    """A timezone-aware UTC datetime from ISO 8601 text that carries an offset (or Z)."""
    if not isinstance(text, str):
        raise CodecError(f"expected an ISO 8601 time string, got {type(text).__name__}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CodecError(f"not an ISO 8601 time: {text!r}") from exc
    if moment.tzinfo is None:
        raise CodecError(f"time has no timezone: {text!r}")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise CodecError(f"time out of range: {text!r}") from None


def _as_is(value: Any, _: type) -> Any:
    # The model's validators check every field's type with a clear message; converting here
    # (cattrs' default would turn 5 into "5") would hide a wrong type instead.
    return value


def _list_as_tuple(value: Any, _: type) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=False, detailed_validation=False)
    converter.register_structure_hook(str, _as_is)
    converter.register_structure_hook(int, _as_is)
    converter.register_structure_hook_func(lambda cls: cls == tuple[str, ...], _list_as_tuple)
    converter.register_unstructure_hook(datetime, format_time)
    converter.register_structure_hook(datetime, lambda value, _: parse_time(value))
    return converter


converter = _make_converter()
"""The converter every serialisation in the project goes through."""

_dump_post = converter.get_unstructure_hook(Post)
_load_post = converter.get_structure_hook(Post)


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """The one JSON spelling of `value`: sorted keys, no spaces, UTF-8 text as is."""
    return _ENCODER.encode(value)


def post_body(post: Post) -> str:
    """The canonical JSON of a post, as stored in the log."""
    return canonical_json(_dump_post(post))


def post_from_body(body: str) -> Post:
    """The post stored as `body`."""
    return structure_post(json.loads(body))


def structure_post(raw: Any) -> Post:
    """A validated Post from its unstructured form; CodecError names the field at fault."""
    post: Post = _as_post(raw, lambda fields: _load_post(fields, Post))
    return post


def _as_post(raw: Any, step: Callable[[dict[str, Any]], _T]) -> _T:
    """`step` of a post's raw form, once it is an object; any failure is one CodecError line."""
    if not isinstance(raw, dict):
        raise CodecError(f"post must be a JSON object, got {_json_type(raw)}")
    for name in ("author", "source"):
        if name in raw and not isinstance(raw[name], dict):
            raise CodecError(f"post: {name} must be a JSON object, got {_json_type(raw[name])}")
    try:
        return step(raw)
    except Exception as exc:
        raise CodecError(describe(exc, "post")) from exc


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def describe(exc: BaseException, root: str) -> str:
    """One line for a structuring failure: the field at fault and why."""
    if isinstance(exc, KeyError):
        return f"{root}: missing field {exc.args[0]!r}"
    if isinstance(exc, AttributeError | TypeError) and "must be" not in str(exc):
        # A list or a null where an object belongs fails inside the generated code.
        return f"{root}: a field that must be a JSON object is not one ({exc})"
    return f"{root}: {exc}"


def check_post(raw: Any) -> bool:
    """What `structure_post` checks, without building the Post: for a body kept as it is.

    The checks are the model's own validators, given the values the converter would give them
    (JSON lists as tuples), so the two accept and refuse the same inputs; a property test holds
    them to it. Returns True when the post holds every field of the model and no other key, at
    every level: the shape of a stored body.
    """
    return _as_post(raw, _check_raw_post)


_ABSENT = object()


def _raw_checker(cls: type) -> Callable[[dict[str, Any]], bool]:
    """A function that runs the validators of `cls`, and of the attrs classes in it, on its raw
    form, and says whether that form holds every field of the model and nothing else."""
    hints = typing.get_type_hints(cls)
    fields = attrs.fields(cls)
    required = frozenset(field.name for field in fields if field.default is attrs.NOTHING)
    nested = [
        (field.name, _raw_checker(hints[field.name])) for field in fields if attrs.has(hints[field.name])
    ]
    plain = [
        (field.name, field.validator, field, hints[field.name] == tuple[str, ...])
        for field in fields
        if not attrs.has(hints[field.name])
    ]

    def check(raw: dict[str, Any]) -> bool:
        present = 0
        exact = True
        for name, validator, field, listed in plain:
            if name in raw:
                present += 1
                value = raw[name]
                if validator is not None:
                    validator(None, field, tuple(value) if listed and isinstance(value, list) else value)
            elif name in required:
                raise KeyError(name)
        for name, checker in nested:
            if name not in raw:
                raise KeyError(name)
            present += 1
            exact = checker(raw[name]) and exact
        return exact and present == len(raw) == len(fields)

    return check


_check_raw_post = _raw_checker(Post)


_CHARACTERS = r'[^"\\\x00-\x1f\ud800-\udfff]*+(?:\\["\\bfnrt][^"\\\x00-\x1f\ud800-\udfff]*+)*+'
"""The inside of a JSON string as canonical_json writes it, less any \\u escape (and any lone
surrogate): so the text it stands for has no lone surrogate either, and it has one spelling."""
_MOST_DIGITS = sys.get_int_max_str_digits() or 1_000_000_000
"""Beyond this many digits json.loads refuses a number (Python's limit on int conversion)."""
POSITIVE_INTEGER = f"[1-9][0-9]{{0,{_MOST_DIGITS - 1}}}+"
"""An integer above 0 as canonical JSON writes it, and short enough for json.loads."""
_STRING = f'"{_CHARACTERS}"'
_NON_EMPTY = f'"(?!"){_CHARACTERS}"'
_RULE_PATTERNS: dict[object, str] = {
    non_empty: _NON_EMPTY,
    optional_non_empty: f"(?:null|{_NON_EMPTY})",
    string: _STRING,
    text_value: _STRING,
    str_list: rf"\[(?:{_STRING}(?:,{_STRING})*+)?\]",
    optional_int: f"(?:null|0|-?{POSITIVE_INTEGER})",
}
"""Each rule of the model's fields, as the JSON values that satisfy it."""


def canonical_pattern(cls: type, groups: Mapping[str, str] | None = None, *, _prefix: str = "") -> str:
    """A regular expression for the canonical JSON (`canonical_json`) of any valid `cls`.

    It matches every field in sorted order, no other key, and each value in the one spelling
    canonical_json gives it, so text it matches is a `cls` that `check_post` accepts, in the
    stored shape, and is its own canonical JSON.
    It is stricter than the model: a string with a \\u escape, say, is left to the general
    reading. `groups` maps dotted field names ("source.path") to the names of groups that
    capture their JSON values. A rule it cannot spell is a TypeError, at import.
    """
    groups = groups or {}
    hints = typing.get_type_hints(cls)
    pairs = []
    for field in sorted(attrs.fields(cls), key=lambda field: field.name):
        name = _prefix + field.name
        if attrs.has(hints[field.name]):
            value = canonical_pattern(hints[field.name], groups, _prefix=f"{name}.")
        elif field.validator in _RULE_PATTERNS:
            value = _RULE_PATTERNS[field.validator]
        else:
            raise TypeError(f"{cls.__name__}.{field.name}: no JSON pattern for its rule {field.validator!r}")
        if name in groups:
            value = f"(?P<{groups[name]}>{value})"
        pairs.append(f'"{field.name}":{value}')
    return r"\{" + ",".join(pairs) + r"\}"


def json_text(spelled: str) -> str:
    """The text a JSON string matched by `canonical_pattern` stands for."""
    if "\\" not in spelled:
        return spelled[1:-1]
    text: str = json.loads(spelled)
    return text


def event_id(event: Event) -> str:
    """The content address of an event: the same happening always gets the same id.

    With a native id, identity is (kind, platform, id), so the same post read twice, from two files
    or in two encodings, is one event; an edit also names its time, since a post is edited many
    times. Without one, identity is everything the event says except where it was read from.
    """
    return identity(event.kind, to_micros(event.occurred_at), event.precision, event.post).hex()


def identity(kind: Kind, occurred_us: int, precision: Precision, post: Post) -> bytes:
    """The id (as bytes) of the event of `kind` that happened to `post` at `occurred_us`."""
    if post.id is not None:
        return native_identity(kind.value, occurred_us, post.platform, post.id)
    content = _dump_post(post)
    del content["source"]
    identity = canonical_json([kind.value, occurred_us, precision.value, content])
    return hashlib.sha256(identity.encode()).digest()


def native_identity(kind: str, occurred_us: int, platform: str, native_id: str) -> bytes:
    """The id of an event of a post that has a platform-native id: (kind, platform, id).

    `kind` is the kind's value ("post.published"), as a row holds it.
    """
    identity = f"{kind}\n{platform}\n{native_id}"
    if kind == _EDITED:
        identity += f"\n{occurred_us}"
    return hashlib.sha256(identity.encode()).digest()


_EDITED = Kind.EDITED.value


_KEY = struct.Struct(">q")


def id_key(id_: bytes) -> int:
    """The first 8 bytes of an id as a signed integer: the log indexes ids by this short key."""
    key: int = _KEY.unpack_from(id_)[0]
    return key


def id_keys(ids: Iterable[bytes]) -> list[int]:
    """The key of each id (`id_key`), read by one call each."""
    return [key for (key,) in map(_KEY.unpack_from, ids)]


def chain_hash(prev: bytes, row_without_hash: tuple[int, bytes, str, int, str, int, str]) -> bytes:
    """The hash of an entry: it covers every stored byte of the entry and the hash before it."""
    seq, id_, kind, occurred, precision, recorded, body = row_without_hash
    hash_ = hashlib.sha256(prev)
    hash_.update(f"{seq}\n{id_.hex()}\n{kind}\n{occurred}\n{precision}\n{recorded}\n{body}".encode())
    return hash_.digest()


def entry_from_row(row: Row, prev: bytes) -> Entry:
    """The Entry a stored row holds; `prev` is the hash of the row before it."""
    seq, id_, kind, occurred, precision, recorded, body, hash_ = row
    event = Event(
        kind=Kind(kind),
        occurred_at=from_micros(occurred),
        precision=Precision(precision),
        post=post_from_body(body),
    )
    return Entry(
        seq=seq,
        id=id_.hex(),
        recorded_at=from_micros(recorded),
        prev=prev.hex(),
        hash=hash_.hex(),
        event=event,
    )


def _envelope(
    seq: int, id_: str, kind: str, occurred_us: int, precision: str, recorded_us: int, prev: str, hash_: str
) -> str:
    return canonical_json(
        {
            "seq": seq,
            "id": id_,
            "kind": kind,
            "occurred_at": format_time(from_micros(occurred_us)),
            "precision": precision,
            "recorded_at": format_time(from_micros(recorded_us)),
            "prev": prev,
            "hash": hash_,
        }
    )


def _with_post(envelope: str, body: str) -> str:
    # "post" goes last so that an importer can take the stored body back verbatim.
    return f'{envelope[:-1]},"post":{body}}}'


def export_line(entry: Entry) -> str:
    """One line of the export: the envelope with sorted keys, then `post`, as compact JSON."""
    event = entry.event
    envelope = _envelope(
        entry.seq,
        entry.id,
        event.kind.value,
        to_micros(event.occurred_at),
        event.precision.value,
        to_micros(entry.recorded_at),
        entry.prev,
        entry.hash,
    )
    return _with_post(envelope, post_body(event.post))


def export_line_from_row(row: Row, prev: bytes) -> str:
    """The export line of a stored row, with its body exactly as stored (no decoding)."""
    seq, id_, kind, occurred, precision, recorded, body, hash_ = row
    envelope = _envelope(seq, id_.hex(), kind, occurred, precision, recorded, prev.hex(), hash_.hex())
    return _with_post(envelope, body)
