"""The Bluesky importer: PostView, FeedViewPost, listRecords, Jetstream; facets at byte offsets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.errors import InputError
from events.ingest import bluesky, formats
from events.ingest.base import Level
from events.ingest.document import Document
from events.ingest.driver import ingest
from events.model import Author, Kind, Precision
from events.store import Log
from tests.events.ingest.reading import (
    FIXTURES,
    by_kind,
    events_of,
    kinds_of,
    notices_of,
    only_event,
    only_notice,
    read,
    text_document,
)

HERE = FIXTURES / "bluesky"
POSTS = HERE / "posts.json"
FEED = HERE / "feed.json"
JETSTREAM = HERE / "jetstream.jsonl"
RECORDS = HERE / "records.json"
ALICE = "did:plc:alice0000000000000000000"
BOB = "did:plc:bob00000000000000000000000"
CAROL = "did:plc:carol000000000000000000000"


def post_uri(did: str, rkey: str, collection: str = "app.bsky.feed.post") -> str:
    """The at:// URI of a fixture record."""
    return f"at://{did}/{collection}/{rkey}"


def at(text: str) -> datetime:
    """A UTC datetime from ISO text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class TestPostViews:
    """Hydrated posts, as getPosts or searchPosts return them."""

    def test_kinds_ids_and_authors(self) -> None:
        """Each view is PUBLISHED under its at:// URI, by its author's handle and display name."""
        events = events_of(read(bluesky, POSTS))
        assert [(e.kind, e.post.id) for e in events] == [
            (Kind.PUBLISHED, post_uri(ALICE, "3kabc000001")),
            (Kind.PUBLISHED, post_uri(BOB, "3kbob000002")),
            (Kind.PUBLISHED, post_uri(CAROL, "3kcar000003")),
            (Kind.PUBLISHED, post_uri(CAROL, "3kcar000001")),
            (Kind.PUBLISHED, post_uri(ALICE, "3kabc000004")),
            (Kind.PUBLISHED, post_uri(ALICE, "3kabc000005")),
            (Kind.PUBLISHED, post_uri(BOB, "3kbob000006")),
        ]
        assert events[0].post.author == Author(handle="alice.bsky.social", name="Alice B.")
        assert events[1].post.author == Author(handle="bob.example.com", name=None)  # "" is no name

    def test_shortened_link_is_expanded(self) -> None:
        """The client's "example.org/...rep..." reads as the facet's full URI, also listed."""
        first = events_of(read(bluesky, POSTS))[0]
        assert first.post.text == (
            "Reading about event logs today #eventsourcing https://example.org/articles/2024/replaying-the-past"
        )
        assert first.post.urls == ("https://example.org/articles/2024/replaying-the-past",)
        assert first.post.hashtags == ("eventsourcing",)
        assert first.post.lang == "en"
        assert (first.occurred_at, first.precision) == (at("2024-03-01T12:00:00"), Precision.MILLISECOND)

    def test_facets_are_byte_offsets(self) -> None:
        """Non-ASCII text before a facet: the UTF-8 byte slice, not the character slice, is read."""
        post = events_of(read(bluesky, POSTS))[1].post
        assert post.text == "Ça va très bien 🎉 #fête avec @bob.example.com — à bientôt"
        assert post.hashtags == ("fête",)
        assert post.mentions == ("bob.example.com",)
        assert post.lang == "fr"  # the first of langs

    def test_offset_time_is_converted_to_utc(self) -> None:
        """createdAt with +02:00 is stored in UTC at second precision."""
        event = events_of(read(bluesky, POSTS))[1]
        assert (event.occurred_at, event.precision) == (at("2024-03-01T12:30:00"), Precision.SECOND)

    def test_reply_and_microseconds(self) -> None:
        """record.reply.parent gives reply_to; six fraction digits give microsecond precision."""
        reply = events_of(read(bluesky, POSTS))[2]
        assert reply.post.reply_to == post_uri(ALICE, "3kabc000001")
        assert reply.occurred_at == datetime(2024, 3, 1, 12, 45, 10, 123456, tzinfo=UTC)
        assert reply.precision is Precision.MICROSECOND

    def test_quote_with_the_quoted_post_in_full(self) -> None:
        """An embed record#view yields the quoted post first; the quote refers to it."""
        quoted, quote = events_of(read(bluesky, POSTS))[3:5]
        assert quoted.post.author == Author(handle="carol.bsky.social", name="Carol ☂")
        assert quoted.post.text == "A log is a list of facts."
        assert quoted.occurred_at == at("2024-02-28T08:00:00")
        assert quote.post.quote_of == quoted.post.id

    def test_mention_whose_text_is_not_a_handle(self) -> None:
        """A mention facet over "Bob" (not "@...") is kept as the DID it names."""
        post = events_of(read(bluesky, POSTS))[5].post
        assert post.mentions == (BOB,)

    def test_created_at_without_offset_falls_back_with_a_warning(self) -> None:
        """No offset in createdAt: the post sits at indexedAt, and the user is told."""
        items = read(bluesky, POSTS)
        last = events_of(items)[-1]
        assert (last.occurred_at, last.precision) == (at("2024-03-01T13:30:04"), Precision.MILLISECOND)
        [warning] = notices_of(items)
        assert warning.level is Level.WARNING
        assert "time has no timezone offset: '2024-03-01T13:30:00'" in warning.message
        assert last.post.hashtags == ("oops",)  # no facets: entities come from the text


