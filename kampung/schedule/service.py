"""The rundown's rules: items added, changed and removed; publishing; announcements; the
notices each participant marks read, and how many have.

When is a change news? Once the organisers publish the rundown (until then they build it in
silence), every change of an item's time or place, every item added and every item removed
is a notice. A change of wording alone is not: a typo fixed is nobody's news. A rundown notice
is for the seated people who signed up before it (later ones never saw the old time); an
announcement is for everyone seated.

Plain functions that know nothing of the request; each raises a `ScheduleError` with a message
for people and saves nothing when something is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from kampung.auth.models import StaffMember
from kampung.database import is_unique_violation, transaction, utcnow
from kampung.extensions import db
from kampung.i18n import WIB, number, wib_time
from kampung.models import Trip
from kampung.schedule.models import Notice, NoticeKind, NoticeRead, Rundown, RundownItem
from kampung.signup.models import Registration
from kampung.text import clean_text

#: the longest announcement, in characters: a short text, read on a phone
ANNOUNCEMENT_LIMIT = 1000
PLACE_LIMIT = 200
WHAT_LIMIT = 300
#: a rundown covers the trip's days; a trip longer than this is a typing error
MAX_DAYS = 31


class ScheduleError(Exception):
    """Something that cannot be saved; `message` says why, `status` is the answer's."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ItemInput:
    """An item as an organiser typed it: a day of the trip and WIB clock times."""

    day: date
    starts: time
    ends: time | None
    place: str
    what: str


# --- Reading the rundown ------------------------------------------------------------------------


def trip_days(trip: Trip) -> list[date]:
    """The days of the trip in WIB, departure day first."""
    first = trip.departs_at.astimezone(WIB).date()
    last = trip.returns_at.astimezone(WIB).date()
    count = min(max((last - first).days + 1, 1), MAX_DAYS)
    return [first + timedelta(days=i) for i in range(count)]


def items_of(trip: Trip) -> list[RundownItem]:
    """The trip's items in time order, cancelled ones included (the pages strike them)."""
    return list(
        db.session.scalars(
            select(RundownItem)
            .where(RundownItem.trip_id == trip.id)
            .order_by(RundownItem.starts_at, RundownItem.id)
        )
    )


@dataclass(frozen=True)
class Day:
    """One day of the rundown as the pages show it: "Hari 2 · Sabtu, 17 Januari 2026"."""

    number: int
    day: date
    items: list[RundownItem] = field(default_factory=list)


def by_day(trip: Trip, items: list[RundownItem]) -> list[Day]:
    """The items grouped per day of the trip; a day without items is left out."""
    days = {day: Day(n, day) for n, day in enumerate(trip_days(trip), start=1)}
    for item in items:
        day = item.starts_at.astimezone(WIB).date()
        if day not in days:
            days[day] = Day(0, day)
        days[day].items.append(item)
    return [d for _day, d in sorted(days.items()) if d.items]


def publication(trip: Trip) -> Rundown | None:
    """When the rundown went out to participants; None while organisers still build it."""
    return db.session.get(Rundown, trip.id)


def when_text(starts: datetime | None, ends: datetime | None, *, day: bool = False) -> str:
    """ "14.00", "14.00–16.00", or with the day: "Sabtu, 17 Januari 14.00"."""
    if starts is None:
        return ""
    text = wib_time(starts) + (f"–{wib_time(ends)}" if ends else "")
    if day:
        return f"{format_date(starts.astimezone(WIB), 'EEEE, d MMMM')} {text}"
    return text


def day_moved(notice: Notice) -> bool:
    """Whether a change moved the item to another day: then both sides name their day."""
    if notice.old_starts_at is None or notice.new_starts_at is None:
        return False
    old, new = notice.old_starts_at.astimezone(WIB), notice.new_starts_at.astimezone(WIB)
    return old.date() != new.date()


# --- Editing the rundown ------------------------------------------------------------------------


def _checked(trip: Trip, data: ItemInput) -> tuple[datetime, datetime | None, str, str]:
    """The item's moments in UTC and its cleaned texts, or ScheduleError."""
    what = clean_text(data.what)
    place = clean_text(data.place)
    if not what:
        raise ScheduleError(_("Say what happens, e.g. Reception by the mayor."))
    if len(what) > WHAT_LIMIT:
        raise ScheduleError(_("Write at most %(max)d characters.", max=WHAT_LIMIT))
    if len(place) > PLACE_LIMIT:
        raise ScheduleError(_("Write at most %(max)d characters.", max=PLACE_LIMIT))
    if data.day not in trip_days(trip):
        raise ScheduleError(_("Choose one of the days of the trip."))
    starts = datetime.combine(data.day, data.starts, WIB).astimezone(UTC)
    ends = None
    if data.ends is not None:
        ends = datetime.combine(data.day, data.ends, WIB).astimezone(UTC)
        if ends < starts:
            raise ScheduleError(_("The end time must come after the start time."))
    return starts, ends, place, what


