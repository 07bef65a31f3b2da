"""Rate limits: what each route allows, what it counts by, and where the counts are kept.

The counts live in one small SQLite file under instance/ (`sqlite:///…`, the embedded default),
so that every gunicorn worker and process on the machine shares them; several machines share
Redis instead (`redis://…`). Each hit is one UPSERT in autocommit mode: SQLite runs it as one
atomic write, so no two workers can both take the last place in a window.

The numbers, for a briefing where 100 people on the venue Wi-Fi (one address) sign up within
two minutes, some sending the form twice (a typo without JavaScript, a number already used):
at most 200 sign-up POSTs in two minutes, 150 of them in the busiest minute, and about 15
field checks per person. Each browser gets its own client id, so the tight limits count per
browser and only a ceiling, loose enough for that room, counts per address.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from flask import request
from limits.errors import ConfigurationError
from limits.storage import Storage

from kampung import origin
from kampung.database import use_wal
from kampung.extensions import db, limiter
from kampung.signup.models import Registration

# --- What each route allows -------------------------------------------------------------------

#: one browser: a person sends the form once or twice, perhaps also for a neighbour
SIGNUP_PER_CLIENT = "10 per 10 minutes; 20 per day"
#: one address, whatever the browsers: the room of 100 (200 POSTs, 150 in one minute) passes
SIGNUP_PER_ADDRESS = "150 per minute; 300 per hour"
#: inline field checks: one per changed field
CHECK_PER_CLIENT = "120 per minute"
CHECK_PER_ADDRESS = "1200 per minute"
#: wrong staff passwords, per address and per account name alike
LOGIN_LIMIT = "10 per minute; 60 per hour"
#: wrong personal-page tokens per address; a token that opens a page is never counted
TOKEN_GUESSES = "60 per minute"


# --- What they count by ----------------------------------------------------------------------


def by_address() -> str:
    return "address:" + origin.keyed_hash(origin.address())


def by_client() -> str:
    return "client:" + origin.keyed_hash(origin.client_id() or "")


def without_client() -> bool:
    """A browser that sent no client id is counted by its address only."""
    return origin.client_id() is None


def by_account() -> str:
    """The account name as the login view reads it; hashed, since people type passwords there."""
    username = request.form.get("username", "").strip().lower()
    return "account:" + origin.keyed_hash(username)


def wrong_token(response) -> bool:
    """Whether the answer was a 404 for a token that opens nothing: only those are guesses."""
    if response.status_code != 404:
        return False
    token = (request.view_args or {}).get("token", "")
    return (
        db.session.scalar(db.select(Registration.id).where(Registration.access_token == token))
        is None
    )


def own_page() -> bool:
    """Whether this browser's signed cookie already holds the token of the page it opens: it
    learnt the token from this server, so letting it through tells a guesser nothing, and a
    guesser elsewhere on a shared address (a carrier's) cannot lock a person out of their QR."""
    from kampung.signup.views import _remembered  # the views import these limits

    token = (request.view_args or {}).get("token")
    return bool(token) and token in _remembered()


def _both(*limits):
    """One decorator applying several limits; Flask-Limiter checks them together."""

    def decorate(view):
        for limit in reversed(limits):
            view = limit(view)
        return view

    return decorate


SIGNUP_LIMITS = _both(
    limiter.limit(SIGNUP_PER_CLIENT, key_func=by_client, exempt_when=without_client),
    limiter.limit(SIGNUP_PER_ADDRESS, key_func=by_address),
)
CHECK_LIMITS = _both(
    limiter.limit(CHECK_PER_CLIENT, key_func=by_client, exempt_when=without_client),
    limiter.limit(CHECK_PER_ADDRESS, key_func=by_address),
)
LOGIN_LIMITS = _both(
    limiter.limit(LOGIN_LIMIT, key_func=by_address, methods=["POST"]),
    limiter.limit(LOGIN_LIMIT, key_func=by_account, methods=["POST"]),
)
#: every page found by a participant's token shares this limit. It counts after the answer,
#: so a page opened is never counted; once an address is over it, every token page waits (or a
#: right guess would still be served), but for a browser opening its own page again.
TOKEN_LIMIT = limiter.shared_limit(
    TOKEN_GUESSES,
    scope="personal-token",
    key_func=by_address,
    deduct_when=wrong_token,
    exempt_when=own_page,
)


# --- Where the counts are kept ---------------------------------------------------------------


class SQLiteStorage(Storage):
    """Fixed-window counters (Flask-Limiter's default strategy) in a SQLite file.

    `sqlite:///relative/path.db` or `sqlite:////absolute/path.db`, as SQLAlchemy writes them.
    Each thread of each process opens its own connection on first use, so nothing is shared
    across a fork. The file is created 0600 (SQLite gives its -wal and -shm files the same).
    """

    STORAGE_SCHEME = ["sqlite"]
    #: expired rows are deleted once every so many hits of a process
    SWEEP_EVERY = 1000

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        path = uri.removeprefix("sqlite:///")
        if not path or path == uri:
            raise ConfigurationError(f"expected sqlite:///path, got {uri!r}")
        self.path = Path(path)
        self._local = threading.local()
        self._hits = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.connection = self._connect()
            local.pid = os.getpid()
        return local.connection

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        # Autocommit: every statement below is its own transaction.
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        use_wal(connection)
        # In WAL mode, NORMAL syncs only at checkpoints: a hit costs microseconds, not an fsync.
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS hits ("
            " key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL"
            ") WITHOUT ROWID"
        )
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        self._hits += 1
        if self._hits % self.SWEEP_EVERY == 0:
            self._db().execute("DELETE FROM hits WHERE expires_at <= ?", (now,))
        # One statement: a window that has ended starts again from this hit.
        rows = (
            self._db()
            .execute(
                "INSERT INTO hits (key, count, expires_at) VALUES (:key, :amount, :now + :expiry)"
                " ON CONFLICT (key) DO UPDATE SET"
                "  count = CASE WHEN expires_at <= :now THEN :amount ELSE count + :amount END,"
                "  expires_at = CASE WHEN expires_at <= :now"
                "   THEN :now + :expiry ELSE expires_at END"
                " RETURNING count",
                {"key": key, "amount": amount, "now": now, "expiry": expiry},
            )
            .fetchall()
        )
        return rows[0][0]

    def get(self, key: str) -> int:
        row = (
            self._db()
            .execute("SELECT count FROM hits WHERE key = ? AND expires_at > ?", (key, time.time()))
            .fetchone()
        )
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = (
            self._db()
            .execute("SELECT expires_at FROM hits WHERE key = ? AND expires_at > ?", (key, now))
            .fetchone()
        )
        return row[0] if row else now

    def check(self) -> bool:
        return self._db().execute("SELECT 1").fetchone() == (1,)

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM hits").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM hits WHERE key = ?", (key,))
