"""The help screen: every key of the player, grouped by what it does, and how the boxes read input."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

NOTES = (
    "Moving in time follows Toolong: lower case goes forward and upper case back, "
    "m/M by a minute, o/O by an hour, d/D by a day; ← → move by a minute and shift+← → by an hour.\n"
    "The time box takes an ISO date or datetime in UTC (2016-12-12, 2016-12-12T14:30) "
    "or an offset from the playhead (+10m, -2h, +1d).\n"
    "The filter takes @author, #hashtag or words; every word must match; escape clears it.\n"
    "Click the timeline to go there. Every action is also in the command palette (ctrl+p)."
)


class HelpScreen(ModalScreen[None]):
    """The keys over the player; escape, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for keys, description in self.rows:
            table.add_row(Text(keys), Text(description))
        with VerticalScroll(id="help"):
            yield Static(Text("Keys", style="bold"), classes="help-title")
            yield Static(table)
            yield Static(Text(NOTES, style="dim"), classes="help-notes")
