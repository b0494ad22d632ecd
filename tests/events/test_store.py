"""The event log: the contract every open log keeps, what it refuses to open, and what verify finds."""

from __future__ import annotations

import itertools
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.codec import export_line
from events.errors import LogError
from events.integrity import Verification, verify_log
from events.model import GENESIS, Event, from_micros, to_micros
from events.readback import restore_line
from events.schema import APPLICATION_ID, SCHEMA_VERSION
from events.store import Log
from tests.conftest import events, make_event, tamper

T0 = datetime(2016, 12, 12, tzinfo=UTC)
NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


def numbered(count: int, start: int = 0) -> list[Event]:
    """`count` distinct events one minute apart from T0, read from two files."""
    return [
        make_event(f"post {i}", at=T0 + timedelta(minutes=i), path=f"file{i % 2}.txt", line=i)
        for i in range(start, start + count)
    ]


def log_of_numbered(folder: Path, count: int) -> Path:
    """A log file in `folder` holding `count` numbered events."""
    path = folder / "test.log"
    with Log.open(path, create=True) as log:
        log.append(numbered(count))
    return path


def connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection to the file, as any other program would open it."""
    return sqlite3.connect(path, isolation_level=None)


def table(path: Path, name: str) -> list[tuple[Any, ...]]:
    """Every row of a table, read through a plain connection."""
    with closing(connect(path)) as db:
        return db.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall()


def verify(path: Path) -> tuple[int | None, str | None]:
    """(first bad position, reason) of the log at `path`."""
    with Log.open(path, readonly=True) as log:
        result = log.verify()
    return result.first_bad, result.reason


class LogContract:
    """What every log keeps to, however it was opened; subclasses say how to open one."""

    @pytest.fixture
    def log(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Log]:
        """An empty log, opened the subclass's way."""
        log = self.open(tmp_path / "test.log", monkeypatch)
        yield log
        log.close()

    def open(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> Log:
        """Create and open an empty log at `path`."""
        raise NotImplementedError

    # -- an empty log --------------------------------------------------------------------------

    def test_empty(self, log: Log) -> None:
        """A new log holds nothing: count 0, the genesis head, no span, and it verifies."""
        assert log.count() == 0
        assert log.head() == GENESIS
        assert log.span() is None
        assert list(log.entries()) == []
        assert list(log.rows_by_time()) == []
        assert log.verify().intact
        summary = log.summary()
        assert (summary.count, summary.span, summary.sources, summary.kinds, summary.ingests) == (
            0,
            None,
            {},
            {},
            0,
        )

    def test_schema_is_marked_and_indexed(self, log: Log) -> None:
        """The file says it is a replay log of this schema, and is indexed by (occurred_at, seq)."""
        with closing(connect(log.path)) as db:
            assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            columns = [row[2] for row in db.execute("PRAGMA index_info('events_by_time')")]
        assert columns == ["occurred_at", "seq"]

    # -- appending -----------------------------------------------------------------------------

    def test_append_in_order(self, log: Log) -> None:
        """Appended events get positions 1..n in the order given, with the append's time."""
        given_events = numbered(5)
        result = log.append(given_events, now=lambda: NOW)
        assert (result.found, result.new, result.present) == (5, 5, 0)
        entries = list(log.entries())
        assert [entry.seq for entry in entries] == [1, 2, 3, 4, 5]
        assert [entry.event for entry in entries] == given_events
        assert {entry.recorded_at for entry in entries} == {NOW}
        assert log.count() == 5

    def test_append_is_idempotent(self, log: Log) -> None:
        """Appending the same events again adds nothing: "0 new, N present", same head and count."""
        first = log.append(numbered(7))
        again = log.append(numbered(7))
        assert (again.found, again.new, again.present) == (7, 0, 7)
        assert again.head == first.head == log.head()
        assert log.count() == 7

    def test_duplicates_within_one_append(self, log: Log) -> None:
        """An event given twice in one append is stored once."""
        a, b = numbered(2)
        result = log.append([a, b, a, b, a])
        assert (result.found, result.new, result.present) == (5, 2, 3)
        assert [entry.event for entry in log.entries()] == [a, b]

    def test_ids_that_share_a_key(self, log: Log, monkeypatch: pytest.MonkeyPatch) -> None:
        """Distinct ids under one index key are each appended once: the full id decides."""
        monkeypatch.setattr("events.store.id_keys", lambda ids: [7] * len(ids))
        assert log.append(numbered(4)).new == 4
        result = log.append(numbered(6))
        assert (result.new, result.present) == (2, 4)
        assert [entry.event for entry in log.entries()] == numbered(6)

    def test_only_new_events_are_added(self, log: Log) -> None:
        """An append that overlaps the log adds only the new events, at the end, in order."""
        log.append(numbered(3))
        result = log.append(numbered(6))
        assert (result.new, result.present) == (3, 3)
        assert [entry.event for entry in log.entries()] == numbered(6)

    def test_empty_append(self, log: Log) -> None:
        """Appending nothing changes nothing and records no ingest."""
        result = log.append([])
        assert (result.found, result.new, result.head) == (0, 0, GENESIS)
        assert log.summary().ingests == 0

    def test_head_changes_with_each_append(self, log: Log) -> None:
        """Each append that adds something moves the head to the hash of the last entry."""
        heads = [log.head()]
        for event in numbered(4):
            result = log.append([event])
            assert result.head == log.head() == log.get(log.count()).hash
            heads.append(log.head())
        assert len(set(heads)) == 5

    def test_entries_form_a_chain(self, log: Log) -> None:
        """Each entry's prev is the hash of the one before; the first's is GENESIS."""
        log.append(numbered(6))
        entries = list(log.entries())
        assert entries[0].prev == GENESIS
        for before, after in itertools.pairwise(entries):
            assert after.prev == before.hash
        assert log.head() == entries[-1].hash

    def test_get(self, log: Log) -> None:
        """get(n) is the n-th entry; a position outside the log is a LogError naming the path."""
        log.append(numbered(4))
        assert [log.get(seq) for seq in range(1, 5)] == list(log.entries())
        for seq in (0, 5):
            with pytest.raises(LogError, match=f"{log.path}: no entry at position {seq}"):
                log.get(seq)

    def test_restored_events_keep_their_time_and_body(self, log: Log) -> None:
        """An event read back from an export keeps its recorded_at and its body byte for byte."""
        body = (
            '{"text":"caf\\u00e9","platform":"twitter","author":{"name":null,"handle":"a"},'
            '"source":{"path":"f","format":"article","line":1},"id":null,"hashtags":[],'
            '"mentions":[],"urls":[],"reply_to":null,"quote_of":null,"repost_of":null,"lang":null}'
        )
        line = (
            '{"kind":"post.published","occurred_at":"2016-12-12T00:00:00Z","precision":"day",'
            f'"recorded_at":"2017-01-01T00:00:00Z","post":{body}}}'
        )
        log.append([restore_line(line)], now=lambda: NOW)
        assert log.get(1).recorded_at == datetime(2017, 1, 1, tzinfo=UTC)
        assert [row[7] for row in table(log.path, "events")] == [body]
        assert log.verify().intact

    def test_reopened_log_is_the_same(self, log: Log) -> None:
        """Closing and reopening gives the same entries and head."""
        log.append(numbered(3))
        before = (list(log.entries()), log.head())
        with Log.open(log.path) as again:
            assert (list(again.entries()), again.head()) == before

    # -- append-only ---------------------------------------------------------------------------

    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE events SET body = '{}' WHERE seq = 1",
            "DELETE FROM events WHERE seq = 2",
            "DELETE FROM events",
            "UPDATE ingests SET last_seq = 1",
            "DELETE FROM ingests",
        ],
    )
    def test_triggers_refuse_changes(self, log: Log, sql: str) -> None:
        """Even a plain sqlite3 connection cannot UPDATE or DELETE: the file's own triggers refuse."""
        log.append(numbered(3))
        before = (table(log.path, "events"), table(log.path, "ingests"))
        with closing(connect(log.path)) as db, pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
        assert (table(log.path, "events"), table(log.path, "ingests")) == before
        assert log.verify().intact

    @pytest.mark.parametrize("error", [RuntimeError("source broke"), KeyboardInterrupt()])
    def test_failed_append_leaves_the_log_as_it_was(self, log: Log, error: BaseException) -> None:
        """An iterator that raises mid-append leaves count, head and every byte of the file as they were."""
        log.append(numbered(3))
        before = (log.count(), log.head(), log.path.read_bytes(), table(log.path, "ingests"))

        def failing() -> Iterator[Event]:
            yield from numbered(5, start=3)
            raise error

        with pytest.raises(type(error)):
            log.append(failing())
        assert (log.count(), log.head(), log.path.read_bytes(), table(log.path, "ingests")) == before
        assert log.append(numbered(5, start=3)).new == 5  # and the log is still usable

    def test_locked_by_another_writer(self, log: Log) -> None:
        """While another connection holds a write transaction, an append says "locked" and adds nothing."""
        log.append(numbered(2))
        with closing(connect(log.path)) as other:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(LogError, match=rf"^{log.path}: locked by another writer"):
                log.append(numbered(3))
            other.execute("ROLLBACK")
        assert log.count() == 2
        assert log.append(numbered(3)).new == 1

    def test_a_log_opened_read_only_says_so(self, log: Log) -> None:
        """Appending through a read-only opening (or to a file without write permission) says read-only."""
        log.append(numbered(1))
        with Log.open(log.path, readonly=True) as reader, pytest.raises(LogError, match="read-only"):
            reader.append(numbered(2))

    def test_an_append_waits_for_a_reader_to_finish(self, log: Log) -> None:
        """A reader in the middle of a read holds the commit back; the append goes in when it is done."""
        log.append(numbered(2))
        with closing(sqlite3.connect(log.path, isolation_level=None, check_same_thread=False)) as reader:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM events").fetchone()
            threading.Timer(0.3, reader.execute, ["ROLLBACK"]).start()
            assert log.append(numbered(3)).new == 1

    def test_an_open_log_waits_for_a_long_commit_instead_of_failing(self, log: Log) -> None:
        """A reader (the player) waits out another process's commit that holds the file for a while."""
        log.append(numbered(2))
        with Log.open(log.path, readonly=True) as reader:
            reader.count()
            with closing(sqlite3.connect(log.path, isolation_level=None, check_same_thread=False)) as writer:
                writer.execute("BEGIN EXCLUSIVE")
                threading.Timer(1.0, writer.execute, ["COMMIT"]).start()
                assert reader.count() == 2

    def test_verify_reads_one_snapshot(self, log: Log, monkeypatch: pytest.MonkeyPatch) -> None:
        """While verify reads, another process's append cannot commit (it says so), so verify never
        sees an ingest half done."""
        log.append(numbered(3))

        def verify_with_an_ingest_meanwhile(db: sqlite3.Connection, on_progress: Any) -> Verification:
            db.execute("SELECT count(*) FROM events").fetchone()  # the snapshot begins here
            with Log.open(log.path) as other, pytest.raises(LogError, match="busy: another process"):
                other.append(numbered(5))
            return verify_log(db, on_progress)

        monkeypatch.setattr("events.store.verify_log", verify_with_an_ingest_meanwhile)
        monkeypatch.setattr("events.store.WRITE_WAIT_MS", 100)
        assert log.verify().intact and log.count() == 3

    # -- reading by time -----------------------------------------------------------------------

    @pytest.fixture
    def shuffled(self, log: Log) -> list[tuple[int, int]]:
        """A log whose events were appended out of time order, with ties; its (occurred_at µs, seq)."""
        minutes = [5, 1, 3, 1, 0, 5, 2, 3, 1, 4]
        log.append(make_event(f"post {i}", at=T0 + timedelta(minutes=m)) for i, m in enumerate(minutes))
        return [(to_micros(T0 + timedelta(minutes=m)), seq) for seq, m in enumerate(minutes, start=1)]

    def test_rows_by_time_in_time_then_position_order(
        self, log: Log, shuffled: list[tuple[int, int]]
    ) -> None:
        """rows_by_time streams every row in (occurred_at, seq) order."""
        rows = log.rows_by_time()
        assert isinstance(rows, Iterator)
        assert [(row[3], row[0]) for row in rows] == sorted(shuffled)

    @pytest.mark.parametrize(("since", "until"), [(1, 3), (0, 6), (3, 4), (2, 2), (None, 2), (4, None)])
    def test_window_is_half_open(
        self, log: Log, shuffled: list[tuple[int, int]], since: int | None, until: int | None
    ) -> None:
        """rows_by_time and window give exactly the events in [since, until), in time order."""
        since_us = None if since is None else to_micros(T0 + timedelta(minutes=since))
        until_us = None if until is None else to_micros(T0 + timedelta(minutes=until))
        expected = [
            key
            for key in sorted(shuffled)
            if (since_us is None or key[0] >= since_us) and (until_us is None or key[0] < until_us)
        ]
        assert [(row[3], row[0]) for row in log.rows_by_time(since_us, until_us)] == expected
        if since_us is not None and until_us is not None:
            window = list(log.window(from_micros(since_us), from_micros(until_us)))
            assert [(to_micros(e.event.occurred_at), e.seq) for e in window] == expected
            assert window == [log.get(e.seq) for e in window]

    def test_rows_by_time_resumes_after_a_position(self, log: Log, shuffled: list[tuple[int, int]]) -> None:
        """after_seq skips the rows at exactly `since` up to that position, so a reader can resume."""
        at_one = to_micros(T0 + timedelta(minutes=1))
        tied = [seq for micros, seq in sorted(shuffled) if micros == at_one]
        assert len(tied) == 3
        resumed = [(row[3], row[0]) for row in log.rows_by_time(at_one, after_seq=tied[0])]
        assert resumed == [key for key in sorted(shuffled) if key > (at_one, tied[0])]

    def test_entries_by_time_keep_log_order(self, log: Log, shuffled: list[tuple[int, int]]) -> None:
        """entries(since, until) gives the events in [since, until) in log order, with correct links."""
        since, until = T0 + timedelta(minutes=1), T0 + timedelta(minutes=4)
        entries = list(log.entries(since, until))
        assert [e.seq for e in entries] == [
            seq for micros, seq in shuffled if to_micros(since) <= micros < to_micros(until)
        ]
        assert entries == [log.get(e.seq) for e in entries]
        assert [e.seq for e in log.entries(since=T0 + timedelta(minutes=5))] == [1, 6]
        assert [e.seq for e in log.entries(until=T0 + timedelta(minutes=1))] == [5]

    def test_export_lines(self, log: Log, shuffled: list[tuple[int, int]]) -> None:
        """export_lines is the export line of each entry, over the same filters."""
        assert list(log.export_lines()) == [export_line(e) for e in log.entries()]
        since, until = T0 + timedelta(minutes=3), T0 + timedelta(minutes=5)
        assert list(log.export_lines(since, until)) == [export_line(e) for e in log.entries(since, until)]

    def test_count_span_and_summary(self, log: Log) -> None:
        """count, span and summary describe what went in, one ingest per append that added something."""
        log.append(numbered(3), now=lambda: NOW)
        log.append(numbered(3))
        log.append(numbered(2, start=10))
        summary = log.summary()
        assert log.count() == summary.count == 5
        assert summary.span is not None
        assert (summary.span.first, summary.span.last) == (T0, T0 + timedelta(minutes=11))
        assert summary.span == log.span()
        assert summary.sources == {"file0.txt": 3, "file1.txt": 2}
        assert summary.kinds == {"post.published": 5}
        assert summary.ingests == 2
        assert summary.head == log.head()

    def test_verify_intact(self, log: Log) -> None:
        """An untouched log verifies, every entry checked."""
        log.append(numbered(9))
        result = log.verify()
        assert (result.intact, result.checked, result.first_bad, result.reason) == (True, 9, None, None)


