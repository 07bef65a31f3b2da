"""The roll-call at a stop at 67, 1,000 and 10,000 registrations: scanner page and polled fragments.

Each scale is seeded in bulk on a fresh temporary SQLite database (DATABASE_URL=postgresql://…
adds PostgreSQL), people alternating between the two buses and a third of them checked in at the
first checkpoint, as at a stop half-way through the roll-call (20 of them in the last 30
seconds). Each page is then fetched RUNS
times in-process (Flask test client, logged in as an organiser who coordinates Bus 2), and its
median time, its bytes (as generated, and gzipped as a phone receives them) and its SQL
statements are printed. Targets (issue 10): the scanner page and every fragment it polls under
100 ms and 50 KB at 10,000.
"""

from __future__ import annotations

import gzip
import os
import statistics
import time
from datetime import timedelta

import sqlalchemy as sa

from bench._common import PASSWORD, analysed, counting, database, kinds, make_app, record, seed

SCALES = tuple(int(n) for n in os.environ.get("BENCH_ROLLCALL_SCALES", "67,1000,10000").split(","))
RUNS = 9
#: the share of people already checked in at the stop
PRESENT_EVERY = 3
#: of those, checked in within the last 30 seconds (what the phone's refresh of its copy gets)
RECENT_SCANS = 20
#: (name, path after /manage/<slug>/checkin/<checkpoint>, htmx target or None); * in the table
PAGES = (
    ("scanner page, Bus 1", "?bus={bus1}", None),
    ("count fragment (polled)", "/count?bus={bus1}", "counts"),
    ("missing fragment (polled)", "/count?bus={bus1}", "missing"),
    ("missing fragment, page 2", "/count?bus={bus1}&page=2", "missing"),
    ("count page, all buses", "/count", None),
    ("offline copy, whole (on load)", "/roster.json", None),
    ("offline copy, changes (30 s)", "/roster.json?since={since}", None),
)
IN_TABLE = {
    "scanner page, Bus 1",
    "count fragment (polled)",
    "missing fragment (polled)",
    "offline copy, changes (30 s)",
}
LIMIT_MS, LIMIT_BYTES = 100.0, 50_000


def _check_in_a_share(app, checkpoint_id: int) -> tuple[int, int]:
    """A third of the people checked in (bulk), everyone given an emergency contact, and Bus 2
    coordinated by the organiser."""
    from kampung.auth.models import User
    from kampung.checkin.models import CheckIn
    from kampung.database import utcnow
    from kampung.extensions import db
    from kampung.models import Bus
    from kampung.signup.models import Registration

    with app.app_context():
        ids = db.session.scalars(sa.select(Registration.id).order_by(Registration.id)).all()
        # Signed up and checked in an hour ago, but for the last 30 seconds' scans at the stop.
        now = utcnow()
        earlier = now - timedelta(hours=1)
        # Everyone with an emergency contact, as on the sign-up form: the offline copy holds it.
        db.session.execute(
            sa.update(Registration).values(
                created_at=earlier,
                updated_at=earlier,
                emergency_name=sa.literal("Ibu ") + Registration.full_name,
                emergency_phone=sa.literal("+62816") + sa.func.substr(Registration.phone, 7),
            )
        )
        rows = [
            {
                "registration_id": rid,
                "checkpoint_id": checkpoint_id,
                "scanned_at": at,
                "received_at": at,
                "device": "B",
                "nonce": f"bench-{rid}",
                "undo_reason": "",
            }
            for number, rid in enumerate(ids[::PRESENT_EVERY])
            for at in [now if number < RECENT_SCANS else earlier]
        ]
        for start in range(0, len(rows), 5000):
            db.session.execute(sa.insert(CheckIn), rows[start : start + 5000])
        bus1, bus2 = db.session.scalars(sa.select(Bus).order_by(Bus.position)).all()[:2]
        bus2.coordinator_id = db.session.scalar(
            sa.select(User.id).where(User.username == "organiser")
        )
        db.session.commit()
        result = bus1.id, bus2.id
        db.engine.dispose()
    return result


def measure(people: int, kind: str) -> dict[str, tuple[float, float, int, int, int]]:
    """name -> (median ms, median CPU ms of this process, bytes, gzipped bytes, SQL statements).
    CPU time tells the page's own cost apart from a busy machine's waiting."""
    from kampung.checkin.roster import iso_utc
    from kampung.database import utcnow
    from kampung.extensions import db

    with database(kind) as url:
        seeded = seed(url, people)
        app = make_app(url, WTF_CSRF_ENABLED=False)
        bus1, _bus2 = _check_in_a_share(app, seeded.checkpoint)
        analysed(url)
        client = app.test_client()
        client.post("/login", data={"username": "organiser", "password": PASSWORD})
        base = f"/manage/{seeded.slug}/checkin/{seeded.checkpoint}"
        results = {}
        with app.app_context():
            engine = db.engine
            for name, path, target in PAGES:
                since = iso_utc(utcnow() - timedelta(seconds=60))
                url_ = base + path.format(bus1=bus1, since=since)
                headers = {"HX-Request": "true", "HX-Target": target} if target else {}
                with counting(engine) as statements:
                    body = client.get(url_, headers=headers).get_data()
                times, cpu = [], []
                for _ in range(RUNS):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    response = client.get(url_, headers=headers)
                    times.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
                    assert response.status_code == 200, url_
                results[name] = (
                    statistics.median(times),
                    statistics.median(cpu),
                    len(body),
                    len(gzip.compress(body, 6)),
                    len(statements),
                )
            engine.dispose()
    return results


def main() -> None:
    for kind in kinds():
        results = {}
        for people in SCALES:
            results[people] = measure(people, kind)
            for name, (ms, cpu, size, packed, queries) in results[people].items():
                print(
                    f"{kind:<8} {people:>6} people  {name:<32} median {ms:6.1f} ms "
                    f"(CPU {cpu:5.1f} ms), {size / 1000:7.1f} KB ({packed / 1000:6.1f} KB "
                    f"gzipped), {queries} queries",
                    flush=True,
                )
        largest = SCALES[-1]
        for name in sorted(IN_TABLE):
            for people in SCALES:
                ms, cpu, size, packed, _queries = results[people][name]
                target = f"< {LIMIT_MS:.0f} ms, < 50 KB" if people == largest else ""
                record(
                    f"roll-call {name} at {people:,} ({kind})",
                    f"{ms:.1f} ms (CPU {cpu:.1f}), "
                    f"{size / 1000:.1f} KB ({packed / 1000:.1f} KB gz)",
                    target,
                    (ms < LIMIT_MS and size < LIMIT_BYTES) if target else None,
                )


if __name__ == "__main__":
    main()
