"""The Mastodon importer: REST statuses, streaming events (JSON and server-sent text), outbox.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.errors import InputError
from events.ingest import document as document_module
from events.ingest import formats, mastodon
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

HERE = FIXTURES / "mastodon"
STATUSES = HERE / "statuses.json"
STREAMING = HERE / "streaming.jsonl"
EVENT_STREAM = HERE / "streaming.txt"
OUTBOX = HERE / "outbox.json"
ALICE_NOTE = "https://mastodon.example/users/alice/statuses/"


def at(text: str) -> datetime:
    """A UTC datetime from ISO text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class TestStatuses:
    """REST status entities (an array, as `GET /api/v1/accounts/:id/statuses` returns)."""

    def test_kinds_and_ids_in_file_order(self) -> None:
        """Each status gives its events; reblogs and quotes give the original first."""
        events = events_of(read(mastodon, STATUSES))
        assert [(e.kind, e.post.id) for e in events] == [
            (Kind.PUBLISHED, "111722000000000001"),
            (Kind.PUBLISHED, "111722000000000002"),
            (Kind.PUBLISHED, "111722000000000003"),
            (Kind.PUBLISHED, "111722000000000004"),
            (Kind.EDITED, "111722000000000004"),
            (Kind.PUBLISHED, "111721999999999999"),
            (Kind.REPOSTED, "111722000000000005"),
            (Kind.PUBLISHED, "111722000000000007"),
            (Kind.PUBLISHED, "111722000000000006"),
        ]
        assert notices_of(read(mastodon, STATUSES)) == []

    def test_html_becomes_text_with_line_breaks(self) -> None:
        """<br> is a line break, paragraphs a blank line, entities decoded once, links in full."""
        first = events_of(read(mastodon, STATUSES))[0]
        assert first.post.text == (
            "Good morning & welcome to the #FediTest thread!\nSecond line <3\n\n"
            "Read https://example.org/articles/2024/replay-events"
        )
        assert first.post.urls == ("https://example.org/articles/2024/replay-events",)
        assert first.post.hashtags == ("FediTest",)  # the author's spelling, not the lowercased tag
        assert first.post.author == Author(handle="alice", name="Alice Example")
        assert first.post.lang == "en"
        assert first.occurred_at == at("2024-01-15T09:00:00")
        assert first.precision is Precision.MILLISECOND
        assert first.post.source.format == "mastodon"
        assert first.post.source.line == 2

    def test_reply_mentions_are_accts(self) -> None:
        """A reply keeps in_reply_to_id; mentions are the accts, remote ones with their host."""
        reply = events_of(read(mastodon, STATUSES))[1]
        assert reply.post.reply_to == "111722000000000001"
        assert reply.post.mentions == ("alice", "carol@other.example")
        assert reply.post.author == Author(handle="bob@social.example", name=None)
        assert reply.post.text == "@alice Thanks! cc @carol"
        assert reply.occurred_at == datetime(2024, 1, 15, 9, 5, 30, 123000, tzinfo=UTC)

    def test_content_warning_stays_visible(self) -> None:
        """spoiler_text becomes a first paragraph "CW: ..."."""
        warned = events_of(read(mastodon, STATUSES))[2]
        assert warned.post.text == "CW: Spoilers for the finale\n\nThe butler did it."

    def test_edited_status_is_published_then_edited(self) -> None:
        """edited_at gives EDITED at that time beside PUBLISHED at created_at, both with the text."""
        published, edited = events_of(read(mastodon, STATUSES))[3:5]
        assert published.occurred_at == at("2024-01-15T10:00:00")
        assert edited.occurred_at == datetime(2024, 1, 15, 10, 12, 45, 500000, tzinfo=UTC)
        assert edited.post == published.post

    def test_reblog_is_reposted_by_the_reblogger(self) -> None:
        """The original is PUBLISHED at its time; REPOSTED carries its text, by the reblogger."""
        original, repost = events_of(read(mastodon, STATUSES))[5:7]
        assert original.post.author == Author(handle="dave@news.example", name="Dave News")
        assert original.occurred_at == at("2024-01-15T08:30:00")
        assert original.post.text == "Guten Morgen aus #Berlin!"
        assert original.post.lang == "de"
        assert repost.post.author == Author(handle="bob@social.example", name="Bob")
        assert repost.post.repost_of == "111721999999999999"
        assert repost.post.text == original.post.text
        assert repost.post.hashtags == ("Berlin",)
        assert repost.occurred_at == at("2024-01-15T11:00:00")

    def test_quote_keeps_the_quoted_status(self) -> None:
        """A quoted status embedded in full is PUBLISHED too, and the quote refers to it."""
        quoted, quote = events_of(read(mastodon, STATUSES))[7:9]
        assert quoted.post.author.handle == "carol@other.example"
        assert quote.post.quote_of == quoted.post.id == "111722000000000007"


