"""The export format read back: recognised by its first line, one restored event per line."""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from events.codec import event_id, post_body
from events.errors import InputError
from events.ingest import document, jsonl
from events.ingest.base import Item, Level, Notice
from events.ingest.document import Block, Document, Span, from_text
from events.model import Event, to_micros
from events.readback import Restored, RestoredBlock
from events.store import Log
from tests.conftest import DAY, make_event

RECORDED = datetime(2024, 5, 1, tzinfo=UTC)


@pytest.fixture
def exported(tmp_path: Path) -> list[str]:
    """The export lines of a log of three events."""
    with Log.open(tmp_path / "source.log", create=True) as log:
        log.append(three(), now=lambda: RECORDED)
        return list(log.export_lines())


def three() -> list[Event]:
    """Three events an hour apart, one with a native id."""
    return [
        make_event("first", at=DAY),
        make_event("second", at=DAY + timedelta(hours=1), post_id="42"),
        make_event("third\nwith a newline", at=DAY + timedelta(hours=2)),
    ]


def restored(items: list[Item]) -> list[Restored]:
    """The events among `items`, one Restored each."""
    return [Restored.from_row(row) for item in items if isinstance(item, RestoredBlock) for row in item.rows]


def read_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every input count as large and be read in small blocks, so workers see several."""
    monkeypatch.setattr(jsonl, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(document, "SNIFF_BYTES", 100)
    monkeypatch.setattr(document, "_CHUNK", 100)
    monkeypatch.setattr("os.cpu_count", lambda: 3)  # two workers: pieces go round


class TestSniff:
    """jsonl claims a document whose first line is an exported entry."""

    def test_export(self, exported: list[str]) -> None:
        """An export is recognised, with or without a byte-order mark or leading blank lines."""
        assert jsonl.sniff(from_text("e", "\n".join(exported)))
        assert jsonl.sniff(from_text("e", "\ufeff" + exported[0]))
        assert jsonl.sniff(from_text("e", "\n\n" + exported[0]))

    def test_an_export_whose_first_line_is_longer_than_the_sniff_window(self, tmp_path: Path) -> None:
        """A first entry with 70 KB of text is still known for an export by how its line begins."""
        with Log.open(tmp_path / "long.log", create=True) as log:
            log.append([make_event("x" * 70_000, post_id="1")], now=lambda: RECORDED)
            line = next(log.export_lines())
        assert len(line) > document.SNIFF_BYTES
        assert jsonl.sniff(from_text("e", line + "\n"))
        assert not jsonl.sniff(from_text("e", '{"kind":"post.published",' + " " * 70_000 + "}\n"))

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "Some news text.\n— A (@a) December 12, 2016\n",
            '{"created_at": "Wed Oct 10 20:19:24 +0000 2018", "text": "a tweet"}\n',
            '[{"kind": "post.published", "occurred_at": "x", "post": {}}]\n',
            '{\n  "kind": "post.published"\n}\n',
            "[" * 100_000,
        ],
        ids=["empty", "article", "tweet", "array", "pretty-printed", "deeply nested"],
    )
    def test_other_documents(self, text: str) -> None:
        """Articles, other JSON, pretty-printed or pathological input are not claimed."""
        assert not jsonl.sniff(from_text("e", text))


class TestRead:
    """Blocks of restored events, a BAD notice for a line that is not an entry."""

    def test_restores_every_line(self, exported: list[str]) -> None:
        """Each line gives back its event, id, recorded time and body as stored."""
        items = list(jsonl.read(from_text("e", "\n".join(exported) + "\n")))
        assert all(isinstance(item, RestoredBlock) for item in items)
        events = restored(items)
        assert [r.event() for r in events] == three()
        assert [r.id for r in events] == [event_id(e) for e in three()]
        assert {r.recorded_us for r in events} == {to_micros(RECORDED)}
        assert [r.body for r in events] == [post_body(e.post) for e in three()]

    def test_skips_blank_lines(self, exported: list[str]) -> None:
        """Blank lines, and CRLF line ends, are not entries and not errors."""
        text = "\r\n\r\n".join(exported) + "\r\n\r\n"
        assert len(restored(list(jsonl.read(from_text("e", text))))) == 3

    def test_bad_line_is_a_notice_with_its_line(self, exported: list[str]) -> None:
        """A line that is not an entry is a BAD notice with its line and why; the others are read."""
        record = json.loads(exported[1])
        record["precision"] = "fortnight"
        lines = [exported[0], "", json.dumps(record), exported[2], "{oops"]
        items = list(jsonl.read(from_text("export.jsonl", "\n".join(lines))))
        assert [r.event() for r in restored(items)] == [three()[0], three()[2]]
        notices = [item for item in items if isinstance(item, Notice)]
        assert [(n.level, n.path, n.line) for n in notices] == [
            (Level.BAD, "export.jsonl", 3),
            (Level.BAD, "export.jsonl", 5),
        ]
        assert "precision must be one of" in notices[0].message
        assert notices[1].message.startswith("not valid JSON")


class TestWorkers:
    """A large export is checked in worker processes and gives exactly what one process gives."""

    @pytest.fixture
    def in_workers(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Every input counts as large, and is read in small blocks, so the workers see several."""
        read_in_workers(monkeypatch)

    def test_same_items_in_the_same_order(
        self, exported: list[str], tmp_path: Path, in_workers: None
    ) -> None:
        """Restored events and BAD notices come back in file order, with the lines they were on."""
        lines = [*exported[:2], '{"kind": "post.published"}', "", exported[2], "not json"]
        path = tmp_path / "export.jsonl"
        path.write_text("\n".join(lines) + "\n")
        parallel = list(jsonl.read(Document.open(str(path))))
        jsonl.PARALLEL_FROM_BYTES = 10**12  # the monkeypatch restores it
        serial = list(jsonl.read(Document.open(str(path))))
        assert restored(parallel) == restored(serial)
        assert notices(parallel) == notices(serial)
        assert [notice.line for notice in notices(parallel)] == [3, 6]
        assert len([item for item in parallel if isinstance(item, RestoredBlock)]) > 1
        assert [r.event() for r in restored(parallel)] == three()

    def test_compressed_input(self, exported: list[str], tmp_path: Path, in_workers: None) -> None:
        """A .gz export, which cannot be read by position, is sent to the workers in blocks."""
        path = tmp_path / "export.jsonl.gz"
        path.write_bytes(gzip.compress(("\n".join([*exported, "not json"]) + "\n").encode()))
        items = list(jsonl.read(Document.open(str(path))))
        assert [r.event() for r in restored(items)] == three()
        assert [notice.line for notice in notices(items)] == [4]

    def test_bytes_that_are_not_text_name_their_line(
        self, exported: list[str], tmp_path: Path, in_workers: None
    ) -> None:
        """A non-UTF-8 byte found by a worker stops the read with the line it is on in the file."""
        path = tmp_path / "export.jsonl"
        path.write_bytes(("\n".join(exported) + "\n").encode() * 3 + b'{"caf\xe9"}\n')
        with pytest.raises(InputError, match="not UTF-8") as raised:
            list(jsonl.read(Document.open(str(path))))
        assert (raised.value.path, raised.value.line) == (str(path), 10)


