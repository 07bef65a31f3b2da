"""The rules of rooms: add a room, place a person by hand, and the automatic assignment.

Plain functions that know nothing of the request. Each change is one unit of work
(kampung.database.transaction) under the trip's lock, so two staff members placing people at
once never overfill a room.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from kampung.database import transaction
from kampung.extensions import db
from kampung.models import Bus, Trip
from kampung.rooms.models import GENDERS, Room
from kampung.signup.models import Registration
from kampung.text import search_key

#: what new rooms are called, numbered on: "Kamar 1", "Kamar 2" (the hotel's own word)
ROOM_WORD = "Kamar"
#: the most beds a room made here may have
MAX_CAPACITY = 20


class RoomError(Exception):
    """A room change that cannot go ahead; the view picks the message."""


class RoomNameTaken(RoomError):
    pass


class RoomFull(RoomError):
    def __init__(self, room: Room):
        super().__init__(room.name)
        self.room = room


class OtherGender(RoomError):
    def __init__(self, room: Room):
        super().__init__(room.name)
        self.room = room


class NotSeated(RoomError):
    pass


def rooms_of(trip: Trip) -> list[Room]:
    """The trip's rooms in the order they were made, each with its occupants (and their bus)
    loaded: two queries, however many rooms."""
    rooms = list(db.session.scalars(select(Room).where(Room.trip_id == trip.id).order_by(Room.id)))
    occupants: dict[int, list[Registration]] = {room.id: [] for room in rooms}
    for person in db.session.scalars(
        select(Registration)
        .where(Registration.trip_id == trip.id, Registration.room_id.is_not(None))
        .options(joinedload(Registration.bus))
        .order_by(Registration.full_name, Registration.id)
    ):
        if person.room_id is not None:
            occupants[person.room_id].append(person)
    for room in rooms:
        set_committed_value(room, "occupants", occupants[room.id])
    return rooms


def room_list(trip: Trip) -> list[Room]:
    """The trip's rooms without their occupants, for a choice of room."""
    return list(db.session.scalars(select(Room).where(Room.trip_id == trip.id).order_by(Room.id)))


@dataclass
class RoomChoice:
    room: Room
    free: int


def rooms_for(registration: Registration) -> list[RoomChoice]:
    """The rooms this person may be moved into (a free bed, no one of the other gender, not
    kept to it), with their free beds, and the person's own room: one query."""
    others = func.sum(
        case(
            (
                (Registration.gender != "")
                & (Registration.gender != registration.gender)
                & (Registration.id != registration.id),
                1,
            ),
            else_=0,
        )
    )
    rows = db.session.execute(
        select(Room, func.count(Registration.id), others)
        .outerjoin(Registration, Registration.room_id == Room.id)
        .where(Room.trip_id == registration.trip_id)
        .group_by(Room.id)
        .order_by(Room.id)
    ).all()
    gender = registration.gender
    return [
        RoomChoice(room, room.capacity - taken)
        for room, taken, other in rows
        if room.id == registration.room_id
        or (taken < room.capacity and not (gender and (other or room.gender not in ("", gender))))
    ]


def unplaced(trip: Trip) -> list[Registration]:
    """People with a seat and no room yet, bus by bus."""
    return list(
        db.session.scalars(
            select(Registration)
            .outerjoin(Bus, Bus.id == Registration.bus_id)
            .where(
                Registration.trip_id == trip.id,
                Registration.is_seated,
                Registration.room_id.is_(None),
            )
            .order_by(Bus.position, Registration.full_name, Registration.id)
        )
    )


def add_room(trip: Trip, name: str, capacity: int, gender: str = "") -> Room:
    """A new room. Raises RoomNameTaken (two rooms of one name would confuse the hotel)."""
    if not 1 <= capacity <= MAX_CAPACITY or gender not in ("", *GENDERS) or not name.strip():
        raise ValueError("a room needs a name, 1 to 20 beds and a gender of '', 'L' or 'P'")
    with transaction():
        trip.lock()
        if _name_taken(trip, name):
            raise RoomNameTaken()
        room = Room(trip=trip, name=name.strip(), capacity=capacity, gender=gender)
        db.session.add(room)
        db.session.flush()
    return room


def _name_taken(trip: Trip, name: str) -> bool:
    query = select(Room.id).where(Room.trip_id == trip.id, Room.name == name.strip())
    return db.session.scalar(query) is not None


