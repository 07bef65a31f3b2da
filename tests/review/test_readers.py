"""The review as its readers read it: each rating in its own words, the 0-10 question said
plainly, the results before the reminders, and the comments fifty at a time."""

import re

import pytest

from kampung.extensions import db
from kampung.feedback import service
from kampung.feedback.models import Answer, Kind, Words
from kampung.feedback.seed import seed_responses
from kampung.review import service as review
from kampung.review import tally
from tests.conftest import log_in
from tests.feedback.helpers import good_answers, open_survey, participants


def rating(survey, text_start: str):
    return next(q for q in survey.questions if q.text.startswith(text_start))


def test_default_survey_gives_each_rating_fitting_words(trip):
    survey = service.survey_of(trip)
    words = {q.text: q.words for q in survey.questions if q.kind == Kind.rating}
    assert words == {
        "Secara keseluruhan, seberapa puas Anda dengan studi banding ini?": Words.satisfaction,
        "Seberapa bermanfaat kunjungan ini untuk RT Anda?": Words.usefulness,
        "Bagaimana acara dan kegiatan selama di Bengkulu?": Words.quality,
        "Bagaimana transportasi (bus)?": Words.quality,
        "Bagaimana penginapan?": Words.quality,
        "Bagaimana konsumsi (makanan dan minuman)?": Words.quality,
    }


def test_answer_form_shows_each_ratings_words(client, trip):
    open_survey(trip)
    token = participants(trip, 1)[0].access_token
    html = client.get(f"/p/{token}/feedback").get_data(as_text=True)
    usefulness = html.split("Seberapa bermanfaat kunjungan ini")[1].split("</fieldset>")[0]
    assert "sangat tidak bermanfaat" in usefulness and "sangat bermanfaat" in usefulness
    assert "puas" not in usefulness
    bus = html.split("Bagaimana transportasi (bus)?")[1].split("</fieldset>")[0]
    assert "sangat buruk" in bus and "sangat baik" in bus and "puas" not in bus


def test_answer_form_words_in_english(client, trip):
    open_survey(trip)
    token = participants(trip, 1)[0].access_token
    english = client.get(f"/p/{token}/feedback?lang=en").get_data(as_text=True)
    useful_en = english.split("How useful was this visit")[1].split("</fieldset>")[0]
    assert "not useful at all" in useful_en and "very useful" in useful_en


def test_admin_chooses_a_ratings_words_and_the_dashboard_and_export_use_them(
    client, admin, chair, trip
):
    survey = open_survey(trip)
    lodging = rating(survey, "Bagaimana penginapan?")
    log_in(client, admin)
    url = f"/manage/{trip.slug}/survey/questions/{lodging.id}"
    editor = client.get(url).get_data(as_text=True)
    assert (
        "sangat tidak setuju … sangat setuju" in editor and "sangat buruk … sangat baik" in editor
    )
    saved = client.post_form(
        url, {"kind": "rating", "text": lodging.text, "required": "y", "words": "agreement"}
    )
    assert saved.status_code == 303
    db.session.refresh(lodging)
    assert lodging.words == Words.agreement

    people = participants(trip, 2)
    for person, value in zip(people, (5, 2), strict=True):
        service.submit(survey, person, good_answers(survey, rating=value))
    token = people[0].access_token
    form = client.get(f"/p/{token}/feedback?edit=1").get_data(as_text=True)
    assert "sangat setuju" in form.split("Bagaimana penginapan?")[1].split("</fieldset>")[0]

    log_in(client, chair)
    dashboard = client.get(f"/manage/{trip.slug}/review").get_data(as_text=True)
    chart = dashboard.split(f'id="summary-{lodging.id}"')[1].split("</section>")[0]
    assert "5 sangat setuju" in chart and "2 tidak setuju" in chart and "puas" not in chart
    report = client.get(f"/manage/{trip.slug}/review/report").get_data(as_text=True)
    assert "5 sangat setuju" in report
    header = client.get(f"/manage/{trip.slug}/feedback.csv").get_data(as_text=True).splitlines()[0]
    assert "Bagaimana penginapan? (1 = sangat tidak setuju … 5 = sangat setuju)" in header


def test_words_not_offered_are_refused(client, admin, trip):
    survey = service.survey_of(trip)
    lodging = rating(survey, "Bagaimana penginapan?")
    log_in(client, admin)
    url = f"/manage/{trip.slug}/survey/questions/{lodging.id}"
    refused = client.post_form(url, {"kind": "rating", "text": lodging.text, "words": "puas"})
    assert refused.status_code == 422
    db.session.refresh(lodging)
    assert lodging.words == Words.quality


def test_recommendation_is_said_plainly_on_dashboard_and_report(client, chair, trip):
    survey = open_survey(trip)
    scores = [10, 9, 9, 10, 9, 9, 9, 9, 9, 8, 7, 3]
    for person, score in zip(participants(trip, len(scores)), scores, strict=True):
        service.submit(survey, person, good_answers(survey, nps=score))
    log_in(client, chair)
    for path in ("review", "review/report"):
        html = client.get(f"/manage/{trip.slug}/{path}").get_data(as_text=True)
        text = re.sub(r"<[^>]+>", "", html)
        sentence = "9 dari 12 sangat merekomendasikan (9–10), 2 ragu-ragu (7–8), 1 tidak (0–6)."
        assert sentence in text, path
        assert not re.search(r"promotor|kritikus|NPS", html, re.IGNORECASE), path


