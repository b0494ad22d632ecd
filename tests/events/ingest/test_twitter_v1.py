"""The Twitter v1.1 importer: extended and compat mode, retweets, quotes, edits, deletes, and the samples."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.codec import event_id
from events.errors import InputError
from events.ingest import formats, twitter_v1
from events.ingest.base import Level
from events.ingest.document import Document
from events.ingest.driver import ingest
from events.model import Author, Event, Kind, Precision
from events.store import Log
from tests.events.ingest.reading import FIXTURES, events_of, kinds_of, notices_of, read, text_document

HERE = FIXTURES / "twitter_v1"
REST = HERE / "rest_extended.json"
STREAM = HERE / "stream_compat.jsonl"


def at(text: str) -> datetime:
    """A UTC time from "YYYY-MM-DD HH:MM:SS"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def summary(event: Event) -> tuple[str, str | None, str, datetime, str]:
    """(kind, id, handle, time, text) of an event, to compare in one line."""
    post = event.post
    return event.kind.value, post.id, post.author.handle, event.occurred_at, post.text


def test_extended_mode_array() -> None:
    """A REST array in extended mode gives each tweet's events, embedded tweets first, in file order."""
    events = events_of(read(twitter_v1, REST))
    assert [summary(event) for event in events] == [
        (
            "post.published",
            "808369588729630720",
            "dana_news",
            at("2016-12-12 17:58:41"),
            "Convoy & buses waiting at the crossing since dawn. Live updates: "
            "https://news.example.org/live/aleppo?from=tw&lang=en #Aleppo",
        ),
        (
            "post.reposted",
            "808371216584507392",
            "carol_reads",
            at("2016-12-12 18:05:09"),
            "Convoy & buses waiting at the crossing since dawn. Live updates: "
            "https://news.example.org/live/aleppo?from=tw&lang=en #Aleppo",
        ),
        (
            "post.published",
            "808374953143193600",
            "eve_w",
            at("2016-12-12 18:20:00"),
            "@dana_news @carol_reads Thank you for staying on this all night > everyone else.",
        ),
        (
            "post.published",
            "808339755500000000",
            "mapmaker",
            at("2016-12-12 16:00:00"),
            "Updated map of the eastern districts, 12 Dec 18:00",
        ),
        (
            "post.published",
            "808377594000000000",
            "fred_on_site",
            at("2016-12-12 18:30:30"),
            "This is the map everyone should see",
        ),
        (
            "post.published",
            "808385000000000000",
            "dana_news",
            at("2016-12-12 19:00:00"),
            "The convoy left at 17:00 #Aleppo",
        ),
        (
            "post.edited",
            "808385000000000000",
            "dana_news",
            at("2016-12-12 19:03:20"),
            "Correction: the convoy left at 18:00, not 17:00 #Aleppo",
        ),
        (
            "post.published",
            "808387559000000000",
            "carol_reads",
            at("2016-12-12 19:10:10"),
            "RT @mapmaker: Updated map of the eastern districts — please share",
        ),
        (
            "post.published",
            "808390000000000000",
            "fred_on_site",
            at("2016-12-12 19:20:00"),
            "Thread 🧵 on what happens next: https://example.org/next?a=1&lt=2&amp=3",
        ),
    ]
    assert {event.precision for event in events} == {Precision.SECOND}
    assert [event.post.source.line for event in events] == [2, 2, 97, 180, 180, 265, 313, 356, 393]
    assert {event.post.source.format for event in events} == {"twitter-v1"}


def test_retweet_is_a_repost_of_the_embedded_original() -> None:
    """A retweet: the retweeter at the retweet's time, the original's content, repost_of the original."""
    original, repost = events_of(read(twitter_v1, REST))[:2]
    assert repost.post.author == Author(handle="carol_reads", name="Carol Reads")
    assert repost.post.repost_of == original.post.id == "808369588729630720"
    assert repost.post.hashtags == original.post.hashtags == ("Aleppo",)
    assert repost.post.urls == ("https://news.example.org/live/aleppo?from=tw&lang=en",)
    assert original.post.author == Author(handle="dana_news", name="Dana News")