class TestFeed:
    """A getAuthorFeed response: FeedViewPosts with reposts, replies and a pin."""

    def test_events(self) -> None:
        """Repost reasons give REPOSTED after the original; reply context is PUBLISHED first."""
        events = events_of(read(bluesky, FEED))
        assert [(e.kind, e.post.id) for e in events] == [
            (Kind.PUBLISHED, post_uri(ALICE, "3kabc000001")),
            (Kind.REPOSTED, post_uri(CAROL, "3kcrp000001", "app.bsky.feed.repost")),
            (Kind.PUBLISHED, post_uri(ALICE, "3kabc000001")),  # the reply's root, given in full
            (Kind.PUBLISHED, post_uri(CAROL, "3kcar000003")),
            (Kind.PUBLISHED, post_uri(CAROL, "3kcar000001")),  # pinned: just a post
            (Kind.PUBLISHED, post_uri(ALICE, "3kabc000005")),
            (Kind.REPOSTED, None),  # an older reasonRepost without the repost's uri
        ]

    def test_repost_by_reason_by_at_reason_indexed_at(self) -> None:
        """REPOSTED is by reason.by at reason.indexedAt, with the original's text."""
        repost = by_kind(events_of(read(bluesky, FEED)), Kind.REPOSTED)[0]
        assert repost.post.author == Author(handle="carol.bsky.social", name="Carol ☂")
        assert repost.occurred_at == at("2024-03-01T15:00:00")
        assert repost.post.repost_of == post_uri(ALICE, "3kabc000001")
        assert repost.post.text.startswith("Reading about event logs today")


