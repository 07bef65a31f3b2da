"""Bursts of sign-ups from one source: found, shown to staff, cancelled in one action.

A room at a briefing signs up from one network (the venue Wi-Fi), each person from their own
browser. A script signs up many people from one browser, or from one network with a fresh
browser each time. Every self sign-up records both sources as keyed hashes (kampung.origin);
staff see the sign-ups grouped by source and time, largest first, and cancel a burst in one
transaction whose free seats go to the waitlist, earliest first.

Plain functions that know nothing of the request.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kampung.auth.models import StaffMember
from kampung.database import transaction, utcnow
from kampung.extensions import db
from kampung.manage.models import BurstRemoval
from kampung.models import Trip
from kampung.signup.models import Registration, Status
from kampung.signup.service import fill_free_seats

#: the two sources a sign-up records, by the name used in URLs and in BurstRemoval.kind
SOURCES = {
    "device": Registration.signup_device,
    "network": Registration.signup_network,
}
#: sign-ups from one source at most this far apart belong to the same burst
GAP = timedelta(minutes=2)
#: fewer sign-ups than this from one source are not a burst
MIN_SIZE = 2


class NothingToCancel(Exception):
    """The burst has no active registration left (cancelled meanwhile, or never there)."""


@dataclass
class Burst:
    kind: str
    source: str
    #: its active registrations, earliest first
    registrations: list[Registration]

    @property
    def size(self) -> int:
        return len(self.registrations)

    @property
    def first(self) -> Registration:
        return self.registrations[0]

    @property
    def last(self) -> Registration:
        return self.registrations[-1]

    @property
    def minutes(self) -> int:
        """The minutes it spans, counting a part as a whole one: "12 within 1 minute"."""
        span = (self.last.created_at - self.first.created_at).total_seconds()
        return max(1, math.ceil(span / 60))

    @property
    def devices(self) -> int:
        """How many browsers took part: many for a room on one network, one for a script."""
        return len({r.signup_device for r in self.registrations if r.signup_device})

    @property
    def without_device(self) -> int:
        """Sign-ups whose browser sent no client id (a script that drops its cookies)."""
        return sum(r.signup_device is None for r in self.registrations)

    @property
    def seated(self) -> int:
        return sum(r.status == Status.registered for r in self.registrations)


def _active_self_signups(trip: Trip, *where) -> Sequence[Registration]:
    return db.session.scalars(
        db.select(Registration)
        .where(
            Registration.trip_id == trip.id,
            Registration.source == "self",
            Registration.status != Status.cancelled,
            *where,
        )
        .order_by(Registration.created_at, Registration.id)
    ).all()


def _runs(kind: str, source: str, registrations: list[Registration]) -> list[Burst]:
    """Split one source's sign-ups, in time order, wherever two are more than GAP apart."""
    runs: list[Burst] = []
    for registration in registrations:
        if runs and registration.created_at - runs[-1].last.created_at <= GAP:
            runs[-1].registrations.append(registration)
        else:
            runs.append(Burst(kind, source, [registration]))
    return runs


def find_bursts(trip: Trip, min_size: int = MIN_SIZE) -> list[Burst]:
    """Every burst of the trip's active self sign-ups: from one browser, largest first, then
    from one network, largest first (a room looks like one, with a browser per person).

    Grouped in Python: a trip has a few hundred sign-ups, and splitting runs at time gaps is
    plain here while its SQL (window functions over dates) differs between the two databases.
    """
    registrations = _active_self_signups(trip)
    bursts: list[Burst] = []
    for kind, column in SOURCES.items():
        by_source: dict[str, list[Registration]] = {}
        for registration in registrations:
            if source := getattr(registration, column.key):
                by_source.setdefault(source, []).append(registration)
        for source, group in by_source.items():
            bursts.extend(_runs(kind, source, group))
    bursts = [b for b in bursts if b.size >= min_size]
    return sorted(bursts, key=lambda b: (b.kind != "device", -b.size, b.first.created_at))


def burst_of(trip: Trip, kind: str, first_id: int, last_id: int) -> Burst | None:
    """The burst a staff member picked: the active sign-ups from the source of registration
    `first_id`, from it to `last_id`. None when that makes no burst of this trip."""
    column = SOURCES.get(kind)
    if column is None:
        return None
    first = db.session.get(Registration, first_id)
    if first is None or first.trip_id != trip.id or first_id > last_id:
        return None
    source = getattr(first, column.key)
    if not source:
        return None
    registrations = _active_self_signups(
        trip, column == source, Registration.id.between(first_id, last_id)
    )
    return Burst(kind, source, list(registrations)) if registrations else None


def cancel_burst(
    trip: Trip,
    kind: str,
    first_id: int,
    last_id: int,
    by: StaffMember,
    now: datetime | None = None,
) -> tuple[BurstRemoval, list[Registration]]:
    """Cancel every active sign-up of the burst, record who did it, and give the freed seats to
    the waitlist (earliest first). Returns the removal and the people promoted.

    One unit of work under the trip's lock. Raises NothingToCancel, having saved nothing.
    """
    with transaction():
        trip.lock()
        burst = burst_of(trip, kind, first_id, last_id)
        if burst is None:
            raise NothingToCancel()
        removal = BurstRemoval(
            trip_id=trip.id,
            kind=kind,
            source=burst.source,
            first_at=burst.first.created_at,
            last_at=burst.last.created_at,
            cancelled=burst.size,
            removed_by_id=by.id,
            removed_at=now or utcnow(),
            registrations=burst.registrations,
        )
        db.session.add(removal)
        for registration in burst.registrations:
            registration.cancel()
        db.session.flush()
        promoted = fill_free_seats(trip)
    return removal, promoted


def removals(trip: Trip) -> Sequence[BurstRemoval]:
    """The trip's burst removals, newest first."""
    return db.session.scalars(
        db.select(BurstRemoval)
        .where(BurstRemoval.trip_id == trip.id)
        .order_by(BurstRemoval.removed_at.desc(), BurstRemoval.id.desc())
    ).all()
