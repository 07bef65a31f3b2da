"""Offline at a rest stop, in a real Chromium at 360x740: after a scan the organiser can call the
person or their emergency contact, and the list of who is still missing, from this phone's copy,
gives the same calls."""

from __future__ import annotations

import pytest

from kampung.checkin import stops
from kampung.extensions import db
from kampung.signup.service import register
from tests.checkin.test_browser import (
    NETWORK_DROPPED,
    log_in_browser,
    snap,
    wait_until,
    watch_console,
)
from tests.checkin.test_lost_phone import open_scanner_ready_for_offline, scan_by_hand
from tests.conftest import person, screenshot

pytestmark = pytest.mark.browser


def test_offline_the_scanner_calls_the_person_and_their_emergency_contact(context, trip, organiser):
    people = [register(trip, person(i)).registration for i in range(30)]
    people[0].emergency_name = "Siti Aminah"
    people[0].emergency_phone = "+6281399990000"
    people[29].emergency_name = "Budi Santoso"
    people[29].emergency_phone = "+6281277770000"
    db.session.commit()
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = watch_console(page, NETWORK_DROPPED)
    log_in_browser(page, organiser)
    open_scanner_ready_for_offline(page, trip)
    assert page.locator("#offline-missing").is_hidden()

    context.set_offline(True)
    scan_by_hand(page, people[0].checkin_code)
    green = page.locator("#result.result-green")
    green.wait_for(state="visible")
    call = green.get_by_role("link", name=f"Telepon {people[0].full_name}")
    assert call.get_attribute("href") == f"tel:{people[0].phone}"
    emergency = green.get_by_role("link", name="Darurat: Siti Aminah")
    assert emergency.get_attribute("href") == "tel:+6281399990000"
    snap(page, "checkin-scanner-offline-calls")
    page.get_by_role("link", name="Pindai berikutnya").click()

    # The missing by this phone's copy: 29 left, the first 25 shown, found by name.
    missing = page.locator("#offline-missing")
    missing.wait_for(state="visible")
    heading = page.get_by_role("heading", name="Belum hadir, menurut daftar di ponsel ini")
    assert "(29)" in heading.inner_text()
    assert missing.locator("li").count() == 25
    assert "4 orang lagi" in missing.inner_text()
    assert people[0].full_name not in missing.inner_text()
    missing.get_by_label("Cari nama").fill(people[29].full_name)
    wait_until(page, "document.querySelectorAll('#offline-missing-list li').length === 1")
    budi = missing.get_by_role("link", name=f"Darurat: Budi Santoso ({people[29].full_name})")
    assert budi.get_attribute("href") == "tel:+6281277770000"
    missing.scroll_into_view_if_needed()
    snap(page, "checkin-scanner-offline-missing")
    screenshot(page, "checkin-scanner-offline-missing-full")

    # Back online, the server's list again, and the scan is sent.
    context.set_offline(False)
    missing.wait_for(state="hidden")
    wait_until(page, "document.getElementById('queue-count').textContent === '0'", 20)
    assert not errors, errors


def test_online_the_result_offers_the_calls_from_the_phones_copy(context, trip, organiser):
    stop = stops.add_stop(trip, "Rest area Lubuk Linggau")
    someone = register(trip, person(1)).registration
    someone.emergency_name = "Siti Aminah"
    someone.emergency_phone = "+6281399990000"
    db.session.commit()
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in_browser(page, organiser)
    page.goto(f"/manage/{trip.slug}/checkin/{stop.id}")
    wait_until(page, f"localStorage.getItem('kampung-roster-{stop.id}') !== null")
    scan_by_hand(page, someone.checkin_code)
    green = page.locator("#result.result-green")
    green.wait_for(state="visible")
    emergency = green.get_by_role("link", name="Darurat: Siti Aminah")
    assert emergency.get_attribute("href") == "tel:+6281399990000"
