"""Personal-data duties (UU 27/2022): keep a trip's personal data only as long as needed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from kampung.adoption.service import forget_commitments
from kampung.database import transaction, utcnow
from kampung.extensions import db
from kampung.manage.models import ImportJob
from kampung.models import Trip
from kampung.schedule import reading as schedule_reading
from kampung.signup.models import Registration
from kampung.staff_links.service import forget_trip
from kampung.tokens import new_secret

#: how long after the trip's return its personal data is kept, for follow-up and accounts
RETENTION = timedelta(days=90)


class TripNotOver(Exception):
    pass


class FollowupNotOver(Exception):
    """Commitments are still being followed up: their rounds need the people's links."""

    def __init__(self, slug: str, until: datetime):
        super().__init__(slug)
        self.until = until


def followup_ends(trip: Trip) -> datetime | None:
    """When the last follow-up round has had its time to be answered; None without rounds."""
    from kampung.adoption.models import ANSWER_WINDOW, FollowupRound

    days = db.session.scalar(
        select(func.max(FollowupRound.days_after)).where(FollowupRound.trip_id == trip.id)
    )
    return None if days is None else trip.returns_at + timedelta(days=days) + ANSWER_WINDOW


def removal_due(trip: Trip) -> datetime:
    """The trip's return plus RETENTION, or the end of its last follow-up round when later."""
    ends = followup_ends(trip)
    return max(trip.returns_at + RETENTION, ends) if ends else trip.returns_at + RETENTION


def _followup_pending(trip: Trip, now: datetime) -> datetime | None:
    """When commitments still wait for their last round (neither closed nor past its time),
    the time the purge may run; else None."""
    from kampung.adoption.models import Commitment, FollowupRound

    if (
        db.session.scalar(select(Commitment.id).where(Commitment.trip_id == trip.id).limit(1))
        is None
    ):
        return None
    last = db.session.scalar(
        select(FollowupRound)
        .where(FollowupRound.trip_id == trip.id)
        .order_by(FollowupRound.number.desc())
        .limit(1)
    )
    ends = followup_ends(trip)
    if last is None or ends is None or ends <= now or (last.closed_at and not last.is_open):
        return None
    return ends


def purge_trip(trip: Trip, now: datetime | None = None) -> int:
    """Remove names, phones, emergency contacts, notes, the address below kecamatan, the
    hashed sources of the sign-ups, and rooms' links to people (whom each asked to share
    with, who is in which room).

    Kept: the registrations as anonymous rows (status, bus, kecamatan), so counts, check-ins
    and survey statistics still add up. Both secrets are replaced and the links staff sent
    are deleted, so old links open nothing; who read which notice is deleted too. Commitments lose
    their person and who carries them (kampung.adoption.service.forget_commitments). Waits for the
    last follow-up round when anyone committed (FollowupNotOver).
    Returns the number of registrations cleared.
    """
    now = now or utcnow()
    if trip.returns_at > now:
        raise TripNotOver(trip.slug)
    if until := _followup_pending(trip, now):
        raise FollowupNotOver(trip.slug, until)
    with transaction():
        trip.lock()
        ids = db.session.scalars(
            db.select(Registration.id).where(Registration.trip_id == trip.id)
        ).all()
        for registration_id in ids:
            db.session.execute(
                update(Registration)
                .where(Registration.id == registration_id)
                .values(
                    full_name="",
                    search_name="",
                    phone=None,
                    kelurahan="",
                    rt=None,
                    rw=None,
                    gender="",
                    emergency_name="",
                    emergency_phone="",
                    notes="",
                    # who asked to share with whom, and who slept beside whom
                    share_with="",
                    room_id=None,
                    access_token=new_secret(),
                    checkin_code=new_secret(),
                    signup_network=None,
                    signup_device=None,
                )
            )
        # An upload still waiting for its save holds names and phones too.
        db.session.execute(delete(ImportJob).where(ImportJob.trip_id == trip.id))
        forget_trip(trip.id)
        schedule_reading.forget_trip(trip.id)
        forget_commitments(trip.id)
        trip.purged_at = now
        trip.registration_open = False
    return len(ids)
