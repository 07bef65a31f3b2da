"""Check-ins and the audit log of every scan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, Index, String, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kampung.auth.models import User
from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model
from kampung.models import Checkpoint
from kampung.signup.models import Registration


class CheckIn(Model):
    """A person counted at a checkpoint. Undoing keeps the row and records why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("checkpoint.id", ondelete="CASCADE"), index=True
    )
    #: when the device scanned the code (its own clock, clamped to the server's time)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when the server received the scan; later than scanned_at for an offline queue
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the staff member whose phone scanned the code
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: the scanning device's short name, e.g. "B", shown on an amber result
    device: Mapped[str] = mapped_column(String(40), default="")
    #: the device's random id for this scan; a scan sent twice is counted once
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    #: set when the check-in was undone (by staff, or superseded by an earlier offline scan)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: who undid it; None when an earlier scan from another device superseded it
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: why it was undone, in the staff member's words
    undo_reason: Mapped[str] = mapped_column(String(200), default="")

    registration: Mapped[Registration] = relationship()
    checkpoint: Mapped[Checkpoint] = relationship()
    organiser: Mapped[User | None] = relationship(foreign_keys=[organiser_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])

    __table_args__ = (
        # At most one active check-in per person and checkpoint, enforced by the database.
        Index(
            "uq_checkin_active",
            "registration_id",
            "checkpoint_id",
            unique=True,
            sqlite_where=text("undone_at IS NULL"),
            postgresql_where=text("undone_at IS NULL"),
        ),
        # The latest check-ins at a checkpoint, newest first (the roll-call's undo list).
        Index(
            "ix_checkin_latest",
            "checkpoint_id",
            "received_at",
            sqlite_where=text("undone_at IS NULL"),
            postgresql_where=text("undone_at IS NULL"),
        ),
    )

    @property
    def trip_id(self) -> int:
        return self.registration.trip_id

    @hybrid_property
    def is_active(self) -> bool:
        """Counts: neither undone by staff nor superseded by an earlier offline scan."""
        return self.undone_at is None

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls) -> ColumnElement[bool]:
        return cls.undone_at.is_(None)


class ScanLog(Model):
    """Every scan attempt, accepted or refused: the audit trail of the check-in."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the trip of the checkpoint scanned at; None when the checkpoint itself was unknown
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"))
    checkpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkpoint.id", ondelete="CASCADE"), index=True
    )
    #: the code or URL exactly as received, cut to 200 characters
    code: Mapped[str] = mapped_column(String(200), default="")
    #: the person the code belongs to, when it is one of ours
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL")
    )
    #: ok, already, unknown, other_trip, cancelled, waitlisted or invalid
    outcome: Mapped[str] = mapped_column(String(16))
    #: why an invalid scan was refused, e.g. "foreign_url", "nonce_reused"
    detail: Mapped[str] = mapped_column(String(40), default="")
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: the scanning device's short name
    device: Mapped[str] = mapped_column(String(40), default="")
    #: the device's id for this scan; a repeat of it returns the first answer
    nonce: Mapped[str | None] = mapped_column(String(64), index=True)
    #: the device's clock at the scan, as sent (clamped when in the future)
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the server's clock when the scan arrived
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BusMove(Model):
    """A person moved onto another bus at a scanner ("Pindahkan ke bus ini"): who, when, where."""

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    #: the checkpoint whose scanner made the move
    checkpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkpoint.id", ondelete="SET NULL")
    )
    #: the bus the person was on before; None when they had none (or it was removed since)
    from_bus_id: Mapped[int | None] = mapped_column(ForeignKey("bus.id", ondelete="SET NULL"))
    to_bus_id: Mapped[int | None] = mapped_column(ForeignKey("bus.id", ondelete="SET NULL"))
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
