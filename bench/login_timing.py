"""Login timing: a wrong password against an unknown username, which should take as long.

In-process (the test client), on a fresh SQLite database with one admin: the median time of
LOGINS failed logins of each kind, alternated so that load on the machine falls on both alike.
The ratio unknown / wrong near 1 means the time does not tell which usernames exist.
"""

from __future__ import annotations

import statistics
import time

from bench._common import database, make_app, record

LOGINS = 20


def _timed_login(client, username: str, times: list[float]) -> None:
    start = time.perf_counter()
    response = client.post("/login", data={"username": username, "password": "salah-sekali"})
    times.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 401, response.status_code


def main() -> None:
    from flask_migrate import upgrade

    from kampung.cli import create_user

    with database() as url:
        app = make_app(url, WTF_CSRF_ENABLED=False)
        with app.app_context():
            upgrade()
            create_user("admin", "admin", "kata-sandi-bench-123")
            client = app.test_client()
            wrong, unknown = [], []
            _timed_login(client, "nobody-warm-up", [])
            for _ in range(LOGINS):
                _timed_login(client, "admin", wrong)
                _timed_login(client, "nobody", unknown)
            app.extensions["sqlalchemy"].engine.dispose()
    wrong_ms, unknown_ms = statistics.median(wrong), statistics.median(unknown)
    print(f"wrong password {wrong_ms:.0f} ms, unknown username {unknown_ms:.0f} ms (medians)")
    record("login: wrong password (median)", f"{wrong_ms:.0f} ms")
    record("login: unknown username (median)", f"{unknown_ms:.0f} ms")
    ratio = unknown_ms / wrong_ms
    record("login: unknown / wrong password", f"{ratio:.2f}", "0.8 to 1.25", 0.8 <= ratio <= 1.25)
