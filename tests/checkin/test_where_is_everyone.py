"""Where is everyone: each missing person's last checkpoint on the count page (one query for the
page), and the undo of a check-in reachable from the roster, for organisers and admins only."""

from __future__ import annotations

from kampung.auth.models import User
from kampung.checkin import service, stops
from kampung.checkin.models import CheckIn
from kampung.extensions import db
from kampung.models import Trip
from kampung.signup.service import register
from tests.conftest import person
from tests.manage.conftest import client_as
from tests.manage.test_roster import counting_queries


def test_the_count_page_says_where_each_missing_person_was_last_counted(
    app, trip, organiser, two_buses
):
    _bus1, _bus2, people = two_buses
    departure = trip.checkpoints[0]
    service.check_in(people[0].checkin_code, departure.id, organiser)
    stop = stops.add_stop(trip, "Rest area Lubuk Linggau")
    html = (
        client_as(app, organiser).get(f"/manage/{trip.slug}/checkin/{stop.id}/count").get_data(True)
    )
    mine = html.split(people[0].full_name, 1)[1].split("</li>", 1)[0]
    assert f"Titik absen terakhir: <bdi>{departure.name}</bdi>" in mine
    never = html.split(people[1].full_name, 1)[1].split("</li>", 1)[0]
    assert 'Titik absen terakhir: <span class="muted">belum dipindai</span>' in never


def test_the_last_checkpoints_of_the_missing_are_one_query_whatever_their_number(
    app, trip, organiser
):
    organiser_id = organiser.id
    trip_id, departure_id = trip.id, trip.checkpoints[0].id
    stop = stops.add_stop(trip, "Rest area")
    client = client_as(app, organiser)
    url = f"/manage/{trip.slug}/checkin/{stop.id}/count"

    numbers = iter(range(100, 200))

    def queries_with(n: int) -> int:
        the_trip = db.session.get(Trip, trip_id)
        by = db.session.get(User, organiser_id)
        for _ in range(n):
            registration = register(the_trip, person(next(numbers))).registration
            service.check_in(registration.checkin_code, departure_id, by)
        db.session.close()
        with counting_queries() as statements:
            html = client.get(url, headers={"HX-Request": "true", "HX-Target": "missing"})
        assert html.get_data(True).count("Keberangkatan") >= n
        return len(statements)

    assert queries_with(2) == queries_with(10)


def test_an_organiser_undoes_a_check_in_from_the_roster_with_a_reason(
    app, trip, organiser, two_buses
):
    _bus1, _bus2, people = two_buses
    result = service.check_in(people[0].checkin_code, trip.checkpoints[0].id, organiser)
    client = client_as(app, organiser)
    html = client.get(f"/manage/{trip.slug}/participants").get_data(True)
    undo = f"/manage/{trip.slug}/checkin/undo/{result.checkin_id}?back=roster"
    assert f'href="{undo}"' in html.replace("&amp;", "&")
    assert "Batalkan check-in" in html
    page = client.get(undo).get_data(True)
    assert "Kembali ke daftar peserta" in page
    response = client.post_form(undo, {"reason": "Salah pindai"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/{trip.slug}/participants")
    checkin = db.session.get(CheckIn, result.checkin_id)
    assert checkin.undone_at is not None and checkin.undo_reason == "Salah pindai"


def test_the_admin_sees_the_undo_on_the_roster_and_the_chair_does_not(
    app, trip, organiser, admin, chair, two_buses
):
    _bus1, _bus2, people = two_buses
    result = service.check_in(people[0].checkin_code, trip.checkpoints[0].id, organiser)
    undo = f"/checkin/undo/{result.checkin_id}"
    admin_page = client_as(app, admin).get(f"/manage/{trip.slug}/participants").get_data(True)
    assert undo in admin_page
    chair_client = client_as(app, chair)
    chair_page = chair_client.get(f"/manage/{trip.slug}/participants").get_data(True)
    assert "Titik absen terakhir" in chair_page and undo not in chair_page
    assert chair_client.get(f"/manage/{trip.slug}{undo}?back=roster").status_code in (302, 403)
