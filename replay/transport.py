"""The replay's controls and what is due when, without trio: a playhead driving a track.

`Transport` is the synchronous core of the scheduler. Commands change the playhead at once;
`next_deadline(now)` says when the next update is due and `take(now)` hands it out: a `Reset`
after a seek (the state at the new position, then the rows that follow), a `Batch` of rows that
are due, in (occurred_at, seq) order, or `Ended` when the range is played out. Every method is a
function of its arguments and `now`; nothing here sleeps or reads a clock, so it is tested with a
plain number for `now`. Reads go to the log through the track and the checkpoints.
"""

from __future__ import annotations

import math

from attrs import frozen

from events.checkpoints import Checkpoints
from events.codec import Row
from events.model import EARLIEST_US, LATEST_US
from events.projection import Projection
from replay import playhead as ph
from replay.playhead import MAX, Playhead
from replay.track import Position, Track


@frozen(kw_only=True)
class Batch:
    """Rows that came due, in (occurred_at, seq) order; `position` counts entries up to the last."""

    rows: tuple[Row, ...]
    position: int
    playhead_us: int
    due: float
    """The wall time the first row was due (-inf at MAX speed)."""


@frozen(kw_only=True)
class Reset:
    """The replay moved: here is the state at the new position; rows that follow come next.

    `projection` is None when the scheduler keeps no state (headless).
    """

    projection: Projection | None
    position: int
    playhead_us: int


@frozen(kw_only=True)
class Ended:
    """Every row of the range has been delivered (and the replay does not loop)."""

    position: int
    playhead_us: int


Update = Batch | Reset | Ended
"""What a consumer receives."""


LOOP_PAUSE = 1.0
"""Wall seconds between the last entry of a round and the start of the next, when looping."""


