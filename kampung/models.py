"""The shared domain: staff accounts, trips with their buses and checkpoints, registrations.

Check-ins live in `kampung.checkin.models`, the survey in `kampung.feedback.models`.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func, text, update
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from kampung.database import UTCDateTime, utcnow
from kampung.extensions import db
from kampung.text import clean_text, search_key
from kampung.tokens import new_secret


class Role(enum.StrEnum):
    admin = "admin"
    organiser = "organiser"
    chair = "chair"


class StaffMember:
    """What a staff member may do and how colleagues see them: shared by the User row and the
    signed-in Account of a request (kampung.auth.roles). Both have id, username, display_name
    and role."""

    def has_role(self, *roles: str) -> bool:
        return self.role == Role.admin or self.role in roles

    @property
    def name(self) -> str:
        return self.display_name or self.username


class User(StaffMember, UserMixin, db.Model):
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

    __table_args__ = (CheckConstraint("role IN ('admin', 'organiser', 'chair')", name="role"),)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Trip(db.Model):
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
        rows = db.session.execute(
            db.select(Registration.status, func.count())
            .where(Registration.trip_id == self.id)
            .group_by(Registration.status)
        ).all()
        counts = {status.value: 0 for status in Status}
        counts.update(dict(rows))
        return counts


class Bus(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    #: e.g. "Bus 1"
    name: Mapped[str] = mapped_column(String(60))
    seats: Mapped[int] = mapped_column(default=0)
    #: order on the trip's pages
    position: Mapped[int] = mapped_column(default=0)

    trip: Mapped[Trip] = relationship(back_populates="buses")


class Checkpoint(db.Model):
    """A moment everyone must be counted: a departure, a return."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    #: e.g. "Keberangkatan Jambi"
    name: Mapped[str] = mapped_column(String(120))
    #: order in the trip, first departure first
    position: Mapped[int] = mapped_column(default=0)

    trip: Mapped[Trip] = relationship(back_populates="checkpoints")


class Status(enum.StrEnum):
    registered = "registered"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


class Registration(db.Model):
    """One person on one trip, with the two secrets: the personal link and the QR ticket."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    #: personal data; emptied by `flask privacy purge` once the trip is over
    full_name: Mapped[str] = mapped_column(String(120))
    #: kampung.text.search_key(full_name), what staff searches compare with; set with the name
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: E.164, e.g. +6281234567890; None once purged
    phone: Mapped[str | None] = mapped_column(String(20))
    #: one of Kota Jambi's 11 kecamatan
    kecamatan: Mapped[str] = mapped_column(String(40), default="")
    kelurahan: Mapped[str] = mapped_column(String(80), default="")
    rt: Mapped[int | None] = mapped_column()
    rw: Mapped[int | None] = mapped_column()
    #: e.g. "Ketua RT"
    role: Mapped[str] = mapped_column(String(60), default="")
    #: "L" (laki-laki), "P" (perempuan) or empty
    gender: Mapped[str] = mapped_column(String(1), default="")
    emergency_name: Mapped[str] = mapped_column(String(120), default="")
    emergency_phone: Mapped[str] = mapped_column(String(20), default="")
    #: health and diet notes for the organisers
    notes: Mapped[str] = mapped_column(Text, default="")
    bus_id: Mapped[int | None] = mapped_column(ForeignKey("bus.id", ondelete="SET NULL"))
    #: registered, waitlisted or cancelled; change it through the methods below
    status: Mapped[str] = mapped_column(String(16), default=Status.registered)
    #: when the person joined the waitlist; the earliest is promoted first
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: opens the personal page /p/<token>; shared only with the participant
    access_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_secret)
    #: what the QR code holds (/c/<code>); grants nothing but to a logged-in organiser
    checkin_code: Mapped[str] = mapped_column(String(64), unique=True, default=new_secret)
    #: when the person agreed to the use of their personal data (UU 27/2022)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "self" (the sign-up form) or "import" (the admin's list)
    source: Mapped[str] = mapped_column(String(10), default="self")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: set when a cancellation promoted this person, until staff have told them
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trip: Mapped[Trip] = relationship()
    bus: Mapped[Bus | None] = relationship()

    __table_args__ = (
        # One active registration per phone per trip, enforced by the database.
        Index(
            "uq_registration_active_phone",
            "trip_id",
            "phone",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_registration_trip_status", "trip_id", "status"),
        CheckConstraint("status IN ('registered', 'waitlisted', 'cancelled')", name="status"),
        CheckConstraint("rt IS NULL OR (rt BETWEEN 1 AND 999)", name="rt"),
        CheckConstraint("rw IS NULL OR (rw BETWEEN 1 AND 999)", name="rw"),
    )

    @validates("full_name")
    def _clean_name(self, _key: str, value: str) -> str:
        """Whoever writes a name (a form, an import, a script) stores it clean, with its key."""
        value = clean_text(value)
        self.search_name = search_key(value)
        return value

    @property
    def is_active(self) -> bool:
        return self.status != Status.cancelled

    @property
    def rt_rw(self) -> str:
        """RT/RW as written in Indonesia, e.g. 005/012."""
        rt = f"{self.rt:03d}" if self.rt else "–"
        rw = f"{self.rw:03d}" if self.rw else "–"
        return f"{rt}/{rw}"

    def register(self) -> None:
        self.status = Status.registered
        self.waitlisted_at = None

    def waitlist(self) -> None:
        self.status = Status.waitlisted
        self.waitlisted_at = utcnow()

    def promote(self) -> None:
        self.register()
        self.promoted_at = utcnow()

    def cancel(self) -> None:
        self.status = Status.cancelled
        self.cancelled_at = utcnow()
        self.waitlisted_at = None
