"""Twitter's v1.1 tweet object, as the API and the personal archive both write it, turned into events.

One tweet object gives, in this order: the events of the tweets it embeds (`retweeted_status`,
`quoted_status`, each PUBLISHED at its own time), then its own event: REPOSTED for a retweet (the
retweeter's id and time, the original's content, `repost_of` the original), EDITED for a later version
of an edited tweet (keyed by the first version's id), PUBLISHED otherwise. A manual "RT @" retweet has
no `retweeted_status`: it is text the account published, and stays PUBLISHED.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events.ingest.tweet import (
    Content,
    Malformed,
    as_int,
    author_from_user,
    compose,
    found_in,
    is_appended,
    language,
    optional_id,
    present,
    twitter_time,
)
from events.model import Author, Event, Kind, Precision, Source

# Twitter embeds at most a quote inside a retweet; deeper nesting is not a tweet Twitter wrote.
_MAX_DEPTH = 3


def _items(container: Any, key: str) -> list[Mapping[str, Any]]:
    values = container.get(key) if isinstance(container, dict) else None
    return [item for item in values if isinstance(item, dict)] if isinstance(values, list) else []


def content(tweet: Mapping[str, Any], tweet_id: str, quoted_id: str | None) -> Content:
    """The content of a tweet: full text over truncated (extended_tweet, full_text, then text)."""
    extended = tweet.get("extended_tweet")
    holder = extended if isinstance(extended, dict) and "full_text" in extended else tweet
    text = holder.get("full_text", holder.get("text"))
    if not isinstance(text, str):
        raise Malformed(f"tweet {tweet_id} has no text")
    entities = holder.get("entities")
    span = holder.get("display_text_range")
    end = as_int(span[1], "display_text_range") if isinstance(span, list) and len(span) == 2 else None
    links: dict[str, str] = {}
    appended: set[str] = set()
    for item in _items(entities, "urls"):
        url, expanded = item.get("url"), item.get("expanded_url")
        if isinstance(url, str) and isinstance(expanded, str) and expanded:
            links[url] = expanded
            if is_appended(expanded, quoted_id):
                appended.add(url)
    for item in _items(entities, "media") + _items(holder.get("extended_entities"), "media"):
        url, expanded = item.get("url"), item.get("expanded_url")
        if isinstance(url, str):
            appended.add(url)
            if isinstance(expanded, str) and expanded:
                links[url] = expanded
    permalink = tweet.get("quoted_status_permalink")
    if isinstance(permalink, dict) and isinstance(permalink.get("url"), str):
        appended.add(permalink["url"])
    text, urls = compose(text, links, appended, end)
    if isinstance(entities, dict):
        hashtags, mentions = present(
            text,
            [tag.get("text") for tag in _items(entities, "hashtags")],
            [user.get("screen_name") for user in _items(entities, "user_mentions")],
        )
    else:
        hashtags, mentions, urls = found_in(text)
    return Content(text, hashtags, mentions, urls, language(tweet.get("lang")))


def first_id(tweet: Mapping[str, Any]) -> str | None:
    """The id of the first version of an edited tweet, from v1.1 `edit_history` or archive `edit_info`."""
    history = tweet.get("edit_history")
    if isinstance(history, dict):
        found = optional_id(history, "initial_tweet_id") or _first_of(history.get("edit_tweet_ids"))
        if found:
            return found
    info = tweet.get("edit_info")
    if isinstance(info, dict):
        edit = info.get("edit")
        if isinstance(edit, dict):
            control = edit.get("editControlInitial")
            ids = control.get("editTweetIds") if isinstance(control, dict) else None
            found = optional_id(edit, "initialTweetId") or _first_of(ids)
            if found:
                return found
        initial = info.get("initial")
        if isinstance(initial, dict):
            return _first_of(initial.get("editTweetIds"))
    return None


def _first_of(ids: Any) -> str | None:
    return optional_id({"id": ids[0]}, "id") if isinstance(ids, list) and ids else None


def tweet_events(tweet: Any, source: Source, author: Author | None = None) -> list[Event]:
    """The events of one tweet object and of the tweets it embeds, oldest first.

    `author` overrides the tweet's `user` (the archive has none). Malformed says what is wrong;
    nothing is returned for a tweet that fails part-way.
    """
    events: list[Event] = []
    _add(tweet, source, author, events, 0)
    return events


def _add(
    tweet: Any, source: Source, author: Author | None, events: list[Event], depth: int
) -> tuple[str, Content]:
    """Append the events of `tweet`; return the id it is known by and its content."""
    if not isinstance(tweet, dict):
        raise Malformed(f"expected a tweet object, got {type(tweet).__name__}")
    id_ = optional_id(tweet, "id_str", "id")
    if id_ is None:
        raise Malformed("tweet has no id_str")
    if "created_at" not in tweet:
        raise Malformed(f"tweet {id_} has no created_at")
    at = twitter_time(tweet["created_at"])
    who = author or author_from_user(tweet.get("user"), tweet.get("user_id_str"))
    original = tweet.get("retweeted_status")
    if isinstance(original, dict) and depth < _MAX_DEPTH:
        original_id, said = _add(original, source, None, events, depth + 1)
        post = said.post(
            id=id_,
            author=who,
            source=source,
            repost_of=original_id,
        )
        events.append(Event(kind=Kind.REPOSTED, occurred_at=at, precision=Precision.SECOND, post=post))
        return id_, said
    quoted_id = optional_id(tweet, "quoted_status_id_str", "quoted_status_id")
    quote_of = quoted_id
    quoted = tweet.get("quoted_status")
    if isinstance(quoted, dict) and depth < _MAX_DEPTH:
        quote_of, _ = _add(quoted, source, None, events, depth + 1)
        quoted_id = quoted_id or quote_of
    said = content(tweet, id_, quoted_id)
    first = first_id(tweet) or id_
    post = said.post(
        id=first,
        author=who,
        source=source,
        reply_to=optional_id(tweet, "in_reply_to_status_id_str", "in_reply_to_status_id"),
        quote_of=quote_of,
    )
    kind = Kind.PUBLISHED if first == id_ else Kind.EDITED
    events.append(Event(kind=kind, occurred_at=at, precision=Precision.SECOND, post=post))
    return first, said
