"""The schedule's pages as plain HTTP, as a phone without JavaScript sends them: the organiser
changes the rundown and posts an announcement, the participant reads and marks them read, the
organiser's count moves; reminders carry a schedule-only link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kampung.database import utcnow
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.privacy import purge_trip
from kampung.schedule import reading
from kampung.schedule.models import Notice
from kampung.staff_links.models import Purpose, StaffLink, StaffLinkUse
from tests.review.test_reminders import Browser, message_of
from tests.schedule.helpers import FIELD_VISIT, item_named, people

SITE = "https://kampung.jambikota.go.id"


@pytest.fixture
def road(app, trip, organiser):
    """Two seated participants, the organiser's browser and a participant's (no JavaScript:
    these are plain requests)."""
    app.config["PUBLIC_URL"] = SITE
    budi, sari = people(trip, 2)
    return Browser(app, organiser), budi, sari


def text_of(html: str) -> str:
    """What a reader sees: the tags gone, the spaces single."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


def change_visit(organiser: Browser, trip, **fields):
    visit = item_named(trip, FIELD_VISIT)
    form = {
        "day": visit.starts_at.astimezone(WIB).date().isoformat(),
        "starts": "15:30",
        "ends": "17:00",
        "what": visit.what,
        "place": visit.place,
    } | fields
    return organiser.post(f"/manage/{trip.slug}/rundown/{visit.id}", form)


def test_a_changed_item_shows_on_the_personal_page_until_read(app, trip, road):
    organiser, budi, sari = road
    response = change_visit(organiser, trip)
    assert response.status_code == 303
    [notice] = db.session.scalars(sa.select(Notice)).all()

    participant = Browser(app)
    page = text_of(participant.get(f"/p/{budi.access_token}").get_data(as_text=True))
    assert "Kabar dari panitia (1)" in page
    assert "Jadwal berubah: 14.00–17.00 → 15.30–17.00" in page
    assert "Kunjungan lapangan: bank sampah, kebun gizi" in page
    assert "Dikirim " in page and "Saya sudah baca" in page
    # The rundown on the page has the new time, the item marked.
    assert "15.30–17.00 Kunjungan lapangan: bank sampah, kebun gizi berubah" in page

    read = participant.post(f"/p/{budi.access_token}/read/{notice.id}")
    assert read.status_code == 303
    assert read.headers["Location"].endswith(f"/p/{budi.access_token}#kabar")
    page = text_of(participant.get(f"/p/{budi.access_token}").get_data(as_text=True))
    assert "Jadwal berubah" not in page and "Kabar dari panitia" not in page
    assert "15.30–17.00 Kunjungan lapangan: bank sampah, kebun gizi Kecamatan" in page

    rundown = text_of(organiser.get(f"/manage/{trip.slug}/rundown").get_data(as_text=True))
    assert "Jadwal berubah: 14.00–17.00 → 15.30–17.00" in rundown
    assert "1 dari 2 sudah baca" in rundown
    page = text_of(organiser.get(f"/manage/{trip.slug}/notices/{notice.id}").get_data(as_text=True))
    assert "1 dari 2 sudah baca" in page and "Belum membaca (1)" in page
    assert sari.full_name in page and budi.full_name not in page


def test_a_bad_time_is_refused_in_indonesian_and_nothing_changes(trip, road):
    organiser, _budi, _sari = road
    response = change_visit(organiser, trip, starts="25.00")
    assert response.status_code == 422
    assert "Tulis jam dan menit, misalnya 14.30." in response.get_data(as_text=True)
    response = change_visit(organiser, trip, ends="13:00")
    assert response.status_code == 422
    assert "Jam selesai harus sesudah jam mulai." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0
    db.session.expire_all()
    assert item_named(trip, FIELD_VISIT).starts_at.astimezone(WIB).strftime("%H.%M") == "14.00"


def test_an_organiser_adds_and_cancels_items(trip, road):
    organiser, budi, _sari = road
    day = trip.departs_at.astimezone(WIB).date().isoformat()
    form = {"day": day, "starts": "17.15", "ends": "", "what": "Foto bersama", "place": "Tugu"}
    response = organiser.post(f"/manage/{trip.slug}/rundown/new", form)
    assert response.status_code == 303
    visit = item_named(trip, FIELD_VISIT)
    assert organiser.post(f"/manage/{trip.slug}/rundown/{visit.id}/remove").status_code == 303
    page = text_of(Browser(organiser.app).get(f"/p/{budi.access_token}").get_data(as_text=True))
    assert "Acara baru: " in page and "17.15 Foto bersama" in page
    assert "Dibatalkan: " in page and "14.00–17.00" in page
    # The cancelled item stays in the rundown, struck and marked, and can no longer be edited.
    assert "Kunjungan lapangan: bank sampah, kebun gizi batal" in page
    assert organiser.get(f"/manage/{trip.slug}/rundown/{visit.id}").status_code == 404


