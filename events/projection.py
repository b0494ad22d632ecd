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
from collections import Counter, OrderedDict
from collections.abc import Iterable
from typing import Any

import attrs
from attrs import frozen

from events.codec import Row, canonical_json, post_from_body
from events.errors import LogError
from events.model import Kind, Post, Precision, from_micros, to_micros
from events.query import Query
from events.store import Log

BEFORE_ALL = (-(2**62), 0)
"""The position before every entry: nothing folded yet."""
_SNAPSHOT_VERSION = 1
# Enum calls cost a microsecond each in the fold's inner loop; these lookups a tenth of that.
_KINDS = {kind.value: kind for kind in Kind}
_PRECISIONS = {precision.value: precision for precision in Precision}


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


@frozen(kw_only=True)
class Visible:
    """A post or repost on the visible timeline, as the latest event about it leaves it."""

    key: str
    seq: int
    kind: Kind
    occurred_us: int
    precision: Precision
    body: str
    edited: bool = False
    reposts: int = 0

    def post(self) -> Post:
        """The post, decoded from its stored body (the latest edit's text when edited)."""
        return post_from_body(self.body)

    def describe_time(self) -> str:
        """When it happened, at its real precision ("12 Dec 2016", "12 Dec 2016 14:03:07")."""
        return self.precision.format(from_micros(self.occurred_us))


def post_key(platform: str, native_id: str | None, event_id: bytes) -> str:
    """What names a post across its events: platform and native id, else its event's id."""
    return event_id.hex() if native_id is None else f"{platform}/{native_id}"


