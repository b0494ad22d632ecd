"""Hostile input to the three Twitter importers: every case ends in events or a clear message, in time."""

from __future__ import annotations

import gzip
import io
import json
import sys
import time
from pathlib import Path

import pytest

from events.errors import InputError
from events.ingest import twitter_v1, twitter_v2, x_archive
from events.ingest.base import Importer, Level
from events.ingest.document import Document
from events.ingest.driver import ingest
from events.store import Log
from tests.events.ingest.reading import FIXTURES, events_of, notices_of, read, text_document

IMPORTERS: dict[str, Importer] = {"twitter-v1": twitter_v1, "twitter-v2": twitter_v2, "x-archive": x_archive}
FORMATS = pytest.mark.parametrize("format_name", sorted(IMPORTERS))


def good_record(format_name: str) -> dict[str, object]:
    """One record of the format that gives exactly one PUBLISHED event."""
    if format_name == "twitter-v1":
        record: dict[str, object] = json.loads((FIXTURES / "twitter_v1/single_tweet.json").read_text())
        return record
    if format_name == "twitter-v2":
        page = json.loads((FIXTURES / "twitter_v2/stream.jsonl").read_text().splitlines()[0])
        assert isinstance(page, dict)
        return page
    text = (FIXTURES / "x_archive/old_archive/data/tweet.js").read_text()
    return {"tweet": json.loads(text.partition("=")[2])[0]}


def text_of(record: dict[str, object]) -> dict[str, object]:
    """The object holding the record's text, to change it."""
    if "data" in record:
        data = record["data"]
        assert isinstance(data, dict)
        return data
    inner = record.get("tweet", record)
    assert isinstance(inner, dict)
    return inner


def document(format_name: str, records: list[str]) -> str:
    """Records as the format lays them out: one per line, or the archive's JS-wrapped array."""
    if format_name == "x-archive":
        return "window.YTD.tweets.part0 = [\n" + ",\n".join(records) + "\n]\n"
    return "".join(record + "\n" for record in records)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    """A file of raw bytes in tmp_path."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


@FORMATS
def test_duplicate_keys(format_name: str) -> None:
    """A record naming a key twice is a bad record with its line, not a silent choice of one value."""
    good = json.dumps(good_record(format_name))
    doubled = good[:-1] + ', "lang": "en", "lang": "fr"}'
    items = read(IMPORTERS[format_name], text_document(document(format_name, [good, doubled])))
    assert len(events_of(items)) == 1
    [bad] = notices_of(items, Level.BAD)
    assert bad.message == "duplicate key 'lang' in a JSON object"
    assert bad.line == (3 if format_name == "x-archive" else 2)


@FORMATS
def test_bom_and_crlf(format_name: str, tmp_path: Path) -> None:
    """A byte-order mark and CRLF line ends read like plain LF text."""
    good = json.dumps(good_record(format_name))
    plain = document(format_name, [good])
    dressed = b"\xef\xbb\xbf" + plain.replace("\n", "\r\n").encode()
    expected = events_of(read(IMPORTERS[format_name], write(tmp_path, "plain.js", plain.encode())))
    got = events_of(read(IMPORTERS[format_name], write(tmp_path, "dressed.js", dressed)))
    assert [(event.post.id, event.post.text) for event in got] == [
        (event.post.id, event.post.text) for event in expected
    ]
    assert len(got) == 1


@FORMATS
def test_gzip_is_read_and_detected(format_name: str, tmp_path: Path) -> None:
    """A .gz file is decompressed, auto-detected and ingested like the plain file."""
    text = document(format_name, [json.dumps(good_record(format_name))])
    packed = write(tmp_path, "input.js.gz", gzip.compress(text.encode()))
    log = Log.open(tmp_path / "log.db", create=True)
    report = ingest(log, [str(packed)])
    assert (report.formats, report.new) == ({str(packed): format_name}, 1)


@FORMATS
def test_stdin(format_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ "-" reads standard input, auto-detected."""
    text = document(format_name, [json.dumps(good_record(format_name))])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    log = Log.open(tmp_path / "log.db", create=True)
    report = ingest(log, ["-"])
    assert (report.formats, report.new) == ({"<stdin>": format_name}, 1)


@FORMATS
def test_very_long_line(format_name: str) -> None:
    """A tweet of two million characters is read whole, in reasonable time."""
    record = good_record(format_name)
    inner = text_of(record)
    long_text = "word &amp; " * 200_000
    inner["full_text" if "full_text" in inner else "text"] = long_text
    inner.pop("display_text_range", None)
    start = time.perf_counter()
    [event] = events_of(
        read(IMPORTERS[format_name], text_document(document(format_name, [json.dumps(record)])))
    )
    assert time.perf_counter() - start < 10
    assert event.post.text == long_text.replace("&amp;", "&")


@FORMATS
def test_deep_nesting(format_name: str) -> None:
    """JSON nested a hundred thousand deep is refused with a message, not a RecursionError."""
    good = json.dumps(good_record(format_name))
    deep = "[" * 100_000 + "]" * 100_000
    items = read(IMPORTERS[format_name], text_document(document(format_name, [good, deep])))
    assert len(events_of(items)) == 1
    [bad] = notices_of(items, Level.BAD)
    assert bad.message == "JSON nested too deeply"


