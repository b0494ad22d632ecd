"""Typed reads of fields in decoded JSON records; a wrong or missing value raises RecordError naming it.

The Mastodon and Bluesky importers read every field through these, so a record of the wrong shape
becomes one BAD notice with a precise message instead of a KeyError or TypeError deep in a mapper.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from events.ingest.text import parse_iso_time
from events.model import Precision


class RecordError(ValueError):
    """A record does not have the shape its format requires; the message names the field."""


Json = dict[str, Any]
"""A decoded JSON object."""


def obj(record: Any, key: str, where: str = "") -> Json:
    """The object under `key`; RecordError when it is missing or not an object."""
    value = record.get(key) if isinstance(record, dict) else None
    if not isinstance(value, dict):
        raise RecordError(f"{where}{key} must be an object, got {_kind(value)}")
    return value


def optional_obj(record: Json, key: str, where: str = "") -> Json | None:
    """The object under `key`, None when it is absent or null."""
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError(f"{where}{key} must be an object, got {_kind(value)}")
    return value


def string(record: Json, key: str, where: str = "") -> str:
    """The non-empty string under `key`; RecordError otherwise."""
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise RecordError(f"{where}{key} must be a non-empty string, got {_kind(value)}")
    return value


def optional_string(record: Json, key: str, where: str = "") -> str | None:
    """The string under `key`, None when absent, null or empty; RecordError for any other type."""
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"{where}{key} must be a string, got {_kind(value)}")
    return value


def items(record: Json, key: str, where: str = "") -> list[Any]:
    """The list under `key`, empty when absent or null; RecordError for any other type."""
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{where}{key} must be a list, got {_kind(value)}")
    return value


def iso_time(record: Json, key: str, where: str = "") -> tuple[datetime, Precision]:
    """The ISO 8601 time under `key` as UTC with its precision; RecordError when missing or bad."""
    value = record.get(key)
    if value is None or value == "":
        raise RecordError(f"{where}{key} is missing")
    try:
        return parse_iso_time(value)
    except ValueError as exc:
        raise RecordError(f"{where}{key}: {exc}") from None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str) and not value:
        return "an empty string"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


class UnknownRecord(Exception):
    """A well-formed record of a type the importer does not read; `kind` names the type."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def optional_id(record: Json, key: str, where: str = "") -> str | None:
    """A native id under `key` as a string (some servers send numbers), None when absent or null."""
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(f"{where}{key} must be an id string, got {_kind(value)}")
    return str(value)


def ident(record: Json, key: str, where: str = "") -> str:
    """The native id under `key` as a string; RecordError when missing."""
    value = optional_id(record, key, where)
    if value is None:
        raise RecordError(f"{where}{key} is missing")
    return value
