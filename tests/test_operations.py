"""Running the app: the command line, /healthz, backups and the personal-data purge."""

import os
import re
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from kampung import create_app
from kampung.auth.models import User
from kampung.database import utcnow
from kampung.extensions import db
from kampung.models import Trip
from kampung.signup import service
from kampung.signup.models import Registration, Status
from tests.conftest import ROOT, person


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_user_create_hashes_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "Rina", "--role", "organiser", "--password", "rahasia-123"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.username == "rina"))
    assert user.role == "organiser"
    assert "rahasia-123" not in user.password_hash and user.check_password("rahasia-123")


def test_user_create_refuses_an_unknown_role(app):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "x", "--role", "boss", "--password", "rahasia-123"]
    )
    assert result.exit_code != 0
    assert db.session.scalar(db.select(User)) is None


def test_demo_builds_the_bengkulu_trip(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--participants", "5", "--departure", "2027-01-15"])
    assert result.exit_code == 0, result.output
    trip = db.session.scalar(db.select(Trip))
    assert trip.slug == "studi-banding-bengkulu"
    assert trip.title == "Studi Banding Kampung Bahagia: Jambi ke Bengkulu"
    assert trip.capacity == 67
    assert [b.name for b in trip.buses] == ["Bus 1", "Bus 2"]
    assert [c.name for c in trip.checkpoints] == ["Keberangkatan Jambi", "Kepulangan Bengkulu"]
    assert trip.count_by_status()["registered"] == 5
    assert trip.departs_at.astimezone(service_tz()).date().isoformat() == "2027-01-15"
    assert runner.invoke(args=["demo"]).exit_code != 0


def service_tz():
    from kampung.demo import WIB

    return WIB


def test_event_set_opens_and_closes_registration(app, trip):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["event", "set", trip.slug, "--registration", "closed"])
    assert result.exit_code == 0, result.output
    db.session.refresh(trip)
    assert not trip.registration_is_open()
    runner.invoke(args=["event", "set", trip.slug, "--registration", "open"])
    db.session.refresh(trip)
    assert trip.registration_is_open()
    assert runner.invoke(args=["event", "set", "tidak-ada", "--registration", "open"]).exit_code


def test_backup_while_writing_gives_a_consistent_copy_that_restores(app, trip, tmp_path):
    target = tmp_path / "copy.db"
    runner = app.test_cli_runner()
    if app.config["DB_KIND"] != "sqlite":
        result = runner.invoke(args=["backup", str(target)])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    stop = threading.Event()

    def keep_signing_up():
        with app.app_context():
            i = 100
            while not stop.is_set() and i < 400:
                service.register(db.session.get(Trip, trip.id), person(i))
                i += 1

    writer = threading.Thread(target=keep_signing_up)
    writer.start()
    try:
        result = runner.invoke(args=["backup", str(target)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    written = db.session.scalar(db.select(db.func.count(Registration.id)))
    assert written > 0
    restored = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}", "TESTING": True})
    with restored.app_context():
        assert db.session.scalar(db.select(Trip.slug)) == trip.slug
        assert db.session.scalar(db.select(db.func.count(Registration.id))) <= written
        db.engine.dispose()


def test_purge_waits_for_the_trip_to_end(app, trip):
    service.register(trip, person(1))
    result = app.test_cli_runner().invoke(args=["privacy", "purge", trip.slug, "--yes"])
    assert result.exit_code != 0
    assert db.session.scalar(db.select(Registration.full_name)) == "Peserta Uji 1"


def test_purge_removes_personal_data_and_keeps_counts(app, trip):
    for i in range(3):
        service.register(trip, person(i, emergency_name="Istri", notes="alergi udang"))
    old_token = db.session.scalar(db.select(Registration.access_token))
    trip.departs_at = utcnow() - timedelta(days=10)
    trip.returns_at = utcnow() - timedelta(days=8)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "purge", trip.slug, "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    rows = db.session.scalars(db.select(Registration)).all()
    assert len(rows) == 3
    assert all(r.status == Status.registered for r in rows)
    for r in rows:
        assert (r.full_name, r.phone, r.emergency_name, r.notes, r.rt) == ("", None, "", "", None)
        # The search key is the name too, folded: it goes with it.
        assert r.search_name == ""
        assert r.kecamatan == "Telanaipura"
    assert old_token not in {r.access_token for r in rows}
    assert db.session.get(Trip, trip.id).purged_at is not None


def test_admin_sees_when_each_trips_personal_data_is_due_for_removal(client, admin, trip):
    from tests.conftest import log_in

    log_in(client, admin)
    html = client.get("/manage/").get_data(as_text=True)
    # 90 days after the return, or after the last follow-up round (90 days, 30 to answer).
    due = (trip.returns_at + timedelta(days=90 + 30)).astimezone(service_tz())
    assert "Data pribadi dijadwalkan dihapus pada" in html
    assert f"{due.day} " in html and str(due.year) in html
    trip.departs_at = utcnow() - timedelta(days=200)
    trip.returns_at = utcnow() - timedelta(days=198)
    db.session.commit()
    html = client.get("/manage/").get_data(as_text=True)
    assert f"privacy purge {trip.slug}" in html


#: gunicorn as `make run` starts it
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]


def _gunicorn_settings(instance: Path, **env: str) -> dict[str, str]:
    """The settings gunicorn takes from gunicorn.conf.py in this environment (--print-config)."""
    environment = {k: v for k, v in os.environ.items() if k != "MAX_REQUESTS"}
    printed = subprocess.run(
        [*GUNICORN, "--print-config", "app:app"],
        cwd=ROOT,
        env=environment | {"INSTANCE_PATH": str(instance)} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return dict(re.findall(r"^(\w+) += ?(.*)$", printed, re.MULTILINE))


def test_gunicorn_replaces_a_worker_after_max_requests_give_or_take_a_tenth(tmp_path):
    """Whatever memory a large upload left in a worker goes back to the system when gunicorn
    replaces it; the jitter keeps the workers from being replaced all at once."""
    default = _gunicorn_settings(tmp_path)
    assert (default["max_requests"], default["max_requests_jitter"]) == ("10000", "1000")
    chosen = _gunicorn_settings(tmp_path, MAX_REQUESTS="500")
    assert (chosen["max_requests"], chosen["max_requests_jitter"]) == ("500", "50")
