"""Issue 2 figures: ingest of the JSONL export, `log info`, a one-hour window, memory, size per post.

Run: .venv/bin/python -m benchmarks.bench_log [--quick] [--n N] [--runs R]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.measure import median, peak_memory_mb, report, timed
from benchmarks.synthetic import build_export, build_log
from events.codec import check_post
from events.ingest.driver import ingest
from events.model import to_micros
from events.readback import EXPORTED_LINE, RestoredBlock, decoded_row, restore_row
from events.store import Log


def _ingest_once(export: Path, workdir: Path, cpu: list[tuple[float, float]]) -> int:
    """Ingest `export` into a new log; appends (this process's, the workers') CPU seconds to `cpu`."""
    target = workdir / "ingest.log"
    target.unlink(missing_ok=True)
    before = os.times()
    with Log.open(target, create=True) as log:
        new = ingest(log, [str(export)]).new
    after = os.times()  # the workers have been waited for: their time is the children's
    cpu.append(
        (
            after.user + after.system - before.user - before.system,
            after.children_user + after.children_system - before.children_user - before.children_system,
        )
    )
    return new


def _baseline_once(export: Path, workdir: Path) -> int:
    """Plain json.loads of each line and one executemany of the same rows into the same table."""
    target = workdir / "baseline.log"
    target.unlink(missing_ok=True)
    Log.open(target, create=True).close()
    rows = []
    with export.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            id_ = bytes.fromhex(record["id"])
            rows.append(
                (
                    record["seq"],
                    id_,
                    int.from_bytes(id_[:8], "big", signed=True),
                    record["kind"],
                    record["occurred_at"],
                    record["precision"],
                    record["recorded_at"],
                    json.dumps(record["post"]),
                    bytes.fromhex(record["hash"]),
                )
            )
    import sqlite3

    db = sqlite3.connect(target)
    db.executemany(
        "INSERT INTO events (seq, id, key, kind, occurred_at, precision, recorded_at, body, hash) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        rows,
    )
    db.commit()
    db.close()
    return len(rows)


def _stages(export: Path, workdir: Path, count: int) -> list[tuple[str, str, str]]:
    """CPU time a post of each stage of the ingest, in this one process, on the first lines."""
    with export.open(encoding="utf-8") as file:
        lines = [line.rstrip("\n") for _, line in zip(range(count), file, strict=False)]
    posts = [json.loads(line)["post"] for line in lines]
    rows = [restore_row(line) for line in lines]

    def each(action: Callable[[], object]) -> float:
        best = min(_cpu(action) for _ in range(3))
        return best / len(lines) * 1e6

    def append() -> None:
        target = workdir / "stages.log"
        target.unlink(missing_ok=True)
        with Log.open(target, create=True) as log:
            log.append([RestoredBlock(rows)])

    figures = [
        (
            "the line matched against the export's pattern",
            each(lambda: _each(EXPORTED_LINE.fullmatch, lines)),
            "worker",
        ),
        ("the whole check of a line (restore_row)", each(lambda: _each(restore_row, lines)), "worker"),
        ("for comparison: json.loads of the line", each(lambda: _each(json.loads, lines)), "-"),
        (
            "for comparison: the post checked by the model's validators",
            each(lambda: _each(check_post, posts)),
            "-",
        ),
        (
            "for comparison: the line read field by field (decoded_row)",
            each(lambda: _each(decoded_row, lines)),
            "-",
        ),
        ("append of checked rows to an empty log", each(append), "main process"),
    ]
    return [(name, f"{micros:.1f} µs", where) for name, micros, where in figures]


def _each(action: Callable[[Any], object], values: list[Any]) -> None:
    for value in values:
        action(value)


def _cpu(action: Callable[[], object]) -> float:
    # The collector off: the inputs held here for timing would make it sweep them again and again.
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        action()
        return time.process_time() - start
    finally:
        gc.enable()


def main(argv: list[str] | None = None) -> None:
    """Measure and print the issue 2 figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000, help="posts in the synthetic log")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each timing")
    parser.add_argument("--quick", action="store_true", help="100,000 posts, one run")
    args = parser.parse_args(argv)
    n, runs = (100_000, 1) if args.quick else (args.n, args.runs)

    print(f"building the synthetic log and export of {n:,} posts (cached in benchmarks/.data)...")
    log_path = build_log(n)
    export = build_export(n)
    workdir = Path(tempfile.mkdtemp(prefix="replay-bench-"))
    try:
        cpu: list[tuple[float, float]] = []
        ingest_times = timed(lambda: _ingest_once(export, workdir, cpu), runs)
        main_us = median([main for main, _ in cpu]) / n * 1e6
        workers_us = median([workers for _, workers in cpu]) / n * 1e6
        baseline_times = timed(lambda: _baseline_once(export, workdir), runs)
        stages = _stages(export, workdir, min(n, 100_000))
        ingest_rate = n / median(ingest_times)
        baseline_rate = n / median(baseline_times)

        code = (
            "from events.ingest.driver import ingest\nfrom events.store import Log\n"
            f"log = Log.open({str(workdir / 'memory.log')!r}, create=True)\n"
            f"result = {{'new': ingest(log, [{str(export)!r}]).new}}\n"
        )
        peak_mb, child = peak_memory_mb(code)
        worker_mb = child["children_peak_mb"]
        assert isinstance(worker_mb, float | int)
        workers = max(1, (os.cpu_count() or 1) - 1)  # as events.ingest.jsonl starts them

        with Log.open(log_path, readonly=True) as log:
            summary_times = timed(log.summary, max(runs, 5))
            span = log.span()
            assert span is not None
            middle = span.first + (span.last - span.first) / 2
            window_count = sum(1 for _ in log.window(middle, middle + timedelta(hours=1)))
            window_times = timed(lambda: list(log.window(middle, middle + timedelta(hours=1))), 20)
            raw_times = timed(
                lambda: list(log.rows_by_time(to_micros(middle), to_micros(middle + timedelta(hours=1)))), 20
            )
        replay = shutil.which("replay", path=str(Path(sys.executable).parent))
        cli_times = timed(
            lambda: subprocess.run(
                [replay or "replay", "log", "info", str(log_path)], check=True, capture_output=True
            ),
            max(runs, 5),
        )
        size = log_path.stat().st_size
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    report(
        f"Event log, {n:,} synthetic posts (medians of {runs} runs)",
        [
            ("ingest from JSONL export", f"{ingest_rate:,.0f} posts/s", "target >= 100,000 posts/s"),
            ("baseline: json.loads + executemany", f"{baseline_rate:,.0f} posts/s", "same rows, same table"),
            ("ingest / baseline", f"{ingest_rate / baseline_rate:.2f}x", "ratio in the same run"),
            ("ingest CPU a post: main process", f"{main_us:.1f} µs", "reads spans out, appends"),
            ("ingest CPU a post: workers", f"{workers_us:.1f} µs", "check the lines"),
            ("peak memory: main process", f"{peak_mb:,.0f} MB", "the one that appends"),
            (
                f"peak memory: checking workers ({workers}), each at most",
                f"{workers} x {worker_mb:,.0f} MB",
                "checking lines",
            ),
            ("peak memory during ingest, all", f"{peak_mb + workers * worker_mb:,.0f} MB", "target < 200 MB"),
            ("log info (in process)", f"{median(summary_times) * 1000:,.1f} ms", "target < 500 ms"),
            ("replay log info (command)", f"{median(cli_times) * 1000:,.0f} ms", "incl. Python start-up"),
            (
                f"1-hour window, {window_count} entries",
                f"{median(window_times) * 1000:,.1f} ms",
                "target < 50 ms",
            ),
            ("1-hour window, raw rows", f"{median(raw_times) * 1000:,.1f} ms", "what the player reads"),
            ("log file size per post", f"{size / n:,.0f} bytes", f"{size / 2**20:,.0f} MB in all"),
        ],
    )
    report(f"CPU a post by stage, one process, the first {min(n, 100_000):,} lines (best of 3)", stages)


if __name__ == "__main__":
    main()
