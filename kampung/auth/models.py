"""Staff accounts: who may log in, in which role. Participants never have an account: their
access token is their key (kampung.signup)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model

#: how new passwords are hashed: werkzeug's scrypt, costly on purpose (the tests, which make
#: hundreds of accounts, set a cheap one)
PASSWORD_METHOD = "scrypt"


class Role(enum.StrEnum):
    admin = "admin"
    organiser = "organiser"
    chair = "chair"


class StaffMember(Protocol):
    """A staff member as the rules see them: the User row, or the signed-in Account of a request
    (kampung.auth.roles)."""

    id: int
    username: str
    display_name: str
    role: str

    def has_role(self, *roles: str) -> bool: ...

    @property
    def name(self) -> str: ...


class StaffRole:
    """What a staff member may do and how colleagues see them, for User and Account alike."""

    role: str
    username: str
    display_name: str

    def has_role(self, *roles: str) -> bool:
        return self.role == Role.admin or self.role in roles

    @property
    def name(self) -> str:
        return self.display_name or self.username


class User(StaffRole, UserMixin, Model):
    """A staff account. Participants never have one: their access token is their key."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the login name, lower case
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: the name shown to colleagues, e.g. on an amber "already checked in by …" result
    display_name: Mapped[str] = mapped_column(String(120), default="")
    #: werkzeug's salted hash; the password itself is never stored
    password_hash: Mapped[str] = mapped_column(String(255))
    #: admin (everything), organiser (roster read, check-in), chair (review, roster read)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set when an admin disables the account: it cannot log in and all its sessions ended
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("role IN ('admin', 'organiser', 'chair')", name="role"),)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class StaffSession(Model):
    """One login on one browser. The session cookie carries the random token, this row its
    hash: logout ends this row, a password change or a disabled account ends all of the
    account's rows, and a copy of the cookie opens nothing once its row has ended."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the cookie's token (hex): a copy of the database opens no session
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the last request, written at most every few minutes (kampung.auth.sessions.TOUCH_EVERY)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: logout, password change, disabled account or an admin's "end sessions"; NULL while live
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: browser and system, e.g. "Chrome, Android", so that the staff member knows which is which
    device: Mapped[str] = mapped_column(String(60), default="")
