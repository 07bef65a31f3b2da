"""Who holds a participant's access link: the participant, and the admin who can edit the
registration anyway; nobody else. Every page the chair and an organiser can reach, on a trip
with people, a promotion, answers, a check-in and reminders, is read for any access token; the
admin's "send the link again" carries it, and is recorded."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
import sqlalchemy as sa

from kampung.adoption import service as adoption
from kampung.adoption.months import month_choices
from kampung.checkin import service as checkin
from kampung.database import utcnow
from kampung.demo import create_demo_trip
from kampung.extensions import db
from kampung.feedback import service as feedback
from kampung.privacy import purge_trip
from kampung.review import service as review
from kampung.schedule import service as schedule
from kampung.signup import service as signup
from kampung.signup.models import Registration
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose, StaffLink, StaffLinkUse
from tests.abuse.conftest import logged_in, send
from tests.conftest import log_in, make_user, person
from tests.feedback.helpers import good_answers, open_survey

#: a personal link's path, whatever its token
PERSONAL_PATH = re.compile(r"/p/[A-Za-z0-9_-]{20,}")
#: the URL arguments that only a participant's own link holds: staff never start from them
PARTICIPANT_ARGS = {"token", "access_token", "link_token", "schedule_token", "followup_token"}
#: where links are found in a page: links, htmx GETs, and the URLs scripts read from data-*
LINKS = re.compile(r'(?:href|hx-get|data-[a-z-]+)="(/[^"]*)"')
MAX_PAGES = 400


@pytest.fixture
def busy(app):
    """The demo trip, full: 12 people for 10 seats; a cancellation moved the first on the
    waitlist up (not told yet); the survey open with four answers and comments; a check-in;
    a reminder, a link sent again and a schedule-only link about an announcement already."""
    users = {role: make_user(role, name=role.title()) for role in ("admin", "organiser", "chair")}
    trip = create_demo_trip(participants=0)
    trip.capacity = 10
    db.session.commit()
    people = [signup.register(trip, person(i)).registration for i in range(12)]
    promoted = signup.cancel(people[0])
    assert promoted is not None and promoted.promoted_at is not None
    survey = open_survey(trip)
    for i in range(1, 5):
        feedback.submit(survey, people[i], good_answers(survey, text=f"Bank sampah RT {i}"))
    done = checkin.check_in(people[1].checkin_code, trip.checkpoints[0].id, users["organiser"])
    staff_links.issue(people[5], Purpose.survey, users["chair"])
    staff_links.record_access_sent(people[6], users["admin"])
    notice = schedule.post_announcement(trip, "Bawa batik.", users["organiser"])
    staff_links.issue(people[7], Purpose.schedule, users["organiser"])
    rows, _total = review.comments(survey, review.CommentFilter())
    month = month_choices(utcnow())[1].strftime("%Y-%m")
    (commitment,) = adoption.save_commitments(
        people[1], [adoption.CommitmentData("", "Bank sampah", month, "Pak RT")]
    )
    return {
        "app": app,
        "trip": trip,
        "users": users,
        "people": people,
        "promoted": promoted,
        "clients": logged_in(app, users),
        "values": {
            "slug": trip.slug,
            "checkpoint_id": trip.checkpoints[0].id,
            "registration_id": people[2].id,
            "question_id": survey.questions[0].id,
            "answer_id": rows[0].answer_id,
            "checkin_id": done.checkin_id,
            "code": people[2].checkin_code,
            "job_id": "0" * 32,
            "filename": "css/app.css",
            "action": "down",
            "user_id": users["organiser"].id,
            "notice_id": notice.id,
            "item_id": schedule.items_of(trip)[0].id,
            "kind": "device",
            "first_id": people[0].id,
            "last_id": people[-1].id,
            "practice_id": adoption.live_practices(trip)[0].id,
            "commitment_id": commitment.id,
        },
    }


def _text(response) -> str:
    """What a response shows: its body (the sheets of an .xlsx unpacked) and where it leads."""
    body = response.get_data()
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            body = b"".join(book.read(name) for name in book.namelist())
    text = body.decode("utf-8", "replace")
    return f"{text}\n{response.headers.get('Location', '')}"


def _start(app, values: dict) -> list[str]:
    """Every GET page of the URL map that staff can open without a participant's link."""
    return [
        rule.build({arg: values[arg] for arg in rule.arguments})[1]
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint not in ("static", "checkin.service_worker")
        and not rule.arguments & PARTICIPANT_ARGS
    ]


