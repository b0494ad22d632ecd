"""Streaming the items of a big array inside one JSON object (a Mastodon outbox.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from events.errors import InputError
from events.ingest import mastodon
from events.ingest.base import Level, Notice
from events.ingest.document import SNIFF_BYTES, Document
from events.ingest.json_members import member_items
from events.ingest.records import Record
from events.model import Kind
from tests.events.ingest.reading import FIXTURES, events_of, read, text_document


def note(number: int) -> dict[str, object]:
    """A Create{Note} activity numbered `number`."""
    uri = f"https://h.example/users/a/statuses/{number}"
    return {
        "id": uri + "/activity",
        "type": "Create",
        "actor": "https://h.example/users/a",
        "published": "2024-01-01T00:00:00Z",
        "object": {
            "id": uri,
            "type": "Note",
            "published": "2024-01-01T00:00:00Z",
            "attributedTo": "https://h.example/users/a",
            "content": f"<p>Post number {number} ✨ {'padding ' * 40}</p>",
        },
    }


def outbox(items: list[dict[str, object]]) -> dict[str, object]:
    """An OrderedCollection around `items`, as Mastodon exports it."""
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }


def values(items: list[Record | Notice]) -> list[object]:
    """The decoded values among `items`."""
    return [item.value for item in items if isinstance(item, Record)]


def test_pretty_printed_items_with_their_lines() -> None:
    """Each item of the fixture's orderedItems, with the line its object starts on."""
    document = Document.open(str(FIXTURES / "mastodon/outbox.json"))
    items = list(member_items(document, "orderedItems"))
    assert [item.line for item in items if isinstance(item, Record)] == [18, 48, 71, 80, 99, 115, 132, 138]
    assert [value["type"] for value in values(items)] == [  # type: ignore[index]
        "Create",
        "Create",
        "Announce",
        "Create",
        "Update",
        "Delete",
        "Delete",
        "Like",
    ]


def test_one_line_export_across_many_chunks(tmp_path: Path) -> None:
    """A one-line outbox of several megabytes is read item by item, none lost at chunk borders."""
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps(outbox([note(n) for n in range(6000)]), ensure_ascii=False))
    assert path.stat().st_size > 3 * (1 << 20)
    events = events_of(read(mastodon, path))
    assert len(events) == 6000
    assert [e.post.id for e in events[:1] + events[-1:]] == [
        "https://h.example/users/a/statuses/0",
        "https://h.example/users/a/statuses/5999",
    ]
    assert {e.kind for e in events} == {Kind.PUBLISHED}


def test_number_split_between_pieces(tmp_path: Path) -> None:
    """A number cut by the border between the sniffed head and the next chunk is read whole."""
    prefix = '{"padding": "' + "x" * (SNIFF_BYTES - 36) + '", "totalItems": '
    number = "123456789012"
    cut = SNIFF_BYTES - len(prefix.encode())
    assert 0 < cut < len(number)
    path = tmp_path / "odd.json"
    path.write_text(prefix + number + ', "type": "Note"}')
    [record] = list(member_items(Document.open(str(path)), "orderedItems"))
    assert isinstance(record, Record)
    assert record.value["totalItems"] == 123456789012


def test_object_without_the_array_is_yielded_whole() -> None:
    """Objects with no such member come out as records, one after another."""
    text = '{"type": "Note", "id": "n1"}\n{"type": "Note",\n "id": "n2"}\n'
    items = list(member_items(text_document(text), "orderedItems"))
    assert values(items) == [{"type": "Note", "id": "n1"}, {"type": "Note", "id": "n2"}]
    assert [item.line for item in items] == [1, 2]


def test_bad_item_then_good_ones() -> None:
    """An item with a duplicate key is a bad record; the items after it are read."""
    text = '{"orderedItems": [\n{"a": 1},\n{"a": 1, "a": 2},\n{"b": [1, 2]}\n]}'
    items = list(member_items(text_document(text), "orderedItems"))
    assert values(items) == [{"a": 1}, {"b": [1, 2]}]
    [bad] = [item for item in items if isinstance(item, Notice)]
    assert (bad.level, bad.line, bad.message) == (Level.BAD, 3, "duplicate key 'a' in a JSON object")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"orderedItems": [\n{"a": 1},\n{"a": ', 3, "the JSON ends early (file cut short?)"),
        ('{"orderedItems": [{"a": 1}] "x": 2}', 1, "expected ',' between members"),
        ('{"x": 1, "x": 2, "orderedItems": []}', 1, "duplicate key 'x' in a JSON object"),
        ('{"orderedItems": [\n' + "[" * 100_000 + "]" * 100_000 + "]}", 2, "JSON nested too deeply"),
        ("[1, 2]", 1, "expected a JSON object"),
    ],
)
def test_broken_structure(text: str, line: int, message: str) -> None:
    """A broken collection ends the read with one bad record naming the problem and its line."""
    items = list(member_items(text_document(text), "orderedItems"))
    notice = items[-1]
    assert isinstance(notice, Notice)
    assert (notice.level, notice.line, notice.message) == (Level.BAD, line, message)


def test_not_utf8(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 stop the read with the line they are on."""
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"orderedItems": [\n{"a": "caf\xe9"}]}')
    with pytest.raises(InputError, match=r"latin1\.json:2: not UTF-8 text \(byte 0xe9\)"):
        list(member_items(Document.open(str(path)), "orderedItems"))
