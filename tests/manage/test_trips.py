"""Trip admin: create and edit a trip, its buses and checkpoints, capacity rules."""

from datetime import UTC, datetime

import pytest

from kampung.extensions import db
from kampung.models import Trip
from kampung.signup import service as signup
from kampung.signup.models import Status
from tests.conftest import log_in, person
from tests.manage.conftest import client_as


def trip_form(**overrides) -> dict:
    data = {
        "title": "Studi Banding ke Padang",
        "slug": "studi-banding-padang",
        "description": "Tiga hari di Padang.",
        "origin": "Kantor Wali Kota Jambi",
        "destination": "Kota Padang",
        "departs_at": "2027-03-05T06:00",
        "returns_at": "2027-03-07T21:00",
        "meeting_point": "Halaman Kantor Wali Kota",
        "contact_name": "Bapak Hendra Wijaya",
        "contact_phone": "0812-0000-0200",
        "capacity": "40",
        "registration": "open",
        "registration_opens_at": "",
        "registration_closes_at": "2027-03-01T23:59",
        "buses-0-name": "Bus A",
        "buses-0-seats": "20",
        "buses-1-name": "Bus B",
        "buses-1-seats": "20",
        "checkpoints-0-name": "Kepulangan Padang",
        "checkpoints-0-position": "2",
        "checkpoints-1-name": "Keberangkatan Jambi",
        "checkpoints-1-position": "1",
        "action": "save",
    }
    data.update(overrides)
    return data


def edit_form(trip: Trip, **overrides) -> dict:
    data = trip_form(
        title=trip.title,
        slug=trip.slug,
        capacity=str(trip.capacity),
        **{
            "buses-0-id": str(trip.buses[0].id),
            "buses-0-name": trip.buses[0].name,
            "buses-0-seats": str(trip.buses[0].seats),
            "buses-1-id": str(trip.buses[1].id),
            "buses-1-name": trip.buses[1].name,
            "buses-1-seats": str(trip.buses[1].seats),
            "checkpoints-0-id": str(trip.checkpoints[0].id),
            "checkpoints-0-name": trip.checkpoints[0].name,
            "checkpoints-0-position": "1",
            "checkpoints-1-id": str(trip.checkpoints[1].id),
            "checkpoints-1-name": trip.checkpoints[1].name,
            "checkpoints-1-position": "2",
        },
    )
    data.update(overrides)
    return data


def test_admin_creates_a_trip_with_times_in_wib(client, admin):
    log_in(client, admin)
    response = client.post_form("/manage/new", trip_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/manage/studi-banding-padang/")
    trip = db.session.scalar(db.select(Trip).where(Trip.slug == "studi-banding-padang"))
    # 06:00 WIB is 23:00 UTC the day before.
    assert trip.departs_at == datetime(2027, 3, 4, 23, 0, tzinfo=UTC)
    assert trip.registration_open is True
    assert trip.registration_opens_at is None
    assert [(b.name, b.seats) for b in trip.buses] == [("Bus A", 20), ("Bus B", 20)]
    # Ordered by the numbers the admin wrote, not by the rows.
    assert [c.name for c in trip.checkpoints] == ["Keberangkatan Jambi", "Kepulangan Padang"]
    page = client.get("/manage/studi-banding-padang/edit").get_data(as_text=True)
    assert 'value="2027-03-05T06:00"' in page


def test_trip_texts_bus_and_checkpoint_names_are_cleaned(client, admin):
    log_in(client, admin)
    form = trip_form(
        title="Studi\x0bBanding\u202e ke Padang",
        slug=" Studi-Banding-Padang\u200b",
        description="Hari 1\r\nHari 2\x01",
        meeting_point="\u2066Halaman\u2069 Kantor",
        **{"buses-0-name": "Bus\u00a0A\u200b", "checkpoints-1-name": "Keberangkatan\tJambi"},
    )
    assert client.post_form("/manage/new", form).status_code == 302
    trip = db.session.scalar(db.select(Trip).where(Trip.slug == "studi-banding-padang"))
    assert (trip.title, trip.meeting_point) == ("Studi Banding ke Padang", "Halaman Kantor")
    assert trip.description == "Hari 1\nHari 2"
    assert trip.buses[0].name == "Bus A"
    assert trip.checkpoints[0].name == "Keberangkatan Jambi"


def test_taken_slug_is_refused_with_a_message(client, admin, trip):
    log_in(client, admin)
    response = client.post_form("/manage/new", trip_form(slug=trip.slug))
    assert response.status_code == 422
    assert "Nama tautan ini sudah dipakai perjalanan lain." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Trip)) == 1


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-06-01T06:00"])
def test_a_date_in_an_implausible_year_is_refused_with_a_message(client, admin, when):
    log_in(client, admin)
    response = client.post_form("/manage/new", trip_form(departs_at=when))
    assert response.status_code == 422
    assert "Pilih tanggal antara tahun 2000 dan 2100." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Trip)) == 0


