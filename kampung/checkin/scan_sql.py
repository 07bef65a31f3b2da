"""The scan's statements: what check_in() reads and writes, on the request's one connection.

The few that every scan runs are DriverStatements (kampung.driver_sql says why); the rest run
only on a race or a repeated nonce and go through SQLAlchemy as usual. All of them run inside
check_in()'s unit of work (kampung.database.transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, insert, literal_column, select, update
from sqlalchemy.orm import aliased

from kampung.auth.models import User
from kampung.checkin.models import CheckIn, ScanLog
from kampung.database import connection
from kampung.driver_sql import DriverStatement
from kampung.models import Bus, Checkpoint
from kampung.signup.models import Registration

_FirstBy = aliased(User)
_Standing = aliased(CheckIn)

#: how a colleague is named on an amber result: the display name, else the login
_ORGANISER_NAME = func.coalesce(
    func.nullif(_FirstBy.display_name, literal_column("''")), _FirstBy.username
)


@dataclass
class Standing:
    """The check-in of a person at a checkpoint that counts, as read for a decision."""

    id: int
    scanned_at: datetime
    device: str
    organiser: str


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


def _standing(column):
    """One column of the person's standing check-in at the checkpoint (None when there is
    none), as a subquery by person and checkpoint together. A join would let PostgreSQL, while
    its statistics still see few check-ins (a filling checkpoint, before autovacuum analyses the
    table), walk every check-in at the checkpoint for each scan: 275 against 60 us of server
    time per scan at 2,000 people, measured."""
    return (
        select(column)
        .select_from(_Standing)
        .outerjoin(_FirstBy, _FirstBy.id == _Standing.organiser_id)
        .where(
            _Standing.registration_id == Registration.id,
            _Standing.checkpoint_id == bindparam("checkpoint_id"),
            _Standing.is_active,
        )
        .scalar_subquery()
    )


#: everything a scan reads, in one statement: no row when the checkpoint does not exist; a row
#: with no registration id when the code is nobody's
_READ = DriverStatement(
    select(
        Checkpoint.trip_id.label("checkpoint_trip"),
        Checkpoint.bus_id.label("checkpoint_bus"),
        exists().where(ScanLog.nonce == bindparam("nonce")).label("nonce_seen"),
        Registration.id,
        Registration.trip_id,
        Registration.status,
        Registration.full_name,
        Registration.rt,
        Registration.rw,
        Registration.kelurahan,
        Registration.bus_id,
        Bus.name.label("bus"),
        _standing(_Standing.id).label("checkin_id"),
        _standing(_Standing.scanned_at).label("first_at"),
        _standing(_Standing.device).label("first_device"),
        _standing(_ORGANISER_NAME).label("first_by"),
    )
    .select_from(Checkpoint)
    .outerjoin(Registration, Registration.checkin_code == bindparam("code"))
    .outerjoin(Bus, Bus.id == Registration.bus_id)
    .where(Checkpoint.id == bindparam("checkpoint_id"))
)


def read(code: str, checkpoint_id: int, nonce: str) -> Any:
    """The scan's one read (see _READ), as a named tuple; None for an unknown checkpoint."""
    return _READ.first(connection(), code=code, checkpoint_id=checkpoint_id, nonce=nonce)


def insert_log(**values: Any) -> None:
    _INSERT_LOG.execute(connection(), **values)


def insert_checkin(**values: Any) -> int:
    (checkin_id,) = _INSERT_CHECKIN.first(connection(), **values)
    return checkin_id


def supersede(checkin_id: int, now: datetime, reason: str) -> bool:
    """Stop an earlier-saved check-in from counting; False when it no longer counted."""
    done = connection().execute(
        update(CheckIn)
        .where(CheckIn.id == checkin_id, CheckIn.is_active)
        .values(undone_at=now, undo_reason=reason)
    )
    return done.rowcount == 1


def standing(registration_id: int, checkpoint_id: int) -> Standing | None:
    row = (
        connection()
        .execute(
            select(CheckIn.id, CheckIn.scanned_at, CheckIn.device, _ORGANISER_NAME)
            .outerjoin(_FirstBy, _FirstBy.id == CheckIn.organiser_id)
            .where(
                CheckIn.registration_id == registration_id,
                CheckIn.checkpoint_id == checkpoint_id,
                CheckIn.is_active,
            )
        )
        .first()
    )
    return Standing(row[0], row[1], row[2], row[3] or "") if row else None


def first_log_of(nonce: str) -> Any:
    """The scan log's first row of a nonce: the answer given to it the first time."""
    return (
        connection()
        .execute(
            select(
                ScanLog.outcome,
                ScanLog.detail,
                ScanLog.code,
                ScanLog.registration_id,
                ScanLog.checkpoint_id,
            )
            .where(ScanLog.nonce == nonce)
            .order_by(ScanLog.id)
            .limit(1)
        )
        .first()
    )


def checkin_of(nonce: str) -> Any:
    return (
        connection()
        .execute(
            select(
                CheckIn.id,
                CheckIn.registration_id,
                CheckIn.checkpoint_id,
                CheckIn.undone_at,
                CheckIn.undo_reason,
            ).where(CheckIn.nonce == nonce)
        )
        .first()
    )


def person(registration_id: int) -> Any:
    """A person as the scanner shows them, with their code."""
    return (
        connection()
        .execute(
            select(
                Registration.id,
                Registration.checkin_code,
                Registration.full_name,
                Registration.rt,
                Registration.rw,
                Registration.kelurahan,
                Registration.bus_id,
                Bus.name.label("bus"),
            )
            .outerjoin(Bus, Bus.id == Registration.bus_id)
            .where(Registration.id == registration_id)
        )
        .first()
    )
