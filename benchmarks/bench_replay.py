"""Issue 3 figures: timing at 1x on the real clock, throughput at max, seeks with state, memory.

Run: .venv/bin/python -m benchmarks.bench_replay [--quick] [--n N] [--runs R] [--seconds S]

- Timing: a log of 100 events per second of playback, played at 1x on trio's real clock by the
  scheduler (absolute deadlines) and, in the same run, by a naive loop that sleeps each gap;
  lateness per event (receipt minus due time), median and p99, and end-to-end drift (median
  lateness of the last 5% of events minus that of the first 5%). trio sleeps in epoll, whose
  timeout Python rounds up to whole milliseconds: wake-ups land up to 1 ms after a deadline.
- Throughput: headless play at max of the synthetic log to /dev/null, against plain sqlite3
  iteration over the same rows in the same order, in the same run (wall and CPU time).
- Seek: random seeks over the log's span, each restoring the projection (checkpoint plus fold).
- Memory: peak resident memory of a child process that plays the whole log at max.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trio

from benchmarks.measure import median, peak_memory_mb, percentile, report, timed
from benchmarks.synthetic import build_log
from events.checkpoints import Checkpoints, sidecar_path
from events.model import Author, Event, Post, Precision, Source, to_micros
from events.store import Log
from replay.headless import play
from replay.scheduler import Batch, Ended, Scheduler
from replay.track import Track
from replay.transport import Reset, Transport

START = datetime(2016, 12, 12, tzinfo=UTC)


# -- timing at 1x -----------------------------------------------------------------------------------


def _timing_log(path: Path, seconds: float, per_second: int = 100, seed: int = 0) -> list[int]:
    """A log of `seconds * per_second` posts at random millisecond times; their offsets in µs."""
    rng = random.Random(seed)
    count = int(seconds * per_second)
    offsets = sorted(rng.randrange(0, int(seconds * 1000)) * 1000 for _ in range(count))
    source = Source(path="timing", format="synthetic", line=None)
    events = [
        Event.published(
            Post(platform="bench", id=str(i), author=Author(handle="timer"), text=f"tick {i}", source=source),
            START + timedelta(microseconds=offset),
            Precision.MILLISECOND,
        )
        for i, offset in enumerate(offsets)
    ]
    with Log.open(path, create=True) as log:
        log.append(events)
    return offsets


def _lateness(start: float, receipts: list[float], offsets: list[int]) -> tuple[list[float], float]:
    """Each event's lateness against the schedule that starts at `start`, and the drift: how much
    later the last 5% of events came than the first 5% (medians, so one stray wake-up does not
    count as drift)."""
    late = [at - (start + offset / 1e6) for at, offset in zip(receipts, offsets, strict=True)]
    tail = max(1, len(late) // 20)
    return late, median(late[-tail:]) - median(late[:tail])


async def _scheduled(path: Path, count: int) -> tuple[float, list[float]]:
    """The scheduler at 1x: when the first event was due and when each arrived."""
    receipts: list[float] = []
    start: float | None = None
    with Scheduler.open(path, speed=1.0, keep_state=False) as scheduler:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(scheduler.run)
            async for update in scheduler.updates:
                if isinstance(update, Batch):
                    start = update.due if start is None else start
                    receipts += [trio.current_time()] * len(update.rows)
                elif isinstance(update, Ended):
                    break
            nursery.cancel_scope.cancel()
    assert start is not None and len(receipts) == count
    return start, receipts


async def _naive(offsets: list[int]) -> tuple[float, list[float]]:
    """The loop a first version might write: sleep the gap to the next event, then deliver it."""
    receipts = []
    start = trio.current_time()
    previous = offsets[0]
    for offset in offsets:
        await trio.sleep((offset - previous) / 1e6)
        previous = offset
        receipts.append(trio.current_time())
    return start, receipts


def bench_timing(workdir: Path, seconds: float) -> list[tuple[str, str, str]]:
    path = workdir / "timing.log"
    offsets = _timing_log(path, seconds)
    offsets = [offset - offsets[0] for offset in offsets]
    scheduled, scheduled_drift = _lateness(*trio.run(_scheduled, path, len(offsets)), offsets)
    naive, naive_drift = _lateness(*trio.run(_naive, offsets), offsets)
    ms = 1000
    return [
        (f"events played at 1x over {seconds:g} s", f"{len(offsets):,}", "real clock"),
        ("scheduler lateness, median", f"{median(scheduled) * ms:.3f} ms", ""),
        ("scheduler lateness, p99", f"{percentile(scheduled, 0.99) * ms:.3f} ms", "target < 2 ms"),
        ("scheduler end-to-end drift", f"{scheduled_drift * ms:+.3f} ms", "target < 1 ms"),
        ("naive sleep-each-gap lateness, median", f"{median(naive) * ms:.3f} ms", "same log, same run"),
        ("naive lateness, p99", f"{percentile(naive, 0.99) * ms:.3f} ms", ""),
        ("naive end-to-end drift", f"{naive_drift * ms:+.3f} ms", "grows with every sleep"),
    ]


# -- throughput at max ------------------------------------------------------------------------------


def _headless_to_null(path: Path, output_format: str = "text") -> None:
    with open(os.devnull, "w", encoding="utf-8") as out:
        assert play(path, speed=None, output_format=output_format, out=out) == 0  # type: ignore[arg-type]


def _plain_iteration(path: Path) -> int:
    """Plain sqlite3: every row of the log, all columns, in (occurred_at, seq) order."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    count = 0
    sql = "SELECT seq, id, kind, occurred_at, precision, recorded_at, body, hash FROM events "
    for _ in db.execute(sql + "ORDER BY occurred_at, seq"):
        count += 1
    db.close()
    return count