class Recent:
    """The newest posts and reposts still visible, at most `size`, in the order they happened.

    Folding a row: a post or repost is added (when `keep` is None or matches it; past `size` the
    oldest goes), and a repost counts on the held post it reposts; an edit replaces a held post's
    text and what is read from it (hashtags, mentions, links, language), keeps who wrote it and
    what it replies to, and marks it edited (it goes if `keep` no longer matches the new text); a
    delete removes it, and a deleted repost no longer counts. Posts not held are not remembered, so
    an edit, repost or delete of one changes no item; with `keep`, an edit that might make a post
    not held match, or a post gone when older matches were let go for room, sets `missed`, for the
    caller to search again (see `looking_back`).
    """

    def __init__(self, size: int, keep: Query | None = None) -> None:
        self.size = size
        self.keep = keep or None
        self.items: OrderedDict[str, Visible] = OrderedDict()
        self.missed = False
        self.complete = True
        """True while every post folded in that matches is held: none was let go for room."""
        self._counted_unheld: dict[str, str] = {}  # with keep: reposts counted but not held -> original

    def newest(self, limit: int | None = None) -> list[Visible]:
        """The items, newest first, at most `limit`."""
        items = list(reversed(self.items.values()))
        return items if limit is None else items[:limit]

    def apply_rows(self, rows: Iterable[Row]) -> None:
        """Fold stored rows that follow those already folded, in (occurred_at, seq) order."""
        try:
            for row in rows:
                post = json.loads(row[6])
                self.apply(row, _KINDS[row[2]], post, post_key(post["platform"], post["id"], row[1]))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _damaged(exc) from exc

    def apply(self, row: Row, kind: Kind, post: dict[str, Any], key: str) -> None:
        """Fold one stored row, whose body decodes to `post` and whose post is named `key`."""
        items, keep = self.items, self.keep
        if kind is Kind.EDITED or kind is Kind.DELETED:
            shown = items.get(key)
            if shown is None:
                if kind is Kind.DELETED:
                    self._uncount(self._counted_unheld.pop(key, None))
                elif keep is not None and keep.matches_body(post):
                    self.missed = True  # it may be a post held nowhere that now matches
                return
            if kind is Kind.DELETED:
                del items[key]
                self._uncount(self._counted_on(shown))
                self._made_room()
                return
            edited = _edited(json.loads(shown.body), post)
            if keep is not None and not keep.matches_body(edited):
                del items[key]
                self._remember_counted(key, self._counted_on(shown))
                self._made_room()
            else:
                items[key] = attrs.evolve(shown, body=canonical_json(edited), edited=True)
            return
        counted = None
        if kind is Kind.REPOSTED and post["repost_of"] is not None:
            original = items.get(f"{post['platform']}/{post['repost_of']}")
            if original is not None:
                items[original.key] = attrs.evolve(original, reposts=original.reposts + 1)
                counted = original.key
        if keep is not None and not keep.matches_body(post):
            self._remember_counted(key, counted)
            return
        items[key] = _visible(row, kind, key, row[6])
        items.move_to_end(key)
        if len(items) > self.size:
            items.popitem(last=False)
            self.complete = False

    def _made_room(self) -> None:
        """With `keep`, a post gone from a timeline that let older matches go: one may belong back."""
        if self.keep is not None and not self.complete:
            self.missed = True

    def _counted_on(self, repost: Visible) -> str | None:
        """The held post a held repost counts on: the one it reposts, if it came before it."""
        if repost.kind is not Kind.REPOSTED:
            return None
        post = json.loads(repost.body)
        original = self.items.get(f"{post['platform']}/{post['repost_of']}")
        if original is None or (original.occurred_us, original.seq) > (repost.occurred_us, repost.seq):
            return None
        return original.key

    def _remember_counted(self, key: str, original: str | None) -> None:
        """A repost that counts on a held post but is not held itself: its delete must still uncount."""
        if original is None:
            return
        self._counted_unheld[key] = original
        if len(self._counted_unheld) > 4 * self.size + 1024:  # forget those whose post has gone
            self._counted_unheld = {k: v for k, v in self._counted_unheld.items() if v in self.items}

    def _uncount(self, original_key: str | None) -> None:
        """A deleted repost stops counting on the post it counted on, if that is still held."""
        original = None if original_key is None else self.items.get(original_key)
        if original is not None and original.reposts:
            self.items[original.key] = attrs.evolve(original, reposts=original.reposts - 1)

    @classmethod
    def looking_back(cls, rows: Iterable[Row], size: int, keep: Query | None = None) -> Recent:
        """What folding every row up to the newest would hold, from `rows` read newest first.

        No fold from the start is needed, and no limit on how far back a post may be: a delete
        read before (so after) a post hides it, the first edit read gives its text, the reposts
        read count on it. Reading stops once `size` posts are found. A post that cannot match
        `keep` is passed over without being decoded while no edit read could make one match (an
        edit keeps the post's author, which its own body may name otherwise, so with a word or an
        @author in the query every edit could, until its post is reached).
        """
        keep = keep or None
        deleted: set[str] = set()
        edits: dict[str, str] = {}
        reposts: Counter[str] = Counter()
        decided: set[str] = set()  # posts already found or passed over: older rows of them are past
        hopeful: set[str] = set()  # posts an edit read might make match: decode until they are reached
        found: list[Visible] = []
        try:
            for row in rows:
                kind, body = _KINDS[row[2]], row[6]
                if kind is Kind.PUBLISHED and keep is not None and not hopeful and not keep.may_match(body):
                    continue
                post = json.loads(body)
                key = post_key(post["platform"], post["id"], row[1])
                if kind is Kind.DELETED:
                    deleted.add(key)
                    continue
                if kind is Kind.EDITED:
                    if key not in edits and key not in deleted and key not in decided:
                        edits[key] = body
                        if keep is None or keep.edit_may_match(body):
                            hopeful.add(key)
                    continue
                if key not in decided and key not in deleted:
                    edit = edits.get(key)
                    shown = post if edit is None else _edited(post, json.loads(edit))
                    if keep is None or keep.matches_body(shown):
                        item = _visible(row, kind, key, body if edit is None else canonical_json(shown))
                        found.append(attrs.evolve(item, edited=edit is not None, reposts=reposts[key]))
                decided.add(key)
                hopeful.discard(key)
                if kind is Kind.REPOSTED and post["repost_of"] is not None and key not in deleted:
                    reposts[f"{post['platform']}/{post['repost_of']}"] += 1
                if len(found) == size:
                    break
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _damaged(exc) from exc
        recent = cls(size, keep)
        recent.items.update((item.key, item) for item in reversed(found))
        recent.complete = len(found) < size
        return recent


_EDITABLE = ("text", "hashtags", "mentions", "urls", "lang")
"""What an edit changes in a post: its text and what is read from the text."""


def _edited(post: dict[str, Any], edit: dict[str, Any]) -> dict[str, Any]:
    """`post` as `edit` leaves it: the new text; the same author, replies, quotes and source.

    An edit event carries the whole post as its source gave it, which may know less of the author
    (a Bluesky update names only the author's DID) than the post did.
    """
    return {**post, **{name: edit[name] for name in _EDITABLE}}


def _visible(row: Row, kind: Kind, key: str, body: str) -> Visible:
    seq, _, _, occurred, precision, _, _, _ = row
    return Visible(
        key=key, seq=seq, kind=kind, occurred_us=occurred, precision=_PRECISIONS[precision], body=body
    )


def _damaged(exc: Exception) -> LogError:
    # Bodies are checked on the way in; one that fails here was changed in the file.
    return LogError(f"an entry's body is damaged ({exc!r}); run replay log verify")


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
        loads, kinds_by_name = json.loads, _KINDS
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
            raise _damaged(exc) from exc

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
