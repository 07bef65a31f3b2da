"""The participant's pages as plain forms (no JavaScript): the plan after the survey, the
follow-up on the personal link and on the follow-up-only link staff send."""

from __future__ import annotations

from kampung.adoption import service
from kampung.adoption.models import Commitment, FollowupAnswer
from kampung.extensions import db
from kampung.feedback.service import survey_of
from kampung.signup.service import register
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose, StaffLinkUse
from tests.adoption.helpers import committed, next_month, practice, returned_trip
from tests.conftest import log_in, make_user, person
from tests.feedback.helpers import as_form, good_answers


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_named_survey_leads_to_the_plan_and_the_plan_to_the_personal_page(app, client):
    trip = returned_trip()
    registration = register(trip, person(1)).registration
    token = registration.access_token
    survey = survey_of(trip)
    sent = client.post_form(f"/p/{token}/feedback", as_form(good_answers(survey, text="Bank")))
    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert f'href="/p/{token}/commitments"' in thanks and "Buat rencana saya (RTL)" in thanks
    page = client.get(f"/p/{token}/commitments").get_data(as_text=True)
    assert "Bank sampah RT" in page and "Bulan target" in page
    saved = client.post_form(
        f"/p/{token}/commitments",
        {
            "commitment-1-practice": str(practice(trip).id),
            "commitment-1-target_month": next_month(),
            "commitment-1-carried_by": "Pak RT dan pemuda",
            "commitment-2-what": "Kebun gizi",
            "commitment-2-target_month": next_month(ahead=3),
            "commitment-2-carried_by": "Bu PKK",
        },
    )
    assert saved.status_code == 303 and saved.headers["Location"] == f"/p/{token}"
    personal = client.get(f"/p/{token}").get_data(as_text=True)
    assert "Bank sampah RT" in personal and "Kebun gizi" in personal
    assert "Ubah rencana saya" in personal


def test_a_megabyte_commitment_gets_a_message_and_saves_nothing(app, client):
    trip = returned_trip()
    registration = committed(trip)
    response = client.post_form(
        f"/p/{registration.access_token}/commitments",
        {
            "commitment-1-what": "x" * 1_000_000,
            "commitment-1-target_month": next_month(),
            "commitment-1-carried_by": "RT",
        },
    )
    assert response.status_code in (413, 422)
    assert "terlalu" in response.get_data(as_text=True).lower() or "200" in response.get_data(
        as_text=True
    )
    assert [c.title() for c in service.commitments_of(registration)] == ["Bank sampah RT"]


def test_a_month_in_the_past_gets_a_message_on_the_form(app, client):
    trip = returned_trip()
    registration = committed(trip)
    response = client.post_form(
        f"/p/{registration.access_token}/commitments",
        {
            "commitment-1-what": "Ronda",
            "commitment-1-target_month": "2020-01",
            "commitment-1-carried_by": "RT",
        },
    )
    assert response.status_code == 422
    assert "sudah lewat" in response.get_data(as_text=True)


def test_followup_page_answers_without_javascript(app, client):
    trip = returned_trip(days_ago=10)  # its first round is 20 days away
    registration = committed(trip)
    (commitment,) = service.commitments_of(registration)
    token = registration.access_token
    assert "Jawab tindak lanjut" not in client.get(f"/p/{token}").get_data(as_text=True)
    service.open_followup(trip, 1)
    assert "Jawab tindak lanjut" in client.get(f"/p/{token}").get_data(as_text=True)
    page = client.get(f"/p/{token}/followup").get_data(as_text=True)
    assert "Sudah mulai" in page and "Belum mulai" in page and "Sudah berjalan" in page
    response = client.post_form(
        f"/p/{token}/followup",
        {f"status-{commitment.id}": "started", f"obstacle-{commitment.id}": "Dana belum cair"},
    )
    assert response.status_code == 303
    answer = db.session.scalar(db.select(FollowupAnswer))
    assert (answer.status, answer.obstacle) == ("started", "Dana belum cair")


def test_followup_refuses_forged_ids_bad_statuses_and_closed_rounds(app, client):
    trip = returned_trip()
    alice = committed(trip, 1)
    bob = committed(trip, 2)
    (mine,) = service.commitments_of(alice)
    (theirs,) = service.commitments_of(bob)
    url = f"/p/{alice.access_token}/followup"
    service.open_followup(trip, 1)
    forged = client.post_form(url, {f"status-{theirs.id}": "running"})
    assert forged.status_code == 404
    both = client.post_form(url, {f"status-{mine.id}": "started", f"status-{theirs.id}": "started"})
    assert both.status_code == 404
    bad = client.post_form(url, {f"status-{mine.id}": "adopted"})
    assert bad.status_code == 422 and "jawaban yang tersedia" in bad.get_data(as_text=True)
    junk = client.post_form(url, {"status-abc": "started"})
    assert junk.status_code == 400
    service.close_followup(trip)
    closed = client.post_form(url, {f"status-{mine.id}": "started"})
    assert closed.status_code == 409
    assert "sudah ditutup" in closed.get_data(as_text=True)
    assert _count(FollowupAnswer) == 0


def test_followup_only_link_opens_the_round_and_nothing_else(app, client):
    trip = returned_trip()
    registration = committed(trip)
    (commitment,) = service.commitments_of(registration)
    service.open_followup(trip, 1)
    chair = make_user("chair")
    token = staff_links.issue(registration, Purpose.followup, chair)
    page = client.get(f"/f/{token}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Bank sampah RT" in body
    assert registration.access_token not in body and registration.full_name not in body
    assert _count(StaffLinkUse) == 1
    assert client.get(f"/s/{token}").status_code == 404
    sent = client.post_form(f"/f/{token}", {f"status-{commitment.id}": "running"})
    assert sent.status_code == 303 and _count(FollowupAnswer) == 1
    staff = app.test_client()
    log_in(staff, chair)
    assert staff.get(f"/f/{token}").status_code == 403


def test_no_commitment_no_followup_form(app, client):
    trip = returned_trip()
    registration = register(trip, person(1)).registration
    service.open_followup(trip, 1)
    page = client.get(f"/p/{registration.access_token}/followup").get_data(as_text=True)
    assert "tidak membuat rencana" in page
    assert _count(Commitment) == 0
