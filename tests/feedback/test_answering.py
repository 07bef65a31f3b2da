"""A participant answers the survey from the personal link; bad input saves nothing."""

import pytest
from sqlalchemy import func, select

from kampung.extensions import db
from kampung.feedback import service
from kampung.feedback.models import Answer, Kind, Question, Responded, Response
from tests.feedback.helpers import as_form, good_answers, open_survey, participants, question


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_every_new_trip_has_the_default_named_survey(trip):
    survey = service.survey_of(trip)
    kinds = [q.kind for q in survey.questions]
    assert kinds == ["rating"] * 6 + ["long_text", "long_text", "nps"]
    assert not survey.anonymous and not survey.is_open
    assert survey.questions[0].text.startswith("Secara keseluruhan")


def test_participant_answers_sees_thanks_and_can_change_until_close(client, trip):
    survey = open_survey(trip)
    (reg,) = participants(trip, 1)
    url = f"/p/{reg.access_token}/feedback"
    page = client.get(url).get_data(as_text=True)
    assert "sangat puas" in page and "Kirim jawaban" in page
    answers = good_answers(survey, rating=5, text="Bank sampah di tiap RT")
    response = client.post_form(url, as_form(answers))
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Terima kasih" in thanks and "Ubah jawaban" in thanks
    edit = client.get(url + "?edit=1").get_data(as_text=True)
    assert "Bank sampah di tiap RT" in edit
    answers[question(survey, Kind.rating).id] = ["2"]
    assert client.post_form(url, as_form(answers)).status_code == 303
    assert count(Response) == 1 and count(Responded) == 1
    first = question(survey, Kind.rating).id
    assert db.session.scalar(select(Answer.value_int).where(Answer.question_id == first)) == 2
    survey.is_open = False
    db.session.commit()
    refused = client.post_form(url, as_form(good_answers(survey, rating=1)))
    assert refused.status_code == 409
    assert "ditutup" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Answer.value_int).where(Answer.question_id == first)) == 2


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda s, a: a.pop(question(s, Kind.rating).id), "Mohon jawab pertanyaan ini"),
        (lambda s, a: a.update({question(s, Kind.rating).id: ["6"]}), "Pilih salah satu"),
        (lambda s, a: a.update({question(s, Kind.nps).id: ["11"]}), "Pilih salah satu"),
        (lambda s, a: a.update({question(s, Kind.nps).id: ["-1"]}), "Pilih salah satu"),
        (lambda s, a: a.update({question(s, Kind.rating).id: ["4", "5"]}), "satu jawaban"),
        (lambda s, a: a.update({question(s, Kind.rating).id: ["empat"]}), "Pilih salah satu"),
        (lambda s, a: a.update({question(s, Kind.long_text).id: ["x" * 2001]}), "2000"),
        (lambda s, a: a.update({999999: ["5"]}), "tidak sesuai"),
    ],
)
def test_bad_answers_get_a_clear_message_and_save_nothing(client, trip, spoil, message):
    survey = open_survey(trip)
    (reg,) = participants(trip, 1)
    answers = good_answers(survey)
    spoil(survey, answers)
    response = client.post_form(f"/p/{reg.access_token}/feedback", as_form(answers))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Response) == count(Answer) == count(Responded) == 0


def test_an_option_not_offered_is_refused(client, trip):
    survey = open_survey(trip)
    choice = service.add_question(
        survey,
        service.QuestionData(
            kind="multiple", text="Apa yang paling berkesan?", options=[{"id": "A"}, {"id": "B"}]
        ),
    )
    (reg,) = participants(trip, 1)
    answers = good_answers(survey) | {choice.id: ["0", "2"]}
    response = client.post_form(f"/p/{reg.access_token}/feedback", as_form(answers))
    assert response.status_code == 422
    assert count(Response) == 0
    answers[choice.id] = ["0", "1"]
    assert client.post_form(f"/p/{reg.access_token}/feedback", as_form(answers)).status_code == 303
    chosen = select(Answer.value_int).where(Answer.question_id == choice.id)
    assert sorted(db.session.scalars(chosen)) == [0, 1]


def test_a_question_id_of_another_survey_is_refused(client, trip):
    from kampung.trips import create_trip

    other = create_trip(
        slug="lain",
        title="Lain",
        departs_at=trip.departs_at,
        returns_at=trip.returns_at,
        buses=[],
        checkpoints=[],
    )
    db.session.commit()
    foreign = service.survey_of(other).questions[0]
    survey = open_survey(trip)
    (reg,) = participants(trip, 1)
    answers = good_answers(survey) | {foreign.id: ["5"]}
    response = client.post_form(f"/p/{reg.access_token}/feedback", as_form(answers))
    assert response.status_code == 422
    assert count(Answer) == 0
    assert db.session.get(Question, foreign.id).survey_id != survey.id


