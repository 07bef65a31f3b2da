"""Rooms and the manifest through the app: the command on the demo trip, the staff pages, the
exports read back by Python's csv and openpyxl, the personal page, and bad input."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from kampung.checkin import service as checkin
from kampung.demo import SLUG, create_demo_trip
from kampung.extensions import db
from kampung.manage.manifest import COLUMNS as MANIFEST_COLUMNS
from kampung.models import Trip
from kampung.rooms import service
from kampung.rooms.models import Room
from kampung.signup.models import Registration, Status
from kampung.signup.service import cancel, register
from tests.conftest import person
from tests.manage.conftest import client_as
from tests.rooms.test_service import assert_rooms_are_sound


def _seated(trip) -> list[Registration]:
    return list(
        db.session.scalars(
            db.select(Registration).where(
                Registration.trip_id == trip.id, Registration.status == Status.registered
            )
        )
    )


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _xlsx(response) -> tuple[list, list[list]]:
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return header, rows


@pytest.fixture
def demo(app):
    return create_demo_trip(participants=40)


def test_the_demo_trip_has_its_rooms_shared_out(demo):
    assert all(p.room_id is not None for p in _seated(demo))
    assert_rooms_are_sound(demo)


def test_rooms_assign_on_the_demo_trip_places_newcomers_and_moves_nobody(app, demo):
    before = {p.id: p.room_id for p in _seated(demo)}
    for i in range(3):
        register(demo, person(100 + i, gender="P"))
    late = register(demo, person(200, gender="L", share_with=_seated(demo)[0].full_name))
    result = app.test_cli_runner().invoke(args=["rooms", "assign", SLUG, "--size", "3"])
    assert result.exit_code == 0, result.output
    assert "4 placed" in result.output
    assert "Peserta Uji 100 (P) -> Kamar" in result.output
    db.session.expire_all()
    seated = _seated(demo)
    assert all(p.room_id is not None for p in seated)
    assert {p.id: p.room_id for p in seated if p.id in before} == before
    assert_rooms_are_sound(demo)
    assert late.registration.room_id is not None


def test_rooms_assign_names_an_unknown_trip(app):
    result = app.test_cli_runner().invoke(args=["rooms", "assign", "tidak-ada"])
    assert result.exit_code != 0 and "no trip" in result.output


def test_manifest_exports_have_one_row_per_seated_person(app, demo, organiser):
    db.session.get(Trip, demo.id).capacity = 39
    db.session.commit()
    cancel(_seated(demo)[0])  # cancelled: not on the bus
    register(demo, person(300))  # waitlisted: not on the bus either
    someone = _seated(demo)[1]
    checkin.check_in(someone.checkin_code, demo.checkpoints[0].id, organiser)
    client = client_as(app, organiser)
    seated = sorted(p.full_name for p in _seated(demo))

    rows = _csv(client.get(f"/manage/{SLUG}/manifest.csv"))
    assert list(rows[0]) == MANIFEST_COLUMNS
    assert len(rows) == len(seated) == 39
    assert sorted(row["full_name"] for row in rows) == seated
    assert all(row["room"].startswith("Kamar ") and row["bus"] for row in rows)
    mine = next(row for row in rows if row["full_name"] == someone.full_name)
    assert mine["last_checkpoint"] == "Keberangkatan Jambi" and mine["last_checkpoint_at"]
    # Bus by bus.
    assert [row["bus"] for row in rows] == sorted(row["bus"] for row in rows)

    header, xrows = _xlsx(client.get(f"/manage/{SLUG}/manifest.xlsx"))
    assert header == MANIFEST_COLUMNS
    assert len(xrows) == 39 and sorted(r[1] for r in xrows) == seated
    assert all(str(r[3]).startswith("+62") for r in xrows)


def test_rooms_exports_have_one_row_per_seated_person(app, demo, organiser):
    register(demo, person(400, gender="L"))  # seated, not placed yet: listed without a room
    client = client_as(app, organiser)
    rows = _csv(client.get(f"/manage/{SLUG}/rooms.csv"))
    assert list(rows[0]) == ["room", "full_name", "gender", "bus"]
    assert len(rows) == 41
    assert rows[-1]["full_name"] == "Peserta Uji 400" and rows[-1]["room"] == ""
    by_room: dict[str, set[str]] = {}
    for row in rows[:-1]:
        by_room.setdefault(row["room"], set()).add(row["gender"])
    assert all(len(genders) == 1 for genders in by_room.values())
    header, xrows = _xlsx(client.get(f"/manage/{SLUG}/rooms.xlsx"))
    assert header == ["room", "full_name", "gender", "bus"] and len(xrows) == 41


def test_the_chair_gets_no_manifest_and_the_organiser_does(app, demo, chair, organiser):
    as_chair = client_as(app, chair)
    for path in ("manifest", "manifest.csv", "manifest.xlsx", "rooms", "rooms.csv"):
        assert as_chair.get(f"/manage/{SLUG}/{path}").status_code == 403, path
    as_organiser = client_as(app, organiser)
    page = as_organiser.get(f"/manage/{SLUG}/manifest")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Manifes penumpang: Bus 1" in html and "Manifes penumpang: Bus 2" in html
    assert 'href="/manage/studi-banding-bengkulu/manifest"' in html  # in the trip's menu


def test_the_manifest_shows_health_notes_and_emergency_contacts(app, trip, organiser):
    register(
        trip,
        person(1, notes="Alergi udang", emergency_name="Siti", emergency_phone="+6281299990000"),
    )
    html = client_as(app, organiser).get(f"/manage/{trip.slug}/manifest").get_data(True)
    assert "Alergi udang" in html and "Siti" in html and "0812-9999-0000" in html


def test_the_roster_shows_the_last_checkpoint_and_the_room(app, trip, organiser):
    a = register(trip, person(1)).registration
    register(trip, person(2))
    room = service.add_room(trip, "Kamar 7", 2)
    service.move_to_room(a, room)
    checkin.check_in(a.checkin_code, trip.checkpoints[0].id, organiser)
    html = client_as(app, organiser).get(f"/manage/{trip.slug}/participants").get_data(True)
    assert "Titik absen terakhir: Keberangkatan Jambi" in html
    assert "Kamar: Kamar 7" in html
    assert "belum dipindai" in html


def test_an_organiser_adds_a_room_and_shares_out_the_rooms(app, trip, organiser):
    for i, gender in enumerate("LLP"):
        register(trip, person(i, gender=gender))
    client = client_as(app, organiser)
    response = client.post_form(
        f"/manage/{trip.slug}/rooms/new", {"name": "Kamar 101", "capacity": "3", "gender": "L"}
    )
    assert response.status_code == 303
    response = client.post_form(f"/manage/{trip.slug}/rooms/assign", {"size": "2"})
    assert response.status_code == 303
    html = client.get(f"/manage/{trip.slug}/rooms").get_data(True)
    assert "3 orang mendapat kamar. 1 kamar dibuat." in html
    assert "3 dari 3 peserta yang mendapat kursi sudah punya kamar." in html
    assert "Kamar 101" in html and "2/3 tempat tidur" in html


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "Kamar 1", "capacity": "0"}, "Satu kamar berisi 1 sampai 20 tempat tidur."),
        ({"name": "", "capacity": "2"}, "Tulis nama kamar, misalnya Kamar 12."),
        ({"name": "   ", "capacity": "2"}, "Tulis nama kamar, misalnya Kamar 12."),
        ({"name": "Kamar 1", "capacity": "dua"}, "Tulis angka saja."),
        ({"name": "Kamar 1", "capacity": ""}, "Berapa orang tidur di kamar ini?"),
        ({"name": "Kamar 1", "capacity": "2", "gender": "X"}, "Pilihan tidak dikenal."),
    ],
)
def test_a_bad_room_is_refused_with_a_message_and_nothing_saved(
    app, trip, organiser, form, message
):
    response = client_as(app, organiser).post_form(f"/manage/{trip.slug}/rooms/new", form)
    assert response.status_code == 422
    assert message in response.get_data(True)
    assert db.session.scalar(db.select(db.func.count(Room.id))) == 0


def test_a_second_room_of_the_same_name_is_refused(app, trip, organiser):
    service.add_room(trip, "Kamar 1", 2)
    response = client_as(app, organiser).post_form(
        f"/manage/{trip.slug}/rooms/new", {"name": "Kamar 1", "capacity": "2"}
    )
    assert response.status_code == 409
    assert "sudah punya kamar dengan nama itu" in response.get_data(True)


def test_a_move_into_a_full_room_or_one_of_the_other_gender_is_refused(app, trip, organiser):
    a, b, c = (register(trip, person(i, gender=g)).registration for i, g in enumerate("LLP"))
    room = service.add_room(trip, "Kamar 1", 1)
    service.move_to_room(a, room)
    other = service.add_room(trip, "Kamar putra", 2, "L")
    client = client_as(app, organiser)
    url = f"/manage/{trip.slug}/participants/{{}}/room"
    # The choice offers only the rooms that can take the person.
    page = client.get(url.format(c.id)).get_data(True)
    assert "Kamar 1" not in page and "Kamar putra" not in page
    assert "Kamar putra · 2 tempat kosong" in client.get(url.format(b.id)).get_data(True)
    # A form sent anyway is refused in words, and nothing moves.
    full = client.post_form(url.format(b.id), {"room": room.id})
    assert full.status_code == 409
    assert "Kamar 1 sudah penuh: pilih kamar lain." in full.get_data(True)
    wrong = client.post_form(url.format(c.id), {"room": other.id})
    assert wrong.status_code == 409
    assert "Kamar putra untuk jenis kelamin lain: pilih kamar lain." in wrong.get_data(True)
    bogus = client.post_form(url.format(c.id), {"room": "999"})
    assert bogus.status_code == 422
    assert "Pilih salah satu kamar perjalanan ini." in bogus.get_data(True)
    db.session.expire_all()
    assert (b.room_id, c.room_id) == (None, None)
    moved = client.post_form(
        url.format(b.id), {"room": other.id, "back": f"/manage/{trip.slug}/participants?q=uji"}
    )
    assert moved.status_code == 303
    assert moved.headers["Location"].endswith("/participants?q=uji")
    db.session.expire_all()
    assert b.room_id == other.id
    # Another site is never where "back" leads.
    away = client.post_form(url.format(b.id), {"room": "", "back": "//evil.example/"})
    assert away.headers["Location"].endswith(f"/manage/{trip.slug}/rooms")


def test_the_admin_edits_whom_someone_shares_with_and_their_room(app, trip, admin):
    a = register(trip, person(1, gender="P")).registration
    full = service.add_room(trip, "Kamar 1", 1, "P")
    service.move_to_room(register(trip, person(2, gender="P")).registration, full)
    free = service.add_room(trip, "Kamar 2", 2, "P")
    client = client_as(app, admin)
    url = f"/manage/{trip.slug}/participants/{a.id}/edit"
    form = {**person(1, gender="P"), "phone": "0813 2000 0001", "bus": str(trip.buses[0].id)}
    refused = client.post_form(url, {**form, "share_with": "Bu Rina", "room": str(full.id)})
    assert refused.status_code == 422
    assert "Kamar 1 sudah penuh" in refused.get_data(True)
    db.session.expire_all()
    assert (a.share_with, a.room_id) == ("", None)
    saved = client.post_form(url, {**form, "share_with": "Bu Rina", "room": str(free.id)})
    assert saved.status_code == 302
    db.session.expire_all()
    assert (a.share_with, a.room_id) == ("Bu Rina", free.id)


def test_a_participant_asks_for_a_roommate_when_signing_up(client, trip):
    from tests.abuse.targets import PERSON

    response = client.post_form(
        f"/e/{trip.slug}", {**PERSON, "consent": "y", "share_with": "Siti Aminah"}
    )
    assert response.status_code == 303
    assert db.session.scalar(db.select(Registration.share_with)) == "Siti Aminah"
    # Optional: the form without it still signs up.
    page = client.get(f"/e/{trip.slug}").get_data(True)
    assert "Ingin sekamar dengan siapa? (boleh dikosongkan)" in page


def test_the_personal_page_shows_the_room_and_only_the_roommates_names(client, trip):
    me = register(trip, person(1, gender="L")).registration
    mate = register(trip, person(2, gender="L", notes="Diabetes")).registration
    service.assign_rooms(trip)
    html = client.get(f"/p/{me.access_token}").get_data(True)
    room = db.session.get(Room, me.room_id)
    assert "Kamar Anda" in html and room.name in html
    assert "Peserta Uji 2" in html
    assert (
        "Diabetes" not in html and "0813" not in html.split("Kamar Anda")[1].split("</section>")[0]
    )
    assert mate.room_id == me.room_id
    # A registration without a room has no room card.
    alone = register(trip, person(3, gender="")).registration
    assert "Kamar Anda" not in client.get(f"/p/{alone.access_token}").get_data(True)


def test_the_rooming_list_prints_every_room(app, demo, organiser):
    html = client_as(app, organiser).get(f"/manage/{SLUG}/rooms/print").get_data(True)
    assert "Daftar kamar" in html
    for room in service.room_list(demo):
        assert room.name in html


def test_hostile_names_leave_the_exports_formula_safe(app, trip, organiser):
    register(trip, person(1, full_name="=HYPERLINK(1)", notes="+1+1", share_with="@x"))
    client = client_as(app, organiser)
    rows = _csv(client.get(f"/manage/{trip.slug}/manifest.csv"))
    assert rows[0]["full_name"] == "'=HYPERLINK(1)" and rows[0]["notes"] == "'+1+1"


def test_nothing_without_a_login(client, trip):
    response = client.get(f"/manage/{trip.slug}/manifest.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