class Transport:
    """Play, pause, seek, step and speed over a track; says what is due at `now`."""

    def __init__(
        self,
        track: Track,
        now: float,
        *,
        checkpoints: Checkpoints | None = None,
        speed: float = 1.0,
        paused: bool = False,
        max_gap: float | None = None,
        loop: bool = False,
        max_batch: int = 1024,
        frame: float | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        if frame is not None and not frame > 0:
            raise ValueError(f"frame must be a positive number of seconds or None, got {frame!r}")
        self.track = track
        self.checkpoints = checkpoints
        self.loop = loop
        self.max_batch = max_batch
        self.frame = frame
        self.playhead: Playhead = ph.start(0, now, speed=speed, paused=paused, max_gap=max_gap)
        self.position = 0
        self.ended = False
        self.last_lateness = 0.0
        self._last_time = 0  # playback time of the last row delivered: where a silence begins
        self._last_batch_wall = -math.inf
        self._reset_pending = False
        self._release_through: int | None = None  # rows due even while paused (next/step)
        self._release_one = False
        self.seek_start(now)

    @property
    def total(self) -> int:
        """Entries in the log now (an ingest may add some while it plays): one index look-up."""
        return self.track.log.count()

    # -- what is due -------------------------------------------------------------------------------

    @property
    def reset_pending(self) -> bool:
        """True when the next update is a Reset (anything in flight before it is stale)."""
        return self._reset_pending

    def next_deadline(self, now: float) -> float:
        """The wall time of the next update: -inf if one is due now, inf if none will come by itself."""
        if self._reset_pending or self._release_through is not None:
            return -math.inf
        following = self.track.peek_time()
        if following is None:
            if self.ended or self.playhead.paused:
                return math.inf
            if self.loop:  # a breath between rounds: a range played in no time never spins
                return self._last_batch_wall + LOOP_PAUSE
            return -math.inf  # the end is due now
        if self.playhead.paused:
            return math.inf
        self.playhead = ph.limit_gap(self.playhead, self._last_time, following)
        due = ph.wall_at(self.playhead, following)
        if self.frame is not None:
            due = max(due, self._last_batch_wall + self.frame)
        return due

    def take(self, now: float) -> Update | None:
        """The update due at `now`, if any; the rows in it count as delivered."""
        if self._reset_pending:
            return self._reset()
        if self._release_through is not None:
            return self._released(now)
        following = self.track.peek_time()
        if following is None:
            return None if self.playhead.paused else self._at_end(now)
        if self.playhead.paused:
            return None
        self.playhead = ph.limit_gap(self.playhead, self._last_time, following)
        if self.playhead.speed == MAX:
            rows = self.track.take(self.max_batch)
            self._last_time = self.track.position_time()
            self.playhead = ph.arrive(self.playhead, self._last_time, now)
            due = -math.inf
        else:
            due = ph.wall_at(self.playhead, following)
            rows = self.track.take_due(ph.due_through(self.playhead, now), self.max_batch)
            if not rows:
                return None
            self._last_time = self.track.position_time()
        return self._batch(rows, now, due)

    def _batch(self, rows: list[Row], now: float, due: float) -> Batch:
        self.position += len(rows)
        self.last_lateness = 0.0 if due == -math.inf else max(0.0, now - due)
        self._last_batch_wall = now
        return Batch(rows=tuple(rows), position=self.position, playhead_us=self._last_time, due=due)

    def _released(self, now: float) -> Batch | None:
        through, one = self._release_through, self._release_one
        self._release_through, self._release_one = None, False
        assert through is not None
        rows = self.track.take_due(through, 1 if one else self.max_batch)
        if not rows:
            return None
        self._last_time = self.track.position_time()
        return self._batch(rows, now, ph.wall_at(self.playhead, through))

    def _at_end(self, now: float) -> Update | None:
        if self.loop and self.track.first_time() is not None:
            self.seek_start(now)
            return self._reset()
        self.ended = True
        self.playhead = ph.pause(self.playhead, now)
        return Ended(position=self.position, playhead_us=ph.time_at(self.playhead, now))

    def _reset(self) -> Reset:
        self._reset_pending = False
        position = self.track.position
        projection = None if self.checkpoints is None else self.checkpoints.state_at(position)
        if projection is not None:
            self.position = projection.count
        elif position == self.track.start and self.track.range.since_us is None:
            self.position = 0
        else:
            self.position = self.track.log.count_through(*position)
        return Reset(projection=projection, position=self.position, playhead_us=self.playhead.virtual_us)

    # -- commands ----------------------------------------------------------------------------------

    def play(self, now: float) -> None:
        """Play from where the playhead stands; at the end, from the start again."""
        if self.ended:
            self.seek_start(now)
        self.playhead = ph.play(self.playhead, now)

    def pause(self, now: float) -> None:
        """Stop; nothing more is delivered until play (a batch already handed out stays so)."""
        self.playhead = ph.pause(self.playhead, now)
        self._release_through, self._release_one = None, False

    def toggle(self, now: float) -> None:
        """Pause if playing, play if paused."""
        if self.playhead.paused:
            self.play(now)
        else:
            self.pause(now)

    def set_speed(self, speed: float, now: float) -> None:
        """Play at `speed` (0.1..10,000, or MAX) from the time shown at `now`."""
        self.playhead = ph.set_speed(self.playhead, speed, now)

    def set_max_gap(self, seconds: float | None) -> None:
        """Shorten silences longer than `seconds` of wall time to it (None: keep them whole)."""
        self.playhead = ph.set_max_gap(self.playhead, seconds)

    def seek(self, virtual_us: int, now: float) -> None:
        """Move to playback time `virtual_us` (kept within the range, and within years 1 to 9999);
        a Reset follows."""
        virtual_us = min(max(virtual_us, EARLIEST_US), LATEST_US)
        since, until = self.track.range.since_us, self.track.range.until_us
        if since is not None:
            virtual_us = max(virtual_us, since)
        if until is not None:
            virtual_us = min(virtual_us, max(until, self._time_of(self.track.end())))
        self._move(self.track.position_at(virtual_us), virtual_us, now)

    def seek_by(self, delta_us: int, now: float) -> None:
        """Move by `delta_us` (playhead.MINUTE, -playhead.HOUR, ...) from the time shown at `now`."""
        self.seek(ph.time_at(self.playhead, now) + delta_us, now)

    def seek_start(self, now: float) -> None:
        """Move before the first row of the range, the clock at that row's time."""
        self._move(self.track.start, self._time_of(self.track.start), now)

    def seek_end(self, now: float) -> None:
        """Move after the last row of the range."""
        end = self.track.end()
        self._move(end, self._time_of(end), now)

    def next_event(self, now: float) -> None:
        """Jump the clock to the next row and deliver it (and any due with it), playing or not."""
        following = self.track.peek_time()
        if following is None:
            return
        self.playhead = ph.seek(self.playhead, max(following, self.playhead.virtual_us), now)
        self._release_through = following

    def previous_event(self, now: float) -> None:
        """Undo the last row delivered: move to the row before it; a Reset follows."""
        position = self.track.before(self.track.position)
        self._move(position, self._time_of(position), now)

    def step_forward(self, now: float) -> None:
        """Pause and deliver exactly the next row, the clock at its time."""
        following = self.track.peek_time()
        if following is None:
            self.pause(now)
            return
        self.playhead = ph.step_to(self.playhead, max(following, self.playhead.virtual_us), now)
        self._release_through, self._release_one = following, True

    def step_back(self, now: float) -> None:
        """Pause and undo the last row delivered; a Reset follows."""
        self.pause(now)
        self.previous_event(now)

    def _time_of(self, position: Position) -> int:
        """The playback time of a position; at the start, the first row's (or the range's) time."""
        if position != self.track.start:
            return self.track.time_of(position)
        first = self.track.first_time()
        if first is not None:
            return first
        # No entry in the range: the range's own start, else its end; 0 only for an empty log.
        since, until = self.track.range.since_us, self.track.range.until_us
        return since if since is not None else until if until is not None else 0

    def _move(self, position: Position, virtual_us: int, now: float) -> None:
        self.track.seek(position)
        self.playhead = ph.seek(self.playhead, virtual_us, now)
        self._last_time = virtual_us
        self._reset_pending = True
        self._release_through, self._release_one = None, False
        self.ended = False
