"""The log's file: its SQLite schema, the marks that say a file is a log, and opening one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from events.errors import LogError

SCHEMA_VERSION = 1
APPLICATION_ID = 0x52504C59  # "RPLY": marks a SQLite file as a replay log
PAGE_BYTES = 16 * 1024  # for new logs: fewer, fuller pages than the default 4 KiB (624 vs 657 bytes a post)
CACHE_KIB = 32 * 1024  # page cache for the indexes while appending; bounds memory too
BUSY_TIMEOUT_S = 0.5  # how long opening (and starting an append) waits for another process's lock
READ_WAIT_MS = 30_000
"""Once open, how long a read waits for an ingest by another process to commit (the player goes on)."""

_SCHEMA = f"""
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    id          BLOB    NOT NULL,
    key         INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    occurred_at INTEGER NOT NULL,
    precision   TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    hash        BLOB    NOT NULL
);
CREATE INDEX events_by_time ON events (occurred_at, seq);
-- Ids are random, so a B-tree of 32-byte blobs is slow to grow; an index of their first 8 bytes
-- as an integer finds candidates as well, and appends compare the full id.
CREATE INDEX events_by_key ON events (key);
CREATE TABLE ingests (
    recorded_at INTEGER NOT NULL,
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    sources     TEXT    NOT NULL,
    kinds       TEXT    NOT NULL
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE is refused'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE is refused'); END;
CREATE TRIGGER ingests_no_update BEFORE UPDATE ON ingests
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE is refused'); END;
CREATE TRIGGER ingests_no_delete BEFORE DELETE ON ingests
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE is refused'); END;
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
"""


def connect(path: Path, *, create: bool = False, readonly: bool = False) -> tuple[sqlite3.Connection, bool]:
    """A connection to the log at `path`, checked to be one that this version can read, and
    whether this connection made its tables (so a failed first ingest may take them away again).

    With `create`, a missing or empty file becomes an empty log (when two processes start one at
    once, one makes it and the other finds it made). A file that is not a log, a newer schema or a
    log locked by another writer is a LogError. A write an interrupted ingest left in
    `<log>-journal` is undone first, even for a read-only open.
    """
    exists = path.exists()
    if path.is_dir():
        raise LogError(f"{path}: is a directory, not a log")
    if not exists and not create:
        raise LogError(f"{path}: no such log")
    if exists and path.stat().st_size == 0 and not create:
        raise LogError(f"{path}: is empty, not a log")
    uri = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rwc'}"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise LogError(f"{path}: cannot open: {exc}") from exc
    try:
        created = _prepare(db, path, fresh=not exists or path.stat().st_size == 0, readonly=readonly)
    except LogError:
        db.close()
        if readonly and _recover(path):
            return connect(path, readonly=True)
        raise
    except BaseException:
        db.close()
        raise
    db.execute(f"PRAGMA busy_timeout = {READ_WAIT_MS}")
    return db, created


def _prepare(db: sqlite3.Connection, path: Path, *, fresh: bool, readonly: bool) -> bool:
    try:
        created = _create(db) if fresh and not readonly else False
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute("PRAGMA synchronous = NORMAL")  # reads the schema, which may be damaged
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise LogError(f"{path}: locked by another writer") from exc
        raise LogError(f"{path}: not a replay log ({exc})") from exc
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # a damaged schema text too
        raise LogError(f"{path}: not a replay log ({exc})") from exc
    if app_id != APPLICATION_ID:
        raise LogError(f"{path}: not a replay log")
    if version > SCHEMA_VERSION:
        raise LogError(
            f"{path}: log schema {version} is newer than this replay "
            f"understands ({SCHEMA_VERSION}); upgrade replay"
        )
    return created


def _create(db: sqlite3.Connection) -> bool:
    """Make the tables in an empty file, unless another process has just done so; True if made here."""
    db.execute(f"PRAGMA page_size = {PAGE_BYTES}")
    db.execute("BEGIN IMMEDIATE")
    try:
        empty = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        if empty:
            for statement in _statements(_SCHEMA):
                db.execute(statement)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return bool(empty)


def _statements(script: str) -> Iterator[str]:
    """The statements of `script`, one by one (a trigger's body holds semicolons of its own)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""


def _recover(path: Path) -> bool:
    """Undo the write an interrupted ingest left in `<log>-journal`; True if there was one.

    A read-only connection cannot roll a journal back, so one that can is opened for it: the
    log returns to its last committed state, as the next ingest would leave it anyway.
    """
    if not path.with_name(path.name + "-journal").exists():
        return False
    try:
        with closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
        ) as db:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        return False
    return not path.with_name(path.name + "-journal").exists()
