"""Every control of the player, driven through Pilot on the demo log with trio's clock held still."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from events.model import EARLIEST_US, LATEST_US, Kind, Precision, to_micros
from events.projection import BEFORE_ALL
from events.query import Query
from events.store import Log
from events.timeline import Recent
from replay.playhead import MAX
from replay.scheduler import Batch
from replay.tui.app import ReplayApp
from replay.tui.driver import Driver, Options
from replay.tui.frame import Frame
from replay.tui.widgets import Feed, HelpScreen, SidePanel, TimeBox, TimelineStrip
from tests.conftest import make_event
from tests.replay.tui.conftest import advance, make_app, settle, started, until

SIZE = (120, 40)
DEC_12 = to_micros(datetime(2016, 12, 12, tzinfo=UTC))
DEC_13 = to_micros(datetime(2016, 12, 13, tzinfo=UTC))


def frame_of(app: ReplayApp) -> Frame:
    assert app.frame is not None
    return app.frame


def shown(widget: Widget) -> bool:
    return widget.display


def trio_running(app: ReplayApp) -> bool:
    return app.guest.running


def header(app: ReplayApp) -> str:
    return str(app.query_one("#header").render())


@pytest.mark.asyncio
async def test_opens_on_the_first_post_of_the_demo(demo_log: Path) -> None:
    """At start the header names the demo, its day, the state, 1x and event 1 of 9; the feed has the post."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        text = header(app)
        for part in ("Aleppo, December 2016", "12 Dec 2016", "playing", "1x", "event 1 of 9"):
            assert part in text
        assert "@AlabedBana" in app.query_one(Feed).text()
        assert "#Aleppo" in str(app.query_one(SidePanel).render())


@pytest.mark.asyncio
async def test_space_pauses_and_the_feed_holds_still(demo_log: Path) -> None:
    """Paused, hours of clock time deliver nothing; space again plays on and posts come."""
    app, clock = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("space")
        await settle(pilot, app)
        assert frame_of(app).paused and "paused" in header(app)
        before, feed = frame_of(app).position, app.query_one(Feed).text()
        await advance(pilot, app, clock, 6 * 3600)
        assert frame_of(app).position == before
        assert app.query_one(Feed).text() == feed
        await pilot.press("space")
        await advance(pilot, app, clock, 4)  # the 3 s gap limit brings the next post
        assert not frame_of(app).paused
        assert frame_of(app).position == before + 1


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("key", "seconds"),
    [
        ("right", 60),
        ("left", -60),
        ("m", 60),
        ("M", -60),
        ("shift+right", 3600),
        ("shift+left", -3600),
        ("o", 3600),
        ("O", -3600),
        ("d", 86400),
        ("D", -86400),
    ],
)
async def test_seek_keys_move_the_playhead(demo_log: Path, key: str, seconds: int) -> None:
    """Arrows, shift+arrows and Toolong's m/M, o/O, d/D move the playhead by a minute, hour or day."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("space", "g", *"2016-12-12T12:00", "enter")
        await settle(pilot, app)
        before = frame_of(app).playhead_us
        await pilot.press(key)
        await settle(pilot, app)
        assert frame_of(app).playhead_us == before + seconds * 1_000_000


@pytest.mark.asyncio
async def test_seek_shows_the_state_at_the_new_time(demo_log: Path) -> None:
    """After a day forward the feed and side panel hold every 12 Dec post, not only those streamed."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("space", "d")
        await settle(pilot, app)
        frame = frame_of(app)
        assert frame.position == 8  # seven posts on 12 Dec and the first of 13 Dec, at midnight
        assert "13 Dec 2016" in header(app)
        assert frame.totals.posts == 8
        assert "@HadiAlabdallah" in app.query_one(Feed).text()


@pytest.mark.asyncio
async def test_step_keys_go_one_post_at_a_time_and_pause(demo_log: Path) -> None:
    """`.` shows exactly the next post and pauses; `,` takes it back."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("full_stop")
        await settle(pilot, app)
        assert frame_of(app).paused and frame_of(app).position == 2
        assert app.query_one(Feed).text().startswith("Bilal Abdul Kareem @BilalKareem")
        await pilot.press("full_stop", "full_stop")
        await settle(pilot, app)
        assert frame_of(app).position == 4
        await pilot.press("comma")
        await settle(pilot, app)
        assert frame_of(app).position == 3 and frame_of(app).paused
        assert "@Mr_Alhamdo" in app.query_one(Feed).text()
        assert "@Rami_Zien" not in app.query_one(Feed).text()


@pytest.mark.asyncio
async def test_speed_ladder(demo_log: Path) -> None:
    """+ and - climb 0.1x ... 10,000x and stop at the ends; = is 1x again."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        seen = []
        for _ in range(16):
            await pilot.press("plus")
            await settle(pilot, app)
            seen.append(frame_of(app).speed)
        assert seen[:4] == [2, 5, 10, 20] and seen[-1] == 10_000 and "10,000x" in header(app)
        await pilot.press("equals_sign")
        await settle(pilot, app)
        assert frame_of(app).speed == 1 and "1x" in header(app)
        for _ in range(5):
            await pilot.press("minus")
        await settle(pilot, app)
        assert frame_of(app).speed == pytest.approx(0.1) and "0.1x" in header(app)


