"""How one item of the feed is drawn: who and when, markers, then the text, wrapped to a width."""

from __future__ import annotations

from functools import lru_cache

from rich.console import Console
from rich.style import Style
from rich.text import Text

from events.codec import post_from_body
from events.model import Kind, Post
from events.timeline import Visible
from replay.tui.widgets.bidi import base_is_rtl, display_fitted, display_line
from replay.tui.widgets.literal import plain, post_text

INDENT = 2
NAME = Style(bold=True)
HANDLE = Style(color="bright_black")
TIME = Style(color="bright_black")
MARKER = Style(color="yellow")
REPOST = Style(color="green")


@lru_cache(maxsize=4096)
def decode(body: str) -> Post:
    """The post a stored body holds, decoded once however often it is drawn or filtered."""
    return post_from_body(body)


def markers(item: Visible, post: Post) -> list[tuple[str, Style]]:
    """The small labels after the time: reply, quote, repost, edited, and how often reposted."""
    found: list[tuple[str, Style]] = []
    if item.kind is Kind.REPOSTED:
        found.append(("⟳ repost", REPOST))
    if post.reply_to is not None:
        found.append(("↩ reply", MARKER))
    if post.quote_of is not None:
        found.append(("❝ quote", MARKER))
    if item.edited:
        found.append(("✎ edited", MARKER))
    if item.reposts:
        found.append((f"⟳ {item.reposts}", REPOST))
    return found


def byline(item: Visible, post: Post, width: int) -> Text:
    """Display name, @handle, time at its real precision, then the markers; all of it literal.

    When the line is too long the display name gives way first, then the rest is cut.
    """
    author = post.author
    tail = Text(no_wrap=True, end="")
    tail.append_text(plain(f"@{author.handle}", HANDLE if author.name else NAME))
    tail.append(" · ", TIME)
    tail.append(item.describe_time(), TIME)
    for label, style in markers(item, post):
        tail.append("  ")
        tail.append(label, style)
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    if author.name is not None:
        # The name keeps its own direction, as a web page's dir="auto" would give it.
        room = width - tail.cell_len - 1
        if room >= 4:
            line.append_text(display_fitted(plain(author.name, NAME), base_is_rtl(author.name), room))
            line.append(" ")
    line.append_text(tail)
    line.truncate(width, overflow="ellipsis")
    return line


def body(post: Post) -> Text:
    """The post's text with its hashtags, mentions and links styled."""
    return post_text(post.text, hashtags=post.hashtags, mentions=post.mentions, urls=post.urls)


def wrap(text: Text, console: Console, width: int) -> list[Text]:
    """`text` wrapped to `width`, each paragraph in its own direction, lines in display order."""
    lines: list[Text] = []
    for paragraph in text.split("\n", allow_blank=True):
        rtl = base_is_rtl(paragraph.plain)
        # Lines come back padded to `width`; in a right-to-left paragraph the padding moves to
        # the left with the rest of the line (rule L1), so the text is aligned on the right.
        for line in paragraph.wrap(console, max(1, width), justify="left", overflow="fold"):
            lines.append(display_line(line, rtl))
    return lines


def render(item: Visible, console: Console, width: int) -> list[Text]:
    """The lines of one feed item at `width` cells: the byline, the indented text, a blank line."""
    post = decode(item.body)
    lines = [byline(item, post, width)]
    for line in wrap(body(post), console, width - INDENT):
        lines.append(Text(" " * INDENT, end="") + line)
    lines.append(Text(""))
    return lines