class TestJetstream:
    """Jetstream commit events, one per line."""

    def test_events_and_unknown_records(self) -> None:
        """Posts, reposts, an edit and deletes are read; likes, follows, identity, account are counted."""
        items = read(bluesky, JETSTREAM)
        assert kinds_of(events_of(items)) == [
            Kind.PUBLISHED,
            Kind.PUBLISHED,
            Kind.REPOSTED,
            Kind.EDITED,
            Kind.DELETED,
            Kind.DELETED,
        ]
        assert [(n.level, n.line, n.message) for n in notices_of(items)] == [
            (Level.UNKNOWN, 4, "bluesky: unknown record type app.bsky.feed.like"),
            (Level.UNKNOWN, 5, "bluesky: unknown record type app.bsky.graph.follow"),
            (Level.UNKNOWN, 6, "bluesky: unknown record type identity"),
            (Level.UNKNOWN, 10, "bluesky: unknown record type account"),
        ]

    def test_author_is_the_did(self) -> None:
        """Jetstream does not carry handles: the author is named by DID."""
        first = events_of(read(bluesky, JETSTREAM))[0]
        assert first.post.author == Author(handle=ALICE)
        assert first.post.id == post_uri(ALICE, "3kabc000001")
        assert first.occurred_at == at("2024-03-01T12:00:00")  # createdAt, not time_us

    def test_repost_record(self) -> None:
        """An app.bsky.feed.repost create is REPOSTED of its subject at its createdAt."""
        repost = by_kind(events_of(read(bluesky, JETSTREAM)), Kind.REPOSTED)[0]
        assert repost.post.id == post_uri(CAROL, "3kcrp000001", "app.bsky.feed.repost")
        assert repost.post.repost_of == post_uri(ALICE, "3kabc000001")
        assert repost.occurred_at == at("2024-03-01T15:00:00")

    def test_update_and_delete_at_time_us(self) -> None:
        """update is EDITED and delete DELETED, both at time_us to the microsecond."""
        events = events_of(read(bluesky, JETSTREAM))
        edited, deleted = events[3], events[4]
        assert edited.post.text == "Thanks to Bob for the tip!"
        assert (edited.occurred_at, edited.precision) == (at("2024-03-01T15:06:40"), Precision.MICROSECOND)
        assert deleted.post.id == post_uri(BOB, "3kbob000002")
        assert deleted.post.author == Author(handle=BOB)
        assert deleted.post.text == ""
        assert deleted.occurred_at == datetime(2024, 3, 1, 15, 8, 20, 123456, tzinfo=UTC)

    def test_delete_without_time_is_bad(self) -> None:
        """A delete whose event has no time_us cannot be placed."""
        line = {
            "did": BOB,
            "kind": "commit",
            "commit": {"operation": "delete", "collection": "app.bsky.feed.post", "rkey": "3k"},
        }
        notice = only_notice(read(bluesky, text_document(json.dumps(line))))
        assert (notice.level, notice.message) == (Level.BAD, "delete has no time_us")


class TestRepoRecords:
    """com.atproto.repo.listRecords output."""

    def test_records(self) -> None:
        """Each record is keyed by its uri; the author is the repository's DID; -05:00 is converted."""
        events = events_of(read(bluesky, RECORDS))
        assert [e.post.id for e in events] == [post_uri(BOB, "3kbob000002"), post_uri(BOB, "3kbob000006")]
        assert {e.post.author for e in events} == {Author(handle=BOB)}
        assert events[1].occurred_at == at("2024-03-01T18:30:00")


class TestBadRecords:
    """Malformed records are BAD notices with their line; the reading goes on."""

    def test_bad_lines(self) -> None:
        """A missing createdAt with nothing to fall back on, a wrong type, a truncated line."""
        good = JETSTREAM.read_text().splitlines()[0]
        record = json.loads(good)
        del record["commit"]["record"]["createdAt"]
        del record["time_us"]
        text_wrong = json.loads(good)
        text_wrong["commit"]["record"]["text"] = 42
        lines = [good, json.dumps(record), json.dumps(text_wrong), '"just a string"', good[:50]]
        items = read(bluesky, text_document("\n".join(lines)))
        assert len(events_of(items)) == 1
        assert [(n.line, n.message) for n in notices_of(items)] == [
            (2, "record.createdAt is missing"),
            (3, "record.text must be a string"),
            (4, "expected a JSON object, got str"),
            (5, "not valid JSON: Unterminated string starting at (column 43)"),
        ]

    def test_facets_out_of_range_are_ignored(self) -> None:
        """A facet pointing past the text, or into the middle of a character, decorates nothing."""
        record = {
            "$type": "app.bsky.feed.post",
            "createdAt": "2024-03-01T00:00:00Z",
            "text": "é #tag",
            "facets": [
                {"index": {"byteStart": 1, "byteEnd": 2}, "features": [{"$type": "x#mention", "did": "d"}]},
                {"index": {"byteStart": 3, "byteEnd": 99}, "features": [{"$type": "x#tag", "tag": "no"}]},
                {
                    "index": {"byteStart": 1, "byteEnd": 2},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:x"}],
                },
                {
                    "index": {"byteStart": 3, "byteEnd": 7},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "tag"}],
                },
                "not a facet",
            ],
        }
        view = {"uri": post_uri(ALICE, "3k"), "author": {"handle": "a.b"}, "record": record}
        event = only_event(read(bluesky, text_document(json.dumps(view))))
        assert event.post.hashtags == ("tag",)
        assert event.post.mentions == ("did:plc:x",)  # its slice cuts "é" in two: no handle there