@pytest.mark.asyncio
async def test_max_speed_slows_down_to_the_fastest_rung(demo_log: Path) -> None:
    """A replay opened at max speed shows "max"; - brings it to 10,000x."""
    app, _ = make_app(demo_log, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        assert frame_of(app).speed == MAX and "max" in header(app)
        await pilot.press("minus")
        await settle(pilot, app)
        assert frame_of(app).speed == 10_000


@pytest.mark.asyncio
async def test_end_and_home(demo_log: Path) -> None:
    """End shows all nine posts; home goes back before the first."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("end")
        await settle(pilot, app)
        assert frame_of(app).position == 9 and frame_of(app).totals.posts == 9
        assert "13 Dec 2016" in header(app)
        await pilot.press("home")
        await settle(pilot, app)
        assert frame_of(app).position <= 1
        assert frame_of(app).playhead_us == DEC_12


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["g", "slash"])
async def test_time_box_seeks_to_a_date(demo_log: Path, key: str) -> None:
    """g or / opens the box; an ISO date seeks there and the box closes."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("space", key)
        assert app.query_one(TimeBox).display
        await pilot.press(*"2016-12-13", "enter")
        await settle(pilot, app)
        assert not app.query_one(TimeBox).display
        assert frame_of(app).playhead_us == DEC_13 and frame_of(app).position == 8


@pytest.mark.asyncio
async def test_time_box_takes_an_offset_from_the_playhead(demo_log: Path) -> None:
    """+2h in the box moves the playhead two hours on."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("space")
        await settle(pilot, app)
        before = frame_of(app).playhead_us
        await pilot.press("g", *"+2h", "enter")
        await settle(pilot, app)
        assert frame_of(app).playhead_us == before + 2 * 3600 * 1_000_000


@pytest.mark.asyncio
async def test_time_box_offsets_count_from_the_playhead_when_entered(demo_log: Path) -> None:
    """An offset is taken from where the playhead is on enter, not where it was when the box opened."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("space", "g")
        app.driver.seek(DEC_13)  # the playhead moves while the box is open (a click on the strip)
        await settle(pilot, app)
        await pilot.press(*"+2h", "enter")
        await settle(pilot, app)
        assert frame_of(app).playhead_us == DEC_13 + 2 * 3600 * 1_000_000


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("target", "key", "edge"), [("9999-12-31", "d", LATEST_US), ("0001-01-01", "left", EARLIEST_US)]
)
async def test_seeking_past_the_ends_of_time_stops_there(
    demo_log: Path, target: str, key: str, edge: int
) -> None:
    """A day on from 31 Dec 9999, or a minute back from 1 Jan 0001, stays at that edge of time."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("space", "g", *target, "enter", key)
        await settle(pilot, app)
        assert app.is_running and frame_of(app).playhead_us == edge


@pytest.mark.asyncio
@pytest.mark.parametrize("typed", ["+99999999999w", "+99999999d", "+" + "9" * 40 + "s"])
async def test_time_box_says_an_offset_is_out_of_range(demo_log: Path, typed: str) -> None:
    """An offset beyond what a date holds is an error in words, not Python's."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("space", "g", *typed, "enter")
        await settle(pilot, app)
        assert "out of range" in app.query_one(TimeBox).error