def test_reply_keeps_its_mentions_and_loses_the_photo_link() -> None:
    """display_text_range hides leading mentions and the photo: the mentions stay, the photo link goes."""
    reply = events_of(read(twitter_v1, REST))[2]
    assert reply.post.reply_to == "808369588729630720"
    assert reply.post.mentions == ("dana_news", "Carol_Reads")
    assert reply.post.urls == ()


def test_quote_embeds_the_quoted_tweet_and_drops_the_appended_link() -> None:
    """The quoted tweet is published at its own time; the quote keeps quote_of, not the link."""
    quoted, quote = events_of(read(twitter_v1, REST))[3:5]
    assert quote.post.quote_of == quoted.post.id == "808339755500000000"
    assert quoted.occurred_at < quote.occurred_at
    assert quote.post.urls == () and quoted.post.urls == ()


def test_edited_tweet_is_keyed_by_its_first_version() -> None:
    """The later version of an edited tweet is EDITED under the first version's id, at its own time."""
    first, edit = events_of(read(twitter_v1, REST))[5:7]
    assert (first.kind, edit.kind) == (Kind.PUBLISHED, Kind.EDITED)
    assert edit.post.id == first.post.id
    assert event_id(edit) != event_id(first)


def test_manual_retweet_stays_published_text() -> None:
    """ "RT @" typed by hand, without retweeted_status, is text the account published."""
    manual = events_of(read(twitter_v1, REST))[7]
    assert (manual.kind, manual.post.repost_of, manual.post.mentions) == (Kind.PUBLISHED, None, ("mapmaker",))


def test_und_language_is_no_language() -> None:
    """Twitter's "und" (undetermined) is not a language: lang is None."""
    assert events_of(read(twitter_v1, REST))[-1].post.lang is None


def test_compat_mode_stream() -> None:
    """Streaming lines in compat mode: full text from extended_tweet, deletes, other messages counted."""
    items = read(twitter_v1, STREAM)
    events = events_of(items)
    assert kinds_of(events) == [
        Kind.PUBLISHED,
        Kind.PUBLISHED,
        Kind.PUBLISHED,
        Kind.PUBLISHED,
        Kind.REPOSTED,
        Kind.DELETED,
        Kind.DELETED,
    ]
    long = events[0]
    assert long.post.text == (
        "@dana_news Everyone who left the eastern districts tonight is being registered at the crossing & "
        "sent on to the camps in the west; the queue is several kilometres long and people have waited "
        "since the afternoon without water. #Aleppo #Evacuation"
    )
    assert long.post.hashtags == ("Aleppo", "Evacuation")
    assert long.post.mentions == ("dana_news",)
    assert long.occurred_at == at("2016-12-12 20:00:00")  # created_at, not the stream's timestamp_ms
    [unknown] = notices_of(items, Level.UNKNOWN)
    assert (unknown.line, unknown.message) == (4, "twitter-v1: unknown record type limit")


def test_delete_notices() -> None:
    """A delete is DELETED at timestamp_ms; one without a time is placed at the event read before it."""
    first, second = events_of(read(twitter_v1, STREAM))[-2:]
    assert (first.post.id, first.post.author.handle, first.post.text) == ("808390000000000000", "id:5555", "")
    assert (first.occurred_at, first.precision) == (at("2016-12-12 20:03:20.250"), Precision.MILLISECOND)
    assert (second.post.id, second.post.author.handle) == ("808387559000000000", "id:2222")
    assert (second.occurred_at, second.precision) == (first.occurred_at, first.precision)


def test_delete_without_any_time_is_bad() -> None:
    """A delete with no timestamp_ms and nothing before it to place it after cannot be placed."""
    notice = '{"delete": {"status": {"id_str": "1", "user_id_str": "2"}}}\n'
    [bad] = notices_of(read(twitter_v1, text_document(notice)), Level.BAD)
    assert bad.message == "delete notice without timestamp_ms, and no earlier event to place it after"


