"""Mastodon's HTML post content reduced to the plain text its author wrote, with the links it marks.

Rules: `<br>` is a line break, paragraphs (and other blocks) are separated by a blank line, list
items start a line, entities are decoded once, raw newlines in the HTML are spaces (as a browser
shows them) except inside `<pre>`. A link reads as its full text, invisible spans included: Mastodon
hides "https://www." and the tail of long URLs in such spans, so the full text is the href. A link
whose shown text is a shortened form of its href ("example.com/lo…") reads as the href. Anchors whose
text starts with "#" are hashtags and with "@" mentions; the others are links, listed in `urls`.
Scripts and styles are dropped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from attrs import frozen

from events.ingest.listed_entities import unique
from events.ingest.text import unescape

_BLOCKS = frozenset({"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN = frozenset({"script", "style", "template", "head", "title"})
_SPACES = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\f": " "})
_ELLIPSES = ("…", "...")
_TAG = re.compile(r"(<[^>]*>)")
_SIMPLE_TAG = re.compile(r'<(?:/?p|br\s*/?|/a|/span|(?:a|span)(?:\s+[\w:-]+="[^"<>]*")*\s*)>', re.IGNORECASE)
_TAG_NAME = re.compile(r"</?(\w+)")
_HREF = re.compile(r'\shref="([^"]*)"', re.IGNORECASE)


@frozen(kw_only=True)
class Markup:
    """The plain text of an HTML post and what its anchors mark, in order, once each."""

    text: str
    hashtags: tuple[str, ...]
    """Hashtag anchors' text without "#"."""
    mentions: tuple[str, ...]
    """Mention anchors' text without the first "@" ("user" or "user@host" as shown)."""
    urls: tuple[str, ...]
    """The href of every other link."""


def html_to_text(content: str) -> Markup:
    """The plain text and marked entities of Mastodon HTML `content`."""
    pieces = _TAG.split(content)
    simple = all(_SIMPLE_TAG.fullmatch(tag) for tag in pieces[1::2])
    if simple and not any("<" in text for text in pieces[::2]):
        return _reduce_simple(pieces)
    return parse_fully(content)


def parse_fully(content: str) -> Markup:
    """`html_to_text` through the stdlib HTML parser, for markup the fast path does not take."""
    reducer = _Reducer()
    reducer.feed(content)
    reducer.close()
    return reducer.markup()


def _reduce_simple(pieces: list[str]) -> Markup:
    """Drive the reducer as the parser would, over the tags of Mastodon's sanitised HTML.

    Only <p>, <br>, <span> and <a> with double-quoted attributes free of "<" and ">", in text free
    of "<", come here, so a regular expression tokenises them exactly; anything else goes to the
    real parser.
    """
    reducer = _Reducer()
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if piece:
                reducer.handle_data(unescape(piece))
            continue
        name = _TAG_NAME.match(piece).group(1).lower()  # type: ignore[union-attr]
        if name == "span":
            continue  # spans only style text, and all of it is kept
        if piece[1] == "/":
            reducer.handle_endtag(name)
        elif name == "a":
            href = _HREF.search(piece)
            reducer.handle_starttag("a", [("href", unescape(href.group(1)) if href else None)])
        else:
            reducer.handle_starttag(name, [])
    reducer.close()
    return reducer.markup()


def _strip_scheme(url: str) -> str:
    for prefix in ("https://", "http://"):
        if url[: len(prefix)].lower() == prefix:
            url = url[len(prefix) :]
            break
    return url.removeprefix("www.")


def _link_text(shown: str, href: str) -> str:
    """`shown`, unless it is the href with its scheme dropped, or cut short with an ellipsis.

    A word that merely begins the address ("docs" for docs.python.org) is the author's own text.
    """
    core = shown.strip()
    if not href or not core or " " in core:
        return shown
    target = _strip_scheme(href)
    if _strip_scheme(core) == target:
        return href
    for ellipsis in _ELLIPSES:
        if core.endswith(ellipsis):
            cut = _strip_scheme(core.removesuffix(ellipsis))
            return href if cut and target.startswith(cut) else shown
    return shown


class _Reducer(HTMLParser):
    """Collects text with pending line breaks so blocks never leave leading or doubled blank lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._pending = 0  # newlines owed before the next text
        self._hidden = 0
        self._pre = 0
        self._anchor: list[str] | None = None
        self._href = ""
        self._hashtags: list[str] = []
        self._mentions: list[str] = []
        self._urls: list[str] = []

    def markup(self) -> Markup:
        lines = "".join(self._out).split("\n")
        text = "\n".join(line.rstrip() for line in lines).strip()
        return Markup(
            text=text,
            hashtags=unique(self._hashtags),
            mentions=unique(self._mentions),
            urls=unique(self._urls),
        )

    def _emit(self, text: str) -> None:
        if self._anchor is not None:
            self._anchor.append(text)
            return
        if self._pending and self._out:
            self._out.append("\n" * self._pending)
        self._pending = 0
        self._out.append(text)

    def _block(self, newlines: int) -> None:
        self._pending = max(self._pending, newlines)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self._emit("\n")
        elif tag in _BLOCKS:
            self._block(2)
            self._pre += tag == "pre"
        elif tag == "li":
            self._block(1)
        elif tag == "a" and self._anchor is None:
            self._anchor = []
            self._href = next((value or "" for name, value in attrs if name == "href"), "")
        elif tag == "img":
            alt = next((value for name, value in attrs if name == "alt" and value), None)
            if alt:
                self._emit(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HIDDEN:  # <script/> opens nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self._block(2)
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag == "a" and self._anchor is not None:
            self._close_anchor()

    def _close_anchor(self) -> None:
        assert self._anchor is not None
        shown = "".join(self._anchor)
        self._anchor = None
        if shown.startswith("#") and len(shown) > 1:
            self._hashtags.append(shown[1:])
        elif shown.startswith("@") and len(shown) > 1:
            self._mentions.append(shown[1:])
        else:
            shown = _link_text(shown, self._href)
            if self._href.startswith(("http://", "https://")):
                self._urls.append(self._href)
        self._emit(shown)

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if not self._pre:
            data = data.translate(_SPACES)
            if self._anchor is None and (self._pending or not self._out):
                data = data.lstrip(" ")  # source indentation between blocks is not text
                if not data:
                    return
        self._emit(data)

    def close(self) -> None:
        super().close()
        if self._anchor is not None:  # an <a> never closed still shows its text
            self._close_anchor()