@pytest.mark.asyncio
async def test_time_box_refuses_bad_input_and_changes_nothing(demo_log: Path) -> None:
    """A time it cannot read is shown as an inline error (literally); the playhead stays; escape closes."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("space")
        await settle(pilot, app)
        before = frame_of(app)
        await pilot.press("g", *"[bold]soon", "enter")
        await settle(pilot, app)
        box = app.query_one(TimeBox)
        assert shown(box) and "not a time: '[bold]soon'" in box.error
        assert frame_of(app).playhead_us == before.playhead_us
        assert frame_of(app).position == before.position
        await pilot.press("escape")
        assert not shown(box)
        await pilot.press("space")  # keys reach the player again
        await settle(pilot, app)
        assert not frame_of(app).paused


@pytest.mark.asyncio
async def test_filter_narrows_the_feed_live_and_escape_clears_it(demo_log: Path) -> None:
    """f then #aleppo keeps the three #Aleppo posts; @author and words work too; escape shows all."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("end", "f", *"#aleppo")
        await searched(pilot, app)
        feed = app.query_one(Feed)
        assert [item.seq for item in feed.shown] == [8, 1, 2]
        assert feed.border_subtitle == "3 match"
        await pilot.press("enter")
        assert not app.query_one("#filter-box").display
        assert len(feed.shown) == 3  # enter keeps the filter
        await pilot.press("f")
        app.query_one("#filter-input", Input).value = "@lina"
        await searched(pilot, app)
        assert {item.seq for item in feed.shown} == {6, 9}
        app.query_one("#filter-input", Input).value = "goodbye"
        await searched(pilot, app)
        assert [item.seq for item in feed.shown] == [5]
        await pilot.press("escape")
        await settle(pilot, app)
        assert len(feed.shown) == 9 and not feed.border_subtitle


@pytest.mark.asyncio
async def test_escape_clears_a_kept_filter_after_the_box_is_closed(demo_log: Path) -> None:
    """A filter kept with enter is cleared by escape later, from the player itself."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("end", "f", *"#aleppo", "enter")
        await searched(pilot, app)
        feed = app.query_one(Feed)
        assert len(feed.shown) == 3 and not app.query_one("#filter-box").display
        await pilot.press("escape")
        await settle(pilot, app)
        assert len(feed.shown) == 9 and not feed.border_subtitle


@pytest.mark.asyncio
async def test_a_log_ending_on_the_last_day_of_9999_opens(tmp_path: Path) -> None:
    """A post known to the day 31 Dec 9999: the timeline ends there, not a day past what a date holds."""
    path = tmp_path / "last.log"
    with Log.open(path, create=True) as log:
        log.append(
            [make_event("the last post", at=datetime(9999, 12, 31, tzinfo=UTC), precision=Precision.DAY)]
        )
    app, _ = make_app(path, name="last")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await settle(pilot, app)
        assert app.is_running and "31 Dec 9999" in header(app)


@pytest.mark.asyncio
async def test_a_seek_asked_while_the_log_opens_happens_once_it_is_open(demo_log: Path) -> None:
    """A time entered while the log is still being opened (or indexed) is not dropped."""
    app, _ = make_app(demo_log)
    app.driver.seek(DEC_13)  # before the scheduler exists
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.frame is not None and app.frame.playhead_us >= DEC_13)
        assert frame_of(app).position == 8  # played up to 13 Dec, not from the start


@pytest.mark.asyncio
async def test_a_filter_lays_out_every_match_it_counts(tmp_path: Path) -> None:
    """150 matches: the subtitle says 150 and scrolling reaches the oldest, not only the first 50."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    path = tmp_path / "many.log"
    with Log.open(path, create=True) as log:
        log.append(
            [make_event(f"needle {i}", at=start + timedelta(minutes=i), post_id=str(i)) for i in range(150)]
        )
    app, _ = make_app(path, name="many")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("end", "f", *"needle", "enter")
        await searched(pilot, app)
        feed = app.query_one(Feed)
        assert feed.border_subtitle == "150 match" and len(feed.shown) == 150
        assert "needle 0" in feed.text()


def test_a_search_asked_again_while_playing_keeps_the_answer_shown(tmp_path: Path) -> None:
    """An edit that may make a post match asks for a new search, but the feed keeps its matches
    meanwhile (at 1,000x with many edits it would otherwise never stop saying 'searching')."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    path = tmp_path / "edits.log"
    with Log.open(path, create=True) as log:
        log.append([make_event("plain", at=start, post_id="1")])
        log.append([make_event("a needle", at=start + timedelta(minutes=1), post_id="1", kind=Kind.EDITED)])
        rows = list(log.rows_after(*BEFORE_ALL))
    driver = Driver(path, name="edits", options=Options(), notify=lambda: None)
    driver.query = Query("needle")
    driver.matches = Recent(200, driver.query)
    driver.projection.apply_rows(rows[:1])
    driver._apply(Batch(rows=(rows[1],), position=2, playhead_us=rows[1][3], due=0.0))
    assert driver.matches is not None and driver.searching


@pytest.mark.asyncio
@pytest.mark.parametrize(("keys", "box"), [("fhello", "#filter-input"), ("g+1d", "#time-input")])
async def test_keys_that_arrive_with_the_one_opening_a_box_go_into_it(
    demo_log: Path, keys: str, box: str
) -> None:
    """Typed fast (or pasted), what follows f or g lands in the box, not on the player's keys."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        before = frame_of(app)
        names = {"+": "plus", "-": "minus"}
        for char in keys:  # all queued at once, as one read from the terminal delivers them
            app.post_message(events.Key(names.get(char, char), char))
        await settle(pilot, app)
        assert app.query_one(box, Input).value == keys[1:]
        assert (frame_of(app).speed, frame_of(app).playhead_us) == (before.speed, before.playhead_us)


