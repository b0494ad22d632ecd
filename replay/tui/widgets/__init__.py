"""The widgets of the replay UI, one module each."""

from replay.tui.widgets.feed import Feed
from replay.tui.widgets.filterbox import FilterBox
from replay.tui.widgets.header import HeaderLine
from replay.tui.widgets.help import HelpScreen
from replay.tui.widgets.side import SidePanel
from replay.tui.widgets.timebox import TimeBox
from replay.tui.widgets.timeline import TimelineStrip

__all__ = [
    "Feed",
    "FilterBox",
    "HeaderLine",
    "HelpScreen",
    "SidePanel",
    "TimeBox",
    "TimelineStrip",
]