def test_answers_are_cleaned_of_controls_and_invisible_characters(client, trip):
    """In an anonymous survey nobody can find a broken answer afterwards to fix it."""
    survey = open_survey(trip, anonymous=True)
    short = service.add_question(survey, service.QuestionData(kind="short_text", text="Satu kata?"))
    (reg,) = participants(trip, 1)
    answers = good_answers(survey) | {
        question(survey, Kind.long_text).id: ["\u202eBank\x0bsampah\r\ntiap\tRT\x01\u200b"],
        short.id: ["Gotong\x0broyong\u2069"],
        question(survey, Kind.rating).id: ["4\u200b"],
    }
    response = client.post_form(f"/p/{reg.access_token}/feedback", as_form(answers))
    assert response.status_code == 303
    texts = db.session.scalars(select(Answer.value_text).where(Answer.value_text.is_not(None)))
    assert sorted(texts) == ["Bank\nsampah\ntiap\tRT", "Gotong royong"]
    rating = select(Answer.value_int).where(Answer.question_id == question(survey, Kind.rating).id)
    assert db.session.scalar(rating) == 4


def test_an_answer_of_invisible_characters_only_is_no_answer(client, trip):
    survey = open_survey(trip)
    (reg,) = participants(trip, 1)
    text = question(survey, Kind.long_text)
    text.required = True
    db.session.commit()
    answers = good_answers(survey) | {text.id: ["\u200b\u202e\x0b"]}
    response = client.post_form(f"/p/{reg.access_token}/feedback", as_form(answers))
    assert response.status_code == 422
    assert "Mohon jawab pertanyaan ini" in response.get_data(as_text=True)


def test_a_megabyte_of_text_is_refused(client, trip):
    survey = open_survey(trip)
    (reg,) = participants(trip, 1)
    answers = good_answers(survey) | {question(survey, Kind.long_text).id: ["x" * 1_000_000]}
    response = client.post_form(f"/p/{reg.access_token}/feedback", as_form(answers))
    # Refused by the form size limit (413) or by the text limit (422): a message, nothing saved.
    assert response.status_code in (413, 422)
    assert "2000" in response.get_data(as_text=True) or response.status_code == 413
    assert count(Response) == 0


def test_a_second_anonymous_response_is_refused(client, trip):
    survey = open_survey(trip, anonymous=True)
    (reg,) = participants(trip, 1)
    url = f"/p/{reg.access_token}/feedback"
    form_page = client.get(url).get_data(as_text=True)
    assert "tidak dapat diubah" in form_page
    assert client.post_form(url, as_form(good_answers(survey, rating=5))).status_code == 303
    again = client.post_form(url, as_form(good_answers(survey, rating=1)))
    assert again.status_code == 409
    assert count(Response) == 1 and count(Responded) == 1
    assert db.session.scalar(select(func.min(Answer.value_int)).where(Answer.value_int > 0)) > 1


def test_one_response_per_registration_is_kept_by_the_database(trip):
    from sqlalchemy.exc import IntegrityError

    survey = open_survey(trip)
    (reg,) = participants(trip, 1)
    service.submit(survey, reg, good_answers(survey))
    db.session.add(Responded(survey_id=survey.id, registration_id=reg.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(Response(survey_id=survey.id, registration_id=reg.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_unknown_or_malformed_token_is_a_plain_404(client, trip):
    open_survey(trip)
    assert client.get("/p/" + "a" * 32 + "/feedback").status_code == 404
    assert client.get("/p/bad!token/feedback").status_code == 404


def test_a_closed_survey_shows_no_form(client, trip):
    (reg,) = participants(trip, 1)
    page = client.get(f"/p/{reg.access_token}/feedback").get_data(as_text=True)
    assert "tidak dibuka" in page and "Kirim jawaban" not in page


def test_personal_entry_follows_the_survey_state(app, trip):
    from flask import render_template

    from kampung.feedback.service import survey_entry

    survey = service.survey_of(trip)
    (reg,) = participants(trip, 1)

    def shown() -> str:
        with app.test_request_context():
            entry = survey_entry(reg)
            return render_template("feedback/_personal_entry.html", entry=entry)

    assert "survei" not in shown().lower()
    open_survey(trip)
    assert "Isi survei" in shown()
    service.submit(survey, reg, good_answers(survey))
    assert "Ubah jawaban" in shown()
    survey.is_open = False
    db.session.commit()
    assert "Terima kasih" in shown() and "Ubah jawaban" not in shown()


def test_the_survey_speaks_english_when_asked(client, trip):
    open_survey(trip)
    (reg,) = participants(trip, 1)
    page = client.get(f"/p/{reg.access_token}/feedback?lang=en").get_data(as_text=True)
    assert "Overall, how satisfied are you with this study visit?" in page
    assert "very satisfied" in page and "Send answers" in page