def crawl(world: dict, role: str) -> dict[str, str]:
    """Every page `role` reaches from the URL map and from the links on its pages."""
    app, client = world["app"], world["clients"][role]
    queue, seen, shown = _start(app, world["values"]), set(), {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = send(app, client, "GET", url)
        shown[url] = _text(response)
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        for found in LINKS.findall(shown[url]):
            link = html.unescape(found).split("#")[0]
            path = urlsplit(link).path
            if link.startswith("//") or path.startswith("/static/") or path == "/logout":
                continue
            queue.append(link)
    return shown


def _post(world: dict, role: str, url: str, data: dict | None = None, **headers):
    app, client = world["app"], world["clients"][role]
    with app.app_context():
        form = {"csrf_token": client.csrf_token(), **(data or {})}
    return send(app, client, "POST", url, data=form, headers=headers)


def post(world: dict, role: str, url: str, data: dict | None = None, **headers) -> str:
    """What a form sent as `role` answers."""
    return _text(_post(world, role, url, data, **headers))


def status_of_post(world: dict, role: str, url: str) -> int:
    return _post(world, role, url).status_code


def assert_no_access_link(shown: dict[str, str]) -> None:
    tokens = db.session.scalars(sa.select(Registration.access_token)).all()
    for url, text in shown.items():
        assert not PERSONAL_PATH.search(unquote(text)), f"{url} shows a personal link"
        for token in tokens:
            assert token not in text, f"{url} shows a participant's access token"


def test_the_chair_never_sees_an_access_link(busy):
    shown = crawl(busy, "chair")
    slug, missing = busy["trip"].slug, busy["people"][7]
    # The chair's one way to send a link: a reminder, and its answer, with and without htmx.
    remind = f"/manage/{slug}/review/remind/{missing.id}"
    shown[remind] = post(busy, "chair", remind)
    shown[remind + " (htmx)"] = post(busy, "chair", remind, **{"HX-Request": "true"})
    assert "/s/" in unquote(shown[remind]), "the reminder carries a survey-only link"
    # The crawl reached the pages that once showed access links to the chair.
    assert "Ingatkan lewat WhatsApp" in shown[f"/manage/{slug}/review"]
    assert busy["promoted"].full_name in shown[f"/manage/{slug}/"]
    assert len(shown) > 20, sorted(shown)
    assert_no_access_link(shown)


def test_an_organiser_never_sees_an_access_link(busy):
    shown = crawl(busy, "organiser")
    slug, trip = busy["trip"].slug, busy["trip"]
    scan = f"/manage/{slug}/checkin/{trip.checkpoints[0].id}"
    shown[scan + " (scan)"] = post(
        busy, "organiser", scan, {"code": busy["people"][3].checkin_code}
    )
    shown["/c/ (check in)"] = post(
        busy,
        "organiser",
        f"/c/{busy['people'][4].checkin_code}",
        {"checkpoint": str(trip.checkpoints[0].id)},
    )
    # The organiser tells the promoted person a seat opened, without their personal link.
    overview = shown[f"/manage/{slug}/"]
    promoted = busy["promoted"]
    wa = re.search(rf'href="(https://wa\.me/{promoted.phone.lstrip("+")}[^"]+)"', overview)
    message = unquote(html.unescape(wa.group(1)))
    assert "kabar baik: ada kursi kosong untuk Anda" in message
    assert "Hubungi Ibu Rina Marlina di WhatsApp 0812-0000-0100" in message
    assert len(shown) > 20, sorted(shown)
    assert_no_access_link(shown)


def test_the_admins_send_again_carries_the_access_link_and_is_recorded(busy):
    slug, someone = busy["trip"].slug, busy["people"][8]
    roster = crawl_one(busy, "admin", f"/manage/{slug}/participants")
    send_again = f"/manage/{slug}/participants/{someone.id}/send-link"
    assert f'action="{send_again}"' in roster and "Kirim ulang tautan" in roster

    ready = post(busy, "admin", send_again, {"back": f"/manage/{slug}/participants"})
    wa = re.search(r'href="(https://wa\.me/[^"]+)"', ready).group(1)
    message = unquote(html.unescape(wa))
    assert wa.startswith(f"https://wa.me/{someone.phone.lstrip('+')}?text=")
    assert f"/p/{someone.access_token}" in message and "berikut tautan pribadi" in message
    link = db.session.scalars(
        sa.select(StaffLink).where(StaffLink.registration_id == someone.id)
    ).one()
    admin = busy["users"]["admin"]
    assert (link.purpose, link.sent_by_id, link.token_hash) == (Purpose.access, admin.id, None)
    roster = crawl_one(busy, "admin", f"/manage/{slug}/participants")
    assert "Tautan dikirim 1 kali, terakhir pada" in roster and "oleh Admin" in roster

    # Nobody else may send it; a cancelled registration has no link to send.
    for role in ("organiser", "chair"):
        assert status_of_post(busy, role, send_again) == 403
    cancelled = f"/manage/{slug}/participants/{busy['people'][0].id}/send-link"
    assert status_of_post(busy, "admin", cancelled) == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffLink)) == 4


def crawl_one(world: dict, role: str, url: str) -> str:
    return _text(send(world["app"], world["clients"][role], "GET", url))


def test_the_purge_forgets_every_link_staff_sent(app, trip, chair, admin):
    someone = signup.register(trip, person(1)).registration
    open_survey(trip)
    token = staff_links.issue(someone, Purpose.survey, chair)
    staff_links.record_access_sent(someone, admin)
    trip.departs_at = utcnow() - timedelta(days=10)
    trip.returns_at = utcnow() - timedelta(days=8)
    db.session.commit()
    purge_trip(trip)
    assert db.session.scalars(sa.select(StaffLink)).all() == []
    assert app.test_client().get(f"/s/{token}").status_code == 404


@pytest.mark.parametrize(
    ("purpose", "prefix", "not_shown"),
    [
        (Purpose.survey, "/s/", "surveinya tidak ditampilkan"),
        (Purpose.followup, "/f/", "tindak lanjutnya tidak ditampilkan"),
        (Purpose.schedule, "/j/", "jadwalnya tidak ditampilkan"),
    ],
)
def test_staff_who_open_a_link_they_sent_are_told_it_is_the_participants(
    app, trip, chair, purpose, prefix, not_shown
):
    someone = signup.register(trip, person(1)).registration
    token = staff_links.issue(someone, Purpose(purpose), chair)
    staff = app.test_client()
    log_in(staff, chair)
    page = staff.get(f"{prefix}{token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "khusus untuk beliau" in text and not_shown in text
    assert someone.full_name not in text and someone.access_token not in text
    # Opened by staff, the link counts no use: the participant's first opening is still to come.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffLinkUse)) == 0
