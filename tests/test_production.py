"""The app run as in production: gunicorn with several workers, rate limits shared by them in
the embedded SQLite file or in Redis."""

import os
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import make_user
from tests.server import Gunicorn, HttpSession

pytestmark = pytest.mark.process

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"no Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")


def _failed_logins(base: str, attempts: int) -> list[int]:
    """Wrong passwords from one address, many at once, so that every worker answers some."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda _: _failed_login(base), range(attempts)))


def _failed_login(base: str) -> int:
    # Each wrong password costs a password hash; on a busy machine a queue of them takes time.
    browser = HttpSession(base, timeout=60)
    browser.get("/login")
    return browser.post_form("/login", {"username": "admin", "password": "salah"})[0]


def test_rate_limits_hold_across_workers_with_redis(app, admin):
    _redis_or_skip()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    prefix = f"kampung-test-{uuid.uuid4().hex[:8]}"
    with Gunicorn(
        url, workers=3, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix
    ) as server:
        codes = _failed_logins(server.url, 40)
    # 10 per minute for the whole site: with per-process counters three workers would allow 30.
    assert codes.count(401) == 10
    assert codes.count(429) == 30


def test_login_limit_holds_exactly_across_4_workers_on_the_embedded_default(app, admin, tmp_path):
    """No Redis: the counts in a SQLite file (the default, kampung.ratelimit) that four gunicorn
    workers share. With counts in each worker's memory, 15 wrong passwords all got a 401."""
    counts = tmp_path / "ratelimits.db"
    with Gunicorn(
        app.config["SQLALCHEMY_DATABASE_URI"],
        workers=4,
        RATELIMIT_STORAGE_URI=f"sqlite:///{counts}",
    ) as server:
        codes = _failed_logins(server.url, 15)
    assert sorted(codes) == [401] * 10 + [429] * 5


def test_healthz_under_gunicorn(app):
    make_user("admin")
    with (
        Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"]) as server,
        urllib.request.urlopen(f"{server.url}/healthz") as response,
    ):
        assert response.status == 200
