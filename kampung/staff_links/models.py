"""Every link a staff member sent to a participant, and each use of the ones that open one
thing only.

Two kinds. The access link (/p/<access_token>) opens the whole registration (edit, cancel, the
QR code); only the admin sends it again, and a row records who sent it, when, to whom. A
purpose link opens one thing: the survey at /s/<token>; the follow-up round and the rundown
get theirs the same way (Purpose). Its token is its own random secret, kept only as a hash, so
that the chair's reminders never hold the key to a registration; each opening is recorded.

A table rather than a signed token (itsdangerous with a salt per purpose): a row says who sent
the link, collects its uses and is revoked by deleting it (the purge does so), and it outlives
a change of SECRET_KEY; a signed token could do none of that without such a table anyway.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kampung.auth.models import User
from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model
from kampung.signup.models import Registration


class Purpose(enum.StrEnum):
    #: the registration's own access link, sent again by the admin
    access = "access"
    #: opens the survey and nothing else
    survey = "survey"
    #: opens the follow-up round on one's commitments and nothing else
    followup = "followup"
    #: opens the trip's rundown and announcements (read, and marked read) and nothing else
    schedule = "schedule"


class StaffLink(Model):
    """A link a staff member sent to one participant."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: to whom
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    #: what the link opens: access (everything), or one thing: survey, followup, schedule
    purpose: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of a purpose link's token (the token itself is never stored); None for an
    #: access link, which is the registration's own access token
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: who sent it
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
    sent_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("purpose IN ('access', 'survey', 'followup', 'schedule')", name="purpose"),
        CheckConstraint(
            "(purpose = 'access') = (token_hash IS NULL)", name="token_for_purpose_links"
        ),
    )


class StaffLinkUse(Model):
    """A purpose link was opened: when, never what was answered through it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(
        ForeignKey("staff_link.id", ondelete="CASCADE"), index=True
    )
    #: the day it was opened (WIB)
    used_on: Mapped[date] = mapped_column(Date)
    #: the moment, kept only where it tells nothing about answers: never for an anonymous survey
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
