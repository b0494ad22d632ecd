"""The projection: the fold of the log up to a position, its checkpoints, and post density."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import checkpoints as checkpoints_module
from events.checkpoints import Checkpoints, sidecar_path
from events.codec import Row
from events.model import Author, Event, Kind, Precision, to_micros
from events.projection import BEFORE_ALL, Projection, Settings, density
from events.query import Query
from events.store import Log
from events.timeline import Recent, Visible, post_key
from tests.conftest import DAY, make_event

HOUR_US = 3_600_000_000


def at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


def post(post_id: str, hours: float, text: str = "text", **fields: Any) -> Event:
    return make_event(text, at=at(hours), post_id=post_id, **fields)


def log_of(path: Path, events: list[Event]) -> Log:
    log = Log.open(path / "test.log", create=True)
    log.append(events)
    return log


def rows_of(log: Log) -> list[Row]:
    return list(log.rows_after(*BEFORE_ALL))


def folded(log: Log, settings: Settings | None = None) -> Projection:
    projection = Projection(settings)
    projection.apply_rows(rows_of(log))
    return projection


class TestFold:
    def test_published_posts_appear_newest_first(self, tmp_path: Path) -> None:
        """Published posts are on the visible timeline, newest first, with their stored body."""
        log = log_of(tmp_path, [post("a", 1, "one"), post("b", 2, "two")])
        projection = folded(log)
        assert [item.post().text for item in projection.recent()] == ["two", "one"]
        assert projection.count == 2 and projection.position == (to_micros(at(2)), 2)

    def test_an_edit_replaces_the_text(self, tmp_path: Path) -> None:
        """An edit replaces the visible post's text in place and marks it edited."""
        log = log_of(tmp_path, [post("a", 1, "typo"), post("b", 2), post("a", 3, "fixed", kind=Kind.EDITED)])
        items = folded(log).recent()
        assert [(item.key, item.post().text, item.edited) for item in items] == [
            ("twitter/b", "text", False),
            ("twitter/a", "fixed", True),
        ]

    def test_a_delete_removes_the_post(self, tmp_path: Path) -> None:
        """A delete takes the post off the timeline; its author's count stays."""
        log = log_of(tmp_path, [post("a", 1, handle="x"), post("a", 2, "", kind=Kind.DELETED, handle="x")])
        projection = folded(log)
        assert projection.recent() == []
        assert projection.authors == {"x": 1}
        assert projection.kinds == {"post.published": 1, "post.deleted": 1}

    def test_a_repost_counts_on_the_original_and_appears(self, tmp_path: Path) -> None:
        """A repost adds to the original's repost count and shows as its own item."""
        log = log_of(
            tmp_path,
            [
                post("a", 1),
                post("r", 2, kind=Kind.REPOSTED, repost_of="a"),
                post("s", 3, kind=Kind.REPOSTED, repost_of="a"),
            ],
        )
        items = {item.key: item for item in folded(log).recent()}
        assert items["twitter/a"].reposts == 2
        assert items["twitter/r"].kind is Kind.REPOSTED

    def test_an_edit_keeps_the_author_and_what_the_post_replies_to(self, tmp_path: Path) -> None:
        """An edit that names its author less well (a Bluesky update: a DID) changes only the text."""
        original = post("a", 1, "first version #one", handle="alice", reply_to="z", hashtags=("one",))
        edit = post("a", 2, "second version #two", handle="did:plc:abc", hashtags=("two",), kind=Kind.EDITED)
        (item,) = folded(log_of(tmp_path, [original, edit])).recent()
        shown = item.post()
        assert (shown.text, shown.hashtags, shown.author.handle, shown.reply_to) == (
            "second version #two",
            ("two",),
            "alice",
            "z",
        )
        assert item.edited

    def test_a_deleted_repost_no_longer_counts(self, tmp_path: Path) -> None:
        """When a repost is deleted, the post it reposted shows one repost fewer."""
        log = log_of(
            tmp_path,
            [
                post("a", 1),
                post("r1", 2, kind=Kind.REPOSTED, repost_of="a"),
                post("r2", 3, kind=Kind.REPOSTED, repost_of="a"),
                post("r1", 4, "", kind=Kind.DELETED),
            ],
        )
        items = folded(log).recent()
        assert [(item.key, item.reposts) for item in items] == [("twitter/r2", 0), ("twitter/a", 1)]
        assert looking_back(log, 10) == items

    def test_edits_and_reposts_of_posts_no_longer_visible_change_nothing(self, tmp_path: Path) -> None:
        """Once a post has left the bounded timeline, events about it leave the timeline alone."""
        events = [post("a", 1), post("b", 2), post("a", 3, "new", kind=Kind.EDITED)]
        projection = folded(log_of(tmp_path, events), Settings(timeline_size=1))
        assert [(item.key, item.edited) for item in projection.recent()] == [("twitter/b", False)]

    def test_the_timeline_is_bounded(self, tmp_path: Path) -> None:
        """Only the most recent `timeline_size` posts are kept."""
        log = log_of(tmp_path, [post(str(i), i) for i in range(10)])
        projection = folded(log, Settings(timeline_size=3))
        assert [item.key for item in projection.recent()] == ["twitter/9", "twitter/8", "twitter/7"]
        assert projection.count == 10

    def test_posts_without_an_id_are_keyed_by_their_event(self, tmp_path: Path) -> None:
        """Posts from articles (no native id) are told apart by their event ids."""
        log = log_of(tmp_path, [make_event("one"), make_event("two")])
        keys = [item.key for item in folded(log).recent()]
        assert len(set(keys)) == 2 and all(len(key) == 64 for key in keys)

    def test_counts_per_author_and_hashtag(self, tmp_path: Path) -> None:
        """Authors count their posts and reposts; hashtags count without regard to case."""
        log = log_of(
            tmp_path,
            [
                post("a", 1, handle="x", hashtags=("SaveAleppo",)),
                post("b", 2, handle="y", hashtags=("savealeppo", "Syria")),
                post("c", 3, handle="x", kind=Kind.REPOSTED, repost_of="b", hashtags=("Syria",)),
            ],
        )
        projection = folded(log)
        assert projection.top_authors() == [("x", 2), ("y", 1)]
        assert projection.top_hashtags() == [("SaveAleppo", 2), ("Syria", 2)]

    def test_trending_is_a_sliding_window(self, tmp_path: Path) -> None:
        """Trending counts only the window before the time asked for; older buckets drop out."""
        window = Settings(trend_window_us=2 * HOUR_US, trend_buckets=2)
        log = log_of(
            tmp_path,
            [
                post("a", 0.5, hashtags=("old",)),
                post("b", 3.5, hashtags=("new",)),
                post("c", 3.6, hashtags=("new",)),
            ],
        )
        projection = folded(log, window)
        assert projection.trending(to_micros(at(3.7))) == [("new", 2)]
        assert projection.trending(to_micros(at(1))) == []  # that bucket was dropped as time moved on
        assert projection.trending(to_micros(at(9))) == []
        assert projection.top_hashtags() == [("new", 2), ("old", 1)]

    def test_describe_time_uses_the_real_precision(self, tmp_path: Path) -> None:
        """A day-precision post is described by its date only."""
        log = log_of(tmp_path, [make_event("x", precision=Precision.DAY)])
        assert folded(log).recent()[0].describe_time() == "12 Dec 2016"

    def test_folding_in_parts_equals_folding_at_once(self, tmp_path: Path) -> None:
        """The fold is incremental: any split of the rows gives the same state."""
        log = log_of(tmp_path, [post(str(i), i, hashtags=(f"t{i % 3}",)) for i in range(12)])
        rows = rows_of(log)
        parts = Projection()
        parts.apply_rows(rows[:5])
        parts.apply_rows(rows[5:])
        assert parts == folded(log)


