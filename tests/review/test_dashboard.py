"""The chair's review: response rate, reminders, summaries, comments, marks, roles, queries."""

import re

import pytest
from sqlalchemy import event

from kampung.extensions import db
from kampung.feedback import service
from kampung.feedback.models import Kind, Mark
from kampung.feedback.seed import seed_responses
from kampung.review import service as review
from tests.conftest import log_in
from tests.feedback.helpers import good_answers, open_survey, participants, question


@pytest.fixture
def answered(trip):
    """Three participants: two answered (ratings 5 and 3, nps 10 and 6), one did not."""
    survey = open_survey(trip)
    a, b, c = participants(trip, 3)
    service.submit(survey, a, good_answers(survey, rating=5, nps=10, text="Bank sampah RT"))
    service.submit(survey, b, good_answers(survey, rating=3, nps=6, text="=HYPERLINK(1)"))
    return survey, (a, b, c)


def test_organisers_and_strangers_do_not_see_answers(client, trip, organiser):
    for path in ("review", "review/comments", "review/practices", "review/report"):
        assert client.get(f"/manage/{trip.slug}/{path}").status_code == 302
    log_in(client, organiser)
    for path in ("review", "review/comments", "review/practices", "review/report",
                 "feedback.csv", "feedback.xlsx", "survey"):  # fmt: skip
        assert client.get(f"/manage/{trip.slug}/{path}").status_code == 403, path


def test_chair_sees_rate_summary_and_reminder_for_who_has_not_answered(
    client, chair, answered, app
):
    survey, (_a, _b, c) = answered
    app.config["PUBLIC_URL"] = "https://kampung.jambikota.go.id"
    log_in(client, chair)
    html = client.get(f"/manage/{survey.trip.slug}/review").get_data(as_text=True)
    assert "2 dari 3 menjawab" in html
    assert "4,0" in html  # average of 5 and 3
    # The 0-10 question said plainly: one 10, one 6.
    text = re.sub(r"<[^>]+>", "", html)
    assert "1 dari 2 sangat merekomendasikan (9–10), 0 ragu-ragu (7–8), 1 tidak (0–6)." in text
    assert "Promotor" not in html and "kritikus" not in html and "NPS" not in html
    assert c.full_name in html and "Peserta Uji 1" not in html
    # The reminder is a button that makes a survey-only link (tests/review/test_reminders.py);
    # the page itself holds no one's access link.
    assert f'action="/manage/{survey.trip.slug}/review/remind/{c.id}"' in html
    assert "Ingatkan lewat WhatsApp" in html
    assert c.access_token not in html and "https://wa.me/" not in html
    assert "style=" not in html


def test_summary_counts_in_sql(app, answered):
    survey, _people = answered
    with app.test_request_context():
        summaries = {s.question.id: s for s in review.summarise(survey)}
    rating = summaries[question(survey, Kind.rating).id]
    assert rating.answered == 2 and rating.average == 4.0
    assert [b.count for b in rating.buckets] == [1, 0, 1, 0, 0]
    nps = summaries[question(survey, Kind.nps).id]
    assert (nps.promoters, nps.unsure, nps.detractors) == (1, 0, 1)


def test_comments_search_filter_and_names(client, chair, answered):
    survey, (a, _b, _c) = answered
    log_in(client, chair)
    url = f"/manage/{survey.trip.slug}/review/comments"
    html = client.get(url).get_data(as_text=True)
    assert "Bank sampah RT" in html and a.full_name in html
    found = client.get(url + "?q=sampah").get_data(as_text=True)
    assert "Bank sampah RT" in found and "HYPERLINK" not in found
    fragment = client.get(url + "?q=sampah", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Bank sampah RT" in fragment.get_data(as_text=True)
    other = client.get(url + "?kecamatan=Pasar+Jambi").get_data(as_text=True)
    assert "Bank sampah RT" not in other
    first_text = question(survey, Kind.long_text).id
    assert "Bank sampah RT" in client.get(f"{url}?question={first_text}").get_data(as_text=True)


def test_anonymous_comments_show_no_names(client, chair, trip):
    survey = open_survey(trip, anonymous=True)
    people = participants(trip, 5)  # the first batch an anonymous survey shows
    for i, registration in enumerate(people):
        service.submit(survey, registration, good_answers(survey, text=f"Kebun gizi {i}"))
    log_in(client, chair)
    html = client.get(f"/manage/{trip.slug}/review/comments").get_data(as_text=True)
    assert "Kebun gizi 0" in html and not any(p.full_name in html for p in people)
    assert 'name="kecamatan"' not in html


def test_marking_a_comment_without_js_and_with_htmx(client, chair, answered):
    survey, _people = answered
    log_in(client, chair)
    rows = review.comments(survey, review.CommentFilter(search="Bank")).rows
    answer_id = rows[0].answer_id
    base = f"/manage/{survey.trip.slug}/review"
    back = f"{base}/comments?q=Bank"
    plain = client.post_form(
        f"{base}/answers/{answer_id}/mark",
        {"kind": "practice", "note": "Bawa ke Wali Kota", "back": back},
    )
    assert plain.status_code == 303 and plain.headers["Location"].endswith("comments?q=Bank")
    practices = client.get(f"{base}/practices").get_data(as_text=True)
    assert "Bank sampah RT" in practices and "Bawa ke Wali Kota" in practices
    swapped = client.post_form(
        f"{base}/answers/{answer_id}/mark",
        {"kind": "followup", "note": ""},
        headers={"HX-Request": "true"},
    )
    body = swapped.get_data(as_text=True)
    assert swapped.status_code == 200 and "<html" not in body and "Tindak lanjut" in body
    refused = client.post_form(f"{base}/answers/{'0' * 32}/mark", {"kind": "practice"})
    assert refused.status_code == 303
    assert (
        client.post_form(
            f"{base}/answers/{answer_id}/mark", {"kind": "hebat"}, headers={"HX-Request": "true"}
        ).status_code
        == 422
    )
    report = client.get(f"{base}/report").get_data(as_text=True)
    assert "Bank sampah RT" in report and "2 dari 3 menjawab" in report


def test_a_marks_note_is_cleaned(client, chair, answered):
    survey, _people = answered
    log_in(client, chair)
    rows = review.comments(survey, review.CommentFilter(search="Bank")).rows
    url = f"/manage/{survey.trip.slug}/review/answers/{rows[0].answer_id}/mark"
    note = "\u202eBawa ke\x0bWali Kota\x01\u200b"
    assert client.post_form(url, {"kind": "practice", "note": note}).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(db.select(Mark.note)) == "Bawa ke Wali Kota"


def count_queries(client, url: str) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


@pytest.mark.parametrize(
    "path", ["review", "review/report", "review/practices", "review/comments", "feedback.csv"]
)
def test_pages_make_as_many_queries_at_100_responses_as_at_10(client, chair, trip, path):
    survey = open_survey(trip)
    log_in(client, chair)
    seed_responses(survey, 10, missing=2, seed=1)
    url = f"/manage/{trip.slug}/{path}"
    at_10 = count_queries(client, url)
    seed_responses(survey, 90, missing=3, seed=2)
    assert review.response_rate(survey).answered == 100
    assert count_queries(client, url) == at_10
