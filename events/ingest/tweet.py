"""What every Twitter form shares: ids, times, authors, and the rule that turns a tweet's text into what
its author wrote.

The text rule, the same for API v1.1 (compat and extended), API v2 and the personal archive, so that one
tweet read in any of them gives the same text:

- leading "@handle" reply mentions are kept: compat `text`, v2 `text` and the archive's `full_text` all
  hold them, and only v1.1's extended mode hides them with `display_text_range`;
- links Twitter appends after what the author typed are dropped from the end of the text: attached
  photos and videos, the link to the quoted tweet, and the "read more" link of a truncated text
  (`…/i/web/status/…`); they are what `display_text_range` leaves out, and the quote stays in `quote_of`;
- HTML entities are decoded once; every other t.co link becomes its `expanded_url`, in the text and in
  `urls`;
- hashtags and mentions come from the entities, kept only when they occur in the final text (entities
  of a cut-off tail, or entities that do not match the text, are left out).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from events.ingest.text import find_entities, find_urls, parse_twitter_time, unescape
from events.model import Author, Post, Source

PLATFORM = "twitter"
UNKNOWN_AUTHOR = Author(handle="unknown")

_LINK = re.compile(r"https?://t\.co/\w+|https?://[^\s<>\"]+")
_MEDIA_PATH = re.compile(r"/status/\d+/(?:photo|video)/\d+$")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
# Twitter's own language codes that say there is no language to name.
_NO_LANGUAGE = frozenset({"und", ""})


class Malformed(ValueError):
    """A tweet record that cannot be read; the message says which field and why, in one line."""


class Content(NamedTuple):
    """What a tweet says: its text as written, its entities, and its language."""

    text: str
    hashtags: tuple[str, ...]
    mentions: tuple[str, ...]
    urls: tuple[str, ...]
    lang: str | None

    def post(
        self,
        *,
        id: str,
        author: Author,
        source: Source,
        reply_to: str | None = None,
        quote_of: str | None = None,
        repost_of: str | None = None,
    ) -> Post:
        """The tweet `id` by `author` saying this (a repost carries what the original says)."""
        return Post(
            platform=PLATFORM,
            id=id,
            author=author,
            text=self.text,
            hashtags=self.hashtags,
            mentions=self.mentions,
            urls=self.urls,
            reply_to=reply_to,
            quote_of=quote_of,
            repost_of=repost_of,
            lang=self.lang,
            source=source,
        )


def native_id(value: Any, what: str) -> str:
    """A tweet or user id as its decimal string, from a string or an integer; Malformed otherwise."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    raise Malformed(f"{what} is not an id: {value!r}")


def optional_id(record: Mapping[str, Any], *keys: str) -> str | None:
    """The first of `keys` that holds an id (the `_str` spelling first), or None when none does."""
    for key in keys:
        value = record.get(key)
        if value is not None and value != "":
            return native_id(value, key)
    return None


def twitter_time(text: Any) -> datetime:
    """Twitter's created_at ("Wed Oct 10 20:19:24 +0000 2018") as UTC; Malformed when it is not one."""
    if not isinstance(text, str):
        raise Malformed(f"created_at is not a Twitter time: {text!r}")
    parts = text.split(" ")
    # Nearly every created_at is in UTC: build it directly rather than through email.utils.
    if len(parts) == 6 and parts[4] == "+0000" and parts[1] in _MONTHS:
        clock = parts[3].split(":")
        try:
            if len(clock) == 3:
                return datetime(
                    int(parts[5]),
                    _MONTHS[parts[1]],
                    int(parts[2]),
                    int(clock[0]),
                    int(clock[1]),
                    int(clock[2]),
                    tzinfo=UTC,
                )
        except ValueError:
            pass
    try:
        return parse_twitter_time(text)
    except ValueError as exc:
        raise Malformed(str(exc)) from None


def language(value: Any) -> str | None:
    """The tweet's language code, or None when Twitter says it could not tell ("und")."""
    return value if isinstance(value, str) and value not in _NO_LANGUAGE else None


def author_from_user(user: Any, user_id: Any = None) -> Author:
    """The author from a v1.1 user object or a v2 user, else from a bare user id, else "unknown"."""
    if isinstance(user, dict):
        handle = user.get("screen_name") or user.get("username")
        if isinstance(handle, str) and handle:
            name = user.get("name")
            return Author(handle=handle, name=name if isinstance(name, str) and name else None)
        user_id = user_id or user.get("id_str") or user.get("id")
    if user_id is not None and user_id != "":
        return Author(handle=f"id:{native_id(user_id, 'user id')}")
    return UNKNOWN_AUTHOR


