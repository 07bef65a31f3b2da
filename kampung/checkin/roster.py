"""What the check-in pages read: who is seated, who is here at a checkpoint, who is missing,
how the offline copy names people and how long it stays (the copy itself: offline_copy.py), and
the check-in times for the exports. Counting is SQL's."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload

from kampung.checkin.models import CheckIn
from kampung.database import connection
from kampung.driver_sql import DriverStatement
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Bus, Checkpoint, Trip
from kampung.search import person_matches
from kampung.signup.models import Registration, format_rt_rw


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
            .options(joinedload(Registration.bus))
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


@dataclass(frozen=True)
class LastSeen:
    """Where a person was last counted: the checkpoint's name and the scan's time (UTC)."""

    checkpoint: str
    at: datetime
    #: the check-in itself, for its undo from the roster
    checkin_id: int

    @property
    def when(self) -> str:
        """'20/12 06.12': the day and the time in WIB, short enough for a roster line or a cell
        (the road takes days, so the time alone is not enough)."""
        return self.at.astimezone(WIB).strftime("%d/%m %H.%M")


def last_checkpoints(
    trip_id: int, registration_ids: Iterable[int] | None = None
) -> dict[int, LastSeen]:
    """Each registration's last active check-in, by registration id: one query for the trip
    (or for `registration_ids` only, e.g. one page of the roster).

    "Last" is the latest checkpoint in the trip's order (Checkpoint.position), not the latest
    scan time: an offline phone's queue may arrive, and be dated, after a later stop's scans,
    and the trip's order is what "where is everyone now" means. Scan time breaks ties.
    """
    place = (
        func.row_number()
        .over(
            partition_by=CheckIn.registration_id,
            order_by=(Checkpoint.position.desc(), CheckIn.scanned_at.desc(), CheckIn.id.desc()),
        )
        .label("place")
    )
    query = (
        select(CheckIn.registration_id, Checkpoint.name, CheckIn.scanned_at, CheckIn.id, place)
        .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
        .where(Checkpoint.trip_id == trip_id, CheckIn.is_active)
    )
    if registration_ids is not None:
        query = query.where(CheckIn.registration_id.in_(list(registration_ids)))
    latest = query.subquery()
    rows = db.session.execute(
        select(latest.c.registration_id, latest.c.name, latest.c.scanned_at, latest.c.id).where(
            latest.c.place == 1
        )
    )
    return {rid: LastSeen(name, at, checkin_id) for rid, name, at, checkin_id in rows}


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


@dataclass
class CodeCard:
    """What the /c/<code> page shows an organiser: the person, their trip, and each of the
    trip's checkpoints with whether they are checked in there."""

    name: str
    rt_rw: str
    kelurahan: str
    bus: str
    status: str
    trip_slug: str
    trip_title: str
    #: (id, name, checked in), in the trip's order
    checkpoints: list[tuple[int, str, bool]]

    @property
    def open_checkpoint(self) -> tuple[int, str] | None:
        """The first checkpoint where the person is not checked in yet."""
        return next(((cid, name) for cid, name, done in self.checkpoints if not done), None)

    def has_checkpoint(self, checkpoint_id: int) -> bool:
        return any(cid == checkpoint_id for cid, _name, _done in self.checkpoints)

    def checked_in(self, checkpoint_id: int) -> None:
        self.checkpoints = [
            (cid, name, done or cid == checkpoint_id) for cid, name, done in self.checkpoints
        ]


_Here = aliased(CheckIn)
#: the phone camera's page, in one statement: a row per checkpoint of the person's trip (one row
#: with no checkpoint when the trip has none); no row for a code that is nobody's
_CARD = DriverStatement(
    select(
        Registration.full_name,
        Registration.rt,
        Registration.rw,
        Registration.kelurahan,
        Registration.status,
        Bus.name.label("bus"),
        Trip.slug,
        Trip.title,
        Checkpoint.id.label("checkpoint_id"),
        Checkpoint.name.label("checkpoint"),
        _Here.id.label("checkin_id"),
    )
    .join(Trip, Trip.id == Registration.trip_id)
    .outerjoin(Bus, Bus.id == Registration.bus_id)
    .outerjoin(Checkpoint, Checkpoint.trip_id == Trip.id)
    .outerjoin(
        _Here,
        and_(
            _Here.registration_id == Registration.id,
            _Here.checkpoint_id == Checkpoint.id,
            _Here.is_active,
        ),
    )
    .where(Registration.checkin_code == bindparam("code"))
    .order_by(Checkpoint.position, Checkpoint.id)
)


def code_card(code: str) -> CodeCard | None:
    rows = _CARD.all(connection(), code=code)
    if not rows:
        return None
    first = rows[0]
    return CodeCard(
        name=first.full_name,
        rt_rw=format_rt_rw(first.rt, first.rw),
        kelurahan=first.kelurahan,
        bus=first.bus or "",
        status=first.status,
        trip_slug=first.slug,
        trip_title=first.title,
        checkpoints=[
            (row.checkpoint_id, row.checkpoint, row.checkin_id is not None)
            for row in rows
            if row.checkpoint_id is not None
        ],
    )
