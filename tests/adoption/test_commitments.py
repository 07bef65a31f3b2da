"""Commitments (RTL) at the end of a named survey: one to three, a target month not in the past,
who carries it; editable until the first follow-up round opens; none in an anonymous survey."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kampung.adoption import service
from kampung.adoption.models import Commitment
from kampung.adoption.months import month_choices
from kampung.adoption.service import CommitmentData
from kampung.database import utcnow
from kampung.extensions import db
from kampung.feedback.service import submit
from kampung.signup.service import register
from tests.adoption.helpers import committed, next_month, plan, practice, returned_trip
from tests.conftest import person
from tests.feedback.helpers import good_answers, open_survey


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Commitment))


def test_participant_commits_to_a_named_practice_and_one_in_own_words(app):
    trip = returned_trip()
    bank = practice(trip)
    registration = committed(
        trip, plans=[plan(bank.id), plan(what="Kebun gizi di lahan kosong", carried_by="Bu PKK")]
    )
    saved = service.commitments_of(registration)
    assert [c.title() for c in saved] == ["Bank sampah RT", "Kebun gizi di lahan kosong"]
    assert saved[1].carried_by == "Bu PKK"
    assert saved[0].kecamatan == "Telanaipura"


def test_saving_again_replaces_the_plan(app):
    trip = returned_trip()
    registration = committed(trip)
    service.save_commitments(registration, [plan(what="Ronda malam"), CommitmentData()])
    assert [c.title() for c in service.commitments_of(registration)] == ["Ronda malam"]


def test_four_practices_are_refused(app):
    trip = returned_trip()
    registration = committed(trip)
    with pytest.raises(service.AdoptionError):
        service.save_commitments(registration, [plan(what=f"Praktik {i}") for i in range(4)])
    assert _count() == 1


def test_a_target_month_in_the_past_is_refused(app):
    trip = returned_trip()
    registration = committed(trip)
    last_month = (utcnow().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with pytest.raises(service.AdoptionError) as refused:
        service.save_commitments(
            registration, [CommitmentData("", "Bank sampah", last_month, "Pak RT")]
        )
    assert refused.value.errors[0] == "Bulan target tidak boleh bulan yang sudah lewat."
    assert service.commitments_of(registration)[0].title() == "Bank sampah RT"


@pytest.mark.parametrize("month", ["", "2027-13", "maret", "9999999-01", "2099-01"])
def test_a_month_not_offered_is_refused(app, month):
    trip = returned_trip()
    registration = committed(trip)
    with pytest.raises(service.AdoptionError):
        service.save_commitments(registration, [CommitmentData("", "Bank sampah", month, "RT")])


def test_a_megabyte_commitment_is_refused_and_nothing_saved(app):
    trip = returned_trip()
    registration = committed(trip)
    with pytest.raises(service.AdoptionError) as refused:
        service.save_commitments(registration, [plan(what="x" * 1_000_000)])
    assert "200" in refused.value.errors[0]
    assert [c.title() for c in service.commitments_of(registration)] == ["Bank sampah RT"]


def test_a_practice_of_another_trip_or_merged_away_is_refused(app):
    trip = returned_trip()
    registration = committed(trip)
    with pytest.raises(service.AdoptionError):
        service.save_commitments(registration, [plan(999_999)])


def test_who_carries_it_is_required(app):
    trip = returned_trip()
    registration = committed(trip)
    with pytest.raises(service.AdoptionError):
        service.save_commitments(registration, [plan(what="Bank sampah", carried_by=" ")])


def test_no_plan_before_answering_the_survey(app):
    trip = returned_trip()
    registration = register(trip, person(1)).registration
    assert not service.may_commit(registration)
    with pytest.raises(service.AdoptionError):
        service.save_commitments(registration, [plan(what="Bank sampah")])
    assert _count() == 0


def test_an_anonymous_survey_takes_no_commitments(app):
    trip = returned_trip()
    survey = open_survey(trip, anonymous=True)
    registration = register(trip, person(1)).registration
    submit(survey, registration, good_answers(survey))
    assert not service.may_commit(registration)
    with pytest.raises(service.AdoptionError):
        service.save_commitments(registration, [plan(what="Bank sampah")])
    assert _count() == 0


def test_plan_is_locked_once_the_first_round_opens(app):
    trip = returned_trip()
    registration = committed(trip)
    now = utcnow()
    service.open_followup(trip, 1, now)
    assert not service.may_commit(registration, now)
    with pytest.raises(service.CommitmentsLocked):
        service.save_commitments(registration, [plan(what="Ronda")], now)
    assert [c.title() for c in service.commitments_of(registration)] == ["Bank sampah RT"]


def test_plan_stays_editable_until_the_moment_the_round_opened(app):
    trip = returned_trip()
    registration = committed(trip)
    later = utcnow() + timedelta(days=3)
    service.open_followup(trip, 1, later)
    service.save_commitments(registration, [plan(what="Ronda")], utcnow())
    assert service.commitments_locked(trip, later + timedelta(seconds=1))


def test_month_choices_start_this_month(app):
    now = utcnow()
    months = month_choices(now)
    assert months[0].strftime("%Y-%m") == now.strftime("%Y-%m") or months[0] <= now.date()
    assert next_month(now) == months[1].strftime("%Y-%m")
