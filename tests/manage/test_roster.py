"""The roster: search, filters, a constant number of queries, and each admin action."""

from contextlib import contextmanager

from flask import g
from sqlalchemy import event, update

from kampung.extensions import db
from kampung.models import Trip
from kampung.signup import service as signup
from kampung.signup.models import Registration, Status
from tests.conftest import log_in, person
from tests.manage.conftest import client_as


def fill(trip, count: int, **overrides):
    return [signup.register(trip, person(i, **overrides)).registration for i in range(count)]


@contextmanager
def counting_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def roster_queries(client, slug: str) -> int:
    # A fresh session, so that nothing the test loaded hides a lazy load from the count.
    db.session.close()
    g.pop("_login_user", None)
    with counting_queries() as statements:
        response = client.get(f"/manage/{slug}/participants")
    assert response.status_code == 200
    return len(statements)


def test_roster_queries_do_not_grow_with_participants(client, admin, trip):
    log_in(client, admin)
    slug = trip.slug
    fill(trip, 5)
    with_five = roster_queries(client, slug)
    trip = db.session.scalar(db.select(Trip).where(Trip.slug == slug))
    for i in range(5, 50):
        signup.register(trip, person(i))
    with_fifty = roster_queries(client, slug)
    assert with_fifty == with_five
    assert "Peserta Uji 49" in client.get(f"/manage/{slug}/participants").get_data(True)


def test_search_by_name_phone_in_any_form_and_rt(client, organiser, trip):
    fill(trip, 3)
    signup.register(trip, person(7, full_name="Siti Rahmawati", phone="+6281377778888", rt=17))
    log_in(client, organiser)
    url = f"/manage/{trip.slug}/participants"
    for q in ("siti", "0813-7777-8888", "6281377778888", "+62 813 7777 8888", "7777", "017"):
        page = client.get(url, query_string={"q": q}).get_data(as_text=True)
        assert "Siti Rahmawati" in page, q
        assert "Peserta Uji 1" not in page, q


