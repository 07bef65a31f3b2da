"""Staff rules for a trip: its settings, the roster's search, moves between buses and seats.

Plain functions that know nothing of the request. Each state change is one unit of work
(kampung.database.transaction) that takes the trip's lock first, like the sign-up rules in
`kampung.signup.service`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from kampung.database import is_unique_violation, transaction, whole_number
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Bus, Checkpoint, Trip
from kampung.rooms.models import Room
from kampung.rooms.service import move_to_room
from kampung.schedule.service import follow_the_trip
from kampung.search import person_matches
from kampung.signup.models import Registration, Status
from kampung.signup.service import (
    bus_with_free_seat,
    fill_free_seats,
    seats_taken,
    update_details,
)
from kampung.trips import create_trip

#: people per roster page: enough to scroll, few enough for a cheap phone
PAGE_SIZE = 50


class ManageError(Exception):
    """A staff action that cannot go ahead; `str()` is not shown, the view picks the message."""


class SlugTaken(ManageError):
    pass


class CapacityBelowRegistered(ManageError):
    def __init__(self, registered: int):
        super().__init__(registered)
        self.registered = registered


class NoFreeSeat(ManageError):
    pass


class BusFull(ManageError):
    def __init__(self, bus: Bus):
        super().__init__(bus.name)
        self.bus = bus


class NotWaitlisted(ManageError):
    pass


class NotRegistered(ManageError):
    pass


@dataclass
class BusRow:
    """A bus as the trip form gives it: `id` None for a new one."""

    name: str
    seats: int
    id: int | None = None


@dataclass
class CheckpointRow:
    name: str
    position: int
    id: int | None = None


@dataclass
class TripSettings:
    """Everything the admin sets on a trip, already validated, times as aware UTC."""

    title: str
    slug: str
    description: str
    origin: str
    destination: str
    meeting_point: str
    departs_at: datetime
    returns_at: datetime
    capacity: int
    registration_open: bool
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    #: the committee member participants write to, and their WhatsApp number (E.164)
    contact_name: str = ""
    contact_phone: str = ""
    buses: list[BusRow] = field(default_factory=list)
    checkpoints: list[CheckpointRow] = field(default_factory=list)

    def trip_fields(self) -> dict:
        return {
            name: getattr(self, name)
            for name in (
                "title",
                "slug",
                "description",
                "origin",
                "destination",
                "meeting_point",
                "departs_at",
                "returns_at",
                "capacity",
                "registration_open",
                "registration_opens_at",
                "registration_closes_at",
                "contact_name",
                "contact_phone",
            )
        }


def slug_is_taken(slug: str, trip: Trip | None = None) -> bool:
    query = db.select(Trip.id).where(Trip.slug == slug)
    if trip is not None:
        query = query.where(Trip.id != trip.id)
    return db.session.scalar(query) is not None


def _ordered_checkpoints(rows: list[CheckpointRow]) -> list[CheckpointRow]:
    # The admin numbers the order; ties keep the order they were written in.
    return sorted(rows, key=lambda row: row.position)


def create(settings: TripSettings) -> Trip:
    """A new trip. Raises SlugTaken, having saved nothing."""
    if slug_is_taken(settings.slug):
        raise SlugTaken()
    try:
        with transaction():
            trip = create_trip(
                buses=[(bus.name, bus.seats) for bus in settings.buses],
                checkpoints=[row.name for row in _ordered_checkpoints(settings.checkpoints)],
                **settings.trip_fields(),
            )
    except IntegrityError as error:
        # Another admin took the slug between our check and our insert.
        if is_unique_violation(error) and slug_is_taken(settings.slug):
            raise SlugTaken() from None
        raise
    return trip


def update(trip: Trip, settings: TripSettings) -> list[Registration]:
    """Change a trip's settings, buses and checkpoints in one transaction.

    Refuses a capacity under the number already registered (CapacityBelowRegistered) and a
    slug another trip has (SlugTaken). A higher capacity promotes waitlisted people, who are
    returned so staff can tell them.
    """
    try:
        with transaction():
            trip.lock()
            if slug_is_taken(settings.slug, trip):
                raise SlugTaken()
            registered = seats_taken(trip)
            if settings.capacity < registered:
                raise CapacityBelowRegistered(registered)
            first_day = trip.departs_at.astimezone(WIB).date()
            for name, value in settings.trip_fields().items():
                setattr(trip, name, value)
            follow_the_trip(trip, (trip.departs_at.astimezone(WIB).date() - first_day).days)
            _sync_buses(trip, settings.buses)
            _sync_checkpoints(trip, settings.checkpoints)
            db.session.flush()
            promoted = fill_free_seats(trip)
    except IntegrityError as error:
        if is_unique_violation(error) and slug_is_taken(settings.slug, trip):
            raise SlugTaken() from None
        raise
    return promoted


def _sync_buses(trip: Trip, rows: list[BusRow]) -> None:
    existing = {bus.id: bus for bus in trip.buses}
    kept = []
    for position, row in enumerate(rows):
        bus = existing.get(row.id) if row.id is not None else None
        if bus is None:
            # Joined to the trip by `trip.buses = kept` below, not before: a bus half-attached
            # (in trip.buses, not yet in the session) would trouble the autoflush of the update.
            bus = Bus()
        bus.name, bus.seats, bus.position = row.name, row.seats, position
        kept.append(bus)
    # Removed buses leave their passengers without a bus (bus_id SET NULL), never cancelled.
    for bus in existing.values():
        if bus not in kept:
            db.session.execute(
                db.update(Registration).where(Registration.bus_id == bus.id).values(bus_id=None)
            )
    trip.buses = kept


def _sync_checkpoints(trip: Trip, rows: list[CheckpointRow]) -> None:
    existing = {checkpoint.id: checkpoint for checkpoint in trip.checkpoints}
    kept = []
    for position, row in enumerate(_ordered_checkpoints(rows)):
        checkpoint = existing.get(row.id) if row.id is not None else None
        if checkpoint is None:
            checkpoint = Checkpoint()
        checkpoint.name, checkpoint.position = row.name, position
        kept.append(checkpoint)
    trip.checkpoints = kept


# --- The roster ----------------------------------------------------------------------------


@dataclass
class RosterFilter:
    q: str = ""
    kecamatan: str = ""
    status: str = ""
    #: a bus id as text, "none" for people without a bus, "" for all
    bus: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RosterFilter:
        """The filter a roster URL's query string asks for; nonsense in it is ignored."""
        return cls(
            q=args.get("q", "")[:100],
            kecamatan=args.get("kecamatan", ""),
            status=args.get("status", ""),
            bus=args.get("bus", ""),
            page=whole_number(args.get("page", "1")) or 1,
        )


