"""Mastodon REST and streaming status entities as events: published, reblogged, quoted and edited.

A status is keyed by its `id`. Its HTML `content` becomes plain text (see html_text); a content
warning stays visible as a first paragraph "CW: <spoiler_text>", since hiding it would change what
the post says. A status with `edited_at` yields PUBLISHED at `created_at` and EDITED at `edited_at`,
both with the text as of the edit (the only text the entity carries). A reblog yields the original's
events, then REPOSTED by the reblogging account at the reblog's `created_at`.
"""

from __future__ import annotations

from events.ingest.html_text import html_to_text
from events.ingest.json_fields import (
    Json,
    RecordError,
    ident,
    iso_time,
    items,
    obj,
    optional_id,
    optional_obj,
    optional_string,
    string,
)
from events.ingest.listed_entities import in_text_order, unique
from events.model import Author, Event, Kind, Post, Source

PLATFORM = "mastodon"


def with_warning(text: str, spoiler: str | None) -> str:
    """Post text with its content warning kept visible as a first paragraph."""
    if not spoiler:
        return text
    return f"CW: {spoiler}\n\n{text}" if text else f"CW: {spoiler}"


def status_events(status: Json, source: Source) -> list[Event]:
    """The events one status entity says happened, originals before what refers to them."""
    if not isinstance(status, dict):
        raise RecordError("a status must be a JSON object")
    reblog = optional_obj(status, "reblog")
    if reblog is None:
        return _own_events(status, source, "")
    events = _own_events(reblog, source, "reblog.")
    original = events[0].post
    occurred_at, precision = iso_time(status, "created_at")
    repost = original.reposted(
        id=ident(status, "id"), author=account_author(obj(status, "account")), source=source
    )
    events.append(Event(kind=Kind.REPOSTED, occurred_at=occurred_at, precision=precision, post=repost))
    return events


def account_author(account: Json, where: str = "account.") -> Author:
    """The author an account entity names: `acct` as given, display name when set."""
    return Author(
        handle=string(account, "acct", where).lstrip("@"),
        name=optional_string(account, "display_name", where),
    )


def _own_events(status: Json, source: Source, where: str) -> list[Event]:
    events: list[Event] = []
    quote_of = None
    quoted = _quoted_status(status)
    if quoted is not None:
        events.extend(_own_events(quoted, source, f"{where}quote."))
        quote_of = events[-1].post.id
    post = _post(status, source, where, quote_of)
    occurred_at, precision = iso_time(status, "created_at", where)
    events.append(Event.published(post, occurred_at, precision))
    if status.get("edited_at"):
        edited_at, edit_precision = iso_time(status, "edited_at", where)
        events.append(Event(kind=Kind.EDITED, occurred_at=edited_at, precision=edit_precision, post=post))
    return events


def _quoted_status(status: Json) -> Json | None:
    """The quoted status embedded in full: Mastodon 4.4's `quote.quoted_status`, or a bare status."""
    quote = status.get("quote")
    if not isinstance(quote, dict):
        return None
    inner = quote.get("quoted_status", quote)
    return inner if isinstance(inner, dict) and "account" in inner else None


def _post(status: Json, source: Source, where: str, quote_of: str | None) -> Post:
    content = status.get("content") or ""
    if not isinstance(content, str):
        raise RecordError(f"{where}content must be a string")
    markup = html_to_text(content)
    tags = _names(items(status, "tags", where), "name")
    accts = _names(items(status, "mentions", where), "acct")
    return Post(
        platform=PLATFORM,
        id=ident(status, "id", where),
        author=account_author(obj(status, "account", where), f"{where}account."),
        text=with_warning(markup.text, optional_string(status, "spoiler_text", where)),
        hashtags=in_text_order(tags, markup.hashtags) if tags else markup.hashtags,
        mentions=unique(accts) if accts else markup.mentions,
        urls=markup.urls,
        reply_to=optional_id(status, "in_reply_to_id", where),
        quote_of=quote_of,
        lang=optional_string(status, "language", where),
        source=source,
    )


def _names(entries: list[object], key: str) -> list[str]:
    """The string `key` of each object in a `tags` or `mentions` list; other entries are ignored."""
    return [name for entry in entries if isinstance(entry, dict) and isinstance(name := entry.get(key), str)]