class TestNewLog(LogContract):
    """The contract on a log created for the test, appending in the default batches."""

    def open(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> Log:
        """A log created at `path`."""
        return Log.open(path, create=True)


class TestReopenedLogInSmallBatches(LogContract):
    """The contract on a log created, closed and reopened, appending 2 events per batch."""

    def open(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> Log:
        """A log created at `path`, closed, and opened again without `create`, in tiny batches."""
        monkeypatch.setattr("events.store.BATCH", 2)
        monkeypatch.setattr("events.store._LOOKUP_CHUNK", 3)
        Log.open(path, create=True).close()
        return Log.open(path)


# -- opening what is not a log -------------------------------------------------------------------


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(2016).randbytes(8192))


def _other_app(path: Path) -> None:
    with closing(connect(path)) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('not a log')")


def _text(path: Path) -> None:
    path.write_text("SQLite format 3 is not enough\n" * 10)


@pytest.mark.parametrize(
    "make", [_random_bytes, _other_app, _text], ids=["random bytes", "other app", "text"]
)
@pytest.mark.parametrize(
    "options", [{}, {"create": True}, {"readonly": True}], ids=["plain", "create", "readonly"]
)
def test_not_a_log_is_refused_and_untouched(tmp_path: Path, make: Any, options: dict[str, bool]) -> None:
    """A file that is not a replay log is a LogError naming it, and is left byte for byte as it was."""
    path = tmp_path / "data.db"
    make(path)
    before = path.read_bytes()
    with pytest.raises(LogError, match=rf"^{path}: not a replay log"):
        Log.open(path, **options)
    assert path.read_bytes() == before


def test_directory_is_refused(tmp_path: Path) -> None:
    """A directory is not a log, even with create."""
    with pytest.raises(LogError, match=rf"^{tmp_path}: is a directory, not a log$"):
        Log.open(tmp_path, create=True)


@pytest.mark.parametrize("readonly", [False, True])
def test_missing_log_is_refused_and_not_created(tmp_path: Path, readonly: bool) -> None:
    """Without create, a missing log is a LogError naming the path, and no file appears."""
    path = tmp_path / "missing.log"
    with pytest.raises(LogError, match=rf"^{path}: no such log$"):
        Log.open(path, readonly=readonly)
    assert not path.exists()


def test_empty_file_is_not_a_log(tmp_path: Path) -> None:
    """An empty file is refused without create (it is not a log yet)."""
    path = tmp_path / "empty.log"
    path.touch()
    with pytest.raises(LogError, match=rf"^{path}: is empty, not a log$"):
        Log.open(path, readonly=True)
    assert path.read_bytes() == b""


def test_missing_directory_is_refused(tmp_path: Path) -> None:
    """A log cannot be created in a directory that does not exist; the error names the path."""
    path = tmp_path / "nowhere" / "test.log"
    with pytest.raises(LogError, match=rf"^{path}: cannot open"):
        Log.open(path, create=True)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A log written by a newer replay is refused with a message saying so, not misread."""
    path = tmp_path / "future.log"
    with Log.open(path, create=True) as log:
        log.append(numbered(1))
    with closing(connect(path)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(
        LogError, match=rf"^{path}: log schema {SCHEMA_VERSION + 1} is newer than this replay"
    ):
        Log.open(path, readonly=True)


def test_exclusively_locked_log_is_reported_as_locked(tmp_path: Path) -> None:
    """Opening a log another writer holds exclusively says it is locked, not that it is no log."""
    path = tmp_path / "busy.log"
    with Log.open(path, create=True) as log:
        log.append(numbered(2))
    with closing(connect(path)) as other:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(LogError) as raised:
            Log.open(path, readonly=True)
        other.execute("ROLLBACK")
    assert "locked" in str(raised.value)
    assert "not a replay log" not in str(raised.value)


# -- verify: any single changed byte is found ----------------------------------------------------


@contextmanager
def built(given_events: Sequence[Event]) -> Iterator[tuple[Path, int]]:
    """A log of `given_events` in a temporary directory, and how many entries it holds."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "test.log"
        with Log.open(path, create=True) as log:
            log.append(given_events, now=lambda: NOW)
            count = log.count()
        yield path, count


_REPLACEMENTS = st.sampled_from(["a", "Z", "0", " ", '"', "{", "}", ":", ",", "\\", "é", "😢", "\n"])
_HASHED = ["id", "kind", "occurred_at", "precision", "recorded_at", "body", "hash"]


def _changed(value: object, data: st.DataObject) -> object:
    """`value` with one byte (of an integer or blob) or one character (of text) changed."""
    if isinstance(value, int):
        raw = bytearray(value.to_bytes(8, "big", signed=True))
        raw[data.draw(st.integers(0, 7))] ^= data.draw(st.integers(1, 255))
        return int.from_bytes(raw, "big", signed=True)
    if isinstance(value, bytes):
        changed = bytearray(value)
        changed[data.draw(st.integers(0, len(value) - 1))] ^= data.draw(st.integers(1, 255))
        return bytes(changed)
    assert isinstance(value, str)
    index = data.draw(st.integers(0, len(value) - 1))
    character = data.draw(_REPLACEMENTS.filter(lambda c: c != value[index]))
    return value[:index] + character + value[index + 1 :]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(given_events=st.lists(events, min_size=1, max_size=4), data=st.data())
def test_verify_finds_any_changed_byte(given_events: list[Event], data: st.DataObject) -> None:
    """Change one byte or character of any column of any entry: verify names that position."""
    with built(given_events) as (path, count):
        seq = data.draw(st.integers(1, count), label="position")
        column = data.draw(st.sampled_from(_HASHED), label="column")
        with closing(connect(path)) as db:
            value = db.execute(f"SELECT {column} FROM events WHERE seq = ?", (seq,)).fetchone()[0]
        tamper(path, f"UPDATE events SET {column} = ? WHERE seq = ?", (_changed(value, data), seq))
        first_bad, _ = verify(path)
    allowed = {seq, seq + 1} if column == "hash" else {seq}
    assert first_bad in allowed


def test_verify_reports_each_kind_of_damage(tmp_path: Path) -> None:
    """verify says why a position is bad: unreadable, id or hash mismatch, or missing."""
    cases = {
        "UPDATE events SET kind = 'post.liked' WHERE seq = 3": (3, "unreadable"),
        "UPDATE events SET body = replace(body, 'post 3', 'post 9') WHERE seq = 4": (4, "id does not match"),
        "UPDATE events SET recorded_at = recorded_at + 1 WHERE seq = 2": (2, "hash does not match"),
        "DELETE FROM events WHERE seq = 4": (4, "missing"),
        "UPDATE events SET seq = 40 WHERE seq = 5": (5, "missing"),
    }
    for number, (sql, (position, reason)) in enumerate(cases.items()):
        path = tmp_path / f"{number}.log"
        with Log.open(path, create=True) as log:
            log.append(numbered(6))
        tamper(path, sql)
        first_bad, found = verify(path)
        assert first_bad == position, sql
        assert found is not None
        assert found.startswith(reason), sql


def test_verify_names_an_entry_renumbered_below_one(tmp_path: Path) -> None:
    """An entry whose position was changed to 0 is reported at its own position, not at intact 1."""
    path = log_of_numbered(tmp_path, 5)
    tamper(path, "UPDATE events SET seq = 0 WHERE seq = 3")
    assert verify(path)[0] == 3


def test_verify_finds_an_entry_added_before_the_first(tmp_path: Path) -> None:
    """A row inserted at position 0 (INSERT is allowed) is damage, not something to pass over."""
    path = log_of_numbered(tmp_path, 3)
    with closing(sqlite3.connect(path)) as db:
        row = db.execute(
            "SELECT id, key, kind, occurred_at, precision, recorded_at, body, hash FROM events WHERE seq = 1"
        ).fetchone()
        columns = "id, key, kind, occurred_at, precision, recorded_at, body, hash"
        db.execute(f"INSERT INTO events (seq, {columns}) VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        db.commit()
    assert verify(path) == (0, "an entry out of place, before the first")


def test_verify_finds_a_column_stored_as_another_type(tmp_path: Path) -> None:
    """A body stored as a BLOB with the same bytes still hashes the same, but it is not a log's row."""
    path = log_of_numbered(tmp_path, 3)
    tamper(path, "UPDATE events SET body = CAST(body AS BLOB) WHERE seq = 2")
    assert verify(path) == (2, "a column has the wrong type")


@pytest.mark.parametrize(
    "sql",
    [
        """UPDATE ingests SET kinds = '{"post.deleted": 3}'""",
        """UPDATE ingests SET sources = '{"forged.txt": 3}'""",
        "UPDATE ingests SET sources = 'not json'",
        "UPDATE ingests SET last_seq = 2",
        "UPDATE ingests SET first_seq = 2",
    ],
)
def test_verify_finds_a_changed_ingest_record(tmp_path: Path, sql: str) -> None:
    """The ingest records that `log info` reads must count the entries they cover."""
    path = log_of_numbered(tmp_path, 3)
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("DROP TRIGGER ingests_no_update")
        db.execute(sql)
    first_bad, reason = verify(path)
    assert first_bad == 0 and reason is not None and "ingest record" in reason


def test_verify_finds_a_changed_index_key(tmp_path: Path) -> None:
    """The id index key is stored too: changing one of its bytes is damage that verify reports."""
    path = log_of_numbered(tmp_path, 5)
    tamper(path, "UPDATE events SET key = key + 1 WHERE seq = 3")
    assert verify(path)[0] == 3


def test_verify_finds_a_byte_that_breaks_utf8(tmp_path: Path) -> None:
    """One byte of a body changed to 0xff (not UTF-8) is reported at its position."""
    path = log_of_numbered(tmp_path, 5)
    with closing(connect(path)) as db:
        body = db.execute("SELECT CAST(body AS BLOB) FROM events WHERE seq = 2").fetchone()[0]
    tamper(path, "UPDATE events SET body = CAST(? AS TEXT) WHERE seq = 2", (b"\xff" + body[1:],))
    assert verify(path)[0] == 2


def test_verify_finds_a_missing_row(tmp_path: Path) -> None:
    """A row deleted from the middle is reported as missing at its position."""
    path = log_of_numbered(tmp_path, 5)
    tamper(path, "DELETE FROM events WHERE seq = 2")
    assert verify(path) == (2, "missing")


def test_verify_finds_a_missing_last_row(tmp_path: Path) -> None:
    """A log whose last entry was deleted is not reported intact."""
    path = log_of_numbered(tmp_path, 5)
    tamper(path, "DELETE FROM events WHERE seq = 5")
    assert verify(path)[0] == 5


def test_a_write_cut_short_is_undone_when_the_log_is_opened(tmp_path: Path) -> None:
    """A process killed inside an append leaves a -journal; reading the log undoes it first."""
    path = tmp_path / "test.log"
    with Log.open(path, create=True) as log:
        log.append(numbered(3))
        head = log.head()
    script = (
        "import os, sqlite3\n"
        f"db = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "db.execute('PRAGMA cache_size = 1')\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "db.execute('CREATE TABLE filler (x BLOB)')\n"
        "db.executemany('INSERT INTO filler VALUES (?)', [(os.urandom(4000),) for _ in range(500)])\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    assert path.with_name("test.log-journal").exists()
    with Log.open(path, readonly=True) as log:
        assert (log.count(), log.head()) == (3, head)
        assert log.verify().intact
    assert not path.with_name("test.log-journal").exists()