def _is_published(trip: Trip) -> bool:
    return publication(trip) is not None


def add_item(trip: Trip, data: ItemInput, by: StaffMember | None) -> RundownItem:
    """A new item; after publishing, participants are told of it."""
    starts, ends, place, what = _checked(trip, data)
    with transaction():
        item = RundownItem(trip_id=trip.id, starts_at=starts, ends_at=ends, place=place, what=what)
        db.session.add(item)
        db.session.flush()
        if _is_published(trip):
            db.session.add(
                Notice(
                    trip_id=trip.id,
                    kind=NoticeKind.added,
                    item_id=item.id,
                    text=what,
                    new_starts_at=starts,
                    new_ends_at=ends,
                    new_place=place,
                    created_by_id=by.id if by else None,
                )
            )
    return item


def change_item(item: RundownItem, data: ItemInput, by: StaffMember | None) -> Notice | None:
    """The item as typed now. After publishing, a change of its time or place is a notice
    (old → new); returns it, or None when nothing participants need to know changed."""
    if item.is_cancelled:
        raise ScheduleError(_("This item was cancelled and can no longer be changed."), 409)
    starts, ends, place, what = _checked(item.trip, data)
    notice = None
    with transaction():
        moved = (item.starts_at, item.ends_at, item.place) != (starts, ends, place)
        if moved and _is_published(item.trip):
            notice = Notice(
                trip_id=item.trip_id,
                kind=NoticeKind.changed,
                item_id=item.id,
                text=what,
                old_starts_at=item.starts_at,
                old_ends_at=item.ends_at,
                old_place=item.place,
                new_starts_at=starts,
                new_ends_at=ends,
                new_place=place,
                created_by_id=by.id if by else None,
            )
            db.session.add(notice)
        item.starts_at, item.ends_at, item.place, item.what = starts, ends, place, what
    return notice


def remove_item(item: RundownItem, by: StaffMember | None) -> Notice | None:
    """Before publishing, the item goes; after, it stays struck through and participants are
    told it is cancelled (returned)."""
    if item.is_cancelled:
        raise ScheduleError(_("This item was cancelled already."), 409)
    with transaction():
        if not _is_published(item.trip):
            db.session.delete(item)
            return None
        item.cancelled_at = utcnow()
        notice = Notice(
            trip_id=item.trip_id,
            kind=NoticeKind.cancelled,
            item_id=item.id,
            text=item.what,
            old_starts_at=item.starts_at,
            old_ends_at=item.ends_at,
            old_place=item.place,
            created_by_id=by.id if by else None,
        )
        db.session.add(notice)
    return notice


def publish(trip: Trip, by: StaffMember | None) -> None:
    """Participants see the rundown from now on, and every later change is a notice. Publishing
    twice changes nothing."""
    if _is_published(trip):
        return
    try:
        with transaction():
            db.session.add(Rundown(trip_id=trip.id, published_by_id=by.id if by else None))
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise  # pragma: no cover


# --- Announcements ------------------------------------------------------------------------------


def post_announcement(trip: Trip, text: str, by: StaffMember | None) -> Notice:
    """The committee's short text, shown on every seated participant's page until read."""
    text = clean_text(text, multiline=True).strip()
    if not text:
        raise ScheduleError(_("Write the announcement first."))
    if len(text) > ANNOUNCEMENT_LIMIT:
        raise ScheduleError(
            _(
                "An announcement can be at most %(max)s characters; this one has %(count)s. "
                "Shorten it, or put the details in the rundown.",
                max=number(ANNOUNCEMENT_LIMIT),
                count=number(len(text)),
            )
        )
    with transaction():
        notice = Notice(
            trip_id=trip.id,
            kind=NoticeKind.announcement,
            text=text,
            created_by_id=by.id if by else None,
        )
        db.session.add(notice)
    return notice


def _notices(trip: Trip, *where) -> list[Notice]:
    query = select(Notice).where(Notice.trip_id == trip.id, *where)
    return list(db.session.scalars(query.order_by(Notice.created_at.desc(), Notice.id.desc())))


def announcements_of(trip: Trip) -> list[Notice]:
    """The trip's announcements, newest first."""
    return _notices(trip, Notice.kind == NoticeKind.announcement)


def changes_of(trip: Trip) -> list[Notice]:
    """The rundown's changes participants were told of, newest first."""
    return _notices(trip, Notice.kind != NoticeKind.announcement)


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
