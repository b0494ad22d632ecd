"""The pure playhead, and replay as a function of commands and clock advances (no trio)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.checkpoints import Checkpoints
from events.codec import Row
from events.model import Precision
from events.projection import BEFORE_ALL, Projection, density
from events.store import Log
from replay import playhead as ph
from replay.playhead import DAY, HOUR, MAX, MINUTE, US, Playhead, Range
from replay.track import Track, playback_density
from replay.transport import Batch, Ended, Reset, Transport
from tests.conftest import DAY as DEC_12
from tests.conftest import make_event
from tests.replay.logs import MIXED_START_US, mixed_events, reference_times

T0 = 1_481_500_800_000_000  # 12 Dec 2016 00:00 UTC, in µs


def playing(speed: float = 1.0, max_gap: float | None = None) -> Playhead:
    return ph.start(T0, 100.0, speed=speed, max_gap=max_gap)


# -- the clock ------------------------------------------------------------------------------------


class TestClock:
    def test_time_advances_at_speed(self) -> None:
        """Playing at 60x, ten wall seconds move the playhead ten minutes."""
        assert ph.time_at(playing(60), 110.0) == T0 + 10 * MINUTE

    def test_wall_at_is_the_inverse(self) -> None:
        """wall_at gives the wall time at which a playback time is reached."""
        assert ph.wall_at(playing(60), T0 + 10 * MINUTE) == pytest.approx(110.0)

    def test_paused_stands_still(self) -> None:
        """A paused playhead shows the same time whatever the wall clock says."""
        paused = ph.pause(playing(), 105.0)
        assert ph.time_at(paused, 10_000.0) == T0 + 5 * US
        assert ph.wall_at(paused, T0 + 6 * US) == math.inf

    def test_max_speed_is_due_at_once(self) -> None:
        """At MAX speed anything later is due immediately and the clock stays put."""
        fast = playing(MAX)
        assert ph.wall_at(fast, T0 + DAY) == -math.inf
        assert ph.time_at(fast, 1e9) == T0

    def test_times_before_the_anchor_are_due_at_the_anchor(self) -> None:
        """A playback time already passed is due at the anchor, never earlier."""
        assert ph.wall_at(playing(), T0 - HOUR) == 100.0

    @given(
        speed=st.floats(0.1, 10_000),
        elapsed=st.floats(0, 1e6, allow_nan=False),
    )
    def test_due_through_matches_wall_at(self, speed: float, elapsed: float) -> None:
        """due_through(now) is exactly the last time t with wall_at(t) <= now."""
        head = playing(speed)
        now = 100.0 + elapsed
        limit = ph.due_through(head, now)
        assert ph.wall_at(head, limit) <= now < ph.wall_at(head, limit + 1)


class TestPlayPause:
    def test_pause_then_play_resumes_where_it_stopped(self) -> None:
        """Play after a pause continues from the paused time, not from wall time."""
        paused = ph.pause(playing(), 110.0)
        resumed = ph.play(paused, 500.0)
        assert ph.time_at(resumed, 501.0) == T0 + 11 * US

    def test_toggle_flips(self) -> None:
        """toggle pauses a playing playhead and plays a paused one."""
        head = ph.toggle(playing(), 101.0)
        assert head.paused
        assert not ph.toggle(head, 102.0).paused

    def test_play_and_pause_are_idempotent(self) -> None:
        """Playing a playing playhead, or pausing a paused one, changes nothing."""
        head = playing()
        assert ph.play(head, 200.0) is head
        paused = ph.pause(head, 150.0)
        assert ph.pause(paused, 300.0) is paused

    @given(
        speed=st.floats(0.1, 10_000),
        paused_at=st.floats(0, 1e5),
        pause_for=st.floats(0, 1e7),
        then=st.floats(0, 1e5),
    )
    def test_pausing_for_any_time_changes_nothing(
        self, speed: float, paused_at: float, pause_for: float, then: float
    ) -> None:
        """After pause, any wait and play, the clock reads as if the wait never happened."""
        head = playing(speed)
        resumed = ph.play(ph.pause(head, 100.0 + paused_at), 100.0 + paused_at + pause_for)
        after_wait = ph.time_at(resumed, 100.0 + paused_at + pause_for + then)
        without_wait = ph.time_at(head, 100.0 + paused_at + then)
        assert abs(after_wait - without_wait) <= 2 + speed * 1e-3  # float rounding only


class TestSeekAndSpeed:
    def test_seek_keeps_state(self) -> None:
        """Seeking moves the time and keeps play/pause and speed."""
        head = ph.seek(ph.pause(playing(60), 101.0), T0 + DAY, 200.0)
        assert (head.virtual_us, head.paused, head.speed) == (T0 + DAY, True, 60.0)

    @pytest.mark.parametrize("delta", [MINUTE, -MINUTE, HOUR, -HOUR, DAY, -DAY])
    def test_seek_by_moves_from_the_time_shown(self, delta: int) -> None:
        """±1 minute, hour or day move from the playhead's current time."""
        head = ph.seek_by(playing(), delta, 110.0)
        assert head.virtual_us == T0 + 10 * US + delta

    def test_step_to_pauses_there(self) -> None:
        """Stepping stands paused at the time of the entry stepped to."""
        head = ph.step_to(playing(), T0 + HOUR, 101.0)
        assert head.paused and head.virtual_us == T0 + HOUR

    def test_speed_change_keeps_the_time_shown(self) -> None:
        """Changing speed re-anchors so the time shown does not jump."""
        head = ph.set_speed(playing(1), 3600, 110.0)
        assert ph.time_at(head, 110.0) == T0 + 10 * US
        assert ph.time_at(head, 111.0) == T0 + 10 * US + HOUR

    @pytest.mark.parametrize("speed", [0.0, 0.09, 10_001, -1, math.nan])
    def test_speed_out_of_range_is_refused(self, speed: float) -> None:
        """Speeds outside 0.1..10,000 (and not MAX) fail with a message naming the value."""
        with pytest.raises(ValueError, match=r"speed must be between 0\.1 and 10000"):
            ph.set_speed(playing(), speed, 101.0)

    @pytest.mark.parametrize("seconds", [0, -1, math.inf])
    def test_gap_limit_must_be_positive(self, seconds: float) -> None:
        """A gap limit of zero, a negative one or infinity is refused."""
        with pytest.raises(ValueError, match="gap limit"):
            ph.set_max_gap(playing(), seconds)

    def test_arrive_never_goes_back(self) -> None:
        """At MAX speed the clock follows deliveries forward only."""
        head = ph.arrive(playing(MAX), T0 - 5, 200.0)
        assert head.virtual_us == T0


