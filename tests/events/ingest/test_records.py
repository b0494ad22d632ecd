"""JSON records streamed out of a document, in every layout, with bad input reported by line."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from events.ingest import document as document_module
from events.ingest import records as records_module
from events.ingest.base import Level, Notice
from events.ingest.document import Document, from_text
from events.ingest.records import DuplicateKeyError, Record, layout, loads, records

DEEP = "[" * 100_000 + "]" * 100_000


def read(text: str) -> list[tuple[int, Any] | tuple[str, int | None, str]]:
    """What records() yields for `text`: (line, value) for a record, ("BAD", line, message) for a notice."""
    found: list[tuple[int, Any] | tuple[str, int | None, str]] = []
    for item in records(from_text("in.json", text)):
        if isinstance(item, Record):
            found.append((item.line, item.value))
        else:
            assert isinstance(item, Notice)
            assert item.path == "in.json"
            found.append((item.level.name, item.line, item.message))
    return found


class TestLayout:
    """How a document holds its records, told from its first bytes."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('{"a": 1}\n{"a": 2}\n', "lines"),
            ('{"a": 1, "a": 2}\n', "lines"),
            ('\n\n  [{"a": 1}]', "array"),
            ('window.YTD.tweets.part0 = [{"a": 1}]', "js"),
            ('{\n  "a": 1\n}\n', "stream"),
            ('{"a": 1} {"a": 2}', "stream"),
        ],
    )
    def test_layout(self, text: str, expected: str) -> None:
        """JSON Lines, an array, a JS-wrapped array, or a stream of (pretty-printed) values."""
        assert layout(from_text("t", text)) == expected


