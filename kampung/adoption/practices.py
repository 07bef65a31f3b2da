"""The chair's named practices: from marked comments, renamed, merged, and the library of every
trip's practices. Plain functions that know nothing of the request."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from kampung.adoption.models import Commitment, Practice, PracticeSource
from kampung.adoption.service import AdoptionError
from kampung.database import is_unique_violation, transaction
from kampung.extensions import db
from kampung.feedback.models import Answer, Mark, MarkKind, Response, Survey
from kampung.models import Trip
from kampung.text import clean_text

NAME_LIMIT = 200


@dataclass
class MarkedComment:
    mark_id: int
    text: str
    note: str


def unsorted_marks(trip: Trip) -> list[MarkedComment]:
    """The comments marked "practice to adopt" that no named practice holds yet."""
    rows = db.session.execute(
        select(Mark.id, Answer.value_text, Mark.note)
        .join(Answer, Answer.id == Mark.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(PracticeSource, PracticeSource.mark_id == Mark.id)
        .where(
            Survey.trip_id == trip.id,
            Mark.kind == MarkKind.practice,
            Response.released,
            PracticeSource.mark_id.is_(None),
        )
        .order_by(Mark.marked_at)
    )
    return [MarkedComment(mid, text or "", note) for mid, text, note in rows]


def sources_of(trip: Trip) -> dict[int, list[str]]:
    """Per practice id, the marked comments it was made from."""
    rows = db.session.execute(
        select(PracticeSource.practice_id, Answer.value_text)
        .join(Mark, Mark.id == PracticeSource.mark_id)
        .join(Answer, Answer.id == Mark.answer_id)
        .join(Practice, Practice.id == PracticeSource.practice_id)
        .where(Practice.trip_id == trip.id)
    )
    sources: dict[int, list[str]] = {}
    for practice_id, text in rows:
        sources.setdefault(practice_id, []).append(text or "")
    return sources


def _name(name: str) -> str:
    name = clean_text(name)
    if not name:
        raise AdoptionError(_("Give the practice a name."))
    if len(name) > NAME_LIMIT:
        raise AdoptionError(_("Please keep it under %(n)s characters.", n=NAME_LIMIT))
    return name


def _taken() -> AdoptionError:
    return AdoptionError(
        _("This trip already has a practice of that name: merge them instead."),
    )


def name_practice(
    trip: Trip, name: str, mark_ids: list[int], into: Practice | None = None
) -> Practice:
    """Gather marked comments into a new practice called `name`, or into `into`."""
    if into is not None and (into.trip_id != trip.id or not into.is_live):
        raise AdoptionError(_("Choose one of this trip's practices."))
    free = {m.mark_id for m in unsorted_marks(trip)}
    if set(mark_ids) - free:
        raise AdoptionError(_("Some of these comments are gathered already. Reload the page."))
    try:
        with transaction():
            practice = into
            if practice is None:
                practice = Practice(trip_id=trip.id, name=_name(name))
                db.session.add(practice)
                db.session.flush()
            db.session.add_all(
                PracticeSource(mark_id=m, practice_id=practice.id) for m in dict.fromkeys(mark_ids)
            )
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise _taken() from None
    return practice


def rename(practice: Practice, name: str) -> None:
    new = _name(name)
    try:
        with transaction():
            practice.name = new
            db.session.flush()
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise _taken() from None


def merge(practice: Practice, into: Practice) -> None:
    """`practice` was the same as `into`: its commitments and comments move there, and it is
    kept only as a pointer to `into`."""
    if into.trip_id != practice.trip_id or into.id == practice.id or not into.is_live:
        raise AdoptionError(_("Choose another practice of this trip to merge into."))
    if not practice.is_live:
        raise AdoptionError(_("This practice was merged already."))
    with transaction():
        db.session.execute(
            update(Commitment)
            .where(Commitment.practice_id == practice.id)
            .values(practice_id=into.id)
        )
        db.session.execute(
            update(PracticeSource)
            .where(PracticeSource.practice_id == practice.id)
            .values(practice_id=into.id)
        )
        db.session.execute(
            update(Practice)
            .where(Practice.merged_into_id == practice.id)
            .values(merged_into_id=into.id)
        )
        practice.merged_into_id = into.id


def link_commitment(commitment: Commitment, practice: Practice | None) -> None:
    """The chair links a commitment in someone's own words to a named practice (or unlinks)."""
    if practice is not None and (practice.trip_id != commitment.trip_id or not practice.is_live):
        raise AdoptionError(_("Choose one of this trip's practices."))
    with transaction():
        commitment.practice_id = practice.id if practice else None


# --- The library across trips -----------------------------------------------------------------


@dataclass
class LibraryEntry:
    """One practice name with its figures summed over the trips that named it."""

    name: str
    committed: int = 0
    started: int = 0
    running: int = 0
    trips: list[Trip] = field(default_factory=list)


def library() -> list[LibraryEntry]:
    """Every named practice across trips (merged ones counted in the one that took them), by
    name, with its commitments and how many were last reported started and running."""
    from kampung.adoption.figures import latest_status

    latest = latest_status().subquery()
    rows = db.session.execute(
        select(
            Practice.name,
            Trip,
            func.count(Commitment.id),
            func.count(latest.c.commitment_id).filter(latest.c.status == "started"),
            func.count(latest.c.commitment_id).filter(latest.c.status == "running"),
        )
        .join(Trip, Trip.id == Practice.trip_id)
        .outerjoin(Commitment, Commitment.practice_id == Practice.id)
        .outerjoin(latest, latest.c.commitment_id == Commitment.id)
        .where(Practice.is_live)
        .group_by(Practice.id, Practice.name, Trip.id)
        .order_by(Practice.name)
    )
    entries: dict[str, LibraryEntry] = {}
    for name, trip, committed, started, running in rows:
        entry = entries.setdefault(name.casefold(), LibraryEntry(name))
        entry.committed += committed
        entry.started += started
        entry.running += running
        if trip not in entry.trips:
            entry.trips.append(trip)
    return sorted(entries.values(), key=lambda e: (-e.committed, e.name.casefold()))
