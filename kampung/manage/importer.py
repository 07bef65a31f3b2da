"""Importing the known RT heads from a CSV or XLSX file: read, check every row, then save all.

Each row is checked by the sign-up form's own rules (`PersonForm`), plus duplicates inside the
file and against the trip, so the preview shows every problem before anything is saved. Saving
runs the same checks again under the trip's lock and adds all rows in one transaction, or none.

Between preview and save the rows wait in a server-side file, `instance/imports/<id>.json`
(IMPORT_FOLDER),
named by a random id and bound to the trip and the admin who uploaded it: the browser only ever
holds the id, so nothing it sends back can change what is saved.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from kampung.database import is_unique_violation, transaction
from kampung.extensions import db
from kampung.manage.service import bus_counts
from kampung.models import Bus, Trip
from kampung.places import KECAMATAN
from kampung.signup import service
from kampung.signup.forms import PersonForm
from kampung.signup.models import Registration, Status
from kampung.text import clean_text

#: PRODUCT.md's roster columns, in order
COLUMNS = (*service.PERSON_FIELDS, "bus", "status")
#: without these a row cannot pass the sign-up rules, so the file is refused at once
REQUIRED_COLUMNS = ("full_name", "phone", "kecamatan", "kelurahan", "rt")
#: a trip takes a few busloads; saving runs the sign-up rules row by row, about 5 s per 1,000
#: rows on a 2-core machine (bench/manage_import.py), so more is refused as the wrong file
MAX_ROWS = 1000
#: an upload not saved within a day is forgotten
JOB_LIFETIME = 24 * 3600
JOB_ID = re.compile(r"^[a-f0-9]{32}$")

_GENDERS = {
    "l": "L",
    "laki-laki": "L",
    "laki laki": "L",
    "pria": "L",
    "m": "L",
    "male": "L",
    "p": "P",
    "perempuan": "P",
    "wanita": "P",
    "f": "P",
    "female": "P",
}
_STATUSES = {
    "": "",
    "registered": Status.registered,
    "terdaftar": Status.registered,
    "waitlisted": Status.waitlisted,
    "daftar tunggu": Status.waitlisted,
    "cancelled": Status.cancelled,
    "canceled": Status.cancelled,
    "batal": Status.cancelled,
    "dibatalkan": Status.cancelled,
}
_KECAMATAN = {name.lower(): name for name in KECAMATAN}


def _kecamatan_hint() -> str:
    return _("Choose one of Kota Jambi's kecamatan.")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in the visitor's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportProblems(Exception):
    """Saving found problems (the trip changed since the preview); nothing was saved."""

    def __init__(self, rows: list[ImportRow]):
        super().__init__(len(rows))
        self.rows = rows


@dataclass
class ImportRow:
    #: the row's line in the file, the header being line 1
    line: int
    raw: dict[str, str]
    person: dict | None = None
    bus: Bus | None = None
    #: what saving will do: "seat", "waitlist" or "skip" (a cancelled row)
    outcome: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Reading the file ----------------------------------------------------------------------


def normalise_header(name) -> str:
    """'Full Name', ' PHONE ', 'emergency-phone' -> full_name, phone, emergency_phone."""
    return re.sub(r"[\s\-]+", "_", clean_text(name).lower())


def read_table(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's data rows as (line, {column: text}); ImportFileError when it cannot be read."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("This is an old Excel file (.xls). Save it as .xlsx or .csv and upload it again.")
        )
    if data.startswith(b"PK\x03\x04"):
        table = _xlsx_table(data)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("This file could not be read as an Excel file (.xlsx)."))
    else:
        table = _csv_table(data)
    rows = [(line, cells) for line, cells in table if any(str(c).strip() for c in cells)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = rows[0][1]
    columns = [normalise_header(name) for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            _("These columns are missing: %(columns)s. The first row must name the columns.")
            % {"columns": ", ".join(missing)}
        )
    data_rows = rows[1:]
    if not data_rows:
        raise ImportFileError(_("The file has column names but no people."))
    if len(data_rows) > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(count)d rows; at most %(max)d can be imported at once.")
            % {"count": len(data_rows), "max": MAX_ROWS}
        )
    result = []
    for line, cells in data_rows:
        values = {}
        for name, cell in zip(columns, cells, strict=False):
            if name in COLUMNS and name not in values:
                if "\x00" in str(cell):
                    # A damaged or binary file; PostgreSQL could not store it either.
                    raise ImportFileError(
                        _(
                            "Line %(line)d holds a character that is not allowed. Save the "
                            "file again as .csv or .xlsx and upload it again."
                        )
                        % {"line": line}
                    )
                # Cleaned as the forms clean (kampung.text), before buses and statuses are read.
                values[name] = clean_text(cell, multiline=name == "notes")
        result.append((line, values))
    return result


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in Windows-1252; latin-1 takes the few bytes it lacks.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _delimiter(text: str) -> str:
    """The separator that splits the header into the most known columns; else csv's guess."""
    first_line = next(iter(text.splitlines()), "")
    known = {d: sum(normalise_header(h) in COLUMNS for h in first_line.split(d)) for d in ",;\t"}
    best = max(known, key=known.get)
    if known[best]:
        return best
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _csv_table(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, cells) for cells in reader]
    except csv.Error:
        raise ImportFileError(_("This file could not be read as CSV.")) from None


