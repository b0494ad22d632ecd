"""Issue 4 figures: the terminal UI replaying the synthetic log at 10,000x, headless, on the real clock.

Run: .venv/bin/python -m benchmarks.bench_tui [--quick] [--n N] [--seconds S] [--presses K]

The app runs headless (Textual's headless driver, the same widgets and compositor; the final
screen update is also turned into terminal output, as on a real terminal, and thrown away) in a
child process, so its peak memory is its own. It opens the log, goes to the middle, plays at
10,000x and then:
- Key-press-to-screen delay: K key presses, 100-300 ms apart, cycling through speed down/up
  (-, +), pause/play (space twice) and a day back/forward (D, d). For each, the time from the key
  press to the first screen update that shows its effect (the new speed, the paused state, the
  state a day away: a reset of the projection). Median and p99; target p99 < 100 ms.
- Frames per second: repaints of the UI per second of playback without keys, and how many posts
  per second reached the screen against what 10,000x asks for (the UI keeps up, or says so).
- Peak memory of the child (target < 300 MB). The log's checkpoints are built before, not timed.
- The filter's search of the log (in this process, medians of 3): the newest 200 posts a query
  matches at the end of the log, read backwards; against the plain backward read of every row.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from rich.console import RenderableType
from textual._compositor import CompositorUpdate
from textual.screen import Screen

from benchmarks.measure import median, peak_memory_mb, percentile, report, timed
from benchmarks.synthetic import build_log
from events.checkpoints import Checkpoints
from events.query import Query
from events.store import Log
from events.timeline import Recent
from replay.tui.app import ReplayApp
from replay.tui.driver import Options
from replay.tui.frame import Frame

SPEED = 10_000.0
SIZE = (160, 50)
Effect = Callable[[Frame, Frame], bool]
"""Whether a frame (second) shows the effect of a key pressed when the first frame was shown."""

KEYS: list[tuple[str, Effect]] = [
    ("minus", lambda before, now: now.speed == 5_000),
    ("plus", lambda before, now: now.speed == SPEED),
    ("space", lambda before, now: now.paused),
    ("space", lambda before, now: not now.paused),
    # A day of the 30-day synthetic log is 1/30 of it; 1/100 is more than playback moves in 2 s.
    ("D", lambda before, now: now.position < before.position - before.total // 100),
    ("d", lambda before, now: now.position > before.position + before.total // 100),
]


class MeasuredApp(ReplayApp):
    """The app, noting when it paints a frame and when the screen is next updated."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, name="synthetic", options=Options(speed=SPEED, max_gap=None))
        self.paints: list[float] = []
        self.waiting: tuple[Frame, Effect, asyncio.Future[float]] | None = None
        self._seen = False

    def paint(self) -> None:
        super().paint()
        self.paints.append(time.perf_counter())
        if self.waiting is not None and self.frame is not None:
            before, effect, _ = self.waiting
            self._seen = self._seen or effect(before, self.frame)

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        # Headless, Textual stops short of turning the update into terminal output: do that too.
        super()._display(screen, renderable)
        update: object = renderable  # typed as a Rich renderable, but a compositor update at run time
        if isinstance(update, CompositorUpdate):
            update.render_segments(self.console)
            if self._seen and self.waiting is not None:
                self.waiting[2].set_result(time.perf_counter())
                self.waiting, self._seen = None, False

    def expect(self, effect: Effect) -> asyncio.Future[float]:
        """A future resolved at the first screen update that shows `effect` after now."""
        assert self.frame is not None
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting, self._seen = (self.frame, effect, future), False
        return future


async def _until(app: ReplayApp, ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while not ready():
        if time.perf_counter() > deadline or not app.is_running:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.01)


async def _session(path: Path, seconds: float, presses: int) -> dict[str, Any]:
    app = MeasuredApp(path)
    rng = random.Random(0)
    async with app.run_test(size=SIZE) as pilot:
        opened = time.perf_counter()
        await _until(
            app, lambda: app.frame is not None and app.frame.loading is None and app.frame.total > 0, 120
        )
        open_seconds = time.perf_counter() - opened
        timeline = app.driver.timeline
        assert timeline is not None
        app.driver.seek(timeline.time_at(0.5))
        await asyncio.sleep(1.0)

        # Playing, no keys: repaints per second and posts shown per second.
        assert app.frame is not None
        first, painted = app.frame.position, len(app.paints)
        started = time.perf_counter()
        await asyncio.sleep(seconds)
        elapsed = time.perf_counter() - started
        assert app.frame is not None
        fps = (len(app.paints) - painted) / elapsed
        posts_per_second = (app.frame.position - first) / elapsed
        expected_rate = app.frame.total / ((timeline.end_us - timeline.origin_us) / 1e6) * SPEED

        # Keys while playing.
        delays: list[float] = []
        misses = 0
        for index in range(presses):
            key, effect = KEYS[index % len(KEYS)]
            shown = app.expect(effect)
            pressed = time.perf_counter()
            await pilot.press(key)
            try:
                delays.append(await asyncio.wait_for(shown, 2.0) - pressed)
            except TimeoutError:
                misses += 1
                app.waiting = None
            await asyncio.sleep(rng.uniform(0.1, 0.3))
        await pilot.press("q")
    return {
        "open_seconds": open_seconds,
        "fps": fps,
        "posts_per_second": posts_per_second,
        "expected_posts_per_second": expected_rate,
        "delays": delays,
        "misses": misses,
    }