class TestGapLimit:
    def test_a_long_silence_is_shortened_to_the_limit(self) -> None:
        """With a 2 s limit, an entry an hour away comes due 2 s after the silence began."""
        head = ph.limit_gap(playing(1, max_gap=2.0), T0, T0 + HOUR)
        assert ph.wall_at(head, T0 + HOUR) == pytest.approx(102.0)

    def test_a_limit_longer_than_any_silence_changes_nothing(self) -> None:
        """A limit of 1e308 s at 10,000x is no limit (and no overflow)."""
        head = playing(10_000, max_gap=1e308)
        assert ph.limit_gap(head, T0, T0 + 10**15 * US) is head

    def test_a_short_silence_is_kept(self) -> None:
        """A silence within the limit is left alone."""
        head = playing(1, max_gap=2.0)
        assert ph.limit_gap(head, T0, T0 + US) is head

    def test_the_limit_is_wall_time_at_any_speed(self) -> None:
        """At 60x a 2 s limit allows two minutes of playback time."""
        head = ph.limit_gap(playing(60, max_gap=2.0), T0, T0 + DAY)
        assert ph.wall_at(head, T0 + DAY) == pytest.approx(102.0)

    def test_limit_is_idempotent_and_adds_no_drift(self) -> None:
        """Applying the limit again changes nothing; the jump is anchored where the silence began."""
        head = ph.limit_gap(playing(1, max_gap=2.0), T0 + 5 * US, T0 + HOUR)
        assert ph.limit_gap(head, T0 + 5 * US, T0 + HOUR) == head
        assert head.wall == 105.0  # wall_at(T0 + 5 s), not the time of a late wake-up

    @pytest.mark.parametrize(
        "head",
        [ph.pause(playing(max_gap=2.0), 100.0), playing(MAX, max_gap=2.0), playing()],
        ids=["paused", "max", "no-limit"],
    )
    def test_no_op_when_not_playing_or_unlimited(self, head: Playhead) -> None:
        """Paused, at MAX speed or without a limit, silences are untouched."""
        assert ph.limit_gap(head, T0, T0 + DAY) is head