def _xlsx_table(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        table = [
            (line, [_cell_text(value) for value in values])
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        workbook.close()
    # openpyxl raises many kinds of errors on a damaged or foreign file; all mean the same here.
    except Exception:
        raise ImportFileError(_("This file could not be read as an Excel file (.xlsx).")) from None
    return table


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# --- Checking the rows ---------------------------------------------------------------------


def check_rows(trip: Trip, table: list[tuple[int, dict[str, str]]]) -> list[ImportRow]:
    """Every row checked by the sign-up rules, duplicates found, and the outcome foreseen."""
    buses = {bus.name.strip().lower(): bus for bus in trip.buses}
    active = dict(
        db.session.execute(
            db.select(Registration.phone, Registration.full_name).where(
                Registration.trip_id == trip.id, Registration.is_active
            )
        ).all()
    )
    free = trip.capacity - service.seats_taken(trip)
    taken_per_bus = bus_counts(trip)
    seen_phones: dict[str, int] = {}
    rows = []
    for line, raw in table:
        row = ImportRow(line=line, raw=raw)
        rows.append(row)
        status = _STATUSES.get(raw.get("status", "").strip().lower())
        if status is None:
            row.problems.append(
                _("Status: write registered, waitlisted or cancelled, or leave it empty.")
            )
        bus_name = raw.get("bus", "").strip()
        if bus_name:
            row.bus = buses.get(bus_name.lower())
            if row.bus is None:
                row.problems.append(
                    _("Bus: this trip has no bus named “%(name)s”.") % {"name": bus_name}
                )
        form = PersonForm(formdata=MultiDict(_friendly(raw)), meta={"csrf": False})
        if not form.validate():
            for name, messages in form.errors.items():
                # The first message says what to fix; an unknown kecamatan gets the form's hint.
                message = messages[0] if name != "kecamatan" else _kecamatan_hint()
                row.problems.append(f"{form[name].label.text}: {message}")
            continue
        if status == Status.cancelled:
            row.outcome = "skip"
            continue
        row.person = form.person()
        phone = row.person["phone"]
        if phone in seen_phones:
            row.problems.append(
                _("The same phone number as line %(line)d of this file.")
                % {"line": seen_phones[phone]}
            )
        elif phone in active:
            row.problems.append(
                _("This phone number is already registered on this trip (%(name)s).")
                % {"name": active[phone]}
            )
        seen_phones.setdefault(phone, line)
        if row.problems:
            continue
        if status == Status.waitlisted or free <= 0:
            row.outcome = "waitlist"
            continue
        row.outcome = "seat"
        free -= 1
        bus = row.bus or next((b for b in trip.buses if taken_per_bus.get(b.id, 0) < b.seats), None)
        if row.bus is not None and taken_per_bus.get(row.bus.id, 0) >= row.bus.seats:
            row.problems.append(_("Bus: %(name)s is full.") % {"name": row.bus.name})
        elif bus is not None:
            taken_per_bus[bus.id] = taken_per_bus.get(bus.id, 0) + 1
    return rows


def _friendly(raw: dict[str, str]) -> dict[str, str]:
    """Spellings people use for kecamatan and gender, turned into the form's choices."""
    values = dict(raw)
    kecamatan = values.get("kecamatan", "").strip()
    values["kecamatan"] = _KECAMATAN.get(kecamatan.lower(), kecamatan)
    gender = values.get("gender", "").strip()
    values["gender"] = _GENDERS.get(gender.lower(), gender)
    return values


def save_rows(trip: Trip, table: list[tuple[int, dict[str, str]]]) -> list[Registration]:
    """All rows in one unit of work, checked again under the trip's lock; ImportProblems if not."""
    try:
        with transaction():
            trip.lock()
            rows = check_rows(trip, table)
            if not all(row.ok for row in rows):
                raise ImportProblems(rows)
            saved = []
            for row in rows:
                if row.outcome == "skip":
                    continue
                registration = service.add_registration(trip, row.person, source="import")
                if row.outcome == "waitlist" and registration.is_seated:
                    registration.waitlist()
                    registration.bus = None
                elif row.bus is not None and registration.is_seated:
                    registration.bus = row.bus
                saved.append(registration)
            db.session.flush()
    except service.SignupError:
        # Someone signed up with one of these phones since the check: show the rows again.
        raise ImportProblems(check_rows(trip, table)) from None
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise ImportProblems(check_rows(trip, table)) from None
    return saved


# --- Keeping the rows between preview and save ---------------------------------------------


def store_job(folder: Path, trip: Trip, user_id: int, filename: str, table: list) -> str:
    """Keep the uploaded rows server-side; returns the random id the preview page carries."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        if old.stat().st_mtime < time.time() - JOB_LIFETIME:
            old.unlink(missing_ok=True)
    job_id = secrets.token_hex(16)
    job = {"trip_id": trip.id, "user_id": user_id, "filename": filename, "rows": table}
    (folder / f"{job_id}.json").write_text(json.dumps(job), encoding="utf-8")
    return job_id


def load_job(folder: Path, job_id: str, trip: Trip, user_id: int) -> dict | None:
    """The stored upload, or None when unknown, expired, or someone else's."""
    if not JOB_ID.match(job_id or ""):
        return None
    path = folder / f"{job_id}.json"
    try:
        if path.stat().st_mtime < time.time() - JOB_LIFETIME:
            return None
        job = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if job.get("trip_id") != trip.id or job.get("user_id") != user_id:
        return None
    job["rows"] = [(line, values) for line, values in job["rows"]]
    return job


def finish_job(folder: Path, job_id: str, job: dict, saved: list[Registration]) -> None:
    """Remember who was saved, so the result page can be reloaded and nothing saved twice."""
    job["saved_ids"] = [registration.id for registration in saved]
    (folder / f"{job_id}.json").write_text(json.dumps(job), encoding="utf-8")
