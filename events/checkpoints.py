"""Checkpoints of the projection every K entries, kept beside the log so any position is near one.

They live in a sidecar SQLite file, `<log>.checkpoints`, never in the log itself (the log is
append-only and its events table holds events only). The sidecar records the log's head hash and
count and the projection's settings. After an ingest the log is the same entries and then more:
the checkpoints before the earliest new entry in time still hold, so only those after it are
made again, folding on from the last one kept. Otherwise (other settings, another log, a damaged
file) the sidecar is rebuilt from scratch in one pass over the log; damage found only when a
checkpoint is read (a damaged page) makes the reader fold from the start and leaves the file to be
rebuilt on the next open. Either way the new sidecar is
written under a private name and swapped in atomically. Where it cannot be written (a read-only
directory), the checkpoints are built in memory for this session instead.

The state at a position is the nearest checkpoint at or before it, plus a fold of at most K
entries read from the log through the time index.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from itertools import islice
from pathlib import Path
from types import TracebackType

from events.codec import Row
from events.projection import Projection, Settings
from events.store import Log

_DAMAGED = (zlib.error, ValueError, KeyError, TypeError)
"""What decoding a checkpoint that was changed in the file can raise."""

EVERY = 1000
"""Entries between checkpoints: a seek folds at most this many."""
_FORMAT = "2"  # 2: edits keep the author, deleted reposts stop counting
_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE checkpoints (
    occurred_at INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    state       BLOB    NOT NULL,
    PRIMARY KEY (occurred_at, seq)
) WITHOUT ROWID;
"""


def sidecar_path(log_path: Path) -> Path:
    """Where the checkpoints of the log at `log_path` are kept."""
    return log_path.with_name(log_path.name + ".checkpoints")


