"""Follow-up rounds: opened and closed by the admin (or `flask followup`), answered per
commitment per round, refused after closing, for another's commitment or with a status not
offered; the purge waits for the last round."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kampung.adoption import service
from kampung.adoption.models import Commitment, FollowupAnswer
from kampung.adoption.service import AnswerData
from kampung.database import utcnow
from kampung.extensions import db
from kampung.privacy import FollowupNotOver, purge_trip, removal_due
from kampung.signup.models import Registration
from tests.adoption.helpers import committed, plan, practice, returned_trip


def _answers() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(FollowupAnswer))


def _round(trip, number=1):
    return next(r for r in service.rounds_of(trip) if r.number == number)


def test_a_new_trip_has_rounds_30_and_90_days_after_its_return(app, trip):
    rounds = service.rounds_of(trip)
    assert [(r.number, r.days_after, r.is_open) for r in rounds] == [(1, 30, False), (2, 90, False)]
    assert rounds[0].due(trip) == trip.returns_at + timedelta(days=30)


def test_a_round_opens_only_after_the_trip_returned(app, trip):
    with pytest.raises(service.AdoptionError):
        service.open_followup(trip, 1, utcnow())
    opened = service.open_followup(trip, 1, trip.returns_at + timedelta(days=31))
    assert opened.is_open and opened.number == 1


def test_opening_the_second_round_closes_the_first(app):
    trip = returned_trip()
    now = utcnow()
    service.open_followup(trip, None, now)
    second = service.open_followup(trip, None, now + timedelta(days=60))
    first = _round(trip, 1)
    assert second.number == 2 and second.is_open
    assert not first.is_open and first.closed_at == now + timedelta(days=60)
    with pytest.raises(service.AdoptionError):
        service.open_followup(trip, None, now)


def test_participant_answers_each_commitment_and_may_change_while_open(app):
    trip = returned_trip()
    registration = committed(trip, plans=[plan(practice(trip).id), plan(what="Ronda")])
    first, second = service.commitments_of(registration)
    round_ = service.open_followup(trip, 1)
    service.answer_round(
        registration,
        round_,
        {
            first.id: AnswerData("started", "Dana belum cair", "Renja 2027 butir 3"),
            second.id: AnswerData("not_started"),
        },
    )
    service.answer_round(
        registration, round_, {first.id: AnswerData("running"), second.id: AnswerData("started")}
    )
    given = service.answers_of(registration, round_)
    assert {c: a.status for c, a in given.items()} == {first.id: "running", second.id: "started"}
    assert _answers() == 2


def test_answers_are_kept_per_round(app):
    trip = returned_trip()
    registration = committed(trip)
    (commitment,) = service.commitments_of(registration)
    now = utcnow()
    first = service.open_followup(trip, 1, now)
    service.answer_round(registration, first, {commitment.id: AnswerData("started")}, now)
    second = service.open_followup(trip, 2, now + timedelta(days=60))
    service.answer_round(registration, second, {commitment.id: AnswerData("running")}, now)
    assert service.answers_of(registration, first)[commitment.id].status == "started"
    assert service.answers_of(registration, second)[commitment.id].status == "running"


def test_an_answer_after_the_round_closed_is_refused_and_nothing_saved(app):
    trip = returned_trip()
    registration = committed(trip)
    (commitment,) = service.commitments_of(registration)
    round_ = service.open_followup(trip, 1)
    service.close_followup(trip)
    with pytest.raises(service.RoundClosed) as refused:
        service.answer_round(registration, round_, {commitment.id: AnswerData("started")})
    assert refused.value.status == 409
    assert _answers() == 0


def test_a_forged_commitment_of_another_person_is_refused_and_nothing_saved(app):
    trip = returned_trip()
    alice = committed(trip, 1)
    bob = committed(trip, 2)
    (mine,) = service.commitments_of(alice)
    (theirs,) = service.commitments_of(bob)
    round_ = service.open_followup(trip, 1)
    with pytest.raises(service.NotYours) as refused:
        service.answer_round(
            alice, round_, {mine.id: AnswerData("started"), theirs.id: AnswerData("running")}
        )
    assert refused.value.status == 404
    assert _answers() == 0


@pytest.mark.parametrize("status", ["", "adopted", "STARTED", "running\x00", "x" * 10_000])
def test_a_status_not_offered_is_refused(app, status):
    trip = returned_trip()
    registration = committed(trip)
    (commitment,) = service.commitments_of(registration)
    round_ = service.open_followup(trip, 1)
    with pytest.raises(service.AdoptionError) as refused:
        service.answer_round(registration, round_, {commitment.id: AnswerData(status)})
    assert refused.value.status == 422 and commitment.id in refused.value.errors
    assert _answers() == 0


def test_a_megabyte_obstacle_is_refused(app):
    trip = returned_trip()
    registration = committed(trip)
    (commitment,) = service.commitments_of(registration)
    round_ = service.open_followup(trip, 1)
    with pytest.raises(service.AdoptionError):
        service.answer_round(
            registration, round_, {commitment.id: AnswerData("started", "x" * 1_000_000)}
        )
    assert _answers() == 0


def test_admin_sets_the_days_and_adds_a_round(app, trip):
    service.set_round_days(trip, [30, 60, 120])
    assert [r.days_after for r in service.rounds_of(trip)] == [30, 60, 120]
    service.set_round_days(trip, [45])
    assert [r.days_after for r in service.rounds_of(trip)] == [45]
    for bad in ([], [0], [90, 30], [30, 30], [800]):
        with pytest.raises(service.AdoptionError):
            service.set_round_days(trip, bad)


def test_a_round_once_opened_cannot_be_removed(app):
    trip = returned_trip()
    service.open_followup(trip, 2)
    with pytest.raises(service.AdoptionError):
        service.set_round_days(trip, [30])


def test_removal_date_comes_after_the_last_round(app, trip):
    assert removal_due(trip) == trip.returns_at + timedelta(days=90 + 30)
    service.set_round_days(trip, [30, 180])
    assert removal_due(trip) == trip.returns_at + timedelta(days=180 + 30)


def test_purge_waits_for_the_last_round_then_removes_the_personal_links(app):
    trip = returned_trip()
    registration = committed(trip)
    (commitment,) = service.commitments_of(registration)
    round_ = service.open_followup(trip, 1)
    service.answer_round(
        registration, round_, {commitment.id: AnswerData("started", "Dana", "Renja butir 3")}
    )
    with pytest.raises(FollowupNotOver):
        purge_trip(trip)
    assert db.session.get(Registration, registration.id).full_name
    service.open_followup(trip, 2)
    service.close_followup(trip)
    purge_trip(trip)
    db.session.expire_all()
    commitment = db.session.get(Commitment, commitment.id)
    assert commitment.registration_id is None and commitment.carried_by == ""
    assert commitment.kecamatan == "Telanaipura" and commitment.title() == "Bank sampah RT"
    answer = db.session.scalar(db.select(FollowupAnswer))
    assert answer.status == "started" and answer.note == "" and answer.obstacle == "Dana"


def test_purge_does_not_wait_when_nobody_committed(app):
    trip = returned_trip()
    assert purge_trip(trip) == 0


def test_purge_runs_once_the_last_round_had_its_time(app):
    trip = returned_trip()
    committed(trip)
    purge_trip(trip, now=removal_due(trip) + timedelta(minutes=1))
    assert db.session.scalar(db.select(Commitment.registration_id)) is None
