"""The one place that turns events into JSON, rows and hashes, and back (one cattrs converter)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import attrs
import cattrs
from attrs import frozen

from events.model import Author, Entry, Event, Kind, Post, Precision, Source, from_micros, to_micros

Row = tuple[int, bytes, str, int, str, int, str, bytes]
"""A stored entry: (seq, id, kind, occurred_at µs, precision, recorded_at µs, body, hash)."""


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
    return moment.astimezone(UTC)


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
    if not isinstance(raw, dict):
        raise CodecError(f"post must be a JSON object, got {_json_type(raw)}")
    for name in ("author", "source"):
        if name in raw and not isinstance(raw[name], dict):
            raise CodecError(f"post: {name} must be a JSON object, got {_json_type(raw[name])}")
    try:
        return _load_post(raw, Post)  # type: ignore[no-any-return]
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


def event_id(event: Event, body: str | None = None) -> str:
    """The content address of an event: the same happening always gets the same id.

    With a native id, identity is (kind, platform, id), so the same post read twice, from two files
    or in two encodings, is one event; an edit also names its time, since a post is edited many
    times. Without one, identity is everything the event says except where it was read from.
    """
    post = event.post
    if post.id is not None:
        identity = f"{event.kind.value}\n{post.platform}\n{post.id}"
        if event.kind is Kind.EDITED:
            identity += f"\n{to_micros(event.occurred_at)}"
    else:
        content = _dump_post(post)
        del content["source"]
        identity = canonical_json(
            [event.kind.value, to_micros(event.occurred_at), event.precision.value, content]
        )
    return hashlib.sha256(identity.encode()).hexdigest()


def id_key(id_: bytes) -> int:
    """The first 8 bytes of an id as a signed integer: the log indexes ids by this short key."""
    return int.from_bytes(id_[:8], "big", signed=True)


def chain_hash(prev: bytes, row_without_hash: tuple[int, bytes, str, int, str, int, str]) -> bytes:
    """The hash of an entry: it covers every stored byte of the entry and the hash before it."""
    seq, id_, kind, occurred, precision, recorded, body = row_without_hash
    text = f"{seq}\n{id_.hex()}\n{kind}\n{occurred}\n{precision}\n{recorded}\n{body}"
    return hashlib.sha256(prev + text.encode()).digest()


def event_row(
    kind: str, occurred_us: int, precision: str, body: str, id_: str, seq: int, recorded_us: int, prev: bytes
) -> Row:
    """The stored row of an event appended at `seq` after the entry whose hash is `prev`."""
    unhashed = (seq, bytes.fromhex(id_), kind, occurred_us, precision, recorded_us, body)
    return (*unhashed, chain_hash(prev, unhashed))


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


@frozen(kw_only=True)
class Restored:
    """An event read back from an export and checked, in the form the log stores it.

    It carries no model objects, only what a row needs, so a worker process can hand it back
    cheaply: the log appends it as it is.
    """

    id: str
    kind: str
    occurred_us: int
    precision: str
    recorded_us: int | None
    body: str
    source: str
    """The path the event was first read from (counted in the ingest record)."""

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


def _time_field(record: dict[str, Any], name: str) -> datetime:
    try:
        return parse_time(_field(record, name))
    except CodecError as exc:
        raise CodecError(f"{name}: {exc}") from None


def _enum(cls: type[Kind] | type[Precision], record: dict[str, Any], name: str) -> Any:
    value = _field(record, name)
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(member.value for member in cls)
        raise CodecError(f"{name} must be one of {choices}; got {value!r}") from None


_POST_KEYS = frozenset(attrs.fields_dict(Post))
_AUTHOR_KEYS = frozenset(attrs.fields_dict(Author))
_SOURCE_KEYS = frozenset(attrs.fields_dict(Source))


_ENVELOPE_KEYS = frozenset(
    ("seq", "id", "kind", "occurred_at", "precision", "recorded_at", "prev", "hash", "post")
)


def _verbatim_body(line: str, record: dict[str, Any]) -> str | None:
    """The text of `post` in `line` when it can be taken as is, else None.

    It can when the line is shaped as the export writes it: `,"post":{` last, no keys the model
    does not know. Then that is the only place the sequence can stand unescaped (a string cannot
    hold an unescaped quote, and no other value is an object), and the value runs to the line's
    closing brace.
    """
    if next(reversed(record)) != "post" or not record.keys() <= _ENVELOPE_KEYS:
        return None
    post = record["post"]
    if not (
        post.keys() <= _POST_KEYS
        and post.get("author", {}).keys() <= _AUTHOR_KEYS
        and post.get("source", {}).keys() <= _SOURCE_KEYS
    ):
        return None
    start = line.rfind(',"post":{')
    end = line.rstrip()
    if start < 0 or not end.endswith("}}"):
        return None
    return end[start + 8 : -1]


def restore_line(line: str) -> Restored:
    """An export line read back and checked; CodecError says what is wrong with it."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CodecError(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise CodecError("JSON nested too deeply") from None
    if not isinstance(record, dict):
        raise CodecError(f"expected a JSON object, got {type(record).__name__}")
    if ("\\ud" in line or "\\uD" in line) and not _encodable(record):
        raise CodecError("contains a lone surrogate (half of a character), which is not text")
    occurred_at = _time_field(record, "occurred_at")
    recorded_at = None if record.get("recorded_at") is None else _time_field(record, "recorded_at")
    claimed = record.get("id")
    if claimed is not None and not isinstance(claimed, str):
        raise CodecError(f"id must be a string, got {type(claimed).__name__}")
    try:
        event = Event(
            kind=_enum(Kind, record, "kind"),
            occurred_at=occurred_at,
            precision=_enum(Precision, record, "precision"),
            post=structure_post(_field(record, "post")),
        )
    except (TypeError, ValueError) as exc:
        raise CodecError(str(exc)) from exc
    id_ = event_id(event)
    if claimed is not None and claimed != id_:
        raise CodecError(f"id {claimed[:12]}… does not match the entry's content")
    body = _verbatim_body(line, record) or post_body(event.post)
    return Restored(
        id=id_,
        kind=event.kind.value,
        occurred_us=to_micros(occurred_at),
        precision=event.precision.value,
        recorded_us=None if recorded_at is None else to_micros(recorded_at),
        body=body,
        source=event.post.source.path,
    )


def restore_lines(
    numbered: list[tuple[int, str]],
) -> list[tuple[str, str, int, str, int | None, str, str] | tuple[int, str]]:
    """`restore_line` over (line number, line) pairs, for a worker process to run on a batch.

    Each result is a Restored's fields as a tuple (seven values; cheap to send between processes),
    or (line number, why) for a bad line.
    """
    out: list[tuple[str, str, int, str, int | None, str, str] | tuple[int, str]] = []
    for number, line in numbered:
        try:
            out.append(attrs.astuple(restore_line(line), recurse=False))
        except CodecError as exc:
            out.append((number, str(exc)))
    return out
