"""The ingest driver: formats picked, one atomic append, bad records, warnings, and export round trips."""

from __future__ import annotations

import io
import json
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import demo
from events.errors import InputError
from events.ingest import document, jsonl
from events.ingest.base import Level
from events.ingest.driver import ingest, open_documents
from events.model import Event, Precision
from events.store import Log
from tests.conftest import DAY, events, make_event

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)
LATER = datetime(2025, 1, 1, tzinfo=UTC)

ARTICLE = """\
The city fell on Monday, and the last messages from inside came out through the night and the morning.
Save us please #Aleppo
— Bana (@AlabedBana) December 12, 2016
Pray for us #Syria
The army said on Tuesday that it had taken control of most of the eastern districts of the city.
It's hell here.
— White Helmets (@SyriaCivilDef) Dec 13, 2016
"""
"""Two attributed posts (lines 2 and 6) and one tagged line without attribution (line 4)."""


@pytest.fixture
def article(tmp_path: Path) -> Path:
    """A short news article quoting two posts."""
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Log]:
    """An empty log."""
    with Log.open(tmp_path / "test.log", create=True) as log:
        yield log


def export(log: Log, path: Path) -> str:
    """Write the export of `log` to `path` and return its text."""
    text = "".join(line + "\n" for line in log.export_lines())
    path.write_text(text, encoding="utf-8")
    return text


def snapshot(log: Log) -> tuple[int, str, bytes]:
    """Count, head and file bytes of a log, to show that nothing changed."""
    return log.count(), log.head(), log.path.read_bytes()


@pytest.fixture
def exported(tmp_path: Path, article: Path) -> Path:
    """An export of the demo articles and the short article (11 events)."""
    with Log.open(tmp_path / "source.log", create=True) as source:
        ingest(source, [*map(str, demo.documents()), str(article)], format_name="article", now=lambda: NOW)
        export(source, tmp_path / "export.jsonl")
    return tmp_path / "export.jsonl"


class TestFormats:
    """Which importer reads each input."""

    def test_auto_detects_each_input(self, log: Log, article: Path, exported: Path) -> None:
        """With auto, an article and an export given together are each read by their own importer."""
        report = ingest(log, [str(article), str(exported)], now=lambda: NOW)
        assert report.formats == {str(article): "article", str(exported): "jsonl"}
        assert (report.found, report.new, report.present) == (13, 11, 2)

    def test_named_format(self, log: Log, exported: Path) -> None:
        """A named format is used as given."""
        assert ingest(log, [str(exported)], format_name="jsonl").formats == {str(exported): "jsonl"}

    def test_unknown_format_name(self, log: Log, article: Path) -> None:
        """A format name no importer has is an InputError listing the known ones."""
        with pytest.raises(InputError, match=r"unknown format 'tweets' \(known: auto, jsonl, .*article"):
            ingest(log, [str(article)], format_name="tweets")

    def test_cannot_tell(self, log: Log, tmp_path: Path) -> None:
        """Text no importer recognises is an InputError asking for --format, and nothing is appended."""
        path = tmp_path / "notes.txt"
        path.write_text("nothing to see here\njust notes\n")
        with pytest.raises(InputError, match=rf"^{path}: cannot tell the format; name it with --format$"):
            ingest(log, [str(path)])
        assert log.count() == 0


class TestReport:
    """What an ingest reports."""

    def test_counts_head_and_warnings(self, log: Log, article: Path) -> None:
        """Found, new, present, the head, and each warning with its file and line."""
        report = ingest(log, [str(article)], now=lambda: NOW)
        assert (report.found, report.new, report.present) == (2, 2, 0)
        assert report.head == log.head()
        assert [(w.level, w.path, w.line) for w in report.warnings] == [(Level.WARNING, str(article), 4)]
        assert "no attribution" in report.warnings[0].message
        assert (report.skipped, report.unknown) == ((), {})

    def test_second_ingest_finds_everything_present(self, log: Log, article: Path) -> None:
        """Ingesting the same input again reports 0 new, all present, and keeps the head."""
        first = ingest(log, [str(article)])
        again = ingest(log, [str(article)])
        assert (again.found, again.new, again.present, again.head) == (2, 0, 2, first.head)

    def test_events_in_input_order_with_the_ingest_time(self, log: Log, article: Path) -> None:
        """Events are appended in file order, at day precision, recorded at `now`."""
        ingest(log, [str(article)], now=lambda: NOW)
        entries = list(log.entries())
        assert [(e.event.post.author.handle, e.event.post.source.line) for e in entries] == [
            ("AlabedBana", 2),
            ("SyriaCivilDef", 6),
        ]
        assert {(e.event.precision, e.recorded_at) for e in entries} == {(Precision.DAY, NOW)}

    def test_progress(self, log: Log, article: Path, exported: Path) -> None:
        """Progress reports bytes read against the total size, ending at the total."""
        calls: list[tuple[int, int | None]] = []
        ingest(
            log, [str(article), str(exported)], on_progress=lambda done, total: calls.append((done, total))
        )
        total = article.stat().st_size + exported.stat().st_size
        assert calls
        assert {t for _, t in calls} == {total}
        assert calls[-1] == (total, total)
        assert [d for d, _ in calls] == sorted(d for d, _ in calls)

    def test_stdin(self, log: Log, exported: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """ "-" ingests standard input."""
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(exported.read_bytes())))
        report = ingest(log, ["-"])
        assert (report.formats, report.new) == ({"<stdin>": "jsonl"}, 11)