@dataclass
class RosterPage:
    people: list[Registration]
    total: int
    page: int
    pages: int


def roster(trip: Trip, wanted: RosterFilter) -> RosterPage:
    """One page of the trip's people, filtered; two queries whatever the number of people."""
    query = db.select(Registration).where(Registration.trip_id == trip.id)
    q = wanted.q.strip()
    if q:
        query = query.where(person_matches(q))
    if wanted.kecamatan:
        query = query.where(Registration.kecamatan == wanted.kecamatan)
    if wanted.status in Status.__members__:
        query = query.where(Registration.status == wanted.status)
    if wanted.bus == "none":
        query = query.where(Registration.bus_id.is_(None))
    elif whole_number(wanted.bus) is not None:
        query = query.where(Registration.bus_id == whole_number(wanted.bus))
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, wanted.page), pages)
    people = db.session.scalars(
        query.options(joinedload(Registration.bus), joinedload(Registration.room))
        .order_by(Registration.full_name, Registration.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return RosterPage(list(people), total, page, pages)


def bus_counts(trip: Trip) -> dict[int | None, int]:
    """Registered people per bus id (None: no bus yet)."""
    return dict(
        db.session.execute(
            db.select(Registration.bus_id, func.count())
            .where(Registration.trip_id == trip.id, Registration.is_seated)
            .group_by(Registration.bus_id)
        ).all()
    )


def promoted_not_told(trip: Trip) -> list[Registration]:
    """People a cancellation or a larger capacity gave a seat, whom staff have yet to tell."""
    return list(
        db.session.scalars(
            db.select(Registration)
            .where(
                Registration.trip_id == trip.id,
                Registration.is_seated,
                Registration.promoted_at.is_not(None),
            )
            .order_by(Registration.promoted_at)
        )
    )


def mark_told(registration: Registration) -> None:
    with transaction():
        registration.promoted_at = None


@contextmanager
def _changing(registration: Registration) -> Iterator[Trip]:
    """One unit of work under the trip's lock, on fresh data; a refused change saves nothing."""
    trip = registration.trip
    with transaction():
        trip.lock()
        db.session.refresh(registration)
        yield trip


def promote(registration: Registration) -> None:
    """Give a waitlisted person a free seat now, out of the waitlist's order (staff's call)."""
    with _changing(registration) as trip:
        if registration.status != Status.waitlisted:
            raise NotWaitlisted()
        if seats_taken(trip) >= trip.capacity:
            raise NoFreeSeat()
        # promote() stamps promoted_at, so the person joins the "to tell" list.
        registration.promote()
        registration.bus = bus_with_free_seat(trip)


def move_to_bus(registration: Registration, bus: Bus | None) -> None:
    """Put a registered person on another bus (None: no bus). Raises BusFull, NotRegistered."""
    with _changing(registration):
        if not registration.is_seated:
            raise NotRegistered()
        ensure_room(registration, bus)
        registration.bus = bus


def edit_participant(
    registration: Registration, person: dict, bus: Bus | None, room: Room | None
) -> None:
    """The admin's edit of a person: details, bus and room in one unit of work, so that a full
    bus (BusFull), a full room or one of the other gender (kampung.rooms.service's errors) or a
    phone already in use (DuplicatePhone) saves nothing."""
    with transaction():
        moving = registration.is_seated and bus != registration.bus
        update_details(registration, person)
        if moving:
            move_to_bus(registration, bus)
        if registration.is_seated and (room.id if room else None) != registration.room_id:
            move_to_room(registration, room)


def ensure_room(registration: Registration, bus: Bus | None) -> None:
    """Raise BusFull when moving this person onto `bus` would overfill it."""
    moving_to = bus if bus is not None and bus.id != registration.bus_id else None
    if moving_to and bus_counts(registration.trip).get(moving_to.id, 0) >= moving_to.seats:
        raise BusFull(moving_to)
