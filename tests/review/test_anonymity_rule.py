"""The release rule of an anonymous survey: results in batches of K, the first batch too, and a
remainder under K hidden for good once the survey closes; a named survey shows all at once."""

from __future__ import annotations

import csv
import io
import threading

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from kampung.extensions import db
from kampung.feedback import service
from kampung.feedback.models import Answer, Kind, Response
from kampung.feedback.seed import seed_responses
from kampung.review import anonymity
from kampung.review import service as review
from tests.conftest import log_in
from tests.feedback.helpers import good_answers, open_survey, participants, question
from tests.feedback.test_anonymity import orders
from tests.review.test_dashboard import count_queries


def answer(survey, people, start: int = 0) -> None:
    for i, registration in enumerate(people, start=start):
        service.submit(survey, registration, good_answers(survey, rating=5, text=f"Usulan {i}"))


def summaries(app, survey) -> dict:
    with app.test_request_context():
        return {s.question.id: s for s in review.summarise(survey)}


def shown_and_waiting(survey) -> tuple[int, int]:
    release = anonymity.progress(survey)
    return release.shown, release.waiting


def test_four_answers_show_no_numbers_and_the_fifth_shows_all_five(app, client, chair, trip):
    survey = open_survey(trip, anonymous=True)
    people = participants(trip, 5)
    answer(survey, people[:4])
    log_in(client, chair)
    base = f"/manage/{trip.slug}"
    dashboard = client.get(f"{base}/review").get_data(as_text=True)
    assert "4 dari 5 menjawab" in dashboard
    assert "Hasil tampil setelah ada 5 jawaban." in dashboard
    assert "4 jawaban masih menunggu: akan tampil setelah 1 orang lagi menjawab." in dashboard
    assert 'id="summaries"' not in dashboard and "rata-rata" not in dashboard
    comments = client.get(f"{base}/review/comments").get_data(as_text=True)
    assert "Belum ada komentar yang ditampilkan." in comments and "Usulan" not in comments
    report = client.get(f"{base}/review/report").get_data(as_text=True)
    assert "Hasil tampil setelah ada 5 jawaban." in report and "rata-rata" not in report
    exported = client.get(f"{base}/feedback.csv").get_data(as_text=True).lstrip("\ufeff")
    assert len(list(csv.reader(io.StringIO(exported)))) == 1  # the header alone
    assert all(s.answered == 0 for s in summaries(app, survey).values())

    answer(survey, people[4:], start=4)
    dashboard = client.get(f"{base}/review").get_data(as_text=True)
    assert "Hasil ini berasal dari 5 jawaban." in dashboard and "5,0" in dashboard
    assert "menunggu" not in dashboard
    comments = client.get(f"{base}/review/comments").get_data(as_text=True)
    assert all(f"Usulan {i}" in comments for i in range(5))
    rating = summaries(app, survey)[question(survey, Kind.rating).id]
    assert (rating.answered, rating.average) == (5, 5.0)


def test_batches_of_five_and_closing_keeps_the_last_answers_hidden(client, chair, trip):
    survey = open_survey(trip, anonymous=True)
    people = participants(trip, 15)
    for n, registration in enumerate(people[:12], start=1):
        answer(survey, [registration], start=n)
        assert shown_and_waiting(survey) == (n - n % 5, n % 5)
    service.set_open(survey, False)
    assert shown_and_waiting(survey) == (10, 2)
    log_in(client, chair)
    dashboard = client.get(f"/manage/{trip.slug}/review").get_data(as_text=True)
    assert "2 jawaban terakhir tidak ditampilkan agar tetap anonim." in dashboard
    assert "12 dari 15 menjawab" in dashboard and "Hasil ini berasal dari 10 jawaban." in dashboard

    # Reopened, the hidden two wait for three more, and then appear in a batch of five.
    service.set_open(survey, True)
    answer(survey, people[12:14], start=13)
    assert shown_and_waiting(survey) == (10, 4)
    answer(survey, people[14:], start=15)
    assert shown_and_waiting(survey) == (15, 0)


def test_a_named_survey_shows_each_answer_as_it_comes(app, trip):
    survey = open_survey(trip)
    answer(survey, participants(trip, 1))
    assert anonymity.progress(survey) is None
    assert db.session.scalar(sa.select(Response.released)) is True
    assert {s.answered for s in summaries(app, survey).values()} == {1}


