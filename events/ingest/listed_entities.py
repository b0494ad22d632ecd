"""Hashtags or handles a source lists beside a post, put in the order and spelling the text has them.

Sources list them normalised (Mastodon's `tags` and twitwi's columns are lowercased, twitwi's are
sorted), while the author's spelling and order are in the text; the list still decides which names
count, since the text may hold a "#" that the platform did not take for a tag.
"""

from __future__ import annotations

from collections.abc import Iterable


def in_text_order(listed: Iterable[str], found: Iterable[str]) -> tuple[str, ...]:
    """The `listed` names as `found` in the text (order, case), then listed ones the text lacks.

    Names compare without case; each comes out once.
    """
    wanted: dict[str, str] = {}
    for name in listed:
        if name:
            wanted.setdefault(name.casefold(), name)
    result: dict[str, str] = {}
    for name in found:
        key = name.casefold()
        if key in wanted and key not in result:
            result[key] = name
    for key, name in wanted.items():
        result.setdefault(key, name)
    return tuple(result.values())


def unique(names: Iterable[str]) -> tuple[str, ...]:
    """`names` without empty strings and without repeats (compared without case), in order."""
    seen: dict[str, str] = {}
    for name in names:
        if name:
            seen.setdefault(name.casefold(), name)
    return tuple(seen.values())
