"""The check-in rule: one function decides every scan, in one unit of work.

The database, not Python, settles races: at most one active check-in per person and checkpoint
(a partial unique index) and one check-in per nonce (a unique column). Every attempt, accepted
or refused, is written to the scan log. Nothing here knows of the request: the hosts a QR code
may name and the clock come in as arguments. The statements are in `scan_sql`, the pages'
read models in `roster`.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError

from kampung.auth.models import StaffMember
from kampung.checkin import scan_sql
from kampung.checkin.models import CheckIn
from kampung.database import is_unique_violation, transaction, utcnow
from kampung.extensions import db
from kampung.signup.models import Status, format_rt_rw
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
#: how often a scan that lost a race to another organiser's is decided again
ATTEMPTS = 3


class Outcome(enum.StrEnum):
    ok = "ok"
    already = "already"
    #: a passenger of another bus at a scanner narrowed to one bus: not counted here
    wrong_bus = "wrong_bus"
    unknown = "unknown"
    other_trip = "other_trip"
    cancelled = "cancelled"
    waitlisted = "waitlisted"
    invalid = "invalid"

    @property
    def colour(self) -> str:
        return {"ok": "green", "already": "amber", "wrong_bus": "amber"}.get(self.value, "red")


@dataclass
class Person:
    """What the scanner shows of a person: enough to recognise them, nothing more."""

    registration_id: int
    name: str
    rt_rw: str
    kelurahan: str
    bus: str
    #: the person's own bus; None when they have none
    bus_id: int | None = None


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


class ForeignURL(ValueError):
    """A QR code that points to another site: never ours, whatever it holds."""


def parse_code(raw: str, site_hosts: Collection[str] = ()) -> str | None:
    """The check-in code in a bare code or a /c/<code> URL of one of `site_hosts` (host names,
    a port allowed); None when it is neither. Raises ForeignURL for a URL of another host (or an
    unreadable one). static/js/scanner/codes.js extractCode follows the same rule offline."""
    value = (raw or "").strip()
    if "://" in value:
        try:
            parts = urlsplit(value)
        except ValueError:  # "http://[…": a link, but not one anybody can open
            raise ForeignURL(value) from None
        hosts = {host.split(":")[0].lower() for host in site_hosts if host}
        if parts.scheme not in ("http", "https") or parts.hostname not in hosts:
            raise ForeignURL(value)
        value = parts.path
    if value.startswith("/c/") or "/c/" in value:
        value = value.rsplit("/c/", 1)[1].strip("/")
    return value if looks_like_token(value) else None


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


def _person(row, bus_name: str | None) -> Person:
    """The display data of a registration row (anything with its column names)."""
    return Person(
        registration_id=row.id,
        name=row.full_name,
        rt_rw=format_rt_rw(row.rt, row.rw),
        kelurahan=row.kelurahan,
        bus=bus_name or "",
        bus_id=row.bus_id,
    )


@dataclass
class _Scan:
    """One scan as received, and what the scan log will say of it."""

    code: str
    parsed: str | None
    foreign: bool
    checkpoint_id: int | None
    scanned_at: datetime | None
    site_hosts: Collection[str]
    log: dict
    #: the bus the scanner is narrowed to; None for every bus
    bus_id: int | None = None


def check_in(
    code: str,
    checkpoint_id: int | None,
    by: StaffMember,
    scanned_at: datetime | None = None,
    nonce: str | None = None,
    device: str = "",
    *,
    bus_id: int | None = None,
    site_hosts: Collection[str] = (),
    now: datetime | None = None,
) -> Result:
    """Decide one scan at a checkpoint (by id) and record it, in a unit of work of its own (a
    savepoint when the caller has one open).

    At a scanner narrowed to a bus (`bus_id`, or a stop for one bus), a passenger of another
    bus is answered `wrong_bus`, with their own bus, and not counted.

    A nonce seen before returns the earlier answer and writes nothing. When two devices checked
    the same person in offline, the earliest scan stands and the later one is answered amber.
    A scan that loses a race to another organiser's is decided again, and then sees it.
    """
    now = now or utcnow()
    nonce = (nonce or uuid.uuid4().hex)[:NONCE_LENGTH]
    try:
        parsed, foreign = parse_code(code, site_hosts), False
    except ForeignURL:
        parsed, foreign = None, True
    scan = _Scan(
        code=code or "",
        parsed=parsed,
        foreign=foreign,
        checkpoint_id=checkpoint_id,
        scanned_at=scanned_at,
        site_hosts=site_hosts,
        bus_id=bus_id,
        log={
            "trip_id": None,
            "checkpoint_id": None,
            "code": (code or "")[:LOG_CODE_LENGTH],
            "organiser_id": by.id,
            "device": clean_text(device)[:DEVICE_LENGTH],
            "nonce": nonce,
            "received_at": now,
            "scanned_at": None,
        },
    )
    for _attempt in range(ATTEMPTS):
        try:
            with transaction():
                result = _decide(scan)
                if not result.replayed:
                    scan.log.update(
                        outcome=str(result.outcome),
                        detail=result.detail,
                        registration_id=result.person.registration_id if result.person else None,
                    )
                    scan_sql.insert_log(**scan.log)
        except IntegrityError as error:
            # Another organiser's scan of the same person (or of the same nonce) won the race.
            if not is_unique_violation(error):
                raise
        except _Raced:
            pass
        else:
            result.nonce = nonce
            return result
    with transaction():
        result = Result(Outcome.invalid, detail="busy", nonce=nonce)
        scan_sql.insert_log(**scan.log | {"outcome": "invalid", "detail": "busy"})
    return result


class _Raced(Exception):
    """The check-in to supersede stopped counting under us."""


def _decide(scan: _Scan) -> Result:
    log = scan.log
    # One read: the checkpoint's trip, whether the nonce came before, the person and their
    # standing check-in. A scan is a few hundred microseconds of database work, most of it here.
    row = None
    if scan.checkpoint_id:
        row = scan_sql.read(scan.parsed or "", scan.checkpoint_id, log["nonce"])
    if row is not None:
        log["trip_id"], log["checkpoint_id"] = row.checkpoint_trip, scan.checkpoint_id
    if scan.parsed is None:
        return Result(Outcome.invalid, detail="foreign_url" if scan.foreign else "malformed")
    if row is None:
        return Result(Outcome.invalid, detail="checkpoint")
    if row.nonce_seen and (earlier := _earlier_answer(scan)):
        return earlier
    when = log["scanned_at"] = _clamp(scan.scanned_at, log["received_at"])
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
    on_bus = scan.bus_id or row.checkpoint_bus
    if on_bus and row.bus_id != on_bus:
        return Result(Outcome.wrong_bus, person=person)

    if row.checkin_id:
        standing = scan_sql.Standing(
            row.checkin_id, row.first_at, row.first_device, row.first_by or ""
        )
        if standing.scanned_at - when <= SAME_MOMENT:
            return _amber(person, standing)
        if not scan_sql.supersede(standing.id, log["received_at"], SUPERSEDED):
            raise _Raced()
    checkin_id = scan_sql.insert_checkin(
        registration_id=row.id,
        checkpoint_id=scan.checkpoint_id,
        scanned_at=when,
        received_at=log["received_at"],
        organiser_id=log["organiser_id"],
        device=log["device"],
        nonce=log["nonce"],
        undo_reason="",
    )
    return Result(Outcome.ok, person=person, checkin_id=checkin_id)


def _other_trip_person(person: Person) -> Person:
    """A person of another trip: the organiser sees who it is, not the details of that trip."""
    return Person(person.registration_id, person.name, person.rt_rw, person.kelurahan, "", None)


def _amber(person: Person | None, standing: scan_sql.Standing, replayed: bool = False) -> Result:
    return Result(
        Outcome.already,
        person=person,
        first=FirstCheckIn(standing.scanned_at, standing.organiser, standing.device),
        checkin_id=standing.id,
        replayed=replayed,
    )


def _earlier_answer(scan: _Scan) -> Result | None:
    """The answer already given to this nonce, or a refusal when it came with another code."""
    nonce, code, checkpoint_id = scan.log["nonce"], scan.parsed, scan.checkpoint_id
    previous = scan_sql.first_log_of(nonce)
    if previous is None:
        return None
    mine = scan_sql.checkin_of(nonce) if previous.outcome == Outcome.ok else None
    registration_id = mine.registration_id if mine else previous.registration_id
    registration = scan_sql.person(registration_id) if registration_id else None
    if registration:
        same_code = registration.checkin_code == code
    else:
        same_code = _parse_quietly(previous.code, scan.site_hosts) == code
    if not (same_code and previous.checkpoint_id == checkpoint_id):
        return Result(Outcome.invalid, detail="nonce_reused")
    person = _person(registration, registration.bus) if registration else None
    if mine is not None:
        if mine.undone_at is None or mine.undo_reason != SUPERSEDED:
            return Result(Outcome.ok, person=person, replayed=True, checkin_id=mine.id)
        if standing := scan_sql.standing(mine.registration_id, mine.checkpoint_id):
            return _amber(person, standing, replayed=True)
    outcome = Outcome(previous.outcome)
    standing = None
    if outcome == Outcome.already and person and checkpoint_id is not None:
        standing = scan_sql.standing(person.registration_id, checkpoint_id)
    if standing:
        return _amber(person, standing, replayed=True)
    return Result(outcome, person=person, detail=previous.detail, replayed=True)


def _parse_quietly(value: str, site_hosts: Collection[str]) -> str | None:
    try:
        return parse_code(value, site_hosts)
    except ForeignURL:
        return None


def undo(checkin: CheckIn, by: StaffMember, reason: str, now: datetime | None = None) -> bool:
    """Undo an active check-in, recording who and why. False when it was no longer active."""
    reason = clean_text(reason)[:200]
    if not reason:
        raise ValueError("a reason is required")
    with transaction():
        done = db.session.execute(
            update(CheckIn)
            .where(CheckIn.id == checkin.id, CheckIn.is_active)
            .values(undone_at=now or utcnow(), undone_by_id=by.id, undo_reason=reason)
        )
    # An UPDATE's result is a CursorResult, which the Session's signature does not say.
    return cast(CursorResult[Any], done).rowcount == 1