class TestJsonLines:
    """One record per line; a bad line is reported and the next line read."""

    def test_records_with_their_lines(self) -> None:
        """Each line is a record with its line number; blank lines are skipped."""
        assert read('{"a": 1}\n\n  \n{"a": 2}\r\n"text"\n') == [(1, {"a": 1}), (4, {"a": 2}), (5, "text")]

    def test_recovers_after_a_bad_line(self) -> None:
        """A line that is not JSON is a BAD notice with its line; the lines after it are still read."""
        assert read('{"a": 1}\n{"a": \n{"a": 3}\n') == [
            (1, {"a": 1}),
            ("BAD", 2, "not valid JSON: Expecting value (column 7)"),
            (3, {"a": 3}),
        ]

    def test_truncated_last_line(self) -> None:
        """A last line cut short (an interrupted download) is a BAD notice after the good records."""
        assert read('{"a": 1}\n{"a": 2}\n{"a": "thr') == [
            (1, {"a": 1}),
            (2, {"a": 2}),
            ("BAD", 3, "not valid JSON: Unterminated string starting at (column 7)"),
        ]

    def test_duplicate_keys(self) -> None:
        """An object naming a key twice is a BAD notice naming the key, and reading goes on."""
        assert read('{"a": 1}\n{"id": 1, "id": 2}\n{"a": 3}\n') == [
            (1, {"a": 1}),
            ("BAD", 2, "duplicate key 'id' in a JSON object"),
            (3, {"a": 3}),
        ]

    def test_deep_nesting(self) -> None:
        """A line nested past the recursion limit is a BAD notice, not a RecursionError."""
        assert read('{"a": 1}\n' + DEEP + '\n{"a": 3}\n') == [
            (1, {"a": 1}),
            ("BAD", 2, "JSON nested too deeply"),
            (3, {"a": 3}),
        ]

    def test_line_larger_than_the_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A line longer than MAX_RECORD_CHARS is refused with its line, and reading goes on."""
        monkeypatch.setattr(records_module, "MAX_RECORD_CHARS", 20)
        big = json.dumps({"text": "x" * 30})
        assert read(f'{{"a": 1}}\n{big}\n{{"a": 3}}\n') == [
            (1, {"a": 1}),
            ("BAD", 2, "line longer than 20 characters"),
            (3, {"a": 3}),
        ]


class TestArray:
    """The elements of a top-level array, streamed one at a time."""

    def test_elements_with_their_lines(self) -> None:
        """Each element is a record with the line it starts on."""
        text = '[\n  {"a": 1},\n  {\n    "a": 2\n  }, 3,\n  "four"\n]\n'
        assert read(text) == [(2, {"a": 1}), (3, {"a": 2}), (5, 3), (6, "four")]

    def test_on_one_line(self) -> None:
        """A compact array on one line gives its elements."""
        assert read('[{"a": 1},{"a": 2}]') == [(1, {"a": 1}), (1, {"a": 2})]

    def test_empty(self) -> None:
        """An empty array has no records and no notices."""
        assert read("[]") == []
        assert read("[\n\n]\n") == []

    def test_not_closed(self) -> None:
        """An array cut short after a complete element ends with a BAD notice."""
        assert read('[\n{"a": 1},\n') == [
            (2, {"a": 1}),
            ("BAD", 3, "the JSON array is not closed (file cut short?)"),
        ]

    def test_cut_inside_an_element(self) -> None:
        """An array cut inside an element gives the elements before it and a BAD notice."""
        found = read('[\n{"a": 1},\n{"a": 2,\n "b": ')
        assert found[0] == (2, {"a": 1})
        assert len(found) == 2
        assert found[1][0] == "BAD"
        assert "not valid JSON" in str(found[1][-1])

    def test_syntax_error_stops_the_read(self) -> None:
        """A syntax error inside an array ends the read: nothing after it can be trusted."""
        found = read('[\n{"a": 1},\n{"a": nope},\n{"a": 3}\n]')
        assert found[0] == (2, {"a": 1})
        assert found[1][:2] == ("BAD", 3)
        assert len(found) == 2

    def test_duplicate_keys(self) -> None:
        """A duplicate key in an element ends the read with a BAD notice naming it."""
        assert read('[\n{"a": 1},\n{"b": 1, "b": 2}\n]') == [
            (2, {"a": 1}),
            ("BAD", 3, "duplicate key 'b' in a JSON object"),
        ]

    def test_deep_nesting(self) -> None:
        """An element nested past the recursion limit ends the read with a BAD notice."""
        assert read("[\n1,\n" + DEEP + "\n]") == [(2, 1), ("BAD", 3, "JSON nested too deeply")]

    def test_streamed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The first element is given before the rest of the file has been read."""
        monkeypatch.setattr(document_module, "SNIFF_BYTES", 64)
        monkeypatch.setattr(document_module, "_CHUNK", 64)
        data = (
            "[\n" + ",\n".join(json.dumps({"n": n, "pad": "x" * 50}) for n in range(2000)) + "\n]"
        ).encode()
        document = Document("big.json", io.BytesIO(data), len(data))
        stream = records(document)
        first = next(stream)
        assert isinstance(first, Record)
        assert first.value["n"] == 0
        assert document.bytes_read < len(data) // 100
        assert sum(1 for _ in stream) == 1999

    def test_record_larger_than_the_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An element over several lines and longer than MAX_RECORD_CHARS is refused, not buffered."""
        monkeypatch.setattr(records_module, "MAX_RECORD_CHARS", 5000)
        element = json.dumps({"text": ["x" * 10] * 2000}, indent=1)  # 2,000 lines, 34,000 characters
        assert read(f'[\n{{"a": 1}},\n{element}\n]') == [
            (2, {"a": 1}),
            ("BAD", 3, "record longer than 5,000 characters"),
        ]

    def test_record_on_one_line_larger_than_the_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An element on one line longer than MAX_RECORD_CHARS is refused like one spread over lines."""
        monkeypatch.setattr(records_module, "MAX_RECORD_CHARS", 5000)
        element = json.dumps({"text": "x" * 34_000})
        found = read(f'[\n{{"a": 1}},\n{element}\n]')
        assert found == [(2, {"a": 1}), ("BAD", 3, "record longer than 5,000 characters")]


