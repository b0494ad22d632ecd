"""The timeline strip: post density over the whole log, the played part, the playhead; a click seeks."""

from __future__ import annotations

from datetime import timedelta

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.widget import Widget

from events.model import Precision, from_micros
from replay.tui.frame import Timeline
from replay.tui.messages import SeekTo

BARS = " ▁▂▃▄▅▆▇█"
PLAYED = Style(color="cyan")
AHEAD = Style(color="grey50")
PLAYHEAD = Style(color="black", bgcolor="yellow", bold=True)
LABEL = Style(color="grey70")
MARK = Style(color="yellow", bold=True)


def bars(values: list[float]) -> str:
    """One block per value: empty columns lowest, the others scaled from the quietest to the busiest.

    Scaling from the quietest column rather than from zero shows the shape of a busy log, whose
    columns would otherwise all be nearly full.
    """
    busy = [value for value in values if value > 0]
    if not busy:
        return "▁" * len(values)
    low, high = min(busy), max(busy)
    levels = len(BARS) - 3  # " " unused, ▁ for nothing; ▂ .. █ from the quietest to the busiest
    span = high - low
    return "".join(
        BARS[2 + (round(levels * (value - low) / span) if span else levels)] if value > 0 else "▁"
        for value in values
    )


def label_precision(timeline: Timeline) -> Precision:
    """Days for a long log, minutes for a short one."""
    span = timedelta(microseconds=timeline.end_us - timeline.origin_us)
    return Precision.DAY if span >= timedelta(days=2) else Precision.MINUTE


class TimelineStrip(Widget):
    """Two lines: the density sparkline, coloured up to the playhead, and an axis with a marker."""

    DEFAULT_CSS = "TimelineStrip { height: 2; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline: Timeline | None = None
        self.playhead_us = 0
        self._bars = ""

    def set_timeline(self, timeline: Timeline) -> None:
        """The log's extent and density; drawn again at every width."""
        self.timeline = timeline
        self._bars = ""
        self.refresh()

    def move(self, playhead_us: int) -> None:
        """Put the playhead at `playhead_us`; repaints only when it moves by a column."""
        if self.timeline is None or self._column(playhead_us) != self._column(self.playhead_us):
            self.refresh()
        self.playhead_us = playhead_us

    def on_resize(self) -> None:
        """Resample the density at the new width."""
        self._bars = ""

    def _column(self, virtual_us: int) -> int:
        width = max(1, self.size.width)
        if self.timeline is None:
            return 0
        return min(width - 1, int(self.timeline.fraction(virtual_us) * width))

    def render_line(self, y: int) -> Strip:
        """The sparkline (y = 0) or the axis (y = 1)."""
        width = self.size.width
        if self.timeline is None or width <= 0:
            return Strip.blank(width, self.rich_style)
        column = self._column(self.playhead_us)
        if y == 0:
            if len(self._bars) != width:
                self._bars = bars(self.timeline.density(width))
            segments = [
                Segment(self._bars[:column], PLAYED),
                Segment(self._bars[column], PLAYHEAD),
                Segment(self._bars[column + 1 :], AHEAD),
            ]
        elif y == 1:
            segments = self._axis(width, column)
        else:
            return Strip.blank(width, self.rich_style)
        return Strip(segments).adjust_cell_length(width, self.rich_style).apply_style(self.rich_style)

    def _axis(self, width: int, column: int) -> list[Segment]:
        assert self.timeline is not None
        precision = label_precision(self.timeline)
        start = precision.format(from_micros(self.timeline.origin_us))
        end = precision.format(from_micros(self.timeline.end_us))
        cells = [" "] * width
        # A label the marker would cut through is left out; the header says the time anyway.
        if len(start) + len(end) + 2 <= width:
            if column > len(start):
                cells[: len(start)] = start
            if column < width - len(end) - 1:
                cells[width - len(end) :] = end
        left, right = "".join(cells[:column]), "".join(cells[column + 1 :])
        return [Segment(left, LABEL), Segment("▲", MARK), Segment(right, LABEL)]

    def on_click(self, event: events.Click) -> None:
        """Seek to the time under the mouse."""
        if self.timeline is None or self.size.width <= 1:
            return
        fraction = event.x / (self.size.width - 1)
        self.post_message(SeekTo(self.timeline.time_at(fraction)))
