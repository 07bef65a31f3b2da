"""Creating trips, with their buses and checkpoints, and copying a trip for the next one; used by
the admin pages, `flask demo` and `flask event copy`."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from kampung.database import is_unique_violation, transaction
from kampung.extensions import db
from kampung.models import Bus, Checkpoint, Trip

#: what a slug may be: lowercase letters and digits, words joined by single hyphens
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_LENGTH = 80


def create_trip(
    *,
    buses: list[tuple[str, int]],
    checkpoints: list[str],
    **fields,
) -> Trip:
    """A new trip with its buses (name, seats), checkpoints in order, the default survey and
    the default follow-up rounds.
    Does not commit."""
    trip = Trip(**fields)
    trip.buses = [Bus(name=name, seats=seats, position=i) for i, (name, seats) in enumerate(buses)]
    trip.checkpoints = [Checkpoint(name=name, position=i) for i, name in enumerate(checkpoints)]
    db.session.add(trip)
    from kampung.adoption.service import default_rounds
    from kampung.feedback.defaults import add_default_survey

    db.session.add(add_default_survey(trip))
    db.session.flush()
    db.session.add_all(default_rounds(trip))
    db.session.flush()
    return trip


def open_trips(now: datetime) -> list[Trip]:
    """Trips still ahead, soonest first, for the front page."""
    return list(
        db.session.scalars(
            db.select(Trip)
            .where(Trip.returns_at >= now, Trip.purged_at.is_(None))
            .order_by(Trip.departs_at)
        )
    )


# --- Copy this trip -----------------------------------------------------------------------------


class BadSlug(ValueError):
    """A new trip's link name that cannot be used; `message` says why, for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a new trip, or None when it can."""
    if not slug or len(slug) > SLUG_LENGTH or not SLUG_PATTERN.match(slug):
        return _("Use lowercase letters, digits and hyphens only, e.g. studi-banding-2026.")
    if db.session.scalar(db.select(Trip.id).where(Trip.slug == slug)) is not None:
        return _("Another trip already uses this link name.")
    return None


def copy_title(trip: Trip) -> str:
    """The title a copy starts with, marked as a copy until the admin renames it."""
    return _("%(title)s (copy)", title=trip.title)[:200]


def suggested_slug(trip: Trip) -> str:
    """A free link name for a copy: the trip's own with a number, "…-2", or the next one when it
    has a small number already ("…-2" gives "…-3"; a year such as "…-2026" stays)."""
    numbered = re.fullmatch(r"(.+)-(\d{1,2})", trip.slug)
    base, first = (numbered[1], int(numbered[2]) + 1) if numbered else (trip.slug, 2)
    base = base[: SLUG_LENGTH - 6]
    taken = set(db.session.scalars(db.select(Trip.slug).where(Trip.slug.startswith(f"{base}-"))))
    return next(f"{base}-{n}" for n in range(first, 100_000) if f"{base}-{n}" not in taken)


#: One part of a trip copied onto the new trip: (the trip, its copy). Each copies its own rows
#: and no person, answer or check-in.
Copier = Callable[[Trip, Trip], None]


def _copy_buses(source: Trip, copy: Trip) -> None:
    copy.buses = [Bus(name=b.name, seats=b.seats, position=b.position) for b in source.buses]


def _copy_checkpoints(source: Trip, copy: Trip) -> None:
    # Every checkpoint: nothing yet tells a stop added on the road from a planned one.
    copy.checkpoints = [Checkpoint(name=c.name, position=c.position) for c in source.checkpoints]


def _copy_survey(source: Trip, copy: Trip) -> None:
    from kampung.feedback.copy import copy_survey  # the survey builds on the trip's models

    copy_survey(source, copy)


def _copy_rundown(source: Trip, copy: Trip) -> None:
    """The items as they stand (cancelled ones left out), not yet published: the copy's
    organisers move them to the new dates before anyone is told."""
    from kampung.schedule.models import RundownItem
    from kampung.schedule.service import items_of

    db.session.add_all(
        RundownItem(trip=copy, starts_at=i.starts_at, ends_at=i.ends_at, place=i.place, what=i.what)
        for i in items_of(source)
        if i.cancelled_at is None
    )


def _copy_rounds(source: Trip, copy: Trip) -> None:
    """The follow-up rounds' days after the return, none of them opened."""
    from kampung.adoption.models import FollowupRound
    from kampung.adoption.service import rounds_of

    db.session.add_all(
        FollowupRound(trip=copy, number=r.number, days_after=r.days_after)
        for r in rounds_of(source)
    )


#: the parts a copy takes, in order
COPIERS: list[Copier] = [_copy_buses, _copy_checkpoints, _copy_survey, _copy_rundown, _copy_rounds]


def copy_trip(trip: Trip, new_slug: str, *, title: str = "") -> Trip:
    """A new trip for the next visit: the settings, places, contact person and capacity, then
    each part of COPIERS (buses, checkpoints, the survey closed, the rundown unpublished, the
    follow-up rounds); no people, no answers,
    registration closed. Raises BadSlug, having saved nothing."""
    new_slug = new_slug.strip().lower()
    problem = slug_problem(new_slug)
    if problem:
        raise BadSlug(problem)
    try:
        with transaction():
            copy = Trip(
                slug=new_slug,
                title=(title.strip() or copy_title(trip))[:200],
                description=trip.description,
                origin=trip.origin,
                destination=trip.destination,
                meeting_point=trip.meeting_point,
                contact_name=trip.contact_name,
                contact_phone=trip.contact_phone,
                departs_at=trip.departs_at,
                returns_at=trip.returns_at,
                capacity=trip.capacity,
                registration_open=False,
            )
            db.session.add(copy)
            for copier in COPIERS:
                copier(trip, copy)
            db.session.flush()
    except IntegrityError as error:
        # Another admin took the slug between our check and our insert.
        if is_unique_violation(error):
            raise BadSlug(_("Another trip already uses this link name.")) from None
        raise
    return copy