def move_to_room(registration: Registration, room: Room | None) -> None:
    """Place a seated person in `room` (None: in no room). Raises NotSeated, RoomFull or
    OtherGender, having changed nothing."""
    trip = registration.trip
    with transaction():
        trip.lock()
        db.session.refresh(registration)
        if room is None:
            registration.room_id = None
            return
        if not registration.is_seated:
            raise NotSeated()
        if registration.room_id == room.id:
            return
        others = db.session.scalars(
            select(Registration.gender).where(
                Registration.room_id == room.id, Registration.id != registration.id
            )
        ).all()
        if len(others) >= room.capacity:
            raise RoomFull(room)
        if not room.takes(registration.gender, list(others)):
            raise OtherGender(room)
        registration.room_id = room.id


def occupancy(trip: Trip) -> tuple[int, int]:
    """(people with a seat who have a room, people with a seat): one query."""
    placed, seated = db.session.execute(
        select(func.count(Registration.room_id), func.count()).where(
            Registration.trip_id == trip.id, Registration.is_seated
        )
    ).one()
    return placed, seated


# --- The automatic assignment ----------------------------------------------------------------


@dataclass
class Assignment:
    """What assign_rooms did, for the admin's message and the command's output."""

    #: (person, room) for everyone placed, in the order placed
    placed: list[tuple[Registration, Room]] = field(default_factory=list)
    rooms_made: list[Room] = field(default_factory=list)
    #: people placed with the person they asked for
    requests_honoured: int = 0
    #: people with a seat left without a room because their gender is not known
    without_gender: list[Registration] = field(default_factory=list)


@dataclass(eq=False)
class _Bed:
    """A room as the assignment fills it: free beds and who is in it already."""

    room: Room
    free: int
    genders: list[str] = field(default_factory=list)

    def fits(self, gender: str, n: int) -> bool:
        # Stricter than Room.takes: nobody of unknown gender may be in a room filled here.
        kept = self.room.gender in ("", gender)
        return self.free >= n and kept and all(g == gender for g in self.genders)


def assign_rooms(trip: Trip, size: int = 2) -> Assignment:
    """Give everyone seated who has no room a room, keeping genders apart.

    Nobody already placed is moved. Requests to share ("wants to share with", matched on the
    folded name key, both ways or one way) are honoured when both have the same gender: the
    two go into one room, or the asker joins the one asked for when that room has a free bed.
    Rooms that have free beds are filled first, then new rooms of `size` beds are made, each
    kept to one gender. People whose gender is not known get no room (the result lists them):
    the rule could not be kept for them. Three queries and one flush, whatever the number.
    """
    if not 1 <= size <= MAX_CAPACITY:
        raise ValueError("size is 1 to 20")
    result = Assignment()
    with transaction():
        trip.lock()
        seated = list(
            db.session.scalars(
                select(Registration)
                .outerjoin(Bus, Bus.id == Registration.bus_id)
                .where(Registration.trip_id == trip.id, Registration.is_seated)
                .order_by(Bus.position, Registration.full_name, Registration.id)
            )
        )
        rooms = db.session.scalars(select(Room).where(Room.trip_id == trip.id).order_by(Room.id))
        beds = [_Bed(room, room.capacity) for room in rooms]
        bed_by_room = {bed.room.id: bed for bed in beds}
        #: where each person already placed sleeps, by registration id
        bed_of: dict[int, _Bed] = {}
        for person in seated:
            if person.room_id is not None and (bed := bed_by_room.get(person.room_id)):
                bed.free -= 1
                bed.genders.append(person.gender)
                bed_of[person.id] = bed
        todo = [p for p in seated if p.room_id is None and p.gender in GENDERS]
        result.without_gender = [p for p in seated if p.room_id is None and not p.gender]
        groups = _groups(todo, _Names(seated), bed_of, size, result)
        names = {bed.room.name for bed in beds}
        #: rooms with a free bed; full ones leave the list, so it stays short
        open_beds = [bed for bed in beds if bed.free > 0]
        for gender in GENDERS:
            mine = sorted((g for g in groups if g[0].gender == gender), key=len, reverse=True)
            for group in mine:
                bed = next((b for b in open_beds if b.fits(gender, len(group))), None)
                if bed is None:
                    bed = _Bed(_new_room(trip, size, gender, names), size)
                    open_beds.append(bed)
                    result.rooms_made.append(bed.room)
                for person in group:
                    _place(person, bed, bed_of, result)
                if bed.free == 0:
                    open_beds.remove(bed)
        db.session.flush()
    return result


