"""A follow-up round opens by itself on its day: nobody has to remember to open it for the
participants to be asked, and what an admin decided early stays decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from kampung.adoption import service
from kampung.adoption.models import FollowupAnswer, FollowupRound, round_opening_by_itself
from kampung.extensions import db
from kampung.trips import copy_trip
from tests.adoption.helpers import committed, returned_trip
from tests.conftest import log_in

BACK = datetime(2026, 7, 1, 9, tzinfo=UTC)


def _rounds(opened: dict[int, datetime] | None = None) -> list[FollowupRound]:
    """The default rounds (30 and 90 days after the return), some of them opened once."""
    opened = opened or {}
    return [
        FollowupRound(number=n, days_after=days, opened_at=opened.get(n))
        for n, days in ((1, 30), (2, 90))
    ]


@pytest.mark.parametrize(
    ("day", "opened", "expected"),
    [
        (29, {}, None),  # not yet its day
        (30, {}, 1),
        (45, {}, 1),
        (61, {}, None),  # its time to answer has passed: too late to ask round 1
        (100, {}, 2),  # first looked at on day 100: round 2, not round 1
        (40, {1: BACK + timedelta(days=31)}, None),  # already opened (and perhaps closed)
        (40, {2: BACK + timedelta(days=20)}, None),  # the admin went on to round 2 early
        (95, {1: BACK + timedelta(days=30)}, 2),
    ],
)
def test_which_round_opens_by_itself(day, opened, expected):
    trip = SimpleNamespace(returns_at=BACK)
    chosen = round_opening_by_itself(trip, _rounds(opened), BACK + timedelta(days=day))
    assert (chosen.number if chosen else None) == expected


def test_on_its_day_the_participant_is_asked_without_anyone_opening_it(client):
    trip = returned_trip(days_ago=40)  # back 38 days ago: the first round (30 days) has come
    registration = committed(trip)
    (commitment,) = service.commitments_of(registration)
    token = registration.access_token

    personal = client.get(f"/p/{token}").get_data(as_text=True)
    assert "Jawab tindak lanjut" in personal
    (first, second) = service.rounds_of(trip)
    assert first.is_open and first.opened_at is not None and not second.is_open
    answered = client.post_form(f"/p/{token}/followup", {f"status-{commitment.id}": "started"})
    assert answered.status_code == 303
    assert db.session.scalar(db.select(FollowupAnswer.status)) == "started"


def test_a_round_the_admin_closed_stays_closed(client, admin):
    trip = returned_trip(days_ago=40)
    registration = committed(trip)
    service.open_round(trip)
    log_in(client, admin)
    url = f"/manage/{trip.slug}/followup"
    assert client.post_form(url, {"action": "close"}).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "ditutup" in page and "dibuka otomatis pada" in page  # round 2, still to come
    assert service.open_round(trip) is None
    participant = client.application.test_client()
    assert "Jawab tindak lanjut" not in participant.get(f"/p/{registration.access_token}").get_data(
        as_text=True
    )


def test_the_chairs_dashboard_shows_the_round_that_opened(client, chair):
    trip = returned_trip(days_ago=40)
    committed(trip, 1)
    committed(trip, 2)
    log_in(client, chair)
    page = client.get(f"/manage/{trip.slug}/adoption").get_data(as_text=True)
    assert 'id="missing-count">2<' in page
    assert service.open_round(trip).number == 1


def test_a_copy_still_on_last_years_dates_opens_nothing_by_itself(client, admin):
    trip = returned_trip(days_ago=40)  # its first round has come
    committed(trip)
    copy = copy_trip(trip, "studi-banding-berikutnya")  # same dates until the admin edits them
    log_in(client, admin)
    assert client.get(f"/manage/{copy.slug}/adoption").status_code == 200
    assert client.get(f"/manage/{copy.slug}/followup").status_code == 200
    assert all(r.opened_at is None for r in service.rounds_of(copy))
    assert not service.commitments_locked(copy)
    assert service.open_round(trip).number == 1  # the trip itself, with a commitment, is asked