class TestBadInput:
    """A bad record stops the ingest and appends nothing, unless bad records are skipped."""

    @pytest.fixture
    def damaged(self, exported: Path) -> Path:
        """The export with its 2nd and 5th lines broken."""
        lines = exported.read_text(encoding="utf-8").splitlines()
        record = json.loads(lines[1])
        record["kind"] = "post.liked"
        lines[1] = json.dumps(record)
        lines[4] = lines[4][:40]
        exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return exported

    def test_bad_record_stops_and_appends_nothing(self, log: Log, article: Path, damaged: Path) -> None:
        """The first bad record is an InputError with file:line, and the log stays exactly as it was."""
        ingest(log, [str(article)])
        before = snapshot(log)
        with pytest.raises(InputError, match=rf"^{damaged}:2: kind must be one of") as raised:
            ingest(log, [str(damaged)])
        assert (raised.value.path, raised.value.line) == (str(damaged), 2)
        assert snapshot(log) == before

    def test_skip_bad_appends_the_rest(self, log: Log, damaged: Path) -> None:
        """With skip_bad, the good records are appended and the bad ones listed with their lines."""
        report = ingest(log, [str(damaged)], skip_bad=True)
        assert (report.found, report.new) == (9, 9)
        assert [(n.level, n.path, n.line) for n in report.skipped] == [
            (Level.BAD, str(damaged), 2),
            (Level.BAD, str(damaged), 5),
        ]
        assert log.count() == 9

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", r": is empty$"),
            (b"  \n\n", r": is empty$"),
            (b"text\n\x00\x01\x02", r":2: binary data \(a NUL byte\), not text$"),
            (b"caf\xe9\n", r":1: not UTF-8 text \(byte 0xe9\)$"),
        ],
        ids=["empty", "blank", "binary", "latin-1"],
    )
    def test_unreadable_input_fails_before_the_log_is_touched(
        self, log: Log, article: Path, tmp_path: Path, content: bytes, message: str
    ) -> None:
        """An empty, binary or non-UTF-8 input among good ones fails first; nothing is appended."""
        bad = tmp_path / "bad.txt"
        bad.write_bytes(content)
        before = snapshot(log)
        with pytest.raises(InputError, match=f"^{bad}{message}"):
            ingest(log, [str(article), str(bad)])
        assert snapshot(log) == before

    @pytest.mark.parametrize("name", ["missing.txt", "."])
    def test_missing_or_directory(self, log: Log, article: Path, tmp_path: Path, name: str) -> None:
        """A missing input or a directory fails before anything is read or appended."""
        path = tmp_path / name
        before = snapshot(log)
        with pytest.raises(InputError, match=r"no such file|is a directory"):
            ingest(log, [str(article), str(path)])
        assert snapshot(log) == before

    def test_open_documents_checks_everything_first(self, tmp_path: Path, article: Path) -> None:
        """open_documents opens and checks every input, in order, before any is read."""
        documents = open_documents([str(article), str(article)])
        assert [d.name for d in documents] == [str(article)] * 2
        assert all(d.bytes_read == 0 for d in documents)


class TestRoundTrip:
    """Export, ingest into a new log, export again: the same bytes and the same head."""

    def test_demo(self, tmp_path: Path, exported: Path) -> None:
        """The demo's export read back into a new log exports byte for byte the same."""
        with Log.open(tmp_path / "copy.log", create=True) as copy:
            report = ingest(copy, [str(exported)], now=lambda: LATER)
            again = export(copy, tmp_path / "again.jsonl")
        assert again == exported.read_text(encoding="utf-8")
        with Log.open(tmp_path / "source.log") as source:
            assert report.head == source.head()

    def test_through_the_workers(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """An export read by worker processes, a small span each, also comes back byte for byte."""
        monkeypatch.setattr(jsonl, "PARALLEL_FROM_BYTES", 0)
        monkeypatch.setattr(document, "_CHUNK", 2000)
        monkeypatch.setattr("os.cpu_count", lambda: 2)
        many = [
            make_event(f"post {n} #n{n % 7}", at=DAY, post_id=None if n % 3 else str(n)) for n in range(60)
        ]
        with Log.open(tmp_path / "source.log", create=True) as source:
            source.append(many, now=lambda: NOW)
            first = export(source, tmp_path / "source.jsonl")
            head = source.head()
        assert len(list(document.Document.open(str(tmp_path / "source.jsonl")).spans())) > 10
        with Log.open(tmp_path / "copy.log", create=True) as copy:
            report = ingest(copy, [str(tmp_path / "source.jsonl")])
            second = export(copy, tmp_path / "copy.jsonl")
        assert (report.new, report.head) == (60, head)
        assert second == first

    @settings(max_examples=40, deadline=None)
    @given(given_events=st.lists(events, max_size=6), ingests=st.integers(1, 3))
    def test_any_events(self, given_events: list[Event], ingests: int) -> None:
        """For any events, appended over several ingests, export -> ingest -> export is the identity."""
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            with Log.open(folder / "a.log", create=True) as original:
                for part in range(ingests):
                    original.append(given_events[part::ingests], now=lambda: NOW)
                first = export(original, folder / "a.jsonl")
                head = original.head()
            with Log.open(folder / "b.log", create=True) as copy:
                if first:  # an empty file is refused as input; an empty log exports nothing
                    ingest(copy, [str(folder / "a.jsonl")])  # auto: detection of the export is tested too
                second = export(copy, folder / "b.jsonl")
                assert copy.head() == head
        assert second == first
