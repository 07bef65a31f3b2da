"""The roster as CSV and XLSX: PRODUCT.md's columns, safe to open in Excel.

Formula safety: a cell starting with =, +, -, @, a tab or a carriage return gets a leading
apostrophe, so a spreadsheet shows it as text instead of running it. Phones are the one
exception: they are validated E.164 (a plus and digits only), which cannot call anything, so
they are written as they are: in XLSX as text cells (Excel shows +6281234567890 verbatim), in
CSV unchanged (a re-import reads them back exactly).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from openpyxl import Workbook
from sqlalchemy.orm import joinedload

from kampung.checkin.service import checkin_times
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Registration, Status, Trip
from kampung.signup.service import PERSON_FIELDS

#: the export's columns, the same names the import reads
COLUMNS = (*PERSON_FIELDS, "bus", "status")
PHONE_COLUMNS = frozenset({"phone", "emergency_phone"})
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")

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


def safe_cell(column: str, value):
    """The value as a spreadsheet should store it: formulas defused, phones left readable."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if column in PHONE_COLUMNS and E164.match(value):
        return value
    return "'" + value if value.startswith(FORMULA_START) else value


def _safe_rows(header: list[str], rows: list[list]):
    for row in rows:
        yield [safe_cell(column, value) for column, value in zip(header, row, strict=True)]


def to_csv(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a BOM, so Excel opens Indonesian names right; commas, quoted as needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(_safe_rows(header, rows))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], rows: list[list], title: str = "Peserta") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for row in _safe_rows(header, rows):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
