"""Frozen values of the domain: a post, the event that says what happened to it, and its log entry."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from attrs import frozen

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class Kind(enum.Enum):
    """What happened to a post."""

    PUBLISHED = "post.published"
    REPOSTED = "post.reposted"
    EDITED = "post.edited"
    DELETED = "post.deleted"


class Precision(enum.Enum):
    """How much of an event's time the source actually knows."""

    MICROSECOND = "microsecond"
    MILLISECOND = "millisecond"
    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"

    @property
    def span(self) -> timedelta:
        """The length of time one unit of this precision covers."""
        return _SPANS[self]

    def truncate(self, moment: datetime) -> datetime:
        """The start of the unit of this precision that contains `moment`."""
        micros = to_micros(moment)
        unit = self.span // _MICROSECOND
        return from_micros(micros - micros % unit)

    def format(self, moment: datetime) -> str:
        """`moment` written to this precision and no finer: "12 Dec 2016", "12 Dec 2016 14:03"."""
        return moment.astimezone(UTC).strftime(_FORMATS[self])


_SPANS = {
    Precision.MICROSECOND: timedelta(microseconds=1),
    Precision.MILLISECOND: timedelta(milliseconds=1),
    Precision.SECOND: timedelta(seconds=1),
    Precision.MINUTE: timedelta(minutes=1),
    Precision.HOUR: timedelta(hours=1),
    Precision.DAY: timedelta(days=1),
}
_FORMATS = {
    Precision.MICROSECOND: "%d %b %Y %H:%M:%S.%f",
    Precision.MILLISECOND: "%d %b %Y %H:%M:%S",
    Precision.SECOND: "%d %b %Y %H:%M:%S",
    Precision.MINUTE: "%d %b %Y %H:%M",
    Precision.HOUR: "%d %b %Y %H:00",
    Precision.DAY: "%d %b %Y",
}


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch of a timezone-aware datetime."""
    since = moment - EPOCH  # as a timedelta holds it: whole days, then 0 <= seconds < 86,400
    return (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds


EARLIEST_US = to_micros(datetime.min.replace(tzinfo=UTC))
LATEST_US = to_micros(datetime.max.replace(tzinfo=UTC))
"""The first and last microseconds a datetime holds (years 1 to 9999): the bounds of any time."""


def from_micros(micros: int) -> datetime:
    """The UTC datetime `micros` microseconds after the Unix epoch."""
    return EPOCH + timedelta(microseconds=micros)


def _aware_utc(_: Any, attribute: attrs.Attribute[datetime], value: datetime) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{attribute.name} must be a datetime, got {type(value).__name__}")
    if value.utcoffset() != timedelta(0):
        raise ValueError(f"{attribute.name} must be timezone-aware UTC, got {value.isoformat()}")


# The rules a field's value follows, one function each. They are public because the codec
# spells each one as the JSON it accepts (`codec.canonical_pattern`), and refuses a rule it
# cannot spell.


def non_empty(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    """A string with at least one character."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{attribute.name} must be a non-empty string, got {value!r}")


def optional_non_empty(_: Any, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    """None, or a string with at least one character."""
    if value is not None and (not isinstance(value, str) or not value):
        raise ValueError(f"{attribute.name} must be a non-empty string or None, got {value!r}")


def _of_type(cls: type) -> Any:
    """A validator that accepts only instances of `cls`, with a message fit for a user."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, cls) or (cls is int and isinstance(value, bool)):
            raise TypeError(f"{attribute.name} must be {cls.__name__}, got {type(value).__name__}")

    return check


string = _of_type(str)
"""A field that holds any string, the empty one too."""


def optional_int(_: Any, attribute: attrs.Attribute[int | None], value: int | None) -> None:
    """None, or an integer (not a boolean)."""
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise TypeError(f"{attribute.name} must be an integer or None, got {type(value).__name__}")


def text_value(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    """A string that can be stored as UTF-8: no lone surrogate."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be str, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a tweet cut in half of an emoji) cannot be stored or hashed.
        raise ValueError(f"{attribute.name} contains a lone surrogate, which is not text") from None


def str_list(_: Any, attribute: attrs.Attribute[tuple[str, ...]], value: Any) -> None:
    """A tuple of strings (a JSON list of them)."""
    if type(value) is not tuple or (value and not all(type(item) is str for item in value)):
        raise TypeError(f"{attribute.name} must be a list of strings, got {value!r}")


@frozen(kw_only=True)
class Author:
    """Who wrote a post: the handle without its "@", and the display name when known."""

    handle: str = attrs.field(validator=non_empty)
    name: str | None = attrs.field(default=None, validator=optional_non_empty)


@frozen(kw_only=True)
class Source:
    """Where a post was read from: the file, its format, and the line (or byte offset) in it."""

    path: str = attrs.field(validator=string)
    format: str = attrs.field(validator=non_empty)
    line: int | None = attrs.field(default=None, validator=optional_int)


@frozen(kw_only=True)
class Post:
    """A post as its author published it, with what the text refers to."""

    platform: str = attrs.field(validator=non_empty)
    id: str | None = attrs.field(default=None, validator=optional_non_empty)
    author: Author = attrs.field(validator=_of_type(Author))
    text: str = attrs.field(validator=text_value)
    hashtags: tuple[str, ...] = attrs.field(default=(), validator=str_list)
    mentions: tuple[str, ...] = attrs.field(default=(), validator=str_list)
    urls: tuple[str, ...] = attrs.field(default=(), validator=str_list)
    reply_to: str | None = attrs.field(default=None, validator=optional_non_empty)
    quote_of: str | None = attrs.field(default=None, validator=optional_non_empty)
    repost_of: str | None = attrs.field(default=None, validator=optional_non_empty)
    lang: str | None = attrs.field(default=None, validator=optional_non_empty)
    source: Source = attrs.field(validator=_of_type(Source))

    def reposted(self, *, id: str | None, author: Author, source: Source) -> Post:
        """This post as `author` reposted it: the original's content, `repost_of` naming it."""
        return attrs.evolve(
            self, id=id, author=author, repost_of=self.id, reply_to=None, quote_of=None, source=source
        )


@frozen(kw_only=True)
class Event:
    """Something that happened to a post at a moment known to `precision`.

    `occurred_at` is the start of that unit: a post known only to the day sits at midnight UTC
    with `precision = DAY`; no time of day is invented.
    """

    kind: Kind = attrs.field(validator=_of_type(Kind))
    occurred_at: datetime = attrs.field(validator=_aware_utc)
    precision: Precision = attrs.field(validator=_of_type(Precision))
    post: Post = attrs.field(validator=_of_type(Post))

    @classmethod
    def published(cls, post: Post, occurred_at: datetime, precision: Precision) -> Event:
        """A `post.published` event for `post`."""
        return cls(kind=Kind.PUBLISHED, occurred_at=occurred_at, precision=precision, post=post)

    def describe_time(self) -> str:
        """The time of this event at its real precision."""
        return self.precision.format(self.occurred_at)


GENESIS = "0" * 64
"""The `prev` of the first entry in every log."""


@frozen(kw_only=True)
class Entry:
    """An event as the log holds it: its position, content id, ingest time and chain links."""

    seq: int = attrs.field(validator=attrs.validators.ge(1))
    id: str = attrs.field(validator=non_empty)
    recorded_at: datetime = attrs.field(validator=_aware_utc)
    prev: str = attrs.field(validator=non_empty)
    hash: str = attrs.field(validator=non_empty)
    event: Event