END = (2**62, 0)
"""A position after every entry."""


def looking_back(log: Log, size: int, query: str = "", position: tuple[int, int] = END) -> list[Visible]:
    return Recent.looking_back(log.rows_back(*position), size, Query(query)).newest()


class TestLookingBack:
    def test_gives_the_folds_timeline(self, tmp_path: Path) -> None:
        """Read newest first, the log gives the fold's timeline: later deletes, edits and reposts applied."""
        log = log_of(
            tmp_path,
            [
                post("a", 1, "first draft"),
                post("c", 1.5, "gone soon"),
                post("b", 2, "keep me"),
                post("a", 3, "edited once", kind=Kind.EDITED),
                post("a", 4, "edited twice", kind=Kind.EDITED),
                post("r", 5, "keep me", kind=Kind.REPOSTED, repost_of="b"),
                post("c", 6, "", kind=Kind.DELETED),
            ],
        )
        items = looking_back(log, 10)
        assert [(item.key, item.post().text, item.edited, item.reposts) for item in items] == [
            ("twitter/r", "keep me", False, 0),
            ("twitter/b", "keep me", False, 1),
            ("twitter/a", "edited twice", True, 0),
        ]
        assert items == folded(log).recent()

    def test_finds_matches_the_bounded_timeline_has_let_go(self, tmp_path: Path) -> None:
        """A post that left the 200-item timeline long ago is still found when it matches."""
        events = [post("old", 0, "the needle")] + [post(str(i), 1 + i / 1000, "hay") for i in range(300)]
        log = log_of(tmp_path, events)
        assert "twitter/old" not in folded(log).visible.items
        assert [item.key for item in looking_back(log, 10, "needle")] == ["twitter/old"]

    def test_reads_only_until_it_has_enough(self, tmp_path: Path) -> None:
        """With `size` matches found, no older row is read."""
        log = log_of(tmp_path, [post(str(i), i) for i in range(50)])
        rows = log.rows_back(*END)
        assert [item.key for item in Recent.looking_back(rows, 3).newest()] == [
            "twitter/49",
            "twitter/48",
            "twitter/47",
        ]
        assert next(iter(rows))[0] == 47  # the cursor goes on where reading stopped

    def test_an_edit_decides_whether_a_post_matches(self, tmp_path: Path) -> None:
        """A post edited to say the word matches; one edited to drop it does not."""
        log = log_of(
            tmp_path,
            [
                post("a", 1, "nothing here"),
                post("b", 2, "needle"),
                post("a", 3, "a needle now", kind=Kind.EDITED),
                post("b", 4, "gone now", kind=Kind.EDITED),
            ],
        )
        assert [(item.key, item.post().text) for item in looking_back(log, 10, "needle")] == [
            ("twitter/a", "a needle now")
        ]

    def test_only_what_happened_up_to_the_position(self, tmp_path: Path) -> None:
        """At a position, later posts and a later delete do not count."""
        log = log_of(
            tmp_path, [post("a", 1, "needle"), post("b", 2, "needle"), post("a", 3, "", kind=Kind.DELETED)]
        )
        position = (to_micros(at(2)), 2)
        assert [item.key for item in looking_back(log, 10, "needle", position)] == ["twitter/b", "twitter/a"]

    def test_an_edit_naming_its_author_otherwise_still_keeps_the_posts_author(self, tmp_path: Path) -> None:
        """Edited by an update that names the author by DID, alice's post is found by "@alice hello"."""
        alice = Author(handle="alice", name="Alice")
        log = log_of(
            tmp_path,
            [
                post("1", 1, "first draft", author=alice),
                post("1", 2, "hello world", kind=Kind.EDITED, author=Author(handle="did:plc:abc")),
            ],
        )
        (item,) = looking_back(log, 10, "@alice hello")
        assert (item.post().author, item.post().text) == (alice, "hello world")

    def test_after_an_edits_post_is_found_older_posts_are_screened_again(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """One edit does not make the rest of a long search decode every row."""
        events = [post(str(i), i / 60, "hay") for i in range(200)]
        events.append(post("199", 5, "needle", kind=Kind.EDITED))
        log = log_of(tmp_path, events)
        decoded: list[str] = []
        loads = json.loads

        def counted(text: str) -> Any:
            decoded.append(text)
            return loads(text)

        monkeypatch.setattr(json, "loads", counted)
        assert [item.key for item in looking_back(log, 10, "needle")] == ["twitter/199"]
        assert len(decoded) <= 3


class TestSearchFoldedOn:
    def test_a_deleted_repost_that_did_not_match_stops_counting(self, tmp_path: Path) -> None:
        """Filtered by @alice, bob's repost of her post counts on it, and its delete uncounts it."""
        log = log_of(
            tmp_path,
            [
                post("1", 1, "hello", handle="alice"),
                post("2", 2, "hello", handle="bob", kind=Kind.REPOSTED, repost_of="1"),
                post("2", 3, "", handle="bob", kind=Kind.DELETED),
            ],
        )
        rows = rows_of(log)
        live = Recent.looking_back(log.rows_back(rows[0][3], rows[0][0]), 10, Query("@alice"))
        live.apply_rows(rows[1:])
        assert [(item.key, item.reposts) for item in live.newest()] == [("twitter/1", 0)]
        assert live.newest() == looking_back(log, 10, "@alice")

    def test_an_edit_that_makes_a_post_match_says_the_search_missed_it(self, tmp_path: Path) -> None:
        """A post not held edited to match cannot be placed without its original: missed is set."""
        edit = post("3", 2, "now about #Aleppo", kind=Kind.EDITED, hashtags=("Aleppo",))
        log = log_of(tmp_path, [post("3", 1, "plain"), edit])
        rows = rows_of(log)
        live = Recent.looking_back(log.rows_back(rows[0][3], rows[0][0]), 10, Query("#aleppo"))
        missed_before = live.missed
        live.apply_rows(rows[1:])
        assert not missed_before and live.missed and not live.items
        assert [item.key for item in looking_back(log, 10, "#aleppo")] == ["twitter/3"]

    def test_a_post_gone_from_a_full_window_says_the_search_missed_some(self, tmp_path: Path) -> None:
        """With older matches let go for room, a delete leaves a gap a new search would fill: missed."""
        log = log_of(tmp_path, [post("1", 1, "needle"), post("2", 2, "needle"), post("3", 3, "needle")])
        full = Recent.looking_back(log.rows_back(*END), 2, Query("needle"))
        roomy = Recent.looking_back(log.rows_back(*END), 5, Query("needle"))
        log.append([post("3", 4, "", kind=Kind.DELETED)])
        delete = rows_of(log)[-1]
        full.apply_rows([delete])
        roomy.apply_rows([delete])
        assert full.missed
        assert not roomy.missed

    def test_a_held_repost_edited_out_of_the_filter_still_uncounts_when_deleted(self, tmp_path: Path) -> None:
        """A repost that matched, then stopped matching after an edit, uncounts when it is deleted."""
        log = log_of(
            tmp_path,
            [
                post("1", 1, "alpha"),
                post("2", 2, "alpha", kind=Kind.REPOSTED, repost_of="1"),
                post("2", 3, "gamma", kind=Kind.EDITED),
                post("2", 4, "", kind=Kind.DELETED),
            ],
        )
        live = Recent(10, Query("alpha"))
        live.apply_rows(rows_of(log))
        assert [(item.key, item.reposts) for item in live.newest()] == [("twitter/1", 0)]


def story(steps: list[tuple[int, Kind, int, str]]) -> list[Event]:
    """Events from (minute, kind, target, text): posts and reposts get ids of their own (each post is
    published once, as ids make it); edits and deletes, and what a repost reposts, name `target`."""
    events, published = [], 0
    for minute, kind, target, text in steps:
        if kind in (Kind.PUBLISHED, Kind.REPOSTED):
            post_id, published = f"p{published}", published + 1
        else:
            post_id = f"p{target}"
        events.append(
            make_event(
                text,
                at=DAY + timedelta(minutes=minute),
                kind=kind,
                post_id=post_id,
                handle=f"h{target}",
                hashtags=(f"t{target}",),
                repost_of=f"p{target}" if kind is Kind.REPOSTED else None,
            )
        )
    return events


_texts = st.sampled_from(["alpha", "beta", "alpha beta", "Straße", "gamma"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 30), st.sampled_from(Kind), st.integers(0, 6), _texts),
        min_size=1,
        max_size=30,
    ),
    size=st.integers(1, 6),
    query=st.sampled_from(["", "alpha", "beta alpha", "strasse", "#t1", "@h2", "zzz"]),
)
def test_looking_back_equals_a_fold_of_everything(
    tmp_path_factory: pytest.TempPathFactory,
    steps: list[tuple[int, Kind, int, str]],
    size: int,
    query: str,
) -> None:
    """At every position, reading back gives the newest matches of an unbounded fold from the start."""
    events = story(steps)
    keep = Query(query)
    with log_of(tmp_path_factory.mktemp("back"), events) as log:
        everything = Recent(10**9)
        for row in rows_of(log):
            post = json.loads(row[6])
            everything.apply(row, Kind(row[2]), post, post_key(post["platform"], post["id"], row[1]))
            expected = [item for item in everything.newest() if keep.matches_body(json.loads(item.body))]
            assert looking_back(log, size, query, (row[3], row[0])) == expected[:size]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 30), st.sampled_from(Kind), st.integers(0, 6), _texts),
        min_size=1,
        max_size=30,
    ),
    size=st.integers(1, 6),
    query=st.sampled_from(["alpha", "beta alpha", "strasse", "#t1", "@h2"]),
    split=st.integers(0, 30),
)
def test_a_search_folded_on_agrees_with_a_search_made_later(
    tmp_path_factory: pytest.TempPathFactory,
    steps: list[tuple[int, Kind, int, str]],
    size: int,
    query: str,
    split: int,
) -> None:
    """Searched at one position and folded on to another, the filtered timeline holds the newest of
    what a search there finds (it may lack the oldest, which left it), unless it says it missed some."""
    events = story(steps)
    with log_of(tmp_path_factory.mktemp("on"), events) as log:
        rows = rows_of(log)
        cut = min(split, len(rows))
        position = (rows[cut - 1][3], rows[cut - 1][0]) if cut else BEFORE_ALL
        live = Recent.looking_back(log.rows_back(*position), size, Query(query))
        live.apply_rows(rows[cut:])
        fresh = looking_back(log, size, query)
        if not live.missed:
            assert live.newest() == fresh[: len(live.items)]


