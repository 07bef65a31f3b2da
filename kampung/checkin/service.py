"""The check-in rules: one function decides every scan, in one transaction.

The database, not Python, settles races: at most one active check-in per person and checkpoint
(a partial unique index) and one check-in per nonce (a unique column). Every attempt, accepted
or refused, is written to the scan log.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, bindparam, func, insert, literal_column, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from kampung.checkin.models import CheckIn, ScanLog
from kampung.database import request_connection, utcnow
from kampung.driver_sql import DriverStatement
from kampung.extensions import db
from kampung.models import Bus, Checkpoint, Registration, StaffMember, Status, Trip, User
from kampung.search import person_matches
from kampung.text import clean_text
from kampung.tokens import looks_like_token

#: a device clock this far ahead of the server is wrong; its scan is dated when received
MAX_CLOCK_AHEAD = timedelta(minutes=5)
#: an offline queue older than this is stale (no trip lasts a week): refused, not counted
MAX_SCAN_AGE = timedelta(days=7)
#: scans this close together are the same moment: the one already saved stands (no flip-flop
#: between two organisers scanning at once); only a clearly earlier offline scan replaces it
SAME_MOMENT = timedelta(seconds=5)
#: how much of a received code the scan log keeps
LOG_CODE_LENGTH = 200
NONCE_LENGTH = 64
DEVICE_LENGTH = 40
#: why an undone check-in stopped counting when an earlier offline scan replaced it
SUPERSEDED = "superseded by an earlier scan"


class Outcome(enum.StrEnum):
    ok = "ok"
    already = "already"
    unknown = "unknown"
    other_trip = "other_trip"
    cancelled = "cancelled"
    waitlisted = "waitlisted"
    invalid = "invalid"

    @property
    def colour(self) -> str:
        return {"ok": "green", "already": "amber"}.get(self.value, "red")


@dataclass
class Person:
    """What the scanner shows of a person: enough to recognise them, nothing more."""

    registration_id: int
    name: str
    rt_rw: str
    kelurahan: str
    bus: str


@dataclass
class FirstCheckIn:
    """The check-in that stands, shown on an amber result."""

    scanned_at: datetime
    organiser: str
    device: str


@dataclass
class Result:
    outcome: Outcome
    person: Person | None = None
    #: on amber: who checked the person in first, when, on which device
    first: FirstCheckIn | None = None
    #: on invalid: what was wrong (malformed, foreign_url, nonce_reused, too_old, checkpoint)
    detail: str = ""
    #: the answer to a nonce seen before, repeated; nothing was written
    replayed: bool = False
    checkin_id: int | None = None
    nonce: str = ""

    @property
    def colour(self) -> str:
        return self.outcome.colour


def parse_code(raw: str, site_hosts: Collection[str] = ()) -> str | None:
    """The check-in code in a bare code or a /c/<code> URL of this site; None otherwise.

    Raises ForeignURL for a URL of another host, so the scanner can say so.
    """
    value = (raw or "").strip()
    if "://" in value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or parts.hostname not in _hosts(site_hosts):
            raise ForeignURL(value)
        value = parts.path
    if value.startswith("/c/") or "/c/" in value:
        value = value.rsplit("/c/", 1)[1].strip("/")
    return value if looks_like_token(value) else None


class ForeignURL(ValueError):
    """A QR code that points to another site: never ours, whatever it holds."""


def _hosts(site_hosts: Collection[str]) -> set[str]:
    hosts = {h.split(":")[0].lower() for h in site_hosts if h}
    if public := current_app.config.get("PUBLIC_URL"):
        hosts.add((urlsplit(public).hostname or "").lower())
    return hosts


def _clamp(scanned_at: datetime | None, now: datetime) -> datetime | None:
    """The device's time, or the server's when the device is ahead; None when far too old."""
    if scanned_at is None or scanned_at.tzinfo is None:
        return now
    if scanned_at > now + MAX_CLOCK_AHEAD:
        # The scan really happened; dating it "now" keeps it and never lets it win an earliest-wins
        # contest it could not have won honestly.
        return now
    if scanned_at < now - MAX_SCAN_AGE:
        return None
    return min(scanned_at, now)


def _person(registration, bus_name: str | None) -> Person:
    """The display data of a Registration, or of a row with the same column names."""
    return Person(
        registration_id=registration.id,
        name=registration.full_name,
        # The model's own formatting, applied to a plain row as well as to an instance.
        rt_rw=Registration.rt_rw.fget(registration),
        kelurahan=registration.kelurahan,
        bus=bus_name or "",
    )


@dataclass
class _Active:
    """The standing check-in of a person at a checkpoint, as read for a decision."""

    id: int
    scanned_at: datetime
    device: str
    organiser: str


def check_in(
    code: str,
    checkpoint_id: int | None,
    by: StaffMember,
    scanned_at: datetime | None = None,
    nonce: str | None = None,
    device: str = "",
    *,
    site_hosts: Collection[str] = (),
    now: datetime | None = None,
) -> Result:
    """Decide one scan at a checkpoint (by id) and record it. Commits.

    A nonce seen before returns the earlier answer and writes nothing. When two devices checked
    the same person in offline, the earliest scan stands and the later one is answered amber.
    Runs on the request's Core connection (kampung.database.request_connection), not the ORM
    session: the caller must not have written through db.session without committing.
    """
    now = now or utcnow()
    nonce = (nonce or uuid.uuid4().hex)[:NONCE_LENGTH]
    log = {
        "trip_id": None,
        "checkpoint_id": None,
        "code": (code or "")[:LOG_CODE_LENGTH],
        "organiser_id": by.id,
        "device": clean_text(device)[:DEVICE_LENGTH],
        "nonce": nonce,
        "received_at": now,
        "scanned_at": None,
    }
    result = _decide(code, checkpoint_id, scanned_at, site_hosts, log)
    result.nonce = nonce
    if not result.replayed:
        log.update(
            outcome=str(result.outcome),
            detail=result.detail,
            registration_id=result.person.registration_id if result.person else None,
        )
        _INSERT_LOG.execute(request_connection(), **log)
    request_connection().commit()
    return result


def _decide(
    code: str, checkpoint_id: int | None, scanned_at: datetime | None, site_hosts, log: dict
) -> Result:
    try:
        parsed = parse_code(code, site_hosts)
    except ForeignURL:
        parsed, foreign = None, True
    else:
        foreign = False
    # One read: the checkpoint's trip, whether the nonce came before, the person and their
    # standing check-in. A scan is a few hundred microseconds of database work, most of it here.
    row = _read(parsed or "", checkpoint_id, log["nonce"]) if checkpoint_id else None
    if row is not None:
        log["trip_id"], log["checkpoint_id"] = row.checkpoint_trip, checkpoint_id
    if parsed is None:
        return Result(Outcome.invalid, detail="foreign_url" if foreign else "malformed")
    if row is None:
        return Result(Outcome.invalid, detail="checkpoint")
    if row.nonce_seen and (earlier := _earlier_answer(log["nonce"], parsed, checkpoint_id)):
        return earlier
    when = log["scanned_at"] = _clamp(scanned_at, log["received_at"])
    if when is None:
        return Result(Outcome.invalid, detail="too_old")

    if row.id is None:
        return Result(Outcome.unknown)
    person = _person(row, row.bus)
    if row.trip_id != row.checkpoint_trip:
        return Result(Outcome.other_trip, person=_other_trip_person(person))
    if row.status == Status.cancelled:
        return Result(Outcome.cancelled, person=person)
    if row.status == Status.waitlisted:
        return Result(Outcome.waitlisted, person=person)

    active = None
    if row.checkin_id:
        active = _Active(row.checkin_id, row.first_at, row.first_device, row.first_by or "")
    for _attempt in range(3):
        if active is not None and active.scanned_at - when <= SAME_MOMENT:
            return _amber(person, active)
        try:
            if active is not None:
                _supersede(active.id, log["received_at"])
            (checkin_id,) = _INSERT_CHECKIN.first(
                request_connection(),
                registration_id=row.id,
                checkpoint_id=checkpoint_id,
                scanned_at=when,
                received_at=log["received_at"],
                organiser_id=log["organiser_id"],
                device=log["device"],
                nonce=log["nonce"],
                undo_reason="",
            )
            return Result(Outcome.ok, person=person, checkin_id=checkin_id)
        except (IntegrityError, _Raced):
            # Another organiser's scan of the same person (or of the same nonce) won the race.
            request_connection().rollback()
            if earlier := _earlier_answer(log["nonce"], parsed, checkpoint_id):
                return earlier
            active = _active(row.id, checkpoint_id)
    return Result(Outcome.invalid, detail="busy")


class _Raced(Exception):
    """The check-in to supersede changed under us."""


def _supersede(checkin_id: int, now: datetime) -> None:
    done = request_connection().execute(
        update(CheckIn)
        .where(CheckIn.id == checkin_id, CheckIn.undone_at.is_(None))
        .values(undone_at=now, undo_reason=SUPERSEDED)
    )
    if done.rowcount != 1:
        raise _Raced()


def _other_trip_person(person: Person) -> Person:
    """A person of another trip: the organiser sees who it is, not the details of that trip."""
    return Person(person.registration_id, person.name, person.rt_rw, person.kelurahan, "")


def _amber(person: Person, active: _Active) -> Result:
    return Result(
        Outcome.already,
        person=person,
        first=FirstCheckIn(active.scanned_at, active.organiser, active.device),
        checkin_id=active.id,
    )


_FirstBy = aliased(User)
# The scan's own statements run on the driver's cursor (kampung.driver_sql: why).
_INSERT_LOG = DriverStatement(
    insert(ScanLog.__table__),
    columns=[
        "trip_id",
        "checkpoint_id",
        "code",
        "registration_id",
        "outcome",
        "detail",
        "organiser_id",
        "device",
        "nonce",
        "scanned_at",
        "received_at",
    ],
)
_INSERT_CHECKIN = DriverStatement(
    insert(CheckIn.__table__).returning(CheckIn.__table__.c.id),
    columns=[
        "registration_id",
        "checkpoint_id",
        "scanned_at",
        "received_at",
        "organiser_id",
        "device",
        "nonce",
        "undo_reason",
    ],
)

_Standing = aliased(CheckIn)


def _standing(column):
    """One column of the person's standing check-in at the checkpoint (None when there is
    none), as a subquery by person and checkpoint together. A join would let PostgreSQL, while
    its statistics still see few check-ins (a filling checkpoint, before autovacuum analyses the
    table), walk every check-in at the checkpoint for each scan: 275 against 60 us of server
    time per scan at 2,000 people, measured."""
    return (
        db.select(column)
        .select_from(_Standing)
        .outerjoin(_FirstBy, _FirstBy.id == _Standing.organiser_id)
        .where(
            _Standing.registration_id == Registration.id,
            _Standing.checkpoint_id == bindparam("checkpoint_id"),
            _Standing.undone_at.is_(None),
        )
        .scalar_subquery()
    )


#: everything a scan reads, in one statement: no row when the checkpoint does not exist; a row
#: with no registration id when the code is nobody's
_READ = DriverStatement(
    db.select(
        Checkpoint.trip_id.label("checkpoint_trip"),
        db.exists().where(ScanLog.nonce == bindparam("nonce")).label("nonce_seen"),
        Registration.id,
        Registration.trip_id,
        Registration.status,
        Registration.full_name,
        Registration.rt,
        Registration.rw,
        Registration.kelurahan,
        Bus.name.label("bus"),
        _standing(_Standing.id).label("checkin_id"),
        _standing(_Standing.scanned_at).label("first_at"),
        _standing(_Standing.device).label("first_device"),
        _standing(
            func.coalesce(
                func.nullif(_FirstBy.display_name, literal_column("''")), _FirstBy.username
            )
        ).label("first_by"),
    )
    .select_from(Checkpoint)
    .outerjoin(Registration, Registration.checkin_code == bindparam("code"))
    .outerjoin(Bus, Bus.id == Registration.bus_id)
    .where(Checkpoint.id == bindparam("checkpoint_id"))
)


def _read(code: str, checkpoint_id: int, nonce: str):
    return _READ.first(request_connection(), code=code, checkpoint_id=checkpoint_id, nonce=nonce)


def _active(registration_id: int, checkpoint_id: int) -> _Active | None:
    row = (
        request_connection()
        .execute(
            db.select(
                CheckIn.id,
                CheckIn.scanned_at,
                CheckIn.device,
                _FirstBy.display_name,
                _FirstBy.username,
            )
            .outerjoin(_FirstBy, _FirstBy.id == CheckIn.organiser_id)
            .where(
                CheckIn.registration_id == registration_id,
                CheckIn.checkpoint_id == checkpoint_id,
                CheckIn.undone_at.is_(None),
            )
        )
        .first()
    )
    if row is None:
        return None
    return _Active(row[0], row[1], row[2], row[3] or row[4] or "")


#: a person as _person() shows them, with their code, by registration id
_PERSON = (
    db.select(
        Registration.id,
        Registration.checkin_code,
        Registration.full_name,
        Registration.rt,
        Registration.rw,
        Registration.kelurahan,
        Bus.name.label("bus"),
    )
    .outerjoin(Bus, Bus.id == Registration.bus_id)
    .where(Registration.id == bindparam("registration_id"))
)


def _earlier_answer(nonce: str, code: str, checkpoint_id: int) -> Result | None:
    """The answer already given to this nonce, or a refusal when it came with another code."""
    connection = request_connection()
    previous = connection.execute(
        db.select(
            ScanLog.outcome,
            ScanLog.detail,
            ScanLog.code,
            ScanLog.registration_id,
            ScanLog.checkpoint_id,
        )
        .where(ScanLog.nonce == nonce)
        .order_by(ScanLog.id)
        .limit(1)
    ).first()
    if previous is None:
        return None
    mine = None
    if previous.outcome == Outcome.ok:
        mine = connection.execute(
            db.select(
                CheckIn.id,
                CheckIn.registration_id,
                CheckIn.checkpoint_id,
                CheckIn.undone_at,
                CheckIn.undo_reason,
            ).where(CheckIn.nonce == nonce)
        ).first()
    registration_id = mine.registration_id if mine else previous.registration_id
    registration = None
    if registration_id:
        registration = connection.execute(_PERSON, {"registration_id": registration_id}).first()
    same_code = (
        registration.checkin_code == code if registration else _safe_parse(previous.code) == code
    )
    same_checkpoint = previous.checkpoint_id == checkpoint_id
    if not (same_code and same_checkpoint):
        return Result(Outcome.invalid, detail="nonce_reused")
    person = _person(registration, registration.bus) if registration else None
    if mine is not None:
        if mine.undone_at is None or mine.undo_reason != SUPERSEDED:
            return Result(Outcome.ok, person=person, replayed=True, checkin_id=mine.id)
        active = _active(mine.registration_id, mine.checkpoint_id)
        if active is not None:
            result = _amber(person, active)
            result.replayed = True
            return result
    outcome = Outcome(previous.outcome)
    if outcome == Outcome.already and person:
        active = _active(person.registration_id, checkpoint_id)
        if active is not None:
            result = _amber(person, active)
            result.replayed = True
            return result
    return Result(outcome, person=person, detail=previous.detail, replayed=True)


def _safe_parse(value: str) -> str | None:
    try:
        return parse_code(value)
    except ForeignURL:
        return None


def undo(checkin: CheckIn, by: StaffMember, reason: str, now: datetime | None = None) -> bool:
    """Undo an active check-in, recording who and why. False when it was no longer active."""
    reason = clean_text(reason)[:200]
    if not reason:
        raise ValueError("a reason is required")
    done = db.session.execute(
        update(CheckIn)
        .where(CheckIn.id == checkin.id, CheckIn.undone_at.is_(None))
        .values(undone_at=now or utcnow(), undone_by_id=by.id, undo_reason=reason)
    )
    db.session.commit()
    return done.rowcount == 1


# --- Reading: the count, the missing, the roster --------------------------------------------


@dataclass
class RosterRow:
    registration: Registration
    bus: str
    checkin: CheckIn | None


def roster(checkpoint: Checkpoint, bus_id: int | None = None) -> list[RosterRow]:
    """Everyone with a seat on the trip (or on one bus), with their check-in here: one query."""
    query = (
        db.select(Registration, Bus.name, CheckIn)
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .outerjoin(
            CheckIn,
            and_(
                CheckIn.registration_id == Registration.id,
                CheckIn.checkpoint_id == checkpoint.id,
                CheckIn.undone_at.is_(None),
            ),
        )
        .where(Registration.trip_id == checkpoint.trip_id, Registration.status == Status.registered)
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


def count(rows: Iterable[RosterRow]) -> Count:
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
            db.select(Registration)
            .where(
                Registration.trip_id == trip.id,
                Registration.status == Status.registered,
                person_matches(query),
            )
            .order_by(Registration.full_name)
            .limit(limit)
        )
    )


def checkin_times(trip: Trip) -> dict[int, dict[int, datetime]]:
    """Each registration's active check-in time per checkpoint, for the roster export: one query."""
    rows = db.session.execute(
        db.select(CheckIn.registration_id, CheckIn.checkpoint_id, CheckIn.scanned_at)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.trip_id == trip.id, CheckIn.undone_at.is_(None))
    )
    times: dict[int, dict[int, datetime]] = {}
    for registration_id, checkpoint_id, scanned_at in rows:
        times.setdefault(registration_id, {})[checkpoint_id] = scanned_at
    return times


def open_checkpoint(trip: Trip, registration: Registration) -> Checkpoint | None:
    """The checkpoint now open for this person: the first one where they are not checked in yet."""
    done = set(
        db.session.scalars(
            db.select(CheckIn.checkpoint_id).where(
                CheckIn.registration_id == registration.id, CheckIn.undone_at.is_(None)
            )
        )
    )
    return next((cp for cp in trip.checkpoints if cp.id not in done), None)