@pytest.mark.asyncio
async def test_f_g_and_slash_typed_in_a_box_are_text(demo_log: Path) -> None:
    """In the filter box, f, g and / are letters of the query, not the keys that open boxes."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("f", *"gulf/fog")
        await settle(pilot, app)
        assert app.query_one("#filter-input", Input).value == "gulf/fog"
        assert not app.query_one(TimeBox).display
        await pilot.press("enter", "question_mark", "f", "g")  # over the help screen: nothing
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen) and app.is_running


async def searched(pilot: Pilot[Any], app: ReplayApp) -> None:
    """Wait until the log has been searched for the filter as typed, and the feed shows the answer."""
    await until(pilot, lambda: app.driver.matches is not None and not app.driver.searching)
    await settle(pilot, app)


@pytest.fixture(scope="module")
def long_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An early post with a rare word, then 300 posts without it, then one more with it."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    texts = ["the first needle"] + [f"hay {i}" for i in range(300)] + ["the last needle"]
    events = [
        make_event(text, at=start + timedelta(minutes=i), post_id=str(i)) for i, text in enumerate(texts)
    ]
    path = tmp_path_factory.mktemp("long") / "long.log"
    with Log.open(path, create=True) as log:
        log.append(events)
    return path


@pytest.mark.asyncio
async def test_filter_searches_every_post_played_not_only_the_recent_ones(long_log: Path) -> None:
    """At the end of 302 posts, "needle" finds the first post too, long gone from the 200-item timeline."""
    app, clock = make_app(long_log, name="long")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("end", "f", *"needle", "enter")
        await searched(pilot, app)
        feed = app.query_one(Feed)
        assert [item.post().text for item in feed.shown] == ["the last needle", "the first needle"]
        assert feed.border_subtitle == "2 match"
        await pilot.press("home")  # a seek searches again, up to the new playhead: nothing played yet
        await searched(pilot, app)
        assert frame_of(app).position == 0 and feed.shown == []
        await pilot.press("space")
        await advance(pilot, app, clock, 1)  # what plays next is filtered as it comes
        assert [item.post().text for item in feed.shown] == ["the first needle"]


@pytest.mark.asyncio
async def test_an_edit_that_makes_an_older_post_match_brings_it_into_the_filtered_feed(
    tmp_path: Path,
) -> None:
    """Filtering for "needle", a post edited to say it while playing joins the feed in its place."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    path = tmp_path / "edits.log"
    with Log.open(path, create=True) as log:
        log.append(
            [
                make_event("plain words", at=start, post_id="1"),
                make_event("a needle", at=start + timedelta(minutes=1), post_id="2"),
                make_event("a needle now", at=start + timedelta(minutes=2), post_id="1", kind=Kind.EDITED),
            ]
        )
    app, clock = make_app(path, name="edits")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("f", *"needle", "enter")
        await searched(pilot, app)
        assert app.query_one(Feed).shown == []
        for _ in range(3):
            await advance(pilot, app, clock, 4)  # the 3 s gap limit brings each next event
        await searched(pilot, app)
        shown = app.query_one(Feed).shown
        assert [(item.key, item.post().text, item.edited) for item in shown] == [
            ("twitter/2", "a needle", False),
            ("twitter/1", "a needle now", True),
        ]


