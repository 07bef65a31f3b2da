"""Staff sessions kept on the server, so that ending one ends every copy of its cookie.

A login makes a StaffSession row and puts a random token in the signed session cookie; the
row stores only the token's hash. Each request reads the account through that hash in one
statement (kampung.auth.roles.load_user) and is refused when the row has ended, the account
is disabled, or the session has gone unused for the idle time (`is_idle`). Logout ends the
one row; a password change, a disabled account and an admin's "end sessions" end them all.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from kampung.auth.models import StaffSession
from kampung.database import transaction, utcnow
from kampung.extensions import db

#: bytes of randomness in a session token (256 bits)
TOKEN_BYTES = 32
#: last_seen_at is written at most this often: a write on every request would add a commit to
#: every scan; the idle time is counted to within this much
TOUCH_EVERY = timedelta(minutes=5)


def hash_token(token: str) -> str:
    """SHA-256 is enough: the token is random, there is nothing to guess from its hash."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def is_idle(last_seen_at: datetime, now: datetime, idle: timedelta) -> bool:
    """Whether a session last used at `last_seen_at` has been unused too long to open."""
    return now - last_seen_at >= idle


def needs_touch(last_seen_at: datetime, now: datetime) -> bool:
    """Whether this request should write the session's last_seen_at."""
    return now - last_seen_at >= TOUCH_EVERY


@dataclass(frozen=True)
class Started:
    #: what the cookie carries; shown nowhere, stored nowhere
    token: str
    session_id: int


def start(user_id: int, device: str = "", now: datetime | None = None) -> Started:
    """A new session for a login that has just been checked."""
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = StaffSession(
        user_id=user_id,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        device=device[:60],
    )
    with transaction():
        db.session.add(row)
        db.session.flush()
        session_id = row.id
    return Started(token, session_id)


def end(session_id: int, now: datetime | None = None) -> None:
    """Logout: this session ends; the account's others go on."""
    with transaction():
        db.session.execute(
            update(StaffSession)
            .where(StaffSession.id == session_id, StaffSession.ended_at.is_(None))
            .values(ended_at=now or utcnow())
        )


def end_all(user_id: int, keep: int | None = None, now: datetime | None = None) -> int:
    """Every live session of the account ends, except `keep` (the one asking); how many."""
    condition = [StaffSession.user_id == user_id, StaffSession.ended_at.is_(None)]
    if keep is not None:
        condition.append(StaffSession.id != keep)
    with transaction():
        result = db.session.execute(
            update(StaffSession).where(*condition).values(ended_at=now or utcnow())
        )
    # An UPDATE's result is a CursorResult, which the Session's signature does not say.
    return cast(CursorResult[Any], result).rowcount


def touch(session_id: int, now: datetime) -> None:
    with transaction():
        db.session.execute(
            update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=now)
        )


def live(user_id: int, now: datetime, idle: timedelta) -> list[StaffSession]:
    """The account's sessions that would still open, the most recently used first."""
    return list(
        db.session.scalars(
            select(StaffSession)
            .where(
                StaffSession.user_id == user_id,
                StaffSession.ended_at.is_(None),
                StaffSession.last_seen_at > now - idle,
            )
            .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())
        )
    )


_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iPhone", r"iPhone|iPad|iOS"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux|X11"),
)


def device_summary(user_agent: str) -> str:
    """'Chrome, Android': enough to tell one's phone from one's laptop, no more."""
    browser = next((name for name, rx in _BROWSERS if re.search(rx, user_agent)), "")
    system = next((name for name, rx in _SYSTEMS if re.search(rx, user_agent)), "")
    return ", ".join(part for part in (browser, system) if part)
