"""Fixtures shared by every layer of the tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from events.model import Author, Event, Kind, Post, Precision, Source

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def shared() -> Path:
    """The project's shared folder (../shared); tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture
def samples(shared: Path) -> Path:
    """The real export samples in ../shared/samples."""
    path = shared / "samples"
    if not path.is_dir():
        pytest.skip("../shared/samples is absent")
    return path


# -- building blocks for the events tests: hand-made values and hypothesis strategies ----------

DAY = datetime(2016, 12, 12, tzinfo=UTC)
"""12 Dec 2016, midnight UTC: the day most seed posts are dated."""

TRICKY_TEXT = (
    "هادي العبدالله",
    "😢🇸🇾",
    '"',
    "\\",
    "\n",
    "\r\n",
    "[bold]red[/bold]",
    "\x1b[31m",
    '"post":{"x":1}}',
    "}",
    "\u2028",
    "\x00",
)
"""Pieces of post text that have broken encoders, line splitters and terminals elsewhere."""


def make_post(
    text: str = "Save #Aleppo now",
    *,
    handle: str = "someone",
    platform: str = "twitter",
    post_id: str | None = None,
    path: str = "posts.txt",
    line: int | None = 1,
    **fields: Any,
) -> Post:
    """A valid Post; keyword arguments override any other field."""
    author = fields.pop("author", Author(handle=handle, name="Some One"))
    source = fields.pop("source", Source(path=path, format="article", line=line))
    return Post(platform=platform, id=post_id, author=author, text=text, source=source, **fields)


def make_event(
    text: str = "Save #Aleppo now",
    *,
    at: datetime = DAY,
    precision: Precision = Precision.SECOND,
    kind: Kind = Kind.PUBLISHED,
    **post_fields: Any,
) -> Event:
    """A valid Event around `make_post(text, **post_fields)`."""
    return Event(kind=kind, occurred_at=at, precision=precision, post=make_post(text, **post_fields))


_chars = st.characters(codec="utf-8")  # any code point but a lone surrogate
texts = st.lists(st.sampled_from(TRICKY_TEXT) | st.text(_chars, max_size=8), max_size=6).map("".join)
"""Post text: arbitrary Unicode mixed with the tricky pieces."""
words = st.text(_chars, min_size=1, max_size=12)
"""A non-empty string: handles, names, ids, tags."""
_optional = st.none() | words

authors = st.builds(Author, handle=words, name=_optional)
sources = st.builds(
    Source, path=st.text(_chars, max_size=20), format=words, line=st.none() | st.integers(0, 2**40)
)
posts = st.builds(
    Post,
    platform=st.sampled_from(["twitter", "mastodon", "bluesky"]) | words,
    id=_optional,
    author=authors,
    text=texts,
    hashtags=st.lists(words, max_size=3).map(tuple),
    mentions=st.lists(words, max_size=3).map(tuple),
    urls=st.lists(words, max_size=2).map(tuple),
    reply_to=_optional,
    quote_of=_optional,
    repost_of=_optional,
    lang=_optional,
    source=sources,
)
"""Any valid Post."""
moments = st.datetimes(timezones=st.just(UTC))
"""Any timezone-aware UTC datetime between the years 1 and 9999."""
events = st.builds(
    Event, kind=st.sampled_from(Kind), occurred_at=moments, precision=st.sampled_from(Precision), post=posts
)
"""Any valid Event."""


def tamper(path: Path, sql: str, params: Sequence[object] = ()) -> None:
    """Run `sql` on a log file after dropping the triggers that forbid it, as an attacker could."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("DROP TRIGGER events_no_update")
        db.execute("DROP TRIGGER events_no_delete")
        db.execute(sql, params)
