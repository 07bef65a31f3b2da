"""The chair's adoption dashboard and its exports: counts in SQL that agree with each other, the
same number of queries whatever the number of commitments, organisers refused."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from kampung.adoption import figures, practices, service
from kampung.adoption.models import Commitment, FollowupAnswer
from kampung.adoption.seed import seed_commitments
from kampung.adoption.service import AnswerData
from kampung.extensions import db
from kampung.staff_links.models import StaffLink
from tests.adoption.helpers import committed, plan, practice, returned_trip
from tests.conftest import log_in


def count_queries(client, url: str) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


@pytest.mark.parametrize("path", ["adoption", "adoption.csv", "adoption/practices"])
def test_pages_make_as_many_queries_at_300_commitments_as_at_30(client, chair, path):
    trip = returned_trip()
    log_in(client, chair)
    seed_commitments(trip, 30, seed=1)
    url = f"/manage/{trip.slug}/{path}"
    at_30 = count_queries(client, url)
    seed_commitments(trip, 270, seed=2)
    assert db.session.scalar(db.select(db.func.count()).select_from(Commitment)) == 300
    assert count_queries(client, url) == at_30


def _started(client, trip) -> int:
    page = client.get(f"/manage/{trip.slug}/adoption?round=1").get_data(as_text=True)
    card = page.split("Bank sampah RT</h3>")[1].split("</section>")[0]
    return int(card.split("Sudah mulai</th>")[1].split('class="num">')[1].split("<")[0])


def test_chair_sees_started_count_move_and_non_respondents_shrink(client, chair):
    trip = returned_trip()
    alice = committed(trip, 1, full_name="Alice Rahma")
    committed(trip, 2, full_name="Budi Santoso")
    log_in(client, chair)
    service.open_followup(trip, 1)
    page = client.get(f"/manage/{trip.slug}/adoption").get_data(as_text=True)
    assert 'id="missing-count">2<' in page and "Alice Rahma" in page
    assert _started(client, trip) == 0
    (commitment,) = service.commitments_of(alice)
    service.answer_round(alice, service.open_round(trip), {commitment.id: AnswerData("started")})
    page = client.get(f"/manage/{trip.slug}/adoption").get_data(as_text=True)
    assert 'id="missing-count">1<' in page and "Alice Rahma" in page.split("What got")[0]
    assert _started(client, trip) == 1


def test_exports_have_one_row_per_commitment_per_round_and_agree_with_the_dashboard(client, chair):
    trip = returned_trip()
    bank = practice(trip)
    alice = committed(trip, 1, full_name='=HYPERLINK("x")')
    bob = committed(trip, 2, plans=[plan(bank.id), plan(what="@Ronda malam")])
    round_ = service.open_followup(trip, 1)
    (a,) = service.commitments_of(alice)
    b1, b2 = service.commitments_of(bob)
    service.answer_round(alice, round_, {a.id: AnswerData("started", "Dana", "Renja 3")})
    service.answer_round(
        bob, round_, {b1.id: AnswerData("running"), b2.id: AnswerData("not_started", "-1+1")}
    )
    log_in(client, chair)
    csv_response = client.get(f"/manage/{trip.slug}/adoption.csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True).lstrip("\ufeff"))))
    assert list(rows[0]) == figures.HEADER
    assert len(rows) == 3 * 2  # three commitments, two rounds
    first = [r for r in rows if r["round"] == "1"]
    assert sorted(r["status"] for r in first) == ["belum mulai", "sudah berjalan", "sudah mulai"]
    assert {r["full_name"] for r in rows} >= {'\'=HYPERLINK("x")'}
    assert "'@Ronda malam" in {r["practice"] for r in rows}
    assert "'-1+1" in {r["obstacle"] for r in rows}
    bank_started = sum(
        1 for r in first if r["practice"] == "Bank sampah RT" and r["status"] == "sudah mulai"
    )
    assert bank_started == _started(client, trip) == 1
    sheet = load_workbook(io.BytesIO(client.get(f"/manage/{trip.slug}/adoption.xlsx").data)).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == figures.HEADER and len(table) == 1 + 6
    assert sum(1 for row in table[1:] if row[7] == 1 and row[8] == "sudah mulai") == 1


def test_organisers_and_strangers_are_refused(client, organiser):
    trip = returned_trip()
    committed(trip)
    for path in ("adoption", "adoption.csv", "adoption.xlsx", "adoption/practices"):
        assert client.get(f"/manage/{trip.slug}/{path}").status_code in (302, 401)
    log_in(client, organiser)
    for path in ("adoption", "adoption.csv", "adoption.xlsx", "adoption/practices"):
        assert client.get(f"/manage/{trip.slug}/{path}").status_code == 403
    assert client.get("/manage/practices").status_code == 403


def test_obstacles_are_searchable(client, chair):
    trip = returned_trip()
    alice = committed(trip, 1)
    bob = committed(trip, 2)
    round_ = service.open_followup(trip, 1)
    for who, text in ((alice, "Dana kas RT belum cair"), (bob, "Warga sibuk panen")):
        (c,) = service.commitments_of(who)
        service.answer_round(who, round_, {c.id: AnswerData("not_started", text)})
    log_in(client, chair)
    page = client.get(f"/manage/{trip.slug}/adoption?q=DANA").get_data(as_text=True)
    assert "Dana kas RT belum cair" in page and "Warga sibuk panen" not in page
    page = client.get(f"/manage/{trip.slug}/adoption?q=%25").get_data(as_text=True)
    assert "Dana kas" not in page


def test_reminder_carries_a_followup_only_link(client, chair):
    trip = returned_trip(days_ago=10)  # its first round is 20 days away
    alice = committed(trip, 1)
    log_in(client, chair)
    url = f"/manage/{trip.slug}/adoption/remind/{alice.id}"
    assert client.post_form(url).status_code == 409  # no round open yet
    service.open_followup(trip, 1)
    page = client.post_form(url).get_data(as_text=True)
    assert "wa.me" in page and "/f/" in page and alice.access_token not in page
    link = db.session.scalar(db.select(StaffLink))
    assert link.purpose == "followup" and link.registration_id == alice.id


def test_chair_names_merges_and_renames_practices(client, chair):
    trip = returned_trip()
    bank = practice(trip)
    posyandu = practice(trip, "Posyandu lansia keliling")
    alice = committed(trip, 1, plans=[plan(posyandu.id)])
    log_in(client, chair)
    url = f"/manage/{trip.slug}/adoption/practices"
    assert client.post_form(url, {"name": "Bank sampah RT"}).status_code == 422
    assert client.post_form(url, {"name": "Sedekah sampah"}).status_code == 303
    merged = client.post_form(f"{url}/{posyandu.id}", {"action": "merge", "into": str(bank.id)})
    assert merged.status_code == 303
    db.session.expire_all()
    assert service.commitments_of(alice)[0].practice_id == bank.id
    assert posyandu.id not in {p.id for p in service.live_practices(trip)}
    renamed = client.post_form(f"{url}/{bank.id}", {"action": "rename", "name": "Bank sampah"})
    assert renamed.status_code == 303
    assert [e.name for e in practices.library()][:1] == ["Bank sampah"]
    assert practices.library()[0].committed == 1


def test_chair_gathers_marked_comments_into_a_practice(client, chair):
    from kampung.feedback.service import survey_of
    from kampung.review import service as review

    trip = returned_trip()
    committed(trip, 1)
    survey = survey_of(trip)
    rows, _total = review.comments(survey, review.CommentFilter())
    review.set_mark(survey, rows[0].answer_id, "practice", "", chair)
    (marked,) = practices.unsorted_marks(trip)
    log_in(client, chair)
    url = f"/manage/{trip.slug}/adoption/practices"
    assert "Bank sampah" in client.get(url).get_data(as_text=True)
    response = client.post_form(url, {"name": "Sedekah sampah", "mark": str(marked.mark_id)})
    assert response.status_code == 303
    assert practices.unsorted_marks(trip) == []
    again = client.post_form(url, {"name": "Lain", "mark": str(marked.mark_id)})
    assert again.status_code == 422


def test_commitments_in_own_words_are_linked_to_a_practice(client, chair):
    trip = returned_trip()
    alice = committed(trip, 1, plans=[plan(what="bank sampah di RT kami")])
    (c,) = service.commitments_of(alice)
    log_in(client, chair)
    url = f"/manage/{trip.slug}/adoption/commitments/{c.id}/practice"
    assert client.post_form(url, {"practice": str(practice(trip).id)}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Commitment, c.id).practice_id == practice(trip).id
    assert client.post_form(url, {"practice": "999999"}).status_code == 404


def test_library_counts_across_trips(client, chair):
    trip = returned_trip()
    committed(trip, 1)
    assert db.session.scalar(db.select(db.func.count()).select_from(FollowupAnswer)) == 0
    log_in(client, chair)
    page = client.get("/manage/practices").get_data(as_text=True)
    assert "Bank sampah RT" in page and trip.title in page
