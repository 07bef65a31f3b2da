"""A trip's hotel rooms; a person is placed in one through Registration.room."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model
from kampung.models import Trip

if TYPE_CHECKING:
    from kampung.signup.models import Registration

#: the genders a room can be kept to: laki-laki, perempuan (as Registration.gender writes them)
GENDERS = ("L", "P")


class Room(Model):
    """A room at the place the trip stays, and how many sleep in it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    #: what the hotel calls it, e.g. "Kamar 12" or "214"
    name: Mapped[str] = mapped_column(String(60))
    #: beds: at most this many people are placed in it
    capacity: Mapped[int] = mapped_column(default=2)
    #: "L" or "P" keeps the room to one gender; empty: its occupants' gender decides
    gender: Mapped[str] = mapped_column(String(1), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    trip: Mapped[Trip] = relationship()
    occupants: Mapped[list[Registration]] = relationship(
        back_populates="room", order_by="Registration.full_name"
    )

    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint("gender IN ('', 'L', 'P')", name="gender"),
        UniqueConstraint("trip_id", "name", name="uq_room_trip_name"),
    )

    def takes(self, gender: str, occupant_genders: list[str]) -> bool:
        """Whether someone of `gender` may sleep here next to people of `occupant_genders`:
        never beside the other gender, nor in a room kept to it. An unknown gender ("")
        clashes with nobody; the automatic assignment does not place such people at all."""
        if not gender:
            return True
        if self.gender and self.gender != gender:
            return False
        return all(other in ("", gender) for other in occupant_genders)
