"""The roll-call on the road: stops added from the phone, a passenger of another bus answered
amber and not counted, "Pindahkan ke bus ini", per-bus counts with the missing paged, and the
bus coordinator."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from kampung.checkin import rollcall, service, stops
from kampung.checkin.models import BusMove, CheckIn, ScanLog
from kampung.checkin.roster import code_hash
from kampung.checkin.service import Outcome
from kampung.database import utcnow
from kampung.extensions import db
from kampung.signup.models import Registration
from kampung.signup.service import cancel, register
from tests.checkin.conftest import offline_people, other_trip
from tests.conftest import person


def _counted(checkpoint) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(CheckIn)
        .where(CheckIn.checkpoint_id == checkpoint.id, CheckIn.undone_at.is_(None))
    )


def _scan(checkpoint, code, bus=None, nonce=None):
    scan = {
        "code": code,
        "checkpoint": checkpoint.id,
        "scanned_at": datetime.now(UTC).isoformat(),
        "nonce": nonce or uuid.uuid4().hex,
        "device": "B",
    }
    return scan | ({"bus": bus} if bus is not None else {})


# --- Wrong bus -----------------------------------------------------------------------------------


def test_passenger_of_other_bus_is_amber_and_not_counted(trip, organiser, two_buses):
    bus1, bus2, people = two_buses
    checkpoint = trip.checkpoints[0]
    result = service.check_in(people[3].checkin_code, checkpoint.id, organiser, bus_id=bus1.id)
    assert result.outcome == Outcome.wrong_bus and result.colour == "amber"
    assert result.person.bus == "Bus 2" and result.person.bus_id == bus2.id
    assert _counted(checkpoint) == 0
    log = db.session.scalars(db.select(ScanLog)).one()
    assert log.outcome == "wrong_bus" and log.registration_id == people[3].id


def test_passenger_of_this_bus_is_green_at_a_narrowed_scanner(trip, organiser, two_buses):
    bus1, _bus2, people = two_buses
    result = service.check_in(
        people[0].checkin_code, trip.checkpoints[0].id, organiser, bus_id=bus1.id
    )
    assert result.outcome == Outcome.ok


def test_wrong_bus_scan_sent_twice_answers_the_same(trip, organiser, two_buses):
    bus1, _bus2, people = two_buses
    checkpoint = trip.checkpoints[0]
    first = service.check_in(
        people[3].checkin_code, checkpoint.id, organiser, nonce="n" * 16, bus_id=bus1.id
    )
    again = service.check_in(
        people[3].checkin_code, checkpoint.id, organiser, nonce="n" * 16, bus_id=bus1.id
    )
    assert first.outcome == again.outcome == Outcome.wrong_bus
    assert again.replayed and again.person.bus == "Bus 2"
    assert db.session.scalar(db.select(db.func.count()).select_from(ScanLog)) == 1


def test_a_stop_for_one_bus_answers_other_passengers_wrong_bus(trip, organiser, two_buses):
    _bus1, bus2, people = two_buses
    stop = stops.add_stop(trip, "Naik bus: rest area Lubuk Linggau", bus2)
    # No bus given by the scanner: the stop's own bus decides.
    assert service.check_in(people[0].checkin_code, stop.id, organiser).outcome == Outcome.wrong_bus
    assert service.check_in(people[3].checkin_code, stop.id, organiser).outcome == Outcome.ok


def test_api_scan_with_bus_answers_wrong_bus_with_own_bus(staff, trip, two_buses):
    bus1, bus2, people = two_buses
    checkpoint = trip.checkpoints[0]
    response = staff.post_json(
        "/api/checkins",
        [
            _scan(checkpoint, people[3].checkin_code, bus1.id),
            _scan(checkpoint, people[0].checkin_code, bus1.id),
        ],
    )
    assert response.status_code == 200
    wrong, right = response.get_json()["results"]
    assert wrong["outcome"] == "wrong_bus" and wrong["colour"] == "amber"
    assert wrong["title"] == "Bukan bus ini: naik Bus 2"
    assert wrong["person"]["bus"] == "Bus 2" and wrong["person"]["bus_id"] == bus2.id
    assert wrong["checkin_id"] is None
    assert right["outcome"] == "ok"
    assert _counted(checkpoint) == 1


@pytest.mark.parametrize("bus", ["1", True, 0, -4, 2**40, [1]])
def test_api_refuses_a_bus_that_is_not_an_id(staff, trip, two_buses, bus):
    _bus1, _bus2, people = two_buses
    scan = _scan(trip.checkpoints[0], people[0].checkin_code) | {"bus": bus}
    response = staff.post_json("/api/checkins", [scan])
    assert response.status_code == 400
    assert "bus" in response.get_json()["error"]
    assert _counted(trip.checkpoints[0]) == 0


def test_scanner_page_without_javascript_shows_wrong_bus_and_offers_the_move(
    staff, trip, two_buses
):
    bus1, _bus2, people = two_buses
    url = f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}?bus={bus1.id}"
    page = staff.post_form(url, {"code": people[3].checkin_code}).get_data(as_text=True)
    assert "result-amber" in page and "Bukan bus ini: naik Bus 2" in page
    move = page.split('class="result-move"', 1)[1].split("</form>", 1)[0]
    assert "hidden" not in move.split(">", 1)[0]
    assert people[3].checkin_code in move and "Pindahkan ke bus ini" in move


# --- Moving onto this bus ------------------------------------------------------------------------


def test_move_to_this_bus_checks_in_and_is_recorded(staff, trip, organiser, two_buses):
    bus1, bus2, people = two_buses
    checkpoint = trip.checkpoints[0]
    response = staff.post_form(
        f"/manage/{trip.slug}/checkin/{checkpoint.id}/move",
        {"code": people[3].checkin_code, "bus": str(bus1.id), "device": "HP A1"},
    )
    assert response.status_code == 200
    assert "result-green" in response.get_data(as_text=True)
    db.session.expire_all()
    assert people[3].bus_id == bus1.id
    move = db.session.scalars(db.select(BusMove)).one()
    assert (move.from_bus_id, move.to_bus_id, move.moved_by_id) == (bus2.id, bus1.id, organiser.id)
    assert move.checkpoint_id == checkpoint.id and move.moved_at is not None
    assert _counted(checkpoint) == 1


def test_move_into_a_full_bus_saves_nothing(staff, trip, two_buses):
    bus1, bus2, people = two_buses
    bus1.seats = 3
    db.session.commit()
    response = staff.post_form(
        f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}/move",
        {"code": people[3].checkin_code, "bus": str(bus1.id)},
    )
    assert response.status_code == 409
    assert "Bus 1 sudah penuh" in response.get_data(as_text=True)
    db.session.expire_all()
    assert people[3].bus_id == bus2.id
    assert db.session.scalar(db.select(db.func.count()).select_from(BusMove)) == 0
    assert _counted(trip.checkpoints[0]) == 0


@pytest.mark.parametrize("code", ["", "bukan-kode", "x" * 400])
def test_move_of_an_unknown_code_is_refused(staff, trip, two_buses, code):
    bus1, _bus2, _people = two_buses
    response = staff.post_form(
        f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}/move",
        {"code": code, "bus": str(bus1.id)},
    )
    assert response.status_code == 422
    assert "tidak ada di daftar" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(BusMove)) == 0


def test_move_onto_a_bus_of_another_trip_is_refused(staff, trip, two_buses):
    _bus1, bus2, people = two_buses
    other = other_trip()
    response = staff.post_form(
        f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}/move",
        {"code": people[3].checkin_code, "bus": str(other.buses[0].id)},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert people[3].bus_id == bus2.id


# --- Per bus -------------------------------------------------------------------------------------


def test_counts_per_bus_and_the_coordinators_bus_first(trip, organiser, two_buses):
    bus1, bus2, people = two_buses
    checkpoint = trip.checkpoints[0]
    for registration in (people[0], people[3]):
        service.check_in(registration.checkin_code, checkpoint.id, organiser)
    counts = rollcall.counts(checkpoint)
    assert [(b.name, b.present, b.total) for b in counts.buses] == [
        ("Bus 1", 1, 3),
        ("Bus 2", 1, 2),
    ]
    assert (counts.present, counts.total, counts.missing) == (2, 5, 3)
    stops.set_coordinator(bus2, organiser)
    mine = rollcall.counts(checkpoint, viewer_id=organiser.id)
    assert [(b.name, b.mine) for b in mine.buses] == [("Bus 2", True), ("Bus 1", False)]
    only = rollcall.counts(checkpoint, bus1.id)
    assert [(b.name, b.present, b.total) for b in only.buses] == [("Bus 1", 1, 3)]


def test_count_page_names_each_bus_and_the_emergency_contact(staff, trip, organiser, two_buses):
    _bus1, _bus2, people = two_buses
    service.check_in(people[0].checkin_code, trip.checkpoints[0].id, organiser)
    page = staff.get(f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}/count").get_data(
        as_text=True
    )
    assert "Bus 1: <strong>1/3</strong>" in page and "Bus 2: <strong>0/2</strong>" in page
    assert "Belum hadir (4)" in page
    assert "Darurat: <bdi>Siti Aminah</bdi>" in page
    assert 'href="tel:+6281399990000"' in page and 'href="https://wa.me/6281399990000"' in page
    assert 'aria-label="Telepon Siti Aminah, kontak darurat Peserta Uji 3"' in page


def test_missing_list_is_paged(trip, organiser):
    people = [register(trip, person(i)).registration for i in range(rollcall.PAGE_SIZE + 3)]
    checkpoint = trip.checkpoints[0]
    service.check_in(people[0].checkin_code, checkpoint.id, organiser)
    first = rollcall.missing(checkpoint)
    assert len(first.people) == rollcall.PAGE_SIZE and first.more
    second = rollcall.missing(checkpoint, page=2)
    assert len(second.people) == 2 and not second.more and second.first == rollcall.PAGE_SIZE + 1
    names = {p.name for p in first.people} | {p.name for p in second.people}
    assert people[0].full_name not in names and len(names) == len(people) - 1
    assert [p.name for p in rollcall.missing(checkpoint, query="Uji 7").people] == ["Peserta Uji 7"]


def test_the_missing_pages_through_htmx(staff, trip):
    for i in range(rollcall.PAGE_SIZE + 1):
        register(trip, person(i))
    url = f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}/count"
    page = staff.get(url).get_data(as_text=True)
    assert "Berikutnya" in page and f"{url}?page=2" in page
    second = staff.get(f"{url}?page=2", headers={"HX-Request": "true", "HX-Target": "missing"})
    body = second.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="missing"') and f'hx-get="{url}?page=2"' in body
    assert "Sebelumnya" in body and body.count('class="missing-name"') == 1


def test_undo_is_offered_on_the_count_page_and_in_the_search(staff, trip, organiser, two_buses):
    _bus1, _bus2, people = two_buses
    result = service.check_in(people[0].checkin_code, trip.checkpoints[0].id, organiser)
    url = f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}/count"
    undo = f"/manage/{trip.slug}/checkin/undo/{result.checkin_id}?back=count"
    assert undo in staff.get(url).get_data(as_text=True)
    found = staff.get(f"{url}?q=Uji+0").get_data(as_text=True)
    results = found.split('id="search-results"', 1)[1].split('id="missing"', 1)[0]
    assert undo in results and "Hadir" in results
    response = staff.post_form(undo.split("?")[0] + "?back=count", {"reason": "Salah orang"})
    assert response.headers["Location"].endswith(url)
    assert _counted(trip.checkpoints[0]) == 0


def test_an_amber_already_result_offers_the_undo(staff, trip, two_buses):
    _bus1, _bus2, people = two_buses
    url = f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}"
    staff.post_form(url, {"code": people[0].checkin_code})
    page = staff.post_form(url, {"code": people[0].checkin_code}).get_data(as_text=True)
    standing = db.session.scalars(db.select(CheckIn)).one()
    assert "result-amber" in page
    assert f'href="/manage/{trip.slug}/checkin/undo/{standing.id}"' in page


# --- The phone's copy of the list ----------------------------------------------------------------


def test_the_phone_asks_only_for_what_changed_since_its_copy(staff, trip, organiser, two_buses):
    _bus1, _bus2, people = two_buses
    db.session.execute(db.update(Registration).values(updated_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    url = f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}/roster.json"
    full = staff.get(url).get_json()
    assert full["changes"] is False and len(full["people"]) == 5
    service.check_in(people[0].checkin_code, trip.checkpoints[0].id, organiser)
    cancel(people[1])
    asked = {"since": full["as_of"], "chars": full["hash_chars"]}
    changed = staff.get(url, query_string=asked).get_json()
    assert changed["changes"] is True
    by_hash = offline_people(changed)
    assert set(by_hash) == {code_hash(people[0].checkin_code)[:16]}
    assert by_hash[code_hash(people[0].checkin_code)[:16]]["here"] == 1
    assert changed["gone"] == [code_hash(people[1].checkin_code)[:16]]
    assert "Peserta Uji 1" not in str(changed)
    # A date the server cannot read, or one too old: the whole list again.
    for since in ("kemarin", "2020-01-01T00:00:00Z"):
        again = staff.get(url, query_string={"since": since}).get_json()
        assert again["changes"] is False and len(again["people"]) == 4