class TestRange:
    def test_contains_is_half_open(self) -> None:
        """A range holds `since` and excludes `until`."""
        span = Range(since_us=10, until_us=20)
        assert [span.contains(t) for t in (9, 10, 19, 20)] == [False, True, True, False]

    def test_empty_range_is_refused(self) -> None:
        """since at or after until fails with both values in the message."""
        with pytest.raises(ValueError, match="from 20 µs is not before until 10 µs"):
            Range(since_us=20, until_us=10)


class TestPlaybackTime:
    def test_alone_plays_at_its_time(self) -> None:
        """An entry alone at its instant plays exactly when it occurred."""
        assert ph.playback_time(T0, 0, 1, DAY) == T0

    def test_day_posts_are_spread_over_the_day(self) -> None:
        """Four posts known only to the day play at 0, 6, 12 and 18 h."""
        times = [ph.playback_time(T0, rank, 4, DAY) for rank in range(4)]
        assert times == [T0, T0 + 6 * HOUR, T0 + 12 * HOUR, T0 + 18 * HOUR]

    def test_spread_stops_at_the_next_time(self) -> None:
        """The spread is cut short at the next entry's time so order is kept."""
        assert ph.spread_width(T0, DAY, T0 + HOUR) == HOUR
        assert ph.spread_width(T0, DAY, None) == DAY

    @given(
        count=st.integers(1, 50),
        width=st.integers(1, DAY),
        offset=st.integers(-5, DAY + 5),
    )
    def test_last_rank_by_agrees_with_playback_time(self, count: int, width: int, offset: int) -> None:
        """last_rank_by finds the last rank whose playback time is at or before a time."""
        times = [ph.playback_time(T0, rank, count, width) for rank in range(count)]
        expected = max((rank for rank, time in enumerate(times) if time <= T0 + offset), default=-1)
        assert ph.last_rank_by(T0, count, width, T0 + offset) == expected


# -- replay as a function of commands and clock advances ------------------------------------------


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Log, list[Row], list[int]]]:
    """A small log of day-, minute- and second-precision posts, edits, reposts and a delete."""
    path = Path(tmp_path_factory.mktemp("mixed")) / "mixed.log"
    with Log.open(path, create=True) as log:
        log.append(mixed_events())
        rows = list(log.rows_after(*BEFORE_ALL))
        yield log, rows, reference_times(rows)


def fold(rows: list[Row]) -> Projection:
    projection = Projection()
    projection.apply_rows(rows)
    return projection


_SPEEDS = st.sampled_from([0.1, 1.0, 60.0, 3600.0, 10_000.0, MAX])
_DELTAS = st.sampled_from([MINUTE, -MINUTE, HOUR, -HOUR, DAY, -DAY])
_commands = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.floats(0, 2 * 86_400)),
        st.tuples(st.sampled_from(["play", "pause", "toggle", "start", "end"])),
        st.tuples(st.sampled_from(["next", "previous", "step_forward", "step_back"])),
        st.tuples(st.just("seek"), st.integers(MIXED_START_US - DAY, MIXED_START_US + 12 * DAY)),
        st.tuples(st.just("seek_by"), _DELTAS),
        st.tuples(st.just("speed"), _SPEEDS),
    ),
    max_size=25,
)


