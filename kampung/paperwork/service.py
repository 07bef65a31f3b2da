"""The rules of the SPJ papers: who attended where and when (from the check-ins), the group's
passage times for the host's stamp, and the per-diem receipt list. No phone number is read here:
none may reach a paper."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from kampung.auth.models import StaffMember, User
from kampung.checkin.models import CheckIn
from kampung.database import transaction
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Bus, Checkpoint, Trip
from kampung.paperwork.models import MAX_DAYS, MAX_RATE, PerDiem
from kampung.signup.models import Registration, format_rt_rw

# --- The per-diem terms ------------------------------------------------------------------------


class BadAmount(ValueError):
    """A rate or day count that cannot be paid; `reason` names which rule it broke."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        #: "not_a_number", "negative", "too_large", "zero_days"
        self.reason = reason


#: "350000", "350.000", "Rp 350.000", "Rp350.000,-", "350 000": the ways a rupiah amount is typed
_RUPIAH = re.compile(
    r"^(?:rp\.?)?\s*(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,(?:-|0+))?$", re.IGNORECASE | re.ASCII
)


def parse_rupiah(text: str) -> int:
    """A whole rupiah amount as staff type it; BadAmount for letters, a minus or a fraction."""
    text = (text or "").strip()
    if text.startswith("-") or text.lower().startswith(("rp-", "rp -", "rp.-")):
        raise BadAmount("negative")
    match = _RUPIAH.match(text)
    if not match:
        raise BadAmount("not_a_number")
    digits = re.sub(r"[.\s]", "", match.group(1))
    # no int() of thousands of digits: Python refuses it, and no rate is that long
    if len(digits.lstrip("0")) > len(str(MAX_RATE)) or (amount := int(digits)) > MAX_RATE:
        raise BadAmount("too_large")
    return amount


