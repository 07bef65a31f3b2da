"""CPU per request in-process (Flask test client, no HTTP): the bare write, a logged-in JSON POST
that does nothing, a scan through /api/checkins and one through the /c/<code> form, on SQLite
(or DATABASE_URL's PostgreSQL with KIND=postgres).

`.venv/bin/python -m bench._scan_cpu` (add `profile` or `profile-form` for a cProfile of the
scans of one path). Not part of
`make bench`: it splits a scan's cost for docs/PERFORMANCE.md, which keeps the last figures.
"""

from __future__ import annotations

import cProfile
import itertools
import json
import os
import pstats
import re
import sys
import time

import sqlalchemy as sa

from bench._common import PASSWORD, database, make_app, seed
from tests.server import csrf_from

PEOPLE = 2000
REQUESTS = 1000


def _cpu_ms(request, n: int = REQUESTS) -> float:
    for _ in range(50):
        request()
    start = time.process_time()
    for _ in range(n):
        request()
    return (time.process_time() - start) / n * 1000


def main(kind: str, profile: str) -> None:
    import bench.bare_app as bare
    from kampung.auth.roles import roles_required

    with database(kind) as url:
        seeded = seed(url, PEOPLE)
        bare.engine = sa.create_engine(url)
        bare.metadata.create_all(bare.engine)
        bare_client = bare.app.test_client()
        app = make_app(url)

        @app.post("/bench/nothing")
        @roles_required("organiser")
        def nothing():
            return {"ok": True}

        client = app.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        form = {"csrf_token": token, "username": "organiser", "password": PASSWORD}
        client.post("/login", data=form)
        page = client.get("/manage/").get_data(as_text=True)
        headers = {
            "X-CSRFToken": re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1),
            "Content-Type": "application/json",
        }
        codes, counter = itertools.cycle(seeded.codes), itertools.count()

        def bare_write():
            assert bare_client.post("/write").status_code == 200

        def logged_in_nothing():
            assert client.post("/bench/nothing", data="[]", headers=headers).status_code == 200

        def scan():
            body = [
                {
                    "code": next(codes),
                    "checkpoint": seeded.checkpoint,
                    "nonce": f"cpu-{next(counter):08d}",
                    "device": "bench",
                }
            ]
            answer = client.post("/api/checkins", data=json.dumps(body), headers=headers)
            assert answer.status_code == 200

        form_headers = headers | {"Content-Type": "application/x-www-form-urlencoded"}

        def form_scan():
            answer = client.post(
                f"/c/{next(codes)}", data=f"checkpoint={seeded.checkpoint}", headers=form_headers
            )
            assert answer.status_code == 200

        for name, request in (
            ("bare write route", bare_write),
            ("logged-in JSON POST doing nothing", logged_in_nothing),
            ("scan (green, then amber)", scan),
            ("/c/<code> form scan", form_scan),
        ):
            print(f"{kind} {name:<36} {_cpu_ms(request):.2f} ms of CPU")
        if profile:
            profiled = form_scan if profile == "form" else scan
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(REQUESTS):
                profiled()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        bare.engine.dispose()


if __name__ == "__main__":
    wanted = sys.argv[1:]
    main(
        os.environ.get("KIND", "sqlite"),
        "form" if "profile-form" in wanted else "scan" if "profile" in wanted else "",
    )
