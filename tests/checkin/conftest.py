"""Fixtures of the check-in tests on the road: two buses with people on each, a logged-in
organiser, and a trip of someone else's."""

from __future__ import annotations

import pytest

from kampung.database import utcnow
from kampung.extensions import db
from kampung.signup.service import register
from kampung.trips import create_trip
from tests.conftest import log_in, person


@pytest.fixture
def two_buses(trip):
    """Three people on Bus 1, two on Bus 2 (one with an emergency contact)."""
    bus1, bus2 = trip.buses
    people = [register(trip, person(i)).registration for i in range(5)]
    for registration in people[3:]:
        registration.bus = bus2
    people[3].emergency_name = "Siti Aminah"
    people[3].emergency_phone = "+6281399990000"
    db.session.commit()
    return bus1, bus2, people


@pytest.fixture
def staff(client, organiser):
    log_in(client, organiser)
    return client


def other_trip():
    other = create_trip(
        slug="lain",
        title="Lain",
        departs_at=utcnow(),
        returns_at=utcnow(),
        buses=[("Bus A", 10)],
        checkpoints=["Lain"],
    )
    db.session.commit()
    return other


def offline_people(copy: dict) -> dict[str, dict]:
    """The scanner's offline copy (roster.json) by hash, each person's fields by name."""
    from kampung.checkin.offline_copy import PERSON_FIELDS

    return {
        entry[0]: dict(zip(PERSON_FIELDS[1:], entry[1:], strict=False)) for entry in copy["people"]
    }
