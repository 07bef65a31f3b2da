"""Copy this trip: the next trip starts with the same places, buses, checkpoints and survey, and
with nobody on it; from the trip's page and from `flask event copy`."""

import pytest

from kampung.extensions import db
from kampung.feedback import service as feedback
from kampung.feedback.models import Response, Words
from kampung.models import Trip
from kampung.trips import BadSlug, copy_trip, suggested_slug
from tests.conftest import log_in
from tests.feedback.helpers import good_answers, open_survey, participants


def trip_by(slug: str) -> Trip:
    return db.session.scalar(db.select(Trip).where(Trip.slug == slug))


def questions_of(trip: Trip) -> list[tuple]:
    survey = feedback.survey_of(trip)
    return [
        (q.position, q.kind, q.text, q.text_en, q.required, q.words, q.options)
        for q in survey.questions
    ]


@pytest.fixture
def lived(trip):
    """The demo trip after a visit: people, answers, an edited and anonymous survey."""
    trip.contact_name, trip.contact_phone = "Bapak Hendra", "+6281200000200"
    trip.registration_open = True
    survey = open_survey(trip)
    people = participants(trip, 3)
    feedback.submit(survey, people[0], good_answers(survey, text="Bank sampah"))
    feedback.add_question(
        survey,
        feedback.QuestionData(
            kind="single",
            text="Hari mana yang paling berguna?",
            options=[{"id": "Jumat", "en": "Friday"}, {"id": "Sabtu", "en": "Saturday"}],
        ),
    )
    survey.questions[0].words = Words.agreement
    db.session.commit()
    return trip


def test_copy_has_the_same_places_buses_checkpoints_and_survey_and_no_people(lived):
    copy = copy_trip(lived, "studi-banding-2027")
    db.session.expire_all()
    copy, lived = trip_by("studi-banding-2027"), trip_by(lived.slug)
    assert copy.title == f"{lived.title} (salinan)"
    for name in ("description", "origin", "destination", "meeting_point", "capacity",
                 "contact_name", "contact_phone", "departs_at", "returns_at"):  # fmt: skip
        assert getattr(copy, name) == getattr(lived, name), name
    assert [(b.name, b.seats, b.position) for b in copy.buses] == [
        (b.name, b.seats, b.position) for b in lived.buses
    ]
    assert [(c.name, c.position) for c in copy.checkpoints] == [
        (c.name, c.position) for c in lived.checkpoints
    ]
    assert {b.id for b in copy.buses}.isdisjoint({b.id for b in lived.buses})
    assert questions_of(copy) == questions_of(lived)
    survey = feedback.survey_of(copy)
    assert survey.id != feedback.survey_of(lived).id
    assert not survey.is_open and not survey.anonymous
    assert copy.count_by_status() == {"registered": 0, "waitlisted": 0, "cancelled": 0}
    assert not copy.registration_open and not copy.registration_is_open()
    answers = db.select(db.func.count()).where(Response.survey_id == survey.id)
    assert db.session.scalar(answers) == 0
    # The trip it came from is as it was.
    assert lived.count_by_status()["registered"] == 3 and lived.registration_open


def test_copy_keeps_an_anonymous_survey_anonymous_and_takes_a_new_title(trip):
    open_survey(trip, anonymous=True)
    copy = copy_trip(trip, "kunjungan-padang", title="Studi Banding ke Padang")
    assert copy.title == "Studi Banding ke Padang"
    survey = feedback.survey_of(copy)
    assert survey.anonymous and not survey.is_open


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("studi-banding-bengkulu", "sudah dipakai"),
        ("Studi Banding!", "huruf kecil"),
        ("", "huruf kecil"),
        ("a" * 81, "huruf kecil"),
        ("dua--strip", "huruf kecil"),
    ],
)
def test_a_bad_new_slug_is_refused_and_nothing_is_saved(app, trip, slug, message):
    with app.test_request_context(), pytest.raises(BadSlug) as refused:
        copy_trip(trip, slug)
    assert message in refused.value.message
    assert db.session.scalar(db.select(db.func.count()).select_from(Trip)) == 1


