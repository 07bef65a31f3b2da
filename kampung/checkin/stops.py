"""The road's rules beside the scan: stops added from the phone, each bus's coordinator, and a
passenger moved onto the bus whose scanner met them ("Pindahkan ke bus ini"), recorded."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from kampung.auth.models import StaffMember, User
from kampung.checkin.models import BusMove
from kampung.checkin.service import ForeignURL, Result, check_in, parse_code
from kampung.database import transaction, utcnow
from kampung.extensions import db
from kampung.manage.service import BusFull, ensure_room
from kampung.models import Bus, Checkpoint, Trip
from kampung.signup.models import Registration
from kampung.text import clean_text

#: as long as Checkpoint.name holds
STOP_NAME_LENGTH = 120


class StopRefused(ValueError):
    """Why a stop was not added: `reason` is "name" (empty or too long) or "bus"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def add_stop(trip: Trip, name: str, bus: Bus | None = None) -> Checkpoint:
    """A checkpoint after the others, for one bus or (bus None) all of them."""
    name = clean_text(name or "")
    if not name or len(name) > STOP_NAME_LENGTH:
        raise StopRefused("name")
    if bus is not None and bus.trip_id != trip.id:
        raise StopRefused("bus")
    with transaction():
        last = db.session.scalar(
            select(func.max(Checkpoint.position)).where(Checkpoint.trip_id == trip.id)
        )
        stop = Checkpoint(trip_id=trip.id, name=name, position=(last or 0) + 1, bus=bus)
        db.session.add(stop)
    db.session.refresh(trip)
    return stop


def set_coordinator(bus: Bus, organiser: User | None) -> None:
    """Make `organiser` (an organiser or admin) the bus's coordinator; None leaves it without."""
    if organiser is not None and not organiser.has_role("organiser"):
        raise ValueError("a coordinator runs the check-in")
    with transaction():
        bus.coordinator_id = organiser.id if organiser else None


class MoveRefused(Exception):
    """Why a move was refused: "unknown" (no such person on this trip), "not_seated"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def move_here(
    code: str,
    checkpoint: Checkpoint,
    bus: Bus,
    by: StaffMember,
    *,
    device: str = "",
    site_hosts: Collection[str] = (),
) -> Result:
    """Put the person of `code` on `bus` and check them in at `checkpoint`, in one unit of work
    under the trip's lock (a full bus saves nothing: BusFull). The move is recorded (BusMove)."""
    try:
        parsed = parse_code(code, site_hosts)
    except ForeignURL:
        parsed = None
    if parsed is None or bus.trip_id != checkpoint.trip_id:
        raise MoveRefused("unknown")
    with transaction():
        checkpoint.trip.lock()
        registration = db.session.scalar(
            select(Registration).where(
                Registration.checkin_code == parsed, Registration.trip_id == checkpoint.trip_id
            )
        )
        if registration is None:
            raise MoveRefused("unknown")
        if not registration.is_seated:
            raise MoveRefused("not_seated")
        if registration.bus_id != bus.id:
            ensure_room(registration, bus)
            db.session.add(
                BusMove(
                    registration_id=registration.id,
                    checkpoint_id=checkpoint.id,
                    from_bus_id=registration.bus_id,
                    to_bus_id=bus.id,
                    moved_by_id=by.id,
                    moved_at=utcnow(),
                )
            )
            registration.bus_id = bus.id
            db.session.flush()
        return check_in(parsed, checkpoint.id, by, device=device, bus_id=bus.id)


__all__ = ["BusFull", "MoveRefused", "StopRefused", "add_stop", "move_here", "set_coordinator"]
