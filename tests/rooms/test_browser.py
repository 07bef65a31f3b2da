"""Rooms on a phone: the organiser shares out the rooms and adds one, the participant finds
their room and roommates on their page, and the manifest prints bus by bus."""

import subprocess

import pytest

from kampung.checkin import service as checkin
from kampung.extensions import db
from kampung.rooms import service
from kampung.signup.service import register
from tests.conftest import PASSWORD, PHONE, axe_violations, person, poppler, screenshot

pytestmark = pytest.mark.browser

#: what a refused form (answered 422 or 409, as bad input must be) makes Chromium log
REFUSED = "Failed to load resource: the server responded with a status of 4"


@pytest.fixture
def phone(browser, live_server):
    """A phone whose console may log the 4xx of a refused form, and nothing else."""
    context = browser.new_context(base_url=live_server, **PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith(REFUSED)
            else None
        ),
    )
    yield page
    context.close()
    assert not errors, f"errors in the browser console: {errors}"


def _log_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/manage/**")


def test_organiser_shares_out_the_rooms_and_adds_one(phone, trip, organiser):
    page = phone
    for i, gender in enumerate("LLLPP"):
        register(trip, person(i, gender=gender, full_name=f"Peserta {'ABCDE'[i]}"))
    _log_in(page, organiser)
    page.goto(f"/manage/{trip.slug}/")
    page.get_by_role("link", name="Kamar", exact=True).click()
    page.get_by_text("0 dari 5 peserta yang mendapat kursi sudah punya kamar.").wait_for()
    button = page.get_by_role("button", name="Bagi kamar otomatis")
    # The page's action is in the first screen.
    assert button.bounding_box()["y"] + button.bounding_box()["height"] <= 740
    assert axe_violations(page) == []
    screenshot(page, "rooms-before")
    button.click()
    page.get_by_text("5 orang mendapat kamar. 3 kamar dibuat.").wait_for()
    page.get_by_text("5 dari 5 peserta yang mendapat kursi sudah punya kamar.").wait_for()
    assert page.get_by_role("heading", name="Kamar 1").is_visible()

    page.get_by_label("Nama kamar").fill("Kamar 214")
    page.get_by_label("Jumlah tempat tidur").fill("0")
    page.get_by_role("button", name="Tambahkan kamar").click()
    page.get_by_text("Satu kamar berisi 1 sampai 20 tempat tidur.").wait_for()
    page.get_by_label("Jumlah tempat tidur").fill("3")
    page.get_by_label("Untuk").select_option(label="Khusus perempuan")
    page.get_by_role("button", name="Tambahkan kamar").click()
    page.get_by_text("Kamar 214 ditambahkan.").wait_for()
    assert page.get_by_role("heading", name="Kamar 214").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "rooms-page")

    # By hand, from the roster: only the rooms that can take the person are offered.
    page.get_by_role("link", name="Peserta", exact=True).click()
    page.get_by_text("Titik absen terakhir: belum dipindai · Kamar: Kamar 2").wait_for()
    screenshot(page, "roster-rooms")
    page.get_by_role("link", name="Pilih kamar Peserta C").click()
    choice = page.get_by_label("Kamar", exact=True)
    offered = choice.locator("option").all_inner_texts()
    assert offered == ["Tanpa kamar", "Kamar 2 · 1 tempat kosong"]
    assert axe_violations(page) == []
    screenshot(page, "rooms-choose")
    choice.select_option(label="Tanpa kamar")
    page.get_by_role("button", name="Simpan kamar").click()
    page.get_by_text("Peserta C sekarang tidak punya kamar.").wait_for()
    page.wait_for_url("**/participants")


def test_participant_sees_their_room_and_roommates(page, trip, organiser):
    me = register(trip, person(1, gender="P", full_name="Siti Aminah")).registration
    register(trip, person(2, gender="P", full_name="Dewi Lestari", notes="Asma"))
    register(trip, person(3, gender="L", full_name="Budi Santoso"))
    service.assign_rooms(trip)
    checkin.check_in(me.checkin_code, trip.checkpoints[0].id, organiser)
    db.session.commit()
    page.goto(f"/p/{me.access_token}")
    card = page.locator("section", has=page.get_by_role("heading", name="Kamar Anda"))
    card.scroll_into_view_if_needed()
    assert card.get_by_text("Kamar 2").is_visible() or card.get_by_text("Kamar 1").is_visible()
    assert card.get_by_text("Dewi Lestari").is_visible()
    assert "Budi Santoso" not in card.inner_text() and "Asma" not in card.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "personal-room")


def test_the_manifest_prints_each_bus_on_its_own_pages(page, trip, organiser, tmp_path):
    for i in range(6):
        register(trip, person(i, gender="LP"[i % 2], notes="Alergi udang" if i == 2 else ""))
    people = [register(trip, person(10 + i)).registration for i in range(2)]
    service.move_to_room(people[0], service.add_room(trip, "Kamar 9", 2))
    service.assign_rooms(trip)
    from kampung.manage.service import move_to_bus

    move_to_bus(people[1], trip.buses[1])
    checkin.check_in(people[0].checkin_code, trip.checkpoints[0].id, organiser)
    _log_in(page, organiser)
    page.goto(f"/manage/{trip.slug}/manifest")
    assert page.get_by_role("heading", name="Manifes penumpang: Bus 1").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "manifest-screen")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    breaks = page.locator("section.manifest").evaluate_all(
        "(sections) => sections.map((s) => getComputedStyle(s).breakBefore)"
    )
    assert breaks[0] != "page" and all(b == "page" for b in breaks[1:]) and len(breaks) == 2
    screenshot(page, "manifest-print")
    # Printed: Bus 1 on the first A4 page, Bus 2 on the next, each with its own heading.
    pdf = tmp_path / "manifest.pdf"
    pdf.write_bytes(page.pdf(format="A4"))
    pages = [
        subprocess.run(
            [poppler("pdftotext"), "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in (1, 2)
    ]
    assert "MANIFES PENUMPANG: BUS 1" in pages[0] and "BUS 2" not in pages[0]
    assert "MANIFES PENUMPANG: BUS 2" in pages[1] and "Alergi udang" in pages[0]
