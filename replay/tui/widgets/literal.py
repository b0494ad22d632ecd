"""Post text as data: control characters made visible, entities styled by spans, never markup.

A post may contain "[bold]", "\\x1b[31m" or a right-to-left override; none of it may style the
screen or move the cursor. Text here is built with `rich.text.Text(...)` and `stylize` only, so
Rich never parses it as markup, and every character that a terminal would act on is replaced by a
visible stand-in before it reaches a `Text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.style import Style
from rich.text import Text

ESCAPE = "\N{SYMBOL FOR ESCAPE}"
"""What an ESC character (the start of every ANSI sequence) shows as."""
UNKNOWN = "\N{REPLACEMENT CHARACTER}"

# Directional formatting characters reorder what follows them on a terminal that does bidi; the
# feed puts right-to-left text in display order itself (see bidi.py), so they are dropped.
_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _control_table() -> dict[int, str]:
    table: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ ␁ ... ␟
    table[0x1B] = ESCAPE
    table[0x09] = " "
    table[0x0A] = "\n"
    table[0x7F] = "\N{SYMBOL FOR DELETE}"
    table.update(dict.fromkeys(range(128, 160), UNKNOWN))  # C1 controls, CSI among them
    table.update({ord(char): "" for char in _BIDI_CONTROLS})
    return table


_TABLE = _control_table()
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def visible(text: str) -> str:
    """`text` with every control character replaced by a visible stand-in; line breaks become "\\n"."""
    return _NEWLINES.sub("\n", text).translate(_TABLE)


HASHTAG = Style(color="cyan", bold=True)
MENTION = Style(color="magenta", bold=True)
LINK = Style(color="blue", underline=True)


def _spans(text: str, needles: Iterable[str], style: Style) -> Iterable[tuple[int, int, Style]]:
    folded = text.casefold()
    for entity in needles:
        needle = visible(entity).casefold()
        if not needle:
            continue
        # casefold keeps the length of most text; where it does not, the offsets would be wrong.
        haystack = folded if len(folded) == len(text) else text
        start = haystack.find(needle)
        while start != -1:
            end = start + len(needle)
            # "#Aleppo" must not light up inside "#AleppoNow": a tag ends where word characters do.
            if not (end < len(text) and (text[end].isalnum() or text[end] == "_")):
                yield start, end, style
            start = haystack.find(needle, end)


def post_text(
    text: str, *, hashtags: Iterable[str] = (), mentions: Iterable[str] = (), urls: Iterable[str] = ()
) -> Text:
    """The body of a post as a Text: literal characters, with hashtags, mentions and links styled.

    The entities are the post's own (what the importer found), located in the text by search:
    the styling comes from data, and nothing in the text itself can add any.
    """
    shown = visible(text)
    result = Text(shown)
    for start, end, style in (
        *_spans(shown, (f"#{tag}" for tag in hashtags), HASHTAG),
        *_spans(shown, (f"@{handle}" for handle in mentions), MENTION),
        *_spans(shown, urls, LINK),
    ):
        result.stylize(style, start, end)
    return result


def plain(text: str, style: Style | str = "") -> Text:
    """Any other string from a post (a display name, a handle) as literal, visible Text."""
    return Text(visible(text), style=style)
