"""What the admin does to a trip's people as a whole: removing a burst of sign-ups from one
source, and importing a list (kept between its preview and its save)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kampung.auth.models import User
from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model, db
from kampung.signup.models import Registration


class BurstRemoval(Model):
    """Staff cancelling a burst of sign-ups from one source in one action: who, when, which."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    #: "device" (one browser) or "network" (one address)
    kind: Mapped[str] = mapped_column(String(10))
    #: the keyed hash the sign-ups shared (Registration.signup_device or signup_network)
    source: Mapped[str] = mapped_column(String(16))
    #: the first and the last sign-up of the burst
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: how many registrations this removal cancelled
    cancelled: Mapped[int] = mapped_column(default=0)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    removed_by: Mapped[User | None] = relationship()
    #: the registrations it cancelled
    registrations: Mapped[list[Registration]] = relationship(secondary="burst_removal_item")

    __table_args__ = (CheckConstraint("kind IN ('device', 'network')", name="kind"),)


#: which registrations a burst removal cancelled (a table of its own: no column to add later)
burst_removal_item = db.Table(
    "burst_removal_item",
    db.Column(
        "burst_removal_id",
        ForeignKey("burst_removal.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    db.Column(
        "registration_id",
        ForeignKey("registration.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class ImportJob(Model):
    """The checked rows of one upload, bound to the trip and the admin who uploaded them."""

    #: 128 random bits as hex: the id in the preview's URL, all the browser ever holds
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"))
    #: the uploader: only they see the preview and may save it
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    #: [[line, {column: text}], ...] as read from the file; emptied once saved
    rows: Mapped[list] = mapped_column(JSON)
    #: a job older than a day is refused and deleted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the registrations the save made, for the result page; None until saved
    saved_ids: Mapped[list | None] = mapped_column(JSON)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def table(self) -> list[tuple[int, dict[str, str]]]:
        return [(line, values) for line, values in self.rows]
