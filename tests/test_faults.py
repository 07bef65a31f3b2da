"""Faults: the database restarting under load, the server killed mid-stream."""

import os
import urllib.error
import urllib.request

import pytest

from tests import pgcluster
from tests.conftest import _migrate
from tests.server import Gunicorn


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
