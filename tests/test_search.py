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


@pytest.mark.parametrize(
    "stored",
    [
        "Ahmad Lu\u200bbis",  # a zero-width space pasted inside
        "Ahmad \u202eLubis",  # a right-to-left override in front
        "Ahmad Lubiѕ",  # a Cyrillic ѕ
        "Ahmad Lubіs",  # a Cyrillic і
        "Ahmad ＬＵＢＩＳ",  # fullwidth capitals
        "Ahmad Lúbis",  # an accent
    ],
)
def test_lubis_finds_the_name_however_it_was_written(trip, stored):
    service.register(trip, person(1, full_name=stored))
    service.register(trip, person(2, full_name="Siti Rahmawati"))
    assert len(names(trip, "Lubis")) == 1
    assert names(trip, "lub") == names(trip, "Lubis") != ["Siti Rahmawati"]


def test_a_query_with_homoglyphs_or_invisibles_finds_the_plain_name(trip, people):
    assert names(trip, "Ѕiti") == ["Siti Rahmawati"]  # Cyrillic Ѕ
    assert names(trip, "Si\u200bti\u00ad") == ["Siti Rahmawati"]
    assert names(trip, "ＳＩＴＩ") == ["Siti Rahmawati"]
    assert names(trip, "\u200b") == []


def test_a_name_stored_without_the_rules_is_found_once_written_again(trip):
    """The search key follows the name on every write, whoever writes it."""
    registration = service.register(trip, person(1, full_name="Budi")).registration
    registration.full_name = "Ahmad Lu\u200bbis"
    db.session.commit()
    assert names(trip, "Lubis") == ["Ahmad Lubis"]
    assert registration.search_name == "ahmad lubis"
