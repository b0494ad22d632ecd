"""A deterministic synthetic stream of posts, and logs and exports built from it (cached on disk)."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from events.codec import export_line
from events.model import Author, Event, Kind, Post, Precision, Source
from events.store import Log

DATA = Path(__file__).resolve().parent / ".data"
START = datetime(2016, 12, 1, tzinfo=UTC)
DEFAULT_SPAN = timedelta(days=30)
AUTHORS = 3000
HASHTAGS = 2000

_WORDS = [
    "aleppo",
    "city",
    "people",
    "civilians",
    "regime",
    "forces",
    "rebels",
    "help",
    "save",
    "world",
    "now",
    "tonight",
    "shelling",
    "hospital",
    "children",
    "families",
    "please",
    "share",
    "news",
    "report",
    "evacuation",
    "ceasefire",
    "un",
    "convoy",
    "east",
    "west",
    "street",
    "building",
    "bombs",
    "airstrike",
    "silence",
    "pray",
    "hope",
    "fear",
    "goodbye",
    "message",
    "live",
    "update",
]


def generate(n: int, *, seed: int = 0, span: timedelta = DEFAULT_SPAN) -> Iterator[Event]:
    """`n` published posts (with some reposts) spread over `span` from START, the same for a seed.

    Gaps are exponential with bursts, texts 40-280 characters, authors and hashtags drawn with a
    skew so a few are much more active than the rest, as on a real platform.
    """
    rng = random.Random(seed)
    mean_gap_us = span / timedelta(microseconds=1) / max(n, 1)
    handles = [f"user{i:04d}" for i in range(AUTHORS)]
    tags = [f"tag{i:04d}" for i in range(HASHTAGS)]
    source = Source(path="synthetic", format="synthetic", line=None)
    moment_us = 0.0
    for i in range(n):
        burst = rng.random() < 0.1
        moment_us += rng.expovariate(1.0 / (mean_gap_us * (0.1 if burst else 1.09)))
        author = handles[
            min(int(rng.paretovariate(1.2)) - 1, AUTHORS - 1)
            if rng.random() < 0.5
            else rng.randrange(AUTHORS)
        ]
        hashtags = tuple(
            dict.fromkeys(
                tags[min(int(rng.paretovariate(1.0)) - 1, HASHTAGS - 1)] for _ in range(rng.randrange(3))
            )
        )
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 40))]
        text = " ".join(words)[:270] + "".join(f" #{tag}" for tag in hashtags)
        repost = i > 10 and rng.random() < 0.05
        occurred_at = (START + timedelta(microseconds=int(moment_us))).replace(microsecond=0)
        post = Post(
            platform="twitter",
            id=str(10**17 + i),
            author=Author(handle=author, name=author.title()),
            text=text,
            hashtags=hashtags,
            repost_of=str(10**17 + rng.randrange(i)) if repost else None,
            lang="en",
            source=source,
        )
        kind = Kind.REPOSTED if repost else Kind.PUBLISHED
        yield Event(kind=kind, occurred_at=occurred_at, precision=Precision.SECOND, post=post)


def build_log(n: int, *, seed: int = 0) -> Path:
    """A log of `n` synthetic posts under benchmarks/.data, built once and reused."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"synthetic-{n}-{seed}.log"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.partial")  # builders running at once don't collide
        with Log.open(partial, create=True) as log:
            log.append(generate(n, seed=seed), now=lambda: START + DEFAULT_SPAN)
        partial.rename(path)
    return path


def build_export(n: int, *, seed: int = 0) -> Path:
    """The JSON Lines export of `build_log(n)`, built once and reused."""
    path = DATA / f"synthetic-{n}-{seed}.jsonl"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.partial")
        with Log.open(build_log(n, seed=seed), readonly=True) as log, partial.open("w") as out:
            for entry in log.entries():
                out.write(export_line(entry) + "\n")
        partial.rename(path)
    return path