@pytest.mark.asyncio
async def test_click_on_the_timeline_seeks_there(demo_log: Path) -> None:
    """A click halfway along the strip moves the playhead to the middle of the log's span."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        strip = app.query_one(TimelineStrip)
        timeline = strip.timeline
        assert timeline is not None
        await pilot.press("space")
        column = 7 * (strip.size.width - 1) // 8
        await pilot.click(TimelineStrip, offset=(column, 0))
        await settle(pilot, app)
        expected = timeline.time_at(column / (strip.size.width - 1))
        assert frame_of(app).playhead_us == expected
        assert "13 Dec 2016" in header(app)
        assert frame_of(app).position == 9  # both 13 Dec posts: they play at 00:00 and 12:00


@pytest.mark.asyncio
async def test_help_lists_every_key(demo_log: Path) -> None:
    """? opens the help with every binding and the Toolong scheme; escape closes it."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("question_mark")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(f"{keys} {says}" for keys, says in app.screen.rows)
        for binding in app.BINDINGS:
            assert app.get_key_display(binding) in shown  # type: ignore[arg-type]
        assert "Toolong" in str(app.screen.query(".help-notes").first().render())
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.asyncio
async def test_every_action_is_in_the_command_palette(demo_log: Path) -> None:
    """The palette offers each key's action; choosing "Go to the end" plays to the end."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for wanted in ("Play or pause", "Back 1 minute", "Forward 1 day", "Step to the next post (pauses)"):
            assert wanted in titles
        await pilot.press("ctrl+p", *"Go to the end")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, app)
        assert frame_of(app).position == 9


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_quit_stops_trio(demo_log: Path, key: str) -> None:
    """q and ctrl+c end the app, and trio's run has finished when it has."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        assert trio_running(app)
        await pilot.press(key)
        await pilot.pause(0.1)
    assert not trio_running(app)
    assert app.return_code == 0


@pytest.mark.asyncio
async def test_a_crash_in_trio_reaches_the_test(tmp_path: Path) -> None:
    """A log that cannot be opened fails the run with the error, instead of hanging."""
    from events.errors import LogError

    app, _ = make_app(tmp_path / "missing.log")
    with pytest.raises(LogError):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(2)


@pytest.mark.asyncio
async def test_post_text_is_shown_literally(hostile_log: Path) -> None:
    """Markup and escapes in posts are shown as characters; markers show; the deleted post is gone."""
    app, _ = make_app(hostile_log, name="[b]hostile[/b]")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("end")
        await settle(pilot, app)
        text = app.query_one(Feed).text()
        assert "[bold]not bold[/bold] ␛[31mnot red␛[0m ␛]0;title␇" in text
        assert "[link=https://x.test]x[/link] #Tag @bob" in text
        assert "Alice [red]A[/red]" in text
        assert "\x1b" not in text and "\x07" not in text
        for marker in ("↩ reply", "❝ quote", "⟳ repost", "✎ edited", "⟳ 1"):
            assert marker in text
        assert "a reply, edited" in text and "soon deleted" not in text
        assert (
            "\ufeef\ufeaa\ufeec\ufedf\ufe8d \ufead\ufeee\ufee7 @nour" in text
        )  # نور الهدى, joined, right to left
        assert "[b]hostile[/b]" in header(app)


@pytest.mark.asyncio
async def test_a_narrow_terminal_gives_the_side_panel_s_width_to_the_feed(demo_log: Path) -> None:
    """At 40 columns the side panel steps aside and the feed shows the posts; at 120 both are there."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=(40, 12)) as pilot:
        await started(pilot, app)
        await settle(pilot, app)
        assert not app.query_one(SidePanel).display
        assert app.query_one(Feed).size.width > 30 and "@AlabedBana" in app.query_one(Feed).text()
        await pilot.press("space")  # paused: nothing else would draw the panel again
        await settle(pilot, app)
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.1)
        panel = app.query_one(SidePanel)
        assert panel.display and "…" not in str(panel.render())  # laid out at its new width


@pytest.mark.asyncio
async def test_the_panes_reach_the_right_edge_and_a_long_error_is_not_cut_off(demo_log: Path) -> None:
    """The feed and side panel fill the width; at 80 columns a time-box error wraps into view."""
    app, _ = make_app(demo_log)
    async with app.run_test(size=(80, 30)) as pilot:
        await started(pilot, app)
        side = app.query_one(SidePanel).region
        assert side.x + side.width == 80
        await pilot.press("space", "g", *"+99999999d", "enter")
        await settle(pilot, app)
        error = app.query_one("#time-error")
        message = app.query_one(TimeBox).error
        assert "9999)" in message
        assert (error.size.height - 1) * error.size.width >= len(message)  # every character has room


@pytest.mark.asyncio
async def test_an_empty_log_opens_and_keys_do_no_harm(tmp_path: Path) -> None:
    """A log with no posts shows "no posts", event 0 of 0 and no timeline; every key leaves it standing."""
    from events.store import Log

    path = tmp_path / "empty.log"
    Log.open(path, create=True).close()
    app, _ = make_app(path, name="empty")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.frame is not None and app.frame.loading is None)
        await pilot.press("space", "right", "d", "end", "home", "full_stop", "comma", "plus")
        await settle(pilot, app)
        assert "no posts" in header(app) and "event 0 of 0" in header(app)
        assert app.query_one(Feed).shown == []
        assert app.query_one(TimelineStrip).timeline is None  # no axis labelled 1970
