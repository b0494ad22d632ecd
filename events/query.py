"""What a filter query means: "@x" an author, "#x" a hashtag, any other word the text or the author."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from attrs import field, frozen

from events.model import Post

_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
"""Characters that show as nothing (soft hyphen, zero-width spaces and joiners, direction marks and
controls, the byte-order mark): text matches as it is seen, so they are left out on both sides."""

_ESCAPED = frozenset('"\\') | {chr(code) for code in range(0x20)}
"""Characters JSON writes as escapes: a needle holding one cannot be looked for in a raw body."""


@frozen
class Query:
    """Every word must match. "@x" matches an author whose handle starts with x, "#x" a post with a
    hashtag that starts with x, any other word the text, the handle or the display name.

    Matching ignores case (Unicode case folding, so "strasse" finds "Straße"): "#save" finds
    #SaveAleppo. It also ignores characters that show as nothing, so text matches as the feed
    shows it: "abcevil" finds "abc\u202eevil".
    """

    text: str = field(default="", eq=False)
    terms: tuple[str, ...] = field(init=False, repr=False)
    """The words of `text`, case-folded: what the query is (two texts with the same words are equal)."""
    _needles: tuple[str, ...] = field(init=False, eq=False, repr=False)
    """What each word needs in a raw body (without its @ or #), when JSON writes it as it is."""

    def __attrs_post_init__(self) -> None:
        terms = tuple(_seen(self.text).split())
        needles = (term[1:] if term[0] in "@#" and len(term) > 1 else term for term in terms)
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "_needles", tuple(n for n in needles if not _ESCAPED.intersection(n)))

    def __bool__(self) -> bool:
        return bool(self.terms)

    def matches(self, post: Post) -> bool:
        """True when `post` satisfies every word of the query."""
        author = post.author
        return self._matches(author.handle, author.name, post.hashtags, post.text)

    def matches_body(self, post: dict[str, Any]) -> bool:
        """The same for a post in its stored JSON form (a decoded body)."""
        author = post["author"]
        return self._matches(author["handle"], author["name"], post["hashtags"], post["text"])

    def may_match(self, body: str) -> bool:
        """False only when a stored body cannot match: a cheap test before decoding it.

        Case folding maps one character at a time, so a word found in the folded text is also
        found in the folded JSON around it, unless JSON wrote it with escapes.
        """
        if "\\" in body:
            return True
        folded = body.casefold() if body.isascii() else _seen(body)
        return all(needle in folded for needle in self._needles)

    def edit_may_match(self, body: str) -> bool:
        """False only when a post, edited as `body` says, cannot match: an edit keeps the post's
        author, so only a query of #hashtags alone can rule one out from the edit's body."""
        if any(not term.startswith("#") or len(term) == 1 for term in self.terms):
            return True
        return self.may_match(body)

    def _matches(self, handle: str, name: str | None, hashtags: Sequence[str], text: str) -> bool:
        for term in self.terms:
            if term.startswith("@") and len(term) > 1:
                found = _seen(handle).startswith(term[1:])
            elif term.startswith("#") and len(term) > 1:
                found = any(_seen(tag).startswith(term[1:]) for tag in hashtags)
            else:
                found = (
                    term in _seen(text) or term in _seen(handle) or (name is not None and term in _seen(name))
                )
            if not found:
                return False
        return True


def _seen(text: str) -> str:
    """`text` as matching compares it: case-folded, composed (an accent typed apart from its letter
    is the same letter), without the characters that show as nothing."""
    folded = text.casefold()
    return folded if folded.isascii() else _INVISIBLE.sub("", unicodedata.normalize("NFC", folded))
