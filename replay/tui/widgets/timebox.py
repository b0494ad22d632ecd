"""The "go to time" box: an ISO date or datetime, or an offset like +10m or -2h from the playhead."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Label

from events.model import from_micros, to_micros
from replay.timespec import TimeSpecError, parse_target
from replay.tui.messages import SeekTo


class TimeBox(Horizontal):
    """A one-line box: enter seeks there; a time it cannot read shows an error and changes nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.now: Callable[[], int] = lambda: 0

    def compose(self) -> ComposeResult:
        yield Label("Go to", classes="box-label")
        yield Input(placeholder="2016-12-12  2016-12-12T14:30  +10m  -2h", id="time-input")
        yield Label("", id="time-error")

    def open(self, now: Callable[[], int]) -> None:
        """Show the box, empty, for offsets from `now()`: the playhead when enter is pressed."""
        self.now = now
        self.display = True
        self.error = ""
        box = self.query_one(Input)
        box.value = ""
        self.screen.set_focus(box)  # at once: keys on their way go to it

    def close(self) -> None:
        """Hide the box and give the keys back to the player."""
        self.display = False
        self.screen.set_focus(None)

    @property
    def error(self) -> str:
        """The message shown beside the box, empty when there is none."""
        return str(self.query_one("#time-error", Label).content)

    @error.setter
    def error(self, message: str) -> None:
        # Text, not a string: the message quotes what was typed, which may look like markup.
        self.query_one("#time-error", Label).update(Text(message, style="bold red"))

    def action_cancel(self) -> None:
        """Close without seeking."""
        self.close()

    @on(Input.Changed)
    def _typing(self, event: Input.Changed) -> None:
        event.stop()
        self.error = ""

    @on(Input.Submitted)
    def _go(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            moment = parse_target(event.value, from_micros(self.now()))
        except TimeSpecError as exc:
            self.error = str(exc)
            return
        self.post_message(SeekTo(to_micros(moment)))
        self.close()
