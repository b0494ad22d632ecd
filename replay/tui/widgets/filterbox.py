"""The live filter of the feed: what a query means, and the box it is typed in."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Label

from replay.tui.messages import FilterChanged


class FilterBox(Horizontal):
    """A one-line box under the feed: the feed follows what is typed; enter keeps it, escape clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "clear", "Clear filter", show=False)]

    def compose(self) -> ComposeResult:
        yield Label("Filter", classes="box-label")
        yield Input(placeholder="@author  #hashtag  or words", id="filter-input")

    def open(self) -> None:
        """Show the box and put the cursor in it."""
        self.display = True
        self.screen.set_focus(self.query_one(Input))  # at once: keys on their way go to it

    def close(self) -> None:
        """Hide the box; the filter stays as typed."""
        self.display = False
        self.screen.set_focus(None)

    def action_clear(self) -> None:
        """Empty the box, show every post again, and close."""
        self.query_one(Input).value = ""
        self.post_message(FilterChanged(""))
        self.close()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(FilterChanged(event.value))

    @on(Input.Submitted)
    def _kept(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
