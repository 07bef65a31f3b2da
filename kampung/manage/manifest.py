"""The bus manifest and emergency sheet: one row per person with a seat, bus by bus, with the
emergency contact, the health notes, the room and where the person was last counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kampung.checkin.roster import LastSeen, last_checkpoints
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Bus, Trip
from kampung.rooms.models import Room
from kampung.signup.models import Registration

#: the export's columns (PRODUCT.md), the last checkpoint and its time (WIB) at the end
COLUMNS = [
    "bus",
    "full_name",
    "gender",
    "phone",
    "emergency_name",
    "emergency_phone",
    "notes",
    "room",
    "last_checkpoint",
    "last_checkpoint_at",
]


@dataclass
class ManifestRow:
    registration: Registration
    bus: str
    room: str
    last_seen: LastSeen | None


def manifest(trip: Trip) -> list[ManifestRow]:
    """Everyone with a seat, bus by bus (people without a bus last), by name: two queries."""
    rows = db.session.execute(
        select(Registration, Bus.name, Room.name)
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .outerjoin(Room, Room.id == Registration.room_id)
        .where(Registration.trip_id == trip.id, Registration.is_seated)
        .order_by(Bus.id.is_(None), Bus.position, Registration.full_name, Registration.id)
    ).all()
    seen = last_checkpoints(trip.id)
    return [ManifestRow(r, bus or "", room or "", seen.get(r.id)) for r, bus, room in rows]


def by_bus(rows: list[ManifestRow]) -> dict[str, list[ManifestRow]]:
    groups: dict[str, list[ManifestRow]] = {}
    for row in rows:
        groups.setdefault(row.bus, []).append(row)
    return groups


def manifest_rows(trip: Trip) -> tuple[list[str], list[list]]:
    """The header and the rows of manifest.csv and .xlsx (kampung.spreadsheets writes them)."""
    return COLUMNS, [
        [
            row.bus,
            row.registration.full_name,
            row.registration.gender,
            row.registration.phone,
            row.registration.emergency_name,
            row.registration.emergency_phone,
            row.registration.notes,
            row.room,
            row.last_seen.checkpoint if row.last_seen else "",
            _wib(row.last_seen.at if row.last_seen else None),
        ]
        for row in manifest(trip)
    ]


def _wib(moment: datetime | None) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M") if moment else ""
