"""An `app.bsky.feed.post` record as a Post: text, facets, reply, quote, links and language.

Facets index the text by UTF-8 byte offsets, not characters, so every slice is taken from the
encoded text. A `#tag` facet gives a hashtag; a `#mention` facet gives the handle the text shows
there ("@alice.bsky.social" -> "alice.bsky.social"), else the DID it names; a `#link` facet gives
its URI, and where the client shortened the shown link ("example.org/long/pa..."), the text reads
the full URI instead, as a t.co link is expanded for Twitter. A record without facets gets its
entities from the text. An external embed's URI is a link too.
"""

from __future__ import annotations

from typing import Any

from events.ingest.json_fields import RecordError, items
from events.ingest.listed_entities import unique
from events.ingest.text import find_entities
from events.model import Author, Post, Source

PLATFORM = "bluesky"
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
_FACET = "app.bsky.richtext.facet#"
_ELLIPSES = ("...", "…")


def post_uri(did: str, collection: str, rkey: str) -> str:
    """The at:// URI of a record: the native id of a post or repost."""
    return f"at://{did}/{collection}/{rkey}"


def did_of(uri: str) -> str:
    """The repository DID an at:// URI names ("at://did:plc:x/app.bsky.feed.post/y" -> "did:plc:x")."""
    return uri.removeprefix("at://").partition("/")[0]


def record_post(uri: str, author: Author, record: Any, source: Source) -> Post:
    """The Post a feed post record says, keyed by `uri`."""
    if not isinstance(record, dict):
        raise RecordError("record must be an object")
    text = record.get("text", "")
    if not isinstance(text, str):
        raise RecordError("record.text must be a string")
    facets = record.get("facets")
    if isinstance(facets, list):
        text, hashtags, mentions, urls = _read_facets(text, facets)
    else:
        found = find_entities(text)
        hashtags, mentions, urls = found.hashtags, found.mentions, found.urls
    embed = record.get("embed")
    external = _external_uri(embed)
    langs = [lang for lang in items(record, "langs", "record.") if isinstance(lang, str) and lang]
    return Post(
        platform=PLATFORM,
        id=uri,
        author=author,
        text=text,
        hashtags=hashtags,
        mentions=mentions,
        urls=unique([*urls, external]) if external else urls,
        reply_to=_ref_uri(record.get("reply"), "parent"),
        quote_of=quoted_uri(embed),
        lang=langs[0] if langs else None,
        source=source,
    )


def quoted_uri(embed: Any) -> str | None:
    """The URI of the record a post embeds (a quote), plain or with media."""
    if not isinstance(embed, dict):
        return None
    inner = embed.get("record")
    if isinstance(inner, dict) and isinstance(inner.get("record"), dict):  # recordWithMedia
        inner = inner["record"]
    uri = inner.get("uri") if isinstance(inner, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("at://") else None


def _ref_uri(reference: Any, key: str) -> str | None:
    target = reference.get(key) if isinstance(reference, dict) else None
    uri = target.get("uri") if isinstance(target, dict) else None
    return uri if isinstance(uri, str) and uri else None


def _external_uri(embed: Any) -> str | None:
    if not isinstance(embed, dict):
        return None
    media = embed.get("media") if isinstance(embed.get("media"), dict) else embed
    external = media.get("external") if isinstance(media, dict) else None
    uri = external.get("uri") if isinstance(external, dict) else None
    return uri if isinstance(uri, str) and uri.startswith(("http://", "https://")) else None


def _read_facets(
    text: str, facets: list[Any]
) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(text with shortened links expanded, hashtags, mentions, links) from the facets."""
    data = text.encode()
    hashtags: list[str] = []
    mentions: list[str] = []
    urls: list[str] = []
    expansions: list[tuple[int, int, bytes]] = []
    for facet in sorted(facets, key=_start):
        span = _span(facet, len(data))
        if span is None:
            continue  # a facet pointing nowhere decorates nothing; the post is still good
        start, end = span
        shown = _slice(data, start, end)
        features = facet.get("features")
        for feature in features if isinstance(features, list) else ():
            kind = feature.get("$type", "") if isinstance(feature, dict) else ""
            if kind == _FACET + "tag" and isinstance(feature.get("tag"), str):
                hashtags.append(feature["tag"].lstrip("#"))
            elif kind == _FACET + "mention" and isinstance(feature.get("did"), str):
                handle = shown[1:] if shown and shown.startswith("@") and len(shown) > 1 else None
                mentions.append(handle or feature["did"])
            elif kind == _FACET + "link" and isinstance(feature.get("uri"), str):
                uri = feature["uri"]
                urls.append(uri)
                if shown is not None and _shortened(shown, uri):
                    expansions.append((start, end, uri.encode()))
    return _expand(data, expansions), unique(hashtags), unique(mentions), unique(urls)


def _start(facet: Any) -> int:
    index = facet.get("index") if isinstance(facet, dict) else None
    start = index.get("byteStart") if isinstance(index, dict) else None
    return start if isinstance(start, int) else -1


def _span(facet: Any, size: int) -> tuple[int, int] | None:
    index = facet.get("index") if isinstance(facet, dict) else None
    if not isinstance(index, dict):
        return None
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end <= size:
        return None
    return start, end


def _slice(data: bytes, start: int, end: int) -> str | None:
    """The text between two byte offsets; None when they cut a character in two."""
    try:
        return data[start:end].decode()
    except UnicodeDecodeError:
        return None


def _shortened(shown: str, uri: str) -> bool:
    """True when `shown` is `uri` cut short by the client ("example.org/pa...")."""
    if not shown.endswith(_ELLIPSES):
        return False
    core = _bare(shown.rstrip(".…"))
    return bool(core) and _bare(uri).startswith(core)


def _bare(url: str) -> str:
    return url.split("://", 1)[-1].removeprefix("www.")


def _expand(data: bytes, expansions: list[tuple[int, int, bytes]]) -> str:
    if not expansions:
        return data.decode()
    parts: list[bytes] = []
    at = 0
    for start, end, replacement in expansions:
        if start < at:  # overlapping facets: keep the first
            continue
        parts += [data[at:start], replacement]
        at = end
    parts.append(data[at:])
    return b"".join(parts).decode()