class TestSniff:
    """`--format auto` picks bluesky for its documents."""

    @pytest.mark.parametrize("path", [POSTS, FEED, JETSTREAM, RECORDS])
    def test_fixtures(self, path: Path) -> None:
        """Every fixture is recognised."""
        assert formats.choose(Document.open(str(path))) is bluesky

    def test_not_plain_text(self) -> None:
        """Prose mentioning Bluesky is not taken for it."""
        assert not bluesky.sniff(text_document("I moved to app.bsky.social, find me at://did:plc:x\n"))


class TestDriver:
    """End to end into a real log."""

    def test_same_posts_in_three_forms_are_one(self, tmp_path: Path) -> None:
        """Posts seen as views, in a feed, in Jetstream and as repo records are stored once each."""
        log = Log.open(tmp_path / "log.db", create=True)
        report = ingest(log, [str(POSTS), str(FEED), str(JETSTREAM), str(RECORDS)])
        published = {e.event.post.id for e in log.entries() if e.event.kind is Kind.PUBLISHED}
        assert len(published) == 7
        assert report.new == log.count() == 7 + 2 + 1 + 2  # + reposts (one with no uri), edit, deletes
        assert [w.line for w in report.warnings] == [239]
        assert report.unknown["bluesky: unknown record type identity"] == 1
        assert ingest(log, [str(JETSTREAM), str(POSTS)]).new == 0

    def test_bad_record_stops_unless_skipped(self, tmp_path: Path) -> None:
        """A truncated last line stops the ingest and leaves the log; skip_bad keeps the rest."""
        cut = tmp_path / "cut.jsonl"
        text = JETSTREAM.read_text()
        cut.write_text(text[: len(text) - 30])
        log = Log.open(tmp_path / "log.db", create=True)
        with pytest.raises(InputError, match=r"cut\.jsonl:10: not valid JSON"):
            ingest(log, [str(cut)])
        assert log.count() == 0
        report = ingest(log, [str(cut)], skip_bad=True)
        assert report.new == 6
        assert [n.line for n in report.skipped] == [10]


HYDRATED = "bluesky/twitwi__bluesky-hydrated-firehose-posts.json"
FIREHOSE = "bluesky/twitwi__bluesky-firehose-posts.json"

# (handle, display name, createdAt as UTC, precision, start of the text) of the nine sample posts,
# read off the hydrated file by hand.
SAMPLE_POSTS = [
    (
        "ultimatesexyman.bsky.social",
        "quote bot",
        "2025-12-05T10:16:59.783492",
        Precision.MICROSECOND,
        "all that",
    ),
    ("dxbgvv0mtf.bsky.social", None, "2025-12-08T12:28:07", Precision.MILLISECOND, "CLIQ Portable Chair"),
    (
        "butrovich.bsky.social",
        "Mike Butrovich 📸 🏴󠁧󠁢󠁷󠁬󠁳󠁿",
        "2025-12-08T12:28:06.864",
        Precision.MILLISECOND,
        "Beautiful colors.  🍁",
    ),
    (
        "aigamematome.bsky.social",
        "誠@AIゲームまとめ",
        "2025-12-08T12:28:08.150931",
        Precision.MICROSECOND,
        "シューティング",
    ),
    ("hansvaler.bsky.social", "Hans Valer", "2025-12-08T12:28:08.246", Precision.MILLISECOND, "Hurra (Huaa)"),
    (
        "dietitianonline.bsky.social",
        "Dr Sandra Frank",
        "2025-12-08T12:28:06.706",
        Precision.MILLISECOND,
        "Which is",
    ),
    (
        "evilspacecow.bsky.social",
        "Martin Wagner",
        "2025-12-08T12:28:09.263",
        Precision.MILLISECOND,
        "Today there",
    ),
    (
        "houseofbast777.bsky.social",
        "Susan DuBose",
        "2025-12-08T12:28:07.671",
        Precision.MILLISECOND,
        '"There are',
    ),
    ("misscarbery.bsky.social", None, "2025-12-08T12:28:00.086", Precision.MILLISECOND, "Nursery - We’re"),
]


