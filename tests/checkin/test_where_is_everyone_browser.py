"""In Chromium at 360x740: at a rest stop the count page says where each missing person was last
counted, and an organiser undoes a check-in from the roster, with a reason."""

from __future__ import annotations

import pytest

from kampung.checkin import service, stops
from kampung.signup.service import register
from tests.checkin.test_browser import log_in_browser, snap
from tests.conftest import person, screenshot

pytestmark = pytest.mark.browser


def test_the_count_page_and_the_roster_say_where_everyone_is(page, trip, organiser):
    people = [register(trip, person(i)).registration for i in range(4)]
    departure = trip.checkpoints[0]
    for registration in people[:3]:
        service.check_in(registration.checkin_code, departure.id, organiser)
    stop = stops.add_stop(trip, "Rest area Lubuk Linggau")
    service.check_in(people[0].checkin_code, stop.id, organiser)
    log_in_browser(page, organiser)

    page.goto(f"/manage/{trip.slug}/checkin/{stop.id}/count")
    missing = page.locator("#missing ul.missing li")
    assert missing.count() == 3
    first = missing.filter(has_text=people[1].full_name)
    assert f"Titik absen terakhir: {departure.name}" in first.inner_text()
    never = missing.filter(has_text=people[3].full_name)
    assert "belum dipindai" in never.inner_text()
    first.scroll_into_view_if_needed()
    snap(page, "checkin-count-last-checkpoint")

    page.goto(f"/manage/{trip.slug}/participants")
    card = page.locator("li.person").filter(has_text=people[0].full_name)
    assert "Titik absen terakhir: Rest area Lubuk Linggau" in card.inner_text()
    card.scroll_into_view_if_needed()
    snap(page, "roster-undo-check-in")
    card.get_by_role("link", name="Batalkan check-in").click()
    page.get_by_label("Alasan").fill("Salah pindai")
    screenshot(page, "roster-undo-form")
    page.get_by_role("button", name="Batalkan check-in").click()
    page.get_by_text("Check-in dibatalkan.").wait_for()
    card = page.locator("li.person").filter(has_text=people[0].full_name)
    assert f"Titik absen terakhir: {departure.name}" in card.inner_text()
