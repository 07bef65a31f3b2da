"""When the trip's dates move (postponed a week, or a copied trip given its own), the rundown
moves with it, at the same times of day; after publishing, participants are told once."""

from __future__ import annotations

from datetime import timedelta

from kampung.extensions import db
from kampung.i18n import WIB
from kampung.schedule import reading, service
from kampung.schedule.models import Notice, NoticeKind
from kampung.trips import copy_trip
from tests.conftest import log_in
from tests.manage.test_trips import edit_form
from tests.schedule.helpers import people


def _wib(moment):
    return moment.astimezone(WIB)


def _move_dates(client, trip, **delta):
    """The admin's edit of the trip's dates, everything else as it is."""
    fmt = "%Y-%m-%dT%H:%M"
    shift = timedelta(**delta)
    data = edit_form(
        trip,
        departs_at=(_wib(trip.departs_at) + shift).strftime(fmt),
        returns_at=(_wib(trip.returns_at) + shift).strftime(fmt),
        registration_closes_at="",
    )
    response = client.post_form(f"/manage/{trip.slug}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()


def _times(trip) -> list[tuple]:
    return [(_wib(i.starts_at), i.ends_at and _wib(i.ends_at)) for i in service.items_of(trip)]


def test_a_postponed_trip_takes_its_rundown_along(client, admin, trip):
    if published := service.publication(trip):  # the demo's rundown went out: take it back
        db.session.delete(published)
        db.session.commit()
    before = _times(trip)
    assert before, "the demo trip has a rundown"
    log_in(client, admin)
    _move_dates(client, trip, days=7)
    after = _times(trip)
    week = timedelta(days=7)
    assert after == [(s + week, e and e + week) for s, e in before]
    assert {s.date() for s, _ in after} <= set(service.trip_days(trip))
    # Not published yet: the organisers still build it in silence.
    assert db.session.scalar(db.select(db.func.count()).select_from(Notice)) == 0


def test_after_publishing_participants_are_told_once(client, admin, trip):
    (someone,) = people(trip, 1)
    service.publish(trip, admin)
    log_in(client, admin)
    _move_dates(client, trip, days=7)
    (notice,) = db.session.scalars(db.select(Notice)).all()
    assert notice.kind == NoticeKind.announcement
    departs = _wib(trip.departs_at)
    assert "Tanggal perjalanan berubah" in notice.text and str(departs.day) in notice.text
    assert [n.id for n in reading.unread_for(someone)] == [notice.id]
    page = client.application.test_client().get(f"/p/{someone.access_token}")
    assert "Tanggal perjalanan berubah" in page.get_data(as_text=True)


def test_a_new_hour_on_the_same_day_moves_nothing(client, admin, trip):
    before = _times(trip)
    service.publish(trip, admin)
    log_in(client, admin)
    _move_dates(client, trip, hours=1)
    assert _times(trip) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(Notice)) == 0


def test_a_copied_trip_given_its_own_dates_has_its_rundown_on_them(client, admin, trip):
    source_times = _times(trip)
    copy = copy_trip(trip, "studi-banding-2027")
    log_in(client, admin)
    _move_dates(client, copy, days=70)
    ten_weeks = timedelta(days=70)
    assert _times(copy) == [(s + ten_weeks, e and e + ten_weeks) for s, e in source_times]
    assert _times(trip) == source_times


def test_the_edit_page_says_the_rundown_follows_the_departure(client, admin, trip):
    log_in(client, admin)
    page = client.get(f"/manage/{trip.slug}/edit").get_data(as_text=True)
    assert "jadwal acara ikut pindah" in page
