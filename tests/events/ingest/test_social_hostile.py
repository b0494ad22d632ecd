"""Hostile input to the Mastodon and Bluesky importers: every case ends in events or a clear message."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from events.errors import InputError
from events.ingest import bluesky, mastodon
from events.ingest.base import Importer, Level
from events.ingest.driver import ingest
from events.model import Kind
from events.store import Log
from tests.events.ingest.reading import FIXTURES, events_of, notices_of, read, text_document

# One good record per format, written as a single JSON line.
GOOD = {
    "mastodon": json.dumps(json.loads((FIXTURES / "mastodon/statuses.json").read_text())[2]),
    "bluesky": (FIXTURES / "bluesky/jetstream.jsonl").read_text().splitlines()[1],
}
IMPORTERS: dict[str, Importer] = {"mastodon": mastodon, "bluesky": bluesky}
FORMATS = pytest.mark.parametrize("format_name", sorted(GOOD))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    """A file of raw bytes in tmp_path."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


@FORMATS
def test_duplicate_keys(format_name: str) -> None:
    """A record naming a key twice is a bad record, not a silent choice of one value."""
    doubled = GOOD[format_name][:-1] + ', "created_at": "x", "created_at": "y"}'
    items = read(IMPORTERS[format_name], text_document(GOOD[format_name] + "\n" + doubled + "\n"))
    assert len(events_of(items)) == 1
    [bad] = notices_of(items, Level.BAD)
    assert (bad.line, bad.message) == (2, "duplicate key 'created_at' in a JSON object")


@FORMATS
def test_bom_and_crlf(format_name: str, tmp_path: Path) -> None:
    """A byte-order mark and CRLF line ends read like plain LF text."""
    plain = write(tmp_path, "plain.jsonl", (GOOD[format_name] + "\n").encode())
    dressed = write(tmp_path, "dressed.jsonl", b"\xef\xbb\xbf" + (GOOD[format_name] + "\r\n").encode() * 2)
    expected = [event.post.id for event in events_of(read(IMPORTERS[format_name], plain))]
    assert [event.post.id for event in events_of(read(IMPORTERS[format_name], dressed))] == expected * 2


@FORMATS
def test_gzip(format_name: str, tmp_path: Path) -> None:
    """A .gz file is read through, and auto-detected, like the plain file."""
    packed = write(tmp_path, "input.json.gz", gzip.compress((GOOD[format_name] + "\n").encode()))
    log = Log.open(tmp_path / "log.db", create=True)
    report = ingest(log, [str(packed)])
    assert report.formats == {str(packed): format_name}
    assert report.new == 1


@FORMATS
def test_stdin(format_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ "-" reads standard input."""
    data = (GOOD[format_name] + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    log = Log.open(tmp_path / "log.db", create=True)
    assert ingest(log, ["-"]).new == 1


@FORMATS
def test_very_long_line(format_name: str) -> None:
    """A post of two million characters is read whole, in reasonable time."""
    record = json.loads(GOOD[format_name])
    long_text = "word " * 400_000
    if format_name == "mastodon":
        record["content"] = f"<p>{long_text}</p>"
    else:
        record["commit"]["record"]["text"] = long_text
    [event] = events_of(read(IMPORTERS[format_name], text_document(json.dumps(record))))
    assert event.post.text.strip().endswith(long_text.strip())
    assert len(event.post.text) < len(long_text) + 40


@FORMATS
def test_deep_nesting(format_name: str) -> None:
    """JSON nested a hundred thousand deep is refused with a message, not a RecursionError."""
    deep = "[" * 100_000 + "]" * 100_000
    items = read(IMPORTERS[format_name], text_document(GOOD[format_name] + "\n" + deep + "\n"))
    assert len(events_of(items)) == 1
    [bad] = notices_of(items, Level.BAD)
    assert (bad.line, bad.message) == (2, "JSON nested too deeply")


@FORMATS
def test_non_utf8_stops_with_the_line(format_name: str, tmp_path: Path) -> None:
    """Latin-1 bytes end the ingest with file:line and leave the log as it was."""
    data = (GOOD[format_name] + "\n").encode() + b'{"text": "caf\xe9"}\n'
    path = write(tmp_path, "latin1.jsonl", data)
    log = Log.open(tmp_path / "log.db", create=True)
    with pytest.raises(InputError) as caught:
        ingest(log, [str(path)], format_name=format_name, skip_bad=True)
    assert str(caught.value).startswith(f"{path}:2: not UTF-8 text")
    assert log.count() == 0


@FORMATS
def test_truncated_array(format_name: str) -> None:
    """An array cut short gives the records before the cut, then one bad record."""
    text = "[\n" + GOOD[format_name] + ",\n" + GOOD[format_name][:60]
    items = read(IMPORTERS[format_name], text_document(text))
    assert [event.kind for event in events_of(items)] == [Kind.PUBLISHED]
    [bad] = notices_of(items, Level.BAD)
    assert bad.line == 3


@FORMATS
def test_unknown_extra_fields_are_ignored(format_name: str) -> None:
    """Fields no version of the format has are no reason to refuse a record."""
    record = json.loads(GOOD[format_name])
    record["future_field"] = {"nested": [1, 2, 3]}
    [event] = events_of(read(IMPORTERS[format_name], text_document(json.dumps(record))))
    assert event.kind is Kind.PUBLISHED


def test_activitypub_type_may_be_a_list() -> None:
    """ActivityStreams allows `type` to be a list: ["Note"] is read as a Note, not a crash."""
    note = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": ["Note"],
        "id": "https://example.social/notes/1",
        "attributedTo": "https://example.social/users/alice",
        "content": "<p>hello</p>",
        "published": "2016-12-12T10:00:00Z",
    }
    items = read(mastodon, text_document(json.dumps(note) + "\n"))
    assert [event.post.text for event in events_of(items)] == ["hello"]


@pytest.mark.parametrize("kind", [{"a": 1}, [1, 2], 5, None])
def test_activitypub_type_of_any_json_type(kind: object) -> None:
    """A `type` that is not a string or a list of strings is a bad record with its line."""
    note = {
        "type": kind,
        "id": "https://example.social/notes/1",
        "content": "x",
        "published": "2016-12-12T10:00:00Z",
    }
    collection = {"type": "OrderedCollection", "orderedItems": [{"type": "Create", "object": {"type": kind}}]}
    for value in (note, collection):
        items = read(mastodon, text_document(json.dumps(value) + "\n"))
        assert events_of(items) == []
        assert notices_of(items, Level.BAD) or notices_of(items, Level.UNKNOWN)


def test_bluesky_facet_features_not_a_list() -> None:
    """A facet whose features are not a list decorates nothing; the post is still read."""
    record = json.loads(GOOD["bluesky"])
    record["commit"]["record"]["facets"] = [{"index": {"byteStart": 0, "byteEnd": 1}, "features": 5}]
    items = read(bluesky, text_document(json.dumps(record) + "\n"))
    assert len(events_of(items)) == 1


@pytest.mark.parametrize("time_us", [10**23, -(10**23)])
def test_bluesky_time_out_of_range(time_us: int) -> None:
    """A Jetstream time_us no date can hold is a bad record with its line, not a crash."""
    record = json.loads(GOOD["bluesky"])
    record["time_us"] = time_us
    items = read(bluesky, text_document(json.dumps(record) + "\n"))
    [bad] = notices_of(items, Level.BAD)
    assert bad.line == 1 and "time_us out of range" in bad.message
