"""Importing the known RT heads from a spreadsheet or CSV file: read (`import_file`), check
every row, save all.

Each row is checked by the sign-up form's own rules (`PersonForm`), plus duplicates inside the
file and against the trip, so the preview shows every problem before anything is saved. Saving
runs the same checks again under the trip's lock and adds all rows in one transaction, or none.

Between preview and save the rows wait in the database (`ImportJob`), named by a random id and
bound to the trip and the admin who uploaded them: any app machine can save them, and the
browser only ever holds the id, so nothing it sends back can change what is saved.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from kampung.database import is_unique_violation, transaction, utcnow
from kampung.extensions import db
from kampung.manage.models import ImportJob
from kampung.manage.service import bus_counts
from kampung.models import Bus, Trip
from kampung.places import KECAMATAN
from kampung.signup import service
from kampung.signup.forms import PersonForm
from kampung.signup.models import Registration, Status

#: an upload not saved within a day is forgotten
JOB_LIFETIME = timedelta(days=1)
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
                if row.outcome == "skip" or row.person is None:
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


def store_job(trip: Trip, user_id: int, filename: str, table: list) -> str:
    """Keep the uploaded rows in the database; returns the random id the preview page carries.
    Jobs older than a day, saved or not, are deleted on the way."""
    with transaction():
        db.session.execute(delete(ImportJob).where(ImportJob.created_at < utcnow() - JOB_LIFETIME))
        job = ImportJob(
            id=secrets.token_hex(16),
            trip_id=trip.id,
            user_id=user_id,
            filename=filename[:255],
            rows=table,
        )
        db.session.add(job)
    return job.id


def load_job(job_id: str, trip: Trip, user_id: int) -> ImportJob | None:
    """The stored upload, or None when unknown, expired, or someone else's."""
    if not JOB_ID.match(job_id or ""):
        return None
    job = db.session.get(ImportJob, job_id)
    if job is None or job.trip_id != trip.id or job.user_id != user_id:
        return None
    if job.created_at < utcnow() - JOB_LIFETIME:
        return None
    return job


def save_job(trip: Trip, job: ImportJob) -> None:
    """Save the job's rows and mark it saved in one unit of work, so that a second click (or a
    second machine) saves nothing twice; ImportProblems when a row no longer passes."""
    with transaction():
        trip.lock()
        db.session.refresh(job)
        if job.saved_at is not None:
            return
        saved = save_rows(trip, job.table)
        job.saved_ids = [registration.id for registration in saved]
        job.saved_at = utcnow()
        # The people are in the roster now; their rows need not wait here for the day to end.
        job.rows = []
