"""The feed: the visible timeline at the playhead, newest on top, filtered, in a bounded number of rows.

A Line API widget: each item is drawn once per width into strips that are cached, and a repaint
only composes cached strips, so showing a new frame costs little however fast the replay runs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from events.projection import Visible
from replay.tui.widgets import post
from replay.tui.widgets.filterbox import FeedFilter

ROWS = 50
"""At most this many items are laid out; the projection keeps more, the screen shows fewer."""
_CACHED = 4 * ROWS


class Feed(ScrollView, can_focus=False):
    """Posts as they come due, newest first; deleted ones are gone, edited ones show their new text."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: tuple[Visible, ...] = ()
        self.filter = FeedFilter()
        self.shown: list[Visible] = []
        self._lines: list[Strip] = []
        self._cache: OrderedDict[tuple[Visible, int], list[Strip]] = OrderedDict()

    def show(self, items: Sequence[Visible]) -> None:
        """Show `items` (newest first) through the current filter."""
        items = tuple(items)
        if items != self.items:
            self.items = items
            self._layout()

    def set_filter(self, query: str) -> None:
        """Show only the items that `query` matches (see FeedFilter); empty shows them all."""
        feed_filter = FeedFilter(query)
        if feed_filter != self.filter:
            self.filter = feed_filter
            self.scroll_home(animate=False)
            self._layout()

    def on_resize(self) -> None:
        """Lay the items out again at the new width."""
        self._layout()

    def _layout(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        keep = self.filter
        shown = [item for item in self.items if not keep or keep.matches(post.decode(item.body))]
        self.shown = shown[:ROWS]
        lines: list[Strip] = []
        for item in self.shown:
            lines += self._strips(item, width)
        self._lines = lines
        self.border_subtitle = self._subtitle(len(shown))
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def _subtitle(self, matching: int) -> str:
        if not self.filter:
            return ""
        return f"{matching} of {len(self.items)} match"

    def _strips(self, item: Visible, width: int) -> list[Strip]:
        key = (item, width)
        strips = self._cache.get(key)
        if strips is None:
            console = self.app.console
            strips = [_strip(line, console, width) for line in post.render(item, console, width)]
            self._cache[key] = strips
            if len(self._cache) > _CACHED:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return strips

    def render_line(self, y: int) -> Strip:
        """Line `y` of the visible region."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        index = scroll_y + y
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return (
            self._lines[index]
            .crop_extend(scroll_x, scroll_x + width, self.rich_style)
            .apply_style(self.rich_style)
        )

    def text(self) -> str:
        """What the feed shows, as plain text (for tests and the benchmark)."""
        return "\n".join(strip.text.rstrip() for strip in self._lines)


def _strip(line: Text, console: Console, width: int) -> Strip:
    return Strip(list(line.render(console))).adjust_cell_length(width)