class TestStreaming:
    """Streaming events as JSON Lines (`payload` a JSON string or an object) and as server-sent text."""

    def test_events_and_unknown_types(self) -> None:
        """update, delete and status.update are read; notification is counted as unknown."""
        items = read(mastodon, STREAMING)
        assert kinds_of(events_of(items)) == [
            Kind.PUBLISHED,
            Kind.PUBLISHED,
            Kind.DELETED,
            Kind.PUBLISHED,
            Kind.EDITED,
            Kind.DELETED,
            Kind.PUBLISHED,
        ]
        [unknown] = notices_of(items)
        assert (unknown.level, unknown.line) == (Level.UNKNOWN, 5)
        assert unknown.message == "mastodon: unknown record type notification"

    def test_payload_as_json_string(self) -> None:
        """The websocket form's payload, a JSON string, is decoded."""
        first = events_of(read(mastodon, STREAMING))[0]
        assert first.post.id == "111722100000000010"
        assert first.post.text == "Streaming hello from the #Fediverse"
        assert first.post.author == Author(handle="erin@remote.example", name="Erin ✨")

    def test_delete_takes_the_latest_time_read_before_it(self) -> None:
        """A delete carries no time: it takes the latest time before it, not the last one read."""
        delete = by_kind(events_of(read(mastodon, STREAMING)), Kind.DELETED)[0]
        assert delete.post.id == "111722100000000010"
        assert delete.post.author == Author(handle="unknown")
        assert delete.post.text == ""
        # line 2 (11:59:00) was read after line 1 (12:00:05), but 12:00:05 is the latest.
        assert delete.occurred_at == at("2024-01-15T12:00:05")
        assert delete.precision is Precision.MILLISECOND

    def test_delete_uses_queued_at_when_stamped(self) -> None:
        """A delete with the server's queued_at (epoch milliseconds) happens then."""
        delete = by_kind(events_of(read(mastodon, STREAMING)), Kind.DELETED)[1]
        assert delete.post.id == "111722000000000003"
        assert delete.occurred_at == at("2024-01-15T12:05:00")

    def test_status_update_is_an_edit(self) -> None:
        """status.update yields EDITED at edited_at with the new text."""
        edited = by_kind(events_of(read(mastodon, STREAMING)), Kind.EDITED)[0]
        assert edited.post.id == "111722100000000011"
        assert edited.post.text == "Bonjour à tout le monde !"
        assert edited.occurred_at == at("2024-01-15T12:03:00")

    def test_server_sent_text(self) -> None:
        """event:/data: blocks, with comments and heartbeats, give the same kinds of events."""
        items = read(mastodon, EVENT_STREAM)
        events = events_of(items)
        assert [(e.kind, e.post.id, e.post.source.line) for e in events] == [
            (Kind.PUBLISHED, "111722200000000020", 2),
            (Kind.PUBLISHED, "111722200000000021", 7),
            (Kind.DELETED, "111722200000000020", 10),
            (Kind.PUBLISHED, "111722200000000021", 13),
            (Kind.EDITED, "111722200000000021", 13),
        ]
        assert events[0].post.text == "Line one\nLine two"
        assert events[1].post.reply_to == "111722200000000020"
        assert events[2].occurred_at == at("2024-01-15T13:01:00")
        [unknown] = notices_of(items)
        assert unknown.message == "mastodon: unknown record type filters_changed"

    def test_delete_with_nothing_before_it_is_bad(self) -> None:
        """A delete that is the first event of its file has no time at all: a bad record."""
        document = text_document('{"event":"delete","payload":"1234"}\n')
        notice = only_notice(read(mastodon, document))
        assert notice.level is Level.BAD
        assert notice.message == "delete of 1234 has no time, and no event before it in the file has one"

    def test_status_update_without_edited_at_is_bad(self) -> None:
        """An edit that does not say when is refused."""
        status = json.loads(STATUSES.read_text())[0]
        line = json.dumps({"event": "status.update", "payload": json.dumps(status)})
        notice = only_notice(read(mastodon, text_document(line + "\n")))
        assert (notice.level, notice.message) == (Level.BAD, "status.update payload has no edited_at")

    def test_payload_that_is_not_json(self) -> None:
        """A payload string cut short is a bad record naming the problem."""
        cut = text_document('{"event":"update","payload":"{\\"id\\": \\"1"}\n')
        notice = only_notice(read(mastodon, cut))
        assert notice.level is Level.BAD
        assert notice.message.startswith("update payload is not valid JSON")


