"""Database plumbing shared by every model: one connection and one unit of work per request,
UTC timestamps, ids in URLs, and SQLite's settings."""

from __future__ import annotations

import fcntl
import functools
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask_sqlalchemy.session import Session
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

#: the largest id an Integer column holds on PostgreSQL; a bigger one fails in the driver (500)
MAX_ID = 2**31 - 1


def whole_number(text: str, limit: int = MAX_ID) -> int | None:
    """The number written in `text` with ASCII digits, at most `limit`; None for anything else
    ("²" passes str.isdigit() but not int(); 400 digits overflow SQLite and PostgreSQL)."""
    if not (isinstance(text, str) and text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    number = int(text)
    return number if number <= limit else None


class IdConverter(IntegerConverter):
    """`<int:…>` in URLs: an id beyond MAX_ID is a 404, not a driver error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime, stored without zone so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


# --- One connection and one transaction per request ------------------------------------------


class RequestSession(Session):
    """db.session: every statement of a session (one per app context: a request, a command)
    runs on one connection, checked out when first needed and given back when the session
    closes, at the end of the context. Commits do not give it back, so a request that writes and
    then reads holds one pooled connection, and the scan's driver statements share it."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is not None:
            return bind
        engine = super().get_bind(mapper=mapper, clause=clause, **kwargs)
        if not isinstance(engine, Engine):
            return engine
        connections = self.info.setdefault("connections", {})
        if (held := connections.get(engine)) is None or held.closed:
            held = connections[engine] = engine.connect()
        return held

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.info.pop("connection_of", None)
            for held in self.info.pop("connections", {}).values():
                held.close()


def connection() -> Connection:
    """The request's connection, in the session's transaction (begun when none is open).

    Remembered for the transaction it was asked in: a scan asks four times, and each
    Session.connection() walked the session's bind and transaction machinery again
    (docs/PERFORMANCE.md). A new transaction (after a commit or rollback, or a savepoint) asks
    the session again, and so does one that can no longer run statements."""
    from kampung.extensions import db

    session = db.session()
    current = session.get_nested_transaction() or session.get_transaction()
    if current is not None and current.is_active:
        unit = session.info.get("connection_of")
        if unit is not None and unit[0] is current:
            return unit[1]
    held = session.connection()
    session.info["connection_of"] = (
        session.get_nested_transaction() or session.get_transaction(),
        held,
    )
    return held


@contextmanager
def transaction() -> Iterator[Session]:
    """One unit of work. The outermost unit commits when its block ends and rolls back when it
    raises; a unit inside another is a savepoint, so services compose: called alone, each is its
    own transaction; called inside a caller's unit, everything commits together or not at all,
    and an inner unit that raises undoes only its own writes."""
    from kampung.extensions import db

    session = db.session()
    depth = session.info.get("units", 0)
    session.info["units"] = depth + 1
    try:
        if depth:
            with session.begin_nested():
                yield session
        else:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        session.info["units"] = depth


def in_transaction() -> bool:
    """Whether a unit of work (transaction()) is open: services that must not run alone ask."""
    from kampung.extensions import db

    return bool(db.session().info.get("units"))


#: SQLSTATE of a unique violation on PostgreSQL; SQLite says so in its message
_UNIQUE_VIOLATION = "23505"


def is_unique_violation(error: IntegrityError) -> bool:
    """A lost race for a unique key (two scans, two sign-ups at once), as opposed to a broken
    foreign key, NOT NULL or CHECK constraint, which is a bug and must not be retried."""
    original = error.orig
    if getattr(original, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    if isinstance(original, sqlite3.IntegrityError):
        return str(original).startswith("UNIQUE constraint failed")
    return False


# --- SQLite ----------------------------------------------------------------------------------

#: the statements before which the sqlite3 module opens a write transaction by itself
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_SAVEPOINT = re.compile(r"\s*SAVEPOINT\b", re.IGNORECASE)


class _WriteLockedCursor(sqlite3.Cursor):
    def execute(self, sql, parameters=()):
        self.connection.before(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql, parameters):
        self.connection.before(sql)
        return super().executemany(sql, parameters)


class WriteLockedConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on an flock() of `<db>.writelock`.

    SQLite's own busy handler makes a waiting writer sleep and retry (1, 2, 5 ... 100 ms): with
    several gunicorn workers and a 3-5 ms fsync per commit (synchronous=FULL), a writer could
    lose the race for hundreds of ms (check-in p99 near 1 s in bench/checkin_load.py). Waiters
    blocked in flock() are woken as soon as the lock is free, and FULL sync stays. Each
    connection opens the lock file itself: flock() belongs to an open file, so two threads of
    one process queue on it as two processes do.

    It also makes savepoints safe: the sqlite3 module begins a transaction only before a write,
    and a SAVEPOINT outside one would begin it instead, so that releasing the savepoint would
    commit the caller's unit of work. A savepoint is therefore a write: the lock, then BEGIN.
    """

    lock_path = ""
    _lock_fd: int | None = None
    _lock_pid = 0
    _locked = False

    def cursor(self, factory=_WriteLockedCursor):
        return super().cursor(factory)

    def before(self, sql: str) -> None:
        if self.in_transaction:
            return
        if _WRITE.match(sql):
            self._take_lock()
        elif _SAVEPOINT.match(sql):
            self._take_lock()
            super().execute("BEGIN")

    def _take_lock(self) -> None:
        if not self.lock_path or self._locked:
            return
        if self._lock_fd is None or self._lock_pid != os.getpid():
            # A forked child opens its own file, instead of sharing its parent's lock.
            self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self._lock_pid = os.getpid()
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._locked = True

    def _release(self) -> None:
        if self._locked and self._lock_fd is not None and not self.in_transaction:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            self._locked = False

    def commit(self):
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._release()

    def close(self):
        try:
            super().close()
        finally:
            self._release()
            if self._lock_fd is not None and self._lock_pid == os.getpid():
                os.close(self._lock_fd)
            self._lock_fd = None


@event.listens_for(Engine, "do_connect")
def _sqlite_write_lock(dialect, connection_record, cargs, cparams):
    """File databases get the write lock; in-memory ones have a single writer, but their
    savepoints need the same care."""
    if dialect.name != "sqlite" or dialect.driver != "pysqlite":
        return
    path = cargs[0] if cargs else cparams.get("database", "")
    on_disk = path and path != ":memory:" and not path.startswith("file:")
    cparams["factory"] = _locked_connection_class(f"{path}.writelock" if on_disk else "")


@functools.cache
def _locked_connection_class(lock_path: str) -> type[WriteLockedConnection]:
    return type("WriteLocked", (WriteLockedConnection,), {"lock_path": lock_path})


#: how long a connection waits for another to finish switching a new file to WAL
WAL_SWITCH_WAIT = 10.0


def use_wal(connection: sqlite3.Connection) -> None:
    """Put the file in WAL mode (kept in the file: the first connection does it for all).
    SQLite takes the lock for that switch without calling the busy handler, so when several
    processes open a new file at once one of them could get "database is locked" (6 and 34
    of 300 starts of six processes, in two runs): they wait a moment and look again, as the
    busy timeout would."""
    deadline = time.monotonic() + WAL_SWITCH_WAIT
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL").fetchall()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record):
    """WAL lets readers run beside the one writer; FULL sync keeps every acknowledged write
    across a power cut (NORMAL would only survive a process crash: docs/PERFORMANCE.md); the
    busy timeout makes writers that bypass the write lock wait instead of failing."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    use_wal(dbapi_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
