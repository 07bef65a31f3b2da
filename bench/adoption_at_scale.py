"""The adoption dashboard at 67, 1,000 and 10,000 commitments: ms and queries.

Each scale is seeded in bulk on a fresh temporary SQLite database (kampung.adoption.seed: the
demo trip back home, its first follow-up round open and 70% answered), then the dashboard and
its CSV are rendered RUNS times in-process as the chair, so that the SQL statements can be
counted. Targets: the dashboard under 150 ms at 10,000, and the same query count at every scale.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from bench._common import PASSWORD, database, make_app, median_ms, record

SCALES = tuple(int(n) for n in os.environ.get("ADOPTION_SCALES", "67,1000,10000").split(","))
RUNS = 9
PAGES = ("adoption", "adoption.csv")


def seed(url: str, commitments: int) -> str:
    from flask_migrate import upgrade

    from kampung.adoption.seed import seed_commitments
    from kampung.cli import create_user
    from kampung.demo import create_demo_trip
    from kampung.extensions import db
    from kampung.i18n import WIB

    app = make_app(url)
    with app.app_context():
        upgrade()
        departure = datetime.now(WIB).date() - timedelta(days=40)
        trip = create_demo_trip(participants=0, departure=departure)
        trip.capacity = max(trip.capacity, commitments)
        db.session.commit()
        seed_commitments(trip, commitments)
        create_user("chair", "chair", PASSWORD)
        slug = trip.slug
        db.engine.dispose()
    return slug


def measure(commitments: int) -> dict[str, tuple[float, int]]:
    from kampung.extensions import db

    with database() as url:
        slug = seed(url, commitments)
        app = make_app(url, WTF_CSRF_ENABLED=False)
        client = app.test_client()
        client.post("/login", data={"username": "chair", "password": PASSWORD})
        with app.app_context():
            engine = db.engine
            results = {
                page: median_ms(client, engine, f"/manage/{slug}/{page}", RUNS) for page in PAGES
            }
            engine.dispose()
    return results


def main() -> None:
    results = {n: measure(n) for n in SCALES}
    for n in SCALES:
        for page, (ms, queries) in results[n].items():
            print(f"{n:>6} commitments  {page:<14} median {ms:7.1f} ms, {queries} queries")
    for n in SCALES:
        ms, queries = results[n]["adoption"]
        target = "< 150 ms" if n == SCALES[-1] else ""
        record(
            f"adoption dashboard at {n:,}",
            f"{ms:.1f} ms, {queries} queries",
            target,
            ms < 150 if target else None,
        )
    counts = [results[n]["adoption"][1] for n in SCALES]
    record(
        "adoption dashboard: query count flat",
        " / ".join(map(str, counts)),
        "flat",
        len(set(counts)) == 1,
    )


if __name__ == "__main__":
    main()
    from bench._common import print_table

    print_table()
