"""The header line: dataset, playhead time, play state, speed, and position in the log."""

from __future__ import annotations

import math

from rich.text import Text
from textual.widgets import Static

from replay.tui.frame import Frame
from replay.tui.widgets.literal import plain


def format_speed(speed: float) -> str:
    """A speed as people read it: "0.1x", "60x", "10,000x", "max"."""
    if math.isinf(speed):
        return "max"
    if speed >= 1 and speed == int(speed):
        return f"{int(speed):,}x"
    return f"{speed:g}x"


def state(frame: Frame) -> tuple[str, str]:
    """The play state's label and style."""
    if frame.ended:
        return "■ ended", "bold red"
    if frame.paused:
        return "❚❚ paused", "bold yellow"
    return "▶ playing", "bold green"


def describe(frame: Frame) -> Text:
    """The header's text for `frame`; the dataset's name is shown literally."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(" ")
    text.append_text(plain(frame.name, "bold"))
    if frame.loading is not None:
        text.append("  │  ", "dim")
        text.append(f"… {frame.loading}", "bold yellow")
        return text
    label, style = state(frame)
    for part, part_style in (
        (frame.time_text, "bold"),
        (label, style),
        (format_speed(frame.speed), "bold cyan"),
        (f"event {frame.position:,} of {frame.total:,}", ""),
    ):
        text.append("  │  ", "dim")
        text.append(part, part_style)
    return text


class HeaderLine(Static):
    """One line at the top of the screen; `show` replaces it."""

    def show(self, frame: Frame) -> None:
        """Describe `frame`."""
        self.update(describe(frame), layout=False)  # one line, always
