"""ActivityPub objects from a Mastodon account export (`outbox.json`) or a server, as events.

Posts are keyed by their object URI (`Note.id`); a repost by its `Announce` activity id. An author is
named from the actor URI as "name@host" ("https://mastodon.madrid/users/felix" -> "felix@mastodon.madrid"),
since ActivityPub carries no display name beside a post. `Create{Note}` and a bare Note are PUBLISHED at
the note's `published` (a note with `updated` also yields EDITED then); `Update{Note}` is EDITED at the
note's `updated`; `Announce` is REPOSTED at its `published` (an embedded note also yields PUBLISHED);
`Delete` (of a Tombstone or a bare URI) is DELETED at its `published`, else the Tombstone's
`deleted`, else its signature's `created`, else the caller's fallback time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from events.ingest.html_text import html_to_text
from events.ingest.json_fields import Json, RecordError, UnknownRecord, iso_time, optional_string, string
from events.ingest.listed_entities import in_text_order, unique
from events.ingest.mastodon_status import PLATFORM, with_warning
from events.model import Author, Event, Kind, Post, Precision, Source

NOTE_TYPES = frozenset({"Note", "Article", "Question", "Page"})
COLLECTION_TYPES = frozenset({"OrderedCollection", "OrderedCollectionPage", "Collection", "CollectionPage"})
_QUOTE_KEYS = ("quote", "quoteUrl", "quoteUri", "_misskey_quote")

Moment = tuple[datetime, Precision]


def collection_items(collection: Json) -> Iterator[tuple[str, Any]]:
    """(where, item) for each item of a collection, an embedded first page's included."""
    for key in ("orderedItems", "items"):
        entries = collection.get(key)
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                yield f"{key}[{index}]", entry
            return
        if entries is not None:
            raise RecordError(f"{key} must be a list")
    first = collection.get("first")
    if isinstance(first, dict):
        for where, entry in collection_items(first):
            yield f"first.{where}", entry


def type_of(value: Json) -> str | None:
    """An object's `type`: a string, or the first string of a list (ActivityStreams allows both)."""
    kind = value.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if isinstance(item, str)), None)
    return kind if isinstance(kind, str) else None


def activity_events(activity: Any, source: Source, fallback: Moment | None) -> list[Event]:
    """The events of one activity or object; UnknownRecord for types that say nothing about posts."""
    if not isinstance(activity, dict):
        raise RecordError(f"an activity must be a JSON object, got {type(activity).__name__}")
    kind = type_of(activity)
    if kind is None:
        raise RecordError("type must be a string or a list of strings")
    if kind in NOTE_TYPES:
        return _note_events(activity, source, None)
    if kind == "Create":
        return _note_events(_object(activity, "Create"), source, activity)
    if kind == "Update":
        note = _object(activity, "Update")
        moment = _first_time(note, "updated") or _first_time(activity, "published", "updated")
        if moment is None:
            raise RecordError("Update has no time (object.updated or published)")
        return [Event(kind=Kind.EDITED, occurred_at=moment[0], precision=moment[1], post=_post(note, source))]
    if kind == "Announce":
        return _announce(activity, source)
    if kind == "Delete":
        return [_delete(activity, source, fallback)]
    raise UnknownRecord(kind)


def actor_handle(actor: Any) -> str:
    """The "name@host" an actor URI or object names; "unknown" when it names no one."""
    if isinstance(actor, list) and actor:
        actor = actor[0]
    username = None
    if isinstance(actor, dict):
        username = actor.get("preferredUsername")
        actor = actor.get("id")
    if not isinstance(actor, str) or not actor:
        return "unknown"
    parts = urlsplit(actor)
    segments = [segment for segment in parts.path.split("/") if segment]
    name = username if isinstance(username, str) and username else (segments[-1] if segments else "")
    name = name.lstrip("@")
    if parts.hostname and name:
        return f"{name}@{parts.hostname}"
    return actor


def _object(activity: Json, kind: str) -> Json:
    note = activity.get("object")
    if not isinstance(note, dict):
        raise RecordError(f"{kind}.object must be an embedded object")
    if type_of(note) not in NOTE_TYPES:
        raise UnknownRecord(f"{kind}{{{type_of(note)}}}")
    return note


def _first_time(record: Json, *keys: str) -> Moment | None:
    for key in keys:
        if record.get(key):
            return iso_time(record, key, f"{record.get('type', 'object')}.")
    return None


def _uri(value: Any, where: str) -> str:
    """The id of a reference given as a bare URI or an object with an `id`."""
    if isinstance(value, dict):
        value = value.get("id")
    if not isinstance(value, str) or not value:
        raise RecordError(f"{where} must be a URI or an object with an id")
    return value


