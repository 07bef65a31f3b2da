"""The rundown's rules: items added, changed and removed; publishing; announcements.

When is a change news? Once the organisers publish the rundown (until then they build it in
silence), every change of an item's time or place, every item added and every item removed
is a notice. A change of wording alone is not: a typo fixed is nobody's news. Who must read
which notice, and who has, is in `reading`.

Plain functions that know nothing of the request; each raises a `ScheduleError` with a message
for people and saves nothing when something is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kampung.auth.models import StaffMember
from kampung.database import is_unique_violation, transaction, utcnow
from kampung.extensions import db
from kampung.i18n import WIB, number, wib_time
from kampung.models import Trip
from kampung.schedule.models import Notice, NoticeKind, Rundown, RundownItem
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


def follow_the_trip(trip: Trip, days: int) -> Notice | None:
    """The trip's departure moved by `days` days (its dates edited, or a copied trip given its
    own): every item moves with it, at the same time of day, so that the rundown stays on the
    trip's days. After publishing, participants are told once, in an announcement, not in a
    notice per item; it is written in Indonesian, as participants read it whatever language
    the staff page is in. Returns that announcement, if any."""
    if not days:
        return None
    shift = timedelta(days=days)
    with transaction():
        items = items_of(trip)
        for item in items:
            item.starts_at += shift
            if item.ends_at is not None:
                item.ends_at += shift
        if not items or not _is_published(trip):
            return None
        with force_locale("id"):
            text = _(
                "The trip's dates have changed: departure %(departs)s, return %(returns)s. "
                "The rundown moved with them, at the same times.",
                departs=format_date(trip.departs_at.astimezone(WIB), "EEEE, d MMMM yyyy"),
                returns=format_date(trip.returns_at.astimezone(WIB), "EEEE, d MMMM yyyy"),
            )
        notice = Notice(trip_id=trip.id, kind=NoticeKind.announcement, text=text)
        db.session.add(notice)
    return notice


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