class TestJavaScript:
    """An X archive's data/*.js file: `window.YTD.<name>.partN = [ ... ]`."""

    def test_window_ytd(self) -> None:
        """The array after the assignment is read like any array, with file lines."""
        text = (
            "window.YTD.tweets.part0 = [\n"
            '  {\n    "tweet" : {\n      "id_str" : "1"\n    }\n  },\n'
            '  {\n    "tweet" : {\n      "id_str" : "2"\n    }\n  }\n'
            "]"
        )
        assert read(text) == [(2, {"tweet": {"id_str": "1"}}), (7, {"tweet": {"id_str": "2"}})]

    def test_trailing_semicolon(self) -> None:
        """A trailing semicolon after the array is accepted."""
        assert read('window.YTD.like.part0 = [{"a": 1}];\n') == [(1, {"a": 1})]

    def test_not_an_array(self) -> None:
        """An assignment of something other than an array is a BAD notice."""
        assert read('window.YTD.account.part0 = {"a": 1}') == [("BAD", 1, "expected a JSON array here")]

    def test_two_parts_in_one_file(self) -> None:
        """A second `window.YTD... = [` after the first array is read too, not passed over."""
        text = 'window.YTD.tweets.part0 = [{"a": 1}]\nwindow.YTD.tweets.part1 = [{"a": 2}];\n'
        assert read(text) == [(1, {"a": 1}), (2, {"a": 2})]


class TestAfterTheArray:
    """What follows the closing bracket of a top-level array is read or reported, never ignored."""

    def test_an_array_per_line(self) -> None:
        """Arrays one after another are all read."""
        assert read('[{"a": 1}]\n[{"a": 2}, {"a": 3}]\n') == [(1, {"a": 1}), (2, {"a": 2}), (2, {"a": 3})]

    def test_text_after_the_array(self) -> None:
        """Anything else after the array is a BAD notice at its line."""
        assert read('[{"a": 1}]\n\ntrailing {{{\n') == [
            (1, {"a": 1}),
            ("BAD", 3, "expected a JSON array here"),
        ]

    def test_a_semicolon_between_elements(self) -> None:
        """A semicolon inside the array is a syntax error, not the array's end."""
        found = read('[{"a": 1} ; {"a": 2}]\n')
        assert found[0] == (1, {"a": 1})
        assert found[1][0] == "BAD"


class TestStream:
    """Values one after another, pretty-printed over many lines."""

    def test_one_pretty_printed_object(self) -> None:
        """A single object over many lines is one record at line 1."""
        value = {"data": [{"id": "1", "text": "hi\nthere"}], "meta": {"result_count": 1}}
        assert read(json.dumps(value, indent=2)) == [(1, value)]

    def test_several_pretty_printed_objects(self) -> None:
        """Concatenated objects are each a record, at the line they start on."""
        text = '{\n "a": 1\n}\n{\n "a": 2\n}\n'
        assert read(text) == [(1, {"a": 1}), (4, {"a": 2})]

    def test_cut_short(self) -> None:
        """An object cut short is a BAD notice at the line it starts on, after the complete ones."""
        found = read('{\n "a": 1\n}\n{\n "a": ')
        assert found[0] == (1, {"a": 1})
        assert found[1][:2] == ("BAD", 4)  # the line the cut record starts on
        assert str(found[1][-1]).startswith("not valid JSON")
        assert len(found) == 2


class TestLoads:
    """loads: one strict JSON value."""

    def test_duplicate_key(self) -> None:
        """A duplicate key is a DuplicateKeyError, which is a ValueError."""
        with pytest.raises(DuplicateKeyError, match="duplicate key 'a'"):
            loads('{"a": 1, "b": {"a": 2}, "a": 3}')
        assert issubclass(DuplicateKeyError, ValueError)

    def test_same_key_in_different_objects(self) -> None:
        """The same key in two different objects is not a duplicate."""
        assert loads('{"a": {"a": 1}}') == {"a": {"a": 1}}

    def test_deep_nesting(self) -> None:
        """Nesting past the recursion limit is a ValueError, not a RecursionError."""
        with pytest.raises(ValueError, match="nested too deeply"):
            loads(DEEP)


def test_notices_are_bad_level() -> None:
    """Every problem records() reports is a BAD notice (a malformed record), printable as path:line."""
    notice = next(item for item in records(from_text("in.json", "{\n")) if isinstance(item, Notice))
    assert notice.level is Level.BAD
    assert str(notice).startswith("in.json:1: ")
