"""The X archive importer: tweets.js and tweet.js, deleted tweets, long texts, the account, the samples."""

from __future__ import annotations

import io
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.ingest import formats, x_archive
from events.ingest.base import Level
from events.ingest.document import Document
from events.ingest.driver import ingest
from events.model import Author, Event, Kind, Precision
from events.store import Log
from tests.events.ingest.reading import FIXTURES, events_of, kinds_of, notices_of, read, text_document

ARCHIVE = FIXTURES / "x_archive/archive/data"
OLD = FIXTURES / "x_archive/old_archive/data"
RIVER = Author(handle="river_notes", name="River Notes 📚")


def at(text: str) -> datetime:
    """A UTC time from "YYYY-MM-DD HH:MM:SS"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def summary(event: Event) -> tuple[str, str | None, datetime, str]:
    """(kind, id, time, text) of an event, to compare in one line."""
    return event.kind.value, event.post.id, event.occurred_at, event.post.text


def test_tweets_js() -> None:
    """tweets.js: each tweet at its created_at, newest first as the archive lists them."""
    events = events_of(read(x_archive, ARCHIVE / "tweets.js"))
    assert [summary(event) for event in events] == [
        (
            "post.edited",
            "1652000000000000005",
            at("2023-05-02 09:12:00"),
            "Next meeting on Friday, not Thursday",
        ),
        ("post.published", "1652000000000000005", at("2023-05-02 09:00:00"), "Next meeting on Thursday"),
        (
            "post.published",
            "1652000000000000004",
            at("2023-05-01 21:15:42"),
            "Notes from tonight's meeting about the library. We agreed to keep the reading room open on "
            "Sundays through the summer, to ask the council for two more staff, and to run the children's "
            "hour on Saturday mornings again. Volunteers are very welcome: write to @river_helpers or come "
            "by the desk. Full minutes: https://example.org/minutes/2023-05-01 #library #volunteers",
        ),
        (
            "post.published",
            "1652000000000000003",
            at("2023-05-01 08:00:00"),
            "RT @city_council: Library hours change from Monday: 9am to 8pm on weekdays, 10am to 4pm on "
            "Saturdays. Please share wi…",
        ),
        (
            "post.published",
            "1652000000000000002",
            at("2023-04-30 19:30:00"),
            "Minutes of the meeting: https://example.org/minutes/2023-04-30 #library",
        ),
        (
            "post.published",
            "1652000000000000001",
            at("2023-04-30 10:00:00"),
            "@kim_lee > where is the meeting?\n\nAt the library, 6pm",
        ),
    ]
    assert {event.post.author for event in events} == {RIVER}
    assert {(event.precision, event.post.source.format) for event in events} == {
        (Precision.SECOND, "x-archive")
    }
    assert [event.post.source.line for event in events] == [2, 41, 77, 112, 158, 226]


def test_entities_and_references() -> None:
    """Numbers written as strings; reply_to; hashtags, mentions and links from the entities."""
    by_id = {event.post.id: event.post for event in events_of(read(x_archive, ARCHIVE / "tweets.js"))}
    reply = by_id["1652000000000000001"]
    assert (reply.reply_to, reply.mentions, reply.lang) == ("1651999000000000000", ("kim_lee",), "en")
    photo = by_id["1652000000000000002"]
    assert (photo.hashtags, photo.urls) == (("library",), ("https://example.org/minutes/2023-04-30",))
    assert by_id["1652000000000000003"].repost_of is None  # a retweet is only text in the archive


def test_long_text_comes_from_note_tweet_js() -> None:
    """The truncated long post takes the note's whole text, links and entities."""
    by_id = {event.post.id: event.post for event in events_of(read(x_archive, ARCHIVE / "tweets.js"))}
    long = by_id["1652000000000000004"]
    assert long.hashtags == ("library", "volunteers")
    assert long.mentions == ("river_helpers",)
    assert long.urls == ("https://example.org/minutes/2023-05-01",)


def test_without_note_tweet_js_the_text_stays_cut(tmp_path: Path) -> None:
    """Without note-tweet.js beside it, the long post keeps the archive's cut text."""
    shutil.copy(ARCHIVE / "tweets.js", tmp_path / "tweets.js")
    by_id = {event.post.id: event.post for event in events_of(read(x_archive, tmp_path / "tweets.js"))}
    assert by_id["1652000000000000004"].text.endswith(
        "Volunteers are very welcome: write to @river_helpers or…"
    )


