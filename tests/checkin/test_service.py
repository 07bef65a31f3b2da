"""The check-in rules, called directly: outcomes, races, nonces, offline merges, bad input."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import timedelta

import pytest

from kampung.auth.models import User
from kampung.checkin import roster, service
from kampung.checkin.models import CheckIn, ScanLog
from kampung.checkin.service import Outcome
from kampung.database import utcnow
from kampung.extensions import db
from kampung.signup.service import cancel, register
from tests.conftest import make_user, person


def _register(trip, n: int):
    return [register(trip, person(i)).registration for i in range(n)]


def _active_count(checkpoint) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(CheckIn)
        .where(CheckIn.checkpoint_id == checkpoint.id, CheckIn.undone_at.is_(None))
    )


def test_first_scan_is_green_with_the_person(trip, organiser):
    (reg,) = _register(trip, 1)
    result = service.check_in(reg.checkin_code, trip.checkpoints[0].id, organiser, device="A")
    assert result.outcome == Outcome.ok and result.colour == "green"
    assert result.person.name == "Peserta Uji 0"
    assert result.person.rt_rw == "005/002"
    assert result.person.bus == "Bus 1"


def test_an_organiser_without_a_display_name_is_named_by_login(trip, organiser):
    (reg,) = _register(trip, 1)
    checkpoint = trip.checkpoints[0]
    first = make_user("organiser", "siti")
    first.display_name = ""
    db.session.commit()
    service.check_in(reg.checkin_code, checkpoint.id, first, device="A")
    result = service.check_in(reg.checkin_code, checkpoint.id, organiser, device="B")
    assert result.outcome == Outcome.already and result.first.organiser == "siti"


def test_second_scan_shows_first_time_organiser_and_device(trip, organiser):
    (reg,) = _register(trip, 1)
    checkpoint = trip.checkpoints[0]
    first_at = utcnow() - timedelta(minutes=3)
    service.check_in(reg.checkin_code, checkpoint.id, organiser, first_at, device="B")
    other = make_user("organiser", "budi", "Budi")
    result = service.check_in(reg.checkin_code, checkpoint.id, other, device="C")
    assert result.outcome == Outcome.already and result.colour == "amber"
    assert result.first.organiser == "Rina"
    assert result.first.device == "B"
    assert abs(result.first.scanned_at - first_at) < timedelta(seconds=1)
    assert _active_count(checkpoint) == 1


def test_each_checkpoint_counts_apart(trip, organiser):
    (reg,) = _register(trip, 1)
    going, coming = trip.checkpoints
    assert service.check_in(reg.checkin_code, going.id, organiser).outcome == Outcome.ok
    assert service.check_in(reg.checkin_code, coming.id, organiser).outcome == Outcome.ok
    times = roster.checkin_times(trip)
    assert set(times[reg.id]) == {going.id, coming.id}


@pytest.mark.parametrize(
    "code, detail",
    [
        ("", "malformed"),
        ("abc", "malformed"),
        ("https://evil.example/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "foreign_url"),
        ("javascript:alert(1)//c/x", "malformed"),
        ("x" * 5000, "malformed"),
    ],
)
def test_bad_codes_are_refused_and_logged(trip, organiser, code, detail):
    result = service.check_in(code, trip.checkpoints[0].id, organiser)
    assert result.outcome == Outcome.invalid and result.detail == detail
    log = db.session.scalar(db.select(ScanLog))
    assert log.outcome == "invalid" and len(log.code) <= 200
    assert _active_count(trip.checkpoints[0]) == 0


def test_unknown_code_is_red(trip, organiser):
    result = service.check_in("A" * 32, trip.checkpoints[0].id, organiser)
    assert result.outcome == Outcome.unknown and result.colour == "red"


def test_url_of_this_site_is_accepted(app, trip, organiser):
    (reg,) = _register(trip, 1)
    url = f"http://kampung.example:8000/c/{reg.checkin_code}"
    refused = service.check_in(url, trip.checkpoints[0].id, organiser)
    assert refused.detail == "foreign_url"
    result = service.check_in(
        url, trip.checkpoints[0].id, organiser, site_hosts=["kampung.example"]
    )
    assert result.outcome == Outcome.ok


def test_an_unreadable_link_is_another_sites(trip, organiser):
    result = service.check_in("http://[kampung/c/" + "A" * 32, trip.checkpoints[0].id, organiser)
    assert result.outcome == Outcome.invalid and result.detail == "foreign_url"


def test_cancelled_and_waitlisted_are_red(trip, organiser):
    trip.capacity = 1
    db.session.commit()
    seated, waiting = _register(trip, 2)
    assert service.check_in(waiting.checkin_code, trip.checkpoints[0].id, organiser).outcome == (
        Outcome.waitlisted
    )
    cancel(seated)
    assert service.check_in(seated.checkin_code, trip.checkpoints[0].id, organiser).outcome == (
        Outcome.cancelled
    )


def test_checkpoint_of_another_trip_is_red(trip, organiser):
    from kampung.trips import create_trip

    (reg,) = _register(trip, 1)
    other = create_trip(
        slug="lain",
        title="Lain",
        departs_at=utcnow(),
        returns_at=utcnow(),
        buses=[],
        checkpoints=["Lain"],
    )
    db.session.commit()
    result = service.check_in(reg.checkin_code, other.checkpoints[0].id, organiser)
    assert result.outcome == Outcome.other_trip
    assert db.session.scalar(db.select(db.func.count()).select_from(CheckIn)) == 0


def test_nonce_sent_twice_counts_once(trip, organiser):
    (reg,) = _register(trip, 1)
    checkpoint = trip.checkpoints[0]
    first = service.check_in(reg.checkin_code, checkpoint.id, organiser, nonce="n-1")
    again = service.check_in(reg.checkin_code, checkpoint.id, organiser, nonce="n-1")
    assert first.outcome == again.outcome == Outcome.ok
    assert again.replayed and again.checkin_id == first.checkin_id
    assert db.session.scalar(db.select(db.func.count()).select_from(ScanLog)) == 1


def test_nonce_reused_with_another_code_is_refused(trip, organiser):
    one, two = _register(trip, 2)
    checkpoint = trip.checkpoints[0]
    service.check_in(one.checkin_code, checkpoint.id, organiser, nonce="n-1")
    result = service.check_in(two.checkin_code, checkpoint.id, organiser, nonce="n-1")
    assert result.outcome == Outcome.invalid and result.detail == "nonce_reused"
    assert _active_count(checkpoint) == 1


def test_future_scan_time_is_dated_when_received(trip, organiser):
    (reg,) = _register(trip, 1)
    now = utcnow()
    service.check_in(
        reg.checkin_code, trip.checkpoints[0].id, organiser, now + timedelta(days=30), now=now
    )
    checkin = db.session.scalar(db.select(CheckIn))
    assert checkin.scanned_at == now.replace(microsecond=checkin.scanned_at.microsecond)


def test_scan_older_than_a_week_is_refused(trip, organiser):
    (reg,) = _register(trip, 1)
    old = utcnow() - timedelta(days=8)
    result = service.check_in(reg.checkin_code, trip.checkpoints[0].id, organiser, old)
    assert result.outcome == Outcome.invalid and result.detail == "too_old"
    assert _active_count(trip.checkpoints[0]) == 0


def test_offline_devices_keep_the_earliest_scan(trip, organiser):
    (reg,) = _register(trip, 1)
    checkpoint = trip.checkpoints[0]
    now = utcnow()
    later = service.check_in(
        reg.checkin_code, checkpoint.id, organiser, now - timedelta(minutes=2), "n-a", "A"
    )
    earlier = service.check_in(
        reg.checkin_code, checkpoint.id, organiser, now - timedelta(minutes=5), "n-b", "B"
    )
    assert later.outcome == earlier.outcome == Outcome.ok
    active = db.session.scalar(db.select(CheckIn).where(CheckIn.undone_at.is_(None)))
    assert active.device == "B"
    # Device A, asking again about its scan, is told it was a duplicate of B's.
    replay = service.check_in(reg.checkin_code, checkpoint.id, organiser, nonce="n-a", device="A")
    assert replay.outcome == Outcome.already and replay.first.device == "B"
    # A third, later scan is amber and names B.
    third = service.check_in(
        reg.checkin_code, checkpoint.id, organiser, now - timedelta(minutes=1), "n-c", "C"
    )
    assert third.outcome == Outcome.already and third.first.device == "B"
    assert _active_count(checkpoint) == 1


def test_undo_records_who_and_why_and_allows_a_new_check_in(trip, organiser):
    (reg,) = _register(trip, 1)
    checkpoint = trip.checkpoints[0]
    first = service.check_in(reg.checkin_code, checkpoint.id, organiser)
    checkin = db.session.get(CheckIn, first.checkin_id)
    with pytest.raises(ValueError):
        service.undo(checkin, organiser, " ")
    assert service.undo(checkin, organiser, "Salah orang")
    assert not service.undo(checkin, organiser, "lagi")
    db.session.refresh(checkin)
    assert checkin.undo_reason == "Salah orang" and checkin.undone_by_id == organiser.id
    assert service.check_in(reg.checkin_code, checkpoint.id, organiser).outcome == Outcome.ok


def test_four_scanners_checking_the_same_67_codes_count_each_once(app, trip, organiser):
    codes = [r.checkin_code for r in _register(trip, 67)]
    checkpoint_id, organiser_id = trip.checkpoints[0].id, organiser.id
    outcomes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def scanner(seed: int) -> None:
        order = codes[:]
        random.Random(seed).shuffle(order)
        try:
            with app.app_context():
                by = db.session.get(User, organiser_id)
                barrier.wait()
                for code in order:
                    result = service.check_in(code, checkpoint_id, by, nonce=uuid.uuid4().hex)
                    outcomes.append(result.outcome)
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=scanner, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert outcomes.count(Outcome.ok) == 67
    assert outcomes.count(Outcome.already) == 201
    assert _active_count(trip.checkpoints[0]) == 67
    assert db.session.scalar(db.select(db.func.count()).select_from(ScanLog)) == 268


def test_search_finds_by_name_phone_and_rt(trip):
    _register(trip, 3)
    register(trip, person(9, full_name="Siti Rahma", rt=17))
    assert [r.full_name for r in roster.search(trip, "siti")] == ["Siti Rahma"]
    assert [r.full_name for r in roster.search(trip, "017")] == ["Siti Rahma"]
    assert [r.full_name for r in roster.search(trip, "0813-2000-0009")] == ["Siti Rahma"]
    assert roster.search(trip, "%") == []