def die_at_the_second_piece(piece: Block | Span) -> object:
    """A worker's task that kills its own process at the second span, as the OOM killer would."""
    if isinstance(piece, Span) and piece.start > 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return jsonl._restore_piece(piece)


def test_workers_end_with_the_error_that_ends_the_read(
    exported: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line that is not text ends the read, and the workers with it, not when the error is collected."""
    read_in_workers(monkeypatch)
    path = tmp_path / "export.jsonl"
    path.write_bytes(("\n".join(exported) + "\n").encode() * 3 + b'{"caf\xe9"}\n')
    with pytest.raises(InputError, match="not UTF-8") as raised:
        list(jsonl.read(Document.open(str(path))))
    assert raised.value.__traceback__ is not None  # the traceback, and what it holds, is kept
    assert multiprocessing.active_children() == []


def test_a_killed_worker_is_one_line_not_a_hang(
    exported: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed while checking ends the read with an InputError saying so (it used to hang)."""
    read_in_workers(monkeypatch)
    monkeypatch.setattr(jsonl, "_restore_piece", die_at_the_second_piece)
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(exported * 3) + "\n")
    with pytest.raises(
        InputError, match=r"could not be checked: .* ended unexpectedly \(killed by signal 9\)"
    ):
        list(jsonl.read(Document.open(str(path))))


@pytest.mark.parametrize("workers", [False, True], ids=["in process", "in workers"])
def test_the_first_problem_in_the_file_is_told_first(
    exported: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: bool
) -> None:
    """Bad JSON on line 4, then a byte that is not UTF-8 on line 6: line 4 is reported first, both ways."""
    if workers:
        read_in_workers(monkeypatch)
    path = tmp_path / "export.jsonl"
    lines = [line.encode() for line in exported] + [b'{"x":1', exported[0].encode(), b'{"caf\xe9"}']
    path.write_bytes(b"\n".join(lines) + b"\n")
    seen: list[Item] = []
    with pytest.raises(InputError, match="not UTF-8"):
        seen.extend(jsonl.read(Document.open(str(path))))
    assert [(notice.line, notice.message[:14]) for notice in notices(seen)] == [(4, "not valid JSON")]


def notices(items: list[Item]) -> list[Notice]:
    """The notices among `items`."""
    return [item for item in items if isinstance(item, Notice)]
