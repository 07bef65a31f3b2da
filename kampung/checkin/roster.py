"""What the check-in pages read: who is seated, who is here at a checkpoint, who is missing,
the offline copy of the list, and the check-in times for the exports. Counting is SQL's."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from kampung.checkin.models import CheckIn
from kampung.database import connection
from kampung.driver_sql import DriverStatement
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Bus, Checkpoint, Trip
from kampung.search import person_matches
from kampung.signup.models import Registration, format_rt_rw
from kampung.text import readable


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


#: hex characters of a code's hash that the offline copy keeps: 64 bits. A scanned code of
#: someone not on the copy (another trip's, a cancelled one's) matches a seated person's by chance
#: once in 2**64 / 10,000 scans; within the trip, `hash_chars` makes sure none match.
HASH_CHARS = 16


def hash_chars(codes: Iterable[str], at_least: int | None = None) -> int:
    """The fewest hex characters of the codes' hashes (HASH_CHARS, or `at_least` when more,
    doubled as needed, at most the whole 64) that tell every one of them apart: a shared start
    would answer one person's code with another's name, a wrong green, so the copy of a trip
    where two starts meet keeps longer hashes."""
    return _chars_apart([code_hash(code) for code in codes], at_least)


def _chars_apart(hashes: list[str], at_least: int | None = None) -> int:
    chars = min(max(at_least or 0, HASH_CHARS), 64)
    while chars < 64 and len({h[:chars] for h in hashes}) < len(hashes):
        chars = min(chars * 2, 64)
    return chars


#: how long after the trip's return the offline copy may stay on a phone: a bus home that
#: runs late into the next morning is still scanned offline
OFFLINE_MARGIN = timedelta(hours=12)


def offline_until(trip: Trip) -> datetime:
    """When the scanner's offline copy (and the page kept for offline use) leaves the phone."""
    return trip.returns_at + OFFLINE_MARGIN


def iso_utc(moment: datetime) -> str:
    """2026-01-11T05:00:00Z: what the scanner's Date.parse reads the same on every phone."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


#: how far before the moment it was read a copy says it is current: a check-in saved while the
#: copy was read (its received_at a little earlier) comes again in the next change list
AS_OF_MARGIN = timedelta(seconds=30)
#: a change list asked for since longer ago than this gets the whole copy instead
CHANGES_AT_MOST = timedelta(hours=6)
#: the copy's layout: a phone holding another layout drops its copy and reads the whole again
OFFLINE_FORMAT = 2
#: what each entry of `people` holds, by position (static/js/scanner/roster.js reads them so);
#: empty fields at the end are left off
PERSON_FIELDS = (
    "hash",
    "here",
    "name",
    "rt_rw",
    "kelurahan",
    "bus_id",
    "phone",
    "emergency_name",
    "emergency_phone",
)


def offline_copy(
    trip: Trip,
    checkpoint: Checkpoint,
    now: datetime,
    since: datetime | None = None,
    chars: int | None = None,
) -> dict:
    """The scanner's offline copy of the list: the least that the result needs offline, and the
    numbers to call a person or their emergency contact from it.

    Only people with a seat: a cancelled or waitlisted person is answered red offline ("not on
    the list"), and the server says why once the scan is sent, so their details need not be on
    any phone. `people` holds one array per person (PERSON_FIELDS): the first `hash_chars` hex
    characters of the hash of the code (never the code), 1 when checked in at this checkpoint,
    what the result shows (the bus by id: its name is in `buses`), the phone and the emergency
    contact. Past `expires_at`, or once the trip is purged, the page deletes the copy and the
    server sends no one.

    With `since` (the `as_of` of the copy the phone holds, whose hashes are `chars` long) only
    what changed since is sent (`changes: true`): people edited, moved or checked in or out here
    since, and in `gone` the hashes of those who lost their seat; at 10,000 people the phone's
    refresh stays small. A newcomer since then makes the trip's hashes be checked again: if they
    need more characters now, the whole copy is sent instead.
    """
    expires_at = offline_until(trip)
    chars = chars or HASH_CHARS
    changes = since is not None and now - CHANGES_AT_MOST < since <= now
    changes = changes and HASH_CHARS <= chars <= 64
    people: list[list] = []
    gone: list[str] = []
    if now < expires_at and trip.purged_at is None:
        if since is not None and changes and _newcomers_since(trip, since):
            # A newcomer's hash may share its start with someone's: then longer hashes, whole.
            changes = hash_chars(_trip_codes(trip)) <= chars
        rows = _offline_rows(trip, checkpoint, since if changes else None)
        hashes = [code_hash(code) for code, *_rest in rows]
        if not changes:
            chars = _chars_apart(hashes)
        for hash_, (_code, seated, *person) in zip(hashes, rows, strict=True):
            if seated:
                people.append(_person(hash_[:chars], *person))
            elif changes:
                gone.append(hash_[:chars])
    return {
        "format": OFFLINE_FORMAT,
        "checkpoint": checkpoint.id,
        "expires_at": iso_utc(expires_at),
        "as_of": iso_utc(now - AS_OF_MARGIN),
        "changes": changes,
        "hash_chars": chars,
        "buses": {str(bus.id): readable(bus.name) for bus in trip.buses},
        "people": people,
        "gone": gone,
    }


def _offline_rows(trip: Trip, checkpoint: Checkpoint, since: datetime | None) -> list:
    """(code, seated, here, name, rt, rw, kelurahan, bus id, phone, emergency name and phone)
    of the trip's people, or of those changed since `since`. The whole copy reads the people
    without a seat too, but only their codes, to check the hashes against theirs."""
    here = and_(
        CheckIn.registration_id == Registration.id,
        CheckIn.checkpoint_id == checkpoint.id,
        CheckIn.is_active,
    )
    query = (
        select(
            Registration.checkin_code,
            Registration.is_seated,
            CheckIn.id.is_not(None),
            Registration.full_name,
            Registration.rt,
            Registration.rw,
            Registration.kelurahan,
            Registration.bus_id,
            Registration.phone,
            Registration.emergency_name,
            Registration.emergency_phone,
        )
        .outerjoin(CheckIn, here)
        .where(Registration.trip_id == trip.id)
    )
    if since is not None:
        touched = select(CheckIn.registration_id).where(
            CheckIn.checkpoint_id == checkpoint.id,
            or_(CheckIn.received_at > since, CheckIn.undone_at > since),
        )
        query = query.where(or_(Registration.updated_at > since, Registration.id.in_(touched)))
    return list(db.session.execute(query).all())


def _newcomers_since(trip: Trip, since: datetime) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.trip_id == trip.id, Registration.created_at > since)
        )
    )


def _trip_codes(trip: Trip) -> list[str]:
    return list(
        db.session.scalars(select(Registration.checkin_code).where(Registration.trip_id == trip.id))
    )


def _person(hash_, here, name, rt, rw, kelurahan, bus_id, phone, emergency_name, emergency_phone):
    # The scanner sets these as text: without a stored bidi override.
    person = [
        hash_,
        1 if here else 0,
        readable(name),
        format_rt_rw(rt, rw),
        readable(kelurahan),
        bus_id,
        phone or "",
        readable(emergency_name or ""),
        emergency_phone or "",
    ]
    while person[-1] in ("", None):
        person.pop()
    return person


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
