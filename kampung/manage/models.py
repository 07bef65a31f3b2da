"""An import waiting between its preview and its save, kept in the database so that any app
process or machine behind the load balancer can show and save it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kampung.database import UTCDateTime, utcnow
from kampung.extensions import db


class ImportJob(db.Model):
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