def test_flask_event_copy_makes_the_trip_with_nobody_on_it(app, trip):
    participants(trip, 2)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["event", "copy", trip.slug, "studi-banding-2027"])
    assert result.exit_code == 0, result.output
    assert "studi-banding-2027" in result.output and "no participants" in result.output
    copy = trip_by("studi-banding-2027")
    assert copy.count_by_status()["registered"] == 0
    assert questions_of(copy) == questions_of(trip)
    assert [b.name for b in copy.buses] == ["Bus 1", "Bus 2"]

    taken = runner.invoke(args=["event", "copy", trip.slug, "studi-banding-2027"])
    assert taken.exit_code != 0 and "sudah dipakai" in taken.output
    invalid = runner.invoke(args=["event", "copy", trip.slug, "Bukan Slug"])
    assert invalid.exit_code != 0 and "huruf kecil" in invalid.output
    missing = runner.invoke(args=["event", "copy", "tidak-ada", "baru"])
    assert missing.exit_code != 0 and "no trip" in missing.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Trip)) == 2


def test_admin_copies_from_the_trip_page(client, admin, trip):
    log_in(client, admin)
    page = client.get(f"/manage/{trip.slug}/").get_data(as_text=True)
    assert f'href="/manage/{trip.slug}/copy"' in page and "Salin perjalanan ini" in page
    form = client.get(f"/manage/{trip.slug}/copy").get_data(as_text=True)
    assert 'value="studi-banding-bengkulu-2"' in form and "(salinan)" in form
    taken = client.post_form(
        f"/manage/{trip.slug}/copy", {"title": "Berikutnya", "slug": trip.slug}
    )
    assert taken.status_code == 422
    assert "sudah dipakai" in taken.get_data(as_text=True)
    done = client.post_form(
        f"/manage/{trip.slug}/copy", {"title": "Studi Banding 2027", "slug": "sb-2027"}
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/manage/sb-2027/edit")
    assert trip_by("sb-2027").title == "Studi Banding 2027"


def test_organisers_and_chairs_see_no_copy_button(client, organiser, chair, trip):
    for user in (organiser, chair):
        log_in(client, user)
        assert "Salin perjalanan ini" not in client.get(f"/manage/{trip.slug}/").get_data(
            as_text=True
        )
        assert client.get(f"/manage/{trip.slug}/copy").status_code == 403


@pytest.mark.parametrize(
    ("slug", "suggested"),
    [("studi-banding-2026", "studi-banding-2026-2"), ("kunjungan-2", "kunjungan-3")],
)
def test_the_suggested_link_name_is_free_and_keeps_a_year(trip, slug, suggested):
    trip.slug = slug
    db.session.commit()
    assert suggested_slug(trip) == suggested
    copy_trip(trip, suggested)
    assert suggested_slug(trip) != suggested


def test_copy_takes_the_rundown_unpublished_and_the_follow_up_rounds(lived):

    from kampung.adoption import service as adoption
    from kampung.schedule import service as schedule
    from kampung.schedule.demo import add_demo_rundown

    add_demo_rundown(lived)
    items = schedule.items_of(lived)
    schedule.remove_item(items[-1], None)  # cancelled after publishing: struck, not copied
    adoption.set_round_days(lived, [45, 120])
    db.session.commit()
    copy = copy_trip(lived, "studi-banding-2027")
    db.session.commit()
    kept = [(i.starts_at, i.ends_at, i.place, i.what) for i in items[:-1]]
    assert [(i.starts_at, i.ends_at, i.place, i.what) for i in schedule.items_of(copy)] == kept
    assert schedule.publication(copy) is None
    assert [(r.number, r.days_after, r.is_open) for r in adoption.rounds_of(copy)] == [
        (1, 45, False),
        (2, 120, False),
    ]


def test_the_trip_page_offers_the_copy_once_and_keeps_its_title_plain(client, admin, trip):
    log_in(client, admin)
    page = client.get(f"/manage/{trip.slug}/").get_data(as_text=True)
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.strip() == f"{trip.title} · kampung"
    assert page.count(f'href="/manage/{trip.slug}/copy"') == 1
