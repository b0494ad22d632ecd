"""What one repaint shows: a frozen snapshot of the replay, read from the driver by the app."""

from __future__ import annotations

import math

from attrs import frozen

from events.timeline import Visible

FEED_ITEMS = 200
"""Items a frame's feed holds at most (the feed lays out fewer)."""


@frozen(kw_only=True)
class Totals:
    """Counts over everything played so far."""

    posts: int = 0
    reposts: int = 0
    edits: int = 0
    deletes: int = 0
    authors: int = 0
    hashtags: int = 0


@frozen(kw_only=True)
class Timeline:
    """The whole log on one axis from `origin_us` to `end_us`, with posts per bucket for a density strip.

    Bucket i of `counts` covers [origin_us + i * bucket_us, origin_us + (i + 1) * bucket_us).
    """

    origin_us: int
    end_us: int
    bucket_us: int = 1
    counts: tuple[int, ...] = ()

    def density(self, columns: int) -> list[float]:
        """Posts per column of a strip `columns` wide: each bucket counts in the column it starts in.

        Summed, not averaged, so columns with as many posts look alike however the buckets fall.
        """
        span = max(1, self.end_us - self.origin_us)
        values = [0.0] * columns
        for index, count in enumerate(self.counts):
            if count:
                values[min(columns - 1, index * self.bucket_us * columns // span)] += count
        return values

    def fraction(self, virtual_us: int) -> float:
        """Where `virtual_us` lies on the axis, from 0 (start) to 1 (end)."""
        span = max(1, self.end_us - self.origin_us)
        return min(1.0, max(0.0, (virtual_us - self.origin_us) / span))

    def time_at(self, fraction: float) -> int:
        """The time at `fraction` of the axis."""
        fraction = min(1.0, max(0.0, fraction))
        return self.origin_us + math.floor(fraction * (self.end_us - self.origin_us))


@frozen(kw_only=True)
class Frame:
    """The replay at one moment, as the widgets show it."""

    name: str
    playhead_us: int
    time_text: str
    """The playhead's time at the precision of the posts around it ("12 Dec 2016")."""
    paused: bool
    ended: bool
    speed: float
    """Playback speed; math.inf when playing as fast as the UI takes the posts."""
    position: int
    total: int
    feed: tuple[Visible, ...] = ()
    """The visible timeline, newest first; or, when `feed_query` is set, what it matches."""
    feed_query: str = ""
    """The query `feed` was searched for in the whole log so far ("" when it is the timeline)."""
    trending: tuple[tuple[str, int], ...] = ()
    authors: tuple[tuple[str, int], ...] = ()
    totals: Totals = Totals()
    trend_window: str = "24 h"
    loading: str | None = None
    """What the replay is busy with before it can play (building checkpoints), if anything."""
