"""The chair's reminders: each carries a survey-only link of its own, recorded as sent by the
chair, which opens the survey and nothing else of the registration."""

import re
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from kampung.extensions import db
from kampung.feedback import service
from kampung.feedback.models import Response
from kampung.phones import display
from kampung.signup import service as signup
from kampung.staff_links.models import Purpose, StaffLink, StaffLinkUse
from tests.abuse.conftest import logged_in, send
from tests.feedback.helpers import as_form, good_answers, open_survey, participants

SITE = "https://kampung.jambikota.go.id"


@pytest.fixture
def waiting(app, trip):
    """An open, named survey: Peserta Uji 1 answered, Peserta Uji 2 has not."""
    app.config["PUBLIC_URL"] = SITE
    survey = open_survey(trip)
    answered, missing = participants(trip, 2)
    service.submit(survey, answered, good_answers(survey))
    return survey, answered, missing


class Browser:
    """A browser, its every request in an app context of its own as in production, so that
    what flask-login caches for one client is never seen by another."""

    def __init__(self, app, user=None):
        self.app = app
        self.client = logged_in(app, {"me": user})["me"] if user else app.test_client()

    def get(self, url: str):
        return send(self.app, self.client, "GET", url)

    def post(self, url: str, data: dict | None = None, **headers):
        with self.app.app_context():
            form = {"csrf_token": self.client.csrf_token(), **(data or {})}
        return send(self.app, self.client, "POST", url, data=form, headers=headers)


def remind(browser: Browser, trip, registration, **headers):
    return browser.post(f"/manage/{trip.slug}/review/remind/{registration.id}", **headers)


def message_of(body: str) -> tuple[str, str]:
    """The wa.me link of a ready reminder, and the text it carries."""
    wa = re.search(r'href="(https://wa\.me/[^"]+)"', body).group(1).replace("&amp;", "&")
    return wa, unquote(wa.split("text=", 1)[1])


def survey_path(message: str) -> str:
    return re.search(re.escape(SITE) + r"(/s/[A-Za-z0-9_-]+)", message).group(1)


def test_a_reminder_carries_a_survey_only_link_and_is_recorded(app, chair, waiting, trip):
    _survey, _answered, missing = waiting
    client = Browser(app, chair)
    response = remind(client, trip, missing)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    wa, message = message_of(body)
    assert wa.startswith(f"https://wa.me/{missing.phone.lstrip('+')}?text=")
    assert "Mohon luangkan waktu tiga menit" in message and "melalui tautan ini" in message
    path = survey_path(message)
    # Neither the message nor the page holds the key to the registration.
    assert missing.access_token not in body and "/p/" not in message
    [link] = db.session.scalars(sa.select(StaffLink)).all()
    assert (link.registration_id, link.purpose, link.sent_by_id) == (
        missing.id,
        Purpose.survey,
        chair.id,
    )
    # Only the token's hash is kept: the link exists in the message alone.
    token = path.removeprefix("/s/")
    assert link.token_hash != token and token not in repr(link.__dict__)

    dashboard = client.get(f"/manage/{trip.slug}/review").get_data(as_text=True)
    assert "1 pengingat terkirim, terakhir pada" in dashboard and "oleh Ketua Forum" in dashboard
    assert "Belum dibuka." in dashboard


