"""On a phone: the admin reads the batch rule beside the anonymity switch, and the chair sees
five answers charted while two wait for the next batch."""

import pytest

from kampung.feedback import service
from tests.conftest import PASSWORD, axe_violations, screenshot
from tests.feedback.helpers import good_answers, open_survey, participants

pytestmark = pytest.mark.browser


def log_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_admin_reads_the_rule_beside_the_anonymity_switch(page, trip, admin):
    log_in(page, admin)
    page.goto(f"/manage/{trip.slug}/survey")
    switch = page.get_by_label("Anonim: jawaban tidak terhubung")
    rule = page.locator(f"#{switch.get_attribute('aria-describedby')}")
    assert rule.inner_text().startswith("Pada survei anonim, hasil baru tampil setiap 5 jawaban")
    rule.scroll_into_view_if_needed()
    screenshot(page, "survey-settings-anonymity-rule")
    assert axe_violations(page) == []


def test_chair_sees_a_batch_of_five_and_two_answers_waiting(page, trip, chair):
    survey = open_survey(trip, anonymous=True)
    people = participants(trip, 8)
    for i, registration in enumerate(people[:7]):
        service.submit(survey, registration, good_answers(survey, rating=5, text=f"Usulan {i}"))
    log_in(page, chair)
    page.goto(f"/manage/{trip.slug}/review")
    assert page.locator("#response-rate").inner_text() == "7 dari 8 menjawab"
    assert page.get_by_text("Hasil ini berasal dari 5 jawaban.").is_visible()
    waiting = "2 jawaban masih menunggu: akan tampil setelah 3 orang lagi menjawab."
    assert page.get_by_text(waiting).is_visible()
    first = page.get_by_role("region", name=survey.questions[0].text)
    assert first.get_by_text("5,0").is_visible() and "5 jawaban" in first.inner_text()
    page.get_by_text(waiting).scroll_into_view_if_needed()
    screenshot(page, "review-dashboard-anonymous")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Komentar", exact=True).click()
    page.wait_for_url("**/review/comments")
    page.get_by_text("Usulan").first.wait_for()
    assert page.get_by_text("Usulan").count() == 10  # five answers, two comment questions each
    assert page.get_by_label("Kecamatan").count() == 0
