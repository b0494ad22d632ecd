"""The UI's side of the scheduler: runs it in trio, folds its updates into a projection, takes commands.

The driver is the only part of the UI that knows the scheduler. It keeps the projection at the
playhead (the Reset after a seek, then every Batch folded in), tells the app that something
changed at most once until the app has read it (`frame()`), and turns key presses into the
scheduler's `*_nowait` commands. Before playing it makes sure the log's checkpoints exist, in a
worker thread so the screen stays live while a large log is indexed the first time.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import trio
from attrs import frozen

from events.checkpoints import Checkpoints
from events.codec import Row
from events.model import LATEST_US, Precision, from_micros, to_micros
from events.projection import Projection, Settings
from events.query import Query
from events.store import Log
from events.timeline import Recent
from replay.playhead import MAX
from replay.scheduler import Batch, Reset, Scheduler, Update
from replay.track import playback_density
from replay.tui.frame import FEED_ITEMS, Frame, Timeline, Totals

SPEEDS: tuple[float, ...] = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000)
"""The speed ladder that + and - climb."""
FRAME = 1 / 20
"""Seconds between repaints while playing; the scheduler also batches at this rate."""
DENSITY_BUCKETS = 1024
PANEL_ROWS = 8
DEFAULT_MAX_GAP = 3.0
"""Silences longer than this (wall seconds) are shortened unless --max-gap says otherwise: the demo's
posts are hours apart, and nobody watches an empty feed for hours."""


def faster(speed: float) -> float:
    """The next speed up the ladder (MAX stays MAX)."""
    index = bisect.bisect_right(SPEEDS, speed + 1e-9)
    return SPEEDS[index] if index < len(SPEEDS) else (MAX if speed == MAX else SPEEDS[-1])


def slower(speed: float) -> float:
    """The next speed down the ladder (from MAX, the fastest rung)."""
    index = bisect.bisect_left(SPEEDS, speed - 1e-9)
    return SPEEDS[max(0, index - 1)]


@frozen(kw_only=True)
class Options:
    """How to open the replay: what `replay play` was given."""

    speed: float | None = 1.0
    since: datetime | None = None
    until: datetime | None = None
    max_gap: float | None = DEFAULT_MAX_GAP


def _prepare(
    path: Path, settings: Settings, progress: Callable[[int, int], None]
) -> tuple[Timeline | None, Precision]:
    """Build the checkpoints if needed and read the timeline's extent and density (worker thread)."""
    with Log.open(path, readonly=True) as log:
        Checkpoints.open(log, settings=settings, on_progress=progress).close()
        span = log.span()
        if span is None:
            return None, Precision.SECOND  # nothing to draw a timeline of
        first_us, last_us = to_micros(span.first), to_micros(span.last)
        first, last = log.instant(first_us), log.instant(last_us)
        assert first is not None and last is not None
        found = playback_density(log, DENSITY_BUCKETS)
    end_us = min(LATEST_US, last_us + last.coarsest.span // timedelta(microseconds=1))
    timeline = Timeline(
        origin_us=found.origin_us, end_us=end_us, bucket_us=found.width_us, counts=found.counts
    )
    return timeline, first.coarsest


def _look_back(path: Path, position: tuple[int, int], query: Query, stopped: Callable[[], bool]) -> Recent:
    """The newest posts `query` matches among everything up to `position` (worker thread)."""
    with Log.open(path, readonly=True) as log:
        return Recent.looking_back(_until(log.rows_back(*position), stopped), FEED_ITEMS, query)


def _until(rows: Iterable[Row], stopped: Callable[[], bool]) -> Iterator[Row]:
    """`rows` until `stopped()` says the answer is no longer wanted (asked every 1,024 rows)."""
    for count, row in enumerate(rows):
        if count & 1023 == 0 and stopped():
            return
        yield row


class Driver:
    """One replay of the log at `path` for the UI named `name`."""

    def __init__(
        self,
        path: Path,
        *,
        name: str,
        options: Options,
        notify: Callable[[], None],
        settings: Settings | None = None,
    ) -> None:
        self.path = path
        self.name = name
        self.options = options
        self.settings = settings or Settings()
        self._notify = notify
        self.scheduler: Scheduler | None = None
        self.projection = Projection(self.settings)
        self.timeline: Timeline | None = None
        self.loading: str | None = "opening the log"
        self.urgent = False
        """True when a command was given since the last frame: the app paints it at once."""
        self._precision = Precision.SECOND
        self._pending = False
        self._token: trio.lowlevel.TrioToken | None = None
        self.query = Query()
        """What the feed is filtered by ("" for nothing)."""
        self.matches: Recent | None = None
        """The newest posts `query` matches up to the playhead, once the log has been searched."""
        self._ask_search, self._searches_asked = trio.open_memory_channel[None](1)
        self._search_generation = 0  # a search's answer is taken only if no other was asked since
        self._answered = 0  # the generation of the answer shown
        self._rows_since_search: list[Sequence[Row]] | None = None
        self._playing = trio.Event()  # set once the scheduler is open: a search waits for it
        self._seek_when_open: int | None = None

    # -- running (trio) ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Open the log, play it, and fold what comes until cancelled."""
        self._token = trio.lowlevel.current_trio_token()
        self._changed()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._tick)
            nursery.start_soon(self._search_each_query)
            # Abandoned on quit: a first-time index of a large log must not hold the app open.
            self.timeline, self._precision = await trio.to_thread.run_sync(
                _prepare, self.path, self.settings, self._progress, abandon_on_cancel=True
            )
            options = self.options
            with Scheduler.open(
                self.path,
                speed=options.speed,
                since=options.since,
                until=options.until,
                max_gap=options.max_gap,
                settings=self.settings,
                frame=FRAME,
            ) as scheduler:
                self.scheduler = scheduler
                self.loading = None
                self._playing.set()
                if self._seek_when_open is not None:
                    self.seek(self._seek_when_open)
                    self._seek_when_open = None
                # Everything built so far (the app's widgets and styles, the log's caches) lives as
                # long as the app: keep it out of the collector's full passes, which otherwise scan
                # it again and again and pause the screen for tens of milliseconds at 10,000x.
                gc.freeze()
                try:
                    self._changed()
                    nursery.start_soon(scheduler.run)
                    async for update in scheduler.updates:
                        self._apply(update)
                        self._changed()
                finally:
                    gc.unfreeze()  # what has died since can be collected again

    def _progress(self, done: int, total: int) -> None:
        # Called in the worker thread: only a string is replaced; the tick reads it.
        self.loading = f"indexing the log {100 * done // max(1, total)}%"

    async def _tick(self) -> None:
        """Repaint while loading and while the clock moves (the time and the playhead move between posts)."""
        while True:
            await trio.sleep(FRAME)
            if self.scheduler is None or not self.scheduler.statistics().paused:
                self._changed()

    def _apply(self, update: Update) -> None:
        if isinstance(update, Reset) or (self.scheduler is not None and self.scheduler.statistics().paused):
            self.urgent = True  # the answer to a command (a seek, a step): show it at once
        if isinstance(update, Reset):
            if update.projection is not None:
                self.projection = update.projection
            newest = self.projection.recent(1)
            if newest:
                self._precision = newest[0].precision
            if self.query:
                self._search()  # the matches were those up to the old playhead
        elif isinstance(update, Batch):
            self.projection.apply_rows(update.rows)
            self._precision = Precision(update.rows[-1][4])
            if self.matches is not None:
                self.matches.apply_rows(update.rows)
                if self.matches.missed:  # an edit may have made a post match that is held nowhere
                    self.matches.missed = False
                    self._search(keep_shown=True)
            if self._rows_since_search is not None:
                self._rows_since_search.append(update.rows)
        # Ended needs nothing here: the scheduler's statistics say so, and the header shows it.

    def _changed(self) -> None:
        # One notice until the app reads a frame; the answer to a command is announced regardless,
        # so that it is not held back behind a repaint booked for later.
        if not self._pending or self.urgent:
            self._pending = True
            self._notify()

    def wake(self) -> None:
        """Make trio look at its clock again (after a test jumps a fake clock)."""
        if self._token is not None:
            self._token.run_sync_soon(lambda: None)

    # -- searching -------------------------------------------------------------------------------------

    def search(self, text: str) -> None:
        """Filter the feed by `text` (see Query), searching everything played so far, not only the
        posts the timeline holds; "" shows the timeline again."""
        query = Query(text)
        if query != self.query:
            self.query = query
            self._search()

    @property
    def searching(self) -> bool:
        """True while the log is being searched for the query (the feed may show an older answer)."""
        return bool(self.query) and self._answered != self._search_generation

    def _search(self, *, keep_shown: bool = False) -> None:
        """Search again; with `keep_shown` (an edit may have made a post match), the answer shown
        stays, folded on, until the new one comes, and a search already running will do."""
        if keep_shown and self._rows_since_search is not None:
            return  # the search running folds that edit in too, and looks again if it must
        if not keep_shown:
            self.matches = None
        self._rows_since_search = None
        self._search_generation += 1
        self.urgent = True
        self._changed()
        if self.query:
            with contextlib.suppress(trio.WouldBlock):  # one is asked for: it reads the query as it starts
                self._ask_search.send_nowait(None)

    async def _search_each_query(self) -> None:
        """Search the log for each query asked for; a new one (or a seek) stops the one running."""
        async with trio.open_nursery() as nursery:
            running = trio.CancelScope()
            async for _ in self._searches_asked:
                running.cancel()
                running = trio.CancelScope()
                nursery.start_soon(self._search_now, running)

    async def _search_now(self, scope: trio.CancelScope) -> None:
        with scope:
            await self._playing.wait()  # the log is still being opened
            query, position, generation = self.query, self.projection.position, self._search_generation
            if not query:
                return
            rows_since: list[Sequence[Row]] = []
            self._rows_since_search = rows_since
            stop = threading.Event()
            try:
                found = await trio.to_thread.run_sync(
                    _look_back, self.path, position, query, stop.is_set, abandon_on_cancel=True
                )
            finally:
                stop.set()
            if generation != self._search_generation:
                return  # another query, or a seek, since: its own search answers
            for rows in rows_since:  # played while the log was searched
                found.apply_rows(rows)
            self.matches, self._rows_since_search = found, None
            self._answered = generation
            self.urgent = True
            self._changed()
            if found.missed:  # played meanwhile: show this answer, and look again from here
                found.missed = False
                self._search(keep_shown=True)

    # -- reading (the app) -------------------------------------------------------------------------

    def playhead_us(self) -> int:
        """Where the playhead is now (0 while the log is being opened)."""
        return 0 if self.scheduler is None else self.scheduler.statistics().playhead_us

    def frame(self) -> Frame:
        """What to show now; the next change will be announced again."""
        self._pending = False
        self.urgent = False
        scheduler = self.scheduler
        if scheduler is None:
            return Frame(
                name=self.name,
                playhead_us=0,
                time_text="",
                paused=True,
                ended=False,
                speed=self.options.speed or MAX,
                position=0,
                total=0,
                loading=self.loading,
            )
        stats = scheduler.statistics()
        projection = self.projection
        kinds = projection.kinds
        hours = self.settings.trend_window_us / 3_600_000_000
        return Frame(
            name=self.name,
            playhead_us=stats.playhead_us,
            time_text=self._precision.format(from_micros(stats.playhead_us)) if stats.total else "no posts",
            paused=stats.paused,
            ended=stats.ended,
            speed=stats.speed,
            position=projection.count,  # what is shown, not what the scheduler has handed out
            total=stats.total,
            feed=tuple(projection.recent(FEED_ITEMS) if self.matches is None else self.matches.newest()),
            feed_query=self.query.text if self.matches is not None else "",
            trending=tuple(projection.trending(stats.playhead_us, PANEL_ROWS)),
            authors=tuple(projection.top_authors(PANEL_ROWS)),
            totals=Totals(
                posts=kinds["post.published"],
                reposts=kinds["post.reposted"],
                edits=kinds["post.edited"],
                deletes=kinds["post.deleted"],
                authors=len(projection.authors),
                hashtags=len(projection.hashtags),
            ),
            trend_window=f"{hours:g} h",
        )

    # -- commands (the app) ------------------------------------------------------------------------

    COMMANDS = frozenset(
        {
            "toggle",
            "seek_by",
            "seek",
            "start",
            "end",
            "step_forward",
            "step_back",
            "set_speed",
            "faster",
            "slower",
        }
    )
    """What `command` accepts: the names of the methods below."""

    def command(self, name: str, *args: float) -> None:
        """Run the command `name` with `args` (how the app's key bindings reach the driver)."""
        if name not in self.COMMANDS:
            raise ValueError(f"no such replay command: {name!r}")
        getattr(self, name)(*args)

    def _command(self, act: Callable[[Scheduler], None]) -> None:
        if self.scheduler is None:
            return  # still loading: keys do nothing yet
        act(self.scheduler)
        self.urgent = True
        self._changed()

    def toggle(self) -> None:
        """Play or pause."""
        self._command(lambda s: s.toggle_nowait())

    def seek_by(self, seconds: float) -> None:
        """Move the playhead by `seconds` (negative: back)."""
        self._command(lambda s: s.seek_by_nowait(timedelta(seconds=seconds)))

    def seek(self, virtual_us: int) -> None:
        """Move the playhead to `virtual_us` (asked while the log is still opening: once it is)."""
        if self.scheduler is None:
            self._seek_when_open = virtual_us
            return
        self._command(lambda s: s.seek_nowait(from_micros(virtual_us)))

    def start(self) -> None:
        """Go to the start."""
        self._command(lambda s: s.seek_start_nowait())

    def end(self) -> None:
        """Go to the end."""
        self._command(lambda s: s.seek_end_nowait())

    def step_forward(self) -> None:
        """Pause and show the next post."""
        self._command(lambda s: s.step_forward_nowait())

    def step_back(self) -> None:
        """Pause and take back the last post shown."""
        self._command(lambda s: s.step_back_nowait())

    def set_speed(self, speed: float) -> None:
        """Play at `speed` (MAX: as fast as the screen takes them)."""
        self._command(lambda s: s.set_speed_nowait(None if math.isinf(speed) else speed))

    def faster(self) -> None:
        """One rung up the speed ladder."""
        if self.scheduler is not None:
            self.set_speed(faster(self.scheduler.statistics().speed))

    def slower(self) -> None:
        """One rung down the speed ladder."""
        if self.scheduler is not None:
            self.set_speed(slower(self.scheduler.statistics().speed))
