"""The rules of commitments and follow-up rounds. Plain functions that know nothing of the
request; each takes `now`, so that tests can move the clock past a round. Each refuses with an
`AdoptionError` (a message for people, a status) and then saves nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from kampung.adoption.models import (
    DEFAULT_ROUND_DAYS,
    MAX_COMMITMENTS,
    Commitment,
    FollowupAnswer,
    FollowupRound,
    Practice,
    Progress,
    round_opening_by_itself,
)
from kampung.adoption.months import parse_month
from kampung.database import transaction, utcnow
from kampung.extensions import db
from kampung.feedback.service import response_of, survey_of
from kampung.models import Trip
from kampung.signup.models import Registration
from kampung.text import clean_text

#: the longest texts kept, in characters
WHAT_LIMIT = 200
CARRIED_BY_LIMIT = 120
OBSTACLE_LIMIT = 500
NOTE_LIMIT = 300


class AdoptionError(Exception):
    """Something that cannot be saved; `message` says why, `errors` per row or commitment."""

    status = 422

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class CommitmentsLocked(AdoptionError):
    status = 409


class RoundClosed(AdoptionError):
    status = 409


class NotYours(AdoptionError):
    """A commitment id that is not this person's: treated as not found."""

    status = 404


# --- Rounds -----------------------------------------------------------------------------------


def default_rounds(trip: Trip) -> list[FollowupRound]:
    """The rounds of a new trip: 30 and 90 days after its return. Not added to the session."""
    return [
        FollowupRound(trip_id=trip.id, number=i, days_after=days)
        for i, days in enumerate(DEFAULT_ROUND_DAYS, start=1)
    ]


def rounds_of(trip: Trip) -> list[FollowupRound]:
    return list(
        db.session.scalars(
            select(FollowupRound)
            .where(FollowupRound.trip_id == trip.id)
            .order_by(FollowupRound.number)
        )
    )


def open_round(trip: Trip, now: datetime | None = None) -> FollowupRound | None:
    """The round participants are asked in now. A round opens by itself on its day, at the
    first look after it (round_opening_by_itself), when someone committed: a copy of last
    year's trip, still on its dates, must not open (and lock) rounds nobody is asked in. The
    admin may open or close one earlier."""
    now = now or utcnow()
    rounds = rounds_of(trip)
    due = None if trip.purged_at else round_opening_by_itself(trip, rounds, now)
    if due is not None and _anyone_committed(trip):
        return open_followup(trip, due.number, now)
    return next((r for r in rounds if r.is_open), None)


def _anyone_committed(trip: Trip) -> bool:
    query = select(Commitment.id).where(Commitment.trip_id == trip.id).limit(1)
    return db.session.scalar(query) is not None


def commitments_locked(trip: Trip, now: datetime | None = None) -> bool:
    """Commitments change until the first round opens; after that they are what is asked about."""
    now = now or utcnow()
    first = db.session.scalar(
        select(FollowupRound.opened_at)
        .where(FollowupRound.trip_id == trip.id, FollowupRound.opened_at.is_not(None))
        .order_by(FollowupRound.opened_at)
        .limit(1)
    )
    return first is not None and first <= now


def open_followup(trip: Trip, number: int | None = None, now: datetime | None = None):
    """Open round `number` (default: the first never opened), closing any other open one."""
    now = now or utcnow()
    if trip.purged_at:
        raise AdoptionError(_("The personal data of this trip was removed: no more rounds."))
    if trip.returns_at > now:
        raise AdoptionError(_("The trip has not returned yet: follow-up rounds open after it."))
    rounds = rounds_of(trip)
    if number is None:
        chosen = next((r for r in rounds if r.opened_at is None), None)
        if chosen is None:
            raise AdoptionError(_("Every follow-up round has been opened already."))
    else:
        chosen = next((r for r in rounds if r.number == number), None)
        if chosen is None:
            raise AdoptionError(_("This trip has no round %(n)s.", n=number))
    with transaction():
        for other in rounds:
            if other.is_open and other is not chosen:
                other.is_open = False
                other.closed_at = now
        chosen.is_open = True
        chosen.opened_at = chosen.opened_at or now
        chosen.closed_at = None
    return chosen


def close_followup(trip: Trip, now: datetime | None = None) -> FollowupRound | None:
    """Close the open round, if any: answers sent after this are refused."""
    now = now or utcnow()
    current = open_round(trip)
    if current is None:
        return None
    with transaction():
        current.is_open = False
        current.closed_at = now
    return current