class Replay:
    """Drives a Transport like the scheduler does, checking every update against the reference."""

    def __init__(self, log: Log, rows: list[Row], times: list[int], **options: Any) -> None:
        self.rows, self.times, self.now = rows, times, 0.0
        self.checkpoints = Checkpoints.open(log, every=3)
        self.transport = Transport(
            Track(log, chunk=4), self.now, checkpoints=self.checkpoints, max_batch=3, **options
        )
        self.delivered = 0  # how many reference rows the consumer has, in order
        self.seek_target: int | None = None
        self.drain()

    def drain(self) -> None:
        for _ in range(10_000):
            if self.transport.next_deadline(self.now) > self.now:
                return
            update = self.transport.take(self.now)
            if update is not None:
                self.check(update)
        raise AssertionError("the transport keeps saying something is due but hands out nothing")

    def check(self, update: Batch | Reset | Ended) -> None:
        if isinstance(update, Reset):
            self.delivered = update.position
            assert update.projection == fold(self.rows[: self.delivered])
            if self.seek_target is not None:
                # the state after seek(T) is the fold of every entry whose playback time is <= T
                assert self.delivered == sum(1 for time in self.times if time <= self.seek_target)
                self.seek_target = None
        elif isinstance(update, Batch):
            expected = self.rows[self.delivered : self.delivered + len(update.rows)]
            assert list(update.rows) == expected  # in time order, none twice, none skipped
            self.delivered += len(update.rows)
            assert update.position == self.delivered
            shown = self.transport.playhead.virtual_us if self.transport.playhead.paused else None
            limit = shown if shown is not None else ph.due_through(self.transport.playhead, self.now)
            assert self.times[self.delivered - 1] <= max(limit, update.playhead_us)
        else:
            assert self.delivered == len(self.rows)

    def run(self, command: tuple[Any, ...]) -> None:
        name, *args = command
        transport, now = self.transport, self.now
        if name == "advance":
            before = ph.time_at(transport.playhead, now), self.delivered, transport.playhead.paused
            self.now += args[0]
            self.drain()
            if before[2]:  # pausing for any time changes nothing
                assert (ph.time_at(transport.playhead, self.now), self.delivered) == before[:2]
        elif name == "speed":
            transport.set_speed(args[0], now)
        elif name == "seek":
            self.seek_target = args[0]
            transport.seek(args[0], now)
        elif name == "seek_by":
            transport.seek_by(args[0], now)
        else:
            aliases = {
                "start": "seek_start",
                "end": "seek_end",
                "next": "next_event",
                "previous": "previous_event",
            }
            method = aliases.get(name, name)
            getattr(transport, method)(now)
        self.drain()
        self.check_up_to_date()

    def check_up_to_date(self) -> None:
        """Everything due is delivered: the next row's playback time is past the playhead."""
        head = self.transport.playhead
        if self.delivered < len(self.rows) and head.playing:
            assert self.times[self.delivered] > ph.due_through(head, self.now)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands=_commands, max_gap=st.none() | st.sampled_from([0.5, 30.0]), speed=_SPEEDS)
def test_delivered_posts_are_the_log_in_time_order_up_to_the_playhead(
    mixed: tuple[Log, list[Row], list[int]],
    commands: list[tuple[Any, ...]],
    max_gap: float | None,
    speed: float,
) -> None:
    """For any commands and clock advances: rows arrive in time order, none twice, none skipped but
    by a seek; everything due is delivered; a seek's state is the fold up to its time; pausing for
    any time changes nothing."""
    log, rows, times = mixed
    replay = Replay(log, rows, times, max_gap=max_gap, speed=speed)
    for command in commands:
        replay.run(command)
    replay.run(("speed", 10_000.0))
    replay.run(("play",))
    replay.run(("advance", 30 * 86_400.0))
    assert replay.delivered == len(rows)  # played to the end, everything arrives


def test_playing_through_delivers_each_row_at_its_playback_time(
    mixed: tuple[Log, list[Row], list[int]],
) -> None:
    """At 3600x from the start, each row comes due exactly when its playback time is reached."""
    log, rows, times = mixed
    replay = Replay(log, rows, times, speed=3600.0)
    start_wall = replay.transport.playhead.wall
    while replay.delivered < len(rows):
        deadline = replay.transport.next_deadline(replay.now)
        expected = start_wall + (times[replay.delivered] - times[0]) / (3600 * US)
        assert deadline == pytest.approx(expected, abs=1e-6)
        replay.now = max(replay.now, deadline)
        update = replay.transport.take(replay.now)
        assert isinstance(update, Batch)
        assert {times[replay.delivered + i] for i in range(len(update.rows))} == {times[replay.delivered]}
        replay.check(update)


