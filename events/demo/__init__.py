"""The built-in demo: three news articles on the fall of eastern Aleppo (December 2016)."""

from __future__ import annotations

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
NAME = "Aleppo, December 2016"


def documents() -> list[Path]:
    """The demo's source documents, in a fixed order."""
    return sorted(DIRECTORY.glob("*.txt"))


def names() -> list[str]:
    """What the demo's documents are called in a log: the same wherever the package is installed."""
    return [f"demo/{path.name}" for path in documents()]