def test_dashboard_opens_on_the_results_and_lists_reminders_below(client, chair, trip):
    survey = open_survey(trip)
    answered, waiting = participants(trip, 2)
    service.submit(survey, answered, good_answers(survey))
    log_in(client, chair)
    html = client.get(f"/manage/{trip.slug}/review").get_data(as_text=True)
    results, reminders = html.index('id="summaries"'), html.index('id="missing-title"')
    assert html.index('id="response-rate"') < results < reminders
    assert html.index(waiting.full_name) > reminders
    # Still working, from further down: the button makes a survey-only link.
    sent = client.post_form(f"/manage/{trip.slug}/review/remind/{waiting.id}", {})
    assert sent.status_code == 200 and "https://wa.me/" in sent.get_data(as_text=True)


def comment_ids(html: str) -> list[str]:
    return re.findall(r'<article class="card comment[^"]*" id="comment-(\w+)"', html)


def next_link(html: str) -> str | None:
    found = re.search(r'<p class="more no-print" id="comment-page">\s*<a [^>]*href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def every_page(client, url: str) -> list[list[str]]:
    pages = []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(comment_ids(html))
        url = next_link(html)
    return pages


@pytest.mark.parametrize("anonymous", [False, True])
def test_comments_come_fifty_at_a_time_each_once(client, chair, trip, anonymous):
    survey = open_survey(trip, anonymous=anonymous)
    seed_responses(survey, 63)  # two comments each; anonymous: 60 released, 3 waiting
    shown = 60 if anonymous else 63
    log_in(client, chair)
    first = client.get(f"/manage/{trip.slug}/review/comments").get_data(as_text=True)
    assert f"{2 * shown} komentar" in first
    pages = every_page(client, f"/manage/{trip.slug}/review/comments")
    assert [len(p) for p in pages] == [50, 50, 2 * shown - 100]
    seen = [answer for page in pages for answer in page]
    assert len(set(seen)) == len(seen) == 2 * shown
    # The second page without JavaScript is a page of its own, with a way back to the first.
    second = client.get(next_link(first)).get_data(as_text=True)
    assert "<html" in second and "Kembali ke komentar pertama" in second


def test_more_comments_by_htmx_is_the_next_fifty_alone(client, chair, trip):
    survey = open_survey(trip)
    seed_responses(survey, 40)
    log_in(client, chair)
    first = client.get(f"/manage/{trip.slug}/review/comments").get_data(as_text=True)
    more = client.get(
        next_link(first), headers={"HX-Request": "true", "HX-Target": "comment-page"}
    ).get_data(as_text=True)
    assert "<html" not in more and "komentar" not in more.split("<article")[0]
    assert len(comment_ids(more)) == 30 and not set(comment_ids(more)) & set(comment_ids(first))
    assert next_link(more) is None


def test_search_and_filters_hold_across_pages(client, chair, trip):
    survey = open_survey(trip)
    seed_responses(survey, 300)
    matching = db.session.scalar(
        db.select(db.func.count()).where(Answer.value_text.like("%sampah%"))
    )
    assert matching > 50
    log_in(client, chair)
    url = f"/manage/{trip.slug}/review/comments?q=sampah"
    first = client.get(url).get_data(as_text=True)
    assert f"{matching} komentar" in first
    pages = every_page(client, url)
    assert sum(len(p) for p in pages) == matching and len(pages) > 1
    assert all("q=sampah" in link for link in re.findall(r'href="([^"]*after=[^"]*)"', first))
    improve = [q.id for q in survey.questions if q.kind == Kind.long_text][1]
    only = every_page(client, f"/manage/{trip.slug}/review/comments?question={improve}")
    assert sum(len(p) for p in only) == 300


def test_a_forged_page_start_shows_the_first_page(client, chair, trip):
    survey = open_survey(trip)
    seed_responses(survey, 30)
    log_in(client, chair)
    base = f"/manage/{trip.slug}/review/comments"
    first = comment_ids(client.get(base).get_data(as_text=True))
    for after in ("x", "1-", "99999-abc", "1-%C2%B2", "-".join(["1"] * 3), "1-" + "a" * 40):
        response = client.get(f"{base}?after={after}")
        assert response.status_code == 200, after
    assert comment_ids(client.get(f"{base}?after=x").get_data(as_text=True)) == first


def test_kept_counts_agree_with_the_answers_after_every_kind_of_change(app, trip):
    named = open_survey(trip)
    people = participants(trip, 7)
    for i, person in enumerate(people):
        service.submit(named, person, good_answers(named, rating=i % 5 + 1, text=f"Usul {i}"))
    # A change takes back the old answers: another rating, a text removed.
    service.submit(named, people[0], good_answers(named, rating=2))
    service.submit(named, people[1], good_answers(named, rating=5))
    kept = tally.read(named.questions)
    tally.rebuild(named)
    db.session.commit()
    assert tally.read(named.questions) == kept
    with app.test_request_context():
        assert review.summarise(named)[1].answered == 7


def test_a_long_not_answered_list_shows_the_first_two_hundred_by_name(client, chair, trip):
    survey = open_survey(trip)
    seed_responses(survey, 1, missing=205)
    log_in(client, chair)
    html = client.get(f"/manage/{trip.slug}/review").get_data(as_text=True)
    reminders = html.split('id="missing-title"')[1]
    assert "Belum menjawab (205)" in html and "205 belum menjawab" in html
    assert len(re.findall(r'class="send-link"', reminders)) == 200
    assert "200 orang pertama menurut nama" in reminders
    assert "Peserta 00002" in reminders and "Peserta 00206" not in reminders
