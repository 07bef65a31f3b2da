"""Who may open what: every route of the app's own URL map, tried anonymously, with a
participant's token and in each staff role. A route nobody classified fails this test."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from kampung.adoption.models import Practice
from kampung.extensions import db
from kampung.feedback.service import submit, survey_of
from kampung.schedule import service as schedule
from kampung.signup import service
from kampung.signup.models import Registration
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose
from kampung.tokens import new_secret
from tests.conftest import log_in, make_user, person
from tests.feedback.helpers import good_answers, open_survey

PUBLIC = "public"
#: a participant's own pages: their token opens them, staff sessions change nothing
TOKEN = "token"
#: a link staff sent that opens one thing (the survey, the schedule): its token opens it for
#: whoever holds it, but never in a staff session, so that staff do not act in a participant's
#: name
LINK = "link"
#: any logged-in staff member
STAFF = ("admin", "organiser", "chair")
ADMIN = ("admin",)
CHECKIN = ("admin", "organiser")
REVIEW = ("admin", "chair")

#: endpoint -> who may use it; keep in step with the views
ACCESS: dict[str, object] = {
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "signup.index": PUBLIC,
    "signup.trip": PUBLIC,
    "signup.sign_up": PUBLIC,
    "signup.check_field": PUBLIC,
    "signup.personal": TOKEN,
    "signup.edit": TOKEN,
    "signup.cancel": TOKEN,
    "signup.check_own_field": TOKEN,
    "auth.login": PUBLIC,
    "auth.logout": STAFF,
    "auth.password": STAFF,
    "auth.end_other_sessions": STAFF,
    "auth.accounts": ADMIN,
    "auth.account_new": ADMIN,
    "auth.account_role": ADMIN,
    "auth.account_disable": ADMIN,
    "auth.account_enable": ADMIN,
    "auth.account_end_sessions": ADMIN,
    "auth.account_password": ADMIN,
    "manage.home": STAFF,
    "manage.trip": STAFF,
    "manage.participants": STAFF,
    "manage.export_csv": STAFF,
    "manage.export_xlsx": STAFF,
    "manage.told": CHECKIN,
    "manage.trip_new": ADMIN,
    "manage.trip_edit": ADMIN,
    "manage.trip_copy": ADMIN,
    "manage.import_upload": ADMIN,
    "manage.import_preview": ADMIN,
    "manage.participant_bus": ADMIN,
    "manage.participant_cancel": ADMIN,
    "manage.participant_edit": ADMIN,
    "manage.participant_promote": ADMIN,
    "manage.signups": ADMIN,
    "manage.burst_cancel": ADMIN,
    "manage.send_link": ADMIN,
    "checkin.code": PUBLIC,
    "checkin.service_worker": PUBLIC,
    "checkin.api_checkins": CHECKIN,
    "checkin.checkpoints": CHECKIN,
    "checkin.scanner": CHECKIN,
    "checkin.count": CHECKIN,
    "checkin.daftar_hadir": CHECKIN,
    "checkin.roster_json": CHECKIN,
    "checkin.offline": CHECKIN,
    "checkin.undo": CHECKIN,
    "checkin.qr_cards": CHECKIN,
    # The road: the manifest holds health notes, which the chair does not see.
    "manage.manifest": CHECKIN,
    "manage.manifest_csv": CHECKIN,
    "manage.manifest_xlsx": CHECKIN,
    "rooms.rooms": CHECKIN,
    "rooms.add": CHECKIN,
    "rooms.assign": CHECKIN,
    "rooms.move": CHECKIN,
    "rooms.rooming_list": CHECKIN,
    "rooms.export_csv": CHECKIN,
    "rooms.export_xlsx": CHECKIN,
    "checkin.stop_new": CHECKIN,
    "checkin.move": CHECKIN,
    "checkin.bus_coordinator": ADMIN,
    "feedback.answer": TOKEN,
    "feedback.answer_by_link": LINK,
    "feedback.edit_survey": ADMIN,
    "feedback.edit_question": ADMIN,
    "feedback.question_action": ADMIN,
    "review.dashboard": REVIEW,
    "review.comments": REVIEW,
    "review.practices": REVIEW,
    "review.report": REVIEW,
    "review.mark": REVIEW,
    "review.remind": REVIEW,
    "review.export_csv": REVIEW,
    "review.export_xlsx": REVIEW,
    # The SPJ papers: the proof of travel holds no personal data and the organiser takes it to
    # the host; the receipt list is the treasurer's (admin) work, read by the chair.
    "paperwork.index": STAFF,
    "paperwork.travel_proof": STAFF,
    "paperwork.receipts": REVIEW,
    "paperwork.receipts_xlsx": REVIEW,
    "paperwork.set_rate": ADMIN,
    "paperwork.archive": ADMIN,
    "paperwork.report": REVIEW,
    "paperwork.report_docx": REVIEW,
    "schedule.rundown": CHECKIN,
    "schedule.publish": CHECKIN,
    "schedule.item_new": CHECKIN,
    "schedule.item_edit": CHECKIN,
    "schedule.item_remove": CHECKIN,
    "schedule.announcements": CHECKIN,
    "schedule.notice": CHECKIN,
    "schedule.send": CHECKIN,
    "schedule.mark_read": TOKEN,
    "schedule.by_link": LINK,
    "schedule.mark_read_by_link": LINK,
    "adoption.commitments": TOKEN,
    "adoption.followup": TOKEN,
    "adoption.followup_by_link": LINK,
    "adoption.dashboard": REVIEW,
    "adoption.export_csv": REVIEW,
    "adoption.export_xlsx": REVIEW,
    "adoption.remind": REVIEW,
    "adoption.trip_practices": REVIEW,
    "adoption.practice_action": REVIEW,
    "adoption.commitment_practice": REVIEW,
    "adoption.library": REVIEW,
    "adoption.rounds": ADMIN,
}

ACTORS = ("anonymous", "participant", "admin", "organiser", "chair")


@pytest.fixture
def world(app, trip):
    """One of everything the URLs can point to."""
    result = service.register(trip, person(1))
    registration = result.registration
    survey = survey_of(trip)
    survey.is_open = True
    sender = make_user("chair", "sender")
    return {
        "link_token": staff_links.issue(registration, Purpose.survey, sender),
        "schedule_token": staff_links.issue(registration, Purpose.schedule, sender),
        "notice_id": schedule.post_announcement(trip, "Bawa batik.", sender).id,
        "item_id": schedule.items_of(trip)[0].id,
        "followup_token": staff_links.issue(registration, Purpose.followup, sender),
        "practice_id": db.session.scalar(db.select(Practice.id).where(Practice.trip_id == trip.id)),
        "commitment_id": 999_999,
        "slug": trip.slug,
        "access_token": registration.access_token,
        "token": registration.access_token,
        "code": registration.checkin_code,
        "checkin_code": registration.checkin_code,
        "checkpoint_id": trip.checkpoints[0].id,
        "registration_id": registration.id,
        "bus_id": trip.buses[0].id,
        "filename": "css/app.css",
        "question_id": survey.questions[0].id,
        "action": "down",
        "answer_id": "0" * 32,
        "checkin_id": 999_999,
        "job_id": "0" * 32,
        "kind": "device",
        "first_id": registration.id,
        "last_id": registration.id,
        # a colleague's account, so that the admin's own session outlives the account routes
        "user_id": make_user("organiser", "staf-lain").id,
    }


def _url(rule: Rule, world: dict) -> str:
    missing = [arg for arg in rule.arguments if arg not in world]
    assert not missing, f"{rule.endpoint}: give the test a value for {missing}"
    return rule.build({arg: world[arg] for arg in rule.arguments})[1]


def _routes(app):
    """Every rule, logout last so that it does not end the session the others need."""
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule))


def test_every_route_is_classified(app):
    unclassified = [r.endpoint for r in _routes(app) if r.endpoint not in ACCESS]
    assert unclassified == [], f"add these endpoints to ACCESS: {unclassified}"


@pytest.mark.parametrize("actor", ACTORS)
def test_each_route_answers_as_the_role_allows(app, world, actor):
    client = app.test_client()
    if actor in STAFF:
        log_in(client, make_user(actor))
    stranger = {
        **world,
        "access_token": new_secret(),
        "token": new_secret(),
        "link_token": new_secret(),
        "schedule_token": new_secret(),
        "followup_token": new_secret(),
    }
    for rule in _routes(app):
        allowed = ACCESS[rule.endpoint]
        # A participant holds their own token; anyone else only guesses one.
        url = _url(rule, world if actor != "anonymous" else stranger)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": client.csrf_token()})
        status = response.status_code
        where = f"{actor} {method} {url} -> {status}"
        assert status < 500, where
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], where
        assert response.headers["X-Content-Type-Options"] == "nosniff", where
        if allowed == LINK:
            expected = {"anonymous": (404,), "participant": (200, 303, 409, 422)}
            assert status in expected.get(actor, (403,)), where
        elif allowed == TOKEN and actor == "anonymous":
            assert status == 404, where
        elif allowed in (PUBLIC, TOKEN) or actor in allowed:
            assert status not in (401, 403), where
            assert "/login" not in response.headers.get("Location", "") or rule.endpoint in (
                "auth.logout",
                "auth.login",
            ), where
        elif actor in STAFF:
            assert status == 403, where
        else:
            assert status in (302, 401), where
            if status == 302:
                assert "/login" in response.headers["Location"], where


#: what a download's URL ends with; a new kind of file belongs here
DOWNLOAD_EXTENSIONS = (".csv", ".xlsx", ".docx", ".zip", ".pdf")


def _is_export(rule: Rule) -> bool:
    name = rule.endpoint.rsplit(".", 1)[-1]
    return "GET" in rule.methods and ("export" in name or rule.rule.endswith(DOWNLOAD_EXTENSIONS))


def test_every_export_is_an_attachment_no_one_keeps(app, world, trip):
    """Personal data in a file: downloaded, never shown inline, never kept by a browser or a
    proxy. Every export of the URL map, so that a new one cannot forget it."""
    survey = open_survey(trip)
    registration = db.session.get(Registration, world["registration_id"])
    submit(survey, registration, good_answers(survey, text="Bank sampah RT"))
    client = app.test_client()
    log_in(client, make_user("admin"))
    exports = [rule for rule in _routes(app) if _is_export(rule)]
    assert len(exports) >= 4, [rule.rule for rule in exports]
    for rule in exports:
        url = _url(rule, world)
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", url
        assert response.headers.get("Content-Disposition", "").startswith("attachment;"), url
        assert len(response.data) > 0, url


def test_a_host_we_do_not_serve_gets_a_400_on_every_route(app, world):
    """A request naming another Host (or X-Forwarded-Host behind a proxy) is refused before any
    view runs, so no page, QR code or WhatsApp link made from it can point there."""
    client = app.test_client()
    log_in(client, make_user("admin"))
    for rule in _routes(app):
        if rule.endpoint == "static":
            continue  # served before the app (kampung.assets): files, no links
        url = _url(rule, world)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        response = client.open(
            url,
            method=method,
            headers={"Host": "evil.example"},
            data=None if method == "GET" else {"csrf_token": client.csrf_token()},
        )
        where = f"{method} {url}"
        assert response.status_code == 400, where
        assert "evil.example" not in response.get_data(as_text=True), where
        assert "evil.example" not in str(response.headers), where
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], where