def set_round_days(trip: Trip, days: list[int]) -> None:
    """The admin's days after return, one per round in order; a number beyond the list adds a
    round, a shorter list removes the last rounds that were never opened."""
    rounds = rounds_of(trip)
    if not days or any(not 1 <= d <= 730 for d in days):
        raise AdoptionError(_("Each round needs a number of days between 1 and 730."))
    if days != sorted(set(days)):
        raise AdoptionError(_("Each round must come after the one before it."))
    if any(r.opened_at for r in rounds[len(days) :]):
        raise AdoptionError(_("A round that was opened cannot be removed."))
    with transaction():
        for r, d in zip(rounds, days, strict=False):
            r.days_after = d
        for r in rounds[len(days) :]:
            db.session.delete(r)
        for number in range(len(rounds) + 1, len(days) + 1):
            db.session.add(
                FollowupRound(trip_id=trip.id, number=number, days_after=days[number - 1])
            )


# --- Commitments ------------------------------------------------------------------------------


@dataclass
class CommitmentData:
    """One row of the commitments form as typed."""

    practice: str = ""
    what: str = ""
    target_month: str = ""
    carried_by: str = ""

    def is_empty(self) -> bool:
        return not (self.practice or self.what.strip() or self.carried_by.strip())


def may_commit(registration: Registration, now: datetime | None = None) -> bool:
    """A seated participant who answered the trip's named survey, before the first round."""
    trip = registration.trip
    survey = survey_of(trip)
    return bool(
        survey is not None
        and not survey.anonymous
        and registration.is_seated
        and not trip.purged_at
        and response_of(survey, registration) is not None
        and not commitments_locked(trip, now)
    )


def commitments_of(registration: Registration) -> list[Commitment]:
    return list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.registration_id == registration.id)
            .order_by(Commitment.position)
        )
    )


def live_practices(trip: Trip) -> list[Practice]:
    """The trip's named practices, not merged away, by name."""
    return list(
        db.session.scalars(
            select(Practice)
            .where(Practice.trip_id == trip.id, Practice.is_live)
            .order_by(Practice.name)
        )
    )


def _row(trip: Trip, data: CommitmentData, practices: dict[str, Practice], now: datetime):
    practice = None
    if data.practice:
        practice = practices.get(data.practice)
        if practice is None:
            raise ValueError(_("Choose one of the practices offered, or write your own."))
    what = clean_text(data.what)
    if len(what) > WHAT_LIMIT:
        raise ValueError(_("Please keep it under %(n)s characters.", n=WHAT_LIMIT))
    if practice is None and not what:
        raise ValueError(_("Say which practice: choose one or write your own."))
    carried_by = clean_text(data.carried_by)
    if not carried_by:
        raise ValueError(_("Say who in your RT carries it."))
    if len(carried_by) > CARRIED_BY_LIMIT:
        raise ValueError(_("Please keep it under %(n)s characters.", n=CARRIED_BY_LIMIT))
    return practice, what, parse_month(data.target_month, now), carried_by


def save_commitments(
    registration: Registration, rows: list[CommitmentData], now: datetime | None = None
) -> list[Commitment]:
    """Replace a person's commitments with the filled rows of the form (none: no commitment)."""
    now = now or utcnow()
    trip = registration.trip
    survey = survey_of(trip)
    if survey is None or survey.anonymous:
        raise AdoptionError(_("An anonymous survey takes no commitments: they would name you."))
    if commitments_locked(trip, now):
        raise CommitmentsLocked(
            _("The follow-up has started: commitments can no longer be changed.")
        )
    if not may_commit(registration, now):
        raise AdoptionError(_("Commitments are made after answering the survey."))
    filled = [(i, r) for i, r in enumerate(rows) if not r.is_empty()]
    if len(rows) > MAX_COMMITMENTS or len(filled) > MAX_COMMITMENTS:
        raise AdoptionError(_("Up to %(n)s practices.", n=MAX_COMMITMENTS))
    practices = {str(p.id): p for p in live_practices(trip)}
    parsed, errors = [], {}
    for i, data in filled:
        try:
            parsed.append(_row(trip, data, practices, now))
        except ValueError as error:
            errors[i] = str(error)
    if errors:
        raise AdoptionError(_("Some commitments need your attention."), errors)
    with transaction():
        db.session.execute(delete(Commitment).where(Commitment.registration_id == registration.id))
        saved = [
            Commitment(
                trip_id=trip.id,
                registration_id=registration.id,
                practice_id=practice.id if practice else None,
                what=what,
                target_month=month,
                carried_by=carried_by,
                kecamatan=registration.kecamatan,
                position=n,
            )
            for n, (practice, what, month, carried_by) in enumerate(parsed, start=1)
        ]
        db.session.add_all(saved)
    return saved


