"""The visit report (laporan hasil kunjungan) through the test client: a trip back home after
departure scans, survey answers with comments, a rundown with a change and a cancellation,
named practices and commitments with a follow-up round; every section there, the comments
grouped by theme, and no phone number anywhere."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import time

import pytest
from docx import Document

from kampung.adoption import practices as adoption_practices
from kampung.adoption import service as adoption
from kampung.adoption.models import Progress
from kampung.auth.models import User
from kampung.checkin import service as checkin
from kampung.extensions import db
from kampung.feedback.service import submit
from kampung.paperwork import laporan
from kampung.review import service as review
from kampung.schedule import service as schedule
from kampung.signup.service import register
from tests.adoption.helpers import plan, practice, returned_trip
from tests.conftest import log_in, make_user, person
from tests.feedback.helpers import good_answers, open_survey

#: a phone number as stored (+62…) or as people write it (08…)
PHONE = re.compile(r"\+62\s?\d|\b08\d{2}[\s.-]?\d{3,}")

COMMENTS = [
    "Bus nya panas, AC mati di jalan",
    "Sopir ngebut, perlu bus yang lebih baik",
    "Makanan siang terlambat datang",
    "Kamar hotel kurang bersih",
    "Jadwal terlalu padat, waktu istirahat kurang",
    "Tolong hubungi saya di 0812-3456-7890 untuk usulan",
    "Semua sudah baik",
]
#: the titles of the report's sections, in Indonesian, as the page and the Word file carry them
SECTIONS = [
    "Maksud dan tujuan kunjungan",
    "Waktu dan tempat",
    "Peserta yang berangkat",
    "Susunan acara yang berjalan",
    "Pendapat peserta",
    "Praktik yang akan diterapkan",
    "Rencana tindak lanjut (RTL)",
]


KECAMATAN = ["Telanaipura", "Kota Baru", "Alam Barajo", "Jelutung", "Pasar Jambi"]


def visited_trip(n: int = len(COMMENTS)):
    """The demo trip back home: `n` RT heads scanned at departure (the first in Kota Baru, the
    rest in Telanaipura when n is seven, else over five kecamatan), each answered the survey with
    a comment, a rundown published then changed and cut, a named practice with commitments, and
    the first follow-up round answered."""
    trip = returned_trip()
    organiser = make_user("organiser", "rina", name="Rina")
    survey = open_survey(trip)
    # the rundown, published, then one item moved and one cancelled
    day = schedule.trip_days(trip)[1]
    items = [
        schedule.add_item(trip, schedule.ItemInput(day, time(h), None, place, what), None)
        for h, place, what in [
            (8, "Balai Kota Bengkulu", "Penyambutan oleh Wali Kota"),
            (10, "Kelurahan Sawah Lebar", "Kunjungan bank sampah"),
            (19, "Pantai Panjang", "Makan malam bersama"),
        ]
    ]
    schedule.publish(trip, None)
    moved = schedule.ItemInput(
        day, time(11), None, "Kelurahan Sawah Lebar", "Kunjungan bank sampah"
    )
    schedule.change_item(items[1], moved, None)
    schedule.remove_item(items[2], None)
    people = []
    for i in range(n):
        text = COMMENTS[i % len(COMMENTS)]
        if n == len(COMMENTS):
            kecamatan = "Kota Baru" if i == 0 else "Telanaipura"
        else:
            kecamatan = KECAMATAN[i % len(KECAMATAN)]
        registration = register(trip, person(i, kecamatan=kecamatan)).registration
        checkin.check_in(registration.checkin_code, trip.checkpoints[0].id, organiser, device="HP")
        submit(survey, registration, good_answers(survey, rating=4 + i % 2, nps=9, text=text))
        people.append(registration)
    bank = practice(trip)
    # the chair marks a comment (the one with a phone number in it) as the bank sampah's source
    asked = next(q for q in survey.questions if q.kind == "long_text")
    said = review.comments(survey, review.CommentFilter(question_id=asked.id)).rows
    source = next(row for row in said if "0812" in row.text)
    review.set_mark(survey, source.answer_id, "practice", "", make_user("chair", "ketua"))
    marks = [m.mark_id for m in adoption_practices.unsorted_marks(trip)]
    adoption_practices.name_practice(trip, "", marks, into=bank)
    for registration in people[:3]:
        adoption.save_commitments(registration, [plan(bank.id)])
    round_ = adoption.open_followup(trip, 1)
    for registration in people[:2]:
        mine = adoption.commitments_of(registration)
        adoption.answer_round(
            registration, round_, {c.id: adoption.AnswerData(Progress.started) for c in mine}
        )
    db.session.commit()
    return trip, people


@pytest.fixture
def visited(app):
    with app.test_request_context():
        return visited_trip()


def test_comments_fall_under_the_first_theme_whose_words_they_hold():
    themes = {t.key: t for t in laporan.themes_of(COMMENTS)}
    assert themes["transport"].count == 2
    assert themes["food"].count == 1  # "terlambat" is time too, but food comes first
    assert themes["lodging"].count == 1
    assert themes["time"].count == 1
    assert themes["other"].count == 2
    assert list(themes)[-1] == "other"
    assert "[nomor dihapus]" in " ".join(themes["other"].quotes) or "number removed" in " ".join(
        themes["other"].quotes
    )
    assert not any(PHONE.search(q) for t in themes.values() for q in t.quotes)


def test_the_chair_reads_every_section_of_the_report(client, visited):
    trip, people = visited
    log_in(client, db.session.scalar(db.select(User).where(User.username == "ketua")))
    page = client.get(f"/manage/{trip.slug}/laporan")
    assert page.status_code == 200
    text = page.text
    for title in [*SECTIONS, "Lampiran: daftar peserta"]:
        assert title in text, title
    assert "PEMERINTAH KOTA JAMBI" in text.upper() and "Forum Ketua RT" in text
    # who went: per kecamatan, and every name in the appendix
    assert re.search(r"Kota Baru</td><td class=\"num\">1<", text)
    assert re.search(r"Telanaipura</td><td class=\"num\">6<", text)
    for registration in people:
        assert registration.full_name in text
    # the rundown as it ran
    assert "Kunjungan bank sampah <strong>(diubah)</strong>" in text
    assert "<s>Makan malam bersama</s> <strong>(dibatalkan)</strong>" in text
    # what they said: charts, the average in words, the comments by theme with quotes
    assert text.count('<svg class="bar"') >= 5
    assert "Rata-rata" in text
    assert "Transportasi dan bus" in text and "Sopir ngebut" in text
    # the practice, who adopts it, and the first round's status
    assert "Bank sampah RT" in text and people[0].full_name in text
    assert "“Tolong hubungi saya di [nomor dihapus] untuk usulan”" in text
    assert "Putaran 1" in text
    assert "Ketua Forum RT" in text and "NIP" in text
    assert not PHONE.search(text), PHONE.search(text)


def test_the_archive_holds_the_report(client, visited):
    trip, _people = visited
    log_in(client, make_user("admin", name="Admin Kota"))
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"/manage/{trip.slug}/arsip.zip").data))
    report = bundle.read(f"{trip.slug}/laporan.html").decode()
    assert "Praktik yang akan diterapkan" in report and "<style>" in report
    assert not PHONE.search(report)


def test_a_trip_without_scans_or_answers_still_has_its_report(client, trip):
    log_in(client, make_user("chair", name="Ketua Forum"))
    page = client.get(f"/manage/{trip.slug}/laporan")
    assert page.status_code == 200
    assert "0 peserta" in page.text and "Lampiran" not in page.text


@pytest.mark.parametrize("role", ["organiser", None])
def test_organisers_and_strangers_cannot_open_the_report(client, trip, role):
    if role:
        log_in(client, make_user(role))
    response = client.get(f"/manage/{trip.slug}/laporan")
    assert response.status_code == (403 if role else 302)


def _docx_text(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_word_file_has_the_same_headings_as_the_page(client, visited):
    trip, people = visited
    log_in(client, make_user("admin", name="Admin Kota"))
    response = client.get(f"/manage/{trip.slug}/laporan.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    document = Document(io.BytesIO(response.data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    page = client.get(f"/manage/{trip.slug}/laporan").text
    on_page = [html.unescape(h) for h in re.findall(r'<h2 id="l-(?!sign)[^"]*">([^<]*)</h2>', page)]
    assert headings == on_page
    assert [re.sub(r"^\d\. ", "", h) for h in headings] == [*SECTIONS, "Lampiran: daftar peserta"]
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [
        "Laporan hasil kunjungan"
    ]
    questions = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert "Bagaimana transportasi (bus)?" in questions and "Bank sampah RT" in questions
    text = _docx_text(document)
    assert "Transportasi dan bus (10 komentar)" not in text  # seven people here
    assert "Transportasi dan bus (2 komentar)" in text
    assert "(diubah)" in text and "(dibatalkan)" in text
    assert all(p.full_name in text for p in people)
    assert "Ketua Forum RT," in text and "NIP" in text
    assert not PHONE.search(text), PHONE.search(text)


def test_organisers_cannot_download_the_word_file(client, trip, organiser):
    log_in(client, organiser)
    assert client.get(f"/manage/{trip.slug}/laporan.docx").status_code == 403