def _note_events(note: Json, source: Source, create: Json | None) -> list[Event]:
    post = _post(note, source)
    moment = _first_time(note, "published") or (create and _first_time(create, "published"))
    if not moment:
        raise RecordError(f"{note.get('type')} has no published time")
    events = [Event.published(post, *moment)]
    edited = _first_time(note, "updated")
    if edited is not None and edited[0] > moment[0]:
        events.append(Event(kind=Kind.EDITED, occurred_at=edited[0], precision=edited[1], post=post))
    return events


def _post(note: Json, source: Source) -> Post:
    content = note.get("content")
    content_map = note.get("contentMap")
    languages = list(content_map) if isinstance(content_map, dict) else []
    if not content and languages and isinstance(content_map, dict):
        content = content_map[languages[0]]
    if content is not None and not isinstance(content, str):
        raise RecordError("content must be a string")
    markup = html_to_text(content or "")
    tags = note.get("tag")
    tags = [tags] if isinstance(tags, dict) else tags if isinstance(tags, list) else []
    hashtags = [_tag_name(tag, "Hashtag", "#") for tag in tags]
    mentions = [_mention(tag) for tag in tags]
    listed_hashtags = [name for name in hashtags if name]
    listed_mentions = [name for name in mentions if name]
    quote = next((note[key] for key in _QUOTE_KEYS if note.get(key)), None)
    return Post(
        platform=PLATFORM,
        id=string(note, "id", f"{note.get('type')}."),
        author=Author(handle=actor_handle(note.get("attributedTo"))),
        text=with_warning(markup.text, optional_string(note, "summary")),
        hashtags=in_text_order(listed_hashtags, markup.hashtags) if listed_hashtags else markup.hashtags,
        mentions=unique(listed_mentions) if listed_mentions else markup.mentions,
        urls=markup.urls,
        reply_to=_uri(note["inReplyTo"], "inReplyTo") if note.get("inReplyTo") else None,
        quote_of=_uri(quote, "quote") if quote else None,
        lang=languages[0] if len(languages) == 1 else None,
        source=source,
    )


def _tag_name(tag: Any, kind: str, sigil: str) -> str | None:
    if not isinstance(tag, dict) or type_of(tag) != kind or not isinstance(tag.get("name"), str):
        return None
    name: str = tag["name"]
    return name.removeprefix(sigil) or None


def _mention(tag: Any) -> str | None:
    """ "user@host" for a Mention tag; a name without a host gets it from the tag's href."""
    name = _tag_name(tag, "Mention", "@")
    if name is not None and "@" not in name and isinstance(tag.get("href"), str):
        return actor_handle(tag["href"])
    return name


def _announce(activity: Json, source: Source) -> list[Event]:
    moment = _first_time(activity, "published")
    if moment is None:
        raise RecordError("Announce has no published time")
    target = activity.get("object")
    events: list[Event] = []
    original = None
    if isinstance(target, dict) and type_of(target) in NOTE_TYPES:
        events = _note_events(target, source, None)
        original = events[0].post
    repost = Post(
        platform=PLATFORM,
        id=string(activity, "id", "Announce."),
        author=Author(handle=actor_handle(activity.get("actor"))),
        text=original.text if original else "",
        hashtags=original.hashtags if original else (),
        mentions=original.mentions if original else (),
        urls=original.urls if original else (),
        repost_of=_uri(target, "Announce.object"),
        lang=original.lang if original else None,
        source=source,
    )
    events.append(Event(kind=Kind.REPOSTED, occurred_at=moment[0], precision=moment[1], post=repost))
    return events


def _delete(activity: Json, source: Source, fallback: Moment | None) -> Event:
    target = activity.get("object")
    deleted = _uri(target, "Delete.object")
    actor = activity.get("actor")
    if deleted == (actor.get("id") if isinstance(actor, dict) else actor):
        raise UnknownRecord("Delete{actor}")  # an account deleted, not a post
    signature = activity.get("signature")
    moment = (
        _first_time(activity, "published")
        or (isinstance(target, dict) and _first_time(target, "deleted"))
        or (isinstance(signature, dict) and _first_time(signature, "created"))
        or fallback
    )
    if not moment:
        raise RecordError(f"Delete of {deleted} has no time, and nothing before it in the file gives one")
    post = Post(
        platform=PLATFORM,
        id=deleted,
        author=Author(handle=actor_handle(actor)),
        text="",
        source=source,
    )
    return Event(kind=Kind.DELETED, occurred_at=moment[0], precision=moment[1], post=post)
