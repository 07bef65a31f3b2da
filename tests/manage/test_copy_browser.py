"""An admin on a phone copies the trip for the next visit and lands on its settings."""

import pytest

from kampung.extensions import db
from kampung.models import Trip
from tests.conftest import PASSWORD, axe_violations, screenshot

pytestmark = pytest.mark.browser


def test_admin_copies_the_trip_from_its_page(page, admin, trip):
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(admin.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    page.goto(f"/manage/{trip.slug}/")
    page.get_by_role("link", name="Salin perjalanan ini").click()
    assert page.get_by_label("Judul perjalanan baru").input_value() == f"{trip.title} (salinan)"
    slug = page.get_by_label("Nama tautan (slug)")
    assert slug.input_value() == f"{trip.slug}-2"
    screenshot(page, "manage-trip-copy")
    assert axe_violations(page) == []
    # A taken link name is refused with a message: tests/manage/test_copy.py (a 422 here would
    # count as a console error).
    slug.fill("studi-banding-2027")
    page.get_by_role("button", name="Salin perjalanan").click()
    page.get_by_text("Perjalanan sudah disalin, tanpa peserta.").wait_for()
    assert page.url.endswith("/manage/studi-banding-2027/edit")
    db.session.expire_all()
    copy = db.session.scalar(db.select(Trip).where(Trip.slug == "studi-banding-2027"))
    assert copy.count_by_status()["registered"] == 0