SEARCHES = [
    ("a word no post has (every row read)", "nowhere-at-all"),
    ("a common hashtag", "#tag0000"),
    ("an author", "@user0001"),
    ("three words", "hospital evacuation ceasefire"),
]
END = (2**62, 0)


def _search_rows(path: Path) -> list[tuple[str, str, str]]:
    """How long the filter's search of the whole log takes, for queries from rare to common."""
    with Log.open(path, readonly=True) as log:

        def read_back() -> None:
            for _ in log.rows_back(*END):
                pass

        baseline = median(timed(read_back, 3))
        rows = [("baseline: every row read backwards, nothing else", f"{1000 * baseline:,.0f} ms", "")]
        for label, text in SEARCHES:
            search = functools.partial(_search, log, Query(text))
            found = len(search().items)
            seconds = median(timed(search, 3))
            ratio = f"{seconds / baseline:.2f}x the baseline" if found < 200 else "stops at 200"
            rows.append((f"search: {label}, {found} found", f"{1000 * seconds:,.1f} ms", ratio))
    return rows


def _search(log: Log, query: Query) -> Recent:
    return Recent.looking_back(log.rows_back(*END), 200, query)


def measure(path: str, seconds: float, presses: int) -> dict[str, Any]:
    """Run the headless session on the log at `path`; what the child process reports."""
    return asyncio.run(_session(Path(path), seconds, presses))


def main(argv: list[str] | None = None) -> None:
    """Measure and print the issue 4 figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="posts in the synthetic log")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of playback without keys")
    parser.add_argument("--presses", type=int, default=300, help="key presses to time")
    parser.add_argument("--quick", action="store_true", help="100,000 posts, 5 s, 60 presses")
    args = parser.parse_args(argv)
    n, seconds, presses = (100_000, 5.0, 60) if args.quick else (args.n, args.seconds, args.presses)

    print(f"building the synthetic log of {n:,} posts (cached in benchmarks/.data)...", flush=True)
    path = build_log(n)
    print("building its checkpoints (once; not timed)...", flush=True)
    with Log.open(path, readonly=True) as log:
        Checkpoints.open(log).close()

    print(f"replaying at {SPEED:,.0f}x headless: {seconds:g} s of playback, then {presses} key presses...")
    code = (
        f"from benchmarks.bench_tui import measure\nresult = measure({str(path)!r}, {seconds!r}, {presses!r})"
    )
    peak, result = peak_memory_mb(code)
    delays = [1000 * delay for delay in cast(list[float], result["delays"])]
    misses = result["misses"]
    numbers = cast(dict[str, float], result)
    rows = [
        ("log", f"{n:,} posts", ""),
        ("open (first frame, checkpoints built)", f"{numbers['open_seconds']:.2f} s", ""),
        ("key press to screen, median", f"{median(delays):.1f} ms", ""),
        ("key press to screen, p99", f"{percentile(delays, 0.99):.1f} ms", "target < 100 ms"),
        (
            "key press to screen, max",
            f"{max(delays):.1f} ms",
            f"{len(delays)} presses, {misses} not shown in 2 s",
        ),
        ("frames per second while playing", f"{numbers['fps']:.1f}", "bounded at 20"),
        (
            "posts shown per second",
            f"{numbers['posts_per_second']:,.0f}",
            f"10,000x asks for {numbers['expected_posts_per_second']:,.0f}",
        ),
        ("peak memory (child process)", f"{peak:.0f} MB", "target < 300 MB"),
        *_search_rows(path),
    ]
    report(f"Terminal UI at {SPEED:,.0f}x (issue 4)", rows)
    print(json.dumps({"peak_mb": peak, **{k: v for k, v in result.items() if k != "delays"}}))


if __name__ == "__main__":
    main()
