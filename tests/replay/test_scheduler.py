"""The trio scheduler on a virtual clock: timing, commands during playback, range, loop, backpressure."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
import trio
import trio.testing

from events.model import EARLIEST_US, LATEST_US, Event, Kind, Precision, to_micros
from events.projection import Projection
from events.store import Log
from replay.playhead import US
from replay.scheduler import Batch, Ended, Reset, Scheduler, Statistics, Update
from replay.transport import LOOP_PAUSE
from tests.conftest import DAY, make_event
from tests.replay.logs import build

STEP = 5  # seconds between posts in the hour-long log
POSTS = 3600 // STEP


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


@pytest.fixture
def hour(tmp_path: Path) -> Path:
    """A log of 720 posts, one every 5 seconds for an hour from 12 Dec 2016 00:00."""
    events = [
        make_event(f"post {i} #t{i % 3}", at=DAY + seconds(STEP * i), post_id=str(i), hashtags=(f"t{i % 3}",))
        for i in range(POSTS)
    ]
    return build(tmp_path / "hour.log", events)


@pytest.fixture
def silence(tmp_path: Path) -> Path:
    """Three posts a second apart, a day of silence, then two more."""
    times = [0, 1, 2, 86_402, 86_403]
    return build(
        tmp_path / "silence.log", [make_event(f"p{t}", at=DAY + seconds(t), post_id=str(t)) for t in times]
    )


class Receiver:
    """Collects what a scheduler sends, with the virtual time each update arrived."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self.updates: list[tuple[float, Update]] = []

    async def next(self) -> Update:
        update = await self.scheduler.updates.receive()
        self.updates.append((trio.current_time(), update))
        return update

    async def batch(self) -> Batch:
        update = await self.next()
        assert isinstance(update, Batch), update
        return update

    async def until_ended(self) -> list[tuple[float, Update]]:
        start = len(self.updates)
        while not isinstance(await self.next(), Ended):
            pass
        return self.updates[start:]

    async def nothing_for(self, wait: float) -> None:
        with trio.move_on_after(wait):
            update = await self.scheduler.updates.receive()
            pytest.fail(f"expected nothing for {wait} s, got {update}")

    def rows(self) -> list[int]:
        return [row[0] for _, update in self.updates if isinstance(update, Batch) for row in update.rows]


async def started(nursery: trio.Nursery, path: Path, **options: Any) -> Receiver:
    options.setdefault("keep_state", False)
    scheduler = Scheduler.open(path, **options)
    nursery.start_soon(scheduler.run)
    receiver = Receiver(scheduler)
    assert isinstance(await receiver.next(), Reset)  # every replay starts with the state at its start
    return receiver


