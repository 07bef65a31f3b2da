"""The roster for CSV and XLSX: PRODUCT.md's columns (kampung.spreadsheets writes them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import joinedload

from kampung.checkin.roster import checkin_times
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Trip
from kampung.signup.models import Registration, Status
from kampung.signup.service import PERSON_FIELDS

#: the export's columns, the same names the import reads
COLUMNS = (*PERSON_FIELDS, "bus", "status")

_STATUS_ORDER = {Status.registered: 0, Status.waitlisted: 1, Status.cancelled: 2}


def roster_rows(trip: Trip) -> tuple[list[str], list[list]]:
    """The header and one row per registration: seated first, then waitlist, then cancelled.

    Then one column per checkpoint, named after it, holding the check-in time in WIB.
    """
    people = db.session.scalars(
        db.select(Registration)
        .where(Registration.trip_id == trip.id)
        .options(joinedload(Registration.bus))
        .order_by(Registration.full_name, Registration.id)
    ).all()
    people = sorted(people, key=lambda person: _STATUS_ORDER.get(person.status, 3))
    checked_in = checkin_times(trip)
    rows = [
        [getattr(person, name) for name in PERSON_FIELDS]
        + [person.bus.name if person.bus else "", person.status]
        + [_wib(checked_in.get(person.id, {}).get(cp.id)) for cp in trip.checkpoints]
        for person in people
    ]
    return [*COLUMNS, *(cp.name for cp in trip.checkpoints)], rows


def _wib(moment: datetime | None) -> str:
    """A check-in time as staff read it: '2026-12-12 06:12' in WIB; empty when not checked in."""
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M") if moment else ""
