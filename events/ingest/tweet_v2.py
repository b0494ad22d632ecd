"""Twitter's API v2 tweet object turned into events, with the page (or flattened line) it came in.

For each tweet, oldest first: the tweets it refers to (retweeted, quoted, replied to) as PUBLISHED at
their own time, then its own event: REPOSTED for a retweet, EDITED for a later version of an edited
tweet (`edit_history_tweet_ids`: keyed by the first id, at its own created_at), PUBLISHED otherwise.
References name the first version of the tweet they point to. The author comes from the tweet's
inline `author` (flattened), else from `includes.users` (a page), else from the same author met
earlier in the file, else it is "id:<author_id>". `note_tweet.text` is the full text of a long tweet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from events.ingest.text import parse_iso_time
from events.ingest.tweet import (
    Content,
    Malformed,
    author_from_user,
    compose,
    found_in,
    is_appended,
    json_type,
    language,
    native_id,
    present,
    strip_retweet_prefix,
)
from events.model import Author, Event, Kind, Precision, Source

_MAX_DEPTH = 3
# Authors and tweet ids kept per document, at most; past it they are forgotten and made again.
_MEMORY = 100_000
EMPTY: Mapping[str, Any] = {}
"""An empty record or includes."""


class Memory:
    """What the records of one document share: the Authors made, and the tweets whose events are out.

    A viral tweet is retweeted on page after page, and each page includes it again; its events are
    produced once per document (the log would skip the copies anyway, after building them).
    """

    __slots__ = ("authors", "by_user_id", "seen")

    def __init__(self) -> None:
        self.authors: dict[tuple[Any, Any, Any], Author] = {}
        self.by_user_id: dict[Any, Author] = {}
        self.seen: set[str] = set()

    def author(self, user: Any, author_id: Any) -> Author:
        """The Author of a v2 user object, else of an author met before in the document, else "id:"."""
        if not isinstance(user, dict):
            known = self.by_user_id.get(author_id)
            if known is not None:
                return known
        key = (
            (user.get("username"), user.get("name"), author_id)
            if isinstance(user, dict)
            else (None, None, author_id)
        )
        found = self.authors.get(key)
        if found is None:
            if len(self.authors) >= _MEMORY:  # a long stream has many authors: stay bounded
                self.authors.clear()
                self.by_user_id.clear()
            found = self.authors[key] = author_from_user(user, author_id)
            if isinstance(user, dict) and author_id is not None:
                self.by_user_id[author_id] = found
        return found

    def done(self, ids: set[str]) -> None:
        """Remember that the events of `ids` are out (only once their whole record was read)."""
        if len(self.seen) >= _MEMORY:
            self.seen.clear()
        self.seen |= ids


class Page:
    """One record: its users and tweets to resolve references with, and the tweets it has given."""

    __slots__ = ("fresh", "memory", "source", "tweets", "users")

    def __init__(self, record: Mapping[str, Any], source: Source, memory: Memory) -> None:
        includes = record.get("includes")
        includes = includes if isinstance(includes, dict) else EMPTY
        self.users = _by_id(includes.get("users"))
        self.tweets = _by_id(includes.get("tweets"))
        self.source = source
        self.memory = memory
        self.fresh: set[str] = set()

    def author(self, tweet: Mapping[str, Any]) -> Author:
        """Who wrote `tweet`: its inline `author` (flattened) or its user in includes (a page)."""
        inline = tweet.get("author")
        author_id = tweet.get("author_id")
        if author_id is not None:
            author_id = native_id(author_id, "author_id")
        user = inline if isinstance(inline, dict) and inline else self.users.get(author_id)
        return self.memory.author(user, author_id)

    def known(self, id_: str) -> bool:
        """True when the events of tweet `id_` are already out."""
        return id_ in self.fresh or id_ in self.memory.seen


def gather_users(tweet: Mapping[str, Any], users: dict[Any, Mapping[str, Any]], depth: int) -> None:
    """Add to `users` the whole user objects a flattened tweet holds inline, by id.

    twarc2 flatten inlines `author` in a tweet and in the tweets it refers to, but not in a tweet
    referred to by one of those: its author is then found among the others, the mentioned users and
    the user replied to.
    """
    candidates = [tweet.get("author"), tweet.get("in_reply_to_user")]
    entities = tweet.get("entities")
    mentions = entities.get("mentions") if isinstance(entities, dict) else None
    if isinstance(mentions, list):
        candidates.extend(mentions)
    for user in candidates:
        if isinstance(user, dict) and "username" in user and "name" in user and "id" in user:
            users.setdefault(user["id"], user)
    references = tweet.get("referenced_tweets")
    if isinstance(references, list) and depth < _MAX_DEPTH:
        for reference in references:
            if isinstance(reference, dict):
                gather_users(reference, users, depth + 1)


def _by_id(items: Any) -> dict[Any, Mapping[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {item.get("id"): item for item in items if isinstance(item, dict)}


def _first_id(tweet: Mapping[str, Any], id_: str) -> str:
    history = tweet.get("edit_history_tweet_ids")
    if isinstance(history, list) and history:
        return native_id(history[0], "edit_history_tweet_ids")
    return id_


def _created(tweet: Mapping[str, Any], id_: str) -> tuple[datetime, Precision]:
    value = tweet.get("created_at")
    if not isinstance(value, str):
        raise Malformed(f"tweet {id_} has no created_at")
    if len(value) == 24 and value.endswith(".000Z"):
        # Twitter keeps a tweet's time to the second; v2 writes it with ".000" milliseconds.
        try:
            return datetime.fromisoformat(value), Precision.SECOND
        except ValueError:
            pass
    try:
        return parse_iso_time(value)
    except ValueError as exc:
        raise Malformed(f"tweet {id_}: {exc}") from None


def add_tweet(tweet: Any, page: Page, events: list[Event], depth: int) -> tuple[str, Mapping[str, Any]]:
    """Append the events of `tweet` and of what it refers to; return its first id and the tweet."""
    if not isinstance(tweet, dict):
        raise Malformed(f"expected a tweet object, got {json_type(tweet)}")
    id_ = native_id(tweet.get("id"), "tweet id")
    first = _first_id(tweet, id_)
    if page.known(id_):
        return first, tweet
    at, precision = _created(tweet, id_)
    if first != id_ and depth < _MAX_DEPTH:
        original = page.tweets.get(first)
        if original is not None:
            add_tweet(original, page, events, depth + 1)
    repost_of = quote_of = reply_to = quoted_id = None
    retweeted: Mapping[str, Any] | None = None
    references = tweet.get("referenced_tweets")
    for reference in references if isinstance(references, list) else ():
        if not isinstance(reference, dict):
            continue
        ref_id = native_id(reference.get("id"), "referenced tweet id")
        # Flattened output holds the whole tweet; a page holds it in includes.tweets.
        full = reference if "text" in reference else page.tweets.get(ref_id)
        ref_first = ref_id
        if full is not None and depth < _MAX_DEPTH:
            ref_first, full = add_tweet(full, page, events, depth + 1)
        kind = reference.get("type")
        if kind == "retweeted":
            repost_of, retweeted = ref_first, full
        elif kind == "quoted":
            quote_of, quoted_id = ref_first, ref_id
        elif kind == "replied_to":
            reply_to = ref_first
    author = page.author(tweet)
    if repost_of is not None:
        said = _content(retweeted, id_, None) if retweeted is not None else _content(tweet, id_, None, True)
        post = said.post(
            id=id_,
            author=author,
            source=page.source,
            repost_of=repost_of,
        )
        events.append(Event(kind=Kind.REPOSTED, occurred_at=at, precision=precision, post=post))
        page.fresh.add(id_)
        return id_, tweet
    said = _content(tweet, id_, quoted_id)
    post = said.post(
        id=first,
        author=author,
        source=page.source,
        reply_to=reply_to,
        quote_of=quote_of,
    )
    kind = Kind.PUBLISHED if first == id_ else Kind.EDITED
    events.append(Event(kind=kind, occurred_at=at, precision=precision, post=post))
    page.fresh.add(id_)
    return first, tweet


def _content(tweet: Mapping[str, Any], id_: str, quoted_id: str | None, retweet: bool = False) -> Content:
    """What a tweet says; a long tweet's full text is in note_tweet."""
    note = tweet.get("note_tweet")
    holder = note if isinstance(note, dict) and isinstance(note.get("text"), str) else tweet
    text = holder.get("text")
    if not isinstance(text, str):
        raise Malformed(f"tweet {id_} has no text")
    if retweet:  # the original is not in the file: its content is what the retweet quotes of it
        text = strip_retweet_prefix(text)
    entities = holder.get("entities")
    lang = language(tweet.get("lang"))
    if not isinstance(entities, dict):
        # v2 leaves `entities` out when a tweet has none, so only look when the text suggests some.
        text, urls = compose(text, EMPTY, (), None)
        hashtags, mentions, found = found_in(text)
        return Content(text, hashtags, mentions, urls or found, lang)
    links: dict[str, str] = {}
    appended: list[str] = []
    url_items = entities.get("urls")
    if isinstance(url_items, list):
        for item in url_items:
            if not isinstance(item, dict):
                continue
            url, expanded = item.get("url"), item.get("expanded_url")
            if isinstance(url, str) and isinstance(expanded, str) and expanded:
                links[url] = expanded
                if "media_key" in item or is_appended(expanded, quoted_id):
                    appended.append(url)
    text, urls = compose(text, links, appended, None)
    tags = entities.get("hashtags")
    users = entities.get("mentions")
    hashtags, mentions = present(
        text,
        [tag.get("tag") for tag in tags if isinstance(tag, dict)] if isinstance(tags, list) else [],
        [user.get("username") for user in users if isinstance(user, dict)] if isinstance(users, list) else [],
    )
    return Content(text, hashtags, mentions, urls, lang)