_instants = st.lists(
    st.tuples(st.integers(0, 3 * 24 * 60), st.sampled_from(Precision), st.integers(1, 4)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instants=_instants, since=st.none() | st.integers(0, 24 * 60), data=st.data())
def test_track_times_and_seek_positions_match_the_rule_for_any_log(
    tmp_path_factory: pytest.TempPathFactory,
    instants: list[tuple[int, Precision, int]],
    since: int | None,
    data: st.DataObject,
) -> None:
    """For logs of any instants, precisions and group sizes: the track streams every row of the
    range with the playback time the rule gives, and position_at(T) is after the last row due by T."""
    events = [
        make_event(
            f"{minute} {n}",
            at=DEC_12 + timedelta(minutes=minute),
            precision=precision,
            post_id=f"{minute}-{n}",
        )
        for minute, precision, count in instants
        for n in range(count)
    ]
    path = Path(tmp_path_factory.mktemp("track")) / "t.log"
    with Log.open(path, create=True) as log:
        log.append(events)
        rows = list(log.rows_after(*BEFORE_ALL))
        times = reference_times(rows)
        since_us = None if since is None else MIXED_START_US + since * MINUTE
        track = Track(log, Range(since_us=since_us), chunk=3)
        expected = [
            (row, time)
            for row, time in zip(rows, times, strict=True)
            if since_us is None or row[3] >= since_us
        ]
        streamed = []
        while (time := track.peek_time()) is not None:
            (row,) = track.take_due(time, 1)
            streamed.append((row, time))
        assert streamed == expected
        target = data.draw(st.integers(MIXED_START_US - HOUR, MIXED_START_US + 4 * DAY))
        due = [row for row, time in expected if time <= target]
        assert track.position_at(target) == ((due[-1][3], due[-1][0]) if due else track.start)


# -- the density strip in playback time ------------------------------------------------------------


def test_density_counts_each_entry_where_it_plays(mixed: tuple[Log, list[Row], list[int]]) -> None:
    """With buckets narrower than a second, every entry is counted at its reference playback time."""
    log, _, times = mixed
    found = playback_density(log, 1_000_000)
    expected = Counter((time - found.origin_us) // found.width_us for time in times)
    assert {bucket: count for bucket, count in enumerate(found.counts) if count} == dict(expected)


def test_density_spreads_a_days_posts_over_the_day(tmp_path: Path) -> None:
    """Four posts known to the day are counted through the day they play in, not at its midnight."""
    day_posts = [
        make_event(f"post {n}", at=DEC_12, precision=Precision.DAY, post_id=str(n)) for n in range(4)
    ]
    later = make_event("three days on", at=DEC_12 + timedelta(days=3, microseconds=-1), post_id="later")
    with Log.open(tmp_path / "days.log", create=True) as log:
        log.append([*day_posts, later])
        assert density(log, 12).counts[:4] == (4, 0, 0, 0)
        assert playback_density(log, 12).counts[:4] == (1, 1, 1, 1)
        assert sum(playback_density(log, 12).counts) == 5


def test_density_runs_on_to_the_last_play(tmp_path: Path) -> None:
    """Posts that share the log's last instant play through their day: the buckets run on to it."""
    with Log.open(tmp_path / "end.log", create=True) as log:
        log.append(
            [
                make_event("first", at=DEC_12, post_id="a"),
                *(
                    make_event(
                        f"last {n}", at=DEC_12 + timedelta(days=1), precision=Precision.DAY, post_id=str(n)
                    )
                    for n in range(2)
                ),
            ]
        )
        found = playback_density(log, 4)
        assert len(found.counts) > 4
        assert sum(found.counts) == 3


def test_density_of_posts_known_to_the_second_is_unchanged(tmp_path: Path) -> None:
    """When no instant spreads wider than a bucket, the strip is the plain density."""
    events = [make_event(f"p{n}", at=DEC_12 + timedelta(minutes=7 * n), post_id=str(n)) for n in range(50)]
    events.append(make_event("same minute", at=DEC_12 + timedelta(minutes=7), post_id="dup"))
    with Log.open(tmp_path / "seconds.log", create=True) as log:
        log.append(events)
        assert playback_density(log, 20) == density(log, 20)


def test_a_track_reading_on_leaves_the_log_free_for_an_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between chunks no read is open, so another process's ingest commits while the log plays."""
    path = tmp_path / "playing.log"
    with Log.open(path, create=True) as writer:
        writer.append(
            [make_event(f"p{i}", at=DEC_12 + timedelta(minutes=i), post_id=str(i)) for i in range(10)]
        )
    monkeypatch.setattr("events.store.WRITE_WAIT_MS", 200)  # an ingest held up fails fast
    with Log.open(path, readonly=True) as log:
        track = Track(log, chunk=2)
        assert len(track.take(1)) == 1  # a chunk read; more of the log is still to come
        with Log.open(path) as writer:
            assert (
                writer.append([make_event("late", at=DEC_12 + timedelta(hours=1), post_id="late")]).new == 1
            )
        assert len(track.take(100)) == 10  # and the player reads on, the new entry included
