"""What a filter query means: "@x" an author, "#x" a hashtag, any other word the text or the author."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from attrs import field, frozen

from events.model import Post

_ESCAPED = frozenset('"\\') | {chr(code) for code in range(0x20)}
"""Characters JSON writes as escapes: a needle holding one cannot be looked for in a raw body."""


@frozen
class Query:
    """Every word must match. "@x" matches an author whose handle starts with x, "#x" a post with a
    hashtag that starts with x, any other word the text, the handle or the display name.

    Matching ignores case (Unicode case folding, so "strasse" finds "Straße"): "#save" finds
    #SaveAleppo.
    """

    text: str = field(default="", eq=False)
    terms: tuple[str, ...] = field(init=False, repr=False)
    """The words of `text`, case-folded: what the query is (two texts with the same words are equal)."""
    _needles: tuple[str, ...] = field(init=False, eq=False, repr=False)
    """What each word needs in a raw body (without its @ or #), when JSON writes it as it is."""

    def __attrs_post_init__(self) -> None:
        terms = tuple(self.text.casefold().split())
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
        folded = body.casefold()
        return all(needle in folded for needle in self._needles)

    def _matches(self, handle: str, name: str | None, hashtags: Sequence[str], text: str) -> bool:
        for term in self.terms:
            if term.startswith("@") and len(term) > 1:
                found = handle.casefold().startswith(term[1:])
            elif term.startswith("#") and len(term) > 1:
                found = any(tag.casefold().startswith(term[1:]) for tag in hashtags)
            else:
                found = (
                    term in text.casefold()
                    or term in handle.casefold()
                    or (name is not None and term in name.casefold())
                )
            if not found:
                return False
        return True
