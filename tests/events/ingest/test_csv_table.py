"""The CSV importer: twarc json2csv and twitwi tables, multi-line fields, bad rows at their line."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.errors import InputError
from events.ingest import csv_table, formats
from events.ingest.base import Level
from events.ingest.document import Document
from events.ingest.driver import ingest
from events.model import Author, Kind, Precision
from events.store import Log
from tests.events.ingest.reading import FIXTURES, events_of, notices_of, only_notice, read, text_document

HERE = FIXTURES / "csv"
JSON2CSV = HERE / "json2csv.csv"
TWITWI = HERE / "twitwi.csv"


def at(text: str) -> datetime:
    """A UTC datetime from ISO text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def json2csv_lines() -> list[str]:
    """The json2csv fixture's header line and its first, one-line-long, reply row."""
    lines = JSON2CSV.read_text().splitlines()
    return [lines[0], lines[4]]


class TestJson2csv:
    """twarc's json2csv columns."""

    def test_rows_at_their_first_physical_line(self) -> None:
        """Each row's event names the line it starts on, multi-line text fields included."""
        events = events_of(read(csv_table, JSON2CSV))
        assert [(e.post.source.line, e.kind, e.post.id) for e in events] == [
            (2, Kind.PUBLISHED, "1500000000000000001"),
            (5, Kind.PUBLISHED, "1500000000000000002"),
            (6, Kind.PUBLISHED, "1500000000000000003"),
            (8, Kind.REPOSTED, "1500000000000000004"),
            (11, Kind.REPOSTED, "1500000000000000005"),
        ]
        assert {e.post.platform for e in events} == {"twitter"}
        assert {e.post.source.format for e in events} == {"csv"}

    def test_original(self) -> None:
        """Entities decoded once, newlines kept, hashtags and urls from their columns."""
        first = events_of(read(csv_table, JSON2CSV))[0]
        assert (
            first.post.text
            == "Flooding on Main St & 5th. Stay safe!\n\n#flood #StormWatch https://t.co/abc123"
        )
        assert first.post.hashtags == ("flood", "StormWatch")
        assert first.post.urls == ("https://example.org/flood-map",)
        assert first.post.author == Author(handle="ana_reports", name="Ana Reports")
        assert (first.occurred_at, first.precision) == (at("2022-03-01T09:00:00"), Precision.SECOND)
        assert first.post.lang == "en"

    def test_reply_and_quote(self) -> None:
        """in_reply_to_status_id and a quote's retweet_or_quote_id become references."""
        _, reply, quote, *_ = events_of(read(csv_table, JSON2CSV))
        assert reply.post.reply_to == "1500000000000000001"
        assert reply.post.mentions == ("ana_reports",)
        assert reply.post.author == Author(handle="ben_local", name='Ben, "the local"')
        assert quote.post.quote_of == "1500000000000000001"
        assert quote.post.text == 'Confirmed by the city:\n"All bridges closed until noon." https://t.co/q1'

    def test_retweets(self) -> None:
        """A retweet row is REPOSTED of retweet_or_quote_id, with the original's text and no "RT @"."""
        retweet, with_prefix = events_of(read(csv_table, JSON2CSV))[3:]
        assert retweet.post.repost_of == "1500000000000000001"
        assert retweet.post.author.handle == "ben_local"
        assert retweet.occurred_at == at("2022-03-01T10:00:00")
        assert with_prefix.post.repost_of == "1500000000000000003"
        assert with_prefix.post.text.startswith("Confirmed by the city:")
        assert with_prefix.post.mentions == ()


