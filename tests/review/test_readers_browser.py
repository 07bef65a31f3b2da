"""On a phone (360x740): the chair's dashboard opens on the results, each rating in its own
words and the 0-10 question in a sentence, the reminders below; the comments come fifty at a
time and "Komentar berikutnya" adds the next fifty in place."""

import pytest

from kampung.extensions import db
from kampung.feedback import service
from kampung.feedback.seed import seed_responses
from tests.conftest import ARTIFACTS, PASSWORD, axe_violations, screenshot
from tests.feedback.helpers import open_survey

pytestmark = pytest.mark.browser


def log_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_dashboard_opens_on_results_and_comments_page_on(page, trip, chair, admin):
    survey = open_survey(trip)
    seed_responses(survey, 63, missing=2)
    questions = {q.kind: q for q in reversed(survey.questions)}
    usefulness = survey.questions[1]

    log_in(page, chair)
    page.goto(f"/manage/{trip.slug}/review")
    assert page.locator("#response-rate").inner_text() == "63 dari 65 menjawab"
    first_chart = page.get_by_role("region", name=survey.questions[0].text)
    assert first_chart.bounding_box()["y"] < 740  # the results, in the first screen
    useful = page.get_by_role("region", name=usefulness.text)
    assert useful.get_by_role("row", name="5 sangat bermanfaat").is_visible()
    recommend = page.get_by_role("region", name=questions["nps"].text)
    assert "sangat merekomendasikan (9–10)" in recommend.inner_text()
    reminders = page.get_by_role("heading", name="Belum menjawab (2)")
    assert reminders.bounding_box()["y"] > useful.bounding_box()["y"]
    screenshot(page, "review-dashboard-results-first")
    assert axe_violations(page) == []
    reminders.scroll_into_view_if_needed()
    screenshot(page, "review-dashboard-reminders")

    page.goto(f"/manage/{trip.slug}/review/comments")
    comments = page.locator("article.comment")
    assert comments.count() == 50
    page.get_by_text("126 komentar").wait_for()
    screenshot(page, "review-comments-first-page")
    assert axe_violations(page) == []
    url = page.url
    page.get_by_role("link", name="Komentar berikutnya").click()
    comments.nth(99).wait_for()
    assert page.url == url  # added in place by htmx; the link alone works without JavaScript
    page.get_by_role("link", name="Komentar berikutnya").click()
    comments.nth(125).wait_for()
    assert page.get_by_role("link", name="Komentar berikutnya").count() == 0
    ids = [comments.nth(i).get_attribute("id") for i in range(comments.count())]
    assert len(ids) == len(set(ids)) == 126
    # The whole page of 126 is too tall to photograph in one go: its end, as the phone shows it.
    comments.nth(125).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "review-comments-last.png"), caret="initial")

    # The admin's editor offers the words, each set shown by its own.
    page.context.clear_cookies()
    log_in(page, admin)
    page.goto(f"/manage/{trip.slug}/survey/questions/{usefulness.id}")
    words = page.get_by_label("Kata-kata di bawah 1 sampai 5 (hanya untuk penilaian)")
    assert words.input_value() == "usefulness"
    words.select_option(label="sangat buruk … sangat baik")
    screenshot(page, "survey-question-words")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Simpan pertanyaan").click()
    page.get_by_text("Pertanyaan disimpan.").wait_for()
    db.session.expire_all()
    assert service.survey_of(trip).questions[1].words == "quality"
