"""The scanner's offline copy of the list (`…/roster.json`, static/js/scanner/roster.js): the
seated people in short arrays, each named by the start of the hash of their code, with what the
result shows and the numbers to call them; the whole list, or what changed since the phone's
copy. How it names people and how long it stays: roster.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from kampung.checkin.models import CheckIn
from kampung.checkin.roster import code_hash, iso_utc, offline_until
from kampung.extensions import db
from kampung.models import Checkpoint, Trip
from kampung.signup.models import Registration, format_rt_rw
from kampung.text import readable

#: hex characters of a code's hash that the offline copy keeps: 64 bits. A scanned code of
#: someone not on the copy (another trip's, a cancelled one's) matches a seated person's by chance
#: once in 2**64 / 10,000 scans; within the trip, `hash_chars` makes sure none match.
HASH_CHARS = 16


def hash_chars(codes: Iterable[str], at_least: int | None = None) -> int:
    """The fewest hex characters of the codes' hashes (HASH_CHARS, or `at_least` when more,
    doubled as needed, at most the whole 64) that tell every one of them apart: a shared start
    would answer one person's code with another's name, a wrong green, so the copy of a trip
    where two starts meet keeps longer hashes."""
    return _chars_apart([code_hash(code) for code in codes], at_least)


def _chars_apart(hashes: list[str], at_least: int | None = None) -> int:
    chars = min(max(at_least or 0, HASH_CHARS), 64)
    while chars < 64 and len({h[:chars] for h in hashes}) < len(hashes):
        chars = min(chars * 2, 64)
    return chars


#: how far before the moment it was read a copy says it is current: a check-in saved while the
#: copy was read (its received_at a little earlier) comes again in the next change list
AS_OF_MARGIN = timedelta(seconds=30)
#: a change list asked for since longer ago than this gets the whole copy instead
CHANGES_AT_MOST = timedelta(hours=6)
#: the copy's layout: a phone holding another layout drops its copy and reads the whole again
OFFLINE_FORMAT = 2
#: what each entry of `people` holds, by position (static/js/scanner/roster.js reads them so);
#: empty fields at the end are left off
PERSON_FIELDS = (
    "hash",
    "here",
    "name",
    "rt_rw",
    "kelurahan",
    "bus_id",
    "phone",
    "emergency_name",
    "emergency_phone",
)


def offline_copy(
    trip: Trip,
    checkpoint: Checkpoint,
    now: datetime,
    since: datetime | None = None,
    chars: int | None = None,
) -> dict:
    """The scanner's offline copy of the list: the least that the result needs offline, and the
    numbers to call a person or their emergency contact from it.

    Only people with a seat: a cancelled or waitlisted person is answered red offline ("not on
    the list"), and the server says why once the scan is sent, so their details need not be on
    any phone. `people` holds one array per person (PERSON_FIELDS): the first `hash_chars` hex
    characters of the hash of the code (never the code), 1 when checked in at this checkpoint,
    what the result shows (the bus by id: its name is in `buses`), the phone and the emergency
    contact. Past `expires_at`, or once the trip is purged, the page deletes the copy and the
    server sends no one.

    With `since` (the `as_of` of the copy the phone holds, whose hashes are `chars` long) only
    what changed since is sent (`changes: true`): people edited, moved or checked in or out here
    since, and in `gone` the hashes of those who lost their seat; at 10,000 people the phone's
    refresh stays small. A newcomer since then makes the trip's hashes be checked again: if they
    need more characters now, the whole copy is sent instead.
    """
    expires_at = offline_until(trip)
    chars = chars or HASH_CHARS
    changes = since is not None and now - CHANGES_AT_MOST < since <= now
    changes = changes and HASH_CHARS <= chars <= 64
    people: list[list] = []
    gone: list[str] = []
    if now < expires_at and trip.purged_at is None:
        if since is not None and changes and _newcomers_since(trip, since):
            # A newcomer's hash may share its start with someone's: then longer hashes, whole.
            changes = hash_chars(_trip_codes(trip)) <= chars
        rows = _offline_rows(trip, checkpoint, since if changes else None)
        hashes = [code_hash(code) for code, *_rest in rows]
        if not changes:
            chars = _chars_apart(hashes)
        for hash_, (_code, seated, *person) in zip(hashes, rows, strict=True):
            if seated:
                people.append(_person(hash_[:chars], *person))
            elif changes:
                gone.append(hash_[:chars])
    return {
        "format": OFFLINE_FORMAT,
        "checkpoint": checkpoint.id,
        "expires_at": iso_utc(expires_at),
        "as_of": iso_utc(now - AS_OF_MARGIN),
        "changes": changes,
        "hash_chars": chars,
        "buses": {str(bus.id): readable(bus.name) for bus in trip.buses},
        "people": people,
        "gone": gone,
    }


def _offline_rows(trip: Trip, checkpoint: Checkpoint, since: datetime | None) -> list:
    """(code, seated, here, name, rt, rw, kelurahan, bus id, phone, emergency name and phone)
    of the trip's people, or of those changed since `since`. The whole copy reads the people
    without a seat too, but only their codes, to check the hashes against theirs."""
    here = and_(
        CheckIn.registration_id == Registration.id,
        CheckIn.checkpoint_id == checkpoint.id,
        CheckIn.is_active,
    )
    query = (
        select(
            Registration.checkin_code,
            Registration.is_seated,
            CheckIn.id.is_not(None),
            Registration.full_name,
            Registration.rt,
            Registration.rw,
            Registration.kelurahan,
            Registration.bus_id,
            Registration.phone,
            Registration.emergency_name,
            Registration.emergency_phone,
        )
        .outerjoin(CheckIn, here)
        .where(Registration.trip_id == trip.id)
    )
    if since is not None:
        touched = select(CheckIn.registration_id).where(
            CheckIn.checkpoint_id == checkpoint.id,
            or_(CheckIn.received_at > since, CheckIn.undone_at > since),
        )
        query = query.where(or_(Registration.updated_at > since, Registration.id.in_(touched)))
    return list(db.session.execute(query).all())


def _newcomers_since(trip: Trip, since: datetime) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.trip_id == trip.id, Registration.created_at > since)
        )
    )


def _trip_codes(trip: Trip) -> list[str]:
    return list(
        db.session.scalars(select(Registration.checkin_code).where(Registration.trip_id == trip.id))
    )


def _person(hash_, here, name, rt, rw, kelurahan, bus_id, phone, emergency_name, emergency_phone):
    # The scanner sets these as text: without a stored bidi override.
    person = [
        hash_,
        1 if here else 0,
        readable(name),
        format_rt_rw(rt, rw),
        readable(kelurahan),
        bus_id,
        phone or "",
        readable(emergency_name or ""),
        emergency_phone or "",
    ]
    while person[-1] in ("", None):
        person.pop()
    return person