def test_compat_and_extended_forms_are_one_post() -> None:
    """The same tweet read in compat mode (stream) and extended mode (REST) gives the same event."""
    rest = {event_id(event): event for event in events_of(read(twitter_v1, REST))}
    stream = [event for event in events_of(read(twitter_v1, STREAM)) if event_id(event) in rest]
    assert len(stream) == 4  # the quote, the quoted map, the retweet and its original
    for event in stream:
        twin = rest[event_id(event)]
        assert (event.kind, event.occurred_at, event.post.text, event.post.urls) == (
            twin.kind,
            twin.occurred_at,
            twin.post.text,
            twin.post.urls,
        )
        assert (event.post.hashtags, event.post.mentions, event.post.quote_of) == (
            twin.post.hashtags,
            twin.post.mentions,
            twin.post.quote_of,
        )


def test_one_object() -> None:
    """A file holding a single pretty-printed tweet object."""
    [event] = events_of(read(twitter_v1, HERE / "single_tweet.json"))
    assert (event.post.id, event.post.source.line) == ("808387559000000000", 1)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ('"just a string"', "expected a tweet object, got a string"),
        ('{"id_str": "5", "text": "hi", "user": {"screen_name": "a"}}', "tweet 5 has no created_at"),
        ('{"id_str": "5", "created_at": "yesterday", "text": "hi"}', "not a Twitter time: 'yesterday'"),
        ('{"created_at": "Wed Oct 10 20:19:24 +0000 2018", "text": "hi"}', "tweet has no id_str"),
        ('{"id_str": "5", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}', "tweet 5 has no text"),
        ('{"id_str": "x5", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}', "id_str is not an id: 'x5'"),
        ('{"id_str": "\u0665", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}', "id_str is not an id: '٥'"),
        ('{"delete": {"status": {"user_id_str": "2"}, "timestamp_ms": "1"}}', "delete notice without the"),
    ],
)
def test_malformed_tweet_is_a_bad_record(record: str, message: str) -> None:
    """A record that is not a readable tweet is a BAD notice at its line; the next line still reads."""
    good = json.dumps(json.loads(HERE.joinpath("single_tweet.json").read_text()))
    items = read(twitter_v1, text_document(f"{good}\n{record}\n{good}\n"))
    assert len(events_of(items)) == 2
    [bad] = notices_of(items, Level.BAD)
    assert bad.line == 2
    assert bad.message.startswith(message)


def test_user_id_without_user_object() -> None:
    """A tweet whose user is only an id gets the author "id:<user id>"; with nothing, "unknown"."""
    base = {"id_str": "9", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "text": "hello"}
    with_id = json.dumps({**base, "user": {"id_str": "42"}})
    without = json.dumps({**base, "id_str": "10"})
    first, second = events_of(read(twitter_v1, text_document(f"{with_id}\n{without}\n")))
    assert (first.post.author.handle, second.post.author.handle) == ("id:42", "unknown")


def test_auto_detection() -> None:
    """--format auto picks twitter-v1 for every fixture and for nothing in the other Twitter fixtures."""
    for path in HERE.iterdir():
        assert formats.choose(Document.open(str(path))).name == "twitter-v1", path
    for other in ("twitter_v2", "x_archive/archive/data"):
        for path in (FIXTURES / other).iterdir():
            assert formats.choose(Document.open(str(path))).name != "twitter-v1", path


# -- end to end, into a real log ------------------------------------------------------------------


def test_ingest_twice_appends_nothing_new(tmp_path: Path) -> None:
    """Ingesting the same files again finds the same events and appends none."""
    log = Log.open(tmp_path / "log.db", create=True)
    first = ingest(log, [str(REST), str(STREAM)])
    again = ingest(log, [str(REST), str(STREAM)])
    assert (first.found, first.new) == (16, 12)  # four of the stream's events are REST's tweets again
    assert (again.new, again.present, again.head) == (0, 16, first.head)
    assert first.unknown == {"twitter-v1: unknown record type limit": 1}


