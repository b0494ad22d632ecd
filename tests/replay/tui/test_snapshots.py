"""Snapshots of the player's main states; each is set up paused (or on a still clock) before it is taken.

Update with `.venv/bin/pytest tests/replay/tui --snapshot-update` and look at the SVGs. A browser
(or any SVG renderer) lays out right-to-left text itself, like a bidi terminal does, so these are
taken with REPLAY_BIDI=terminal; the order the feed gives terminals without bidi is tested in
test_text.py and test_app.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from replay.tui.app import ReplayApp
from tests.replay.tui.conftest import make_app, settle, started, until

SIZE = (120, 36)
SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def _bidi_by_the_viewer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave right-to-left text in logical order: the SVG viewer orders it."""
    monkeypatch.setenv("REPLAY_BIDI", "terminal")


def _run_before(app: ReplayApp, *keys: str) -> Callable[[Pilot[Any]], object]:
    async def prepare(pilot: Pilot[Any]) -> None:
        await started(pilot, app)
        for key in keys:
            await pilot.press(key)
        if app.driver.query:  # a filter: the feed shows the log's answer once it has come
            await until(pilot, lambda: app.driver.matches is not None)
        await settle(pilot, app)

    return prepare


def test_start_of_the_demo(snap_compare: SnapCompare, demo_log: Path) -> None:
    """The demo as it opens: the first post, 1x, event 1 of 9, the playhead at the start."""
    app, _ = make_app(demo_log)
    assert snap_compare(app, terminal_size=SIZE, run_before=_run_before(app))


def test_paused_after_a_seek_into_12_december(snap_compare: SnapCompare, demo_log: Path) -> None:
    """Paused at 18:00 on 12 Dec 2016: six posts, the day's trends and authors, the playhead a quarter in."""
    app, _ = make_app(demo_log)
    keys = ("space", "g", *"2016-12-12T18:00", "enter")
    assert snap_compare(app, terminal_size=SIZE, run_before=_run_before(app, *keys))


def test_a_filter_applied(snap_compare: SnapCompare, demo_log: Path) -> None:
    """At the end of the demo with #aleppo typed in the filter box: three posts and "3 match"."""
    app, _ = make_app(demo_log)
    keys = ("end", "f", *"#aleppo")
    assert snap_compare(app, terminal_size=SIZE, run_before=_run_before(app, *keys))


def test_help_screen(snap_compare: SnapCompare, demo_log: Path) -> None:
    """The help screen over the player: every key and the notes on the time box and the filter."""
    app, _ = make_app(demo_log)
    assert snap_compare(app, terminal_size=SIZE, run_before=_run_before(app, "space", "question_mark"))


def test_markup_escapes_and_right_to_left_text(snap_compare: SnapCompare, hostile_log: Path) -> None:
    """Posts with Rich markup, ANSI escapes and Arabic, shown literally, with every marker."""
    app, _ = make_app(hostile_log, name="Awkward posts")
    assert snap_compare(app, terminal_size=SIZE, run_before=_run_before(app, "end"))