def is_appended(expanded: str, quoted_id: str | None) -> bool:
    """True for a link Twitter adds after the typed text: media, the quoted tweet, "read more"."""
    return (
        "/i/web/status/" in expanded
        or _MEDIA_PATH.search(expanded) is not None
        or (quoted_id is not None and f"/status/{quoted_id}" in expanded)
    )


def compose(
    text: str, links: Mapping[str, str], appended: Collection[str], end: int | None = None
) -> tuple[str, tuple[str, ...]]:
    """The text as written, and its links in order, once each.

    `text` is Twitter's (HTML-escaped) text; `end` cuts it at a display range's end, counted in code
    points of the escaped text as Twitter counts them; `appended` are t.co links to drop from its end;
    `links` maps t.co links to their expansion.
    """
    if end is not None and 0 < end < len(text):
        text = text[:end]
    if appended:
        text = _drop_trailing(text, appended)
    # t.co links hold no "&", so decoding before expanding leaves them intact and never touches
    # an expanded URL (whose "&" are the URL's own).
    text = unescape(text)
    links_in_text = text.count("://")
    if not links_in_text:
        return text, ()
    # Usually every link in the text is a t.co link with its expansion, each once: replace them
    # in place. Anything else (a link twice, an unexpanded or unwrapped link) takes the slow path.
    found = sorted((text.find(short), short) for short in links if short in text)
    if len(found) == links_in_text and all(text.count(short) == 1 for _, short in found):
        for _, short in found:
            text = text.replace(short, links[short])
        return text, tuple(dict.fromkeys(links[short] for _, short in found))
    urls: list[str] = []

    def expand(match: re.Match[str]) -> str:
        link = match.group(0)
        if link.startswith(("http://t.co/", "https://t.co/")):
            url = links.get(link, link)
            urls.append(url)
            return url
        urls.extend(find_urls(link))  # a link Twitter did not wrap (hand-made or converted data)
        return link

    text = _LINK.sub(expand, text)
    return text, tuple(dict.fromkeys(urls))


def _drop_trailing(text: str, appended: Collection[str]) -> str:
    trimmed = text.rstrip()
    while True:
        for url in appended:
            if trimmed.endswith(url):
                trimmed = trimmed[: -len(url)].rstrip()
                break
        else:
            break
    return trimmed if len(trimmed) < len(text.rstrip()) else text


def present(text: str, hashtags: list[Any], mentions: list[Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(hashtags, mentions) from a tweet's entities that occur in `text`, in order, once each."""
    kept_tags: tuple[str, ...] = ()
    if hashtags:
        tags = [tag for tag in hashtags if isinstance(tag, str) and tag and tag in text]
        kept_tags = tuple(tags) if len(tags) < 2 else tuple(dict.fromkeys(tags))
    if not mentions:
        return kept_tags, ()
    handles = []
    folded = None
    for handle in mentions:
        if not isinstance(handle, str) or not handle:
            continue
        if handle not in text:
            # The handle is the account's spelling; the text keeps the spelling that was typed.
            folded = text.casefold() if folded is None else folded
            if handle.casefold() not in folded:
                continue
        handles.append(handle)
    return kept_tags, tuple(handles) if len(handles) < 2 else tuple(dict.fromkeys(handles))


def found_in(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(hashtags, mentions, urls) found in the text itself, for a tweet that lists no entities."""
    if "#" not in text and "@" not in text and "://" not in text and "＃" not in text:
        return (), (), ()
    found = find_entities(text)
    return found.hashtags, found.mentions, found.urls


def strip_retweet_prefix(text: str) -> str:
    """A retweet's own text without its leading "RT @handle: " (for a retweet whose original is gone)."""
    if text.startswith("RT @"):
        head, separator, rest = text.partition(": ")
        if separator and " " not in head[4:]:
            return rest
    return text


def as_int(value: Any, what: str) -> int:
    """An index as an int: the archive writes every number as a string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise Malformed(f"{what} is not a number: {value!r}")


def json_type(value: Any) -> str:
    """How a JSON value that is not the object expected reads in a message: "an array", "null"..."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number" if isinstance(value, int | float) else "an object"
