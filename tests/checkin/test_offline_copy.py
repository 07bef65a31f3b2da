"""The scanner's offline copy of the list (roster.json): the emergency numbers of the seated, in
short arrays with the code's hash cut to what stays apart within the trip, and nothing to give
once the trip is purged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kampung.checkin import offline_copy as copies
from kampung.checkin.offline_copy import hash_chars, offline_copy
from kampung.checkin.roster import code_hash
from kampung.extensions import db
from kampung.privacy import purge_trip
from kampung.signup.service import register
from tests.checkin.conftest import offline_people
from tests.conftest import person


def _url(trip) -> str:
    return f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}/roster.json"


def test_the_copy_carries_the_numbers_to_call_a_seated_person_and_their_emergency_contact(
    staff, trip, two_buses
):
    _bus1, bus2, people = two_buses
    copy = staff.get(_url(trip)).get_json()
    assert copy["hash_chars"] == 16
    entry = offline_people(copy)[code_hash(people[3].checkin_code)[:16]]
    assert entry["phone"] == people[3].phone
    assert entry["emergency_name"] == "Siti Aminah"
    assert entry["emergency_phone"] == "+6281399990000"
    assert entry["bus_id"] == bus2.id and copy["buses"][str(bus2.id)] == "Bus 2"
    # Someone without an emergency contact: nothing after the phone.
    assert "emergency_phone" not in offline_people(copy)[code_hash(people[0].checkin_code)[:16]]


def test_the_cancelled_leave_no_number_on_the_phone(staff, trip, two_buses):
    _bus1, _bus2, people = two_buses
    people[3].cancel()
    db.session.commit()
    body = staff.get(_url(trip)).get_data(True)
    for leaked in (people[3].phone, "Siti Aminah", "6281399990000", people[3].full_name):
        assert leaked not in body


def test_after_the_purge_the_copy_has_nothing_to_give(staff, trip, two_buses):
    trip.departs_at = datetime.now(UTC) - timedelta(days=3)
    trip.returns_at = datetime.now(UTC) - timedelta(hours=2)
    db.session.commit()
    # Purged within the hours the copy may still stay on a phone after the return.
    purge_trip(trip, now=datetime.now(UTC) - timedelta(hours=1))
    copy = offline_copy(trip, trip.checkpoints[0], datetime.now(UTC))
    assert copy["people"] == [] and copy["gone"] == []
    assert staff.get(_url(trip)).get_json()["people"] == []


@pytest.fixture
def two_characters(monkeypatch, two_buses):
    """Hashes cut to 2 characters, so that two codes of a trip sharing a start can be made; the
    people on the buses get codes whose hashes start apart."""
    monkeypatch.setattr(copies, "HASH_CHARS", 2)
    starts: set[str] = set()
    for registration in two_buses[2]:
        registration.checkin_code = next(
            code
            for i in range(1000)
            if code_hash(code := f"kode-uji-{registration.id}-{i:04d}-abcdefgh")[:2] not in starts
        )
        starts.add(code_hash(registration.checkin_code)[:2])
    db.session.commit()


def _sharing_a_start(code: str) -> str:
    """Another code whose hash starts with the same 2 characters, and not the same 4."""
    return next(
        candidate
        for i in range(100_000)
        if code_hash(candidate := f"{code[:30]}-{i:06d}")[:2] == code_hash(code)[:2]
        and code_hash(candidate)[:4] != code_hash(code)[:4]
    )


def test_the_hash_is_cut_to_what_tells_the_trips_codes_apart(two_characters, two_buses):
    code = two_buses[2][0].checkin_code
    assert hash_chars([code, "kode-lain-abcdefghijklmnop"]) == 2
    assert hash_chars([code, _sharing_a_start(code)]) == 4
    assert hash_chars([code, _sharing_a_start(code)], at_least=32) == 32


def test_a_cancelled_persons_code_sharing_a_start_lengthens_the_hashes(
    staff, trip, two_buses, two_characters
):
    people = two_buses[2]
    assert staff.get(_url(trip)).get_json()["hash_chars"] == 2
    cancelled = register(trip, person(30)).registration
    cancelled.checkin_code = _sharing_a_start(people[0].checkin_code)
    cancelled.cancel()
    db.session.commit()
    copy = staff.get(_url(trip)).get_json()
    chars = copy["hash_chars"]
    assert chars == 4
    assert code_hash(cancelled.checkin_code)[:chars] not in offline_people(copy)
    assert code_hash(people[0].checkin_code)[:chars] in offline_people(copy)


def test_a_newcomer_sharing_a_start_sends_the_whole_copy_with_longer_hashes(
    staff, trip, two_buses, two_characters
):
    people = two_buses[2]
    full = staff.get(_url(trip)).get_json()
    assert full["hash_chars"] == 2
    newcomer = register(trip, person(31)).registration
    newcomer.checkin_code = _sharing_a_start(people[0].checkin_code)
    db.session.commit()
    asked = {"since": full["as_of"], "chars": full["hash_chars"]}
    again = staff.get(_url(trip), query_string=asked).get_json()
    assert again["changes"] is False and again["hash_chars"] == 4
    assert len(again["people"]) == 6
