"""The roll-call at a stop in a real Chromium at phone size: an organiser adds a stop, two phones
scan at once (one narrowed to each bus), a passenger of the other bus gets amber with their own
bus named and is moved onto this one, and a third phone's count follows without a reload."""

from __future__ import annotations

import pytest

from kampung.checkin.models import BusMove
from kampung.extensions import db
from kampung.models import Checkpoint
from kampung.signup.service import register
from tests.checkin.test_browser import (
    HARMLESS,
    NETWORK_DROPPED,
    log_in_browser,
    snap,
    wait_until,
    watch_console,
)
from tests.conftest import (
    CHROMIUM_ARGS,
    PHONE,
    _chromium_or_skip,
    axe_violations,
    person,
    screenshot,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def camera_browser(playwright_session):
    """Chromium with a fake camera (its moving test pattern): the scanner's first screen as on a
    phone, video included."""
    browser = playwright_session.chromium.launch(
        executable_path=_chromium_or_skip(),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
        ],
    )
    yield browser
    browser.close()


@pytest.fixture
def passengers(trip):
    """Three on Bus 1, two on Bus 2, each with an emergency contact."""
    people = [
        register(
            trip,
            person(i, emergency_name=f"Keluarga {i}", emergency_phone=f"+6281355500{i:03d}"),
        ).registration
        for i in range(5)
    ]
    for registration in people[3:]:
        registration.bus = trip.buses[1]
    db.session.commit()
    return people


