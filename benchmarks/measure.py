"""What every benchmark shares: repeated timings reported as medians, and peak memory of a child."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock seconds of `runs` calls of `action`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def median(values: Sequence[float]) -> float:
    """The median of `values`."""
    return statistics.median(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def peak_memory_mb(code: str) -> tuple[float, dict[str, object]]:
    """Run `code` in a fresh Python and return its peak resident memory (MB) and what it printed.

    The child must print one JSON object on its last line; it is returned as the second value,
    with `children_peak_mb`: the largest peak of the processes it started and waited for (its
    worker processes), an upper bound, as a spawned child starts from its parent's figure.
    """
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork and exec, so a child of a large
    # parent would report the parent's peak.
    wrapper = (
        "import json, resource, sys\n"
        f"{code}\n"
        "def _peak_kb():\n"
        "    try:\n"
        "        for line in open('/proc/self/status'):\n"
        "            if line.startswith('VmHWM:'):\n"
        "                return int(line.split()[1])\n"
        "    except OSError:\n"
        "        pass\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'_peak_kb': _peak_kb(), 'children_peak_mb': children, **result}))\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True)
    payload: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    peak_kb = payload.pop("_peak_kb")
    assert isinstance(peak_kb, int)
    return peak_kb / 1024, payload


def report(title: str, rows: list[tuple[str, str, str]]) -> None:
    """Print a small table: figure, measured value, target."""
    print(f"\n## {title}\n")
    width = max(len(name) for name, _, _ in rows)
    for name, value, target in rows:
        print(f"  {name:<{width}}  {value:>16}  {target}")