def parse_days(text: str) -> int | None:
    """A day count; empty means the trip's calendar days (None)."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("-"):
        raise BadAmount("negative")
    if not text.isdigit() or not text.isascii():
        raise BadAmount("not_a_number")
    if len(text.lstrip("0")) > len(str(MAX_DAYS)) or (days := int(text)) > MAX_DAYS:
        raise BadAmount("too_large")
    if days == 0:
        raise BadAmount("zero_days")
    return days


def calendar_days(trip: Trip) -> int:
    """The trip's days on the calendar in WIB, departure and return day included: Friday
    morning to Sunday night is 3."""
    first = trip.departs_at.astimezone(WIB).date()
    last = trip.returns_at.astimezone(WIB).date()
    return max(1, (last - first).days + 1)


@dataclass(frozen=True)
class Terms:
    """What each person is paid: `rate` rupiah a day (None until the admin sets it) for `days`."""

    rate: int | None
    days: int
    #: the admin typed the day count; otherwise it is the trip's calendar days
    days_set: bool

    @property
    def per_person(self) -> int:
        return (self.rate or 0) * self.days


def terms(trip: Trip) -> Terms:
    row = db.session.get(PerDiem, trip.id)
    if row is None:
        return Terms(None, calendar_days(trip), False)
    return Terms(row.rate, row.days or calendar_days(trip), row.days is not None)


def set_per_diem(trip: Trip, rate: int, days: int | None, by: StaffMember | None = None) -> PerDiem:
    """The admin's rate and day count (None: the calendar days). Rules checked again here, for
    callers other than the form."""
    if rate < 0 or (days is not None and days < 0):
        raise BadAmount("negative")
    if rate > MAX_RATE or (days is not None and days > MAX_DAYS):
        raise BadAmount("too_large")
    if days == 0:
        raise BadAmount("zero_days")
    with transaction():
        row = db.session.get(PerDiem, trip.id) or PerDiem(trip_id=trip.id)
        row.rate = rate
        row.days = days
        row.updated_by_id = by.id if by else None
        db.session.add(row)
    return row


# --- Who attended: the daftar hadir ---------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    full_name: str
    rt_rw: str
    kelurahan: str
    #: when the organiser's phone scanned the person here; None for someone not (yet) here
    scanned_at: datetime | None
    #: the staff member who scanned, as colleagues see them
    scanned_by: str


def attendance(checkpoint: Checkpoint, bus_id: int | None = None) -> dict[str, list]:
    """Everyone with a seat (or on one bus), per bus in the trip's order, with their scan here
    and who scanned it: one query. Buses without a name come under the empty string."""
    query = (
        select(
            Registration.full_name,
            Registration.rt,
            Registration.rw,
            Registration.kelurahan,
            Bus.name,
            CheckIn.scanned_at,
            User.display_name,
            User.username,
        )
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .outerjoin(
            CheckIn,
            and_(
                CheckIn.registration_id == Registration.id,
                CheckIn.checkpoint_id == checkpoint.id,
                CheckIn.is_active,
            ),
        )
        .outerjoin(User, User.id == CheckIn.organiser_id)
        .where(Registration.trip_id == checkpoint.trip_id, Registration.is_seated)
        .order_by(Bus.position, Registration.full_name, Registration.id)
    )
    if bus_id is not None:
        query = query.where(Registration.bus_id == bus_id)
    groups: dict[str, list[AttendanceRow]] = {}
    for name, rt, rw, kelurahan, bus, scanned_at, display_name, username in db.session.execute(
        query
    ):
        groups.setdefault(bus or "", []).append(
            AttendanceRow(
                name, format_rt_rw(rt, rw), kelurahan, scanned_at, display_name or username or ""
            )
        )
    return groups


# --- The group's proof of travel --------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """The group at one checkpoint, from the scans: the first and last scan, and how many."""

    checkpoint: Checkpoint
    first_at: datetime | None
    last_at: datetime | None
    present: int
    seated: int


def travel_proof(trip: Trip) -> list[Passage]:
    """Per checkpoint, in the trip's order, the first and last scan time and the people
    counted (the check-in decides, as on the receipt list): one query for the scans, one for
    the seats."""
    scans = {
        checkpoint_id: (first, last, present)
        for checkpoint_id, first, last, present in db.session.execute(
            select(
                CheckIn.checkpoint_id,
                func.min(CheckIn.scanned_at),
                func.max(CheckIn.scanned_at),
                func.count(),
            )
            .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
            .where(Checkpoint.trip_id == trip.id, CheckIn.is_active)
            .group_by(CheckIn.checkpoint_id)
        )
    }
    seated = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.trip_id == trip.id, Registration.is_seated)
    )
    return [
        Passage(checkpoint, first, last, present, seated or 0)
        for checkpoint in trip.checkpoints
        for first, last, present in [scans.get(checkpoint.id, (None, None, 0))]
    ]


# --- The per-diem receipt list ------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    full_name: str
    rt_rw: str
    kelurahan: str
    bus: str
    kecamatan: str = ""


@dataclass(frozen=True)
class ReceiptList:
    #: the first checkpoint: only those checked in there travelled
    departure: Checkpoint | None
    terms: Terms
    rows: list[Receipt]

    @property
    def total(self) -> int:
        return self.terms.per_person * len(self.rows)


def departure_of(trip: Trip) -> Checkpoint | None:
    return trip.checkpoints[0] if trip.checkpoints else None


def receipts(trip: Trip) -> ReceiptList:
    """Everyone checked in at the departure checkpoint, by name: one query. A person who
    cancelled after boarding still travelled, so the check-in decides, not the status."""
    departure = departure_of(trip)
    rows: list[Receipt] = []
    if departure is not None:
        rows = [
            Receipt(name, format_rt_rw(rt, rw), kelurahan, bus or "", kecamatan)
            for name, rt, rw, kelurahan, bus, kecamatan in db.session.execute(
                select(
                    Registration.full_name,
                    Registration.rt,
                    Registration.rw,
                    Registration.kelurahan,
                    Bus.name,
                    Registration.kecamatan,
                )
                .join(CheckIn, CheckIn.registration_id == Registration.id)
                .outerjoin(Bus, Bus.id == Registration.bus_id)
                .where(
                    Registration.trip_id == trip.id,
                    CheckIn.checkpoint_id == departure.id,
                    CheckIn.is_active,
                )
                .order_by(Registration.full_name, Registration.id)
            )
        ]
    return ReceiptList(departure, terms(trip), rows)
