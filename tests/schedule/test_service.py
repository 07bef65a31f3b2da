"""The rundown's rules: what is news for whom, until when, and how many have read it."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from kampung.database import utcnow
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.privacy import purge_trip
from kampung.schedule import reading, service
from kampung.schedule.models import Notice, NoticeKind, NoticeRead, Rundown, RundownItem
from kampung.signup import service as signup
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose
from tests.schedule.helpers import FIELD_VISIT, item_named, moved, people, plain_trip

pytestmark = pytest.mark.usefixtures("in_request")


def counts(table) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(table))


def test_the_demo_rundown_runs_three_days_from_the_mayors_office(trip):
    days = service.by_day(trip, service.items_of(trip))
    assert [d.number for d in days] == [1, 2, 3]
    first = days[0].items[1]
    assert (first.what, first.place) == (
        "Pelepasan oleh Wali Kota dan keberangkatan",
        "Kantor Wali Kota Jambi",
    )
    assert first.starts_at.astimezone(WIB).strftime("%H.%M") == "06.00"
    assert first.starts_at.astimezone(WIB).date() == trip.departs_at.astimezone(WIB).date()
    whats = " ".join(i.what for d in days for i in d.items)
    for part in ("Wali Kota Bengkulu", "Presentasi Kampung Bahagia", "tukar praktik", "lapangan"):
        assert part in whats, part
    assert days[2].items[-1].what == "Tiba kembali di Kantor Wali Kota Jambi"
    assert service.publication(trip) is not None


def test_a_change_shows_old_and_new_time_until_the_participant_reads_it(trip, organiser):
    budi, sari = people(trip, 2)
    visit = item_named(trip, FIELD_VISIT)
    notice = service.change_item(visit, moved(visit, time(15, 30), time(17, 0)), organiser)

    assert notice.kind == NoticeKind.changed
    assert service.when_text(notice.old_starts_at, notice.old_ends_at) == "14.00–17.00"
    assert service.when_text(notice.new_starts_at, notice.new_ends_at) == "15.30–17.00"
    assert reading.unread_for(budi) == [notice] and reading.unread_for(sari) == [notice]
    assert reading.schedule_for(budi).changed_items == {visit.id}
    assert reading.read_counts(trip)[notice.id] == reading.ReadCount(0, 2)

    reading.mark_read(budi, notice)
    assert reading.unread_for(budi) == []
    assert reading.unread_for(sari) == [notice]
    assert reading.read_counts(trip)[notice.id] == reading.ReadCount(1, 2)
    assert reading.not_read(notice) == [sari]


def test_marking_twice_counts_once(trip, organiser):
    [budi] = people(trip, 1)
    notice = service.post_announcement(trip, "Bawa batik.", organiser)
    reading.mark_read(budi, notice)
    reading.mark_read(budi, notice)
    assert counts(NoticeRead) == 1
    assert reading.read_counts(trip)[notice.id] == reading.ReadCount(1, 1)


def test_before_publishing_the_rundown_is_built_in_silence(app, organiser):
    departs = utcnow() + timedelta(days=20)
    trip = plain_trip("diam", departs)
    [budi] = people(trip, 1)
    day = departs.astimezone(WIB).date()
    item = service.add_item(trip, service.ItemInput(day, time(9), None, "Aula", "Rapat"), organiser)
    service.change_item(item, moved(item, time(10)), organiser)
    assert reading.schedule_for(budi).days == []  # participants see nothing yet
    assert reading.unread_for(budi) == []
    service.remove_item(item, organiser)
    assert counts(RundownItem) == 0  # gone: nobody ever saw it

    item = service.add_item(trip, service.ItemInput(day, time(9), None, "Aula", "Rapat"), organiser)
    service.publish(trip, organiser)
    service.publish(trip, organiser)
    assert counts(Rundown) == 1
    assert [d.items for d in reading.schedule_for(budi).days] == [[item]]
    assert counts(Notice) == 0


def test_a_wording_fix_is_no_news(trip, organiser):
    people(trip, 1)
    visit = item_named(trip, FIELD_VISIT)
    same_time = moved(visit, time(14), time(17), what="Kunjungan lapangan ke kampung binaan")
    assert service.change_item(visit, same_time, organiser) is None
    assert visit.what == "Kunjungan lapangan ke kampung binaan"
    assert counts(Notice) == 0


def test_a_new_place_is_news_with_the_old_and_the_new(trip, organiser):
    [budi] = people(trip, 1)
    visit = item_named(trip, FIELD_VISIT)
    notice = service.change_item(
        visit, moved(visit, time(14), time(17), place="Kelurahan Kebun Tebeng"), organiser
    )
    assert (notice.place_changed, notice.time_changed) == (True, False)
    assert (notice.old_place, notice.new_place) == (
        "Kecamatan Ratu Samban",
        "Kelurahan Kebun Tebeng",
    )
    assert reading.unread_for(budi) == [notice]


def test_items_added_and_cancelled_after_publishing_are_news(trip, organiser):
    [budi] = people(trip, 1)
    visit = item_named(trip, FIELD_VISIT)
    day = visit.starts_at.astimezone(WIB).date()
    added = service.add_item(
        trip, service.ItemInput(day, time(17, 30), None, "Masjid Jamik", "Ziarah"), organiser
    )
    cancelled = service.remove_item(visit, organiser)
    assert visit.is_cancelled and db.session.get(RundownItem, visit.id) is not None
    kinds = [n.kind for n in reading.unread_for(budi)]
    assert kinds == [NoticeKind.cancelled, NoticeKind.added]
    assert cancelled.text == visit.what
    assert added in service.items_of(trip)
    # A cancelled item is struck on the pages, and can neither be changed nor cancelled again.
    with pytest.raises(service.ScheduleError):
        service.change_item(visit, moved(visit, time(15)), organiser)
    with pytest.raises(service.ScheduleError):
        service.remove_item(visit, organiser)


def test_a_change_is_for_those_signed_up_before_it(trip, organiser):
    [early] = people(trip, 1)
    visit = item_named(trip, FIELD_VISIT)
    change = service.change_item(visit, moved(visit, time(15, 30)), organiser)
    [late] = people(trip, 1, first=2)
    announcement = service.post_announcement(trip, "Bawa payung.", organiser)
    # The late one never saw the old time, but every announcement is for everyone seated.
    assert reading.unread_for(late) == [announcement]
    assert reading.unread_for(early) == [announcement, change]
    assert reading.read_counts(trip)[change.id] == reading.ReadCount(0, 1)
    assert reading.read_counts(trip)[announcement.id] == reading.ReadCount(0, 2)


def test_announcement_counts_only_the_seated(trip, organiser):
    trip.capacity = 2
    budi, sari, waiting = people(trip, 3)
    assert waiting.status == "waitlisted"
    notice = service.post_announcement(trip, "Kumpul pukul 05.30.", organiser)
    reading.mark_read(budi, notice)
    assert reading.read_counts(trip)[notice.id] == reading.ReadCount(1, 2)
    assert reading.unread_for(waiting) == []
    with pytest.raises(service.ScheduleError):
        reading.mark_read(waiting, notice)
    # Who cancels after reading is no longer counted, on either side.
    signup.cancel(budi)
    assert reading.read_counts(trip)[notice.id] == reading.ReadCount(0, 2)  # waiting moved up
    assert {r.id for r in reading.not_read(notice)} == {sari.id, waiting.id}


def test_a_notice_of_another_trip_cannot_be_marked_read(app, trip, organiser):
    [budi] = people(trip, 1)
    other = plain_trip("lain", trip.departs_at)
    notice = service.post_announcement(other, "Bukan untuk Budi.", organiser)
    with pytest.raises(service.ScheduleError) as refused:
        reading.mark_read(budi, notice)
    assert refused.value.status == 404
    assert counts(NoticeRead) == 0


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Tulis pengumumannya dulu."),
        (" \u200b\n\t ", "Tulis pengumumannya dulu."),
        ("x" * 1001, "Pengumuman paling banyak 1.000 karakter; yang ini 1.001."),
        ("Kabar " * 200_000, "paling banyak 1.000 karakter"),
    ],
)
def test_an_empty_or_long_announcement_is_refused_and_nothing_saved(trip, organiser, text, message):
    with pytest.raises(service.ScheduleError) as refused:
        service.post_announcement(trip, text, organiser)
    assert message in refused.value.message
    assert refused.value.status == 422
    assert counts(Notice) == 0


def test_an_announcement_of_exactly_the_limit_is_taken(trip, organiser):
    notice = service.post_announcement(trip, "a" * 1000, organiser)
    assert len(notice.text) == 1000


def typed(item, change: dict):
    """The item typed again with one field spoilt (15.00–17.00 unless the start is)."""
    change = dict(change)
    return moved(item, change.pop("starts", time(15)), time(17), **change)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"what": " "}, "Tulis nama acaranya"),
        ({"what": "x" * 301}, "Paling banyak 300"),
        ({"place": "x" * 201}, "Paling banyak 200"),
        ({"day": date(2020, 1, 1)}, "Pilih salah satu hari perjalanan."),
        ({"starts": time(18)}, "Jam selesai harus sesudah jam mulai."),
    ],
)
def test_a_bad_item_is_refused_and_nothing_changes(trip, organiser, change, message):
    people(trip, 1)
    visit = item_named(trip, FIELD_VISIT)
    before = (visit.starts_at, visit.ends_at, visit.place, visit.what)
    with pytest.raises(service.ScheduleError) as refused:
        service.change_item(visit, typed(visit, change), organiser)
    assert message in refused.value.message
    db.session.expire_all()
    assert (visit.starts_at, visit.ends_at, visit.place, visit.what) == before
    assert counts(Notice) == 0
    with pytest.raises(service.ScheduleError):
        service.add_item(trip, typed(visit, change), organiser)
    assert len(service.items_of(trip)) == 21


def test_the_purge_removes_read_marks_and_schedule_links(trip, organiser):
    [budi] = people(trip, 1)
    notice = service.post_announcement(trip, "Bawa batik.", organiser)
    reading.mark_read(budi, notice)
    token = staff_links.issue(budi, Purpose.schedule, organiser)
    trip.departs_at = utcnow() - timedelta(days=10)
    trip.returns_at = utcnow() - timedelta(days=8)
    db.session.commit()

    purge_trip(trip)
    assert counts(NoticeRead) == 0
    assert staff_links.find(token, Purpose.schedule) is None
    # The rundown and the announcements are the committee's, not personal data: they stay.
    assert counts(Notice) == 1 and len(service.items_of(trip)) == 21