class TestTwitwi:
    """twitwi's export columns."""

    def test_events(self) -> None:
        """A retweet with the original's time gives the original first; one without does not."""
        events = events_of(read(csv_table, TWITWI))
        assert [(e.post.source.line, e.kind, e.post.id) for e in events] == [
            (2, Kind.PUBLISHED, "1500000000000000101"),
            (4, Kind.PUBLISHED, "1500000000000000102"),
            (5, Kind.PUBLISHED, "1500000000000000101"),
            (5, Kind.REPOSTED, "1500000000000000103"),
            (7, Kind.REPOSTED, "1500000000000000104"),
            (8, Kind.PUBLISHED, "1500000000000000105"),
        ]

    def test_epoch_seconds_in_utc(self) -> None:
        """timestamp_utc is read as UTC; local_time (no offset) is not used; a fraction is kept."""
        events = events_of(read(csv_table, TWITWI))
        assert (events[0].occurred_at, events[0].precision) == (at("2022-03-01T09:00:00"), Precision.SECOND)
        assert events[-1].occurred_at == datetime(2022, 3, 1, 9, 30, 0, 500000, tzinfo=UTC)

    def test_lists_in_the_texts_order_and_spelling(self) -> None:
        """twitwi's lowercased, sorted lists come out as the text writes them."""
        first, reply = events_of(read(csv_table, TWITWI))[:2]
        assert first.post.hashtags == ("Hochwasser", "Köln")
        assert first.post.urls == ("https://example.org/fotos",)
        assert reply.post.mentions == ("Eva_Field", "Gus_Reporter")
        assert reply.post.reply_to == "1500000000000000101"

    def test_retweet(self) -> None:
        """The retweet: original PUBLISHED at retweeted_timestamp_utc by retweeted_user, then REPOSTED."""
        original, repost = events_of(read(csv_table, TWITWI))[2:4]
        assert original.post.author == Author(handle="Eva_Field")
        assert original.occurred_at == at("2022-03-01T09:00:00")
        assert (
            original.post.text
            == "Hochwasser in der Altstadt! #Hochwasser #Köln\nFotos: https://example.org/fotos"
        )
        assert repost.post.author == Author(handle="Gus_Reporter", name="Gus")
        assert repost.post.text == original.post.text
        assert repost.post.mentions == ()  # the "RT @Eva_Field:" mention is not the original's
        assert repost.occurred_at == at("2022-03-01T09:15:00")

    def test_quote(self) -> None:
        """quoted_id gives quote_of."""
        quote = events_of(read(csv_table, TWITWI))[-1]
        assert quote.post.quote_of == "1500000000000000101"


