"""The admin edits the survey; changes that would break given answers are refused."""

from kampung.extensions import db
from kampung.feedback import service
from kampung.feedback.models import Question
from tests.conftest import log_in
from tests.feedback.helpers import good_answers, open_survey, participants


def add_choice(client, slug, options="Bus | Bus\nKereta | Train"):
    return client.post_form(
        f"/manage/{slug}/survey",
        {
            "action": "add",
            "new-kind": "single",
            "new-text": "Kendaraan apa yang Anda sukai?",
            "new-text_en": "Which vehicle do you prefer?",
            "new-required": "y",
            "new-options": options,
        },
    )


def test_admin_adds_moves_edits_and_removes_a_question(client, admin, trip):
    log_in(client, admin)
    survey = service.survey_of(trip)
    page = client.get(f"/manage/{trip.slug}/survey").get_data(as_text=True)
    assert "Tambah pertanyaan" in page and "Secara keseluruhan" in page
    assert add_choice(client, trip.slug).status_code == 303
    db.session.expire_all()
    added = survey.questions[-1]
    assert added.options == [{"id": "Bus", "en": "Bus"}, {"id": "Kereta", "en": "Train"}]
    url = f"/manage/{trip.slug}/survey/questions/{added.id}"
    assert client.post_form(f"{url}/up").status_code == 303
    db.session.expire_all()
    assert survey.questions[-2].id == added.id
    edited = client.post_form(
        url, {"kind": "single", "text": "Kendaraan?", "options": "Bus\nKereta\nPesawat"}
    )
    assert edited.status_code == 303
    db.session.expire_all()
    assert db.session.get(Question, added.id).option_labels() == ["Bus", "Kereta", "Pesawat"]
    assert client.post_form(f"{url}/remove").status_code == 303
    assert db.session.get(Question, added.id) is None
    assert [q.position for q in survey.questions] == list(range(len(survey.questions)))


def test_question_texts_and_options_are_cleaned(client, admin, trip):
    log_in(client, admin)
    survey = service.survey_of(trip)
    response = client.post_form(
        f"/manage/{trip.slug}/survey",
        {
            "action": "add",
            "new-kind": "single",
            "new-text": "\u202eKendaraan\x0bapa?\u200b",
            "new-text_en": "Which\x01 vehicle?",
            "new-options": "Bus\u200b | Bus\r\nKereta\x1b | Train\u2069",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    added = survey.questions[-1]
    assert (added.text, added.text_en) == ("Kendaraan\napa?", "Which vehicle?")
    assert added.options == [{"id": "Bus", "en": "Bus"}, {"id": "Kereta", "en": "Train"}]


def test_a_choice_question_needs_two_options(client, admin, trip):
    log_in(client, admin)
    response = add_choice(client, trip.slug, options="Bus")
    assert response.status_code == 422
    assert "paling sedikit dua pilihan" in response.get_data(as_text=True)


def test_changes_that_break_answers_are_refused_with_a_warning(client, admin, trip):
    log_in(client, admin)
    add_choice(client, trip.slug)
    survey = open_survey(trip)
    choice = survey.questions[-1]
    (reg,) = participants(trip, 1)
    service.submit(survey, reg, good_answers(survey) | {choice.id: ["1"]})
    url = f"/manage/{trip.slug}/survey/questions/{choice.id}"
    assert "1 jawaban" in client.get(url).get_data(as_text=True)
    fewer = client.post_form(url, {"kind": "single", "text": "Kendaraan?", "options": "Bus"})
    assert fewer.status_code == 409 and "tidak dapat dihapus" in fewer.get_data(as_text=True)
    kind = client.post_form(url, {"kind": "short_text", "text": "Kendaraan?"})
    assert kind.status_code == 409 and "jenisnya tidak dapat diubah" in kind.get_data(as_text=True)
    removed = client.post_form(f"{url}/remove", follow_redirects=True)
    assert "sudah dijawab dan tidak dapat dihapus" in removed.get_data(as_text=True)
    switched = client.post_form(
        f"/manage/{trip.slug}/survey", {"action": "settings", "s-is_open": "y", "s-anonymous": "y"}
    )
    assert switched.status_code == 409
    db.session.expire_all()
    assert choice.kind == "single" and len(choice.options) == 2 and not survey.anonymous
    reworded = client.post_form(
        url, {"kind": "single", "text": "Kendaraan?", "options": "Bus besar\nKereta\nKapal"}
    )
    assert reworded.status_code == 303


def test_admin_opens_the_survey_with_times(client, admin, trip):
    log_in(client, admin)
    response = client.post_form(
        f"/manage/{trip.slug}/survey",
        {"action": "settings", "s-is_open": "y", "s-closes_at": "2030-01-20T21:00"},
    )
    assert response.status_code == 303
    survey = service.survey_of(trip)
    db.session.refresh(survey)
    assert survey.is_open and survey.closes_at.hour == 14  # 21.00 WIB is 14.00 UTC
    bad = client.post_form(
        f"/manage/{trip.slug}/survey",
        {"action": "settings", "s-opens_at": "2030-01-20T21:00", "s-closes_at": "2030-01-19T21:00"},
    )
    assert bad.status_code == 422


def test_only_the_admin_edits_the_survey(client, chair, trip):
    log_in(client, chair)
    assert client.get(f"/manage/{trip.slug}/survey").status_code == 403


def test_event_set_opens_and_closes_the_feedback(app, trip):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["event", "set", trip.slug, "--feedback", "open"])
    assert result.exit_code == 0, result.output
    survey = service.survey_of(trip)
    db.session.refresh(survey)
    assert survey.open_now()
    runner.invoke(args=["event", "set", trip.slug, "--feedback", "closed"])
    db.session.refresh(survey)
    assert not survey.open_now()
