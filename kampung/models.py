"""The shared domain: a trip with its buses and checkpoints. Each area keeps its own models
beside it: staff accounts in kampung.auth.models, registrations in kampung.signup.models,
check-ins in kampung.checkin.models, the survey in kampung.feedback.models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, func, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model, db


class Trip(Model):
    """A study trip: who goes where and when, and whether sign-up is open."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the stable part of the sign-up link, /e/<slug>
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: where the bus leaves from, e.g. "Kantor Wali Kota Jambi"
    origin: Mapped[str] = mapped_column(String(200), default="")
    destination: Mapped[str] = mapped_column(String(200), default="")
    #: where and when participants gather, shown on every personal page
    meeting_point: Mapped[str] = mapped_column(String(300), default="")
    #: the committee member participants write to, e.g. for a lost link; shown on their pages
    contact_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    #: that person's WhatsApp number, E.164; empty when no contact is set
    contact_phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    departs_at: Mapped[datetime] = mapped_column(UTCDateTime)
    returns_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: seats for registered participants; past it, sign-ups join the waitlist
    capacity: Mapped[int] = mapped_column(default=0)
    #: the admin's switch; the window below narrows it when set
    registration_open: Mapped[bool] = mapped_column(default=False)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: bumped to take the trip's write lock before seats are counted (see lock())
    lock_version: Mapped[int] = mapped_column(default=0)
    #: when the personal data of this trip was removed by `flask privacy purge`
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    buses: Mapped[list[Bus]] = relationship(
        back_populates="trip", order_by="Bus.position", cascade="all, delete-orphan"
    )
    checkpoints: Mapped[list[Checkpoint]] = relationship(
        back_populates="trip", order_by="Checkpoint.position", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity"),)

    def registration_is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if not self.registration_open or self.purged_at:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)

    def lock(self) -> None:
        """Serialise seat counting: a row lock on PostgreSQL, the write lock on SQLite.

        Must be the first write of the transaction, so that SQLite waits for the lock
        instead of failing on a stale snapshot.
        """
        db.session.execute(
            update(Trip).where(Trip.id == self.id).values(lock_version=Trip.lock_version + 1)
        )
        db.session.refresh(self)

    def count_by_status(self) -> dict[str, int]:
        """How many registrations are registered, waitlisted and cancelled: one query."""
        from kampung.signup.models import Registration, Status  # signup's models build on this

        rows = db.session.execute(
            db.select(Registration.status, func.count())
            .where(Registration.trip_id == self.id)
            .group_by(Registration.status)
        ).all()
        counts = {status.value: 0 for status in Status}
        counts.update(dict(rows))
        return counts


class Bus(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    #: e.g. "Bus 1"
    name: Mapped[str] = mapped_column(String(60))
    seats: Mapped[int] = mapped_column(default=0)
    #: order on the trip's pages
    position: Mapped[int] = mapped_column(default=0)
    #: the organiser who runs this bus's roll-call; their bus comes first on their count pages
    coordinator_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )

    trip: Mapped[Trip] = relationship(back_populates="buses")


class Checkpoint(Model):
    """A moment everyone must be counted: a departure, a return, a stop on the road."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    #: e.g. "Keberangkatan Jambi"
    name: Mapped[str] = mapped_column(String(120))
    #: order in the trip, first departure first
    position: Mapped[int] = mapped_column(default=0)
    #: a stop for one bus only (its scanner answers everyone else "wrong bus"); None: every bus
    bus_id: Mapped[int | None] = mapped_column(ForeignKey("bus.id", ondelete="SET NULL"))

    trip: Mapped[Trip] = relationship(back_populates="checkpoints")
    bus: Mapped[Bus | None] = relationship()