class Checkpoints:
    """Read access to a log's checkpoints: the projection at any position, fast."""

    def __init__(self, log: Log, db: sqlite3.Connection, settings: Settings, built_for: int) -> None:
        self._log = log
        self._db = db
        self.settings = settings
        self._built_for = built_for  # the entries the checkpoints were made from
        self._seen_count = built_for
        self._valid_before: int | None = None  # checkpoints from this time on miss later appends

    @classmethod
    def open(
        cls,
        log: Log,
        *,
        settings: Settings | None = None,
        every: int = EVERY,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Checkpoints:
        """The checkpoints of `log`, built (or rebuilt) first when missing or out of date.

        `on_progress(done, total)` is called while building, every `every` entries.
        """
        if every < 1:
            raise ValueError(f"checkpoints need at least one entry between them, got {every}")
        settings = settings or Settings()
        expected = _meta(log, settings, every)
        path = sidecar_path(log.path)
        db = _open_existing(path, expected)
        if db is None:
            db = _extend(log, path, expected, settings, every, on_progress)
        if db is None:
            db = _build(log, path, expected, settings, every, on_progress)
        return cls(log, db, settings, int(expected["count"]))

    def close(self) -> None:
        """Close the sidecar (the log stays open)."""
        self._db.close()

    def __enter__(self) -> Checkpoints:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM checkpoints").fetchone()[0])

    def state_at(self, position: tuple[int, int]) -> Projection:
        """The projection after every entry at or before `position` (occurred_at µs, seq)."""
        projection = self._nearest(min(position, self._still_whole()))
        projection.apply_rows(_rows_through(self._log, projection.position, position))
        return projection

    def _nearest(self, usable: tuple[int, int]) -> Projection:
        """The state at the last checkpoint at or before `usable` that reads back whole.

        A checkpoint changed in the file is passed over for the one before it, and the file is
        removed so that the next open builds it again (this session keeps the rest).
        """
        try:
            rows = self._db.execute(
                "SELECT state FROM checkpoints WHERE (occurred_at, seq) <= (?, ?) "
                "ORDER BY occurred_at DESC, seq DESC",
                usable,
            )
            for (state,) in rows:
                try:
                    return Projection.from_snapshot(state, self.settings)
                except _DAMAGED:
                    self._forget_file()
        except sqlite3.DatabaseError:
            self._give_up_damaged()
        return Projection(self.settings)

    def _forget_file(self) -> None:
        with suppress(OSError):
            sidecar_path(self._log.path).unlink()

    def _still_whole(self) -> tuple[int, int]:
        """The last position whose checkpoints hold every entry before them, now.

        The log may have been appended to since the checkpoints were made (an ingest while the
        player has it open): a checkpoint after the earliest new entry misses it. New entries
        have later positions, so those at that time made before them still hold.
        """
        count = self._log.count()
        if count != self._seen_count:
            self._seen_count = count
            self._valid_before = self._log.earliest_after(self._built_for)
        if self._valid_before is None:
            return (2**63 - 1, 0)
        return (self._valid_before, self._built_for)

    def _give_up_damaged(self) -> None:
        """The sidecar's pages are damaged (not just a checkpoint in it): fold from the start for
        the rest of this session, and remove the file so that the next open builds it again."""
        self._db.close()
        self._forget_file()
        self._db = sqlite3.connect(":memory:", isolation_level=None)
        self._db.executescript(_SCHEMA)


def _rows_through(log: Log, after: tuple[int, int], through: tuple[int, int]) -> Iterator[Row]:
    """Rows after position `after` up to and including position `through`, in time order."""
    if through <= after:
        return
    for row in log.rows_after(after[0], after[1], until_us=through[0] + 1):
        if (row[3], row[0]) > through:
            return
        yield row


def _meta(log: Log, settings: Settings, every: int) -> dict[str, str]:
    return {
        "format": _FORMAT,
        "head": log.head(),
        "count": str(log.count()),
        "every": str(every),
        "settings": repr(settings),
    }


def _open_existing(path: Path, expected: dict[str, str]) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        found = dict(db.execute("SELECT name, value FROM meta").fetchall())
    except (sqlite3.Error, UnicodeDecodeError):  # a damaged schema's text may not even be UTF-8
        return None
    if found != expected:
        db.close()
        return None
    return db


def _extend(
    log: Log,
    path: Path,
    meta: dict[str, str],
    settings: Settings,
    every: int,
    on_progress: Callable[[int, int], None] | None,
) -> sqlite3.Connection | None:
    """The sidecar of this log before its last ingests, brought up to date; None if it is not one."""
    if not (path.is_file() and os.access(path.parent, os.W_OK)):
        return None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as old:
            found = dict(old.execute("SELECT name, value FROM meta").fetchall())
        count = int(found["count"])
    except (sqlite3.Error, UnicodeDecodeError, KeyError, ValueError):
        return None
    same_kind = all(found.get(name) == meta[name] for name in ("format", "every", "settings"))
    if not same_kind or not 0 < count < int(meta["count"]):
        return None
    if log.hash_before(count + 1).hex() != found["head"]:
        return None  # not an earlier state of this log: its entry `count` is not the old head
    since = log.earliest_after(count)
    if since is None:
        return None
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        shutil.copyfile(path, partial)
        with closing(sqlite3.connect(partial, isolation_level=None)) as db:
            db.execute("BEGIN")
            # A checkpoint at `since` itself still holds: a new entry there comes after it.
            db.execute("DELETE FROM checkpoints WHERE occurred_at > ?", (since,))
            last = db.execute(
                "SELECT state FROM checkpoints ORDER BY occurred_at DESC, seq DESC LIMIT 1"
            ).fetchone()
            start = Projection(settings) if last is None else Projection.from_snapshot(last[0], settings)
            _fill(db, log, start, every, on_progress)
            db.executemany("UPDATE meta SET value = ? WHERE name = ?", [(v, k) for k, v in meta.items()])
            db.execute("COMMIT")
        os.replace(partial, path)
    except (OSError, sqlite3.Error, UnicodeDecodeError, *_DAMAGED):
        return None  # built again from scratch instead
    finally:
        partial.unlink(missing_ok=True)
    return _open_existing(path, meta)


def _build(
    log: Log,
    path: Path,
    meta: dict[str, str],
    settings: Settings,
    every: int,
    on_progress: Callable[[int, int], None] | None,
) -> sqlite3.Connection:
    if os.access(path.parent, os.W_OK):
        # Built under a private name and renamed into place, so a reader never sees half a
        # sidecar and two builders never write the same file.
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        try:
            with closing(sqlite3.connect(partial, isolation_level=None)) as db:
                _write(db, log, meta, settings, every, on_progress)
            os.replace(partial, path)
        except (OSError, sqlite3.Error):
            pass  # a full disk or a vanished directory: keep them in memory instead
        finally:
            partial.unlink(missing_ok=True)
        opened = _open_existing(path, meta)
        if opened is not None:
            return opened
    db = sqlite3.connect(":memory:", isolation_level=None)
    _write(db, log, meta, settings, every, on_progress)
    return db


def _write(
    db: sqlite3.Connection,
    log: Log,
    meta: dict[str, str],
    settings: Settings,
    every: int,
    on_progress: Callable[[int, int], None] | None,
) -> None:
    db.executescript(f"BEGIN; {_SCHEMA}")
    try:
        _fill(db, log, Projection(settings), every, on_progress)
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _fill(
    db: sqlite3.Connection,
    log: Log,
    projection: Projection,
    every: int,
    on_progress: Callable[[int, int], None] | None,
) -> None:
    """Fold the log on from `projection`, adding a checkpoint every `every` entries."""
    total = log.count()
    rows = log.rows_after(*projection.position)
    while chunk := list(islice(rows, every)):
        projection.apply_rows(chunk)
        if len(chunk) == every:
            db.execute(
                "INSERT INTO checkpoints VALUES (?, ?, ?)", (*projection.position, projection.snapshot())
            )
        if on_progress is not None:
            on_progress(projection.count, total)
