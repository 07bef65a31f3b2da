"""On phones: an organiser moves an item of the rundown and sends an announcement; a participant
whose browser runs no JavaScript sees both on their page and marks them read; the organiser's
counts move."""

import re
from urllib.parse import unquote

import pytest

from kampung.signup.service import register
from tests.conftest import PASSWORD, PHONE, axe_violations, person, screenshot

pytestmark = pytest.mark.browser

VISIT = "Kunjungan lapangan: bank sampah, kebun gizi"
ANNOUNCEMENT = "Penyambutan hari Sabtu: peserta memakai batik dan membawa KTP."


def log_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/manage/**")


def test_a_change_and_an_announcement_reach_a_phone_without_javascript(
    page, browser, live_server, trip, organiser
):
    budi = register(trip, person(1, full_name="Budi Santoso")).registration
    register(trip, person(2, full_name="Sari Lubis"))

    # The organiser moves the field visit from 14.00 to 15.30.
    log_in(page, organiser)
    page.goto(f"/manage/{trip.slug}/rundown")
    page.get_by_role("link", name=VISIT).click()
    page.get_by_label("Mulai pukul").fill("15:30")
    screenshot(page, "schedule-item")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Simpan perubahan").click()
    page.get_by_text("Tersimpan. Perubahan ini tampil bagi peserta").wait_for()
    changes = page.get_by_role("region", name="Perubahan yang diberitahukan ke peserta")
    assert changes.get_by_text("14.00–17.00").is_visible()
    assert changes.get_by_role("link", name="0 dari 2 sudah baca").is_visible()
    screenshot(page, "schedule-rundown")
    assert axe_violations(page) == []

    # And sends an announcement.
    page.get_by_role("link", name="Pengumuman", exact=True).first.click()
    page.get_by_label("Pengumuman").fill(ANNOUNCEMENT)
    page.get_by_role("button", name="Kirim pengumuman").click()
    assert page.locator("#read-count").inner_text() == "0 dari 2 sudah baca"
    assert (
        ANNOUNCEMENT
        in page.get_by_label("Salin teks ini ke grup WhatsApp perjalanan:").input_value()
    )
    page.get_by_role("button", name="Kirim lewat WhatsApp Sari Lubis").click()
    ready = page.get_by_role("link", name="Buka WhatsApp Sari Lubis")
    assert ready.get_attribute("href").startswith("https://wa.me/6281320000002?text=")
    assert "%2Fj%2F" in ready.get_attribute("href")
    sari_link = re.search(r"/j/[A-Za-z0-9_-]+", unquote(ready.get_attribute("href")))[0]
    screenshot(page, "schedule-announcement")
    assert axe_violations(page) == []
    notice_page = page.url

    # The participant's phone runs no JavaScript.
    phone = browser.new_context(base_url=live_server, java_script_enabled=False, **PHONE)
    try:
        own = phone.new_page()
        own.goto(f"/p/{budi.access_token}")
        news = own.get_by_role("region", name="Kabar dari panitia (2)")
        assert "Jadwal berubah: 14.00–17.00 → 15.30–17.00" in news.inner_text()
        assert VISIT in news.inner_text()
        assert ANNOUNCEMENT in news.inner_text()
        # Where the committee's news is the first thing below the status.
        assert news.bounding_box()["y"] < 740
        rundown = own.get_by_role("region", name="Rundown")
        assert rundown.get_by_text("15.30–17.00").is_visible()
        screenshot(own, "schedule-personal-page")

        own.get_by_role("button", name="Saya sudah baca").first.click()
        own.get_by_role("region", name="Kabar dari panitia (1)").wait_for()
        own.get_by_role("button", name="Saya sudah baca").click()
        own.get_by_text("Kabar dari panitia").first.wait_for(state="detached")
        own.get_by_role("region", name="Rundown").wait_for()
        assert own.get_by_text("Kabar dari panitia").count() == 0
        screenshot(own, "schedule-personal-page-read")
    finally:
        phone.close()

    # The organiser's counts moved.
    page.goto(notice_page)
    assert page.locator("#read-count").inner_text() == "1 dari 2 sudah baca"
    missing = page.get_by_role("region", name="Belum membaca (1)").get_by_role("listitem")
    assert missing.count() == 1 and "Sari Lubis" in missing.inner_text()
    page.goto(f"/manage/{trip.slug}/rundown")
    changes = page.get_by_role("region", name="Perubahan yang diberitahukan ke peserta")
    assert changes.get_by_role("link", name="1 dari 2 sudah baca").is_visible()
    page.goto(f"/manage/{trip.slug}/announcements")
    assert page.get_by_role("link", name="1 dari 2 sudah baca").is_visible()
    screenshot(page, "schedule-announcements")
    assert axe_violations(page) == []

    # Sari opens the link the organiser sent her: the schedule only, and she marks it read.
    phone = browser.new_context(base_url=live_server, java_script_enabled=False, **PHONE)
    try:
        hers = phone.new_page()
        hers.goto(sari_link)
        hers.get_by_role("heading", name="Jadwal dan pengumuman").wait_for()
        assert hers.get_by_text("Sari Lubis").count() == 0
        screenshot(hers, "schedule-link-page")
        hers.get_by_role("button", name="Saya sudah baca").first.click()
        hers.get_by_role("region", name="Kabar dari panitia (1)").wait_for()
    finally:
        phone.close()
    page.goto(notice_page)
    assert page.locator("#read-count").inner_text() == "2 dari 2 sudah baca"
    assert page.get_by_text("Semua sudah membacanya.").is_visible()
