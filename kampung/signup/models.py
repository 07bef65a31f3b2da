"""A person on a trip: the roster fields, the seat or the waitlist, and the two secrets."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model
from kampung.models import Bus, Trip
from kampung.rooms.models import Room
from kampung.text import clean_text, search_key
from kampung.tokens import new_secret


class Status(enum.StrEnum):
    registered = "registered"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


def format_rt_rw(rt: int | None, rw: int | None) -> str:
    """RT/RW as written in Indonesia, e.g. 005/012; a dash for a number not given."""
    return f"{f'{rt:03d}' if rt else '–'}/{f'{rw:03d}' if rw else '–'}"


class Registration(Model):
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
    #: the hotel room (kampung.rooms); only people with a seat are placed
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="SET NULL"), index=True
    )
    #: whom the person would like to share a room with, as they wrote it; personal data
    share_with: Mapped[str] = mapped_column(String(120), default="", server_default="")
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
    #: a self sign-up's network address, as a keyed hash (kampung.origin), never the address
    signup_network: Mapped[str | None] = mapped_column(String(16))
    #: a self sign-up's browser (its client id cookie), as a keyed hash; None when it had none
    signup_device: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: set when a cancellation promoted this person, until staff have told them
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trip: Mapped[Trip] = relationship()
    bus: Mapped[Bus | None] = relationship()
    room: Mapped[Room | None] = relationship(back_populates="occupants")

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
        # The roll-call counts per bus from the index alone (kampung.checkin.rollcall).
        Index("ix_registration_trip_status_bus", "trip_id", "status", "bus_id"),
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

    @hybrid_property
    def is_active(self) -> bool:
        """Not cancelled: holds a seat or a place on the waitlist (and the phone's one slot)."""
        return self.status != Status.cancelled

    @hybrid_property
    def is_seated(self) -> bool:
        """Holds a seat: counted on the bus, in the check-in, the survey and the paperwork."""
        return self.status == Status.registered

    @property
    def rt_rw(self) -> str:
        return format_rt_rw(self.rt, self.rw)

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
        # The bed goes back to the room; a cancelled person sleeps nowhere on the trip.
        self.room_id = None
