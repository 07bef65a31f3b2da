"""Database plumbing shared by every model: UTC timestamps and SQLite's settings."""

import fcntl
import functools
import os
import re
import sqlite3
from datetime import UTC, datetime

from flask import g
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Engine
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


#: the statements before which the sqlite3 module opens a write transaction by itself
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
#: one open lock file per process and database; flock() on it again is then a no-op. Keyed by
#: pid too, so that a forked child opens its own instead of sharing its parent's lock.
_lock_files: dict[tuple[int, str], int] = {}


class _WriteLockedCursor(sqlite3.Cursor):
    def execute(self, sql, parameters=()):
        self.connection.take_write_lock(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql, parameters):
        self.connection.take_write_lock(sql)
        return super().executemany(sql, parameters)


class WriteLockedConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on an flock() of `<db>.writelock`.

    SQLite's own busy handler makes a waiting writer sleep and retry (1, 2, 5 ... 100 ms): with
    several gunicorn workers and a 3-5 ms fsync per commit (synchronous=FULL), a writer could
    lose the race for hundreds of ms (check-in p99 near 1 s in bench/checkin_load.py). Waiters
    blocked in flock() are woken as soon as the lock is free, and FULL sync stays.
    """

    lock_path = ""

    def cursor(self, factory=_WriteLockedCursor):
        return super().cursor(factory)

    def take_write_lock(self, sql: str) -> None:
        if self.lock_path and not self.in_transaction and _WRITE.match(sql):
            key = (os.getpid(), self.lock_path)
            if key not in _lock_files:
                _lock_files[key] = os.open(self.lock_path, os.O_RDWR | os.O_CREAT)
            fcntl.flock(_lock_files[key], fcntl.LOCK_EX)

    def _release(self) -> None:
        key = (os.getpid(), self.lock_path)
        if key in _lock_files and not self.in_transaction:
            fcntl.flock(_lock_files[key], fcntl.LOCK_UN)

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


@event.listens_for(Engine, "do_connect")
def _sqlite_write_lock(dialect, connection_record, cargs, cparams):
    """File databases get WriteLockedConnection; in-memory ones have a single writer anyway."""
    if dialect.name != "sqlite" or dialect.driver != "pysqlite":
        return
    path = cargs[0] if cargs else cparams.get("database", "")
    if path and path != ":memory:" and not path.startswith("file:"):
        cparams["factory"] = _locked_connection_class(f"{path}.writelock")


@functools.cache
def _locked_connection_class(lock_path: str) -> type[WriteLockedConnection]:
    return type("WriteLocked", (WriteLockedConnection,), {"lock_path": lock_path})


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record):
    """WAL lets readers run beside the one writer; FULL sync keeps every acknowledged write
    across a power cut (NORMAL would only survive a process crash: docs/PERFORMANCE.md); the
    busy timeout makes writers that bypass the write lock wait instead of failing."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def request_connection() -> Connection:
    """This app context's own Core connection, in a transaction; closed, and so rolled back if
    not committed, when the context ends (close_request_connection).

    For what every staff request and every scan runs (kampung.driver_sql): the ORM session's
    bookkeeping, about 0.1 ms a request, costs them more than their statements. ORM code keeps
    db.session, which holds a connection of its own: a request may read through both, but must
    not write through both at once (on SQLite the second writer would wait for the first).
    """
    from kampung.extensions import db

    connection = g.get("_connection")
    if connection is None:
        connection = g._connection = db.engine.connect()
    if not connection.in_transaction():
        connection.begin()
    return connection


def close_request_connection(_error: BaseException | None = None) -> None:
    if (connection := g.pop("_connection", None)) is not None:
        connection.close()