def test_bad_record_stops_and_skip_bad_goes_on(tmp_path: Path) -> None:
    """A bad line stops the ingest with file:line and appends nothing; --skip-bad appends the rest."""
    path = tmp_path / "tweets.jsonl"
    path.write_text(STREAM.read_text() + '{"id_str": "1", "text": "no time"}\n')
    log = Log.open(tmp_path / "log.db", create=True)
    with pytest.raises(InputError) as caught:
        ingest(log, [str(path)])
    assert str(caught.value) == f"{path}:7: tweet 1 has no created_at"
    assert log.count() == 0
    report = ingest(log, [str(path)], skip_bad=True)
    assert (report.new, [notice.line for notice in report.skipped]) == (7, [7])


# -- the real samples in ../shared/samples/twitter_v1 ----------------------------------------------


def test_sample_twitter_to_sqlite(samples: Path) -> None:
    """3 extended-mode tweets: a retweet (and its original), a reply, a quote (and the quoted tweet)."""
    events = events_of(read(twitter_v1, samples / "twitter_v1/twitter-to-sqlite__tweets.json"))
    assert [(event.kind, event.post.id, event.post.author.handle) for event in events] == [
        (Kind.PUBLISHED, "1169242008432644097", "drvox"),
        (Kind.REPOSTED, "1169246717864136705", "simonw"),
        (Kind.PUBLISHED, "1169196446043664385", "simonw"),
        (Kind.PUBLISHED, "861696799362478085", "bwhitman"),
        (Kind.PUBLISHED, "1168529001599533057", "simonw"),
    ]
    original, repost, reply, quoted, quote = events
    assert original.post.text.startswith("My new post: an explainer on “carbon capture & utilization” (CCU).")
    assert original.post.text.endswith(
        "https://www.vox.com/energy-and-environment/2019/9/4/20829431/climate-change-carbon-capture-"
        "utilization-sequestration-ccu-ccs?utm_campaign=drvox&utm_content=chorus&utm_medium=social"
        "&utm_source=twitter"
    )
    assert (repost.post.text, repost.post.repost_of) == (original.post.text, original.post.id)
    assert repost.occurred_at == at("2019-09-04 13:51:55")
    assert reply.post.text.startswith("@scientiffic @Wikipedia @unsplash @cagarrity The @inaturalist API")
    assert reply.post.urls == (
        "http://www.owlsnearme.com",
        "https://24ways.org/2018/observable-notebooks-and-inaturalist/",
    )
    assert reply.post.reply_to == "1169079390577319937"
    assert reply.post.mentions[:4] == ("scientiffic", "Wikipedia", "unsplash", "cagarrity")
    assert quote.post.quote_of == quoted.post.id
    assert quote.post.text.endswith("the /tmp/picblast folder can take multiple GB")
    assert quoted.post.text == (
        "If you use Photos (mac) & Live Photos, run this command to generate a lovely sound collage of "
        "where you’ve been https://gist.github.com/bwhitman/5be2f905556a25145dbac74fe4080739"
    )
    assert quoted.occurred_at == at("2017-05-08 21:38:21")


def test_sample_python_twitter_modes(samples: Path) -> None:
    """The compat and the extended form of one tweet: one event id, the extended text fuller."""
    folder = samples / "twitter_v1"
    [compat] = events_of(read(twitter_v1, folder / "python-twitter__extended_tweet_in_compat_mode.json"))
    [extended] = events_of(read(twitter_v1, folder / "python-twitter__extended_tweet_in_extended_mode.json"))
    assert event_id(compat) == event_id(extended)
    assert compat.post.text == (
        "has more details about these changes.  Thanks for making more expressive!writing requirements "
        "to python_twitt pytho…"
    )
    assert extended.post.text == (
        "has more details about these changes.  Thanks for making more expressive!writing requirements "
        "to python_twitt python_twitter.egg-info/SOURCE"
    )
    assert compat.occurred_at == extended.occurred_at == at("2016-10-03 00:23:22")
    assert (
        compat.post.author == extended.post.author == Author(handle="notinourselves", name="notinourselves")
    )


