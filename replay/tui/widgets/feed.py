"""The feed: the visible timeline at the playhead, newest on top, filtered, in a bounded number of rows.

A filter shows at once what it matches among the items it has; the driver then searches the whole
log up to the playhead and hands over the newest matches, which the feed then shows instead.

A Line API widget: each item is drawn once per width into strips that are cached, and a repaint
only composes cached strips, so showing a new frame costs little however fast the replay runs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from events.query import Query
from events.timeline import Visible
from replay.tui.frame import FEED_ITEMS
from replay.tui.widgets import post

ROWS = 50
"""At most this many items are laid out; the projection keeps more, the screen shows fewer."""
_CACHED = 4 * ROWS
_LINES_PER_ITEM = 4


class Feed(ScrollView, can_focus=False):
    """Posts as they come due, newest first; deleted ones are gone, edited ones show their new text."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: tuple[Visible, ...] = ()
        self.searched = Query()
        """What `items` were searched for in the whole log (an empty query: they are the timeline)."""
        self.filter = Query()
        self.shown: list[Visible] = []
        self._lines: list[Strip] = []
        self._laid_out = 0  # items of `shown` whose lines are in `_lines`
        self._width = 0
        self._style = Style()
        self._cache: OrderedDict[tuple[Visible, int], list[Strip]] = OrderedDict()

    def show(self, items: Sequence[Visible], searched: str = "") -> None:
        """Show `items` (newest first) through the current filter; `searched` is the query they
        were searched for in the whole log, "" when they are the visible timeline."""
        items, query = tuple(items), Query(searched)
        if items != self.items or query != self.searched:
            self.items, self.searched = items, query
            self._layout()

    def set_filter(self, query: str) -> None:
        """Show only the items that `query` matches (see events.query.Query); empty shows them all."""
        new = Query(query)
        if new != self.filter:
            self.filter = new
            self.scroll_home(animate=False)
            self._layout()

    def on_resize(self) -> None:
        """Lay the items out again at the new width."""
        self._layout()

    def _layout(self) -> None:
        # Only the items that reach the bottom of the window are drawn now; the rest when scrolled
        # to. At 10,000x most items are replaced before anyone could scroll down to them.
        self._width = self.scrollable_content_region.width
        if self._width <= 0:
            return
        keep = self.filter
        shown = [item for item in self.items if not keep or keep.matches(post.decode(item.body))]
        self.shown = shown if self.filter else shown[:ROWS]  # every match can be scrolled to
        self._style = self.rich_style  # worked out from the CSS: once per layout, not per item
        self._lines, self._laid_out = [], 0
        self._lay_out_to(self.scroll_offset.y + self.size.height)
        subtitle = self._subtitle(len(shown))
        if subtitle != self.border_subtitle:
            self.border_subtitle = subtitle
        self._size_to_fit()
        self.refresh()

    def _subtitle(self, matching: int) -> str:
        if not self.filter:
            return ""
        if self.searched != self.filter:
            return f"{matching} of {len(self.items)} recent match; searching…"
        return f"{matching} match" if matching < FEED_ITEMS else f"the newest {FEED_ITEMS} that match"

    def _lay_out_to(self, line: int) -> None:
        while len(self._lines) < line and self._laid_out < len(self.shown):
            self._lines += self._strips(self.shown[self._laid_out], self._width)
            self._laid_out += 1

    def _size_to_fit(self) -> None:
        # Until every item is drawn, the height is an estimate that depends only on how many items
        # there are (ROWS while a replay runs), so it stays put from frame to frame: a change of
        # virtual size costs a layout of the whole screen.
        height = len(self._lines)
        if self._laid_out < len(self.shown):
            height = max(height, _LINES_PER_ITEM * len(self.shown))
        self.virtual_size = Size(self._width, height)

    def _strips(self, item: Visible, width: int) -> list[Strip]:
        key = (item, width)
        strips = self._cache.get(key)
        if strips is None:
            console, style = self.app.console, self._style
            strips = [
                Strip(list(line.render(console))).adjust_cell_length(width, style).apply_style(style)
                for line in post.render(item, console, width)
            ]
            self._cache[key] = strips
            if len(self._cache) > _CACHED:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return strips

    def notify_style_update(self) -> None:
        """The theme or the styles changed: the strips drawn in the old style go."""
        super().notify_style_update()
        self._cache.clear()
        self._layout()

    def render_line(self, y: int) -> Strip:
        """Line `y` of the visible region (already styled and as wide as the feed)."""
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        if index >= len(self._lines) and self._laid_out < len(self.shown):
            self._lay_out_to(index + self.size.height)
            self._size_to_fit()
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        line = self._lines[index]
        return line if scroll_x == 0 else line.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def text(self) -> str:
        """Every item shown, laid out, as plain text (for tests and the benchmark)."""
        self._lay_out_to(2**31)
        return "\n".join(strip.text.rstrip() for strip in self._lines).rstrip("\n") + "\n"