@FORMATS
def test_non_utf8_stops_with_the_line(format_name: str, tmp_path: Path) -> None:
    """Latin-1 bytes end the ingest with file:line, even with --skip-bad, and leave the log as it was."""
    good = json.dumps(good_record(format_name))
    data = document(format_name, [good, '{"text": "caf\u00e9"}']).encode().replace(b"\xc3\xa9", b"\xe9")
    path = write(tmp_path, "latin1.js", data)
    log = Log.open(tmp_path / "log.db", create=True)
    with pytest.raises(InputError) as caught:
        ingest(log, [str(path)], format_name=format_name, skip_bad=True)
    line = 3 if format_name == "x-archive" else 2
    assert str(caught.value) == f"{path}:{line}: not UTF-8 text (byte 0xe9)"
    assert log.count() == 0


@FORMATS
def test_truncated_last_record(format_name: str) -> None:
    """A file cut in the middle of its last record gives the records before it, then one BAD notice."""
    good = json.dumps(good_record(format_name))
    text = document(format_name, [good, good[:70]]).rstrip("\n]")
    items = read(IMPORTERS[format_name], text_document(text))
    assert len(events_of(items)) == 1
    [bad] = notices_of(items, Level.BAD)
    assert bad.line == (3 if format_name == "x-archive" else 2)


@FORMATS
def test_unknown_extra_fields_are_ignored(format_name: str) -> None:
    """Fields no version of the format has are no reason to refuse a record."""
    record = good_record(format_name)
    text_of(record)["future_field"] = {"nested": [1, 2, {"deeper": None}]}
    record["another_future_field"] = 7
    [event] = events_of(
        read(IMPORTERS[format_name], text_document(document(format_name, [json.dumps(record)])))
    )
    assert event.post.text


@FORMATS
def test_binary_input_is_refused(format_name: str, tmp_path: Path) -> None:
    """A NUL byte marks the input as binary: a clear InputError, nothing appended."""
    text = document(format_name, [json.dumps(good_record(format_name))])
    path = write(tmp_path, "binary.js", text.encode() + b"\x00\x01\x02")
    log = Log.open(tmp_path / "log.db", create=True)
    with pytest.raises(InputError, match="binary data"):
        ingest(log, [str(path)], format_name=format_name)
    assert log.count() == 0


@FORMATS
def test_markup_and_escapes_in_text_are_kept_literally(format_name: str) -> None:
    """Rich markup, ANSI escapes and right-to-left text are post text like any other, kept as written."""
    record = good_record(format_name)
    inner = text_of(record)
    hostile = "[bold]هادي[/bold] \x1b[31mred\x1b[0m &lt;script&gt;"
    inner["full_text" if "full_text" in inner else "text"] = hostile
    inner.pop("display_text_range", None)
    [event] = events_of(
        read(IMPORTERS[format_name], text_document(document(format_name, [json.dumps(record)])))
    )
    assert event.post.text == "[bold]هادي[/bold] \x1b[31mred\x1b[0m <script>"


def test_every_importer_refuses_the_others_files() -> None:
    """Named explicitly on another Twitter format's file, an importer gives notices, never events."""
    files = {
        "twitter-v1": FIXTURES / "twitter_v1/rest_extended.json",
        "twitter-v2": FIXTURES / "twitter_v2/pages.jsonl",
        "x-archive": FIXTURES / "x_archive/archive/data/like.js",
    }
    for name, importer in IMPORTERS.items():
        for other, path in files.items():
            if other != name and not (name == "x-archive" and other == "twitter-v1"):
                items = list(importer.read(Document.open(str(path))))
                assert events_of(items) == [], (name, other)


@pytest.mark.parametrize("author_id", [["x"], {"a": 1}, 1.5, True])
def test_v2_author_id_of_a_wrong_type(author_id: object) -> None:
    """An author_id that is not an id is a bad record naming the field, not a TypeError."""
    page = {"data": [{"id": "1", "text": "hi", "author_id": author_id, "created_at": "2016-12-12T10:00:00Z"}]}
    items = read(twitter_v2, text_document(json.dumps(page) + "\n"))
    [bad] = notices_of(items, Level.BAD)
    assert bad.line == 1 and "author_id" in bad.message


def test_v2_entities_of_a_wrong_type() -> None:
    """Hashtags or mentions that are not lists are passed over; the tweet is still read."""
    tweet: dict[str, object] = {
        "id": "1",
        "text": "hi #x @y",
        "author_id": "2",
        "created_at": "2016-12-12T10:00:00Z",
    }
    tweet["entities"] = {"hashtags": 5, "mentions": {"a": 1}}
    items = read(twitter_v2, text_document(json.dumps({"data": [tweet]}) + "\n"))
    assert [event.post.text for event in events_of(items)] == ["hi #x @y"]


def test_v1_timestamp_ms_true_is_not_a_time() -> None:
    """A delete notice whose timestamp_ms is true is a bad record, not a time in 1970."""
    notice = {"delete": {"status": {"id_str": "1", "user_id_str": "2"}, "timestamp_ms": True}}
    [bad] = notices_of(read(twitter_v1, text_document(json.dumps(notice) + "\n")), Level.BAD)
    assert bad.line == 1
