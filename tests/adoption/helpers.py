"""Small builders shared by the adoption tests: a trip back home, people who answered the
survey and made a plan."""

from __future__ import annotations

from datetime import datetime, timedelta

from kampung.adoption import service
from kampung.adoption.models import Practice
from kampung.adoption.months import month_choices
from kampung.adoption.service import CommitmentData
from kampung.database import utcnow
from kampung.demo import create_demo_trip
from kampung.extensions import db
from kampung.feedback.service import submit
from kampung.i18n import WIB
from kampung.signup.service import register
from tests.conftest import person
from tests.feedback.helpers import good_answers, open_survey


def returned_trip(days_ago: int = 40, **kwargs):
    """The demo trip, back home `days_ago - 2` days ago, its named survey open."""
    departure = datetime.now(WIB).date() - timedelta(days=days_ago)
    trip = create_demo_trip(participants=0, departure=departure, **kwargs)
    open_survey(trip)
    return trip


def practice(trip, name: str = "Bank sampah RT") -> Practice:
    return db.session.scalar(
        db.select(Practice).where(Practice.trip_id == trip.id, Practice.name == name)
    )


def next_month(now: datetime | None = None, ahead: int = 1) -> str:
    return month_choices(now or utcnow())[ahead].strftime("%Y-%m")


def plan(
    practice_id: int | None = None, what: str = "", carried_by: str = "Pak RT"
) -> CommitmentData:
    return CommitmentData(str(practice_id or ""), what, next_month(), carried_by)


def committed(trip, i: int = 1, plans: list[CommitmentData] | None = None, **overrides):
    """Participant i, who answered the survey and committed to the plans (default: the bank
    sampah)."""
    registration = register(trip, person(i, **overrides)).registration
    survey = open_survey(trip)
    submit(survey, registration, good_answers(survey, text="Bank sampah"))
    service.save_commitments(registration, plans or [plan(practice(trip).id)])
    return registration
