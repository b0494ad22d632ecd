"""Checking a log: every id, index key and hash recomputed, and the chain followed end to end."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable

from attrs import frozen

from events.codec import Row, chain_hash, entry_from_row, event_id, id_key
from events.model import GENESIS


@frozen(kw_only=True)
class Verification:
    """The result of checking every hash: intact, or the first position that is not."""

    checked: int
    first_bad: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        """True when every entry and link of the chain checked out."""
        return self.first_bad is None


def verify_log(db: sqlite3.Connection, on_progress: Callable[[int], None] | None = None) -> Verification:
    """Recompute every id, key and hash and the chain; name the first position that fails.

    Text columns are read as bytes, so a byte that is no longer UTF-8 is reported, not raised.
    The ingest records must add up to the entries they cover, and SQLite's own check of the
    file (its indexes) must pass: position 0 names damage that belongs to no single entry.
    """
    prev = bytes.fromhex(GENESIS)
    expected_seq = 1
    stray: int | None = None
    tally = _IngestTally(db)
    sql = (
        "SELECT seq, id, CAST(kind AS BLOB), occurred_at, CAST(precision AS BLOB), recorded_at, "
        "CAST(body AS BLOB), hash, key, typeof(kind) || typeof(precision) || typeof(body) "
        "FROM events ORDER BY seq"
    )
    for seq, id_, kind, occurred, precision, recorded, body, hash_, key, types in db.execute(sql):
        if not isinstance(seq, int) or seq < expected_seq:
            stray = seq if stray is None and isinstance(seq, int) else stray
            continue  # renumbered or added out of place: a gap it leaves is reported first
        if seq != expected_seq:
            return Verification(checked=expected_seq - 1, first_bad=expected_seq, reason="missing")
        bad = "a column has the wrong type" if types != "texttexttext" else None
        bad = bad or _check_row(prev, (seq, id_, kind, occurred, precision, recorded, body, hash_), key)
        bad = bad or tally.add(seq, kind, body)
        if bad is not None:
            return Verification(checked=expected_seq - 1, first_bad=seq, reason=bad)
        prev = hash_
        expected_seq += 1
        if on_progress is not None and seq % 65536 == 0:
            on_progress(seq)
    checked = expected_seq - 1
    if stray is not None:
        return Verification(
            checked=checked, first_bad=stray, reason="an entry out of place, before the first"
        )
    recorded_end = db.execute("SELECT max(last_seq) FROM ingests").fetchone()[0] or 0
    if recorded_end > checked:
        reason = f"missing (the ingest record says the log ends at {recorded_end})"
        return Verification(checked=checked, first_bad=checked + 1, reason=reason)
    found = tally.finish(checked)
    if found is not None:
        return Verification(checked=checked, first_bad=0, reason=found)
    problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        return Verification(checked=checked, first_bad=0, reason=f"the file's indexes: {problems[0]}")
    return Verification(checked=checked)


class _IngestTally:
    """The ingest records checked against the entries they cover: ranges that follow one another
    from 1, and the kinds and sources they count."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._records = db.execute(
            "SELECT first_seq, last_seq, sources, kinds FROM ingests ORDER BY first_seq"
        ).fetchall()
        self._index = 0
        self._kinds: Counter[str] = Counter()
        self._sources: Counter[str] = Counter()
        self.problem: str | None = None

    def add(self, seq: int, kind: bytes, body: bytes) -> str | None:
        """Count the entry at `seq` (already checked readable); None, or why it cannot be."""
        if self.problem is not None or self._index >= len(self._records):
            self.problem = self.problem or "an entry that no ingest record covers"
            return None  # reported once every entry has been checked
        first, last = self._records[self._index][:2]
        if seq != first + sum(self._kinds.values()) or not first <= seq <= last:
            self.problem = f"the ingest records do not cover position {seq}"
            return None
        self._kinds[kind.decode()] += 1
        self._sources[json.loads(body)["source"]["path"]] += 1
        if seq == last:
            self._close()
        return None

    def _close(self) -> None:
        _, last, sources, kinds = self._records[self._index]
        try:
            same = json.loads(kinds) == self._kinds and json.loads(sources) == self._sources
        except (TypeError, ValueError):
            same = False
        if not same:
            self.problem = f"the ingest record ending at position {last} does not count its entries"
        self._index += 1
        self._kinds, self._sources = Counter(), Counter()

    def finish(self, checked: int) -> str | None:
        """Why the ingest records do not match the `checked` entries, or None."""
        if self.problem is None and (self._index != len(self._records) or self._kinds):
            self.problem = "an ingest record covers entries the log does not hold"
        return self.problem


def _check_row(prev: bytes, raw: tuple[object, ...], key: object) -> str | None:
    """Why the stored row `raw` (text columns as bytes) is damaged, or None when it is intact."""
    seq, id_, kind, occurred, precision, recorded, body, hash_ = raw
    if not (isinstance(id_, bytes) and isinstance(hash_, bytes) and isinstance(occurred, int)):
        return "a column has the wrong type"
    if not (isinstance(recorded, int) and isinstance(kind, bytes) and isinstance(precision, bytes)):
        return "a column has the wrong type"
    if not isinstance(body, bytes):
        return "a column has the wrong type"
    try:
        row: Row = (
            seq,  # type: ignore[assignment]
            id_,
            kind.decode(),
            occurred,
            precision.decode(),
            recorded,
            body.decode(),
            hash_,
        )
        entry = entry_from_row(row, prev)
    except Exception as exc:  # any damage that makes the row unreadable is a finding, not a crash
        return f"unreadable: {exc}"
    if event_id(entry.event) != entry.id:
        return "id does not match"
    if key != id_key(id_):
        return "index key does not match the id"
    if chain_hash(prev, row[:7]) != hash_:
        return "hash does not match"
    return None