def test_an_announcement_is_shown_until_read_and_counted(app, trip, road):
    organiser, _budi, sari = road
    text = "Besok pakai batik.\nBawa KTP."
    response = organiser.post(f"/manage/{trip.slug}/announcements", {"text": text})
    assert response.status_code == 303
    [notice] = db.session.scalars(sa.select(Notice)).all()
    assert response.headers["Location"].endswith(f"/manage/{trip.slug}/notices/{notice.id}")

    page = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 dari 2 sudah baca" in text_of(page)
    group = re.search(r'<textarea id="group-text"[^>]*>(.*?)</textarea>', page, re.S)[1]
    assert "Kabar dari panitia Studi Banding Kampung Bahagia" in group
    assert "Besok pakai batik." in group and "Saya sudah baca" in group
    assert "/p/" not in group

    participant = Browser(app)
    personal = participant.get(f"/p/{sari.access_token}").get_data(as_text=True)
    assert "Besok pakai batik.\nBawa KTP." in personal
    participant.post(f"/p/{sari.access_token}/read/{notice.id}")
    listing = organiser.get(f"/manage/{trip.slug}/announcements").get_data(as_text=True)
    assert "1 dari 2 sudah baca" in text_of(listing)
    # Read, it is kept lower on the page to read again.
    personal = text_of(participant.get(f"/p/{sari.access_token}").get_data(as_text=True))
    assert "Kabar dari panitia" not in personal and "Pengumuman" in personal


def test_a_megabyte_announcement_gets_a_clear_message_and_saves_nothing(trip, road):
    organiser, _budi, _sari = road
    url = f"/manage/{trip.slug}/announcements"
    response = organiser.post(url, {"text": "Kabar " * 180_000})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Pengumuman paling banyak 1.000 karakter: yang ini 1079999." in body
    assert len(body) < 50_000  # the text is not sent back whole
    # Past the app's limit on a request, the form is never read: the same words all the same.
    response = organiser.post(url, {"text": "Kabar " * 400_000})
    assert response.status_code == 413
    assert "Pengumuman paling banyak 1.000 karakter. Tidak ada yang disimpan" in (
        response.get_data(as_text=True)
    )
    response = organiser.post(url, {"text": "x" * 1001})
    assert response.status_code == 422
    assert "yang ini 1001." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0


def announce(organiser: Browser, trip, text: str = "Bawa batik.") -> Notice:
    organiser.post(f"/manage/{trip.slug}/announcements", {"text": text})
    return db.session.scalars(sa.select(Notice).order_by(Notice.id.desc())).first()


def send(organiser: Browser, trip, notice: Notice, registration, **headers):
    url = f"/manage/{trip.slug}/notices/{notice.id}/send/{registration.id}"
    return organiser.post(url, **headers)


def test_a_reminder_carries_a_schedule_only_link_and_is_recorded(trip, road, organiser):
    browser, budi, _sari = road
    notice = announce(browser, trip)
    response = send(browser, trip, notice, budi)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    wa, message = message_of(body)
    assert wa.startswith(f"https://wa.me/{budi.phone.lstrip('+')}?text=")
    assert f"Halo {budi.full_name}, ada kabar dari panitia" in message
    assert "Bawa batik." in message
    assert re.search(re.escape(SITE) + r"/j/[A-Za-z0-9_-]{20,}", message)
    assert budi.access_token not in body and "/p/" not in message
    [link] = db.session.scalars(sa.select(StaffLink)).all()
    assert (link.registration_id, link.purpose, link.sent_by_id) == (
        budi.id,
        Purpose.schedule,
        organiser.id,
    )
    page = browser.get(f"/manage/{trip.slug}/notices/{notice.id}").get_data(as_text=True)
    assert "1 pengingat terkirim" in page and "Belum dibuka." in page


def test_the_schedule_link_opens_the_schedule_only_and_marks_read(app, trip, road):
    browser, budi, _sari = road
    notice = announce(browser, trip, "Kumpul pukul 05.30 di halaman Kantor Wali Kota.")
    _wa, message = message_of(send(browser, trip, notice, budi).get_data(as_text=True))
    path = re.search(re.escape(SITE) + r"(/j/[A-Za-z0-9_-]+)", message)[1]
    token = path.removeprefix("/j/")

    participant = Browser(app)
    page = participant.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Jadwal dan pengumuman" in html and "Kumpul pukul 05.30" in html
    assert "Penyambutan oleh Wali Kota Bengkulu" in html  # the rundown
    for absent in (budi.full_name, budi.access_token, budi.checkin_code, "<svg", "Ubah data saya"):
        assert absent not in html, absent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffLinkUse)) == 1

    read = participant.post(f"{path}/read/{notice.id}")
    assert read.status_code == 303
    assert reading.unread_for(budi) == []
    assert "Anda sudah membaca semua kabar" in participant.get(path).get_data(as_text=True)
    # Someone who has read it gets no reminder.
    assert send(browser, trip, notice, budi).status_code == 409

    # The token opens nothing else; the access token opens nothing here; staff are refused.
    assert participant.get(f"/p/{token}").status_code == 404
    assert participant.get(f"/j/{budi.access_token}").status_code == 404
    assert browser.get(path).status_code == 403
    assert browser.post(f"{path}/read/{notice.id}").status_code == 403

    trip.departs_at = utcnow() - timedelta(days=10)
    trip.returns_at = utcnow() - timedelta(days=8)
    db.session.commit()
    purge_trip(trip)
    assert participant.get(path).status_code == 404
