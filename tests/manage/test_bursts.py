"""Bursts of sign-ups: each self sign-up records where it came from (as keyed hashes), staff see
the sign-ups grouped by source and time, and cancel a burst in one action whose seats go to the
people on the waitlist."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from kampung.extensions import db
from kampung.manage import bursts
from kampung.manage.models import BurstRemoval
from kampung.origin import Origin
from kampung.privacy import purge_trip
from kampung.signup import service as signup
from kampung.signup.models import Registration, Status
from tests.conftest import PASSWORD, axe_violations, person, screenshot
from tests.manage.conftest import client_as

VENUE = {"REMOTE_ADDR": "203.0.113.7"}
#: the room on the venue Wi-Fi, each on their own phone
ROOM = Origin(network="a0a0a0a0a0a0a0a0", device=None)


def in_the_room(trip, i: int) -> Registration:
    origin = Origin(network=ROOM.network, device=f"{i:016x}")
    return signup.register(trip, person(i), origin=origin).registration


def sign_up_from(browser, trip, i: int, environ=VENUE):
    """The sign-up form sent from `browser` (a test client: one cookie jar), as a phone would."""
    browser.get(f"/e/{trip.slug}", environ_base=environ)
    data = person(i, consent="y")
    return browser.post_form(f"/e/{trip.slug}", data, environ_base=environ)


def statuses(people) -> set[str]:
    db.session.expire_all()
    return {db.session.get(Registration, p.id).status for p in people}


def test_admin_removes_a_burst_of_20_from_one_phone_and_the_waitlist_gets_the_seats(
    app, trip, admin
):
    first = [in_the_room(trip, i) for i in range(50)]
    script = app.test_client()
    for i in range(20):
        assert sign_up_from(script, trip, 100 + i).status_code == 303
    late = [in_the_room(trip, 200 + i) for i in range(10)]
    assert statuses(late) == {Status.waitlisted}, "the burst pushed them onto the waitlist"

    staff = client_as(app, admin)
    page = staff.get(f"/manage/{trip.slug}/")
    assert "Pendaftaran per sumber" in page.get_data(as_text=True)
    html = staff.get(f"/manage/{trip.slug}/signups").get_data(as_text=True)
    # The phone's burst comes first; the room is one network with a phone per person.
    assert html.index("20 pendaftaran dari satu perangkat dalam 1 menit") < html.index(
        "60 pendaftaran dari satu jaringan"
    )
    assert "Dari 60 perangkat." in html
    cancel = re.search(rf"/manage/{trip.slug}/signups/device/\d+/\d+/cancel", html).group(0)

    confirm = staff.get(cancel).get_data(as_text=True)
    assert "Batalkan 20 pendaftaran ini?" in confirm
    assert "17 mendapat kursi, 3 di daftar tunggu" in confirm
    done = staff.post_form(cancel, follow_redirects=True)
    body = done.get_data(as_text=True)
    assert "20 pendaftaran dibatalkan." in body
    assert "10 orang naik dari daftar tunggu ke kursi yang kosong." in body

    assert statuses(first + late) == {Status.registered}
    removal = db.session.scalars(db.select(BurstRemoval)).one()
    assert (removal.kind, removal.cancelled, removal.removed_by_id) == ("device", 20, admin.id)
    assert {r.status for r in removal.registrations} == {Status.cancelled}
    assert len(removal.registrations) == 20
    after = staff.get(f"/manage/{trip.slug}/signups").get_data(as_text=True)
    assert "20 pendaftaran dari satu perangkat" in after and "dibatalkan oleh Admin Kota" in after
    assert "perangkat dalam" not in after, "the burst is gone from the list"


def test_a_sign_up_keeps_its_sources_as_keyed_hashes_never_the_address(app, client, trip):
    assert sign_up_from(client, trip, 1).status_code == 303
    neighbour = app.test_client()
    assert sign_up_from(neighbour, trip, 2).status_code == 303
    one, two = db.session.scalars(db.select(Registration).order_by(Registration.id)).all()
    assert re.fullmatch(r"[0-9a-f]{16}", one.signup_network)
    assert "203.0.113.7" not in {one.signup_network, one.signup_device}
    assert one.signup_network == two.signup_network, "one Wi-Fi"
    assert one.signup_device != two.signup_device, "two phones"
    staff_import = signup.register(trip, person(3), source="import").registration
    assert (staff_import.signup_network, staff_import.signup_device) == (None, None)

    purge_trip(trip, now=trip.returns_at + timedelta(days=1))
    db.session.expire_all()
    assert {
        (r.signup_network, r.signup_device) for r in db.session.scalars(db.select(Registration))
    } == {(None, None)}


def test_a_room_on_one_network_is_no_burst_of_any_phone(app, trip):
    for i in range(30):
        assert sign_up_from(app.test_client(), trip, i).status_code == 303
    found = bursts.find_bursts(trip)
    assert [(b.kind, b.size, b.devices) for b in found] == [("network", 30, 30)]


def test_a_burst_ends_where_the_sign_ups_are_far_apart(app, trip):
    phone = Origin(network="b1b1b1b1b1b1b1b1", device="c2c2c2c2c2c2c2c2")
    people = [signup.register(trip, person(i), origin=phone).registration for i in range(4)]
    start = people[0].created_at
    for person_, minutes in zip(people, (0, 1, 3, 20), strict=True):
        person_.created_at = start + timedelta(minutes=minutes)
    db.session.commit()
    sizes = {(b.kind, b.size, b.minutes) for b in bursts.find_bursts(trip)}
    # 0, 1 and 3 minutes are each within two minutes of the one before; 20 stands alone.
    assert sizes == {("device", 3, 3), ("network", 3, 3)}


def test_a_burst_cancelled_twice_is_cancelled_once(app, trip, admin):
    script = app.test_client()
    for i in range(3):
        sign_up_from(script, trip, i)
    staff = client_as(app, admin)
    html = staff.get(f"/manage/{trip.slug}/signups").get_data(as_text=True)
    cancel = re.search(rf"/manage/{trip.slug}/signups/device/\d+/\d+/cancel", html).group(0)
    assert staff.post_form(cancel).status_code == 303
    again = staff.post_form(cancel, follow_redirects=True)
    assert "Pendaftaran ini sudah dibatalkan." in again.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(BurstRemoval)) == 1
    assert staff.get(cancel).status_code == 404


@pytest.mark.browser
def test_admin_on_a_phone_finds_and_removes_a_burst(app, page, trip, admin, live_server):
    for i in range(12):
        sign_up_from(app.test_client(), trip, i)
    script = app.test_client()
    for i in range(12):
        sign_up_from(script, trip, 100 + i)
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(admin.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"/manage/{trip.slug}/")
    page.get_by_role("link", name="Pendaftaran per sumber").click()
    page.get_by_role("heading", name="12 pendaftaran dari satu perangkat dalam 1 menit").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "manage-signups")
    page.get_by_role("link", name="Batalkan semua pendaftaran ini").first.click()
    page.get_by_role("heading", name="Batalkan 12 pendaftaran ini?").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "manage-burst-cancel")
    page.get_by_role("button", name="Ya, batalkan semua pendaftaran ini").click()
    page.get_by_text("12 pendaftaran dibatalkan.").wait_for()
    page.get_by_role("heading", name="Lonjakan yang sudah dibatalkan").wait_for()
    screenshot(page, "manage-signups-after")
