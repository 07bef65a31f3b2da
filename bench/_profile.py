"""Where a page's time goes: cProfile of one staff page at 10,000 registrations and responses.

`python -m bench._profile review/comments` (any path under /manage/<slug>/; as chair, or as
admin for the roster `participants`). Not part of `make bench`: it prints a profile, not a
figure. docs/PERFORMANCE.md keeps the last one.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time

import sqlalchemy as sa

from bench._common import PASSWORD, database, make_app, median_ms, seed

PEOPLE = 10_000
RUNS = 5


def main(page: str) -> None:
    from kampung.extensions import db

    role = "admin" if page.startswith("participants") else "chair"
    with database() as url:
        slug = seed(url, PEOPLE).slug
        app = make_app(url, WTF_CSRF_ENABLED=False)
        client = app.test_client()
        client.post("/login", data={"username": role, "password": PASSWORD})
        path = f"/manage/{slug}/{page}"
        with app.app_context():
            ms, queries = median_ms(client, db.engine, path, RUNS)
            print(f"{path} at {PEOPLE:,}: median {ms:.1f} ms, {queries} queries")
            _slowest_statements(client, db.engine, path)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(RUNS):
                client.get(path)
            profiler.disable()
            db.engine.dispose()
    stats = pstats.Stats(profiler)
    print(f"cProfile of {RUNS} renders, by cumulative time (the app's own code and templates):")
    stats.sort_stats("cumulative").print_stats(r"/kampung/|templates/", 20)
    print("by own time:")
    stats.sort_stats("tottime").print_stats(12)


def _slowest_statements(client, engine, path: str) -> None:
    """Each SQL statement of one render with its time, slowest first."""
    timings: list[tuple[float, str]] = []

    def start(conn, cursor, statement, *args) -> None:
        conn.info["started"] = time.perf_counter()

    def end(conn, cursor, statement, *args) -> None:
        timings.append((time.perf_counter() - conn.info.pop("started"), statement))

    sa.event.listen(engine, "before_cursor_execute", start)
    sa.event.listen(engine, "after_cursor_execute", end)
    client.get(path)
    sa.event.remove(engine, "before_cursor_execute", start)
    sa.event.remove(engine, "after_cursor_execute", end)
    print("SQL statements of one render, slowest first:")
    for seconds, statement in sorted(timings, reverse=True):
        print(f"  {seconds * 1000:7.1f} ms  {' '.join(statement.split())[:150]}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "review/comments")
