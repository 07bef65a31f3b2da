"""Stored XSS: a payload in every free-text field a participant or staff member can fill is
escaped on every page that shows it, and exports are formula-safe."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from kampung.adoption import practices
from kampung.adoption import service as adoption
from kampung.adoption.months import month_choices
from kampung.checkin import service as checkin
from kampung.database import utcnow
from kampung.extensions import db
from kampung.feedback import service as feedback
from kampung.feedback.models import Kind
from kampung.origin import Origin
from kampung.review import service as review
from kampung.rooms import service as rooms
from kampung.schedule import service as schedule
from kampung.signup import service as signup
from tests.abuse.conftest import make_world, send, upload
from tests.abuse.test_hostile_urls import _get_pages
from tests.conftest import PASSWORD, make_user, person
from tests.feedback.helpers import good_answers, open_survey

XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
#: what must never reach a page unescaped
RAW = ("<script>alert(1)", "<img src=x onerror")
#: how Jinja shows the payload, proving the field is on the page
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;"
#: what a spreadsheet would run as a formula
FORMULAS = ('=HYPERLINK("http://x","klik")', "+SUM(1,1)", "-2+3", "@SUM(1)")


@pytest.fixture
def poisoned(app):
    """A trip whose every free text holds the payload: the trip, its buses and checkpoints, a
    question and its options, a participant's details and answers, the chair's note, a scan's
    device and the organiser's name. A second participant's texts are formulas."""
    from kampung.demo import create_demo_trip

    trip = create_demo_trip(participants=0)
    for name in ("title", "description", "meeting_point", "origin", "destination", "contact_name"):
        setattr(trip, name, XSS)
    for item in (*trip.buses, *trip.checkpoints):
        item.name = XSS
    first = schedule.items_of(trip)[0]
    first.what = first.place = XSS
    db.session.commit()
    survey = open_survey(trip)
    feedback.add_question(
        survey,
        feedback.QuestionData(
            kind=Kind.single,
            text=XSS,
            text_en=XSS,
            options=[{"id": XSS, "en": XSS}, {"id": "Tidak", "en": "No"}],
        ),
    )
    texts = dict.fromkeys(
        ("full_name", "kelurahan", "role", "emergency_name", "notes", "share_with"), XSS
    )
    # From one phone, so that the page of sign-up bursts shows them too.
    phone = Origin(network="0123456789abcdef", device="fedcba9876543210")
    mallory = signup.register(trip, person(1, **texts), origin=phone).registration
    formulas = dict(zip(("full_name", "kelurahan", "role", "notes"), FORMULAS, strict=True))
    excel = signup.register(
        trip, person(2, **formulas, emergency_name=FORMULAS[3]), origin=phone
    ).registration
    mallory.bus_id = trip.buses[0].id
    db.session.commit()
    rooms.move_to_room(mallory, rooms.add_room(trip, XSS, 2))
    single = survey.questions[-1]
    answers = good_answers(survey, text=XSS) | {single.id: ["0"]}
    feedback.submit(survey, mallory, answers)
    feedback.submit(survey, excel, good_answers(survey, text=FORMULAS[0]) | {single.id: ["0"]})
    users = {
        "admin": make_user("admin", name=XSS),
        "organiser": make_user("organiser", name=XSS),
        "chair": make_user("chair", name=XSS),
    }
    rows, _total = review.comments(survey, review.CommentFilter(search="alert"))
    for row in rows:
        review.set_mark(survey, row.answer_id, "practice", XSS, users["chair"])
    done = checkin.check_in(
        mallory.checkin_code, trip.checkpoints[0].id, users["organiser"], device=XSS
    )
    # Plans and a follow-up answer in those words, and a practice named so.
    month = month_choices(utcnow())[1].strftime("%Y-%m")
    practices.name_practice(trip, XSS, [])
    (commitment,) = adoption.save_commitments(
        mallory, [adoption.CommitmentData("", XSS, month, XSS)]
    )
    adoption.save_commitments(excel, [adoption.CommitmentData("", FORMULAS[0], month, FORMULAS[1])])
    round_ = adoption.open_followup(trip, 1, trip.returns_at + timedelta(days=31))
    adoption.answer_round(
        mallory, round_, {commitment.id: adoption.AnswerData("started", XSS, XSS[:300])}
    )
    return make_world(
        app,
        users,
        trip,
        mallory,
        survey,
        checkin_id=done.checkin_id,
        question_id=single.id,
        answer_id=rows[0].answer_id,
        import_url=upload(app, users["admin"], trip, [XSS, "0812-5555-6666"]),
        excel=excel,
        announcement=XSS,
        commitment_id=commitment.id,
    )


def assert_escaped(url: str, body: str) -> None:
    for raw in RAW:
        assert raw not in body, f"{url} shows the payload unescaped"


def test_every_page_escapes_the_payload(app, poisoned):
    """Every GET page, as each role and as the participant, and the scanner's answers."""
    shown = set()
    for actor in ("admin", "organiser", "chair", "anonymous"):
        for url in _get_pages(app, poisoned):
            response = send(app, poisoned["clients"][actor], "GET", url)
            # JSON (the scanner's roster) is data the scripts set as text, never as HTML.
            if response.mimetype != "text/html":
                continue
            body = response.get_data(as_text=True)
            assert_escaped(f"{actor} {url}", body)
            if ESCAPED in body:
                shown.add(url.split("?")[0])
    slug, token = poisoned["slug"], poisoned["alice"].access_token
    must_show = {
        f"/p/{token}",
        f"/p/{token}/edit",
        f"/p/{token}/feedback",
        f"/s/{poisoned['alice_link']}",
        f"/e/{slug}",
        f"/manage/{slug}/",
        f"/manage/{slug}/participants",
        f"/manage/{slug}/participants/{poisoned['alice'].id}/edit",
        f"/manage/{slug}/checkin",
        f"/manage/{slug}/checkin/{poisoned['checkpoint_id']}",
        f"/manage/{slug}/checkin/{poisoned['checkpoint_id']}/count",
        f"/manage/{slug}/checkin/{poisoned['checkpoint_id']}/daftar-hadir",
        f"/manage/{slug}/checkin/undo/{poisoned['checkin_id']}",
        f"/manage/{slug}/qr-cards",
        f"/c/{poisoned['alice'].checkin_code}",
        f"/manage/{slug}/review",
        f"/manage/{slug}/review/comments",
        f"/manage/{slug}/review/practices",
        f"/manage/{slug}/review/report",
        f"/manage/{slug}/survey",
        f"/manage/{slug}/survey/questions/{poisoned['question_id']}",
        f"/manage/{slug}/signups",
        f"/manage/{slug}/manifest",
        f"/manage/{slug}/rooms",
        f"/manage/{slug}/rooms/print",
        f"/manage/{slug}/signups/device/{poisoned['alice'].id}/{poisoned['excel'].id}/cancel",
        poisoned["import_url"],
        f"/j/{poisoned['alice_schedule']}",
        f"/manage/{slug}/rundown",
        f"/manage/{slug}/rundown/{poisoned['item_id']}",
        f"/manage/{slug}/announcements",
        f"/manage/{slug}/notices/{poisoned['notice_id']}",
    }
    assert must_show - shown == set(), "these pages no longer show the poisoned fields"