@pytest.mark.trio
async def test_an_hour_replays_instantly_with_exact_due_times(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """At 1x every post arrives exactly its offset after the start, in virtual time."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour)
        start = trio.current_time()
        updates = await receiver.until_ended()
        nursery.cancel_scope.cancel()
    batches = [(at, update) for at, update in updates if isinstance(update, Batch)]
    assert [len(batch.rows) for _, batch in batches] == [1] * POSTS
    assert [at - start for at, _ in batches] == pytest.approx([STEP * i for i in range(POSTS)], abs=1e-6)
    assert receiver.rows() == list(range(1, POSTS + 1))
    stats = receiver.scheduler.statistics()
    assert (stats.delivered, stats.position, stats.total, stats.ended) == (POSTS, POSTS, POSTS, True)


@pytest.mark.trio
async def test_pause_holds_delivery_and_play_resumes(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """Paused for any time, nothing arrives and the clock stands; play resumes the same schedule."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour)
        await receiver.batch()
        await trio.sleep(2)
        receiver.scheduler.pause_nowait()
        shown = receiver.scheduler.statistics().playhead_us
        await receiver.nothing_for(10_000)
        assert receiver.scheduler.statistics().playhead_us == shown
        assert receiver.scheduler.statistics().paused
        receiver.scheduler.play_nowait()
        resumed = trio.current_time()
        batch = await receiver.batch()
        assert trio.current_time() - resumed == pytest.approx(STEP - 2)
        assert batch.rows[0][0] == 2
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_seek_cancels_the_wait_and_resets(hour: Path, autojump_clock: trio.testing.MockClock) -> None:
    """A seek during a wait sends at once a Reset with the state there, then the posts after it."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, keep_state=True)
        await receiver.batch()
        await trio.sleep(1)
        before = trio.current_time()
        receiver.scheduler.seek_nowait(DAY + seconds(30 * 60 + 2))
        reset = await receiver.next()
        assert trio.current_time() == before
        assert isinstance(reset, Reset) and reset.position == 361  # posts at 0, 5, ..., 1800 s
        assert isinstance(reset.projection, Projection) and reset.projection.count == 361
        batch = await receiver.batch()
        assert batch.rows[0][0] == 362
        assert trio.current_time() - before == pytest.approx(3)
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_relative_and_boundary_seeks(hour: Path, autojump_clock: trio.testing.MockClock) -> None:
    """Seeking by a minute, to the end and to the start lands where expected."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, paused=True)
        scheduler = receiver.scheduler
        scheduler.seek_by_nowait(timedelta(minutes=1))
        assert (await receiver.next()).position == 13
        assert scheduler.statistics().playhead_us == to_micros(DAY + seconds(60))
        scheduler.seek_end_nowait()
        assert (await receiver.next()).position == POSTS
        scheduler.seek_start_nowait()
        assert (await receiver.next()).position == 0
        scheduler.seek_by_nowait(-timedelta(days=1))  # before the start: stays at the start
        assert (await receiver.next()).position == 0
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_seeks_stop_at_the_ends_of_representable_time(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """A seek past the year 9999 or before the year 1 stops there, and the clock never runs past it."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, paused=True)
        scheduler = receiver.scheduler
        scheduler.seek_nowait(datetime(9999, 12, 31, tzinfo=UTC))
        await receiver.next()
        scheduler.seek_by_nowait(timedelta(days=2))
        await receiver.next()
        assert scheduler.statistics().playhead_us == LATEST_US
        scheduler.set_speed_nowait(10_000)
        scheduler.toggle_nowait()
        await trio.sleep(60)
        assert scheduler.statistics().playhead_us == LATEST_US
        scheduler.seek_nowait(datetime(1, 1, 1, tzinfo=UTC))
        await receiver.next()
        scheduler.seek_by_nowait(-timedelta(days=2))
        await receiver.next()
        assert scheduler.statistics().playhead_us == EARLIEST_US
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_a_range_with_no_posts_sits_at_its_own_time(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """Ending before the first post, the playhead shows the range's end, not 1970."""
    until = DAY - timedelta(days=365)
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, until=until, paused=True)
        assert receiver.scheduler.statistics().playhead_us == to_micros(until)
        receiver.scheduler.seek_start_nowait()
        await receiver.next()
        assert receiver.scheduler.statistics().playhead_us == to_micros(until)
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_the_total_follows_an_ingest_made_while_playing(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """Entries appended by another process count in the total, so "event n of N" never has n > N."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, paused=True)
        scheduler = receiver.scheduler
        before = scheduler.statistics().total
        with Log.open(hour) as writer:
            writer.append([make_event("early", at=DAY - seconds(60), post_id="early")])
        scheduler.seek_end_nowait()
        await receiver.next()
        statistics = scheduler.statistics()
        assert statistics.total == before + 1 == statistics.position
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_speed_change_during_playback(hour: Path, autojump_clock: trio.testing.MockClock) -> None:
    """At 60x the gaps between posts shrink sixty-fold from the moment of the change."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour)
        await receiver.batch()
        receiver.scheduler.set_speed_nowait(60)
        changed = trio.current_time()
        times = []
        for _ in range(3):
            await receiver.batch()
            times.append(trio.current_time() - changed)
        assert times == pytest.approx([STEP / 60, 2 * STEP / 60, 3 * STEP / 60])
        assert receiver.scheduler.statistics().speed == 60
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_invalid_speed_is_refused(hour: Path, autojump_clock: trio.testing.MockClock) -> None:
    """A speed outside 0.1..10,000 fails at once and leaves the scheduler as it was."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour)
        with pytest.raises(ValueError, match="speed must be between"):
            receiver.scheduler.set_speed_nowait(50_000)
        assert receiver.scheduler.statistics().speed == 1
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_gap_limit_shortens_long_silences(
    silence: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """With a 2 s limit the day of silence lasts 2 s; the one-second gaps stay as they are."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, silence, max_gap=2.0)
        start = trio.current_time()
        updates = await receiver.until_ended()
        nursery.cancel_scope.cancel()
    times = [at - start for at, update in updates if isinstance(update, Batch)]
    assert times == pytest.approx([0, 1, 2, 4, 5])


@pytest.mark.trio
async def test_gap_limit_can_change_while_waiting(
    silence: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """Setting a gap limit during a long silence shortens the wait at once."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, silence)
        for _ in range(3):
            await receiver.batch()
        await trio.sleep(10)
        receiver.scheduler.set_max_gap_nowait(1.0)
        set_at = trio.current_time()
        await receiver.batch()
        assert trio.current_time() == pytest.approx(set_at)  # the silence has lasted over 1 s already
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_range_plays_only_its_posts(hour: Path, autojump_clock: trio.testing.MockClock) -> None:
    """With since and until only the posts in [since, until) arrive, starting at once."""
    async with trio.open_nursery() as nursery:
        receiver = await started(
            nursery, hour, since=DAY + seconds(600), until=DAY + seconds(620), speed=None
        )
        await receiver.until_ended()
        nursery.cancel_scope.cancel()
    assert receiver.rows() == [121, 122, 123, 124]


@pytest.mark.trio
async def test_looping_one_instant_pauses_between_rounds(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """A looped range of a single post, even at max speed, plays it once a second, not in a busy loop."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, since=DAY, until=DAY + seconds(1), loop=True, speed=None)
        start = trio.current_time()
        rounds = 0
        while rounds < 3:
            if isinstance(await receiver.next(), Batch):
                rounds += 1
        nursery.cancel_scope.cancel()
    assert trio.current_time() - start == pytest.approx(2 * LOOP_PAUSE)


@pytest.mark.trio
async def test_loop_starts_again_at_the_end(hour: Path, autojump_clock: trio.testing.MockClock) -> None:
    """With loop, the end of the range is followed by a Reset and the range again."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, since=DAY, until=DAY + seconds(10), loop=True)
        seen: list[str] = []
        while len(seen) < 7:
            update = await receiver.next()
            seen.append(type(update).__name__ if not isinstance(update, Batch) else str(update.rows[0][0]))
        nursery.cancel_scope.cancel()
    assert seen == ["1", "2", "Reset", "1", "2", "Reset", "1"]


@pytest.mark.trio
async def test_backpressure_waits_for_the_consumer(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """At max speed a slow consumer sets the pace; nothing is dropped and little is held."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, speed=None, max_batch=100)
        await trio.sleep(1000)
        assert receiver.scheduler.statistics().delivered == 0  # blocked on the first send
        times = []
        while not isinstance(update := await receiver.next(), Ended):
            assert isinstance(update, Batch) and len(update.rows) <= 100
            times.append(trio.current_time())
            await trio.sleep(1)  # a slow consumer
        nursery.cancel_scope.cancel()
    assert receiver.rows() == list(range(1, POSTS + 1))
    assert len(times) == math.ceil(POSTS / 100)
    assert all(later - earlier == pytest.approx(1) for earlier, later in itertools.pairwise(times))


@pytest.mark.trio
async def test_frames_coalesce_batches_at_high_speed(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """At 10,000x with 0.1 s frames, posts arrive in batches at least a frame apart, all in order."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, speed=10_000, frame=0.1)
        updates = await receiver.until_ended()
        nursery.cancel_scope.cancel()
    batches = [(at, update) for at, update in updates if isinstance(update, Batch)]
    assert len(batches) < POSTS // 50
    assert all(b - a >= 0.1 - 1e-9 for (a, _), (b, _) in itertools.pairwise(batches))
    assert receiver.rows() == list(range(1, POSTS + 1))


@pytest.mark.trio
async def test_seek_drops_a_batch_held_up_by_backpressure(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """A seek while a send waits for the consumer drops that stale batch: the Reset comes first."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, speed=None, max_batch=10)
        await trio.sleep(5)  # the scheduler now waits to hand over rows 1..10
        receiver.scheduler.seek_nowait(DAY + seconds(STEP * 100))
        reset = await receiver.next()
        assert isinstance(reset, Reset) and reset.position == 101
        assert (await receiver.batch()).rows[0][0] == 102
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_pause_lets_the_batch_in_hand_go_and_stops_there(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """A pause while a batch waits for the consumer lets that batch through and nothing after."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, speed=None, max_batch=10)
        await trio.sleep(5)
        receiver.scheduler.pause_nowait()
        assert [row[0] for row in (await receiver.batch()).rows] == list(range(1, 11))
        await receiver.nothing_for(1000)
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_stepping_and_jumping_between_posts(hour: Path, autojump_clock: trio.testing.MockClock) -> None:
    """Step forward delivers one post and pauses; next delivers one and keeps playing; back resets."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, paused=True, keep_state=True)
        scheduler = receiver.scheduler
        scheduler.step_forward_nowait()
        assert [row[0] for row in (await receiver.batch()).rows] == [1]
        scheduler.step_forward_nowait()
        assert [row[0] for row in (await receiver.batch()).rows] == [2]
        assert scheduler.statistics().paused
        assert scheduler.statistics().playhead_us == to_micros(DAY + seconds(STEP))
        scheduler.step_back_nowait()
        reset = await receiver.next()
        assert isinstance(reset, Reset) and reset.position == 1 and reset.projection is not None
        scheduler.next_event_nowait()
        assert [row[0] for row in (await receiver.batch()).rows] == [2]
        scheduler.previous_event_nowait()
        assert (await receiver.next()).position == 1
        await receiver.nothing_for(100)  # still paused
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_day_precision_posts_are_paced_across_their_day(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """Three posts known only to 12 Dec play 8 hours apart at 1x, then the next day's post."""
    events = [make_event(f"d{i}", precision=Precision.DAY, post_id=str(i)) for i in range(3)]
    events.append(make_event("next day", at=DAY + timedelta(days=1), post_id="n"))
    path = build(tmp_path / "days.log", events)
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, path)
        start = trio.current_time()
        updates = await receiver.until_ended()
        nursery.cancel_scope.cancel()
    hours = [(at - start) / 3600 for at, update in updates if isinstance(update, Batch)]
    assert hours == pytest.approx([0, 8, 16, 24])


@pytest.mark.trio
async def test_play_at_the_end_starts_again(hour: Path, autojump_clock: trio.testing.MockClock) -> None:
    """After Ended the playhead is paused; play goes back to the start."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour, speed=None, max_batch=1000)
        await receiver.until_ended()
        assert receiver.scheduler.statistics().paused
        receiver.scheduler.play_nowait()
        assert isinstance(await receiver.next(), Reset)
        assert (await receiver.batch()).rows[0][0] == 1
        nursery.cancel_scope.cancel()


@pytest.mark.trio
async def test_statistics_is_a_frozen_snapshot(hour: Path, autojump_clock: trio.testing.MockClock) -> None:
    """statistics() returns a frozen value with position, time, speed, pause, delivered, lateness."""
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, hour)
        await receiver.batch()
        stats = receiver.scheduler.statistics()
        nursery.cancel_scope.cancel()
    assert isinstance(stats, Statistics)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        stats.paused = True  # type: ignore[misc]
    assert (stats.position, stats.delivered, stats.paused, stats.speed) == (1, 1, False, 1.0)
    assert stats.playhead_us == to_micros(DAY) and stats.last_lateness == 0.0


@pytest.mark.trio
async def test_run_returns_when_the_consumer_goes_away(
    hour: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """Closing the receiving end stops the scheduler's loop quietly."""
    scheduler = Scheduler.open(hour, keep_state=False)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(scheduler.run)
        await scheduler.updates.receive()
        await scheduler.updates.aclose()
    scheduler.close()


@pytest.mark.trio
async def test_reposts_edits_and_deletes_are_delivered_like_posts(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """Every kind of event is delivered in time order; the consumer's fold applies them."""
    events: list[Event] = [
        make_event("one", post_id="1"),
        make_event("again", at=DAY + seconds(1), kind=Kind.REPOSTED, post_id="r", repost_of="1"),
        make_event("one, edited", at=DAY + seconds(2), kind=Kind.EDITED, post_id="1"),
        make_event("", at=DAY + seconds(3), kind=Kind.DELETED, post_id="1"),
    ]
    path = build(tmp_path / "kinds.log", events)
    async with trio.open_nursery() as nursery:
        receiver = await started(nursery, path, speed=None, keep_state=True)
        state = receiver.updates[0][1]
        assert isinstance(state, Reset) and state.projection is not None
        await receiver.until_ended()
        nursery.cancel_scope.cancel()
    for _, update in receiver.updates:
        if isinstance(update, Batch):
            state.projection.apply_rows(update.rows)
    assert [item.key for item in state.projection.recent()] == ["twitter/r"]
    assert state.projection.kinds == {k.value: 1 for k in Kind}


def test_statistics_speed_max_is_infinite() -> None:
    """MAX speed reads as infinity in statistics, so a UI can test `speed == math.inf`."""
    assert (
        Statistics(
            position=0,
            total=0,
            playhead_us=0,
            speed=math.inf,
            paused=False,
            ended=False,
            delivered=0,
            last_lateness=0,
        ).speed
        == math.inf
    )
    assert US == 1_000_000