def test_the_reminder_link_opens_the_survey_and_nothing_else(app, chair, waiting, trip):
    survey, _answered, missing = waiting
    client = Browser(app, chair)
    path = survey_path(message_of(remind(client, trip, missing).get_data(as_text=True))[1])
    participant = Browser(app)

    page = participant.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Bagaimana perjalanannya?" in html and 'action="' + path + '"' in html
    # Nothing of the registration: no name, number, QR code, edit, cancel or personal page.
    for absent in (
        missing.full_name,
        display(missing.phone),
        missing.access_token,
        missing.checkin_code,
        "<svg",
        "Ubah data saya",
        "Batalkan pendaftaran",
        "Kembali ke halaman saya",
        'href="/p/',
    ):
        assert absent not in html, absent
    # The same token opens nothing on the personal link's paths.
    token = path.removeprefix("/s/")
    for other in (f"/p/{token}", f"/p/{token}/feedback", f"/p/{token}/edit", f"/p/{token}/cancel"):
        assert participant.get(other).status_code == 404, other
    # And the access token opens nothing here.
    assert participant.get(f"/s/{missing.access_token}").status_code == 404

    answers = as_form(good_answers(survey, text="Ronda malam bergilir"))
    response = participant.post(path, answers)
    assert response.status_code == 303 and response.headers["Location"] == path
    thanks = participant.get(path).get_data(as_text=True)
    assert "Terima kasih!" in thanks and missing.full_name not in thanks
    assert "Ubah jawaban" in thanks  # a named survey: answers can change until it closes
    saved = db.session.scalar(sa.select(Response).where(Response.registration_id == missing.id))
    assert saved is not None
    # Each opening is recorded, with its time in a named survey; the POST added none.
    uses = db.session.scalars(sa.select(StaffLinkUse)).all()
    assert len(uses) == 2 and all(use.used_at is not None for use in uses)


def test_the_dashboard_says_when_a_reminder_link_was_opened(app, chair, waiting, trip):
    _survey, _answered, missing = waiting
    client = Browser(app, chair)
    path = survey_path(message_of(remind(client, trip, missing).get_data(as_text=True))[1])
    assert Browser(app).get(path).status_code == 200
    dashboard = client.get(f"/manage/{trip.slug}/review").get_data(as_text=True)
    assert "Tautan dibuka pada" in dashboard and "Belum dibuka." not in dashboard


def test_a_staff_session_cannot_answer_through_a_survey_link(app, chair, waiting, trip):
    survey, _answered, missing = waiting
    client = Browser(app, chair)
    path = survey_path(message_of(remind(client, trip, missing).get_data(as_text=True))[1])
    page = client.get(path)
    assert page.status_code == 403
    assert "Anda masuk sebagai panitia" in page.get_data(as_text=True)
    sent = client.post(path, as_form(good_answers(survey)))
    assert sent.status_code == 403
    assert not service.has_responded(survey, missing)
    assert db.session.scalars(sa.select(StaffLinkUse)).all() == []


def test_no_reminder_for_who_answered_or_while_the_survey_is_closed(app, chair, waiting, trip):
    survey, answered, missing = waiting
    client = Browser(app, chair)
    refused = remind(client, trip, answered)
    assert refused.status_code == 409
    assert "sudah mengisi survei" in refused.get_data(as_text=True)
    # htmx does not swap a 4xx: it is told to reload the list, which shows why.
    quick = remind(client, trip, answered, **{"HX-Request": "true"})
    assert quick.status_code == 409 and quick.headers["HX-Refresh"] == "true"
    survey.is_open = False
    db.session.commit()
    assert remind(client, trip, missing).status_code == 409
    assert db.session.scalars(sa.select(StaffLink)).all() == []


def test_htmx_swaps_in_the_ready_message_alone(app, chair, waiting, trip):
    _survey, _answered, missing = waiting
    client = Browser(app, chair)
    response = remind(client, trip, missing, **{"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="send-{missing.id}"' in body and "Buka WhatsApp" in body


def test_a_link_stops_opening_when_the_registration_is_cancelled(app, chair, waiting, trip):
    _survey, _answered, missing = waiting
    client = Browser(app, chair)
    path = survey_path(message_of(remind(client, trip, missing).get_data(as_text=True))[1])
    signup.cancel(missing)
    assert Browser(app).get(path).status_code == 404


def test_the_dashboard_makes_as_many_queries_with_many_reminders_as_with_one(app, chair, trip):
    app.config["PUBLIC_URL"] = SITE
    open_survey(trip)
    people = participants(trip, 12)
    client = Browser(app, chair)
    url = f"/manage/{trip.slug}/review"

    def queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    remind(client, trip, people[0])
    with_one = queries()
    for someone in people[1:]:
        path = survey_path(message_of(remind(client, trip, someone).get_data(as_text=True))[1])
        Browser(app).get(path)
    assert queries() == with_one
    assert client.get(url).get_data(as_text=True).count("Tautan dibuka pada") == 11
