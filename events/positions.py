"""Reading a log by position in time, for playback: a position is (occurred_at µs, seq).

Row values keep every lookup a range search on the time index; an OR of the two columns would scan
it from the start.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from attrs import frozen

from events.codec import Row
from events.model import Precision

COLUMNS = "seq, id, kind, occurred_at, precision, recorded_at, body, hash"
"""The stored columns of an entry, in the order of a Row."""


@frozen(kw_only=True)
class Instant:
    """The entries that share one `occurred_at`: how many, the coarsest precision among them, and
    the next `occurred_at` in the log after it (None when they are the last)."""

    occurred_us: int
    count: int
    coarsest: Precision
    next_us: int | None


class TimeIndex:
    """The reads the player needs, over the log's (occurred_at, seq) index; `Log` has them all."""

    _db: sqlite3.Connection

    def rows_after(
        self, occurred_us: int, seq: int, until_us: int | None = None, limit: int | None = None
    ) -> Iterator[Row]:
        """Stored rows strictly after position (occurred_us, seq), in time order, before `until_us`,
        at most `limit` of them."""
        sql = f"SELECT {COLUMNS} FROM events INDEXED BY events_by_time WHERE (occurred_at, seq) > (?, ?)"
        params = [occurred_us, seq]
        if until_us is not None:
            sql += " AND occurred_at < ?"
            params.append(until_us)
        sql += " ORDER BY occurred_at, seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        # The cursor itself, not a generator around it: nothing is left to finalise (and fail)
        # when a reader drops it after the log is closed.
        cursor: Iterator[Row] = self._db.execute(sql, params)
        return cursor

    def rows_back(self, occurred_us: int, seq: int) -> Iterator[Row]:
        """Stored rows at or before position (occurred_us, seq), newest first, streamed."""
        sql = f"SELECT {COLUMNS} FROM events INDEXED BY events_by_time WHERE (occurred_at, seq) <= (?, ?)"
        cursor: Iterator[Row] = self._db.execute(
            sql + " ORDER BY occurred_at DESC, seq DESC", (occurred_us, seq)
        )
        return cursor

    def row_before(self, occurred_us: int, seq: int, since_us: int | None = None) -> Row | None:
        """The last stored row strictly before position (occurred_us, seq), not before `since_us`."""
        sql = f"SELECT {COLUMNS} FROM events INDEXED BY events_by_time WHERE (occurred_at, seq) < (?, ?)"
        params = [occurred_us, seq]
        if since_us is not None:
            sql += " AND occurred_at >= ?"
            params.append(since_us)
        row: Row | None = self._db.execute(
            sql + " ORDER BY occurred_at DESC, seq DESC LIMIT 1", params
        ).fetchone()
        return row

    def time_at_or_before(self, occurred_us: int, since_us: int | None = None) -> int | None:
        """The latest `occurred_at` at or before `occurred_us` (and not before `since_us`)."""
        low = since_us if since_us is not None else -(2**63)
        row = self._db.execute(
            "SELECT max(occurred_at) FROM events WHERE occurred_at <= ? AND occurred_at >= ?",
            (occurred_us, low),
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def instant(self, occurred_us: int) -> Instant | None:
        """The entries at exactly `occurred_us`: count, coarsest precision, next time; None if none."""
        precisions = self._db.execute(
            "SELECT DISTINCT precision FROM events INDEXED BY events_by_time WHERE occurred_at = ?",
            (occurred_us,),
        ).fetchall()
        if not precisions:
            return None
        count = self._db.execute(
            "SELECT count(*) FROM events WHERE occurred_at = ?", (occurred_us,)
        ).fetchone()[0]
        following = self._db.execute(
            "SELECT min(occurred_at) FROM events WHERE occurred_at > ?", (occurred_us,)
        ).fetchone()[0]
        coarsest = max((Precision(name) for (name,) in precisions), key=lambda p: p.span)
        return Instant(
            occurred_us=occurred_us,
            count=int(count),
            coarsest=coarsest,
            next_us=None if following is None else int(following),
        )

    def count_at(self, occurred_us: int, before_seq: int) -> int:
        """How many entries occurred at exactly `occurred_us` with a position before `before_seq`."""
        row = self._db.execute(
            "SELECT count(*) FROM events WHERE occurred_at = ? AND seq < ?", (occurred_us, before_seq)
        ).fetchone()
        return int(row[0])

    def seq_at(self, occurred_us: int, rank: int) -> int | None:
        """The position of the `rank`-th entry (from 0, by position) at exactly `occurred_us`."""
        row = self._db.execute(
            "SELECT seq FROM events INDEXED BY events_by_time WHERE occurred_at = ? "
            "ORDER BY seq LIMIT 1 OFFSET ?",
            (occurred_us, rank),
        ).fetchone()
        return None if row is None else int(row[0])

    def count_through(self, occurred_us: int, seq: int) -> int:
        """How many entries are at or before position (occurred_us, seq) in time order (O(k))."""
        row = self._db.execute(
            "SELECT count(*) FROM events INDEXED BY events_by_time WHERE (occurred_at, seq) <= (?, ?)",
            (occurred_us, seq),
        ).fetchone()
        return int(row[0])

    def earliest_after(self, seq: int) -> int | None:
        """The earliest `occurred_at` among the entries after position `seq` (what an ingest added)."""
        row = self._db.execute("SELECT min(occurred_at) FROM events WHERE seq > ?", (seq,)).fetchone()
        return None if row[0] is None else int(row[0])

    def shared_instants(self, multiple_of_us: int) -> list[int]:
        """The `occurred_at`s that are multiples of `multiple_of_us` and hold more than one entry.

        Entries known only to a coarse precision sit at the start of their unit (a day's posts at
        midnight), so asking for multiples of that unit finds them without grouping every row.
        """
        cursor = self._db.execute(
            "SELECT occurred_at FROM events INDEXED BY events_by_time WHERE occurred_at % ? = 0 "
            "GROUP BY occurred_at HAVING count(*) > 1",
            (multiple_of_us,),
        )
        return [int(occurred) for (occurred,) in cursor]

    def density(self, origin_us: int, width_us: int) -> dict[int, int]:
        """Entries per time bucket: {bucket: count} where bucket = (occurred_at - origin) // width.

        One aggregate over the time index; buckets with no entries are absent. Entries before
        `origin_us` are not counted.
        """
        if width_us <= 0:
            raise ValueError(f"bucket width must be positive, got {width_us} µs")
        cursor = self._db.execute(
            "SELECT (occurred_at - ?) / ? AS bucket, count(*) FROM events INDEXED BY events_by_time "
            "WHERE occurred_at >= ? GROUP BY bucket",
            (origin_us, width_us, origin_us),
        )
        return {int(bucket): int(count) for bucket, count in cursor}
