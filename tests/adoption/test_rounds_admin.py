"""The admin's follow-up switch, on the trip's page and from the command line."""

from __future__ import annotations

from kampung.adoption import service
from kampung.cli import privacy_purge
from kampung.database import utcnow
from tests.adoption.helpers import committed, returned_trip
from tests.conftest import log_in


def test_admin_opens_and_closes_a_round_and_sets_its_days(client, admin):
    trip = returned_trip(days_ago=10)  # its first round is 20 days away
    log_in(client, admin)
    url = f"/manage/{trip.slug}/followup"
    assert "Buka putaran 1" in client.get(url).get_data(as_text=True)
    assert client.post_form(url, {"action": "open", "round": "1"}).status_code == 303
    assert service.open_round(trip).number == 1
    assert client.post_form(url, {"action": "close"}).status_code == 303
    assert service.open_round(trip) is None
    assert client.post_form(url, {"action": "days", "days": ["30", "60", "120"]}).status_code == 303
    assert [r.days_after for r in service.rounds_of(trip)] == [30, 60, 120]
    refused = client.post_form(url, {"action": "days", "days": ["90", "30"]})
    assert refused.status_code == 422
    assert [r.days_after for r in service.rounds_of(trip)] == [30, 60, 120]


def test_a_round_cannot_open_before_the_return(client, admin, trip):
    log_in(client, admin)
    response = client.post_form(f"/manage/{trip.slug}/followup", {"action": "open", "round": "1"})
    assert response.status_code == 422
    assert "belum kembali" in response.get_data(as_text=True)
    assert service.open_round(trip) is None


def test_followup_commands_do_what_the_switch_does(app):
    trip = returned_trip()
    runner = app.test_cli_runner()
    opened = runner.invoke(args=["followup", "open", trip.slug])
    assert opened.exit_code == 0 and "round 1 open" in opened.output
    assert service.open_round(trip).number == 1
    second = runner.invoke(args=["followup", "open", trip.slug, "--round", "2"])
    assert second.exit_code == 0 and service.open_round(trip).number == 2
    closed = runner.invoke(args=["followup", "close", trip.slug])
    assert closed.exit_code == 0 and "round 2 closed" in closed.output
    assert service.open_round(trip) is None
    missing = runner.invoke(args=["followup", "open", trip.slug, "--round", "7"])
    assert missing.exit_code != 0
    assert runner.invoke(args=["followup", "open", "no-such-trip"]).exit_code != 0


def test_purge_command_waits_for_the_follow_up(app):
    trip = returned_trip()
    committed(trip)
    service.open_followup(trip, 1, utcnow())
    result = app.test_cli_runner().invoke(privacy_purge, [trip.slug])
    assert result.exit_code != 0 and "followed up" in result.output
