"""Named practices, commitments (RTL) and the follow-up rounds that ask about them.

A commitment belongs to a registration until the purge, which cuts that link and empties who
carries it (kampung/privacy.py); the kecamatan stays on the commitment so that the counts per
kecamatan survive it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model
from kampung.feedback.models import Mark
from kampung.models import Trip
from kampung.signup.models import Registration

#: the rounds every new trip gets, in days after its return
DEFAULT_ROUND_DAYS = (30, 90)
#: how long people have to answer a round after its day, before the purge may run
ANSWER_WINDOW = timedelta(days=30)
#: at most this many commitments per person
MAX_COMMITMENTS = 3


class Progress(enum.StrEnum):
    not_started = "not_started"
    started = "started"
    running = "running"


PROGRESS_LABELS = {
    Progress.not_started: _l("not started yet"),
    Progress.started: _l("started"),
    Progress.running: _l("running"),
}


class Practice(Model):
    """A practice the chair named ("Bank sampah RT"), from marked comments or typed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: set when merged into another practice of the trip, which took its commitments
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    trip: Mapped[Trip] = relationship()
    merged_into: Mapped[Practice | None] = relationship(remote_side=[id])

    __table_args__ = (UniqueConstraint("trip_id", "name"),)

    @hybrid_property
    def is_live(self) -> bool:
        """Not merged away: offered to participants and counted on its own."""
        return self.merged_into_id is None

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls):
        return cls.merged_into_id.is_(None)


class PracticeSource(Model):
    """A marked comment the chair gathered into a practice: each mark into one practice."""

    mark_id: Mapped[int] = mapped_column(
        ForeignKey("mark.id", ondelete="CASCADE"), primary_key=True
    )
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )

    mark: Mapped[Mark] = relationship()


class Commitment(Model):
    """One practice a participant commits to adopt in their RT: what, by when, who carries it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"))
    #: who committed; None once the trip's personal data was purged
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    #: one of the trip's named practices; None for a commitment in the person's own words
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice.id", ondelete="SET NULL"), index=True
    )
    #: the practice in the person's own words (may be empty when a named practice is chosen)
    what: Mapped[str] = mapped_column(String(200), default="")
    #: the first day of the target month
    target_month: Mapped[date] = mapped_column(Date)
    #: who in the RT carries it (personal data: emptied by the purge)
    carried_by: Mapped[str] = mapped_column(String(120), default="")
    #: the RT's kecamatan, kept after the purge for the counts
    kecamatan: Mapped[str] = mapped_column(String(40), default="")
    #: order on the person's form, 1 to 3
    position: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration | None] = relationship()
    practice: Mapped[Practice | None] = relationship()

    __table_args__ = (
        # The dashboard's counts per practice, per kecamatan and per person read these alone.
        Index("ix_commitment_trip_practice", "trip_id", "practice_id"),
        Index("ix_commitment_trip_kecamatan", "trip_id", "kecamatan"),
        Index("ix_commitment_trip_registration", "trip_id", "registration_id"),
    )

    def title(self) -> str:
        return self.practice.name if self.practice else self.what


class FollowupRound(Model):
    """A moment after the trip when participants are asked how their commitments went."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    #: 1 for the first round, 2 for the second ...
    number: Mapped[int] = mapped_column()
    #: when it is due, in days after the trip's return
    days_after: Mapped[int] = mapped_column()
    #: the admin's switch (or `flask followup open`); one open round per trip at most
    is_open: Mapped[bool] = mapped_column(default=False)
    #: when first opened: from then on commitments can no longer change
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when closed; answers sent later are refused
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trip: Mapped[Trip] = relationship()

    __table_args__ = (
        UniqueConstraint("trip_id", "number"),
        CheckConstraint("days_after BETWEEN 1 AND 730", name="days_after"),
    )

    def due(self, trip: Trip) -> datetime:
        return trip.returns_at + timedelta(days=self.days_after)


def round_opening_by_itself(
    trip: Trip, rounds: list[FollowupRound], now: datetime
) -> FollowupRound | None:
    """The round that opens by itself now, if any: the latest whose day has come and whose
    time to answer (ANSWER_WINDOW) has not passed, when neither it nor a later round was ever
    opened. An admin who opened or closed a round decides from then on; a trip first looked at
    on day 100 asks round 2, not round 1."""
    due = [r for r in rounds if r.due(trip) <= now < r.due(trip) + ANSWER_WINDOW]
    if not due:
        return None
    latest = max(due, key=lambda r: r.number)
    if any(r.opened_at is not None for r in rounds if r.number >= latest.number):
        return None
    return latest


class FollowupAnswer(Model):
    """A participant's answer in one round about one commitment."""

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"))
    #: indexed with the status below
    round_id: Mapped[int] = mapped_column(ForeignKey("followup_round.id", ondelete="CASCADE"))
    #: not_started, started or running
    status: Mapped[str] = mapped_column(String(16))
    #: what got in the way, in the person's words (optional)
    obstacle: Mapped[str] = mapped_column(Text, default="")
    #: the Renja item or a short note of evidence (optional)
    note: Mapped[str] = mapped_column(String(300), default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commitment: Mapped[Commitment] = relationship()

    __table_args__ = (
        UniqueConstraint("commitment_id", "round_id"),
        CheckConstraint("status IN ('not_started', 'started', 'running')", name="status"),
        Index("ix_followup_answer_round_status", "round_id", "status"),
    )