class TestBadInput:
    """Headers, rows and bytes that cannot be read."""

    def test_unknown_header_names_the_expected_columns(self) -> None:
        """One clear error naming the columns each known layout needs."""
        notice = only_notice(read(csv_table, text_document("tweet,when,who\n1,2,3\n", "x.csv")))
        assert (notice.level, notice.line) == (Level.BAD, 1)
        assert notice.message == (
            "unknown CSV columns; expected the header of "
            "twitwi (id, timestamp_utc, user_screen_name, text, ...) "
            "or twarc json2csv (id, created_at, user_screen_name, text, ...)"
        )

    def test_bad_rows_at_their_start_line(self) -> None:
        """Too few fields, an empty id, a bad time: each reported at its first line; reading goes on."""
        header, good = json2csv_lines()
        short = "1,2,3"
        no_id = "," + good.partition(",")[2]
        bad_time = good.replace("Tue Mar 01 09:05:10 +0000 2022,2022-03-01 09:05:10+00:00", "yesterday,")
        text = "\n".join([header, '"multi\nline",' + short, no_id, bad_time, good]) + "\n"
        items = read(csv_table, text_document(text, "bad.csv"))
        assert len(events_of(items)) == 1
        assert [(n.line, n.message) for n in notices_of(items)] == [
            (2, "row has 4 fields, the header has 37"),
            (4, "id is empty"),
            (5, "created_at: not a Twitter time: 'yesterday'"),
        ]

    @pytest.mark.parametrize("value", ["1.23457E+18", "12-34", "１２３"])
    def test_an_id_that_is_not_digits(self, value: str) -> None:
        """An id a spreadsheet rounded (1.23457E+18) would merge distinct posts: it is a bad row."""
        text = f"id,timestamp_utc,user_screen_name,text\n{value},1610005273,alice,first post\n"
        notice = only_notice(read(csv_table, text_document(text, "ids.csv")))
        assert (notice.level, notice.line) == (Level.BAD, 2)
        assert notice.message.startswith(f"id is not a tweet id: {value!r}")

    def test_unterminated_quote_stops_at_its_line(self) -> None:
        """A quote never closed is reported at the line where its row starts, and reading stops."""
        header, good = json2csv_lines()
        text = "\n".join([header, good, good.replace("@ana_reports", '"@ana_reports', 1), good, good])
        items = read(csv_table, text_document(text, "cut.csv"))
        assert len(events_of(items)) == 1
        notice = notices_of(items)[0]
        assert (notice.level, notice.line) == (Level.BAD, 3)
        assert notice.message.startswith("malformed CSV row")

    def test_runaway_field_is_refused(self) -> None:
        """A field past the csv module's limit is refused, not buffered without bound."""
        header, good = json2csv_lines()
        text = header + "\n" + good + '\n"' + "x" * 200_000 + "\n"
        items = read(csv_table, text_document(text, "huge.csv"))
        assert len(events_of(items)) == 1
        assert "field larger than field limit" in notices_of(items)[0].message

    def test_bom_crlf_and_gzip(self, tmp_path: Path) -> None:
        """A byte-order mark, CRLF line ends (also inside quoted fields) and gzip read alike."""
        plain = JSON2CSV.read_bytes()
        dressed = tmp_path / "dressed.csv.gz"
        dressed.write_bytes(gzip.compress(b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n")))
        expected = [(e.post.text, e.post.source.line) for e in events_of(read(csv_table, JSON2CSV))]
        document = Document.open(str(dressed))
        assert formats.choose(document) is csv_table
        assert [(e.post.text, e.post.source.line) for e in events_of(read(csv_table, document))] == expected

    def test_non_utf8(self, tmp_path: Path) -> None:
        """Latin-1 text stops the ingest with file:line; the log is unchanged."""
        header, good = json2csv_lines()
        path = tmp_path / "latin1.csv"
        path.write_bytes(f"{header}\n{good}\n".encode() + good.replace("Thanks", "Merci é").encode("latin-1"))
        log = Log.open(tmp_path / "log.db", create=True)
        with pytest.raises(InputError, match=r"latin1\.csv:3: not UTF-8 text"):
            ingest(log, [str(path)])
        assert log.count() == 0


class TestSniff:
    """Auto-detection by header only."""

    @pytest.mark.parametrize("path", [JSON2CSV, TWITWI])
    def test_fixtures(self, path: Path) -> None:
        """Both layouts are recognised."""
        assert formats.choose(Document.open(str(path))) is csv_table

    @pytest.mark.parametrize(
        "text",
        [
            "Aleppo, Syria, 12 December 2016, the id of the post and its text were lost.\n",
            "id, created_at, user_screen_name and text: the columns a researcher needs.\n",
            '{"id": "1", "created_at": "x", "user_screen_name": "y", "text": "z"}\n',
            "tweet,when,who\n1,2,3\n",
        ],
    )
    def test_not_csv(self, text: str) -> None:
        """Prose with commas, JSON and unknown tables are not taken for a tweet table."""
        assert not csv_table.sniff(text_document(text))


class TestDriver:
    """End to end into a real log."""

    def test_ingest_and_reingest(self, tmp_path: Path) -> None:
        """Both tables go in once; the twitwi retweet's original is the post already read."""
        log = Log.open(tmp_path / "log.db", create=True)
        report = ingest(log, [str(JSON2CSV), str(TWITWI)])
        assert report.formats == {str(JSON2CSV): "csv", str(TWITWI): "csv"}
        assert (report.found, report.new) == (11, 10)
        assert ingest(log, [str(TWITWI), str(JSON2CSV)]).new == 0

    def test_bad_row_stops_unless_skipped(self, tmp_path: Path) -> None:
        """A bad row stops the ingest with file:line; skip_bad appends the good rows."""
        header, good = json2csv_lines()
        path = tmp_path / "t.csv"
        path.write_text(f"{header}\n{good}\n1,2\n")
        log = Log.open(tmp_path / "log.db", create=True)
        with pytest.raises(InputError, match=r"t\.csv:3: row has 2 fields"):
            ingest(log, [str(path)])
        assert log.count() == 0
        report = ingest(log, [str(path)], skip_bad=True)
        assert (report.new, [n.line for n in report.skipped]) == (1, [3])


# (first line, id, created_at, retweeted id) of the ten csvmedkit rows, read off the file by hand.
CSVMEDKIT_ROWS = [
    (2, "1196869405629702148", "2019-11-19T19:14:37", "1196864730226401280"),
    (5, "1240016437248438276", "2020-03-17T20:45:31", "1240016322920091655"),
    (8, "1288988806276878336", "2020-07-31T00:04:14", "1288965035126120453"),
    (11, "1309265864684863488", "2020-09-24T22:58:01", "1309264908807094272"),
    (13, "1304497357174853633", "2020-09-11T19:09:40", "1304438113402523648"),
    (16, "1275462523404328960", "2020-06-23T16:15:37", "1275459313788547078"),
    (19, "1294822251146153986", "2020-08-16T02:24:15", "1294753885559693317"),
    (26, "1239969155626856448", "2020-03-17T17:37:38", "1239968942120042501"),
    (29, "1288240150322061312", "2020-07-28T22:29:20", "1288239844334895104"),
    (32, "1225114795717922816", "2020-02-05T17:51:43", "1225114433246191617"),
]


class TestSamples:
    """The real CSV files in ../shared/samples/csv."""

    def test_csvmedkit_retweets(self, samples: Path) -> None:
        """Ten retweets by POTUS, each at its first physical line, with multi-line texts intact."""
        document = Document.open(str(samples / "csv/csvmedkit__tweets-newlines.csv"))
        assert formats.choose(document) is csv_table
        items = read(csv_table, document)
        assert notices_of(items) == []
        events = events_of(items)
        assert [(e.post.source.line, e.post.id, e.occurred_at, e.post.repost_of) for e in events] == [
            (line, id_, at(time), original) for line, id_, time, original in CSVMEDKIT_ROWS
        ]
        assert {e.kind for e in events} == {Kind.REPOSTED}
        assert {e.post.author for e in events} == {Author(handle="POTUS", name="President Trump")}
        assert events[0].post.text == (
            "Since the day President @realDonaldTrump took office, House Democrats have ignored working "
            "Americans to focus on their only real agenda item: impeachment.\n\n"
            "Meanwhile, our country created $11 trillion in worth. https://t.co/BwCBFMU2Tn"
        )
        assert events[0].post.mentions == ("realDonaldTrump",)
        assert events[9].post.hashtags == ("SOTU",)  # from the text: the column is empty
        assert events[9].post.mentions == ("realDonaldTrump", "FLOTUS")

    def test_twitwi_export(self, samples: Path) -> None:
        """Two replies, an original with a quote, and its retweet (original first, once in the log)."""
        path = samples / "csv/twitwi__tweet-export.csv"
        assert formats.choose(Document.open(str(path))) is csv_table
        events = events_of(read(csv_table, path))
        assert [(e.kind, e.post.id, e.post.author.handle, e.occurred_at) for e in events] == [
            (Kind.PUBLISHED, "1347085867584794624", "Mcmo_EVE", at("2021-01-07T07:41:13")),
            (Kind.PUBLISHED, "1348560158264328198", "Consciencemalh1", at("2021-01-11T09:19:31")),
            (Kind.PUBLISHED, "1348592722928656384", "Fr_Conservateur", at("2021-01-11T11:28:55")),
            (Kind.PUBLISHED, "1348592722928656384", "Fr_Conservateur", at("2021-01-11T11:28:55")),
            (Kind.REPOSTED, "1348592751940673536", "VotezPoisson", at("2021-01-11T11:29:02")),
        ]
        reply, original, repost = events[1], events[2], events[4]
        assert reply.post.mentions == ("babswad", "minutebol", "dialimpa")
        assert reply.post.reply_to == "1348549611280064519"
        assert reply.post.text.count("\n") == 2
        assert original.post.author.name == "Le Conservateur ⚜️✝️🐾🌳#Z"
        assert original.post.hashtags == (
            "Biden",
            "NouvelOrdreMondial",
            "BigTech",
            "Libertedexpression",
            "GAFAM",
        )
        assert original.post.quote_of == "1348565512352112640"
        assert repost.post.repost_of == original.post.id
        assert repost.post.text == original.post.text

    def test_twitwi_retweet_original_is_stored_once(self, samples: Path, tmp_path: Path) -> None:
        """The original given in full and again by its retweet's columns is one event in the log."""
        log = Log.open(tmp_path / "log.db", create=True)
        report = ingest(log, [str(samples / "csv/twitwi__tweet-export.csv")])
        assert (report.found, report.new) == (5, 4)