def _cpu_and_wall(action: Callable[[], object], runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        action()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return median(walls), median(cpus)


def bench_throughput(path: Path, n: int, runs: int) -> list[tuple[str, str, str]]:
    play_wall, play_cpu = _cpu_and_wall(lambda: _headless_to_null(path), runs)
    plain_wall, plain_cpu = _cpu_and_wall(lambda: _plain_iteration(path), runs)
    jsonl_wall = median(timed(lambda: _headless_to_null(path, "jsonl"), 1))
    return [
        ("headless text at max to /dev/null", f"{n / play_wall:,.0f} events/s", "target >= 200,000 events/s"),
        ("  the same, per CPU second", f"{n / play_cpu:,.0f} events/s", "the process's own CPU time"),
        ("plain sqlite3 iteration, same rows", f"{n / plain_wall:,.0f} rows/s", "baseline, same run"),
        ("headless / plain iteration", f"{plain_wall / play_wall:.2f}x", "ratio of rates (wall)"),
        ("  the same, per CPU second", f"{plain_cpu / play_cpu:.2f}x", "ratio of rates (CPU)"),
        ("headless JSONL at max to /dev/null", f"{n / jsonl_wall:,.0f} events/s", "export lines, one run"),
    ]


# -- seeks ------------------------------------------------------------------------------------------


def bench_seeks(path: Path, seeks: int) -> list[tuple[str, str, str]]:
    fresh = not sidecar_path(path).exists()
    with Log.open(path, readonly=True) as log:
        built = time.perf_counter()
        checkpoints = Checkpoints.open(log)
        build_seconds = time.perf_counter() - built
        transport = Transport(Track(log), 0.0, checkpoints=checkpoints, paused=True)
        span = log.span()
        assert span is not None
        first, last = to_micros(span.first), to_micros(span.last)
        rng = random.Random(1)
        times = []
        for _ in range(seeks):
            target = rng.randrange(first, last + 1)
            began = time.perf_counter()
            transport.seek(target, 0.0)
            reset = transport.take(0.0)
            times.append(time.perf_counter() - began)
            assert isinstance(reset, Reset) and reset.projection is not None
        checkpoints.close()
    size_mb = sidecar_path(path).stat().st_size / 2**20
    return [
        (f"{seeks:,} random seeks, state restored, median", f"{median(times) * 1000:.1f} ms", ""),
        ("  p99", f"{percentile(times, 0.99) * 1000:.1f} ms", "target < 50 ms"),
        (
            "checkpoints: " + ("built" if fresh else "opened (already built)"),
            f"{build_seconds:.1f} s",
            f"once per log head; sidecar {size_mb:,.0f} MB",
        ),
    ]


def bench_checkpoint_update(path: Path, workdir: Path, added: int = 1000) -> list[tuple[str, str, str]]:
    """Checkpoints brought up to date after an ingest, against building them from scratch."""
    copy = workdir / "grown.log"
    shutil.copyfile(path, copy)
    shutil.copyfile(sidecar_path(path), sidecar_path(copy))
    with Log.open(copy) as log:
        span = log.span()
        assert span is not None
        rows = []
        for label, start in (
            ("later", span.last),
            ("in the middle of the span", span.first + (span.last - span.first) / 2),
        ):
            log.append([_post(f"{label} {i}", start + timedelta(seconds=i)) for i in range(added)])
            began = time.perf_counter()
            Checkpoints.open(log).close()
            rows.append(
                (
                    f"checkpoints after {added:,} posts {label}",
                    f"{time.perf_counter() - began:.2f} s",
                    "kept up to the first new one",
                )
            )
    return rows


def _post(text: str, at: datetime) -> Event:
    return Event.published(
        Post(
            platform="bench",
            author=Author(handle="bench"),
            text=text,
            source=Source(path="bench", format="bench"),
        ),
        at,
        Precision.SECOND,
    )


# -- memory -----------------------------------------------------------------------------------------


def bench_memory(path: Path) -> list[tuple[str, str, str]]:
    code = (
        "import os\nfrom replay.headless import play\n"
        "with open(os.devnull, 'w') as out:\n"
        f"    code = play({str(path)!r}, speed=None, out=out)\n"
        "result = {'exit': code}\n"
    )
    peak, _ = peak_memory_mb(code)
    return [("peak memory, headless replay at max", f"{peak:,.0f} MB", "target < 250 MB")]


def main(argv: list[str] | None = None) -> None:
    """Measure and print the issue 3 figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="posts in the synthetic log")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each throughput timing")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the 1x timing run")
    parser.add_argument("--seeks", type=int, default=1000, help="random seeks to time")
    parser.add_argument("--quick", action="store_true", help="100,000 posts, one run, a 5 s timing run")
    args = parser.parse_args(argv)
    n, runs, seconds = (100_000, 1, 5.0) if args.quick else (args.n, args.runs, args.seconds)

    print(f"building the synthetic log of {n:,} posts (cached in benchmarks/.data)...")
    path = build_log(n)
    workdir = Path(tempfile.mkdtemp(prefix="replay-bench-"))
    try:
        rows = bench_timing(workdir, seconds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rows += bench_throughput(path, n, runs)
    rows += bench_seeks(path, args.seeks)
    workdir = Path(tempfile.mkdtemp(prefix="replay-bench-"))
    try:
        rows += bench_checkpoint_update(path, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rows += bench_memory(path)
    load = os.getloadavg()[0]
    report(f"Replay, {n:,} synthetic posts (medians of {runs} runs; load average {load:.1f})", rows)


if __name__ == "__main__":
    main()
