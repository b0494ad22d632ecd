"""The state of the world at a position in the log: a fold over its entries in time order.

What the fold keeps, and why it stays bounded on a log of any size:
- the visible timeline: the most recent `timeline_size` posts and reposts, in the order they
  happened; an edit replaces a visible post's text (and marks it edited), a delete removes it, a
  repost counts on the visible post it reposts and appears as its own item. Posts that have left
  the timeline are not remembered, so an edit or repost of one changes no item;
- counts per author (posts and reposts they made) and per hashtag (in posts and reposts; an edit
  does not count its tags again), dicts as large as the number of distinct authors and tags;
  hashtags are counted without regard to case, under the spelling first seen;
- trending hashtags: counts in `trend_buckets` buckets of `occurred_at` covering the last
  `trend_window_us` before the newest entry folded;
- totals per kind of event, and the position: how many entries were folded and the last one's
  (occurred_at µs, seq).
Bodies stay as stored (JSON text) until a post is shown: `Visible.post()` decodes one.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs
from attrs import frozen

from events.codec import Row
from events.model import Kind, Precision, to_micros
from events.store import Log
from events.timeline import KINDS, Recent, Visible, damaged_body, post_key

BEFORE_ALL = (-(2**62), 0)
"""The position before every entry: nothing folded yet."""
_SNAPSHOT_VERSION = 1


@frozen(kw_only=True)
class Settings:
    """What a projection keeps: timeline length, trending window (µs) and its number of buckets."""

    timeline_size: int = attrs.field(default=200, validator=attrs.validators.ge(1))
    trend_window_us: int = attrs.field(default=24 * 3600 * 1_000_000, validator=attrs.validators.ge(1))
    trend_buckets: int = attrs.field(default=24, validator=attrs.validators.ge(1))

    @property
    def bucket_us(self) -> int:
        """The width of one trending bucket, in µs."""
        return max(1, self.trend_window_us // self.trend_buckets)


class Projection:
    """The fold of every entry up to `position`; `apply_rows` folds more, in time order."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.count = 0
        self.position: tuple[int, int] = BEFORE_ALL
        self.visible = Recent(self.settings.timeline_size)
        self.authors: Counter[str] = Counter()
        self.hashtags: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.trend: dict[int, Counter[str]] = {}
        self._spelling: dict[str, str] = {}

    # -- folding ---------------------------------------------------------------------------------

    def apply_rows(self, rows: Iterable[Row]) -> None:
        """Fold stored rows, which must follow `position` in (occurred_at, seq) order."""
        loads, kinds_by_name = json.loads, KINDS
        visible, authors, kinds = self.visible, self.authors, self.kinds
        try:
            for row in rows:
                seq, id_, kind_name, occurred, _, _, body, _ = row
                post = loads(body)
                kind = kinds_by_name[kind_name]
                kinds[kind_name] += 1
                self.count += 1
                self.position = (occurred, seq)
                visible.apply(row, kind, post, post_key(post["platform"], post["id"], id_))
                if kind is Kind.PUBLISHED or kind is Kind.REPOSTED:
                    authors[post["author"]["handle"]] += 1
                    if post["hashtags"]:
                        self._count_tags(post["hashtags"], occurred)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise damaged_body(exc) from exc

    def _count_tags(self, tags: list[str], occurred_us: int) -> None:
        bucket_index = occurred_us // self.settings.bucket_us
        bucket = self.trend.get(bucket_index)
        if bucket is None:
            bucket = self.trend[bucket_index] = Counter()
            oldest = bucket_index - self.settings.trend_buckets
            for stale in [index for index in self.trend if index <= oldest]:
                del self.trend[stale]
        spelling, hashtags = self._spelling, self.hashtags
        for tag in tags:
            name = spelling.get(tag)
            if name is None:
                name = spelling[tag] = spelling.setdefault(tag.casefold(), tag)
            hashtags[name] += 1
            bucket[name] += 1

    # -- reading ---------------------------------------------------------------------------------

    def recent(self, limit: int | None = None) -> list[Visible]:
        """The visible timeline, newest first, at most `limit` items."""
        return self.visible.newest(limit)

    def top_authors(self, limit: int = 10) -> list[tuple[str, int]]:
        """The most active authors and how many posts and reposts each made, most first."""
        return self.authors.most_common(limit)

    def top_hashtags(self, limit: int = 10) -> list[tuple[str, int]]:
        """The most used hashtags over everything folded, most first."""
        return self.hashtags.most_common(limit)

    def trending(self, at_us: int, limit: int = 10) -> list[tuple[str, int]]:
        """Hashtags by use in the trending window that ends at `at_us` (the playhead), most first."""
        bucket_us = self.settings.bucket_us
        newest = at_us // bucket_us
        oldest = newest - self.settings.trend_buckets
        total: Counter[str] = Counter()
        for index, bucket in self.trend.items():
            if oldest < index <= newest:
                total.update(bucket)
        return total.most_common(limit)

    # -- copies and snapshots --------------------------------------------------------------------

    def snapshot(self) -> bytes:
        """The whole state as compressed JSON, for a checkpoint."""
        state = {
            "v": _SNAPSHOT_VERSION,
            "count": self.count,
            "position": list(self.position),
            "timeline": [
                [v.key, v.seq, v.kind.value, v.occurred_us, v.precision.value, v.body, v.edited, v.reposts]
                for v in self.visible.items.values()
            ],
            "authors": self.authors,
            "hashtags": self.hashtags,
            "kinds": self.kinds,
            "trend": {str(index): bucket for index, bucket in self.trend.items()},
        }
        return zlib.compress(json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode(), 1)

    @classmethod
    def from_snapshot(cls, data: bytes, settings: Settings | None = None) -> Projection:
        """The projection a `snapshot()` holds."""
        state: dict[str, Any] = json.loads(zlib.decompress(data))
        if state.get("v") != _SNAPSHOT_VERSION:
            raise ValueError(f"unknown projection snapshot version {state.get('v')!r}")
        projection = cls(settings)
        projection.count = state["count"]
        projection.position = (state["position"][0], state["position"][1])
        for key, seq, kind, occurred, precision, body, edited, reposts in state["timeline"]:
            projection.visible.items[key] = Visible(
                key=key,
                seq=seq,
                kind=Kind(kind),
                occurred_us=occurred,
                precision=Precision(precision),
                body=body,
                edited=edited,
                reposts=reposts,
            )
        projection.authors = Counter(state["authors"])
        projection.hashtags = Counter(state["hashtags"])
        projection.kinds = Counter(state["kinds"])
        projection.trend = {int(index): Counter(bucket) for index, bucket in state["trend"].items()}
        projection._spelling = {tag.casefold(): tag for tag in projection.hashtags}
        projection._spelling.update((tag, tag) for tag in projection.hashtags)
        return projection

    def copy(self) -> Projection:
        """An independent copy: folding into it leaves this one as it is."""
        return Projection.from_snapshot(self.snapshot(), self.settings)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Projection):
            return NotImplemented
        return self._state() == other._state()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def _state(self) -> tuple[Any, ...]:
        trend = {index: +bucket for index, bucket in self.trend.items() if +bucket}
        return (
            self.settings,
            self.count,
            self.position,
            list(self.visible.items.items()),
            +self.authors,
            +self.hashtags,
            +self.kinds,
            trend,
        )

    def __repr__(self) -> str:
        return f"<Projection count={self.count} position={self.position} visible={len(self.visible.items)}>"


@frozen(kw_only=True)
class Density:
    """Entries per time bucket over the whole log, for a density strip: bucket i covers
    [origin_us + i * width_us, origin_us + (i + 1) * width_us)."""

    origin_us: int
    width_us: int
    counts: tuple[int, ...]


def density(log: Log, buckets: int) -> Density:
    """How many entries fall in each of `buckets` equal slices of the log's time span.

    One SQL aggregate over the time index (no entry is decoded); an empty log gives no buckets.
    """
    if buckets < 1:
        raise ValueError(f"need at least one bucket, got {buckets}")
    span = log.span()
    if span is None:
        return Density(origin_us=0, width_us=1, counts=())
    origin_us, last_us = to_micros(span.first), to_micros(span.last)
    width_us = max(1, -(-(last_us - origin_us + 1) // buckets))
    found = log.density(origin_us, width_us)
    return Density(
        origin_us=origin_us,
        width_us=width_us,
        counts=tuple(found.get(index, 0) for index in range(buckets)),
    )
