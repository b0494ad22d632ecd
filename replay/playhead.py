"""The virtual clock of a replay, sans I/O: where the playhead is on the log's timeline at wall time `now`.

Modelled on trio's MockClock: the clock is anchored at (virtual time, wall time) and advances at
`speed` virtual seconds per wall second while playing; paused, it stands still. Every operation is
a pure function of (playhead, input, now) that returns a new playhead; nothing here reads a clock.
Times on the log's timeline are integer microseconds since the epoch (`events.model.to_micros`);
wall times are float seconds on whatever clock the caller uses (trio's, in the scheduler).

Playback time. Entries are played in (occurred_at, seq) order. An entry alone at its instant plays
at its `occurred_at`. Entries that share one `occurred_at` (the seed articles put every post of a
day at midnight with precision DAY) are spread evenly after it, so they appear one at a time: the
k-th of n plays at `occurred_at + k * width // n`, where `width` is the span of the coarsest
precision among them (a day), cut short at the next `occurred_at` in the log so that playback
times never overtake the order. It needs only the count at that instant, the rank of the entry
there, and the next time after it: three lookups on the time index, never the whole log. The
playback time is for pacing only; what is shown is the entry's real time at its real precision.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
from attrs import frozen

from events.model import LATEST_US

MAX = math.inf
"""The speed that plays as fast as the consumer takes the entries."""
MIN_SPEED = 0.1
MAX_SPEED = 10_000.0
US = 1_000_000
"""Microseconds per second."""
MINUTE = 60 * US
HOUR = 60 * MINUTE
DAY = 24 * HOUR
"""The relative seek steps, in microseconds of playback time."""


def check_speed(speed: float) -> float:
    """`speed` if it is MAX or within MIN_SPEED..MAX_SPEED, else ValueError naming the value."""
    if speed == MAX or (isinstance(speed, int | float) and MIN_SPEED <= speed <= MAX_SPEED):
        return float(speed)
    raise ValueError(f"speed must be between {MIN_SPEED:g} and {MAX_SPEED:g}, or MAX; got {speed!r}")


def check_max_gap(seconds: float | None) -> float | None:
    """`seconds` if it is None (no limit) or more than 0, else ValueError naming the value."""
    if seconds is None or (isinstance(seconds, int | float) and seconds > 0 and seconds != math.inf):
        return None if seconds is None else float(seconds)
    raise ValueError(f"the gap limit must be a number of seconds above 0, or None; got {seconds!r}")


def _speed(_: Any, __: attrs.Attribute[float], value: float) -> None:
    check_speed(value)


def _max_gap(_: Any, __: attrs.Attribute[float | None], value: float | None) -> None:
    check_max_gap(value)


def _after_since(instance: Range, _: attrs.Attribute[int | None], value: int | None) -> None:
    if value is not None and instance.since_us is not None and instance.since_us >= value:
        raise ValueError(f"the range is empty: from {instance.since_us} µs is not before until {value} µs")


@frozen(kw_only=True)
class Playhead:
    """The replay's clock: at wall time `wall` it showed `virtual_us`, and moves at `speed` unless paused.

    `max_gap` (wall seconds, or None) is the longest silence between entries that playback keeps;
    longer ones are shortened to it (asciinema's idle-time limit, measured in the viewer's time).
    """

    virtual_us: int
    wall: float
    speed: float = attrs.field(default=1.0, validator=_speed)
    paused: bool = False
    max_gap: float | None = attrs.field(default=None, validator=_max_gap)

    @property
    def playing(self) -> bool:
        """True while the clock moves on its own (playing at a finite speed)."""
        return not self.paused and self.speed != MAX


@frozen(kw_only=True)
class Range:
    """The part of the log to play: entries that occurred in [since_us, until_us); None is open."""

    since_us: int | None = None
    until_us: int | None = attrs.field(default=None, validator=_after_since)

    def contains(self, occurred_us: int) -> bool:
        """True when an entry that occurred at `occurred_us` is in the range."""
        return (self.since_us is None or occurred_us >= self.since_us) and (
            self.until_us is None or occurred_us < self.until_us
        )


# -- reading the clock ----------------------------------------------------------------------------


def time_at(playhead: Playhead, now: float) -> int:
    """The playback time (µs) the playhead shows at wall time `now`."""
    if not playhead.playing or now <= playhead.wall:
        return playhead.virtual_us
    return min(LATEST_US, playhead.virtual_us + math.floor((now - playhead.wall) * playhead.speed * US))


def wall_at(playhead: Playhead, virtual_us: int) -> float:
    """The wall time at which the playhead reaches `virtual_us`: inf while paused, -inf at MAX."""
    if virtual_us <= playhead.virtual_us:
        return playhead.wall
    if playhead.paused:
        return math.inf
    if playhead.speed == MAX:
        return -math.inf
    return playhead.wall + (virtual_us - playhead.virtual_us) / (playhead.speed * US)


def due_through(playhead: Playhead, now: float) -> int:
    """The latest playback time that is due at `now`: exactly the times t with wall_at(t) <= now.

    `time_at` and `wall_at` round independently; this settles the last microsecond so that an
    entry is due precisely when a sleep until `wall_at` of its time has ended.
    """
    limit = time_at(playhead, now)
    if not playhead.playing:
        return limit
    while wall_at(playhead, limit + 1) <= now:
        limit += 1
    while limit > playhead.virtual_us and wall_at(playhead, limit) > now:
        limit -= 1
    return limit


# -- operations -----------------------------------------------------------------------------------


def start(
    virtual_us: int,
    now: float,
    *,
    speed: float = 1.0,
    paused: bool = False,
    max_gap: float | None = None,
) -> Playhead:
    """A playhead at `virtual_us` from wall time `now`."""
    return Playhead(virtual_us=virtual_us, wall=now, speed=speed, paused=paused, max_gap=max_gap)


def play(playhead: Playhead, now: float) -> Playhead:
    """Start moving from where the playhead stands."""
    if not playhead.paused:
        return playhead
    return attrs.evolve(playhead, wall=now, paused=False)


def pause(playhead: Playhead, now: float) -> Playhead:
    """Stop at the time shown at `now`; pausing for any length of time changes nothing else."""
    if playhead.paused:
        return playhead
    return attrs.evolve(playhead, virtual_us=time_at(playhead, now), wall=now, paused=True)


def toggle(playhead: Playhead, now: float) -> Playhead:
    """Pause if playing, play if paused."""
    return play(playhead, now) if playhead.paused else pause(playhead, now)


def seek(playhead: Playhead, virtual_us: int, now: float) -> Playhead:
    """Move to `virtual_us`, keeping the play/pause state and the speed."""
    return attrs.evolve(playhead, virtual_us=virtual_us, wall=now)


def seek_by(playhead: Playhead, delta_us: int, now: float) -> Playhead:
    """Move by `delta_us` from the time shown at `now` (MINUTE, -HOUR, DAY, ...)."""
    return seek(playhead, time_at(playhead, now) + delta_us, now)


def step_to(playhead: Playhead, virtual_us: int, now: float) -> Playhead:
    """Stand paused at `virtual_us` (the time of the entry stepped to)."""
    return attrs.evolve(playhead, virtual_us=virtual_us, wall=now, paused=True)


def set_speed(playhead: Playhead, speed: float, now: float) -> Playhead:
    """Change speed from the time shown at `now` (MAX for as fast as the consumer takes them)."""
    check_speed(speed)
    return attrs.evolve(playhead, virtual_us=time_at(playhead, now), wall=now, speed=float(speed))


def set_max_gap(playhead: Playhead, seconds: float | None) -> Playhead:
    """Change the longest silence kept (wall seconds; None keeps every silence whole)."""
    return attrs.evolve(playhead, max_gap=check_max_gap(seconds))


def arrive(playhead: Playhead, virtual_us: int, now: float) -> Playhead:
    """At MAX speed the clock stands at the last entry delivered: move it there, never back."""
    return attrs.evolve(playhead, virtual_us=max(virtual_us, playhead.virtual_us), wall=now)


def limit_gap(playhead: Playhead, silence_from_us: int, next_us: int) -> Playhead:
    """Shorten the silence before the entry at `next_us` to at most `max_gap` seconds of wall time.

    The silence began at `silence_from_us` (the last entry played) or at the anchor (the last
    seek, play or speed change), whichever is later. If waiting for `next_us` would take longer
    than the limit, the clock jumps where the silence begins so that `next_us` comes due exactly
    `max_gap` seconds later; the jump is computed from the anchor, not from a late wake-up, so it
    adds no drift. A no-op when paused, at MAX speed or without a limit; idempotent.
    """
    if not playhead.playing or playhead.max_gap is None:
        return playhead
    silence_from = max(silence_from_us, playhead.virtual_us)
    allowed = playhead.max_gap * playhead.speed * US  # a float: a limit of 1e308 s is no limit
    if next_us - silence_from <= allowed:
        return playhead
    virtual_us = next_us - math.floor(allowed)
    return attrs.evolve(playhead, virtual_us=virtual_us, wall=wall_at(playhead, silence_from))


# -- playback time of entries that share an instant -----------------------------------------------


def spread_width(occurred_us: int, coarsest_span_us: int, next_us: int | None) -> int:
    """How much playback time the entries at `occurred_us` are spread over (at least 1 µs)."""
    width = coarsest_span_us if next_us is None else min(coarsest_span_us, next_us - occurred_us)
    return max(width, 1)


def playback_time(occurred_us: int, rank: int, count: int, width_us: int) -> int:
    """When the `rank`-th (from 0) of `count` entries at `occurred_us` plays: evenly over `width_us`."""
    if count <= 1:
        return occurred_us
    return occurred_us + rank * width_us // count


def last_rank_by(occurred_us: int, count: int, width_us: int, virtual_us: int) -> int:
    """The last rank at `occurred_us` whose playback time is at or before `virtual_us`; -1 if none."""
    if virtual_us < occurred_us:
        return -1
    if count <= 1:
        return 0
    # rank * width // count <= d  <=>  rank * width < (d + 1) * count
    reach = ((virtual_us - occurred_us + 1) * count - 1) // width_us
    return min(count - 1, reach)
