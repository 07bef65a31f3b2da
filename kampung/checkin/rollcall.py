"""The roll-call's read model: "Bus 2: 31/33" per bus, counted by SQL; the missing, a page at a
time; the latest check-ins (with their undo). Each is one query whatever the trip's size, so the
scanner and the fragments it polls stay small and fast at 10,000 people (bench/rollcall.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, literal, select

from kampung.checkin.models import CheckIn
from kampung.extensions import db
from kampung.models import Bus, Checkpoint
from kampung.search import person_matches
from kampung.signup.models import Registration, format_rt_rw

#: missing people per page of the list
PAGE_SIZE = 25
#: latest check-ins shown with their undo
RECENT = 5


@dataclass
class BusCount:
    #: None for the people without a bus
    bus_id: int | None
    name: str
    present: int
    total: int
    #: the organiser looking is this bus's coordinator
    mine: bool = False

    @property
    def missing(self) -> int:
        return self.total - self.present


@dataclass
class Counts:
    buses: list[BusCount]

    @property
    def present(self) -> int:
        return sum(bus.present for bus in self.buses)

    @property
    def total(self) -> int:
        return sum(bus.total for bus in self.buses)

    @property
    def missing(self) -> int:
        return self.total - self.present


def _here(checkpoint: Checkpoint):
    return and_(
        CheckIn.registration_id == Registration.id,
        CheckIn.checkpoint_id == checkpoint.id,
        CheckIn.is_active,
    )


def _seated(checkpoint: Checkpoint, bus_id: int | None):
    clauses = [Registration.trip_id == checkpoint.trip_id, Registration.is_seated]
    if bus_id is not None:
        clauses.append(Registration.bus_id == bus_id)
    return clauses


def counts(
    checkpoint: Checkpoint, bus_id: int | None = None, viewer_id: int | None = None
) -> Counts:
    """Present and seated per bus at the checkpoint (only `bus_id` when given), the viewer's own
    bus (as coordinator) first, then in the trip's order: one grouped query."""
    mine = case((Bus.coordinator_id == viewer_id, 0), else_=1) if viewer_id else literal(1)
    rows = db.session.execute(
        select(
            Registration.bus_id,
            Bus.name,
            func.count(CheckIn.id),
            func.count(Registration.id),
            func.min(mine),
        )
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .outerjoin(CheckIn, _here(checkpoint))
        .where(*_seated(checkpoint, bus_id))
        .group_by(Registration.bus_id, Bus.name, Bus.position)
        .order_by(func.min(mine), Bus.position.is_(None), Bus.position)
    )
    return Counts(
        [
            BusCount(bus, name or "", present, total, mine == 0)
            for bus, name, present, total, mine in rows
        ]
    )


@dataclass
class MissingPerson:
    registration_id: int
    name: str
    rt_rw: str
    kelurahan: str
    bus: str
    phone: str | None
    emergency_name: str
    emergency_phone: str


@dataclass
class MissingPage:
    people: list[MissingPerson]
    page: int
    #: a next page exists
    more: bool

    @property
    def first(self) -> int:
        """The number of the first person on this page, counting from 1."""
        return (self.page - 1) * PAGE_SIZE + 1


def missing(
    checkpoint: Checkpoint, bus_id: int | None = None, page: int = 1, query: str = ""
) -> MissingPage:
    """Who is not checked in yet, by bus and name, PAGE_SIZE at a time (one more is read to know
    whether a next page exists); `query` narrows to a name, phone or RT."""
    page = max(1, min(page, 10_000))
    statement = (
        select(
            Registration.id,
            Registration.full_name,
            Registration.rt,
            Registration.rw,
            Registration.kelurahan,
            Bus.name,
            Registration.phone,
            Registration.emergency_name,
            Registration.emergency_phone,
        )
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .where(*_seated(checkpoint, bus_id), ~exists().where(_here(checkpoint)))
        .order_by(Bus.position, Registration.full_name, Registration.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    if query := (query or "").strip()[:60]:
        statement = statement.where(person_matches(query))
    rows = db.session.execute(statement).all()
    people = [
        MissingPerson(rid, name, format_rt_rw(rt, rw), kel, bus or "", phone, ename, ephone)
        for rid, name, rt, rw, kel, bus, phone, ename, ephone in rows[:PAGE_SIZE]
    ]
    return MissingPage(people, page, len(rows) > PAGE_SIZE)


@dataclass
class Recent:
    checkin_id: int
    name: str
    bus: str
    scanned_at: datetime


def recent(checkpoint: Checkpoint, bus_id: int | None = None) -> list[Recent]:
    """The latest check-ins that count here, newest first, each with its id for the undo."""
    rows = db.session.execute(
        select(CheckIn.id, Registration.full_name, Bus.name, CheckIn.scanned_at)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .where(
            CheckIn.checkpoint_id == checkpoint.id, CheckIn.is_active, *_seated(checkpoint, bus_id)
        )
        .order_by(CheckIn.received_at.desc(), CheckIn.id.desc())
        .limit(RECENT)
    )
    return [Recent(cid, name, bus or "", at) for cid, name, bus, at in rows]


def here(checkpoint: Checkpoint, registration_ids: list[int]) -> dict[int, int]:
    """For search results: registration id -> the id of their check-in here, for those in."""
    if not registration_ids:
        return {}
    rows = db.session.execute(
        select(CheckIn.registration_id, CheckIn.id).where(
            CheckIn.checkpoint_id == checkpoint.id,
            CheckIn.is_active,
            CheckIn.registration_id.in_(registration_ids),
        )
    )
    return dict(rows.all())
