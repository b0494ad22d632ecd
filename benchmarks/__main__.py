"""Run every benchmark in turn: python -m benchmarks [--quick]."""

from __future__ import annotations

import importlib
import sys

MODULES = ("bench_log", "bench_replay", "bench_import", "bench_tui")


def main() -> None:
    """Run each benchmark module's main() with the same arguments."""
    for name in MODULES:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n# {name}", flush=True)
        module.main(sys.argv[1:])


if __name__ == "__main__":
    main()
