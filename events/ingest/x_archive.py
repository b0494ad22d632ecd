"""The X (Twitter) personal archive: `data/*.js` files, `window.YTD.<name>.partN = [ ... ]`.

Tweets come from `tweets.js` (older archives: `tweet.js`, whose records are either `{"tweet": {...}}`
or bare tweet objects), and from `deleted-tweets.js`, `community-tweet.js` and the like, all as v1.1
tweet objects whose every number is a string. What comes out:

- each tweet is PUBLISHED at its created_at (EDITED when `edit_info` names an earlier first version);
  a retweet is only text starting "RT @" (no `retweeted_status`), so it stays PUBLISHED, truncated as
  the archive has it;
- a tweet with `deleted_at` is also DELETED at that time, after its PUBLISHED event;
- the archive holds no user object: the author is the account in `account.js` beside the file
  (`username`, `accountDisplayName`); without it, Author(handle="id:<accountId>") if only the id is
  known, else Author(handle="unknown");
- `note-tweet.js` holds the full text of long tweets, but under its own id (`noteTweetId`) and not the
  tweet's: a tweet file with `note-tweet.js` beside it takes a note's text for the tweet created in
  the same second (±2 s) whose text the note's text continues. `note-tweet.js` itself gives no events.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from events.errors import InputError
from events.ingest.base import Item, Level, Notice
from events.ingest.document import Document
from events.ingest.records import records
from events.ingest.tweet import PLATFORM, UNKNOWN_AUTHOR, Malformed, json_type, native_id, twitter_time
from events.ingest.tweet_object import tweet_events
from events.ingest.x_notes import Notes
from events.model import Author, Event, Kind, Post, Precision, Source

name = "x-archive"

_YTD = re.compile(r"^\s*window\.YTD\.\w+\.part\d+\s*=")
_NOTE_FILE = "note-tweet.js"
_TWEET_FILES = ("tweets.js", "tweet.js")
# Records of the archive that hold no posts of the account and are not worth a notice.
_QUIET = frozenset({"account"})


def sniff(document: Document) -> bool:
    """True for a file of the archive's data folder: `window.YTD.<name>.part<N> = ...`."""
    return _YTD.match(document.head) is not None


def read(document: Document) -> Iterator[Item]:
    """The events of every tweet in the file, in file order; notices for other records."""
    folder = None if document.name == "<stdin>" else Path(document.name).parent
    author = account_author(folder / "account.js") if folder is not None else UNKNOWN_AUTHOR
    is_notes = Path(document.name).name.removesuffix(".gz") == _NOTE_FILE
    notes = Notes.load(folder / _NOTE_FILE) if folder is not None and not is_notes else Notes.empty()
    skipped_notes = 0
    for record in records(document):
        if isinstance(record, Notice):
            yield record
            continue
        value = record.value
        line = record.line
        kind = next(iter(value), "(empty object)") if isinstance(value, dict) else None
        if kind == "noteTweet":
            skipped_notes += 1
            continue
        if kind in _QUIET:
            continue
        try:
            if not isinstance(value, dict):
                raise Malformed(f"expected an archive record, got {json_type(value)}")
            if kind == "tweet":
                tweet = value["tweet"]
            elif "id_str" in value and "created_at" in value:  # early archives: bare tweet objects
                tweet = value
            else:
                message = f"{name}: unknown record type {kind}"
                yield Notice(level=Level.UNKNOWN, path=document.name, line=line, message=message)
                continue
            items = _tweet_items(tweet, Source(path=document.name, format=name, line=line), author, notes)
        except (ValueError, TypeError) as exc:  # Malformed, or a value the model refuses
            yield Notice(level=Level.BAD, path=document.name, line=line, message=str(exc))
            continue
        yield from items
    if skipped_notes and folder is not None and not any((folder / f).exists() for f in _TWEET_FILES):
        message = (
            f"{name}: {skipped_notes} long texts in {_NOTE_FILE} were not used: they complete the "
            f"tweets of tweets.js, which is not beside it"
        )
        yield Notice(level=Level.WARNING, path=document.name, line=None, message=message)


def _tweet_items(tweet: Any, source: Source, author: Author, notes: Notes) -> list[Event]:
    if not isinstance(tweet, dict):
        raise Malformed(f"expected a tweet object, got {json_type(tweet)}")
    events = tweet_events(tweet, source, author)
    if notes:
        events = [notes.complete(event) for event in events]
    deleted_at = tweet.get("deleted_at")
    if deleted_at is not None:
        post = Post(platform=PLATFORM, id=events[-1].post.id, author=author, text="", source=source)
        at = twitter_time(deleted_at)
        events.append(Event(kind=Kind.DELETED, occurred_at=at, precision=Precision.SECOND, post=post))
    return events


def account_author(path: Path) -> Author:
    """The archive's account as an Author, read from its `account.js`; "unknown" when unreadable."""
    if not path.is_file():
        return UNKNOWN_AUTHOR
    try:
        for record in records(Document.open(str(path))):
            value = getattr(record, "value", None)
            account = value.get("account") if isinstance(value, dict) else None
            if isinstance(account, dict):
                return _author_of(account)
    except (InputError, OSError, ValueError, TypeError):
        pass  # the tweets are still worth reading; their author stays unknown
    return UNKNOWN_AUTHOR


def _author_of(account: Mapping[str, Any]) -> Author:
    handle = account.get("username")
    shown = account.get("accountDisplayName")
    name_ = shown if isinstance(shown, str) and shown else None
    if isinstance(handle, str) and handle:
        return Author(handle=handle, name=name_)
    account_id = account.get("accountId")
    if account_id is not None:
        return Author(handle=f"id:{native_id(account_id, 'accountId')}", name=name_)
    return UNKNOWN_AUTHOR