def _place(person: Registration, bed: _Bed, bed_of: dict[int, _Bed], result: Assignment) -> None:
    person.room = bed.room
    bed.free -= 1
    bed.genders.append(person.gender)
    bed_of[person.id] = bed
    result.placed.append((person, bed.room))


def _new_room(trip: Trip, size: int, gender: str, names: set[str]) -> Room:
    """A room of `size` beds kept to `gender`, named on from the rooms there are."""
    number = len(names) + 1
    while f"{ROOM_WORD} {number}" in names:
        number += 1
    room = Room(trip=trip, name=f"{ROOM_WORD} {number}", capacity=size, gender=gender)
    names.add(room.name)
    db.session.add(room)
    return room


def _groups(
    todo: list[Registration],
    names: _Names,
    bed_of: dict[int, _Bed],
    size: int,
    result: Assignment,
) -> list[list[Registration]]:
    """The people to place, joined into groups of at most `size` by their requests. Someone
    who asked for a person already placed joins that person's room here when it has a bed."""
    by_id = {p.id: p for p in todo}
    asked = {p.id: wanted for p in todo if (wanted := names.wanted(p)) is not None}
    group_of: dict[int, list[Registration]] = {p.id: [p] for p in todo}
    # Requests made both ways first, so that a one-way request cannot take a mutual pair's bed.
    ordered = sorted(asked.items(), key=lambda item: asked.get(item[1].id) is not by_id[item[0]])
    for asker_id, wanted in ordered:
        asker = by_id[asker_id]
        if wanted.gender != asker.gender:
            continue
        if wanted.id not in group_of:
            bed = bed_of.get(wanted.id)
            if bed and len(group_of[asker_id]) == 1 and bed.fits(asker.gender, 1):
                del group_of[asker_id]
                _place(asker, bed, bed_of, result)
                result.requests_honoured += 1
            continue
        mine, theirs = group_of[asker_id], group_of[wanted.id]
        if mine is theirs or len(mine) + len(theirs) > size:
            continue
        mine.extend(theirs)
        for person in theirs:
            group_of[person.id] = mine
        result.requests_honoured += 1
    unique: dict[int, list[Registration]] = {id(g): g for g in group_of.values()}
    return list(unique.values())


class _Names:
    """The seated people by their folded names, to find whom a request names."""

    def __init__(self, people: list[Registration]):
        self.by_id = {p.id: p for p in people}
        self.exact: dict[str, list[Registration]] = defaultdict(list)
        self.words: dict[str, set[int]] = defaultdict(set)
        for person in people:
            self.exact[person.search_name].append(person)
            for word in person.search_name.split():
                self.words[word].add(person.id)

    def wanted(self, person: Registration) -> Registration | None:
        """The one other seated person the request names, by the folded name key: the whole
        name, else the only person whose name holds every word written ("Budi" when there is
        one Budi)."""
        key = search_key(person.share_with or "")
        if not key:
            return None
        exact = [p for p in self.exact.get(key, ()) if p.id != person.id]
        if exact:
            return exact[0] if len(exact) == 1 else None
        holders = sorted((self.words.get(w, set()) for w in set(key.split())), key=len)
        ids = holders[0].intersection(*holders[1:]) - {person.id}
        return self.by_id[ids.pop()] if len(ids) == 1 else None


# --- Lists for the hotel ---------------------------------------------------------------------

ROOM_COLUMNS = ["room", "full_name", "gender", "bus"]


def rooming_rows(trip: Trip) -> list[list[str]]:
    """One row per person with a seat, room by room in the order the rooms were made, then
    those without a room (room empty): one query."""
    rows = db.session.execute(
        select(Room.name, Registration.full_name, Registration.gender, Bus.name)
        .select_from(Registration)
        .outerjoin(Room, Room.id == Registration.room_id)
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .where(Registration.trip_id == trip.id, Registration.is_seated)
        .order_by(Room.id.is_(None), Room.id, Registration.full_name, Registration.id)
    )
    return [[room or "", name, gender, bus or ""] for room, name, gender, bus in rows]
