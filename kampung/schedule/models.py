"""The rundown (what happens when and where), whether participants see it yet, the notices
they must read (a changed, added or cancelled item; an announcement) and who has read which."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kampung.auth.models import User
from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model
from kampung.models import Trip


class RundownItem(Model):
    """One item of the rundown: "Sabtu 09.00–11.00, Balai Kota Bengkulu: penyambutan"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    #: when it begins; typed and shown in WIB, stored in UTC; the rundown is ordered by it
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when it ends, when anyone knows
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    #: what happens, e.g. "Penyambutan oleh Wali Kota Bengkulu"
    what: Mapped[str] = mapped_column(String(300))
    #: removed after the rundown was published: kept, struck through, so that nobody waits for it
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    trip: Mapped[Trip] = relationship()

    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
    )

    @hybrid_property
    def is_cancelled(self) -> bool:
        # "!= None" reads as IS NOT NULL in SQL and as a comparison in Python: one predicate.
        return self.cancelled_at != None  # noqa: E711


class Rundown(Model):
    """Whether a trip's rundown is out: before, organisers build it in silence; after, every
    change of time or place is a notice each participant marks read."""

    trip_id: Mapped[int] = mapped_column(
        ForeignKey("trip.id", ondelete="CASCADE"), primary_key=True
    )
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class NoticeKind(enum.StrEnum):
    #: an item's time or place changed
    changed = "changed"
    #: an item added after publishing
    added = "added"
    #: an item removed after publishing
    cancelled = "cancelled"
    #: the committee's short text
    announcement = "announcement"


#: the kinds that tell of the rundown: for people who signed up before them only
RUNDOWN_KINDS = (NoticeKind.changed, NoticeKind.added, NoticeKind.cancelled)


class Notice(Model):
    """Something each seated participant is shown until they tap "Saya sudah baca"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: the rundown item it tells of; None for an announcement
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("rundown_item.id", ondelete="SET NULL"), index=True
    )
    #: an announcement's text; for an item, what it was called when this happened
    text: Mapped[str] = mapped_column(Text, default="")
    #: the item before (changed, cancelled) and after (changed, added), as participants knew it
    old_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    old_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    old_place: Mapped[str] = mapped_column(String(200), default="")
    new_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_place: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('changed', 'added', 'cancelled', 'announcement')", name="kind"),
    )

    @property
    def is_announcement(self) -> bool:
        return self.kind == NoticeKind.announcement

    @property
    def time_changed(self) -> bool:
        return (self.old_starts_at, self.old_ends_at) != (self.new_starts_at, self.new_ends_at)

    @property
    def place_changed(self) -> bool:
        return self.old_place != self.new_place


class NoticeRead(Model):
    """A participant tapped "Saya sudah baca" on a notice (on their page or a schedule link).
    Deleted by the purge."""

    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
