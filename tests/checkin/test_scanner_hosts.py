"""The scanner takes the QR codes of every address the app is configured under (PUBLIC_URL,
TRUSTED_HOSTS), not only the one its page came from: online, and offline from its own copy."""

from __future__ import annotations

import pytest

from kampung.checkin.models import CheckIn
from kampung.extensions import db
from kampung.signup.service import register
from tests.checkin.test_browser import (
    NETWORK_DROPPED,
    log_in_browser,
    snap,
    wait_until,
    watch_console,
)
from tests.conftest import person

pytestmark = pytest.mark.browser

PUBLIC = "https://kampung.example.go.id"


def test_codes_printed_under_the_public_address_scan_green_offline_and_online(
    app, context, trip, organiser
):
    # The cards were printed with the public address; the organiser's phone opened the scanner
    # through another address of the same app (here 127.0.0.1, on the day perhaps the LAN one).
    app.config["PUBLIC_URL"] = PUBLIC
    first, second = (register(trip, person(i)).registration for i in range(2))
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = watch_console(page, NETWORK_DROPPED)
    log_in_browser(page, organiser)
    page.goto(f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}")
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_until(page, f"localStorage.getItem('kampung-roster-{trip.checkpoints[0].id}') !== null")
    field = page.get_by_label("Kode atau tautan QR")

    context.set_offline(True)
    field.fill(f"{PUBLIC}/c/{first.checkin_code}")
    field.press("Enter")
    result = page.locator("#result")
    result.get_by_text("Belum terkirim").wait_for(state="visible")
    assert "result-green" in result.get_attribute("class")
    assert first.full_name in result.inner_text()
    snap(page, "checkin-scanner-public-address-offline")

    context.set_offline(False)
    wait_until(page, "document.getElementById('queue-count').textContent === '0'", 20)
    page.get_by_role("link", name="Pindai berikutnya").click()
    field.fill(f"http://localhost:5000/c/{second.checkin_code}")
    field.press("Enter")
    page.locator("#result.result-green").wait_for(state="visible")
    assert second.full_name in page.locator("#result").inner_text()

    db.session.rollback()
    checked_in = db.session.scalars(db.select(CheckIn.registration_id)).all()
    assert sorted(checked_in) == sorted([first.id, second.id])
    assert not errors, errors