def test_bad_slug_and_return_before_departure_are_refused(client, admin):
    log_in(client, admin)
    response = client.post_form(
        "/manage/new", trip_form(slug="Studi Banding!", returns_at="2027-03-01T06:00")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "huruf kecil, angka, dan tanda hubung" in page
    assert "Waktu pulang harus setelah keberangkatan." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Trip)) == 0


def test_add_a_bus_row_without_javascript(client, admin):
    log_in(client, admin)
    response = client.post_form("/manage/new", trip_form(action="add_bus"))
    assert response.status_code == 200
    assert 'name="buses-2-name"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Trip)) == 0


def test_add_a_checkpoint_row_with_htmx_returns_only_the_fieldset(client, admin):
    log_in(client, admin)
    response = client.post_form(
        "/manage/new",
        trip_form(action="add_checkpoint"),
        headers={"HX-Request": "true", "HX-Target": "checkpoints"},
    )
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<fieldset id="checkpoints"')
    assert 'name="checkpoints-2-name"' in page


def test_edit_removes_a_bus_and_renames_a_checkpoint(client, admin, trip):
    log_in(client, admin)
    response = client.post_form(
        f"/manage/{trip.slug}/edit",
        edit_form(trip, **{"buses-1-remove": "y", "checkpoints-1-name": "Pulang"}),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [b.name for b in trip.buses] == ["Bus 1"]
    assert [c.name for c in trip.checkpoints] == ["Keberangkatan Jambi", "Pulang"]


def test_capacity_below_the_registered_count_is_refused(client, admin, trip):
    for i in range(3):
        signup.register(trip, person(i))
    log_in(client, admin)
    response = client.post_form(f"/manage/{trip.slug}/edit", edit_form(trip, capacity="2"))
    assert response.status_code == 422
    assert "3 orang sudah terdaftar" in response.get_data(as_text=True)
    db.session.expire_all()
    assert trip.capacity == 67


def test_raising_the_capacity_promotes_the_waitlist(client, admin, trip):
    trip.capacity = 1
    db.session.commit()
    first = signup.register(trip, person(1)).registration
    waiting = signup.register(trip, person(2)).registration
    assert waiting.status == Status.waitlisted
    log_in(client, admin)
    response = client.post_form(f"/manage/{trip.slug}/edit", edit_form(trip, capacity="2"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (first.status, waiting.status) == (Status.registered, Status.registered)
    assert waiting.promoted_at is not None
    page = client.get(f"/manage/{trip.slug}/").get_data(as_text=True)
    assert "Peserta Uji 2" in page
    # The admin tells them through the recorded send, whose answer carries the personal link.
    assert f'action="/manage/{trip.slug}/participants/{waiting.id}/send-link"' in page
    ready = client.post_form(
        f"/manage/{trip.slug}/participants/{waiting.id}/send-link", {"message": "promoted"}
    ).get_data(as_text=True)
    assert "https://wa.me/62813" in ready and waiting.access_token in ready
    assert "kabar%20baik" in ready


def test_told_button_clears_the_promotion(client, organiser, trip):
    trip.capacity = 0
    db.session.commit()
    waiting = signup.register(trip, person(1)).registration
    trip.capacity = 1
    trip.lock()
    signup.fill_free_seats(trip)
    db.session.commit()
    log_in(client, organiser)
    response = client.post_form(f"/manage/{trip.slug}/participants/{waiting.id}/told")
    assert response.status_code == 302
    db.session.expire_all()
    assert waiting.promoted_at is None


def test_trip_page_shows_counts_and_the_share_link(client, chair, trip):
    signup.register(trip, person(1))
    log_in(client, chair)
    page = client.get(f"/manage/{trip.slug}/").get_data(as_text=True)
    assert "1 / 67" in page
    assert f"http://localhost/e/{trip.slug}" in page
    assert "https://wa.me/?text=Pendaftaran" in page
    # Check-in and review links are left to their areas.
    assert 'href="/manage/' in page


def test_organiser_and_chair_cannot_edit_a_trip(app, organiser, chair, trip):
    registration = signup.register(trip, person(1)).registration
    told = f"/manage/{trip.slug}/participants/{registration.id}/told"
    assert client_as(app, chair).post_form(told).status_code == 403
    for user in (organiser, chair):
        client = client_as(app, user)
        assert client.get("/manage/new").status_code == 403
        assert client.get(f"/manage/{trip.slug}/edit").status_code == 403
        assert client.post_form(f"/manage/{trip.slug}/edit", edit_form(trip)).status_code == 403


def test_anonymous_is_sent_to_login(client, trip):
    for url in ("/manage/new", f"/manage/{trip.slug}/", f"/manage/{trip.slug}/participants"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_a_registration_window_that_closes_before_it_opens_is_refused(client, admin):
    log_in(client, admin)
    response = client.post_form(
        "/manage/new",
        trip_form(
            registration_opens_at="2027-02-01T08:00", registration_closes_at="2027-01-01T08:00"
        ),
    )
    assert response.status_code == 422
    assert "Pendaftaran harus ditutup setelah dibuka." in response.get_data(as_text=True)


def test_adding_rows_stops_at_twenty_buses(client, admin):
    log_in(client, admin)
    data = trip_form(action="add_bus")
    data.update({f"buses-{i}-name": f"Bus {i}" for i in range(20)})
    data.update({f"buses-{i}-seats": "10" for i in range(20)})
    response = client.post_form("/manage/new", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="buses-19-name"' in page and 'name="buses-20-name"' not in page


def test_staff_pages_in_english_keep_whatsapp_messages_indonesian(client, admin, trip):
    registration = signup.register(trip, person(1)).registration
    log_in(client, admin)
    client.get("/?lang=en")
    base = f"/manage/{trip.slug}"
    for url in (
        "/manage/",
        "/manage/new",
        f"{base}/",
        f"{base}/edit",
        f"{base}/participants",
        f"{base}/participants/{registration.id}/edit",
        f"{base}/participants/{registration.id}/cancel",
        f"{base}/import",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.get_data(as_text=True), url
    page = client.get(f"{base}/").get_data(as_text=True)
    assert "Share in WhatsApp" in page
    assert "?text=Pendaftaran%20Studi%20Banding" in page


def test_the_contact_person_is_saved_in_e164_and_shown_back(client, admin, trip):
    log_in(client, admin)
    data = edit_form(trip, contact_name="Ibu Sari Dewi", contact_phone="62 812 0000 0300")
    assert client.post_form(f"/manage/{trip.slug}/edit", data).status_code == 302
    db.session.expire_all()
    assert (trip.contact_name, trip.contact_phone) == ("Ibu Sari Dewi", "+6281200000300")
    page = client.get(f"/manage/{trip.slug}/edit").get_data(as_text=True)
    assert 'value="Ibu Sari Dewi"' in page and 'value="0812-0000-0300"' in page
    # Both emptied: the trip has no contact person, and the pages say "the committee".
    data = edit_form(trip, contact_name="", contact_phone="")
    assert client.post_form(f"/manage/{trip.slug}/edit", data).status_code == 302
    db.session.expire_all()
    assert (trip.contact_name, trip.contact_phone) == ("", "")


def test_bad_contact_input_is_refused_with_a_message_and_saves_nothing(client, admin, trip):
    log_in(client, admin)
    before = (trip.contact_name, trip.contact_phone, trip.title)
    cases = {
        "Nomor HP ini tidak valid": {"contact_phone": "bukan nomor"},
        "Nomor HP ini tidak valid.": {"contact_phone": "9" * 400},
        "Tulis nama narahubung": {"contact_name": ""},
        "tulis nomornya": {"contact_phone": ""},
        "Paling banyak 120 karakter": {"contact_name": "Ibu " + "a" * 130},
    }
    for message, change in cases.items():
        data = edit_form(trip, title="Judul Baru", **change)
        response = client.post_form(f"/manage/{trip.slug}/edit", data)
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
        db.session.expire_all()
        assert (trip.contact_name, trip.contact_phone, trip.title) == before, change
