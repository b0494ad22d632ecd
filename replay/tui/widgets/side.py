"""The side panel: the projection at the playhead (trending hashtags, most active authors, totals)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from replay.tui.frame import Frame
from replay.tui.widgets.bidi import base_is_rtl, display_fitted
from replay.tui.widgets.literal import plain

ROWS = 8
HEADING = "bold underline"


def _ranking(title: str, rows: tuple[tuple[str, int], ...], prefix: str, style: str, width: int) -> Text:
    text = Text(end="")
    text.append(title + "\n", HEADING)
    if not rows:
        text.append("  nothing yet\n", "dim")
        return text
    top = max(count for _, count in rows[:ROWS])
    number = max(len(f"{count:,}") for _, count in rows[:ROWS])
    name_width = max(4, width - number - 8)
    for name, count in rows[:ROWS]:
        label = display_fitted(plain(prefix + name, style), base_is_rtl(name), name_width)
        label.pad_right(name_width - label.cell_len)
        bar = "█" * max(1, round(4 * count / top))
        text.append(" ")
        text.append_text(label)
        text.append(f" {bar:<4} ", "grey50")
        text.append(f"{count:>{number},}\n")
    return text


def describe(frame: Frame, width: int = 30) -> Text:
    """The panel's text for `frame`; names and tags are shown literally."""
    totals = frame.totals
    text = Text(end="")
    text.append_text(_ranking(f"Trending · last {frame.trend_window}", frame.trending, "#", "cyan", width))
    text.append("\n")
    text.append_text(_ranking("Most active", frame.authors, "@", "magenta", width))
    text.append("\n")
    text.append("Totals\n", HEADING)
    for label, value in (
        ("posts", totals.posts),
        ("reposts", totals.reposts),
        ("edits", totals.edits),
        ("deleted", totals.deletes),
        ("authors", totals.authors),
        ("hashtags", totals.hashtags),
    ):
        text.append(f" {label:<10}")
        text.append(f"{value:>12,}\n", "bold")
    return text


class SidePanel(Static):
    """The panel to the right of the feed; `show` redraws it when what it says has changed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[object, ...] = ()
        self._frame: Frame | None = None

    def show(self, frame: Frame) -> None:
        """Describe `frame`."""
        self._frame = frame
        key = (frame.trending, frame.authors, frame.totals, frame.trend_window, self.size.width)
        if key != self._shown:
            self._shown = key
            self.update(describe(frame, max(10, self.size.width - 2)), layout=False)  # its size is fixed

    def on_resize(self) -> None:
        """Lay the last frame out again at the new width (shown again after a narrow screen, too)."""
        if self._frame is not None:
            self.show(self._frame)
