"""The one place that turns events into JSON, rows and hashes, and back (one cattrs converter)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import cattrs

from events.model import Entry, Event, Kind, Post, Precision, from_micros, to_micros

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


def _strict_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise CodecError(f"expected a string, got {type(value).__name__}")
    return value


def _strict_int(value: Any, _: type) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise CodecError(f"expected an integer, got {type(value).__name__}")
    return value


def _str_tuple(value: Any, _: type) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise CodecError(f"expected a list of strings, got {value!r}")
    return tuple(value)


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=False)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook_func(lambda cls: cls == tuple[str, ...], _str_tuple)
    converter.register_unstructure_hook(datetime, format_time)
    converter.register_structure_hook(datetime, lambda value, _: parse_time(value))
    return converter


converter = _make_converter()
"""The converter every serialisation in the project goes through."""

_dump_post = converter.get_unstructure_hook(Post)
_load_post = converter.get_structure_hook(Post)


def canonical_json(value: Any) -> str:
    """The one JSON spelling of `value`: sorted keys, no spaces, UTF-8 text as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def post_body(post: Post) -> str:
    """The canonical JSON of a post, as stored in the log."""
    return canonical_json(_dump_post(post))


def post_from_body(body: str) -> Post:
    """The post stored as `body`."""
    return structure_post(json.loads(body))


def structure_post(raw: Any) -> Post:
    """A validated Post from its unstructured form; CodecError names the field at fault."""
    try:
        return _load_post(raw, Post)  # type: ignore[no-any-return]
    except Exception as exc:
        raise CodecError(describe(exc, "post")) from exc


def describe(exc: BaseException, root: str) -> str:
    """One line for a structuring failure: the first field at fault and why."""
    if isinstance(exc, cattrs.BaseValidationError):
        messages = cattrs.transform_error(exc, path=root)
        return messages[0] if messages else str(exc)
    return f"{root}: {exc}"


def event_id(event: Event, body: str | None = None) -> str:
    """The content address of an event: the same happening always gets the same id.

    With a native id, identity is (kind, platform, id), so the same post read twice, from two files
    or in two encodings, is one event; an edit also names its time, since a post is edited many
    times. Without one, identity is everything the event says except where it was read from.
    """
    post = event.post
    if post.id is not None:
        identity: list[Any] = [event.kind.value, post.platform, post.id]
        if event.kind is Kind.EDITED:
            identity.append(to_micros(event.occurred_at))
    else:
        content = _dump_post(post)
        del content["source"]
        identity = [event.kind.value, to_micros(event.occurred_at), event.precision.value, content]
    return hashlib.sha256(canonical_json(identity).encode()).hexdigest()


def chain_hash(prev: bytes, row_without_hash: tuple[int, bytes, str, int, str, int, str]) -> bytes:
    """The hash of an entry: it covers every stored byte of the entry and the hash before it."""
    seq, id_, kind, occurred, precision, recorded, body = row_without_hash
    text = f"{seq}\n{id_.hex()}\n{kind}\n{occurred}\n{precision}\n{recorded}\n{body}"
    return hashlib.sha256(prev + text.encode()).digest()


def event_row(event: Event, body: str, id_: str, seq: int, recorded_us: int, prev: bytes) -> Row:
    """The stored row of `event` appended at `seq` after the entry whose hash is `prev`."""
    unhashed = (
        seq,
        bytes.fromhex(id_),
        event.kind.value,
        to_micros(event.occurred_at),
        event.precision.value,
        recorded_us,
        body,
    )
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


def export_record(entry: Entry) -> dict[str, Any]:
    """The JSON Lines record of an entry (the export format)."""
    event = entry.event
    return {
        "seq": entry.seq,
        "id": entry.id,
        "kind": event.kind.value,
        "occurred_at": format_time(event.occurred_at),
        "precision": event.precision.value,
        "recorded_at": format_time(entry.recorded_at),
        "prev": entry.prev,
        "hash": entry.hash,
        "post": _dump_post(event.post),
    }


def export_line(entry: Entry) -> str:
    """One line of the export: the record as compact JSON with sorted keys."""
    return canonical_json(export_record(entry))


def _field(record: dict[str, Any], name: str) -> Any:
    try:
        return record[name]
    except KeyError:
        raise CodecError(f"missing field {name!r}") from None


def _enum(cls: type[Kind] | type[Precision], record: dict[str, Any], name: str) -> Any:
    value = _field(record, name)
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(member.value for member in cls)
        raise CodecError(f"{name} must be one of {choices}; got {value!r}") from None


def import_record(record: Any) -> tuple[Event, datetime | None, str | None]:
    """An export record read back: the event, when it was first recorded, and the id it claims."""
    if not isinstance(record, dict):
        raise CodecError(f"expected a JSON object, got {type(record).__name__}")
    try:
        occurred_at = parse_time(_field(record, "occurred_at"))
        recorded_raw = record.get("recorded_at")
        recorded_at = None if recorded_raw is None else parse_time(recorded_raw)
    except CodecError as exc:
        raise CodecError(f"{exc}") from None
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
    return event, recorded_at, claimed
