"""The player's keys: one list that the footer, the help screen and the command palette all read.

Moving in time follows Toolong's scheme (m/o/d for a minute, an hour, a day; lower case forward,
upper case back), beside the arrows. Descriptions are short for the footer; the tooltip is what
the help screen and the command palette say.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding

_MINUTE, _HOUR, _DAY = 60, 3600, 86400
_GO_TO = "Go to a time (ISO date or datetime, +10m, -2h)"
_FILTER = "Filter the feed by @author, #hashtag or words"

BINDINGS = [
    Binding("space", "drive('toggle')", "Play/Pause", tooltip="Play or pause"),
    Binding("left", f"drive('seek_by', {-_MINUTE})", "-1m", tooltip="Back 1 minute"),
    Binding("right", f"drive('seek_by', {_MINUTE})", "+1m", tooltip="Forward 1 minute"),
    Binding("shift+left", f"drive('seek_by', {-_HOUR})", "-1h", show=False, tooltip="Back 1 hour"),
    Binding("shift+right", f"drive('seek_by', {_HOUR})", "+1h", show=False, tooltip="Forward 1 hour"),
    Binding("m", f"drive('seek_by', {_MINUTE})", "+1m", show=False, tooltip="Forward 1 minute"),
    Binding("M", f"drive('seek_by', {-_MINUTE})", "-1m", show=False, tooltip="Back 1 minute"),
    Binding("o", f"drive('seek_by', {_HOUR})", "+1h", show=False, tooltip="Forward 1 hour"),
    Binding("O", f"drive('seek_by', {-_HOUR})", "-1h", show=False, tooltip="Back 1 hour"),
    Binding("D", f"drive('seek_by', {-_DAY})", "-1d", show=False, tooltip="Back 1 day"),
    Binding("d", f"drive('seek_by', {_DAY})", "+1d", show=False, tooltip="Forward 1 day"),
    Binding("full_stop", "drive('step_forward')", "Next", tooltip="Step to the next post (pauses)"),
    Binding("comma", "drive('step_back')", "Prev", tooltip="Step back to the previous post (pauses)"),
    Binding("plus", "drive('faster')", "Faster", tooltip="Faster (0.1x … 10,000x)"),
    Binding("minus", "drive('slower')", "Slower", tooltip="Slower (0.1x … 10,000x)"),
    Binding("equals_sign", "drive('set_speed', 1.0)", "1x", show=False, tooltip="Back to 1x speed"),
    Binding("home", "drive('start')", "Start", show=False, tooltip="Go to the start"),
    Binding("end", "drive('end')", "End", show=False, tooltip="Go to the end"),
    # Priority, so the box has the focus before keys that came with these are handed on; typed
    # in a box, they are text (see ReplayApp._typed_in_a_box).
    Binding("g", "go_to('g')", "Go to", priority=True, tooltip=_GO_TO),
    Binding("slash", "go_to('/')", "Go to", show=False, priority=True, tooltip=_GO_TO),
    Binding("f", "filter('f')", "Filter", priority=True, tooltip=_FILTER),
    Binding("escape", "clear_filter", "Clear filter", show=False, tooltip="Clear the filter"),
    Binding("question_mark", "help", "Help", tooltip="Show every key"),
    Binding("q", "quit", "Quit", tooltip="Quit"),
    Binding("ctrl+c", "quit", "Quit", show=False, priority=True, tooltip="Quit"),
]


def says(binding: Binding) -> str:
    """What a binding does, in a few words."""
    return binding.tooltip or binding.description or binding.action


def key_help(app: App[Any]) -> list[tuple[str, str]]:
    """(key as shown, what it does) for every binding, in order."""
    return [(app.get_key_display(binding), says(binding)) for binding in BINDINGS]


def grouped(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(keys, what they do): keys that do the same thing share a row, in first-seen order."""
    rows: dict[str, list[str]] = {}
    for key, description in pairs:
        keys = rows.setdefault(description, [])
        if key not in keys:
            keys.append(key)
    return [("  ".join(keys), description) for description, keys in rows.items()]


def palette_commands(app: App[Any]) -> Iterable[SystemCommand]:
    """One command palette entry per thing a key does, naming its keys (quit is Textual's own)."""
    actions = {says(binding): binding.action for binding in BINDINGS}
    for keys, description in grouped(key_help(app)):
        if actions[description] != "quit":
            yield SystemCommand(description, f"key: {keys}", partial(app.run_action, actions[description]))
