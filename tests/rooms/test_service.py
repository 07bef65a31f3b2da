"""The room rules, called directly: the automatic assignment's promises, moves by hand, and
where each person was last counted."""

from __future__ import annotations

import contextlib
import random
from datetime import timedelta

import pytest
from sqlalchemy import event

from kampung.checkin import service as checkin
from kampung.checkin.models import CheckIn
from kampung.checkin.roster import last_checkpoints
from kampung.database import utcnow
from kampung.extensions import db
from kampung.models import Checkpoint
from kampung.privacy import purge_trip
from kampung.rooms import service
from kampung.rooms.models import Room
from kampung.signup.models import Registration
from kampung.signup.service import cancel, register
from tests.conftest import person


def _people(trip, genders: str, **extra) -> list[Registration]:
    return [
        register(trip, person(i, gender=g, **extra)).registration for i, g in enumerate(genders)
    ]


def _rooms(trip) -> list[Room]:
    db.session.expire_all()
    return service.rooms_of(trip)


def assert_rooms_are_sound(trip) -> None:
    """Nobody over a room's capacity, nobody beside the other gender or in a room kept to it."""
    for room in _rooms(trip):
        genders = {p.gender for p in room.occupants}
        assert len(room.occupants) <= room.capacity, room.name
        assert len(genders - {""}) <= 1, (room.name, genders)
        assert not room.gender or genders <= {room.gender, ""}, room.name


def test_everyone_seated_gets_a_room_of_their_gender_within_capacity(trip):
    people = _people(trip, "LLLLLPPPLP")
    done = service.assign_rooms(trip)
    assert len(done.placed) == 10
    assert_rooms_are_sound(trip)
    rooms = _rooms(trip)
    # 6 men in 3 rooms of 2, 4 women in 2: no room more than needed.
    assert len(rooms) == 5 and all(room.capacity == 2 for room in rooms)
    assert {room.gender for room in rooms} == {"L", "P"}
    assert all(p.room_id is not None for p in people)


def test_an_odd_one_out_sleeps_alone_rather_than_beside_the_other_gender(trip):
    _people(trip, "LLLP")
    service.assign_rooms(trip, size=2)
    assert_rooms_are_sound(trip)
    sizes = sorted(len(room.occupants) for room in _rooms(trip))
    assert sizes == [1, 1, 2]


def test_rooms_of_three(trip):
    _people(trip, "LLLLLLPPP")
    service.assign_rooms(trip, size=3)
    assert sorted(len(r.occupants) for r in _rooms(trip)) == [3, 3, 3]
    assert_rooms_are_sound(trip)


def test_two_who_name_each_other_share_a_room(trip):
    people = _people(trip, "LLLLLL")
    people[0].share_with = people[5].full_name
    people[5].share_with = people[0].full_name.upper()  # folded: case does not matter
    db.session.commit()
    done = service.assign_rooms(trip)
    assert people[0].room_id == people[5].room_id
    assert done.requests_honoured == 1
    assert_rooms_are_sound(trip)


def test_a_request_one_way_is_kept_too(trip):
    people = _people(trip, "PPPPP")
    people[4].share_with = "  peserta   uji 1 "
    db.session.commit()
    service.assign_rooms(trip)
    assert people[4].room_id == people[1].room_id


def test_a_request_by_first_name_alone_is_kept_when_only_one_person_has_it(trip):
    people = _people(trip, "LLLL")
    people[3].full_name = "Budi Santoso"
    people[0].share_with = "budi"
    db.session.commit()
    service.assign_rooms(trip)
    assert people[0].room_id == people[3].room_id


def test_a_request_for_someone_of_the_other_gender_is_not_kept(trip):
    people = _people(trip, "LP")
    people[0].share_with = people[1].full_name
    db.session.commit()
    done = service.assign_rooms(trip)
    assert people[0].room_id != people[1].room_id
    assert done.requests_honoured == 0
    assert_rooms_are_sound(trip)


def test_a_mutual_pair_is_not_split_by_a_one_way_request(trip):
    people = _people(trip, "LLL")
    people[0].share_with, people[1].share_with = people[1].full_name, people[0].full_name
    # The third asks for the first, but the first and second asked for each other.
    people[2].share_with = people[0].full_name
    db.session.commit()
    service.assign_rooms(trip)
    assert people[0].room_id == people[1].room_id != people[2].room_id