def test_sample_get_mentions(samples: Path) -> None:
    """19 mentions (one quotes a tweet it embeds): manual "RT @" stays published, replies keep reply_to."""
    events = events_of(read(twitter_v1, samples / "twitter_v1/python-twitter__get_mentions.json"))
    assert len(events) == 21  # 19 tweets and the 2 tweets they quote
    assert set(kinds_of(events)) == {Kind.PUBLISHED}
    by_id = {event.post.id: event for event in events}
    manual = by_id["671005208403705858"]
    assert manual.post.text == (
        "RT @himawari8bot: Coordinates: (16.955546925758043, 118.55342349640065); http://osm.org/go/42Ah8--?m"
    )
    assert (manual.post.repost_of, manual.post.reply_to) == (None, "670983005054353408")
    assert by_id["670894684365914114"].post.text.startswith("Wind shear, open cell cumulus, & others ☺ MT")
    assert by_id["668698218901979136"].post.hashtags == ("космос",)
    assert by_id["674691080227540993"].post.quote_of == "674686215954808832"
    assert by_id["676148312349609985"].occurred_at == at("2015-12-13 21:14:54")
    assert by_id["676148312349609985"].post.author.handle == "spacefordoubt"


def test_sample_search_and_stream_payloads_are_one_post(samples: Path) -> None:
    """The same retweet from search (extended) and from the stream (compat) gives the same three events."""
    folder = samples / "twitter_v1"
    search = events_of(read(twitter_v1, folder / "twitwi__normalization-payload-search.json"))
    stream = events_of(read(twitter_v1, folder / "twitwi__normalization-payload-stream.json"))
    assert [event_id(event) for event in search] == [event_id(event) for event in stream]
    assert [event.post.text for event in search] == [event.post.text for event in stream]
    quoted, original, repost = stream
    assert (quoted.post.author.handle, original.post.author.handle) == ("MaximCombes", "ericcoquerel")
    assert (repost.kind, repost.post.author.handle, repost.post.repost_of) == (
        Kind.REPOSTED,
        "RaidKarD",
        original.post.id,
    )
    assert original.post.quote_of == quoted.post.id
    assert original.post.text.endswith("contre 17,54 en moyenne pour les 300 plus grosses)")
    assert quoted.post.mentions == ("TotalEnergies", "bastamedia_")


def test_sample_twitwi_normalization(samples: Path, tmp_path: Path) -> None:
    """The 9 raw tweets under "source": texts as twitwi normalises them, entities only where they match."""
    raw = json.loads((samples / "twitter_v1/twitwi__normalization.json").read_text())
    lines = tmp_path / "sources.jsonl"
    lines.write_text("".join(json.dumps(item["source"]) + "\n" for item in raw))
    events = events_of(read(twitter_v1, lines))
    by_id = {event.post.id: event for event in events if event.kind is Kind.PUBLISHED}
    assert len(by_id) == 9  # 5 tweets (the AFP one twice), 2 retweeted originals, 2 quoted tweets
    afp = [event for event in events if event.post.id == "1529111439562223616"]
    assert len({event_id(event) for event in afp}) == 1
    assert afp[0].post.text.endswith("par la Haute autorité…")  # compat text, cut by Twitter
    assert by_id["1521934858360082434"].post.text == "Oh no."
    castex = by_id["1359485114112233472"]
    assert castex.post.text.endswith("les loyers de ces logements ne pourront être augmentés.")
    assert (castex.post.hashtags, castex.post.mentions) == ((), ())  # its entities are another tweet's
    retweet = next(event for event in events if event.kind is Kind.REPOSTED)
    assert retweet.post.text == by_id["1355046668995977219"].post.text
    assert retweet.post.text.endswith("GOP: Don't be mean.")
    # As a file, the samples' wrapper objects are not tweets: each is counted as an unknown record.
    unknown = notices_of(read(twitter_v1, samples / "twitter_v1/twitwi__normalization.json"), Level.UNKNOWN)
    assert {notice.message for notice in unknown} == {"twitter-v1: unknown record type normalized"}
    assert len(unknown) == 9


def test_samples_are_detected(samples: Path) -> None:
    """--format auto picks twitter-v1 for every sample in ../shared/samples/twitter_v1."""
    for path in sorted((samples / "twitter_v1").iterdir()):
        assert formats.choose(Document.open(str(path))).name == "twitter-v1", path
