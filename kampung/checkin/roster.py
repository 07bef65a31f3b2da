"""What the check-in pages read: who is seated, who is here at a checkpoint, who is missing,
the offline copy of the list, and the check-in times for the exports. Counting is SQL's."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, select

from kampung.checkin.models import CheckIn
from kampung.extensions import db
from kampung.models import Bus, Checkpoint, Trip
from kampung.search import person_matches
from kampung.signup.models import Registration


@dataclass
class RosterRow:
    registration: Registration
    bus: str
    checkin: CheckIn | None


def roster(checkpoint: Checkpoint, bus_id: int | None = None) -> list[RosterRow]:
    """Everyone with a seat on the trip (or on one bus), with their check-in here: one query."""
    query = (
        select(Registration, Bus.name, CheckIn)
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .outerjoin(
            CheckIn,
            and_(
                CheckIn.registration_id == Registration.id,
                CheckIn.checkpoint_id == checkpoint.id,
                CheckIn.is_active,
            ),
        )
        .where(Registration.trip_id == checkpoint.trip_id, Registration.is_seated)
        .order_by(Bus.position, Registration.full_name, Registration.id)
    )
    if bus_id is not None:
        query = query.where(Registration.bus_id == bus_id)
    return [RosterRow(r, bus or "", c) for r, bus, c in db.session.execute(query)]


@dataclass
class Count:
    present: int
    total: int
    #: per bus: (name, present, total), in the trip's order
    buses: list[tuple[str, int, int]]


def count(rows: list[RosterRow]) -> Count:
    per_bus: dict[str, list[int]] = {}
    present = total = 0
    for row in rows:
        tally = per_bus.setdefault(row.bus, [0, 0])
        tally[1] += 1
        total += 1
        if row.checkin is not None:
            tally[0] += 1
            present += 1
    return Count(present, total, [(name, p, t) for name, (p, t) in per_bus.items()])


def search(trip: Trip, query: str, limit: int = 20) -> list[Registration]:
    """People with a seat whose name, phone or RT matches, for the organiser's manual check-in."""
    query = (query or "").strip()[:60]
    if not query:
        return []
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.trip_id == trip.id, Registration.is_seated, person_matches(query))
            .order_by(Registration.full_name)
            .limit(limit)
        )
    )


def checkin_times(trip: Trip) -> dict[int, dict[int, datetime]]:
    """Each registration's active check-in time per checkpoint, for the roster export: one query."""
    rows = db.session.execute(
        select(CheckIn.registration_id, CheckIn.checkpoint_id, CheckIn.scanned_at)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.trip_id == trip.id, CheckIn.is_active)
    )
    times: dict[int, dict[int, datetime]] = {}
    for registration_id, checkpoint_id, scanned_at in rows:
        times.setdefault(registration_id, {})[checkpoint_id] = scanned_at
    return times


def open_checkpoint(trip: Trip, registration: Registration) -> Checkpoint | None:
    """The checkpoint now open for this person: the first one where they are not checked in yet."""
    done = set(
        db.session.scalars(
            select(CheckIn.checkpoint_id).where(
                CheckIn.registration_id == registration.id, CheckIn.is_active
            )
        )
    )
    return next((cp for cp in trip.checkpoints if cp.id not in done), None)


def code_hash(code: str) -> str:
    """How the offline copy names a person: a hash of their check-in code, never the code."""
    return hashlib.sha256(code.encode()).hexdigest()


#: how long after the trip's return the offline copy may stay on a phone: a bus home that
#: runs late into the next morning is still scanned offline
OFFLINE_MARGIN = timedelta(hours=12)


def offline_until(trip: Trip) -> datetime:
    """When the scanner's offline copy (and the page kept for offline use) leaves the phone."""
    return trip.returns_at + OFFLINE_MARGIN


def iso_utc(moment: datetime) -> str:
    """2026-01-11T05:00:00Z: what the scanner's Date.parse reads the same on every phone."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def offline_copy(trip: Trip, checkpoint: Checkpoint, now: datetime) -> dict:
    """The scanner's offline copy of the list: the least that the result needs offline.

    Only people with a seat: a cancelled or waitlisted person is answered red offline ("not on
    the list"), and the server says why once the scan is sent, so their details need not be on
    any phone. Each entry is the hash of the code (never the code), `person` as /api/checkins
    names a person, and `here` (checked in at this checkpoint). Past `expires_at` the page
    deletes the copy, and the server sends no one.
    """
    expires_at = offline_until(trip)
    entries = []
    if now < expires_at:
        rows = db.session.execute(
            select(Registration, Bus.name, CheckIn.id)
            .outerjoin(Bus, Bus.id == Registration.bus_id)
            .outerjoin(
                CheckIn,
                and_(
                    CheckIn.registration_id == Registration.id,
                    CheckIn.checkpoint_id == checkpoint.id,
                    CheckIn.is_active,
                ),
            )
            .where(Registration.trip_id == trip.id, Registration.is_seated)
        )
        entries = [
            {
                "hash": code_hash(r.checkin_code),
                "here": checkin_id is not None,
                "person": {
                    "name": r.full_name,
                    "rt_rw": r.rt_rw,
                    "kelurahan": r.kelurahan,
                    "bus": bus or "",
                },
            }
            for r, bus, checkin_id in rows
        ]
    return {
        "checkpoint": checkpoint.id,
        "expires_at": iso_utc(expires_at),
        "entries": entries,
    }


def seated_with_bus(trip: Trip, bus_id: int | None = None) -> list[tuple[Registration, str]]:
    """The seated people and their bus's name, bus by bus, for the QR cards."""
    query = (
        select(Registration, Bus.name)
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .where(Registration.trip_id == trip.id, Registration.is_seated)
        .order_by(Bus.position, Registration.full_name)
    )
    if bus_id is not None:
        query = query.where(Registration.bus_id == bus_id)
    return [(registration, bus or "") for registration, bus in db.session.execute(query)]
