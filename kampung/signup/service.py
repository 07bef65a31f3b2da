"""The sign-up rules: seats, the waitlist, one registration per phone, cancel and promote.

Plain functions that know nothing of the request, so tests and the importer call them directly.
Each change is one unit of work (kampung.database.transaction) that takes the trip's lock
first, then counts, then writes; called inside a caller's unit, it commits with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from kampung.database import is_unique_violation, transaction, utcnow
from kampung.extensions import db
from kampung.models import Bus, Trip
from kampung.signup.models import Registration, Status

if TYPE_CHECKING:
    from kampung.origin import Origin

#: the roster fields a person or the admin fills in (PRODUCT.md's columns, less bus and status)
PERSON_FIELDS = (
    "full_name",
    "phone",
    "kecamatan",
    "kelurahan",
    "rt",
    "rw",
    "role",
    "gender",
    "emergency_name",
    "emergency_phone",
    "notes",
)
#: what the person's form saves: the roster fields, and whom they would share a room with
#: (kampung.rooms), which is not a roster column
DETAIL_FIELDS = (*PERSON_FIELDS, "share_with")


class SignupError(Exception):
    """A sign-up that cannot go ahead; the view turns it into a message."""


class RegistrationClosed(SignupError):
    pass


class DuplicatePhone(SignupError):
    def __init__(self, existing: Registration):
        super().__init__(existing.id)
        self.existing = existing


@dataclass
class SignupResult:
    registration: Registration
    #: 1 for the first in line; None when the person has a seat
    waitlist_position: int | None


def find_active_by_phone(trip: Trip, phone: str | None) -> Registration | None:
    """The trip's active registration with this phone; none for no phone (a purged one)."""
    if phone is None:
        return None
    return db.session.scalar(
        db.select(Registration).where(
            Registration.trip_id == trip.id,
            Registration.phone == phone,
            Registration.is_active,
        )
    )


def seats_taken(trip: Trip) -> int:
    return db.session.scalar(
        db.select(func.count()).where(Registration.trip_id == trip.id, Registration.is_seated)
    )


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != Status.waitlisted:
        return None
    ahead = db.session.scalar(
        db.select(func.count()).where(
            Registration.trip_id == registration.trip_id,
            Registration.status == Status.waitlisted,
            (Registration.waitlisted_at < registration.waitlisted_at)
            | (
                (Registration.waitlisted_at == registration.waitlisted_at)
                & (Registration.id < registration.id)
            ),
        )
    )
    return ahead + 1


def bus_with_free_seat(trip: Trip) -> Bus | None:
    """The first bus, in the trip's order, that still has a seat; None when all are full."""
    taken = dict(
        db.session.execute(
            db.select(Registration.bus_id, func.count())
            .where(Registration.trip_id == trip.id, Registration.is_seated)
            .group_by(Registration.bus_id)
        ).all()
    )
    for bus in trip.buses:
        if taken.get(bus.id, 0) < bus.seats:
            return bus
    return None


def add_registration(
    trip: Trip,
    person: dict,
    *,
    source: str = "self",
    consent_at: datetime | None = None,
    now: datetime | None = None,
    origin: Origin | None = None,
) -> Registration:
    """The core of `register`: a seat while there is one, else the waitlist.

    The caller holds the trip's lock and commits or rolls back, so an import can add many
    people in one transaction. Raises RegistrationClosed or DuplicatePhone before adding.
    """
    now = now or utcnow()
    if source == "self" and not trip.registration_is_open(now):
        raise RegistrationClosed()
    if existing := find_active_by_phone(trip, person["phone"]):
        raise DuplicatePhone(existing)
    registration = Registration(
        trip=trip,
        source=source,
        consent_at=consent_at,
        signup_network=origin.network if origin else None,
        signup_device=origin.device if origin else None,
        **{field: person.get(field) for field in DETAIL_FIELDS if field in person},
    )
    if seats_taken(trip) < trip.capacity:
        registration.register()
        registration.bus = bus_with_free_seat(trip)
    else:
        registration.waitlist()
    db.session.add(registration)
    db.session.flush()
    return registration


def register(
    trip: Trip,
    person: dict,
    *,
    source: str = "self",
    consent_at: datetime | None = None,
    now: datetime | None = None,
    origin: Origin | None = None,
) -> SignupResult:
    """Sign a person up: a seat while there is one, else the waitlist.

    Staff imports (source="import") may add people while public sign-up is closed. `origin`
    (keyed hashes of the network and the browser) lets staff find a burst of sign-ups later.
    Raises RegistrationClosed or DuplicatePhone, having saved nothing.
    """
    with _same_phone_is_duplicate(trip, person.get("phone")), transaction():
        trip.lock()
        registration = add_registration(
            trip, person, source=source, consent_at=consent_at, now=now, origin=origin
        )
        position = waitlist_position(registration)
    return SignupResult(registration, position)


@contextmanager
def _same_phone_is_duplicate(trip: Trip, phone: str | None) -> Iterator[None]:
    """Another request registered the same phone between our check and our write: the
    database refused ours, and the person is told as if our check had seen it."""
    try:
        yield
    except IntegrityError as error:
        existing = find_active_by_phone(trip, phone) if is_unique_violation(error) else None
        if existing is None:
            raise
        raise DuplicatePhone(existing) from None


def can_edit_own_details(registration: Registration, now: datetime | None = None) -> bool:
    """A participant may change their own details while registration is open."""
    return registration.is_active and registration.trip.registration_is_open(now)


def update_details(registration: Registration, person: dict, *, self_service: bool = False) -> None:
    """Change a person's details; a phone already used on the trip raises DuplicatePhone.

    `self_service` is the participant editing their own page, which stops when registration
    closes (RegistrationClosed); staff may edit at any time.
    """
    trip = registration.trip
    with _same_phone_is_duplicate(trip, person.get("phone")), transaction():
        trip.lock()
        db.session.refresh(registration)
        if self_service and not can_edit_own_details(registration):
            raise RegistrationClosed()
        other = find_active_by_phone(trip, person.get("phone", registration.phone))
        if other is not None and other.id != registration.id:
            raise DuplicatePhone(other)
        for field in DETAIL_FIELDS:
            if field in person:
                setattr(registration, field, person[field])
        db.session.flush()


def can_cancel_own(registration: Registration, now: datetime | None = None) -> bool:
    """A participant may cancel until the bus leaves; after that, staff handle who did not come."""
    return registration.is_active and (now or utcnow()) < registration.trip.departs_at


def cancel(registration: Registration) -> Registration | None:
    """Cancel a registration; when it held a seat, the first on the waitlist gets it.

    Returns the promoted registration, so staff can tell that person.
    """
    trip = registration.trip
    with transaction():
        trip.lock()
        db.session.refresh(registration)
        if registration.status == Status.cancelled:
            return None
        registration.cancel()
        db.session.flush()
        promoted = fill_free_seats(trip)
    return promoted[0] if promoted else None


def fill_free_seats(trip: Trip) -> list[Registration]:
    """Promote waitlisted people, earliest first, into the free seats. Caller holds the lock."""
    free = trip.capacity - seats_taken(trip)
    if free <= 0:
        return []
    waiting = db.session.scalars(
        db.select(Registration)
        .where(Registration.trip_id == trip.id, Registration.status == Status.waitlisted)
        .order_by(Registration.waitlisted_at, Registration.id)
        .limit(free)
    ).all()
    for person in waiting:
        person.promote()
        person.bus = bus_with_free_seat(trip)
        db.session.flush()
    return list(waiting)
