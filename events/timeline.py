"""The visible timeline: the newest posts and reposts at a position, with their edits, deletes and
reposts applied; folded on row by row, or found by reading the log backwards (for a filter)."""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from collections.abc import Iterable
from typing import Any

import attrs
from attrs import frozen

from events.codec import Row, canonical_json, post_from_body
from events.errors import LogError
from events.model import Kind, Post, Precision, from_micros
from events.query import Query

# Enum calls cost a microsecond each in a fold's inner loop; these lookups a tenth of that.
KINDS = {kind.value: kind for kind in Kind}
_PRECISIONS = {precision.value: precision for precision in Precision}


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
                self.apply(row, KINDS[row[2]], post, post_key(post["platform"], post["id"], row[1]))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise damaged_body(exc) from exc

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
                kind, body = KINDS[row[2]], row[6]
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
            raise damaged_body(exc) from exc
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


def damaged_body(exc: Exception) -> LogError:
    # Bodies are checked on the way in; one that fails here was changed in the file.
    return LogError(f"an entry's body is damaged ({exc!r}); run replay log verify")