def test_note_tweet_js_gives_no_events() -> None:
    """note-tweet.js on its own gives nothing: its texts complete tweets.js, which is beside it."""
    assert read(x_archive, ARCHIVE / "note-tweet.js") == []


def test_note_tweet_js_alone_warns(tmp_path: Path) -> None:
    """note-tweet.js without tweets.js beside it says its long texts went unused."""
    shutil.copy(ARCHIVE / "note-tweet.js", tmp_path / "note-tweet.js")
    [warning] = read(x_archive, tmp_path / "note-tweet.js")
    assert warning.message == (  # type: ignore[union-attr]
        "x-archive: 1 long texts in note-tweet.js were not used: they complete the tweets of tweets.js, "
        "which is not beside it"
    )


def test_deleted_tweets_js() -> None:
    """A deleted tweet is published at created_at, then deleted at deleted_at."""
    events = events_of(read(x_archive, ARCHIVE / "deleted-tweets.js"))
    assert [summary(event) for event in events] == [
        (
            "post.published",
            "1652000000000000007",
            at("2023-05-02 09:05:00"),
            "Wrong date in the last post, sorry",
        ),
        ("post.deleted", "1652000000000000007", at("2023-05-02 09:06:30"), ""),
    ]
    assert events[1].post.author == RIVER


def test_other_archive_files() -> None:
    """account.js gives nothing; like.js and other record types are counted as unknown."""
    assert read(x_archive, ARCHIVE / "account.js") == []
    [unknown] = read(x_archive, ARCHIVE / "like.js")
    assert (unknown.level, unknown.message) == (Level.UNKNOWN, "x-archive: unknown record type like")  # type: ignore[union-attr]


def test_early_archive_with_bare_tweets_and_no_account() -> None:
    """A 2019 tweet.js holds bare tweet objects; without account.js the author is "unknown"."""
    [event] = events_of(read(x_archive, OLD / "tweet.js"))
    assert summary(event) == (
        "post.published",
        "1090000000000000001",
        at("2019-01-28 12:00:00"),
        "First post from the new account! http://example.com/hello",
    )
    assert event.post.author == Author(handle="unknown")


def test_wrapped_tweet_js_and_later_parts() -> None:
    """tweet.js of 2020-2022 wraps each tweet in {"tweet": ...}; a big archive splits into part1, part2..."""
    bare = (
        (OLD / "tweet.js").read_text().partition("=")[2].strip().removeprefix("[").removesuffix("]").strip()
    )
    for header in ("window.YTD.tweet.part0 =", "window.YTD.tweets.part2 ="):
        document = text_document(f'{header} [ {{ "tweet" : {bare} }} ]', "tweet.js")
        assert x_archive.sniff(document)
        [event] = events_of(read(x_archive, document))
        assert event.post.text == "First post from the new account! http://example.com/hello"


def test_account_with_only_an_id(tmp_path: Path) -> None:
    """An account.js that names no username gives the author "id:<accountId>"."""
    shutil.copy(OLD / "tweet.js", tmp_path / "tweet.js")
    (tmp_path / "account.js").write_text('window.YTD.account.part0 = [{"account": {"accountId": "99"}}]\n')
    [event] = events_of(read(x_archive, tmp_path / "tweet.js"))
    assert event.post.author == Author(handle="id:99")


