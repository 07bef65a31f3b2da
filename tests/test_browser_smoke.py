"""The browser harness itself: Chromium at phone size, no console errors, axe clean."""

import pytest

from tests.conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser


def test_front_page_on_a_phone(page, trip):
    page.goto("/")
    page.get_by_role("link", name="Daftar").click()
    page.wait_for_url("**/e/studi-banding-bengkulu")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Studi Banding")
    page.goto("/")
    assert axe_violations(page) == []
    screenshot(page, "front-page")
