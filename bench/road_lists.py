"""The manifest, the rooms and the roster's last checkpoints at 67, 1,000 and 10,000 seated.

Each scale is seeded in bulk on a fresh temporary SQLite database (half the people checked in at
the departure, half of those again at the return), then `assign_rooms` is timed once, and every
page is rendered RUNS times in-process as the organiser, with its SQL statements counted. Targets:
the same query count at every scale on every page (nothing per person).
"""

from __future__ import annotations

import time
import uuid

from bench._common import PASSWORD, database, make_app, median_ms, record, seed

SCALES = (67, 1_000, 10_000)
RUNS = 5
PAGES = ("manifest", "manifest.csv", "rooms", "rooms.csv", "rooms/print", "participants")


def _check_in_half(slug: str) -> None:
    from sqlalchemy import insert, select, update

    from kampung.checkin.models import CheckIn
    from kampung.database import utcnow
    from kampung.extensions import db
    from kampung.models import Trip
    from kampung.signup.models import Registration

    trip = db.session.scalar(select(Trip).where(Trip.slug == slug))
    ids = db.session.scalars(
        select(Registration.id).where(Registration.trip_id == trip.id).order_by(Registration.id)
    ).all()
    # Alternate genders: the seed leaves them empty, and the assignment needs them.
    for parity, gender in ((0, "L"), (1, "P")):
        db.session.execute(
            update(Registration)
            .where(Registration.trip_id == trip.id, Registration.id % 2 == parity)
            .values(gender=gender)
        )
    now = utcnow()
    rows = [
        {
            "registration_id": registration_id,
            "checkpoint_id": checkpoint.id,
            "scanned_at": now,
            "received_at": now,
            "nonce": uuid.uuid4().hex,
        }
        for n, checkpoint in enumerate(trip.checkpoints)
        for registration_id in ids[: len(ids) // (2 * (n + 1))]
    ]
    db.session.execute(insert(CheckIn), rows)
    db.session.commit()


def measure(people: int) -> tuple[float, dict[str, tuple[float, int]]]:
    from kampung.extensions import db
    from kampung.models import Trip
    from kampung.rooms.service import assign_rooms

    with database() as url:
        slug = seed(url, people).slug
        app = make_app(url, WTF_CSRF_ENABLED=False)
        with app.app_context():
            _check_in_half(slug)
            trip = db.session.scalar(db.select(Trip).where(Trip.slug == slug))
            start = time.perf_counter()
            assign_rooms(trip, size=2)
            assign_ms = (time.perf_counter() - start) * 1000
            db.session.remove()
            client = app.test_client()
            client.post("/login", data={"username": "organiser", "password": PASSWORD})
            engine = db.engine
            pages = {
                page: median_ms(client, engine, f"/manage/{slug}/{page}", RUNS) for page in PAGES
            }
            engine.dispose()
    return assign_ms, pages


def main() -> None:
    results = {}
    for people in SCALES:
        assign_ms, pages = measure(people)
        results[people] = pages
        print(f"{people:>6} people  assign_rooms     {assign_ms:7.1f} ms", flush=True)
        record(f"assign_rooms at {people:,}", f"{assign_ms:.0f} ms")
        for page, (ms, queries) in pages.items():
            print(f"{people:>6} people  {page:<16} median {ms:7.1f} ms, {queries} queries")
        record(f"manifest page at {people:,}", f"{pages['manifest'][0]:.0f} ms")
    for page in PAGES:
        counts = [results[n][page][1] for n in SCALES]
        record(
            f"{page}: query count flat",
            " / ".join(str(c) for c in counts),
            "flat",
            len(set(counts)) == 1,
        )


if __name__ == "__main__":
    main()
