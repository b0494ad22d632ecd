"""The replay's terminal UI: a thin App that lays out the widgets, maps keys to the driver, paints frames."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import trio
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input

from replay.tui import keys
from replay.tui.driver import DEFAULT_MAX_GAP, FRAME, Driver, Options
from replay.tui.frame import Frame
from replay.tui.guest import TrioGuest
from replay.tui.messages import FilterChanged, SeekTo, StateChanged, TrioExited
from replay.tui.widgets import Feed, FilterBox, HeaderLine, HelpScreen, SidePanel, TimeBox, TimelineStrip

_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


NARROW = 80


class ReplayApp(App[int]):
    """Replays a log: header, timeline strip, feed, side panel, footer; trio runs as a guest."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses elsewhere find it too
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]  # noqa: RUF012 (Textual types it so)
    """Below NARROW columns the side panel gives its width to the feed."""
    TITLE = "replay"
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = list(keys.BINDINGS)

    def __init__(
        self, path: Path, *, name: str, options: Options, clock: trio.abc.Clock | None = None
    ) -> None:
        super().__init__()
        self.driver = Driver(path, name=name, options=options, notify=self._state_changed)
        self.guest = TrioGuest(self.driver.run, clock=clock, on_exit=self._trio_exited)
        self.frame: Frame | None = None
        self._painted = 0.0
        self._booked: Timer | None = None

    def compose(self) -> ComposeResult:
        yield HeaderLine(id="header")
        yield TimelineStrip(id="timeline")
        with Horizontal(id="main"):
            yield Feed(id="feed")
            yield SidePanel(id="side")
        yield TimeBox(id="time-box")
        yield FilterBox(id="filter-box")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Feed).border_title = "Feed"
        self.query_one(SidePanel).border_title = "At the playhead"
        if not self.is_headless:  # a real terminal: ^C from outside, kill and hang-up quit cleanly
            for number in _SIGNALS:
                asyncio.get_running_loop().add_signal_handler(number, self.exit)
        self.guest.start()

    async def on_unmount(self) -> None:
        if not self.is_headless:
            for number in _SIGNALS:
                asyncio.get_running_loop().remove_signal_handler(number)
        await self.guest.stop()

    # -- from trio ---------------------------------------------------------------------------------

    def _state_changed(self) -> None:
        self.post_message(StateChanged())

    def _trio_exited(self, error: BaseException | None) -> None:
        self.post_message(TrioExited(error))

    def on_state_changed(self, _: StateChanged) -> None:
        if not self.is_running:
            return
        wait = self._painted + FRAME - time.monotonic()
        if self.driver.urgent or wait <= 0:
            self.paint()
        elif self._booked is None:
            self._booked = self.set_timer(wait, self.paint)

    def paint(self) -> None:
        """Show the driver's current frame: at once after a command, else at most every FRAME seconds."""
        if self._booked is not None:
            self._booked.stop()
            self._booked = None
        if not self.is_running:
            return
        frame = self.frame = self.driver.frame()
        self._painted = time.monotonic()
        self.query_one(HeaderLine).show(frame)
        strip = self.query_one(TimelineStrip)
        if strip.timeline is None and self.driver.timeline is not None:
            strip.set_timeline(self.driver.timeline)
        strip.move(frame.playhead_us)
        self.query_one(Feed).show(frame.feed, frame.feed_query)
        self.query_one(SidePanel).show(frame)

    def on_trio_exited(self, message: TrioExited) -> None:
        if message.error is not None and not isinstance(message.error, KeyboardInterrupt):
            raise message.error
        self.exit()

    # -- from widgets and keys ---------------------------------------------------------------------

    def on_seek_to(self, message: SeekTo) -> None:
        self.driver.seek(message.virtual_us)

    def on_filter_changed(self, message: FilterChanged) -> None:
        self.query_one(Feed).set_filter(message.query)
        self.driver.search(message.query)

    def action_drive(self, command: str, *args: float) -> None:
        """Give the replay a command (see `Driver.COMMANDS`): the action of most keys."""
        self.driver.command(command, *args)

    def action_go_to(self, key: str = "") -> None:
        if self._typed_in_a_box(key):
            return
        self.query_one(FilterBox).display = False
        self.query_one(TimeBox).open(self.driver.playhead_us)

    def action_filter(self, key: str = "") -> None:
        if self._typed_in_a_box(key):
            return
        self.query_one(TimeBox).display = False
        self.query_one(FilterBox).open()

    def _typed_in_a_box(self, key: str) -> bool:
        """A box's input has the focus: the key is a character typed into it, not a command (and
        over the player, the help screen or the palette, it is not one either)."""
        focused = self.focused
        if key and isinstance(focused, Input):
            focused.insert_text_at_cursor(key)
            return True
        return len(self.screen_stack) > 1

    def action_clear_filter(self) -> None:
        """Show every post again (escape: the box has its own binding while it is open)."""
        self.query_one(FilterBox).action_clear()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(keys.grouped(keys.key_help(self))))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands, then every action of the player."""
        yield from super().get_system_commands(screen)
        yield from keys.palette_commands(self)


def run(
    path: Path,
    *,
    name: str,
    speed: float | None = 1.0,
    since: datetime | None = None,
    until: datetime | None = None,
    max_gap: float | None = None,
) -> int:
    """Open the UI on the log at `path`; returns the exit code once the user quits."""
    gap = DEFAULT_MAX_GAP if max_gap is None else max_gap
    app = ReplayApp(path, name=name, options=Options(speed=speed, since=since, until=until, max_gap=gap))
    app.run()
    return app.return_code or 0