def test_a_waiting_answer_cannot_be_marked(app, client, chair, trip):
    survey = open_survey(trip, anonymous=True)
    answer(survey, participants(trip, 1))
    answer_id = db.session.scalar(sa.select(Answer.id).where(Answer.value_text.is_not(None)))
    with app.test_request_context(), pytest.raises(review.MarkError):
        review.set_mark(survey, answer_id, "practice", "", chair)
    log_in(client, chair)
    url = f"/manage/{trip.slug}/review/answers/{answer_id}/mark"
    assert client.post_form(url, {"kind": "practice"}).status_code == 303  # with the refusal
    htmx = client.post_form(url, {"kind": "practice"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 404
    assert not review.marked(survey)


def test_answers_sent_at_once_are_released_in_whole_batches(app, trip):
    survey = open_survey(trip, anonymous=True)
    ids = [r.id for r in participants(trip, 7)]
    survey_id = survey.id
    start = threading.Barrier(len(ids))
    failures: list[BaseException] = []

    def send(registration_id: int) -> None:
        with app.app_context():
            from kampung.feedback.models import Survey
            from kampung.signup.models import Registration

            try:
                mine = db.session.get(Survey, survey_id)
                registration = db.session.get(Registration, registration_id)
                start.wait(10)
                service.submit(mine, registration, good_answers(mine, text="Serentak"))
            except BaseException as error:
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    db.session.expire_all()
    assert shown_and_waiting(survey) == (5, 2)
    assert review.response_rate(survey).answered == 7


@pytest.mark.parametrize("chose_it", [True, False])
def test_the_editor_tells_nothing_of_waiting_answers(app, client, admin, trip, chose_it):
    survey = open_survey(trip, anonymous=True)
    options = [{"id": "Ya"}, {"id": "Tidak"}]
    extra = service.add_question(
        survey, service.QuestionData("single", "Ikut lagi?", required=False, options=options)
    )
    people = participants(trip, 6)
    answer(survey, people[:5])
    chosen = {extra.id: ["0"]} if chose_it else {}
    service.submit(survey, people[5], good_answers(survey) | chosen)
    # Whether the sixth chose the new question or not, the admin sees and meets the same.
    assert service.answer_count(extra) == 0 and service.is_locked(extra)
    with app.test_request_context(), pytest.raises(service.QuestionLocked):
        service.remove_question(extra)
    log_in(client, admin)
    page = client.get(f"/manage/{trip.slug}/survey/questions/{extra.id}").get_data(as_text=True)
    assert "Ada jawaban yang menunggu untuk ditampilkan" in page


def test_the_settings_page_explains_the_rule_beside_the_switch(client, admin, trip):
    log_in(client, admin)
    page = client.get(f"/manage/{trip.slug}/survey").get_data(as_text=True)
    assert 'aria-describedby="anonymity-rule"' in page
    assert "Pada survei anonim, hasil baru tampil setiap 5 jawaban" in page
    assert "tidak dapat disaring per kecamatan atau bus" in page


def test_the_migration_releases_what_was_shown_before_it(app, trip):
    survey = open_survey(trip, anonymous=True)
    answer(survey, participants(trip, 2))
    db.session.commit()
    db.session.remove()
    downgrade(revision="0008_staff_links")
    upgrade()
    assert db.session.scalars(sa.select(Response.released)).all() == [True, True]
    if db.engine.dialect.name == "sqlite":
        # Still without rowid, so that no insertion order comes back with the column.
        sql = db.session.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'response'"))
        assert "WITHOUT ROWID" in sql


@pytest.mark.parametrize(
    "path", ["review", "review/report", "review/practices", "review/comments", "feedback.csv"]
)
def test_anonymous_pages_make_as_many_queries_at_100_responses_as_at_12(client, chair, trip, path):
    survey = open_survey(trip, anonymous=True)
    log_in(client, chair)
    seed_responses(survey, 12, missing=2, seed=1)
    url = f"/manage/{trip.slug}/{path}"
    before = count_queries(client, url)
    seed_responses(survey, 91, missing=3, seed=2)
    assert shown_and_waiting(survey) == (100, 3)
    assert count_queries(client, url) == before


def test_the_database_does_not_tell_whose_answers_wait_for_their_batch(trip):
    """The waiting responses are the latest few: who answered must keep no order of arrival."""
    survey = open_survey(trip, anonymous=True)
    people = participants(trip, 7)
    for i in (2, 6, 0, 4, 1, 3, 5):  # not the order they signed up in
        answer(survey, [people[i]], start=i)
    assert shown_and_waiting(survey) == (5, 2)
    key_order = sorted(p.id for p in people)
    for name, stored in orders("responded", "registration_id").items():
        assert stored == key_order, f"who answered, {name}, keeps the order of arrival"
    if db.engine.dialect.name == "postgresql":
        stamps = db.session.scalars(sa.text("SELECT DISTINCT xmin::text FROM responded")).all()
        assert len(stamps) == 1
