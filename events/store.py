"""The event log: one append-only SQLite file, indexed by time and sealed by a hash chain."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import Any

from attrs import frozen

from events.codec import (
    Row,
    chain_hash,
    entry_from_row,
    event_id,
    export_line_from_row,
    id_keys,
    post_body,
)
from events.errors import LogError
from events.integrity import Verification, verify_log
from events.model import GENESIS, Entry, Event, from_micros, to_micros
from events.positions import COLUMNS as _COLUMNS
from events.positions import Instant, TimeIndex
from events.readback import Restored, RestoredBlock, RestoredRow
from events.schema import BUSY_TIMEOUT_S, READ_WAIT_MS, connect

BATCH = 4096
WRITE_WAIT_MS = 5_000
"""How long an append, once it is the writer, waits for readers (a verify, a player) to let it commit."""
_LOOKUP_CHUNK = 900  # stays under SQLite's limit on bound parameters
_WRITTEN_BYTES = 1 << 23  # 8 MB: 2**26 bits, about 1.5% of them set by a million appended ids
_WRITTEN_MASK = _WRITTEN_BYTES - 1
_KIND = itemgetter(1)
_SOURCE = itemgetter(6)


@frozen(kw_only=True)
class AppendResult:
    """What an append did: how many events it was given, added, and found already present."""

    found: int
    new: int
    present: int
    head: str


@frozen(kw_only=True)
class Span:
    """The first and last `occurred_at` in a log."""

    first: datetime
    last: datetime


@frozen(kw_only=True)
class Summary:
    """What `replay log info` shows: size, time span, what went in, and the head."""

    count: int
    span: Span | None
    sources: dict[str, int]
    kinds: dict[str, int]
    ingests: int
    head: str


class Log(TimeIndex):
    """An open event log. Appends are atomic batches at the end; nothing is changed in place."""

    def __init__(self, connection: sqlite3.Connection, path: Path, *, created: bool = False) -> None:
        self._db = connection
        self.path = path
        self.created = created
        """True when this opening made the log's tables (the file was new or empty)."""

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False, readonly: bool = False) -> Log:
        """Open the log at `path`; with `create`, make an empty one if the file does not exist."""
        path = Path(path)
        db, created = connect(path, create=create, readonly=readonly)
        return cls(db, path, created=created)

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def __enter__(self) -> Log:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------

    def count(self) -> int:
        """How many entries the log holds (positions are dense, so the last position)."""
        row = self._db.execute("SELECT max(seq) FROM events").fetchone()
        return int(row[0] or 0)

    def head(self) -> str:
        """The hash of the last entry, which names the whole log; GENESIS when it is empty."""
        return self._head_bytes().hex()

    def _head_bytes(self) -> bytes:
        row = self._db.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return bytes.fromhex(GENESIS) if row is None else bytes(row[0])

    def span(self) -> Span | None:
        """The earliest and latest `occurred_at`, from the time index; None when empty."""
        first = self._db.execute("SELECT min(occurred_at) FROM events").fetchone()[0]
        if first is None:
            return None
        last = self._db.execute("SELECT max(occurred_at) FROM events").fetchone()[0]
        return Span(first=from_micros(first), last=from_micros(last))

    def summary(self) -> Summary:
        """Count, span, sources, kinds and head, read from the ingest records, not the events."""
        sources: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        ingests = 0
        for source_json, kinds_json in self._db.execute("SELECT sources, kinds FROM ingests"):
            ingests += 1
            try:
                sources.update(json.loads(source_json))
                kinds.update(json.loads(kinds_json))
            except (TypeError, ValueError) as exc:
                raise LogError(f"{self.path}: damaged ingest records; run replay log verify") from exc
        return Summary(
            count=self.count(),
            span=self.span(),
            sources=dict(sources),
            kinds=dict(kinds),
            ingests=ingests,
            head=self.head(),
        )

    def get(self, seq: int) -> Entry:
        """The entry at position `seq`."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM events WHERE seq = ?", (seq,)).fetchone()
        if row is None:
            raise LogError(f"{self.path}: no entry at position {seq}")
        return entry_from_row(row, self._hash_before(seq))

    def _hash_before(self, seq: int) -> bytes:
        row = self._db.execute("SELECT hash FROM events WHERE seq = ?", (seq - 1,)).fetchone()
        return bytes.fromhex(GENESIS) if row is None else bytes(row[0])

    def _rows_with_prev(self, since: datetime | None, until: datetime | None) -> Iterator[tuple[Row, bytes]]:
        """Rows in log order over [since, until), each with the hash of the row before it."""
        where, params = _time_filter(since, until)
        cursor = self._db.execute(f"SELECT {_COLUMNS} FROM events {where} ORDER BY seq", params)
        last_seq, last_hash = 0, bytes.fromhex(GENESIS)
        for row in cursor:
            seq = row[0]
            yield row, last_hash if seq == last_seq + 1 else self._hash_before(seq)
            last_seq, last_hash = seq, row[7]

    def entries(self, since: datetime | None = None, until: datetime | None = None) -> Iterator[Entry]:
        """Entries in log order, optionally only those that occurred in [since, until)."""
        for row, prev in self._rows_with_prev(since, until):
            yield entry_from_row(row, prev)

    def export_lines(self, since: datetime | None = None, until: datetime | None = None) -> Iterator[str]:
        """Export lines (JSON Lines) of the entries in log order, bodies exactly as stored."""
        for row, prev in self._rows_with_prev(since, until):
            yield export_line_from_row(row, prev)

    def rows_by_time(
        self, since_us: int | None = None, until_us: int | None = None, after_seq: int = 0
    ) -> Iterator[Row]:
        """Stored rows in (occurred_at, seq) order over [since_us, until_us), streamed.

        `after_seq` skips rows at exactly `since_us` with a position at or before it, so a reader
        can resume just after the last row it saw.
        """
        clauses, params = [], []
        if since_us is not None:
            # A row value, so SQLite seeks the index instead of scanning it for the OR.
            clauses.append("(occurred_at, seq) > (?, ?)")
            params += [since_us, after_seq]
        if until_us is not None:
            clauses.append("occurred_at < ?")
            params.append(until_us)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT {_COLUMNS} FROM events INDEXED BY events_by_time {where} "
        yield from self._db.execute(sql + "ORDER BY occurred_at, seq", params)

    def window(self, since: datetime, until: datetime) -> Iterator[Entry]:
        """Entries that occurred in [since, until), in time order."""
        for row in self.rows_by_time(to_micros(since), to_micros(until)):
            yield entry_from_row(row, self._hash_before(row[0]))

    def hash_before(self, seq: int) -> bytes:
        """The hash of the entry before position `seq` (GENESIS for the first): its `prev`."""
        return self._hash_before(seq)

    # -- checking ------------------------------------------------------------------------------

    def verify(self, on_progress: Callable[[int], None] | None = None) -> Verification:
        """Recompute every id, key and hash and the chain; name the first position that fails.

        The log is read as one snapshot: an ingest by another process meanwhile waits, rather
        than being seen half-way (its entries without its record, or the other way round).
        """
        self._db.execute("BEGIN")
        try:
            return verify_log(self._db, on_progress)
        finally:
            self._db.execute("ROLLBACK")

    # -- writing -------------------------------------------------------------------------------

    def append(
        self,
        items: Iterable[Event | Restored | RestoredBlock],
        *,
        now: Callable[[], datetime] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> AppendResult:
        """Append the events not already in the log, in order, in one transaction.

        An event whose id the log already holds is skipped, so ingesting the same input twice
        appends nothing. If anything fails, including the iterator, nothing is appended.
        """
        recorded_us = to_micros((now or _utc_now)())
        found = new = 0
        kinds: Counter[str] = Counter()
        sources: Counter[str] = Counter()
        self._db.execute(f"PRAGMA busy_timeout = {round(BUSY_TIMEOUT_S * 1000)}")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            self._db.execute(f"PRAGMA busy_timeout = {READ_WAIT_MS}")
            raise LogError(f"{self.path}: locked by another writer ({exc})") from exc
        self._db.execute(f"PRAGMA busy_timeout = {WRITE_WAIT_MS}")  # readers finish what they read
        try:
            seq = self.count()
            first_seq = seq + 1
            prev = self._head_bytes()
            written = _Written() if seq == 0 else None
            for batch in _batches(items):
                found += len(batch)
                fresh, keys = self._not_in_log(batch, written)
                rows = []
                for (id_, kind, occurred, precision, restored_at, body, _), key in zip(
                    fresh, keys, strict=True
                ):
                    seq += 1
                    recorded = recorded_us if restored_at is None else restored_at
                    prev = chain_hash(prev, (seq, id_, kind, occurred, precision, recorded, body))
                    rows.append((seq, id_, kind, occurred, precision, recorded, body, prev, key))
                self._db.executemany(f"INSERT INTO events ({_COLUMNS}, key) VALUES (?,?,?,?,?,?,?,?,?)", rows)
                kinds.update(map(_KIND, fresh))
                sources.update(map(_SOURCE, fresh))
                new += len(rows)
                if on_progress is not None:
                    on_progress(found)
            if new:
                self._db.execute(
                    "INSERT INTO ingests VALUES (?, ?, ?, ?, ?)",
                    (recorded_us, first_seq, seq, json.dumps(sources), json.dumps(kinds)),
                )
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            if "readonly" in str(exc):
                raise LogError(f"{self.path}: read-only (opened so, or no write permission)") from exc
            if "locked" not in str(exc):
                raise
            raise LogError(
                f"{self.path}: busy: another process kept reading the log for "
                f"{WRITE_WAIT_MS / 1000:g} s; nothing was appended, try again"
            ) from exc
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {READ_WAIT_MS}")
        return AppendResult(found=found, new=new, present=found - new, head=prev.hex())

    def _not_in_log(
        self, batch: Sequence[Event | RestoredRow], written: _Written | None
    ) -> tuple[list[RestoredRow], list[int]]:
        """The rows of the items of `batch` that neither the log nor the batch holds already, and
        the keys of their ids.

        `written`, given while appending to a log that was empty, says which ids may have been
        written by this append; only those are looked up.
        """
        ids = [bytes.fromhex(event_id(item)) if isinstance(item, Event) else item[0] for item in batch]
        keys = id_keys(ids)
        known = self._known_ids(keys if written is None else written.candidates(keys))
        if not known and len(set(ids)) == len(ids):  # the usual case, without a step a row
            fresh = [
                _row(item, id_) if isinstance(item, Event) else item
                for id_, item in zip(ids, batch, strict=True)
            ]
        else:
            fresh, kept = [], []
            for id_, key, item in zip(ids, keys, batch, strict=True):
                if id_ not in known:
                    known.add(id_)
                    fresh.append(_row(item, id_) if isinstance(item, Event) else item)
                    kept.append(key)
            keys = kept
        if written is not None:
            written.add(keys)
        return fresh, keys

    def _known_ids(self, keys: list[int]) -> set[bytes]:
        """The ids in the log whose keys are among `keys`.

        The keys are looked up in their index alone first: most are not in the log, and the id
        of one that is must be read from its row, which may be anywhere in the file.
        """
        present = self._lookup("SELECT key FROM events WHERE key IN ({})", keys)
        return {bytes(id_) for id_ in self._lookup("SELECT id FROM events WHERE key IN ({})", present)}

    def _lookup(self, query: str, keys: list[int]) -> list[Any]:
        """The first column of what `query` finds for `keys`, asked for a chunk of keys at a time."""
        found: list[Any] = []
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            found.extend(row[0] for row in self._db.execute(query.format(",".join("?" * len(chunk))), chunk))
        return found


class _Written:
    """The id keys one append has written, a bit each (by their low bits), in 8 MB.

    In a log that was empty when the append began, an id is new unless the append wrote it; a
    clear bit says it did not, so the index is asked only about ids whose bit is set (about 1.5%
    of a million, set by others).
    """

    def __init__(self) -> None:
        self._bits = bytearray(_WRITTEN_BYTES)

    def candidates(self, keys: list[int]) -> list[int]:
        """The keys that may have been written."""
        bits = self._bits
        return [key for key in keys if bits[key >> 3 & _WRITTEN_MASK] & 1 << (key & 7)]

    def add(self, keys: list[int]) -> None:
        """Mark `keys` written."""
        bits = self._bits
        for key in keys:
            bits[key >> 3 & _WRITTEN_MASK] |= 1 << (key & 7)


def _batches(items: Iterable[Event | Restored | RestoredBlock]) -> Iterator[Sequence[Event | RestoredRow]]:
    """The items in batches of at most BATCH; a block of restored rows is a batch as it is."""
    batch: list[Event | RestoredRow] = []
    for item in items:
        if isinstance(item, RestoredBlock):
            if batch:
                yield batch
                batch = []
            for start in range(0, len(item.rows), BATCH):
                yield item.rows[start : start + BATCH]
            continue
        batch.append(item.row() if isinstance(item, Restored) else item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _row(event: Event, id_: bytes) -> RestoredRow:
    """What the log stores of `event`; its body is encoded only once it is known to be new."""
    return (
        id_,
        event.kind.value,
        to_micros(event.occurred_at),
        event.precision.value,
        None,
        post_body(event.post),
        event.post.source.path,
    )


def _time_filter(since: datetime | None, until: datetime | None) -> tuple[str, list[int]]:
    clauses, params = [], []
    if since is not None:
        clauses.append("occurred_at >= ?")
        params.append(to_micros(since))
    if until is not None:
        clauses.append("occurred_at < ?")
        params.append(to_micros(until))
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _utc_now() -> datetime:
    return datetime.now(UTC)


__all__ = ["AppendResult", "Instant", "Log", "Span", "Summary", "Verification"]
