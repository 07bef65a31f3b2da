"""The per-diem terms of a trip: what each person checked in at departure is paid a day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kampung.auth.models import User
from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model
from kampung.models import Trip

#: a day count past this is a typing error, not a study visit
MAX_DAYS = 60
#: Rp 100 million a day: anything above is a typing error
MAX_RATE = 100_000_000


class PerDiem(Model):
    """The uang harian of a trip, set by the admin; a trip without a row has no rate yet."""

    __tablename__ = "per_diem"

    trip_id: Mapped[int] = mapped_column(
        ForeignKey("trip.id", ondelete="CASCADE"), primary_key=True
    )
    #: rupiah per person per day, a whole number
    rate: Mapped[int] = mapped_column(default=0)
    #: days paid; None means the trip's calendar days in WIB, departure and return included
    days: Mapped[int | None] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    trip: Mapped[Trip] = relationship()
    updated_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(f"rate BETWEEN 0 AND {MAX_RATE}", name="rate"),
        CheckConstraint(f"days IS NULL OR days BETWEEN 1 AND {MAX_DAYS}", name="days"),
    )
