"""Finding a person by what staff type, the one rule shared by the roster and the check-in."""

import pytest

from kampung.extensions import db
from kampung.search import person_matches
from kampung.signup import service
from kampung.signup.models import Registration
from tests.conftest import person


def names(trip, query: str) -> list[str]:
    return sorted(
        db.session.scalars(
            db.select(Registration.full_name).where(
                Registration.trip_id == trip.id, person_matches(query)
            )
        )
    )


@pytest.fixture
def people(trip):
    service.register(trip, person(1, full_name="Siti Rahmawati", phone="+6281234567890", rt=5))
    service.register(trip, person(2, full_name="Budi_Santoso", phone="+6285277778888", rt=12))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("siti", ["Siti Rahmawati"]),
        ("0812-3456", ["Siti Rahmawati"]),
        ("62852 7777", ["Budi_Santoso"]),
        ("+62 852-7777-8888", ["Budi_Santoso"]),
        ("RT 5", ["Siti Rahmawati"]),
        ("012", ["Budi_Santoso"]),
        ("%", []),
        ("i_R", []),
        ("_", ["Budi_Santoso"]),
    ],
)
def test_name_phone_or_rt_as_people_type_them(trip, people, query, expected):
    assert names(trip, query) == expected
