"""Logs and helpers for the UI tests: the demo, a log of awkward posts, and a started app on a fake clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from trio.testing import MockClock

from events import demo
from events.ingest.driver import ingest
from events.model import Author, Event, Kind, Post, Precision, Source
from events.store import Log
from replay.tui.app import ReplayApp
from replay.tui.driver import Options

RECORDED = datetime(2024, 1, 1, tzinfo=UTC)
HOSTILE_START = datetime(2020, 1, 1, 10, 0, tzinfo=UTC)
MARKUP = (
    "[bold]not bold[/bold] \x1b[31mnot red\x1b[0m \x1b]0;title\x07 [link=https://x.test]x[/link] #Tag @bob"
)
ARABIC_NAME = "نور الهدى"
ARABIC_TEXT = "مرحبا بالعالم من حلب"


@pytest.fixture(autouse=True)
def _bidi_by_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Right-to-left text is ordered by the feed, whatever terminal runs the tests."""
    monkeypatch.setenv("REPLAY_BIDI", "on")


@pytest.fixture(scope="session")
def demo_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in demo (the three Aleppo articles) as a log of its own."""
    path = tmp_path_factory.mktemp("demo") / "demo.log"
    with Log.open(path, create=True) as log:
        ingest(log, [str(p) for p in demo.documents()], format_name="article", names=demo.names())
    return path


def _post(post_id: str, handle: str, text: str, *, name: str | None = None, **fields: Any) -> Post:
    source = Source(path="hostile", format="test", line=int(post_id))
    author = Author(handle=handle, name=name)
    return Post(platform="twitter", id=post_id, author=author, text=text, source=source, **fields)


def hostile_events() -> list[Event]:
    """Posts that try to style the screen, right-to-left text, and every marker the feed shows."""
    posts = [
        (
            Kind.PUBLISHED,
            _post("1", "alice", MARKUP, name="Alice [red]A[/red]", hashtags=("Tag",), mentions=("bob",)),
        ),
        (Kind.PUBLISHED, _post("2", "nour", ARABIC_TEXT, name=ARABIC_NAME, hashtags=("حلب",))),
        (Kind.PUBLISHED, _post("3", "bob", "a reply", reply_to="1")),
        (
            Kind.PUBLISHED,
            _post("4", "carol", "a quote https://t.co/abc", quote_of="1", urls=("https://t.co/abc",)),
        ),
        (Kind.REPOSTED, _post("5", "dave", "RT @alice", repost_of="1", mentions=("alice",))),
        (Kind.EDITED, _post("3", "bob", "a reply, edited", reply_to="1")),
        (Kind.PUBLISHED, _post("7", "erin", "soon deleted")),
        (Kind.DELETED, _post("7", "erin", "")),
    ]
    return [
        Event(
            kind=kind, occurred_at=HOSTILE_START + timedelta(minutes=i), precision=Precision.SECOND, post=post
        )
        for i, (kind, post) in enumerate(posts)
    ]


@pytest.fixture(scope="session")
def hostile_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A log of posts with markup, escapes, Arabic, replies, quotes, a repost, an edit and a delete."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.log"
    with Log.open(path, create=True) as log:
        log.append(hostile_events(), now=lambda: RECORDED)
    return path


def make_app(path: Path, name: str = demo.NAME, **options: Any) -> tuple[ReplayApp, MockClock]:
    """An app on `path` whose trio clock stands still until the test jumps it."""
    clock = MockClock(rate=0)
    return ReplayApp(path, name=name, options=Options(**options), clock=clock), clock


async def until(pilot: Pilot[Any], ready: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app and trio run until `ready()` holds (fails after `timeout` seconds)."""
    for _ in range(int(timeout / 0.01)):
        if ready():
            return
        await pilot.pause(0.01)
    raise AssertionError("the UI did not reach the expected state in time")


async def started(pilot: Pilot[Any], app: ReplayApp) -> None:
    """Wait until the replay is loaded and has shown its first frame with the first post."""
    await until(
        pilot, lambda: app.frame is not None and app.frame.loading is None and app.frame.position >= 1
    )


async def advance(pilot: Pilot[Any], app: ReplayApp, clock: MockClock, seconds: float) -> None:
    """Move the fake clock on by `seconds` and let trio and the UI catch up."""
    clock.jump(seconds)
    app.driver.wake()
    await settle(pilot, app)


async def settle(pilot: Pilot[Any], app: ReplayApp) -> None:
    """Let trio deliver what is due and the app paint it (the screen is still for a while after)."""
    for _ in range(3):
        await pilot.pause(0.05)
        app.paint()


Step = Callable[[Pilot[Any]], Awaitable[None]]