class TestOutbox:
    """The account export's outbox.json: an OrderedCollection of activities."""

    def test_activities(self) -> None:
        """Create, Announce, Update and Delete become events; Like is counted as unknown."""
        items = read(mastodon, OUTBOX)
        assert [(e.kind, e.post.id) for e in events_of(items)] == [
            (Kind.PUBLISHED, ALICE_NOTE + "111722000000000001"),
            (Kind.PUBLISHED, ALICE_NOTE + "111722000000000008"),
            (Kind.REPOSTED, ALICE_NOTE + "111722000000000009/activity"),
            (Kind.PUBLISHED, ALICE_NOTE + "111722000000000004"),
            (Kind.EDITED, ALICE_NOTE + "111722000000000004"),
            (Kind.EDITED, ALICE_NOTE + "111722000000000004"),
            (Kind.DELETED, ALICE_NOTE + "111722000000000003"),
            (Kind.DELETED, ALICE_NOTE + "111722000000000008"),
        ]
        [unknown] = notices_of(items)
        assert unknown.message == "mastodon: unknown record type Like"

    def test_on_one_line_longer_than_a_line_may_be(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An outbox written on one line is streamed like a pretty-printed one, whatever its length."""
        monkeypatch.setattr(document_module, "MAX_LINE_BYTES", 2000)
        monkeypatch.setattr(document_module, "SNIFF_BYTES", 1000)
        one_line = tmp_path / "outbox.json"
        one_line.write_text(json.dumps(json.loads(OUTBOX.read_text())))
        assert one_line.stat().st_size > 2000
        expected = [(e.kind, e.post.id) for e in events_of(read(mastodon, OUTBOX))]
        assert [(e.kind, e.post.id) for e in events_of(read(mastodon, one_line))] == expected

    def test_note_fields(self) -> None:
        """Author from the actor URI, text from HTML, tags, CW, reply and language."""
        first, reply = events_of(read(mastodon, OUTBOX))[:2]
        assert first.post.author == Author(handle="alice@mastodon.example")
        assert first.post.text == "Good morning & welcome to the #FediTest thread!\nSecond line <3"
        assert first.post.hashtags == ("FediTest",)
        assert first.post.lang == "en"
        assert (first.occurred_at, first.precision) == (at("2024-01-15T09:00:00"), Precision.SECOND)
        assert reply.post.text == "CW: Spoilers for the finale\n\n@bob The butler did it."
        assert reply.post.mentions == ("bob@social.example",)
        assert reply.post.reply_to == "https://social.example/users/bob/statuses/111722000000000002"

    def test_announce_of_a_bare_uri(self) -> None:
        """An Announce names the original only by URI: REPOSTED with repost_of and no text."""
        repost = events_of(read(mastodon, OUTBOX))[2]
        assert repost.post.repost_of == "https://news.example/users/dave/statuses/111721999999999999"
        assert repost.post.text == ""
        assert repost.occurred_at == at("2024-01-15T11:00:00")

    def test_updates(self) -> None:
        """A note with `updated` and an Update activity of the same moment give the same edit."""
        events = events_of(read(mastodon, OUTBOX))
        from_note, from_update = events[4:6]
        assert from_note.occurred_at == from_update.occurred_at == at("2024-01-15T10:13:20")
        assert from_update.post.text == "I finally received the parcel!"

    def test_delete_times(self) -> None:
        """A Tombstone Delete takes its signature's time; one with no time the latest before it."""
        tombstone, bare = by_kind(events_of(read(mastodon, OUTBOX)), Kind.DELETED)
        assert tombstone.occurred_at == at("2024-01-16T08:00:00")
        assert tombstone.post.author == Author(handle="alice@mastodon.example")
        assert bare.occurred_at == at("2024-01-16T08:00:00")

    def test_single_activity_and_bare_note(self) -> None:
        """A single Create, and a Note on its own, are read like outbox items."""
        outbox = json.loads(OUTBOX.read_text())
        create = outbox["orderedItems"][0]
        from_create = events_of(read(mastodon, text_document(json.dumps(create, indent=2))))
        from_note = events_of(read(mastodon, text_document(json.dumps(create["object"]))))
        assert [e.post for e in from_create] == [e.post for e in from_note]

    def test_bad_item_does_not_hide_the_others(self) -> None:
        """An item without a time is one bad record; the items after it are still read."""
        outbox = json.loads(OUTBOX.read_text())
        del outbox["orderedItems"][0]["object"]["published"]
        del outbox["orderedItems"][0]["published"]
        items = read(mastodon, text_document(json.dumps(outbox)))
        [bad] = notices_of(items, Level.BAD)
        assert (bad.line, bad.message) == (1, "orderedItems[0]: Note has no published time")
        assert len(events_of(items)) == 7

    def test_streamed_bad_item_is_named_by_its_line(self) -> None:
        """In a pretty-printed (streamed) outbox a bad item is reported at the line it starts on."""
        outbox = json.loads(OUTBOX.read_text())
        del outbox["orderedItems"][1]["object"]["published"]
        del outbox["orderedItems"][1]["published"]
        text = json.dumps(outbox, indent=2)
        # the first "    {" opens the @context map, the next ones the items
        second_item = [n for n, line in enumerate(text.splitlines(), 1) if line == "    {"][2]
        items = read(mastodon, text_document(text))
        [bad] = notices_of(items, Level.BAD)
        assert (bad.line, bad.message) == (second_item, "Note has no published time")
        assert len(events_of(items)) == 7

    def test_delete_with_no_time_at_all_is_bad(self) -> None:
        """A Delete that is the first item and carries no time cannot be placed."""
        delete = {"type": "Delete", "actor": "https://h.example/users/a", "object": "https://h.example/n/1"}
        notice = only_notice(read(mastodon, text_document(json.dumps(delete))))
        assert notice.level is Level.BAD
        assert "has no time" in notice.message


class TestBadRecords:
    """Malformed records become BAD notices with their line; reading goes on."""

    def test_missing_timestamp_wrong_type_and_truncated_line(self) -> None:
        """Three bad lines among good ones: each named, the good ones read."""
        status = json.loads(STATUSES.read_text())[2]
        no_time = {key: value for key, value in status.items() if key != "created_at"}
        wrong = dict(status, account="alice")
        cut = json.dumps(status)[:40]
        lines = [json.dumps(status), json.dumps(no_time), json.dumps(wrong), "[1, 2]", cut]
        items = read(mastodon, text_document("\n".join(lines)))
        assert len(events_of(items)) == 1
        assert [(n.line, n.message) for n in notices_of(items)] == [
            (2, "created_at is missing"),
            (3, "account must be an object, got a string"),
            (4, "expected a JSON object, got list"),
            (5, "not valid JSON: Unterminated string starting at (column 30)"),
        ]


class TestSniff:
    """`--format auto` picks mastodon for its documents and not for others."""

    @pytest.mark.parametrize("path", [STATUSES, STREAMING, EVENT_STREAM, OUTBOX])
    def test_fixtures(self, path: Path) -> None:
        """Every fixture is recognised."""
        assert formats.choose(Document.open(str(path))) is mastodon

    @pytest.mark.parametrize(
        "text",
        [
            "Breaking: the event was a success.\nMore at 11.\n",
            '{"id_str": "1", "text": "event: update", "user": {"screen_name": "x"}}\n',
            "id,created_at,text\n1,2,3\n",
        ],
    )
    def test_others(self, text: str) -> None:
        """Articles, tweets and CSV are not taken for Mastodon."""
        assert not mastodon.sniff(text_document(text))


class TestDriver:
    """End to end through the driver into a real log."""

    def test_ingest_is_idempotent_and_merges_forms(self, tmp_path: Path) -> None:
        """Re-ingest adds nothing; the same status from REST and from streaming is one event."""
        log = Log.open(tmp_path / "log.db", create=True)
        first = ingest(log, [str(STATUSES), str(STREAMING), str(EVENT_STREAM), str(OUTBOX)])
        assert first.formats == dict.fromkeys(
            [str(STATUSES), str(STREAMING), str(EVENT_STREAM), str(OUTBOX)], "mastodon"
        )
        # statuses 9; streaming 7 of which 2 already seen (status 1, the re-published 11); SSE 5 (1 seen);
        # outbox 8 of which one edit repeats.
        assert (first.found, first.new) == (29, 25)
        assert first.unknown == {
            "mastodon: unknown record type notification": 1,
            "mastodon: unknown record type filters_changed": 1,
            "mastodon: unknown record type Like": 1,
        }
        again = ingest(log, [str(STREAMING), str(STATUSES)])
        assert (again.new, again.present) == (0, 16)
        assert log.count() == 25

    def test_bad_record_stops_and_leaves_the_log(self, tmp_path: Path) -> None:
        """By default a bad record stops the ingest with file:line; skip_bad keeps the good ones."""
        bad = tmp_path / "stream.jsonl"
        good = STREAMING.read_text().splitlines()
        bad.write_text("\n".join([good[0], '{"event":"update","payload":{"id":"9"}}', good[1]]) + "\n")
        log = Log.open(tmp_path / "log.db", create=True)
        with pytest.raises(InputError) as caught:
            ingest(log, [str(bad)])
        assert str(caught.value) == f"{bad}:2: account must be an object, got nothing"
        assert log.count() == 0
        report = ingest(log, [str(bad)], skip_bad=True)
        assert report.new == 2
        skipped = [(n.line, n.message) for n in report.skipped]
        assert skipped == [(2, "account must be an object, got nothing")]


STREAM_SAMPLES = "mastodon/flodgatt_streaming/msg.event_txt_00{}.txt"

# (file number, id, acct, display name, created_at, language, text) read off the flodgatt files by hand.
FLODGATT_UPDATES = [
    (
        1,
        "102775370117886890",
        "federationbot@mastodon.host",
        "Federation Bot",
        "2019-09-11T18:42:19",
        "en",
        "Trending tags:\n#neverforget\n#4styles\n#newpipe\n#uber\n#mercredifiction",
    ),
    (
        2,
        "104072549781970698",
        "aljazeera_english@newsbots.eu",
        "Al Jazeera English",
        "2020-04-27T20:58:02",
        "en",
        "**Far-right governor defies Rome, lifts Venice lockdown early**\n\n"
        "\"Veneto's governor, Luca Zaia, of the far-rght League party, says keeping restrictions in place "
        "risks 'social conflict'.\"\n\n"
        "https://www.aljazeera.com/news/2020/04/governor-defies-rome-lifts-venice-lockdown-early-"
        "200427171844336.html\n\n#news #bot",
    ),
    (
        3,
        "104072557586605107",
        "it_was_inevitable@botsin.space",
        "Sentient Dwarf Fortress",
        "2020-04-27T21:00:00",
        "en",
        "I just wish to help somebody.  I'm uneasy.\n\n— Mörul Zedotmedtob, Cook",
    ),
    (
        5,
        "104072561966487967",
        "telesur_es@newsbots.eu",
        "teleSUR TV (Extraoficial)",
        "2020-04-27T21:01:05",
        "es",
        "Autoridades internacionales de la #FórmulaUno decidieron suspender el Gran Premio de #Francia, "
        "que se celebraría el próximo 28 de junio\n\nAnte esta decisión, la primera parada del Campeonato "
        "del Mundo será el Gran Premio de Austria  https://www.telesurtv.net/news/suspendido-gran-premio-"
        "francia-formula-uno-covid-20200427-0011.html",
    ),
    (
        6,
        "104072567176319159",
        "UnitooWebRadio@botsin.space",
        "(BoT) Radio Unitoo",
        "2020-04-27T21:00:34",
        "en",
        "🎶 #NowPlaying\nWar\nby GoSoundtrack\nListeners: 0\nhttps://radio.unitoo.it/public/liveradio",
    ),
]


class TestSamples:
    """The real files in ../shared/samples/mastodon."""

    @pytest.mark.parametrize(("number", "id_", "acct", "name", "created", "lang", "text"), FLODGATT_UPDATES)
    def test_flodgatt_updates(
        self, samples: Path, number: int, id_: str, acct: str, name: str, created: str, lang: str, text: str
    ) -> None:
        """Each `update` event is one PUBLISHED post with the text, author, time and language read there."""
        document = Document.open(str(samples / STREAM_SAMPLES.format(number)))
        assert formats.choose(document) is mastodon
        event = only_event(read(mastodon, document))
        assert event.kind is Kind.PUBLISHED
        assert event.post.id == id_
        assert event.post.author == Author(handle=acct, name=name)
        assert (event.occurred_at, event.precision) == (at(created), Precision.MILLISECOND)
        assert event.post.lang == lang
        assert event.post.text == text

    def test_flodgatt_hashtags_keep_the_authors_spelling(self, samples: Path) -> None:
        """`tags` lists "francia" and "nowplaying"; the posts say #Francia and #NowPlaying."""
        five = events_of(read(mastodon, samples / STREAM_SAMPLES.format(5)))[0]
        six = events_of(read(mastodon, samples / STREAM_SAMPLES.format(6)))[0]
        one = events_of(read(mastodon, samples / STREAM_SAMPLES.format(1)))[0]
        assert five.post.hashtags == ("FórmulaUno", "Francia")
        assert six.post.hashtags == ("NowPlaying",)
        assert one.post.hashtags == ("neverforget", "4styles", "newpipe", "uber", "mercredifiction")
        assert six.post.urls == ("https://radio.unitoo.it/public/liveradio",)

    def test_flodgatt_delete_alone_has_no_time(self, samples: Path) -> None:
        """The lone `delete` file (a bare id, no time, nothing before it) is one bad record."""
        notice = only_notice(read(mastodon, samples / STREAM_SAMPLES.format(4)))
        assert notice.level is Level.BAD
        assert notice.line == 1
        assert "104061222412800865" in notice.message

    def test_flodgatt_stream_in_arrival_order(self, samples: Path, tmp_path: Path) -> None:
        """The six files as one stream: the delete takes the latest time before it (21:00:00)."""
        stream = tmp_path / "stream.jsonl"
        files = [samples / STREAM_SAMPLES.format(n) for n in range(1, 7)]
        stream.write_text("".join(path.read_text().strip() + "\n" for path in files))
        events = events_of(read(mastodon, stream))
        assert kinds_of(events) == [Kind.PUBLISHED] * 3 + [Kind.DELETED] + [Kind.PUBLISHED] * 2
        delete = events[3]
        assert delete.post.id == "104061222412800865"
        assert (delete.occurred_at, delete.precision) == (at("2020-04-27T21:00:00"), Precision.MILLISECOND)
        log = Log.open(tmp_path / "log.db", create=True)
        assert ingest(log, [str(stream)]).new == 6

    def test_lemmy_create_note(self, samples: Path) -> None:
        """Create{Note}: a reply by felix@mastodon.madrid mentioning retiolus@mamot.fr."""
        document = Document.open(str(samples / "mastodon/lemmy-assets__activities_create_note.json"))
        assert formats.choose(document) is mastodon
        event = only_event(read(mastodon, document))
        assert event.kind is Kind.PUBLISHED
        assert event.post.id == "https://mastodon.madrid/users/felix/statuses/107224289116410645"
        assert event.post.author == Author(handle="felix@mastodon.madrid")
        assert event.post.reply_to == "https://mamot.fr/users/retiolus/statuses/107224244380204526"
        assert event.post.mentions == ("retiolus@mamot.fr",)
        assert event.post.text == (
            "@retiolus i have never been disappointed by a thinkpad. if you want to save money, get a model "
            "from a few years ago, there isnt a huge difference anyway."
        )
        assert (event.occurred_at, event.precision) == (at("2021-11-05T11:46:50"), Precision.SECOND)
        assert event.post.lang == "en"

    def test_lemmy_delete(self, samples: Path) -> None:
        """Delete{Tombstone} without `published`: placed at its signature's creation time."""
        document = Document.open(str(samples / "mastodon/lemmy-assets__activities_delete.json"))
        assert formats.choose(document) is mastodon
        event = only_event(read(mastodon, document))
        assert event.kind is Kind.DELETED
        assert event.post.id == "https://mastodon.madrid/users/felix/statuses/107773559874184870"
        assert event.post.author == Author(handle="felix@mastodon.madrid")
        assert event.occurred_at == at("2022-02-10T11:54:18")

    def test_lemmy_bare_note(self, samples: Path) -> None:
        """A Note on its own: KDE's third post of a thread, with a mention, a link and an emoji."""
        document = Document.open(str(samples / "mastodon/lemmy-assets__objects_note_2.json"))
        assert formats.choose(document) is mastodon
        event = only_event(read(mastodon, document))
        assert event.kind is Kind.PUBLISHED
        assert event.post.author == Author(handle="kde@floss.social")
        assert event.post.text == (
            "@kde@lemmy.kde.social\n\nWe also need funding 💶 to keep the gears turning! Please support us "
            "with a donation:\n\nhttps://kde.org/donate/\n\n[3/3]"
        )
        assert event.post.mentions == ("kde@lemmy.kde.social",)
        assert event.post.urls == ("https://kde.org/donate/",)
        assert event.post.reply_to == "https://floss.social/users/kde/statuses/113306824627995724"
        assert event.occurred_at == at("2024-10-14T16:57:15")
