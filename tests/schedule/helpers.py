"""Small helpers shared by the schedule tests."""

from __future__ import annotations

from datetime import time

from kampung.i18n import WIB
from kampung.schedule import service
from kampung.schedule.models import RundownItem
from kampung.signup import service as signup
from tests.conftest import person

FIELD_VISIT = "Kunjungan lapangan"


def item_named(trip, start: str) -> RundownItem:
    """The demo rundown's item whose text starts so."""
    return next(i for i in service.items_of(trip) if i.what.startswith(start))


def moved(item: RundownItem, starts: time, ends: time | None = None, **changes):
    """The item as typed again, at another time (and with any other field changed)."""
    values = {
        "day": item.starts_at.astimezone(WIB).date(),
        "starts": starts,
        "ends": ends,
        "place": item.place,
        "what": item.what,
    }
    values.update(changes)
    return service.ItemInput(**values)


def people(trip, count: int, first: int = 1) -> list:
    return [signup.register(trip, person(i)).registration for i in range(first, first + count)]


def plain_trip(slug: str, departs_at, days: int = 1, capacity: int = 10):
    """A trip of its own, with no rundown yet."""
    from datetime import timedelta

    from kampung.database import transaction
    from kampung.trips import create_trip

    with transaction():
        return create_trip(
            slug=slug,
            title=f"Perjalanan {slug}",
            departs_at=departs_at,
            returns_at=departs_at + timedelta(days=days),
            capacity=capacity,
            registration_open=True,
            buses=[("Bus 1", capacity)],
            checkpoints=["Berangkat"],
        )
