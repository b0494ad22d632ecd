"""Checking a log: every id, index key and hash recomputed, and the chain followed end to end."""

from __future__ import annotations

import sqlite3
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
    """
    prev = bytes.fromhex(GENESIS)
    expected_seq = 1
    sql = (
        "SELECT seq, id, CAST(kind AS BLOB), occurred_at, CAST(precision AS BLOB), recorded_at, "
        "CAST(body AS BLOB), hash, key FROM events ORDER BY seq"
    )
    for seq, id_, kind, occurred, precision, recorded, body, hash_, key in db.execute(sql):
        if not isinstance(seq, int) or seq < expected_seq:
            continue  # renumbered out of place: the gap it leaves is reported below
        if seq != expected_seq:
            return Verification(checked=expected_seq - 1, first_bad=expected_seq, reason="missing")
        bad = _check_row(prev, (seq, id_, kind, occurred, precision, recorded, body, hash_), key)
        if bad is not None:
            return Verification(checked=expected_seq - 1, first_bad=seq, reason=bad)
        prev = hash_
        expected_seq += 1
        if on_progress is not None and seq % 65536 == 0:
            on_progress(seq)
    checked = expected_seq - 1
    recorded_end = db.execute("SELECT max(last_seq) FROM ingests").fetchone()[0] or 0
    if recorded_end > checked:
        reason = f"missing (the ingest record says the log ends at {recorded_end})"
        return Verification(checked=checked, first_bad=checked + 1, reason=reason)
    return Verification(checked=checked)


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
