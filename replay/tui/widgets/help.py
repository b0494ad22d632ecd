"""The help screen: every key of the player, grouped by what it does, and how the boxes read input."""

from __future__ import annotations

from itertools import zip_longest
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

NOTES = (
    "Moving in time follows Toolong: m/M a minute, o/O an hour, d/D a day, lower case forward.\n"
    "Go to: an ISO date or datetime in UTC (2016-12-12, 2016-12-12T14:30) or +10m, -2h, +1d.\n"
    "Filter: @author, #hashtag or words; every word must match; it searches every post played\n"
    "so far; escape clears it.\n"
    "Click the timeline to go there. Every action is in the command palette too (ctrl+p)."
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
        # Two columns of keys, so that the whole help fits a terminal of 30-odd lines.
        table = Table.grid(padding=(0, 2))
        for _ in range(2):
            table.add_column(style="bold cyan", no_wrap=True)
            table.add_column()
        half = (len(self.rows) + 1) // 2
        for left, right in zip_longest(self.rows[:half], self.rows[half:], fillvalue=("", "")):
            table.add_row(*(Text(cell) for cell in (*left, *right)))
        with VerticalScroll(id="help"):
            yield Static(Text("Keys  (escape closes)", style="bold"), classes="help-title")
            yield Static(table)
            yield Static(Text(NOTES, style="dim"), classes="help-notes")