class TestSamples:
    """The twitwi Bluesky samples: the same nine posts hydrated and from the firehose."""

    def test_hydrated_posts(self, samples: Path) -> None:
        """Nine PUBLISHED posts with the authors, times and texts read in the file."""
        document = Document.open(str(samples / HYDRATED))
        assert formats.choose(document) is bluesky
        items = read(bluesky, document)
        assert notices_of(items) == []
        events = events_of(items)
        assert [(e.post.author.handle, e.post.author.name, e.occurred_at, e.precision) for e in events] == [
            (handle, name, at(time), precision) for handle, name, time, precision, _ in SAMPLE_POSTS
        ]
        for event, (*_, start) in zip(events, SAMPLE_POSTS, strict=True):
            assert event.post.text.startswith(start)

    def test_firehose_gives_the_same_event_ids(self, samples: Path, tmp_path: Path) -> None:
        """The firehose form of the nine posts adds nothing to a log holding the hydrated form."""
        firehose = events_of(read(bluesky, samples / FIREHOSE))
        hydrated = events_of(read(bluesky, samples / HYDRATED))
        assert [e.post.id for e in firehose] == [e.post.id for e in hydrated]
        assert [(e.occurred_at, e.post.text) for e in firehose] == [
            (e.occurred_at, e.post.text) for e in hydrated
        ]
        assert {e.post.author.handle for e in firehose} == {
            e.post.id.split("/")[2] for e in firehose if e.post.id
        }
        log = Log.open(tmp_path / "log.db", create=True)
        assert ingest(log, [str(samples / HYDRATED)]).new == 9
        again = ingest(log, [str(samples / FIREHOSE)])
        assert (again.found, again.new) == (9, 0)

    def test_facets(self, samples: Path) -> None:
        """Tags, mentions (mapped to handles through the text) and links, with the shortened link expanded."""
        events = events_of(read(bluesky, samples / HYDRATED))
        assert events[1].post.hashtags == ("outdoor", "hiking", "CLIQ", "lightweight")
        assert events[1].post.urls == ("https://www.amazon.com/dp/B0B8H1C4GM?tag=douglas0bd0-20",)  # the card
        assert events[1].post.lang == "en-US"
        assert events[4].post.hashtags == ("Regionaljournal", "Radio", "SRF")
        assert events[5].post.urls == ("https://sm.eatright.org/soapvsanitizer",)
        assert "learn more: sm.eatright.org/soapvsanitizer  #eatright" in events[5].post.text  # not shortened
        long_link = (
            "https://www.germanistik.uni-rostock.de/forschung/digital-humanities/rosdh/ringvorlesung/2025-26/n/"
            "disiecta-membra-als-disiecta-data-herausforderungen-in-einem-archaeologischen-langzeitvorhaben-245593/"
        )
        assert events[6].post.text.endswith("Don't miss it! " + long_link)
        assert events[6].post.urls == (long_link,)
        assert events[8].post.mentions == ("hareleeshillps.bsky.social", "hlhnursery255.bsky.social")
        assert (
            events[2].post.reply_to
            == "at://did:plc:4h65nhr2m7biwnispzw7ewqg/app.bsky.feed.post/3m7hfm6ym5s2z"
        )
        assert events[0].post.lang is None
