"""A trip with one of everything the POST routes and pages point to, and a client per role."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from flask import Flask

from kampung.adoption import service as adoption
from kampung.adoption.models import Practice
from kampung.adoption.months import month_choices
from kampung.checkin import service as checkin
from kampung.database import utcnow
from kampung.extensions import db
from kampung.feedback import service as feedback
from kampung.manage.import_file import COLUMNS
from kampung.origin import Origin
from kampung.review import service as review
from kampung.schedule import service as schedule
from kampung.signup import service as signup
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose
from tests.conftest import KampungClient, log_in, make_user, person
from tests.feedback.helpers import good_answers, open_survey


def send(app: Flask, client: KampungClient, method: str, url: str, **kwargs):
    """One request in an app context of its own, as in production: nothing cached in `g` or in
    the database session is carried from one request (or client) to the next."""
    with app.app_context():
        return client.open(url, method=method, **kwargs)


def snapshot(app: Flask) -> dict[str, list]:
    """Every row of every table, read over a connection of its own: what is saved."""
    with app.app_context(), db.engine.connect() as conn:
        return {
            table.name: sorted(map(repr, conn.execute(sa.select(table))))
            for table in db.metadata.sorted_tables
        }


def upload(app: Flask, admin, trip, person: list[str]) -> str:
    """An import of one person (name, phone) waiting for its save: the preview's URL."""
    text = io.StringIO()
    csv.writer(text).writerows([COLUMNS, [*person, "Jelutung", "Payo Lebar", "7", "1"]])
    with app.app_context():
        response = logged_in(app, {"admin": admin})["admin"].post_form(
            f"/manage/{trip.slug}/import",
            {"file": (io.BytesIO(text.getvalue().encode()), "peserta.csv")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def logged_in(app: Flask, users: dict) -> dict[str, KampungClient]:
    """A client of its own per role, logged in, and one anonymous."""
    clients = {"anonymous": app.test_client()}
    for role, user in users.items():
        clients[role] = app.test_client()
        with app.app_context():
            log_in(clients[role], user)
    return clients


@pytest.fixture
def world(app):
    """The demo trip with a registered participant who answered the survey (with a comment),
    one checked in at the first checkpoint, an import waiting for its save, and a logged-in
    client for each staff role."""
    from kampung.demo import create_demo_trip

    trip = create_demo_trip(participants=0)
    users = {role: make_user(role) for role in ("admin", "organiser", "chair")}
    # Both from one phone: a burst of sign-ups that an admin may cancel.
    phone = Origin(network="0123456789abcdef", device="fedcba9876543210")
    alice = signup.register(trip, person(1), origin=phone).registration
    bob = signup.register(trip, person(2), origin=phone).registration
    survey = open_survey(trip)
    feedback.submit(survey, bob, good_answers(survey, text="Bank sampah RT"))
    # Bob plans to adopt the bank sampah, in words of his own too.
    month = month_choices(utcnow())[1].strftime("%Y-%m")
    plans = [adoption.CommitmentData("", "Bank sampah RT", month, "Pak RT")]
    (commitment,) = adoption.save_commitments(bob, plans)
    checkpoint = trip.checkpoints[0]
    done = checkin.check_in(bob.checkin_code, checkpoint.id, users["organiser"], device="HP Rina")
    rows, _total = review.comments(survey, review.CommentFilter())
    import_url = upload(app, users["admin"], trip, ["Citra Dewi", "0812-5555-6666"])
    return make_world(
        app,
        users,
        trip,
        alice,
        survey,
        checkin_id=done.checkin_id,
        answer_id=rows[0].answer_id,
        question_id=survey.questions[0].id,
        import_url=import_url,
        bob=bob,
        commitment_id=commitment.id,
    )


def make_world(
    app: Flask, users: dict, trip, alice, survey, announcement: str = "Bawa batik.", **ids
) -> dict:
    """What the tests point their URLs at; `alice` is the participant whose token they use,
    `alice_link` the survey-only link the chair sent her, `alice_schedule` the schedule-only
    link an organiser sent her about the `announcement`."""
    notice = schedule.post_announcement(trip, announcement, users["organiser"])
    return {
        "app": app,
        "clients": logged_in(app, users),
        "users": users,
        "trip": trip,
        "slug": trip.slug,
        "alice": alice,
        "alice_link": staff_links.issue(alice, Purpose.survey, users["chair"]),
        "alice_schedule": staff_links.issue(alice, Purpose.schedule, users["organiser"]),
        "notice_id": notice.id,
        "item_id": schedule.items_of(trip)[0].id,
        "alice_followup": staff_links.issue(alice, Purpose.followup, users["chair"]),
        "practice_id": db.session.scalar(sa.select(Practice.id).where(Practice.trip_id == trip.id)),
        "survey": survey,
        "checkpoint_id": trip.checkpoints[0].id,
        **ids,
    }
