"""The sign-up rules in kampung.signup.service, on SQLite and PostgreSQL."""

import threading

import pytest

from kampung.extensions import db
from kampung.models import Trip
from kampung.signup import service
from kampung.signup.models import Registration, Status
from tests.conftest import person


def _set(trip, **fields):
    for name, value in fields.items():
        setattr(trip, name, value)
    db.session.commit()


def test_people_past_capacity_join_the_waitlist_in_order(trip):
    _set(trip, capacity=2)
    results = [service.register(trip, person(i)) for i in range(4)]
    assert [r.registration.status for r in results] == ["registered"] * 2 + ["waitlisted"] * 2
    assert [r.waitlist_position for r in results] == [None, None, 1, 2]
    assert all(r.registration.bus is not None for r in results[:2])
    assert all(r.registration.bus is None for r in results[2:])


def test_waitlisted_person_is_promoted_on_cancel(trip):
    _set(trip, capacity=1)
    first = service.register(trip, person(1)).registration
    second = service.register(trip, person(2)).registration
    third = service.register(trip, person(3)).registration
    promoted = service.cancel(first)
    assert promoted.id == second.id
    assert (second.status, second.bus is not None, second.promoted_at is not None) == (
        "registered",
        True,
        True,
    )
    assert service.waitlist_position(third) == 1
    assert service.cancel(first) is None, "cancelling twice promotes nobody else"


def test_same_phone_twice_on_one_trip_is_refused_until_cancelled(trip):
    first = service.register(trip, person(1)).registration
    with pytest.raises(service.DuplicatePhone) as caught:
        service.register(trip, person(2, phone=first.phone))
    assert caught.value.existing.id == first.id
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 1
    service.cancel(first)
    again = service.register(trip, person(2, phone=first.phone)).registration
    assert again.status == Status.registered


def test_registration_closed_saves_nothing(trip):
    _set(trip, registration_open=False)
    with pytest.raises(service.RegistrationClosed):
        service.register(trip, person(1))
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0
    assert service.register(trip, person(1), source="import").registration.source == "import"


def test_own_details_cannot_change_after_registration_closes(trip):
    registration = service.register(trip, person(1)).registration
    service.update_details(registration, {"full_name": "Nama Baru"}, self_service=True)
    assert registration.full_name == "Nama Baru"
    _set(trip, registration_open=False)
    with pytest.raises(service.RegistrationClosed):
        service.update_details(registration, {"full_name": "Terlambat"}, self_service=True)
    db.session.refresh(registration)
    assert registration.full_name == "Nama Baru"
    service.update_details(registration, {"full_name": "Oleh Panitia"})
    assert registration.full_name == "Oleh Panitia"


def test_changing_to_a_phone_taken_on_the_trip_is_refused(trip):
    first = service.register(trip, person(1)).registration
    second = service.register(trip, person(2)).registration
    with pytest.raises(service.DuplicatePhone):
        service.update_details(second, {"phone": first.phone}, self_service=True)
    db.session.refresh(second)
    assert second.phone == person(2)["phone"]


def _at_once(app, trip_id: int, people: list[dict]) -> list:
    """Register `people` from as many threads, released together; each result or exception."""
    barrier = threading.Barrier(len(people))
    outcomes: list = [None] * len(people)

    def run(i: int) -> None:
        with app.app_context():
            trip = db.session.get(Trip, trip_id)
            barrier.wait()
            try:
                outcomes[i] = service.register(trip, people[i]).registration.status
            except service.SignupError as exc:
                outcomes[i] = type(exc).__name__

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_several_people_into_the_last_seat_at_once_get_one_seat(app, trip):
    _set(trip, capacity=3)
    for i in range(2):
        service.register(trip, person(i))
    outcomes = _at_once(app, trip.id, [person(10 + i) for i in range(4)])
    assert sorted(outcomes) == ["registered"] + ["waitlisted"] * 3
    counts = trip.count_by_status()
    assert (counts["registered"], counts["waitlisted"]) == (3, 3)
    positions = sorted(
        service.waitlist_position(r)
        for r in db.session.scalars(
            db.select(Registration).where(Registration.status == Status.waitlisted)
        )
    )
    assert positions == [1, 2, 3]


def test_same_phone_from_two_phones_at_once_registers_once(app, trip):
    outcomes = _at_once(app, trip.id, [person(1, full_name=f"Orang {i}") for i in range(3)])
    assert sorted(outcomes) == ["DuplicatePhone", "DuplicatePhone", "registered"]
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 1
