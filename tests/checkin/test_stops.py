"""Stops on the road, added from the phone, and the bus coordinator."""

from __future__ import annotations

import pytest

from kampung.checkin import stops
from kampung.extensions import db
from kampung.models import Bus, Checkpoint
from tests.checkin.conftest import other_trip
from tests.conftest import log_in, make_user

# --- Stops ---------------------------------------------------------------------------------------


def test_organiser_adds_a_stop_that_opens_its_scanner(staff, trip, two_buses):
    _bus1, bus2, _people = two_buses
    response = staff.post_form(
        f"/manage/{trip.slug}/checkin/stops",
        {"name": "  Naik bus: rest area Lubuk Linggau ", "bus": str(bus2.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    stop = trip.checkpoints[-1]
    assert stop.name == "Naik bus: rest area Lubuk Linggau" and stop.bus_id == bus2.id
    assert stop.position > max(c.position for c in trip.checkpoints[:-1])
    assert response.headers["Location"].endswith(f"/manage/{trip.slug}/checkin/{stop.id}")
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Naik bus: rest area Lubuk Linggau · Bus 2" in page
    assert f'data-bus-id="{bus2.id}"' in page


def test_a_stop_for_all_buses(staff, trip):
    response = staff.post_form(
        f"/manage/{trip.slug}/checkin/stops", {"name": "Makan siang", "bus": ""}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert trip.checkpoints[-1].name == "Makan siang" and trip.checkpoints[-1].bus_id is None


@pytest.mark.parametrize(
    "form, message",
    [
        ({"name": "", "bus": ""}, "Beri nama perhentian"),
        ({"name": "   ", "bus": ""}, "Beri nama perhentian"),
        ({"bus": ""}, "Beri nama perhentian"),
        ({"name": "x" * 121, "bus": ""}, "Paling banyak 120 karakter"),
        ({"name": "Makan siang", "bus": "999999"}, "Pilih salah satu bus"),
        ({"name": "Makan siang", "bus": "abc"}, "Pilih salah satu bus"),
    ],
)
def test_a_bad_stop_is_refused_in_indonesian_and_nothing_saved(staff, trip, form, message):
    before = db.session.scalar(db.select(db.func.count()).select_from(Checkpoint))
    response = staff.post_form(f"/manage/{trip.slug}/checkin/stops", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Checkpoint)) == before


def test_a_stop_for_a_bus_of_another_trip_is_refused(staff, trip):
    other = other_trip()
    response = staff.post_form(
        f"/manage/{trip.slug}/checkin/stops", {"name": "Makan siang", "bus": str(other.buses[0].id)}
    )
    assert response.status_code == 422
    with pytest.raises(stops.StopRefused):
        stops.add_stop(trip, "Makan siang", other.buses[0])
    assert len(trip.checkpoints) == 2


def test_the_chair_cannot_add_a_stop(client, trip, chair):
    log_in(client, chair)
    response = client.post_form(f"/manage/{trip.slug}/checkin/stops", {"name": "Makan", "bus": ""})
    assert response.status_code == 403


# --- The coordinator -----------------------------------------------------------------------------


def test_admin_makes_an_organiser_coordinator_of_a_bus(client, trip, admin, organiser):
    log_in(client, admin)
    bus = trip.buses[1]
    url = f"/manage/{trip.slug}/checkin/buses/{bus.id}/coordinator"
    assert client.post_form(url, {"organiser": str(organiser.id)}).status_code == 302
    db.session.expire_all()
    assert bus.coordinator_id == organiser.id
    chair = make_user("chair", "ketua")
    response = client.post_form(url, {"organiser": str(chair.id)})
    assert response.status_code == 422 and "Pilih salah satu panitia" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert bus.coordinator_id == organiser.id
    assert client.post_form(url, {"organiser": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Bus, bus.id).coordinator_id is None


def test_an_organiser_cannot_set_coordinators(staff, trip, organiser):
    url = f"/manage/{trip.slug}/checkin/buses/{trip.buses[0].id}/coordinator"
    assert staff.post_form(url, {"organiser": str(organiser.id)}).status_code == 403