def test_stdin_has_no_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read from stdin, there is no account.js to look at: the author is "unknown"."""
    data = (OLD / "tweet.js").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    [event] = events_of(read(x_archive, Document.open("-")))
    assert event.post.author.handle == "unknown"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ('"a string"', "expected an archive record, got a string"),
        ('{"tweet": []}', "expected a tweet object, got an array"),
        ('{"tweet": {"id_str": "5", "full_text": "x"}}', "tweet 5 has no created_at"),
        ('{"tweet": {"id_str": "5", "full_text": "x", "created_at": "Mon"}}', "not a Twitter time: 'Mon'"),
        (
            '{"tweet": {"id_str": "5", "full_text": "x", "created_at": "Mon May 01 08:00:00 +0000 2023",'
            ' "display_text_range": ["0", "one"]}}',
            "display_text_range is not a number: 'one'",
        ),
        (
            '{"tweet": {"id_str": "5", "full_text": "x", "created_at": "Mon May 01 08:00:00 +0000 2023",'
            ' "deleted_at": "later"}}',
            "not a Twitter time: 'later'",
        ),
    ],
)
def test_malformed_records(record: str, message: str) -> None:
    """A record that is not a readable tweet is BAD at its line; the others are read."""
    good = '{"tweet": {"id_str": "1", "full_text": "ok", "created_at": "Mon May 01 08:00:00 +0000 2023"}}'
    text = f"window.YTD.tweets.part0 = [\n{good},\n{record}\n]\n"
    items = read(x_archive, text_document(text, "tweets.js"))
    assert len(events_of(items)) == 1
    [bad] = notices_of(items, Level.BAD)
    assert bad.line == 3
    assert bad.message.startswith(message)


def test_auto_detection() -> None:
    """--format auto picks x-archive for every data/*.js file."""
    for path in [*ARCHIVE.iterdir(), *OLD.iterdir()]:
        assert formats.choose(Document.open(str(path))).name == "x-archive", path


# -- end to end, into a real log ------------------------------------------------------------------


def test_ingest_the_data_folder(tmp_path: Path) -> None:
    """All of data/*.js in one command: the tweets and deletions in, the rest counted, twice is no-op."""
    paths = sorted(str(path) for path in ARCHIVE.iterdir())
    log = Log.open(tmp_path / "log.db", create=True)
    report = ingest(log, paths)
    assert (report.found, report.new) == (8, 8)
    assert report.unknown == {"x-archive: unknown record type like": 1}
    assert report.warnings == ()
    kinds = [entry.event.kind for entry in log.entries()]
    assert kinds.count(Kind.DELETED) == 1 and kinds.count(Kind.EDITED) == 1
    assert ingest(log, paths).new == 0


# -- the real samples in ../shared/samples/x_archive -----------------------------------------------


def test_sample_deleted_tweets(samples: Path) -> None:
    """47 deleted tweets: each published then deleted; replies keep their mention; RT stays published."""
    items = read(x_archive, samples / "x_archive/milahu__deleted-tweets.js")
    events = events_of(items)
    assert len(events) == 94 and notices_of(items) == []
    assert kinds_of(events) == [Kind.PUBLISHED, Kind.DELETED] * 47
    first, deleted = events[:2]
    assert summary(first) == (
        "post.published",
        "2029583929812873669",
        at("2026-03-05 15:44:51"),
        "@Dominik_Kettner niemand will für israel kämpfen",
    )
    assert summary(deleted) == ("post.deleted", "2029583929812873669", at("2026-03-05 16:08:05"), "")
    assert (first.post.reply_to, first.post.mentions, first.post.lang) == (
        "2029474547875840042",
        ("Dominik_Kettner",),
        "de",
    )
    assert {event.post.author.handle for event in events} == {"unknown"}  # no account.js beside it
    by_id = {event.post.id: event.post for event in events if event.kind is Kind.PUBLISHED}
    retweet = by_id["2028527746163331392"]
    assert retweet.text.startswith("RT @ChristophCanne: Dass China in Europa")
    assert retweet.repost_of is None
    assert by_id["2027779637074358664"].text.startswith("@Infrarot_Medien > was muss ich dafür tun")
    photo = by_id["2027737443122769985"]
    assert photo.text.endswith("Sama Hoole:")  # the photo link dropped
    assert by_id["2025231248939995548"].hashtags == ("fightclub",)
    assert by_id["2025231248939995548"].urls == ("https://www.youtube.com/watch?v=Z3FezGCzGq8",)


def test_sample_community_tweets(samples: Path) -> None:
    """3 community tweets, all replies to the same account, at their created_at."""
    events = events_of(read(x_archive, samples / "x_archive/milahu__community-tweet.js"))
    assert [(event.post.id, event.occurred_at) for event in events] == [
        ("2027697170808189417", at("2026-02-28 10:47:32")),
        ("2027695342624354692", at("2026-02-28 10:40:17")),
        ("2027695238773399834", at("2026-02-28 10:39:52")),
    ]
    assert {event.post.mentions for event in events} == {("rotweisser_1",)}
    assert events[0].post.text.startswith("@rotweisser_1 link zum kommentar ist legal.\n")


def test_samples_are_detected(samples: Path) -> None:
    """--format auto picks x-archive for every sample in ../shared/samples/x_archive."""
    for path in sorted((samples / "x_archive").iterdir()):
        assert formats.choose(Document.open(str(path))).name == "x-archive", path
