"""The log as a track to play: its rows in (occurred_at, seq) order from a position, with playback times.

A position is (occurred_at µs, seq) of the last row played; everything at or before it in time
order has been played. The track streams raw rows (no body is decoded here) through the log's time
index, a chunk at a time, and works out a row's playback time only when asked (see
`replay.playhead` for the rule): a row alone at its instant plays at its `occurred_at`, which the
rows next to it in the stream show without a query; rows that share an instant need the count
there, the rank and the next time, three indexed lookups, cached per instant.
"""

from __future__ import annotations

from datetime import timedelta

from events.codec import Row
from events.errors import LogError
from events.model import Precision
from events.projection import BEFORE_ALL, Density, density
from events.store import Instant, Log
from replay.playhead import Range, last_rank_by, playback_time, spread_width

Position = tuple[int, int]
"""(occurred_at µs, seq) of the last row played; BEFORE_ALL or (since, 0) before the first."""

_SPAN_US = {precision: precision.span // timedelta(microseconds=1) for precision in Precision}
_CACHED_INSTANTS = 1024
_READ_AHEAD = 64


class Track:
    """Rows of `log` in `span`, read on from a position, each with its playback time on demand."""

    def __init__(self, log: Log, span: Range | None = None, *, chunk: int = 1024) -> None:
        self.log = log
        self.range = span or Range()
        self.start: Position = BEFORE_ALL if self.range.since_us is None else (self.range.since_us, 0)
        """The position before the first row of the range."""
        self._chunk = chunk
        self._instants: dict[int, Instant] = {}
        self._read_to: Position = self.start  # the last row read from the log
        self._buffer: list[Row] = []
        self._head = 0
        self._done = False
        self._rank_hint: tuple[int, int] | None = None  # (seq, rank) of the last grouped row timed
        self._head_memo: tuple[int, int] | None = None  # (seq, playback time) of the next row
        self._position_time: int | None = None  # playback time of the row at the position, if known
        self.position: Position = self.start
        self.seek(self.start)

    # -- reading on ------------------------------------------------------------------------------

    def seek(self, position: Position) -> None:
        """Read on from just after `position`."""
        self.position = position
        self._position_time = None
        self._read_to = position
        self._buffer, self._head, self._done = [], 0, False

    def peek_time(self) -> int | None:
        """The playback time of the next row, None at the end of the range."""
        # Called before the scheduler sleeps: reading ahead now keeps the next chunk's fetch
        # out of the moment a row comes due.
        if not self._fill(_READ_AHEAD):
            return None
        return self._head_time()

    def take_due(self, through_us: int, limit: int) -> list[Row]:
        """The next rows whose playback time is at or before `through_us`, at most `limit`."""
        taken: list[Row] = []
        # A row never plays before it occurred: that cheap bound stops the loop at the first row
        # still to come without working out its exact time (which may take lookups).
        while (
            len(taken) < limit
            and self._fill(1)
            and self._buffer[self._head][3] <= through_us
            and self._head_time() <= through_us
        ):
            row = self._buffer[self._head]
            self._position_time = self._head_time()
            taken.append(row)
            self._head += 1
            self.position = (row[3], row[0])
        return taken

    def take(self, limit: int) -> list[Row]:
        """The next `limit` rows (fewer at the end), whatever their time: playing at MAX speed."""
        taken: list[Row] = []
        while len(taken) < limit and self._fill(1):
            end = min(len(self._buffer), self._head + limit - len(taken))
            taken += self._buffer[self._head : end]
            self._head = end
        if taken:
            self.position = (taken[-1][3], taken[-1][0])
            self._position_time = None
        return taken

    def _fill(self, need: int) -> bool:
        """Have at least `need` unread rows buffered, or all that are left; True if any are."""
        while len(self._buffer) - self._head < need and not self._done:
            # A query a chunk, run to its end: no read stays open between chunks, so an ingest
            # by another process can commit while the log plays.
            after = self._read_to
            chunk = list(self.log.rows_after(after[0], after[1], self.range.until_us, self._chunk))
            if not chunk:
                self._done = True
                break
            self._read_to = (chunk[-1][3], chunk[-1][0])
            self._buffer = self._buffer[self._head :] + chunk
            self._head = 0
        return len(self._buffer) > self._head

    def _head_time(self) -> int:
        """The playback time of the next unread row (there must be one)."""
        self._fill(2)  # the row after it shows whether it is alone at its instant
        row = self._buffer[self._head]
        seq, occurred = row[0], row[3]
        memo = self._head_memo
        if memo is not None and memo[0] == seq:
            return memo[1]
        previous = None if self.position[1] == 0 else self.position
        following = self._buffer[self._head + 1][3] if self._head + 1 < len(self._buffer) else None
        if (previous is None or previous[0] != occurred) and following != occurred:
            time = occurred  # alone at its instant (the range's bounds never split an instant)
        else:
            time = self._grouped_time(seq, occurred, previous)
        self._head_memo = (seq, time)
        return time

    # -- times and positions ---------------------------------------------------------------------

    def position_time(self) -> int:
        """The playback time of the last row read (known already when it was read by time)."""
        if self._position_time is None:
            self._position_time = self.time_of(self.position)
        return self._position_time

    def time_of(self, position: Position) -> int:
        """The playback time of the row at `position`; for a start position, its time."""
        if position[1] == 0:
            return position[0]
        return self._grouped_time(position[1], position[0], None)

    def _grouped_time(self, seq: int, occurred: int, previous: Position | None) -> int:
        """The playback time of row `seq` at `occurred`; `previous` is the row before it, if known."""
        instant = self._instant(occurred)
        if instant.count == 1:
            return occurred
        hint = self._rank_hint
        if hint is not None and hint[0] == seq:
            rank = hint[1]
        elif hint is not None and previous == (occurred, hint[0]):
            rank = hint[1] + 1  # the next row of the same instant, read in order
        else:
            rank = self.log.count_at(occurred, seq)
        self._rank_hint = (seq, rank)
        return playback_time(occurred, rank, instant.count, self._width(instant))

    def _width(self, instant: Instant) -> int:
        return spread_width(instant.occurred_us, _SPAN_US[instant.coarsest], instant.next_us)

    def _instant(self, occurred_us: int) -> Instant:
        instant = self._instants.get(occurred_us)
        if instant is None:
            found = self.log.instant(occurred_us)
            if found is None:
                # The time index named this instant and the log has nothing there: it is damaged.
                raise LogError(f"the log's time index is damaged at {occurred_us} µs; run replay log verify")
            if len(self._instants) >= _CACHED_INSTANTS:
                self._instants.clear()
            instant = self._instants[occurred_us] = found
        return instant

    def position_at(self, virtual_us: int) -> Position:
        """The position after every row of the range whose playback time is at or before `virtual_us`."""
        ceiling = virtual_us if self.range.until_us is None else min(virtual_us, self.range.until_us - 1)
        occurred = self.log.time_at_or_before(ceiling, self.range.since_us)
        if occurred is None:
            return self.start
        instant = self._instant(occurred)
        rank = last_rank_by(occurred, instant.count, self._width(instant), virtual_us)
        seq = self.log.seq_at(occurred, max(rank, 0))
        if seq is None:  # the log cannot shrink; only a concurrent rewrite of the file gets here
            raise LogError(f"the log's time index is damaged at {occurred} µs; run replay log verify")
        return (occurred, seq)

    def end(self) -> Position:
        """The position after the last row of the range (the start when the range is empty)."""
        return self.before((self.range.until_us if self.range.until_us is not None else 2**62, 0))

    def before(self, position: Position) -> Position:
        """The position of the row before the row at `position` (the start when there is none)."""
        row = self.log.row_before(position[0], position[1], self.range.since_us)
        return self.start if row is None else (row[3], row[0])

    def first_time(self) -> int | None:
        """The playback time of the first row of the range, None when the range is empty."""
        rows = self.log.rows_after(self.start[0], self.start[1], self.range.until_us, 1)
        first = next(rows, None)
        return None if first is None else self.time_of((first[3], first[0]))


def playback_density(log: Log, buckets: int) -> Density:
    """Entries per bucket of playback time, for a density strip that matches the playhead.

    As `events.projection.density`, but entries that share an instant are counted where they
    play, spread after it (a day's posts over the day), not all at the instant. Only instants
    whose spread is wider than a bucket are looked at, and only where the model puts coarse
    times, at the start of their unit; the buckets run on to the last play.
    """
    found = density(log, buckets)
    width = found.width_us
    coarse = [span for span in sorted(_SPAN_US.values()) if span > width]
    if not found.counts or not coarse:
        return found
    counts = list(found.counts)
    for occurred_us in log.shared_instants(coarse[0]):
        instant = log.instant(occurred_us)
        assert instant is not None
        spread = spread_width(occurred_us, _SPAN_US[instant.coarsest], instant.next_us)
        if spread <= width:
            continue
        counts[(occurred_us - found.origin_us) // width] -= instant.count
        for rank in range(instant.count):
            played = playback_time(occurred_us, rank, instant.count, spread)
            bucket = (played - found.origin_us) // width
            counts.extend([0] * (bucket + 1 - len(counts)))
            counts[bucket] += 1
    return Density(origin_us=found.origin_us, width_us=width, counts=tuple(counts))