def test_nobody_already_placed_is_moved(trip, organiser):
    people = _people(trip, "LLLLPP")
    room = service.add_room(trip, "Kamar 214", 3, "L")
    service.move_to_room(people[0], room)
    before = {p.id: p.room_id for p in people if p.room_id}
    service.assign_rooms(trip)
    db.session.expire_all()
    assert {p.id: p.room_id for p in people if p.id in before} == before
    # The free beds of the room made by hand are filled first, with men only.
    assert len(db.session.get(Room, room.id).occupants) == 3
    assert_rooms_are_sound(trip)


def test_someone_asking_for_a_person_already_placed_joins_their_room(trip):
    people = _people(trip, "PPPP")
    room = service.add_room(trip, "Kamar 301", 2)
    service.move_to_room(people[2], room)
    people[0].share_with = people[2].full_name
    db.session.commit()
    service.assign_rooms(trip)
    assert people[0].room_id == room.id


def test_a_second_run_changes_nothing(trip):
    _people(trip, "LLPPL")
    service.assign_rooms(trip)
    rooms_before = {(r.name, tuple(p.id for p in r.occupants)) for r in _rooms(trip)}
    again = service.assign_rooms(trip)
    assert again.placed == [] and again.rooms_made == []
    assert {(r.name, tuple(p.id for p in r.occupants)) for r in _rooms(trip)} == rooms_before


def test_people_without_a_gender_get_no_room_and_are_named(trip):
    people = _people(trip, "LL")
    unknown = register(trip, person(9, gender="")).registration
    done = service.assign_rooms(trip)
    assert [p.id for p in done.without_gender] == [unknown.id]
    assert unknown.room_id is None and all(p.room_id for p in people)


def test_waitlisted_and_cancelled_people_get_no_room(trip):
    trip.capacity = 2
    db.session.commit()
    seated = _people(trip, "LLL")
    cancel(seated[1])
    service.assign_rooms(trip)
    db.session.expire_all()
    assert [p.room_id is not None for p in seated] == [True, False, True]


@pytest.mark.parametrize("seed", range(6))
def test_random_trips_keep_every_promise(trip, seed):
    """Any mix of genders, requests and rooms placed by hand ends sound, and moves nobody."""
    rng = random.Random(seed)
    people = _people(trip, "".join(rng.choice("LLPP ") for _ in range(rng.randint(5, 25))))
    names = [p.full_name for p in people]
    for p in people:
        p.gender = p.gender.strip()
        if rng.random() < 0.4:
            p.share_with = rng.choice(names)
    db.session.commit()
    for n in range(rng.randint(0, 3)):
        room = service.add_room(
            trip, f"Kamar tangan {n}", rng.randint(1, 4), rng.choice(["", "L", "P"])
        )
        for p in rng.sample(people, 2):
            with contextlib.suppress(service.RoomError):
                service.move_to_room(p, room)
    before = {p.id: p.room_id for p in people if p.room_id}
    done = service.assign_rooms(trip, size=rng.randint(1, 4))
    db.session.expire_all()
    assert {p.id: p.room_id for p in people if p.id in before} == before
    assert_rooms_are_sound(trip)
    for p in people:
        assert (p.room_id is None) == (p.gender == "" and p.id not in before), p.full_name
    assert len(done.without_gender) == sum(1 for p in people if not p.gender and p.id not in before)


# --- Moves by hand ---------------------------------------------------------------------------


def test_a_full_room_is_refused_and_nothing_changes(trip):
    a, b, c = _people(trip, "LLL")
    room = service.add_room(trip, "Kamar 1", 2, "L")
    service.move_to_room(a, room)
    service.move_to_room(b, room)
    with pytest.raises(service.RoomFull):
        service.move_to_room(c, room)
    db.session.expire_all()
    assert c.room_id is None and len(db.session.get(Room, room.id).occupants) == 2