def test_active_search_answers_htmx_with_the_results_only(client, chair, trip):
    fill(trip, 2)
    log_in(client, chair)
    response = client.get(
        f"/manage/{trip.slug}/participants",
        query_string={"q": "Uji 1"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="results"')
    assert "Peserta Uji 1" in page and "Peserta Uji 0" not in page
    assert "HX-Request" in response.headers["Vary"]
    # The back button restores the pushed URL: htmx then needs the whole page.
    restore = client.get(
        f"/manage/{trip.slug}/participants",
        query_string={"q": "Uji 1"},
        headers={
            "HX-Request": "true",
            "HX-Target": "results",
            "HX-History-Restore-Request": "true",
        },
    )
    assert restore.get_data(as_text=True).startswith("<!doctype html>")


def test_filters_work_as_a_plain_get_form(client, admin, trip):
    people = fill(trip, 3)
    signup.register(trip, person(9, kecamatan="Jelutung", full_name="Orang Jelutung"))
    signup.cancel(people[0])
    log_in(client, admin)
    url = f"/manage/{trip.slug}/participants"
    page = client.get(url, query_string={"kecamatan": "Jelutung"}).get_data(as_text=True)
    assert "Orang Jelutung" in page and "Peserta Uji 1" not in page
    page = client.get(url, query_string={"status": "cancelled"}).get_data(as_text=True)
    assert "Peserta Uji 0" in page and "Peserta Uji 1" not in page
    bus2 = trip.buses[1]
    page = client.get(url, query_string={"bus": str(bus2.id)}).get_data(as_text=True)
    assert "Tidak ada yang cocok." in page


def test_organiser_and_chair_read_the_roster_without_actions(app, organiser, chair, trip):
    registration = fill(trip, 1)[0]
    for user in (organiser, chair):
        client = client_as(app, user)
        page = client.get(f"/manage/{trip.slug}/participants").get_data(as_text=True)
        assert "Peserta Uji 0" in page
        assert "/edit" not in page and "/cancel" not in page
        base = f"/manage/{trip.slug}/participants/{registration.id}"
        assert client.get(f"{base}/edit").status_code == 403
        assert client.post_form(f"{base}/cancel").status_code == 403
        assert client.post_form(f"{base}/promote").status_code == 403
        assert client.post_form(f"{base}/bus", {"bus": ""}).status_code == 403
        assert client.get(f"/manage/{trip.slug}/import").status_code == 403
    db.session.expire_all()
    assert registration.status == Status.registered


def test_admin_edits_details_and_bus(client, admin, trip):
    registration = fill(trip, 1)[0]
    log_in(client, admin)
    data = {**person(0), "phone": "0813 1111 2222", "rt": "012", "bus": str(trip.buses[1].id)}
    response = client.post_form(f"/manage/{trip.slug}/participants/{registration.id}/edit", data)
    assert response.status_code == 302
    db.session.expire_all()
    assert (registration.phone, registration.rt) == ("+6281311112222", 12)
    assert registration.bus == trip.buses[1]


def test_edit_refuses_a_phone_used_by_another(client, admin, trip):
    first, second = fill(trip, 2)
    log_in(client, admin)
    data = {**person(1), "phone": first.phone, "bus": ""}
    response = client.post_form(f"/manage/{trip.slug}/participants/{second.id}/edit", data)
    assert response.status_code == 422
    assert "sudah terdaftar di perjalanan ini atas nama Peserta Uji 0" in response.get_data(True)


def test_cancel_asks_first_then_shows_who_was_promoted(client, admin, trip):
    trip.capacity = 1
    db.session.commit()
    seated, waiting = fill(trip, 2)
    log_in(client, admin)
    url = f"/manage/{trip.slug}/participants/{seated.id}/cancel"
    assert "Ya, batalkan pendaftaran ini" in client.get(url).get_data(as_text=True)
    response = client.post_form(url, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Pendaftaran Peserta Uji 0 dibatalkan." in page
    assert "Peserta Uji 1 naik dari daftar tunggu" in page
    db.session.expire_all()
    assert (seated.status, waiting.status) == (Status.cancelled, Status.registered)


def test_promote_a_waitlisted_person_when_a_seat_is_free(client, admin, trip):
    trip.capacity = 1
    db.session.commit()
    _seated, waiting = fill(trip, 2)
    log_in(client, admin)
    url = f"/manage/{trip.slug}/participants/{waiting.id}/promote"
    response = client.post_form(url)
    assert response.status_code == 409
    assert "Tidak ada kursi kosong." in response.get_data(as_text=True)
    trip.capacity = 2
    db.session.commit()
    assert client.post_form(url).status_code == 302
    db.session.expire_all()
    assert waiting.status == Status.registered
    assert waiting.bus is not None


def test_move_to_a_full_bus_is_refused(client, admin, trip):
    trip.buses[1].seats = 1
    db.session.commit()
    first, second = fill(trip, 2)
    log_in(client, admin)
    bus2 = str(trip.buses[1].id)
    assert (
        client.post_form(
            f"/manage/{trip.slug}/participants/{first.id}/bus", {"bus": bus2}
        ).status_code
        == 302
    )
    response = client.post_form(f"/manage/{trip.slug}/participants/{second.id}/bus", {"bus": bus2})
    assert response.status_code == 409
    assert "Bus 2 sudah penuh." in response.get_data(as_text=True)
    db.session.expire_all()
    assert second.bus == trip.buses[0]


def test_another_trips_person_is_not_found(client, admin, trip):
    log_in(client, admin)
    assert client.get(f"/manage/{trip.slug}/participants/999/edit").status_code == 404
    assert client.post_form(f"/manage/{trip.slug}/participants/999/promote").status_code == 404


def test_edit_onto_a_full_bus_saves_nothing(client, admin, trip):
    trip.buses[1].seats = 0
    db.session.commit()
    registration = fill(trip, 1)[0]
    log_in(client, admin)
    data = {**person(0), "full_name": "Nama Baru", "bus": str(trip.buses[1].id)}
    response = client.post_form(f"/manage/{trip.slug}/participants/{registration.id}/edit", data)
    assert response.status_code == 422
    assert "Bus 2 sudah penuh." in response.get_data(as_text=True)
    db.session.expire_all()
    assert (registration.full_name, registration.bus) == ("Peserta Uji 0", trip.buses[0])


def test_a_long_roster_is_split_into_pages(client, organiser, trip):
    fill(trip, 55)
    log_in(client, organiser)
    url = f"/manage/{trip.slug}/participants"
    first = client.get(url).get_data(as_text=True)
    assert "55 orang · halaman 1 dari 2" in first
    assert first.count('class="card person"') == 50
    second = client.get(url, query_string={"page": "2"}).get_data(as_text=True)
    assert second.count('class="card person"') == 5
    assert client.get(url, query_string={"page": "x"}).status_code == 200


def test_roster_shows_a_stored_override_isolated_and_removed(client, admin, trip):
    """A name from before the input rules, U+202E and all: shown as it reads, and the status
    badge after it is not turned around."""
    ahmad, _siti = fill(trip, 2)
    db.session.execute(
        update(Registration)
        .where(Registration.id == ahmad.id)
        .values(full_name="\u202eAhmad Lubis", kelurahan="\u2067Sulur")
    )
    db.session.commit()
    log_in(client, admin)
    for url in ("participants", f"participants/{ahmad.id}/edit", f"participants/{ahmad.id}/cancel"):
        html = client.get(f"/manage/{trip.slug}/{url}").get_data(as_text=True)
        assert "\u202e" not in html and "\u2067" not in html, url
        assert "<bdi>Ahmad Lubis</bdi>" in html, url
    roster = client.get(f"/manage/{trip.slug}/participants").get_data(as_text=True)
    assert '<h2 class="person-name"><bdi>Ahmad Lubis</bdi>' in roster