# --- Answering a round ------------------------------------------------------------------------


@dataclass
class AnswerData:
    status: str = ""
    obstacle: str = ""
    note: str = ""


def answers_of(registration: Registration, round_: FollowupRound) -> dict[int, FollowupAnswer]:
    """This person's answers in the round, by commitment id."""
    rows = db.session.scalars(
        select(FollowupAnswer)
        .join(Commitment, Commitment.id == FollowupAnswer.commitment_id)
        .where(Commitment.registration_id == registration.id, FollowupAnswer.round_id == round_.id)
    )
    return {a.commitment_id: a for a in rows}


def answer_round(
    registration: Registration,
    round_: FollowupRound,
    answers: dict[int, AnswerData],
    now: datetime | None = None,
) -> None:
    """Save the answers about one's commitments in an open round: all of them, or nothing."""
    now = now or utcnow()
    if round_.trip_id != registration.trip_id:
        raise NotYours(_("This follow-up is not yours."))
    if not round_.is_open or registration.trip.purged_at:
        raise RoundClosed(_("This follow-up round has closed: your answers were not saved."))
    mine = {c.id: c for c in commitments_of(registration)}
    if set(answers) - set(mine):
        raise NotYours(_("This commitment is not yours."))
    if not mine:
        raise AdoptionError(_("You made no commitment, so there is nothing to report."))
    errors = {}
    cleaned = {}
    for cid in mine:
        data = answers.get(cid, AnswerData())
        obstacle = clean_text(data.obstacle, multiline=True)
        note = clean_text(data.note)
        if data.status not in Progress.__members__:
            errors[cid] = (
                _("Choose one of the answers offered.")
                if data.status
                else _("Choose how far it has come.")
            )
        elif len(obstacle) > OBSTACLE_LIMIT:
            errors[cid] = _("Please keep it under %(n)s characters.", n=OBSTACLE_LIMIT)
        elif len(note) > NOTE_LIMIT:
            errors[cid] = _("Please keep it under %(n)s characters.", n=NOTE_LIMIT)
        else:
            cleaned[cid] = (data.status, obstacle, note)
    if errors:
        raise AdoptionError(_("Some answers need your attention."), errors)
    with transaction():
        db.session.refresh(round_)
        if not round_.is_open:
            raise RoundClosed(_("This follow-up round has closed: your answers were not saved."))
        given = answers_of(registration, round_)
        for cid, (status, obstacle, note) in cleaned.items():
            answer = given.get(cid) or FollowupAnswer(commitment_id=cid, round_id=round_.id)
            answer.status, answer.obstacle, answer.note = status, obstacle, note
            answer.answered_at = now
            db.session.add(answer)


def forget_commitments(trip_id: int) -> None:
    """The purge: commitments keep what, when and where (kecamatan), but no longer who made
    them nor who carries them, and the notes of evidence go (they may name people). Runs inside
    the caller's transaction."""
    db.session.execute(
        update(Commitment)
        .where(Commitment.trip_id == trip_id)
        .values(registration_id=None, carried_by="")
    )
    mine = select(Commitment.id).where(Commitment.trip_id == trip_id)
    db.session.execute(
        update(FollowupAnswer).where(FollowupAnswer.commitment_id.in_(mine)).values(note="")
    )


# --- What the personal page shows -------------------------------------------------------------


@dataclass
class AdoptionEntry:
    """The commitments and the open round, as the personal page shows them."""

    commitments: list[Commitment] = field(default_factory=list)
    can_commit: bool = False
    round: FollowupRound | None = None
    answered: bool = False
    token: str = ""


def adoption_entry(registration: Registration, now: datetime | None = None) -> AdoptionEntry:
    now = now or utcnow()
    entry = AdoptionEntry(token=registration.access_token)
    if not registration.is_seated:
        return entry
    entry.commitments = commitments_of(registration)
    entry.can_commit = may_commit(registration, now)
    if entry.commitments:
        entry.round = open_round(registration.trip)
        entry.answered = bool(entry.round and answers_of(registration, entry.round))
    return entry