class TestSnapshots:
    def test_a_snapshot_restores_the_same_state(self, tmp_path: Path) -> None:
        """from_snapshot(snapshot()) gives an equal projection that folds on identically."""
        events = [post(str(i), i, hashtags=("A", "a", "b")) for i in range(6)]
        events.append(post("1", 7, "edited", kind=Kind.EDITED))
        rows = rows_of(log_of(tmp_path, events))
        projection = Projection()
        projection.apply_rows(rows[:4])
        restored = Projection.from_snapshot(projection.snapshot())
        assert restored == projection
        projection.apply_rows(rows[4:])
        restored.apply_rows(rows[4:])
        assert restored == projection

    def test_a_copy_is_independent(self, tmp_path: Path) -> None:
        """Folding into a copy leaves the original as it was."""
        rows = rows_of(log_of(tmp_path, [post("a", 1), post("b", 2)]))
        projection = Projection()
        projection.apply_rows(rows[:1])
        copy = projection.copy()
        copy.apply_rows(rows[1:])
        assert projection.count == 1 and copy.count == 2

    def test_an_unknown_snapshot_version_is_refused(self) -> None:
        """A snapshot from another version fails with a clear message, not a wrong state."""
        import json
        import zlib

        with pytest.raises(ValueError, match="unknown projection snapshot version 99"):
            Projection.from_snapshot(zlib.compress(json.dumps({"v": 99}).encode()))


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Log]:
    """A log of 25 posts, edits, reposts and deletes over a day."""
    events: list[Event] = []
    for i in range(20):
        events.append(post(str(i), i, f"post {i}", handle=f"u{i % 4}", hashtags=(f"T{i % 5}",)))
        if i % 6 == 5:
            events.append(post(str(i - 2), i + 0.5, "edited", kind=Kind.EDITED))
        if i % 7 == 6:
            events.append(post(f"r{i}", i + 0.25, kind=Kind.REPOSTED, repost_of=str(i - 1)))
    events.append(post("3", 21, "", kind=Kind.DELETED))
    with log_of(tmp_path, events) as log:
        yield log


