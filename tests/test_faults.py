"""Faults: the server killed mid-stream, a response lost on the way to the phone, the
database restarting under load. What was answered with success is never lost."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from kampung.checkin.models import CheckIn
from kampung.extensions import db
from kampung.models import Trip
from kampung.signup import service
from kampung.signup.models import Registration
from tests import pgcluster
from tests.conftest import PASSWORD, _migrate, make_user, person
from tests.server import ROOT, Gunicorn, HttpSession

#: a request the killed server never answered, or answered only in part: no answer at all
CUT_OFF = (OSError, http.client.HTTPException)

pytestmark = pytest.mark.process

SLUG = "studi-banding-bengkulu"


def sign_up(base: str, i: int) -> str | None:
    """One person signs up through the real form; their access token when the server said so."""
    browser = HttpSession(base)
    try:
        browser.get(f"/e/{SLUG}")
        status, headers, _ = browser.post_form(
            f"/e/{SLUG}",
            {
                "full_name": f"Peserta Beban {i}",
                "phone": f"0815{i + 30000000:08d}",
                "kecamatan": "Jelutung",
                "kelurahan": "Payo Lebar",
                "rt": str(i % 900 + 1),
                "rw": "3",
                "consent": "y",
            },
        )
    except CUT_OFF:
        return None
    return headers["Location"].rsplit("/", 1)[-1] if status == 303 else None


def scan(code: str, checkpoint_id: int) -> dict:
    return {
        "code": code,
        "checkpoint": checkpoint_id,
        "scanned_at": datetime.now(UTC).isoformat(),
        "nonce": uuid.uuid4().hex,
        "device": "HP uji",
    }


def seat_people(trip: Trip, count: int) -> list[str]:
    trip.capacity = 10_000
    db.session.commit()
    return [service.register(trip, person(i)).registration.checkin_code for i in range(count)]


def test_server_killed_mid_stream_loses_no_answered_sign_up_or_check_in(app, trip):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    codes = seat_people(trip, 300)
    checkpoint_id = trip.checkpoints[0].id
    make_user("organiser")
    signed_up: list[str] = []
    checked_in: list[str] = []
    server = Gunicorn(url, workers=2, RATELIMIT_ENABLED="0").start()
    scanner = HttpSession(server.url)
    scanner.log_in("organiser", PASSWORD)
    stop = threading.Event()

    def sign_ups(offset: int) -> None:
        i = offset
        while not stop.is_set():
            if token := sign_up(server.url, i):
                signed_up.append(token)
            i += 3

    def check_ins() -> None:
        for code in codes:
            if stop.is_set():
                return
            try:
                status, _, body = scanner.post_json("/api/checkins", [scan(code, checkpoint_id)])
            except CUT_OFF:
                continue
            if status == 200 and '"outcome":"ok"' in body.replace(" ", ""):
                checked_in.append(code)

    threads = [threading.Thread(target=sign_ups, args=(n,)) for n in range(3)]
    threads.append(threading.Thread(target=check_ins))
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while (len(signed_up) < 30 or len(checked_in) < 30) and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join()
    assert len(signed_up) >= 30 and len(checked_in) >= 30
    with Gunicorn(url, workers=1, RATELIMIT_ENABLED="0") as restarted:
        assert sign_up(restarted.url, 99_999) is not None
    db.session.expire_all()
    saved = dict(
        db.session.execute(
            db.select(Registration.access_token, Registration.full_name).where(
                Registration.trip_id == trip.id
            )
        ).all()
    )
    assert [token for token in signed_up if token not in saved] == []
    # Nothing half-written: every saved registration is whole.
    assert all(name.startswith(("Peserta Beban", "Peserta Uji")) for name in saved.values())
    present = set(
        db.session.scalars(
            db.select(Registration.checkin_code)
            .join(CheckIn, CheckIn.registration_id == Registration.id)
            .where(CheckIn.undone_at.is_(None))
        )
    )
    assert [code for code in checked_in if code not in present] == []


def test_sync_repeated_after_a_lost_response_creates_no_duplicate(app, trip):
    """The server saved the batch but the phone never heard: it sends the same batch again."""
    codes = seat_people(trip, 5)
    make_user("organiser")
    batch = [scan(code, trip.checkpoints[0].id) for code in codes]
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=2) as server:
        phone = HttpSession(server.url)
        phone.log_in("organiser", PASSWORD)
        _send_and_hang_up(server.port, phone, batch)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _active_check_ins() < len(codes):
            time.sleep(0.05)
        assert _active_check_ins() == len(codes), "the first send was not saved"
        status, _, body = phone.post_json("/api/checkins", batch)
    assert status == 200
    assert body.replace(" ", "").count('"outcome":"ok"') == len(codes)
    assert body.count('"replayed":true') == len(codes)
    assert _active_check_ins() == len(codes)


def _active_check_ins() -> int:
    db.session.expire_all()
    return db.session.scalar(
        db.select(db.func.count()).select_from(CheckIn).where(CheckIn.undone_at.is_(None))
    )


def _send_and_hang_up(port: int, phone: HttpSession, payload: list) -> None:
    """POST the batch with the phone's cookies, then drop the connection unread."""
    body = json.dumps(payload).encode()
    cookies = "; ".join(f"{c.name}={c.value}" for c in phone.cookies)
    head = (
        f"POST /api/checkins HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nX-CSRFToken: {phone.csrf}\r\n"
        f"Cookie: {cookies}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head.encode() + body)
        sock.shutdown(socket.SHUT_WR)


@pytest.fixture
def own_postgres():
    if not pgcluster.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL's server programs are missing")
        pytest.skip("PostgreSQL's server programs are not installed")
    cluster = pgcluster.Cluster().init()
    yield cluster
    cluster.destroy()


def test_app_answers_503_while_postgresql_is_down_and_recovers_without_losing_data(own_postgres):
    _migrate(own_postgres.url)
    with Gunicorn(own_postgres.url, workers=2, RATELIMIT_ENABLED="0") as server:
        _load_demo(server)
        before = [sign_up(server.url, i) for i in range(10)]
        assert all(before)
        own_postgres.stop("immediate")
        assert HttpSession(server.url).request("/healthz")[0] == 503
        status, _, body = HttpSession(server.url).request(f"/e/{SLUG}")
        assert status == 503
        assert "Traceback" not in body and "Sementara tidak tersedia" in body
        assert sign_up(server.url, 500) is None
        own_postgres.start()
        # pool_pre_ping replaces the dead connections: no restart of the app needed.
        statuses = [HttpSession(server.url).request(f"/e/{SLUG}")[0] for _ in range(6)]
        assert statuses == [200] * 6
        after = [sign_up(server.url, i) for i in range(10, 20)]
        assert all(after)
    engine = sa.create_engine(own_postgres.url)
    with engine.connect() as conn:
        saved = set(conn.scalars(sa.select(Registration.access_token)))
    engine.dispose()
    assert set(before + after) <= saved


def _load_demo(server: Gunicorn) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "demo", "--participants", "0"],
        cwd=ROOT,
        env=server.env,
        check=True,
        capture_output=True,
    )
