"""Who must read which notice, who has, and what a participant's page shows of the schedule.

A rundown notice is for the seated people who signed up before it (later ones never saw the
old time); an announcement is for everyone seated. Plain functions that know nothing of the
request, like the rules in `service`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from kampung.database import is_unique_violation, transaction
from kampung.extensions import db
from kampung.models import Trip
from kampung.schedule.models import Notice, NoticeKind, NoticeRead
from kampung.schedule.service import (
    Day,
    ScheduleError,
    announcements_of,
    by_day,
    items_of,
    publication,
)
from kampung.signup.models import Registration

# --- Who must read what, and who has ------------------------------------------------------------


def _for_registration():
    """The condition "this notice is for this registration" (both joined): seated, and for a
    rundown notice, signed up before it."""
    return and_(
        Registration.trip_id == Notice.trip_id,
        Registration.is_seated,
        or_(
            Notice.kind == NoticeKind.announcement,
            Registration.created_at <= Notice.created_at,
        ),
    )


def _read_by_registration():
    return exists().where(
        NoticeRead.notice_id == Notice.id, NoticeRead.registration_id == Registration.id
    )


def unread_for(registration: Registration) -> list[Notice]:
    """What this participant has not marked read yet, newest first."""
    if not registration.is_seated:
        return []
    return list(
        db.session.scalars(
            select(Notice)
            .join(Registration, Registration.id == registration.id)
            .where(Notice.trip_id == registration.trip_id, _for_registration())
            .where(~_read_by_registration())
            .order_by(Notice.created_at.desc(), Notice.id.desc())
        )
    )


def mark_read(registration: Registration, notice: Notice) -> None:
    """The participant has read the notice; marking twice is the same as once."""
    if notice.trip_id != registration.trip_id or not registration.is_seated:
        raise ScheduleError(_("This message is not for this registration."), 404)
    already = select(NoticeRead).where(
        NoticeRead.notice_id == notice.id, NoticeRead.registration_id == registration.id
    )
    if db.session.scalar(already) is not None:
        return
    try:
        with transaction():
            db.session.add(NoticeRead(notice_id=notice.id, registration_id=registration.id))
    except IntegrityError as error:
        # Two taps at once: the first mark stands.
        if not is_unique_violation(error):
            raise  # pragma: no cover


@dataclass(frozen=True)
class ReadCount:
    """ "41 dari 67 sudah baca"."""

    read: int
    of: int


def read_counts(trip: Trip) -> dict[int, ReadCount]:
    """Per notice of the trip, how many of those it is for have read it: one statement."""
    rows = db.session.execute(
        select(Notice.id, func.count(Registration.id), func.count(NoticeRead.registration_id))
        .select_from(Notice)
        .join(Registration, _for_registration())
        .outerjoin(
            NoticeRead,
            and_(NoticeRead.notice_id == Notice.id, NoticeRead.registration_id == Registration.id),
        )
        .where(Notice.trip_id == trip.id)
        .group_by(Notice.id)
    )
    return {notice_id: ReadCount(read, of) for notice_id, of, read in rows}


def _audience(notice: Notice) -> Select:
    return (
        select(Registration)
        .join(Notice, Notice.id == notice.id)
        .where(Registration.trip_id == notice.trip_id, _for_registration())
    )


def not_read(notice: Notice) -> list[Registration]:
    """Those the notice is for who have not read it, by name."""
    return list(
        db.session.scalars(
            _audience(notice).where(~_read_by_registration()).order_by(Registration.search_name)
        )
    )


def is_for(notice: Notice, registration: Registration) -> bool:
    """Whether the notice is meant for this person (seated; signed up before a rundown one)."""
    return (
        db.session.scalar(_audience(notice).where(Registration.id == registration.id)) is not None
    )


# --- What a participant sees --------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalSchedule:
    """The schedule part of a participant's page (or of a schedule link)."""

    #: the rundown per day; empty until published
    days: list[Day]
    #: notices not marked read yet, newest first
    unread: list[Notice]
    #: announcements already read, newest first, to read again
    earlier: list[Notice]
    #: items with a change among `unread`: marked in the rundown
    changed_items: set[int]


def schedule_for(registration: Registration) -> PersonalSchedule | None:
    """What the personal page shows of the schedule; None for a cancelled registration."""
    if not registration.is_active:
        return None
    trip = registration.trip
    days = by_day(trip, items_of(trip)) if publication(trip) else []
    unread = unread_for(registration)
    unread_ids = {n.id for n in unread}
    earlier = [n for n in announcements_of(trip) if n.id not in unread_ids]
    if not registration.is_seated:
        earlier = []
    changed = {n.item_id for n in unread if n.item_id is not None}
    return PersonalSchedule(days, unread, earlier, changed)


# --- Personal data ------------------------------------------------------------------------------


def forget_trip(trip_id: int) -> None:
    """Delete who read what (the purge). Runs inside the caller's transaction."""
    people = select(Registration.id).where(Registration.trip_id == trip_id)
    db.session.execute(delete(NoticeRead).where(NoticeRead.registration_id.in_(people)))