def phone(browser, live_server, user, harmless=HARMLESS):
    context = browser.new_context(base_url=live_server, **PHONE)
    context.grant_permissions(["camera"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = watch_console(page, harmless)
    log_in_browser(page, user)
    return page, errors


def type_code(page, code: str) -> None:
    field = page.get_by_label("Kode atau tautan QR")
    field.fill(code)
    field.press("Enter")


def test_stop_roll_call_on_three_phones(camera_browser, live_server, trip, organiser, passengers):
    from tests.conftest import make_user

    colleague = make_user("organiser", "budi", "Budi")
    first, first_errors = phone(camera_browser, live_server, organiser)
    second, second_errors = phone(camera_browser, live_server, colleague)
    third, third_errors = phone(camera_browser, live_server, colleague)

    # The organiser adds a stop: "Tambah perhentian", the name, and straight into its scanner.
    first.goto(f"/manage/{trip.slug}/checkin")
    first.get_by_text("Tambah perhentian").click()
    first.get_by_label("Perhentian").fill("Naik bus: rest area Lubuk Linggau")
    first.get_by_label("Semua bus").check()
    screenshot(first, "road-add-stop")
    assert axe_violations(first) == []
    first.get_by_role("button", name="Tambah dan buka pemindai").click()
    first.wait_for_url("**/checkin/*")
    first.locator("#scanner[data-ready]").wait_for(state="attached")
    stop = db.session.scalars(db.select(Checkpoint).order_by(Checkpoint.id.desc())).first()
    assert stop.name == "Naik bus: rest area Lubuk Linggau" and stop.bus_id is None
    assert "Perhentian ditambahkan" in first.content()

    # Each scanner narrowed to its bus; the count on a third phone.
    bus1, bus2 = trip.buses
    first.goto(f"/manage/{trip.slug}/checkin/{stop.id}?bus={bus1.id}")
    second.goto(f"/manage/{trip.slug}/checkin/{stop.id}?bus={bus2.id}")
    third.goto(f"/manage/{trip.slug}/checkin/{stop.id}/count")
    for page in (first, second):
        page.locator("#scanner[data-ready]").wait_for(state="attached")
    counts = third.locator("#counts")
    assert "Bus 1: 0/3" in counts.inner_text() and "Bus 2: 0/2" in counts.inner_text()

    # The first screen at 360x740: the count and the camera; the search is one tap away.
    count_box = first.locator("#counts").bounding_box()
    camera_box = first.locator("#camera-video").bounding_box()
    assert count_box["y"] + count_box["height"] <= 740
    assert camera_box["y"] < 740 - 100, camera_box
    search_link = first.get_by_role("link", name="Cari peserta")
    assert search_link.bounding_box()["y"] < 740
    wait_until(first, "document.getElementById('camera-video').readyState >= 2")
    snap(first, "road-scanner-first-screen")

    # Both phones scan at once: on Bus 1's scanner, a passenger of Bus 2 is amber, in words.
    first.get_by_label("Kode atau tautan QR").fill(passengers[3].checkin_code)
    second.get_by_label("Kode atau tautan QR").fill(passengers[4].checkin_code)
    first.get_by_label("Kode atau tautan QR").press("Enter")
    second.get_by_label("Kode atau tautan QR").press("Enter")
    amber = first.locator("#result.result-amber")
    amber.wait_for(state="visible")
    assert "BUKAN BUS INI: NAIK BUS 2" in amber.inner_text()
    assert "Peserta Uji 3" in amber.inner_text()
    snap(first, "road-scanner-wrong-bus")
    green = second.locator("#result.result-green")
    green.wait_for(state="visible")
    assert "Peserta Uji 4" in green.inner_text()
    snap(second, "road-scanner-green")

    # The third phone follows without a reload: Bus 2 has one aboard, Peserta Uji 3 still missing.
    wait_until(third, "document.getElementById('counts').innerText.includes('Bus 2: 1/2')", 12)
    missing = third.locator("#missing ul.missing")
    still_listed = "document.querySelector('#missing ul.missing').innerText.includes('Uji 4')"
    wait_until(third, f"!{still_listed}", 12)
    assert "Peserta Uji 3" in missing.inner_text()
    assert "Bus 1: 0/3" in counts.inner_text()

    # "Pindahkan ke bus ini": Peserta Uji 3 rides Bus 1 from here, checked in, recorded.
    first.get_by_role("button", name="Pindahkan ke bus ini").click()
    first.locator("#result.result-green").wait_for(state="visible")
    assert "Peserta Uji 3" in first.locator("#result").inner_text()
    move = db.session.scalars(db.select(BusMove)).one()
    assert (move.from_bus_id, move.to_bus_id) == (bus2.id, bus1.id)
    wait_until(third, "document.getElementById('counts').innerText.includes('Bus 1: 1/4')", 12)
    assert "Bus 2: 1/1" in counts.inner_text()

    # The count page: the missing first, with calls for them and their emergency contact, and
    # the undo of the latest check-ins.
    assert (
        third.get_by_role("link", name="Telepon Keluarga 0, kontak darurat Peserta Uji 0").count()
        == 1
    )
    # (the missing list polls apart from the count: it may come a moment later)
    undo = "a[aria-label='Batalkan check-in Peserta Uji 3']"
    wait_until(third, f'document.querySelector("{undo}") !== null', 12)
    assert third.get_by_role("link", name="Batalkan check-in Peserta Uji 3").count() == 1
    screenshot(third, "road-count")
    snap(third, "road-count-first-screen")
    assert axe_violations(third) == []
    for errors in (first_errors, second_errors, third_errors):
        assert not errors, errors


def test_offline_wrong_bus_is_decided_on_the_phone_and_the_badge_stays(
    camera_browser, live_server, trip, organiser, passengers
):
    page, errors = phone(camera_browser, live_server, organiser, NETWORK_DROPPED)
    bus1 = trip.buses[0]
    checkpoint = trip.checkpoints[0]
    page.goto(f"/manage/{trip.slug}/checkin/{checkpoint.id}?bus={bus1.id}")
    page.locator("#scanner[data-ready]").wait_for(state="attached")
    wait_until(page, f"localStorage.getItem('kampung-roster-{checkpoint.id}') !== null")
    page.context.set_offline(True)
    type_code(page, passengers[3].checkin_code)
    amber = page.locator("#result.result-amber")
    amber.wait_for(state="visible")
    assert "BUKAN BUS INI: NAIK BUS 2" in amber.inner_text()
    # No network: no move offered; the scan waits in the queue, the badge says so.
    assert not page.get_by_role("button", name="Pindahkan ke bus ini").is_visible()
    page.get_by_role("link", name="Pindai berikutnya").click()
    badge = page.locator("#queue-badge")
    assert badge.inner_text() == "1 belum terkirim"
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(300)
    box = badge.bounding_box()
    assert 0 <= box["y"] < 740, box
    snap(page, "road-scanner-offline-badge")
    assert "1 belum terkirim" in page.evaluate("document.getElementById('queue-badge').textContent")
    # The queue is in localStorage, and the page asks before it is closed.
    assert (
        page.evaluate(f"JSON.parse(localStorage.getItem('kampung-queue-{checkpoint.id}')).length")
        == 1
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert not errors, errors


def test_admin_names_a_coordinator_whose_bus_comes_first(
    browser, live_server, trip, admin, organiser, passengers
):
    page, errors = phone(browser, live_server, admin)
    page.goto(f"/manage/{trip.slug}/checkin")
    page.get_by_label("Koordinator Bus 2").select_option(label=organiser.name)
    page.get_by_role("button", name="Simpan Bus 2").click()
    page.get_by_text("Bus 2: koordinator Rina.").wait_for(state="visible")
    page.get_by_role("heading", name="Koordinator bus").scroll_into_view_if_needed()
    screenshot(page, "road-coordinators")
    assert axe_violations(page) == []

    mine, mine_errors = phone(browser, live_server, organiser)
    mine.goto(f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}/count")
    first = mine.locator(".bus-counts li").first
    assert "Bus 2: 0/2" in first.inner_text() and "bus Anda" in first.inner_text()
    assert not errors and not mine_errors, errors + mine_errors