def test_a_room_of_the_other_gender_is_refused(trip):
    man, woman, other = _people(trip, "LPP")
    kept = service.add_room(trip, "Kamar putra", 4, "L")
    open_room = service.add_room(trip, "Kamar 2", 4)
    with pytest.raises(service.OtherGender):
        service.move_to_room(woman, kept)
    service.move_to_room(man, open_room)
    with pytest.raises(service.OtherGender):
        service.move_to_room(other, open_room)
    db.session.expire_all()
    assert woman.room_id is None and other.room_id is None


def test_a_waitlisted_person_gets_no_room(trip):
    trip.capacity = 1
    db.session.commit()
    _seated, waiting = _people(trip, "LL")
    room = service.add_room(trip, "Kamar 1", 2)
    with pytest.raises(service.NotSeated):
        service.move_to_room(waiting, room)


def test_cancelling_frees_the_bed(trip):
    a, b = _people(trip, "PP")
    service.assign_rooms(trip)
    cancel(a)
    db.session.expire_all()
    assert a.room_id is None and b.room_id is not None


def test_a_room_name_is_taken_once_per_trip(trip):
    service.add_room(trip, "Kamar 1", 2)
    with pytest.raises(service.RoomNameTaken):
        service.add_room(trip, " Kamar 1 ", 3)
    with pytest.raises(ValueError):
        service.add_room(trip, "Kamar 0", 0)
    assert db.session.scalar(db.select(db.func.count(Room.id))) == 1


def test_the_purge_drops_whom_people_share_with(trip):
    a, b = _people(trip, "LL", share_with="Peserta Uji 0")
    service.assign_rooms(trip)
    trip.departs_at = utcnow() - timedelta(days=10)
    trip.returns_at = utcnow() - timedelta(days=8)
    db.session.commit()
    purge_trip(trip)
    db.session.expire_all()
    assert [(p.share_with, p.room_id) for p in (a, b)] == [("", None), ("", None)]


# --- Where everyone was last counted ---------------------------------------------------------


def _statements(run) -> int:
    """How many SELECTs `run` sends (a connection's BEGIN or settings are not queries)."""
    seen = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(seen)


def test_the_last_checkpoint_is_the_latest_in_the_trips_order(trip, organiser):
    a, b, c = _people(trip, "LPL")
    departure, home = trip.checkpoints
    stop = Checkpoint(trip=trip, name="Rest area Lubuk Linggau", position=1)
    home.position = 2
    db.session.add(stop)
    db.session.commit()
    now = utcnow()
    checkin.check_in(a.checkin_code, departure.id, organiser, now - timedelta(hours=5))
    checkin.check_in(a.checkin_code, stop.id, organiser, now - timedelta(hours=1))
    # b's departure scan came late from an offline phone, dated after the stop's: the stop,
    # which comes later in the trip, is still where b was last counted.
    checkin.check_in(b.checkin_code, stop.id, organiser, now - timedelta(hours=2))
    checkin.check_in(b.checkin_code, departure.id, organiser, now - timedelta(minutes=30))
    seen = last_checkpoints(trip.id)
    assert seen[a.id].checkpoint == "Rest area Lubuk Linggau"
    assert seen[b.id].checkpoint == "Rest area Lubuk Linggau"
    assert abs(seen[a.id].at - (now - timedelta(hours=1))) < timedelta(seconds=1)
    assert c.id not in seen
    assert set(last_checkpoints(trip.id, [b.id])) == {b.id}


def test_an_undone_check_in_is_not_where_someone_was(trip, organiser):
    (a,) = _people(trip, "L")
    departure, home = trip.checkpoints
    checkin.check_in(a.checkin_code, departure.id, organiser)
    checkin.check_in(a.checkin_code, home.id, organiser)
    wrong = db.session.scalar(db.select(CheckIn).where(CheckIn.checkpoint_id == home.id))
    checkin.undo(wrong, organiser, "Salah orang")
    assert last_checkpoints(trip.id)[a.id].checkpoint == departure.name


def test_the_last_checkpoints_of_a_whole_trip_are_one_query(trip, organiser):
    people = _people(trip, "LP" * 10)
    for p in people:
        checkin.check_in(p.checkin_code, trip.checkpoints[0].id, organiser)
    trip_id = trip.id
    db.session.expire_all()
    result = {}
    assert _statements(lambda: result.update(last_checkpoints(trip_id))) == 1
    assert len(result) == 20
