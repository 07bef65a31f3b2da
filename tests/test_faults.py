"""Faults: the database restarting under load, the server killed mid-stream."""

import http.cookiejar
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kampung.extensions import db
from kampung.models import Registration
from tests import pgcluster
from tests.conftest import _migrate
from tests.server import Gunicorn, csrf_from


def _status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


@pytest.fixture
def own_postgres():
    if not pgcluster.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL's server programs are missing")
        pytest.skip("PostgreSQL's server programs are not installed")
    cluster = pgcluster.Cluster().init()
    yield cluster
    cluster.destroy()


def test_app_answers_503_while_postgresql_is_down_and_recovers_by_itself(own_postgres):
    _migrate(own_postgres.url)
    with Gunicorn(own_postgres.url, workers=2) as server:
        assert _status(f"{server.url}/healthz")[0] == 200
        assert _status(f"{server.url}/")[0] == 200
        own_postgres.stop("immediate")
        for path in ("/healthz", "/"):
            status, body = _status(f"{server.url}{path}")
            assert status == 503, (path, status)
            assert "Traceback" not in body
        assert "Sementara tidak tersedia" in _status(f"{server.url}/")[1]
        own_postgres.start()
        # pool_pre_ping replaces the dead connections: no restart of the app needed.
        assert [_status(f"{server.url}/")[0] for _ in range(6)] == [200] * 6
        assert _status(f"{server.url}/healthz")[0] == 200


def _sign_up(base: str, i: int) -> str | None:
    """One person signs up through the real form; their page's path when the server said so."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
    )
    try:
        page = opener.open(f"{base}/e/studi-banding-bengkulu", timeout=5).read().decode()
        token = csrf_from(page)
        body = urllib.parse.urlencode(
            {
                "csrf_token": token,
                "full_name": f"Peserta Beban {i}",
                "phone": f"0815{i + 30000000:08d}",
                "kecamatan": "Jelutung",
                "kelurahan": "Payo Lebar",
                "rt": str(i % 900 + 1),
                "rw": "3",
                "consent": "y",
            }
        ).encode()
        opener.open(f"{base}/e/studi-banding-bengkulu", data=body, timeout=5)
    except urllib.error.HTTPError as error:
        return error.headers["Location"] if error.code == 303 else None
    except OSError:
        return None
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_server_killed_mid_stream_loses_no_answered_sign_up(app, trip):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    trip.capacity = 10_000
    db.session.commit()
    answered: list[str] = []
    server = Gunicorn(url, workers=2, RATELIMIT_ENABLED="0").start()
    stop = threading.Event()

    def stream(offset: int) -> None:
        i = offset
        while not stop.is_set():
            if location := _sign_up(server.url, i):
                answered.append(location.rsplit("/", 1)[-1])
            i += 4

    threads = [threading.Thread(target=stream, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(answered) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join()
    assert len(answered) >= 40
    with Gunicorn(url, workers=1) as restarted:
        assert _sign_up(restarted.url, 99_999) is not None
    db.session.expire_all()
    saved = dict(
        db.session.execute(
            db.select(Registration.access_token, Registration.full_name).where(
                Registration.trip_id == trip.id
            )
        ).all()
    )
    missing = [token for token in answered if token not in saved]
    assert missing == [], f"{len(missing)} answered sign-ups lost"
    # Nothing half-written: every saved row is a whole registration.
    assert all(name.startswith("Peserta Beban") for name in saved.values())
