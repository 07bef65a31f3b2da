"""Creating trips, with their buses and checkpoints; used by the admin pages and `flask demo`."""

from __future__ import annotations

from datetime import datetime

from kampung.extensions import db
from kampung.models import Bus, Checkpoint, Trip


def create_trip(
    *,
    buses: list[tuple[str, int]],
    checkpoints: list[str],
    **fields,
) -> Trip:
    """A new trip with its buses (name, seats), checkpoints in order, the default survey and
    the default follow-up rounds.
    Does not commit."""
    trip = Trip(**fields)
    trip.buses = [Bus(name=name, seats=seats, position=i) for i, (name, seats) in enumerate(buses)]
    trip.checkpoints = [Checkpoint(name=name, position=i) for i, name in enumerate(checkpoints)]
    db.session.add(trip)
    from kampung.adoption.service import default_rounds
    from kampung.feedback.defaults import add_default_survey

    db.session.add(add_default_survey(trip))
    db.session.flush()
    db.session.add_all(default_rounds(trip))
    db.session.flush()
    return trip


def open_trips(now: datetime) -> list[Trip]:
    """Trips still ahead, soonest first, for the front page."""
    return list(
        db.session.scalars(
            db.select(Trip)
            .where(Trip.returns_at >= now, Trip.purged_at.is_(None))
            .order_by(Trip.departs_at)
        )
    )