def test_scanner_answers_escape_the_device_and_organiser(app, poisoned):
    """A second scan says who scanned first, on which device: both typed by staff."""
    client = poisoned["clients"]["organiser"]
    url = f"/manage/{poisoned['slug']}/checkin/{poisoned['checkpoint_id']}"
    with app.app_context():
        form = {"code": poisoned["alice"].checkin_code, "csrf_token": client.csrf_token()}
    body = send(app, client, "POST", url, data=form).get_data(as_text=True)
    assert_escaped(url, body)
    assert "sudah" in body.lower() and body.count(ESCAPED) >= 2


def _csv_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    return [cell for row in csv.reader(io.StringIO(text), dialect) for cell in row]


def _xlsx_cells(body: bytes) -> list:
    book = load_workbook(io.BytesIO(body))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula in the export"
    return [c.value for c in cells if c.value is not None]


@pytest.mark.parametrize(
    "path,actor",
    [
        ("participants.csv", "admin"),
        ("participants.xlsx", "admin"),
        ("feedback.csv", "chair"),
        ("feedback.xlsx", "chair"),
    ],
)
def test_exports_are_formula_safe(app, poisoned, path, actor):
    response = send(app, poisoned["clients"][actor], "GET", f"/manage/{poisoned['slug']}/{path}")
    assert response.status_code == 200
    cells = _csv_cells(response.data) if path.endswith(".csv") else _xlsx_cells(response.data)
    texts = [c for c in cells if isinstance(c, str)]
    assert XSS in texts, "the payload travels as plain text"
    formulas = FORMULAS[:1] if path.startswith("feedback") else FORMULAS
    for formula in formulas:
        assert formula not in texts, f"{formula} would run in a spreadsheet"
        assert "'" + formula in texts, f"{formula} is no longer in the export"
    # Nothing else a spreadsheet would run: only phones (+62…) may start with a sign.
    risky = [t for t in texts if t and t[0] in "=+-@\t\r" and not t[1:].isdigit()]
    assert risky == []


def test_no_dialog_fires_on_the_key_pages(app, poisoned, page, live_server):
    """In Chromium: the personal page, the roster, the count, the comments and the report."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    slug, token = poisoned["slug"], poisoned["alice"].access_token
    page.goto(f"/p/{token}")
    page.get_by_text(XSS).first.wait_for()
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(poisoned["users"]["admin"].username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/manage/")
    for path in (
        "participants",
        f"checkin/{poisoned['checkpoint_id']}/count",
        "review/comments",
        "review/report",
        "qr-cards",
    ):
        page.goto(f"/manage/{slug}/{path}")
        page.get_by_text(XSS).filter(visible=True).first.wait_for()
    assert dialogs == []