class TestCheckpoints:
    def test_state_at_every_position_equals_the_fold(self, sample: Log) -> None:
        """The state at any position, from a checkpoint plus a short fold, equals the full fold."""
        rows = rows_of(sample)
        with Checkpoints.open(sample, every=4) as checkpoints:
            assert len(checkpoints) == len(rows) // 4
            expected = Projection()
            assert checkpoints.state_at(BEFORE_ALL) == expected
            for row in rows:
                expected.apply_rows([row])
                assert checkpoints.state_at((row[3], row[0])) == expected

    def test_kept_in_a_sidecar_not_in_the_log(self, sample: Log) -> None:
        """Checkpoints are written beside the log; the log's own tables are untouched."""
        count, head = sample.count(), sample.head()
        Checkpoints.open(sample, every=4).close()
        assert sidecar_path(sample.path).is_file()
        assert (sample.count(), sample.head()) == (count, head)
        tables = {
            name for (name,) in sample._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert tables == {"events", "ingests"}

    def test_reused_while_the_log_is_unchanged(self, sample: Log) -> None:
        """Opening again reuses the sidecar instead of rebuilding it."""
        Checkpoints.open(sample, every=4).close()
        built = sidecar_path(sample.path).stat().st_mtime_ns
        Checkpoints.open(sample, every=4).close()
        assert sidecar_path(sample.path).stat().st_mtime_ns == built

    def test_rebuilt_when_the_head_changes(self, sample: Log) -> None:
        """After an append, the checkpoints describe the longer log."""
        Checkpoints.open(sample, every=4).close()
        sample.append([post("late", 30, "late #News", hashtags=("News",))])
        with Checkpoints.open(sample, every=4) as checkpoints:
            last = rows_of(sample)[-1]
            assert checkpoints.state_at((last[3], last[0])) == folded(sample)

    def test_extended_after_an_ingest(self, sample: Log, monkeypatch: pytest.MonkeyPatch) -> None:
        """After an ingest, the checkpoints from the earliest new entry on are made again, not all."""
        Checkpoints.open(sample, every=4).close()
        sample.append([post("late", 30, "late #News", hashtags=("News",)), post("back", 3.5, "backfill")])
        monkeypatch.setattr(checkpoints_module, "_build", lambda *_: pytest.fail("rebuilt from scratch"))
        folds: list[int] = []
        with Checkpoints.open(sample, every=4, on_progress=lambda done, _: folds.append(done)) as extended:
            assert extended.state_at((2**62, 0)) == folded(sample)
        assert folds[0] > 4  # it started from a kept checkpoint, not from the first entry

    def test_rebuilt_when_the_sidecar_is_another_logs(self, sample: Log, tmp_path: Path) -> None:
        """A sidecar whose head is not this log's entry at its count is not extended but rebuilt."""
        (tmp_path / "other").mkdir()
        with log_of(tmp_path / "other", [post("x", 1, "another log")]) as other:
            Checkpoints.open(other, every=1).close()
            sidecar_path(sample.path).write_bytes(sidecar_path(other.path).read_bytes())
        with Checkpoints.open(sample, every=1) as checkpoints:
            assert checkpoints.state_at((2**62, 0)) == folded(sample)
            assert len(checkpoints) == sample.count()

    def test_a_damaged_checkpoint_is_passed_over(self, sample: Log) -> None:
        """Checkpoints whose bytes were changed are not trusted: the state is folded from the start."""
        Checkpoints.open(sample, every=4).close()
        with closing(sqlite3.connect(sidecar_path(sample.path))) as db:
            db.execute("UPDATE checkpoints SET state = x'00ff00ff'")
            db.commit()
        with Checkpoints.open(sample, every=4) as checkpoints:
            assert checkpoints.state_at((2**62, 0)) == folded(sample)

    def test_one_damaged_checkpoint_falls_back_to_the_one_before_and_is_rebuilt(self, sample: Log) -> None:
        """The last checkpoint damaged: the one before it serves, and the next open builds the file again."""
        Checkpoints.open(sample, every=4).close()
        path = sidecar_path(sample.path)
        with closing(sqlite3.connect(path)) as db:
            db.execute(
                "UPDATE checkpoints SET state = x'00ff00ff' WHERE (occurred_at, seq) = "
                "(SELECT occurred_at, seq FROM checkpoints ORDER BY occurred_at DESC, seq DESC LIMIT 1)"
            )
            db.commit()
        folded_rows: list[Row] = []
        through = checkpoints_module._rows_through

        def counted(*args: Any) -> list[Row]:
            rows = list(through(*args))
            folded_rows.extend(rows)
            return rows

        with Checkpoints.open(sample, every=4) as checkpoints, pytest.MonkeyPatch.context() as patch:
            patch.setattr(checkpoints_module, "_rows_through", counted)
            assert checkpoints.state_at((2**62, 0)) == folded(sample)
            assert len(folded_rows) <= 2 * 4  # from the checkpoint before, not from the start
            assert not path.exists()
        with Checkpoints.open(sample, every=4) as checkpoints:
            assert path.exists() and checkpoints.state_at((2**62, 0)) == folded(sample)

    def test_a_damaged_schema_in_the_sidecar_is_rebuilt(self, sample: Log) -> None:
        """A byte of the sidecar's schema text changed (no longer UTF-8) makes it rebuilt, not an error."""
        Checkpoints.open(sample, every=4).close()
        path = sidecar_path(sample.path)
        data = bytearray(path.read_bytes())
        data[data.index(b"tablemetameta") + len("table")] = 0xF7  # its name in sqlite_master, "\xf7eta"
        path.write_bytes(bytes(data))
        with Checkpoints.open(sample, every=4) as checkpoints:
            assert checkpoints.state_at((2**62, 0)) == folded(sample)

    def test_entries_appended_while_they_are_built_are_in_the_state(
        self, sample: Log, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An ingest that commits just as the checkpoints are made is seen, not taken as built in."""
        build = checkpoints_module._build

        def build_then_ingest(log: Log, *args: Any) -> sqlite3.Connection:
            db = build(log, *args)
            with Log.open(log.path) as writer:
                writer.append([post("late", -1, "before all")])
            return db

        monkeypatch.setattr(checkpoints_module, "_build", build_then_ingest)
        with Checkpoints.open(sample, every=4) as checkpoints:
            assert checkpoints.state_at((2**62, 0)) == folded(sample)

    def test_rebuilt_when_the_sidecar_is_damaged(self, sample: Log) -> None:
        """A sidecar that is not a checkpoint file is replaced, not trusted."""
        sidecar_path(sample.path).write_bytes(b"not sqlite at all" * 100)
        with Checkpoints.open(sample, every=4) as checkpoints:
            assert checkpoints.state_at((2**62, 0)) == folded(sample)

    def test_a_damaged_page_falls_back_to_the_fold_and_is_rebuilt_next_time(self, sample: Log) -> None:
        """Damage found only when a checkpoint is read gives the fold's answer; the next open rebuilds."""
        Checkpoints.open(sample, every=1).close()
        path = sidecar_path(sample.path)
        with closing(sqlite3.connect(path)) as db:
            page_size = db.execute("PRAGMA page_size").fetchone()[0]
            root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'checkpoints'").fetchone()[0]
        data = bytearray(path.read_bytes())
        data[(root - 1) * page_size : root * page_size] = b"\xee" * page_size
        path.write_bytes(bytes(data))
        with Checkpoints.open(sample, every=1) as checkpoints:
            assert checkpoints.state_at((2**62, 0)) == folded(sample)
            assert checkpoints.state_at((2**62, 0)) == folded(sample)  # and again, from memory
        with Checkpoints.open(sample, every=1) as checkpoints:
            assert len(checkpoints) == sample.count()
            assert checkpoints.state_at((2**62, 0)) == folded(sample)

    def test_entries_appended_while_open_are_in_the_state(self, sample: Log) -> None:
        """An ingest while the checkpoints are open (the player and an ingest at once) is not missed."""
        with Checkpoints.open(sample, every=4) as checkpoints:
            with Log.open(sample.path) as writer:
                writer.append([post("early", -1, "before all"), post("1", 1.5, "edited", kind=Kind.EDITED)])
            expected = Projection()
            for row in rows_of(sample):
                expected.apply_rows([row])
                assert checkpoints.state_at((row[3], row[0])) == expected

    def test_rebuilt_for_other_settings(self, sample: Log) -> None:
        """Checkpoints made with other projection settings are not used."""
        Checkpoints.open(sample, every=4).close()
        small = Settings(timeline_size=2)
        with Checkpoints.open(sample, every=4, settings=small) as checkpoints:
            assert len(checkpoints.state_at((2**62, 0)).recent()) == 2

    def test_in_memory_when_the_directory_is_read_only(
        self, sample: Log, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Where the sidecar cannot be written, checkpoints are kept in memory instead."""
        monkeypatch.setattr(os, "access", lambda *_: False)
        with Checkpoints.open(sample, every=4) as checkpoints:
            assert checkpoints.state_at((2**62, 0)) == folded(sample)
        assert not sidecar_path(sample.path).exists()

    def test_a_failed_write_falls_back_to_memory(self, sample: Log, monkeypatch: pytest.MonkeyPatch) -> None:
        """A sidecar that cannot be renamed into place leaves no partial file and still works."""

        def refuse(*_: object) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(os, "replace", refuse)
        with Checkpoints.open(sample, every=4) as checkpoints:
            assert checkpoints.state_at((2**62, 0)) == folded(sample)
        assert list(sample.path.parent.glob("*.partial")) == []

    def test_progress_is_reported_while_building(self, sample: Log) -> None:
        """on_progress sees the count grow to the total."""
        seen: list[tuple[int, int]] = []
        Checkpoints.open(sample, every=10, on_progress=lambda done, total: seen.append((done, total))).close()
        assert seen[-1] == (sample.count(), sample.count())

    def test_every_must_be_positive(self, sample: Log) -> None:
        """Zero entries between checkpoints is refused."""
        with pytest.raises(ValueError, match="at least one entry"):
            Checkpoints.open(sample, every=0)


_offsets = st.lists(st.integers(0, 48 * 60), min_size=1, max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes=_offsets, split=st.integers(1, 29), every=st.integers(1, 5))
def test_extended_checkpoints_are_those_built_from_scratch(
    tmp_path_factory: pytest.TempPathFactory, minutes: list[int], split: int, every: int
) -> None:
    """Ingested in two parts at any times, the extended sidecar holds exactly a full build's checkpoints."""
    events = [
        make_event(f"p{i}", at=DAY + timedelta(minutes=m), post_id=str(i)) for i, m in enumerate(minutes)
    ]
    with log_of(tmp_path_factory.mktemp("two"), events[:split]) as log:
        Checkpoints.open(log, every=every).close()
        log.append(events[split:])
        Checkpoints.open(log, every=every).close()
        extended = stored_checkpoints(log)
        sidecar_path(log.path).unlink()
        Checkpoints.open(log, every=every).close()
        assert extended == stored_checkpoints(log)


def stored_checkpoints(log: Log) -> list[tuple[int, int, bytes]]:
    """The rows of the log's checkpoint sidecar."""
    with closing(sqlite3.connect(sidecar_path(log.path))) as db:
        return db.execute("SELECT occurred_at, seq, state FROM checkpoints ORDER BY 1, 2").fetchall()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes=_offsets, every=st.integers(1, 7), kinds=st.lists(st.sampled_from(Kind), min_size=30, max_size=30)
)
def test_checkpoints_agree_with_the_fold_for_any_log(
    tmp_path_factory: pytest.TempPathFactory, minutes: list[int], every: int, kinds: list[Kind]
) -> None:
    """For logs of any times and kinds, state_at(position) is the fold of every row up to it."""
    events = [
        make_event(
            f"p{i}", at=DAY + timedelta(minutes=m), kind=kinds[i], post_id=str(i % 5), hashtags=(f"t{m % 3}",)
        )
        for i, m in enumerate(minutes)
    ]
    with (
        log_of(tmp_path_factory.mktemp("any"), events) as log,
        Checkpoints.open(log, every=every) as checkpoints,
    ):
        expected = Projection()
        for row in rows_of(log):
            expected.apply_rows([row])
            assert checkpoints.state_at((row[3], row[0])) == expected


class TestDensity:
    def test_counts_per_bucket_cover_the_log(self, sample: Log) -> None:
        """Density buckets span the log and add up to its size, matching a count in Python."""
        found = density(sample, 6)
        assert len(found.counts) == 6 and sum(found.counts) == sample.count()
        times = [row[3] for row in rows_of(sample)]
        expected = [0] * 6
        for time in times:
            expected[(time - found.origin_us) // found.width_us] += 1
        assert list(found.counts) == expected
        assert found.origin_us == min(times)
        assert found.origin_us + 6 * found.width_us > max(times)

    def test_an_empty_log_has_no_buckets(self, tmp_path: Path) -> None:
        """An empty log has an empty density."""
        with Log.open(tmp_path / "empty.log", create=True) as log:
            assert density(log, 10).counts == ()

    def test_at_least_one_bucket(self, sample: Log) -> None:
        """Zero buckets is refused."""
        with pytest.raises(ValueError, match="at least one bucket"):
            density(sample, 0)

    def test_computed_in_sql_over_the_time_index(self, sample: Log, monkeypatch: pytest.MonkeyPatch) -> None:
        """Density reads no row and decodes no body: one aggregate query does it."""
        monkeypatch.setattr(Log, "rows_after", lambda *_: pytest.fail("density read rows"))
        assert sum(density(sample, 3).counts) == sample.count()


def test_sqlite_supports_row_values() -> None:
    """Positions are compared as SQL row values, which need SQLite 3.15 or newer."""
    assert sqlite3.sqlite_version_info >= (3, 15)
