"""Staff accounts: create, change a password, a role, disable and enable. A change that takes
access away ends the account's sessions in the same unit of work, and the last active admin
can be neither disabled nor demoted, so that someone can always manage the accounts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from kampung.auth import sessions
from kampung.auth.models import Role, StaffSession, User
from kampung.database import is_unique_violation, transaction, utcnow
from kampung.extensions import db
from kampung.text import clean_text

#: the shortest password an account may have
MIN_PASSWORD = 8
#: the letters of a made-up password: no 0/o, 1/l/i to misread from a screen
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class AccountError(Exception):
    pass


class UsernameTaken(AccountError):
    pass


class PasswordTooShort(AccountError):
    pass


class LastAdmin(AccountError):
    """The change would leave no active admin to manage the accounts."""


def normal_username(username: str) -> str:
    return clean_text(username).lower()


def by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normal_username(username)))


def made_up_password() -> str:
    """'k7mq-2xrt-p9wd': about 59 bits, typed from a screen onto a phone without a slip."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def _check(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise PasswordTooShort()


def create_user(username: str, role: str, password: str, display_name: str = "") -> User:
    _check(password)
    user = User(
        username=normal_username(username), role=role, display_name=clean_text(display_name)
    )
    user.set_password(password)
    try:
        with transaction():
            db.session.add(user)
    except IntegrityError as error:
        if is_unique_violation(error):
            raise UsernameTaken() from None
        raise
    return user


def set_password(user: User, password: str, keep_session: int | None = None) -> int:
    """A new password; every session of the account ends but `keep_session` (the staff member
    changing their own). Returns how many ended."""
    _check(password)
    with transaction():
        user.set_password(password)
        return sessions.end_all(user.id, keep=keep_session)


def end_sessions(user: User) -> int:
    """Log the account out everywhere; how many sessions ended."""
    return sessions.end_all(user.id)


_ACTIVE_ADMIN = (User.role == Role.admin, User.disabled_at.is_(None))


def _lock_admins() -> None:
    """The first write of the unit: row locks on the active admins on PostgreSQL, the write
    lock on SQLite, so that two admins demoting each other at once cannot both succeed."""
    db.session.execute(
        update(User).where(*_ACTIVE_ADMIN).values(role=User.role),
        execution_options={"synchronize_session": False},
    )


def _is_active_admin(user: User) -> bool:
    return user.role == Role.admin and user.disabled_at is None


def _keep_an_admin() -> None:
    """After taking an active admin away: refuse when none is left."""
    db.session.flush()
    if not active_admins():
        raise LastAdmin()


def change_role(user: User, role: str) -> None:
    with transaction():
        _lock_admins()
        db.session.refresh(user)
        was_admin = _is_active_admin(user)
        user.role = role
        if was_admin:
            _keep_an_admin()


def disable(user: User, now: datetime | None = None) -> int:
    """The account can no longer log in, and all its sessions end; how many."""
    now = now or utcnow()
    with transaction():
        _lock_admins()
        db.session.refresh(user)
        was_admin = _is_active_admin(user)
        if user.disabled_at is None:
            user.disabled_at = now
        if was_admin:
            _keep_an_admin()
        return sessions.end_all(user.id, now=now)


def enable(user: User) -> None:
    """The account may log in again; sessions that ended stay ended."""
    with transaction():
        user.disabled_at = None


def active_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(*_ACTIVE_ADMIN)) or 0


@dataclass(frozen=True)
class AccountRow:
    user: User
    #: the latest request of any of its sessions; None when it never logged in
    last_seen_at: datetime | None
    #: sessions that would still open now
    live_sessions: int


def overview(now: datetime, idle: timedelta) -> list[AccountRow]:
    """Every account with when it was last seen and how many sessions are live: one query.
    Active accounts first, admins before organisers before the chair."""
    live = (StaffSession.ended_at.is_(None)) & (StaffSession.last_seen_at > now - idle)
    role_order = case({"admin": 0, "organiser": 1, "chair": 2}, value=User.role, else_=3)
    rows = db.session.execute(
        select(User, func.max(StaffSession.last_seen_at), func.count(case((live, 1))))
        .outerjoin(StaffSession, StaffSession.user_id == User.id)
        .group_by(User.id)
        .order_by(User.disabled_at.is_not(None), role_order, User.username)
    ).all()
    return [AccountRow(user, last_seen, count) for user, last_seen, count in rows]
