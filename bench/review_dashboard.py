"""Review dashboard: median render time and SQL query count over 100, 1,000 and 10,000 responses.

Seeds each scale on a fresh temporary SQLite database (bulk inserts), then renders
/manage/<slug>/review through the Flask test client as a logged-in chair. Targets: under 150 ms
at 10,000 responses, and the same number of queries at every scale.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

SCALES = (100, 1_000, 10_000)
RUNS = 15
PASSWORD = "bench-password-123"
#: the dashboard first (the target), then the other review pages for comparison
PAGES = ("review", "review/comments", "review/report", "feedback.csv")


def measure(responses: int, folder: Path) -> dict[str, tuple[float, int]]:
    from flask_migrate import upgrade

    from kampung import create_app
    from kampung.cli import create_user
    from kampung.demo import create_demo_trip
    from kampung.extensions import db
    from kampung.feedback import service
    from kampung.feedback.seed import seed_responses

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / f'review-{responses}.db'}",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        trip = create_demo_trip(participants=0)
        survey = service.survey_of(trip)
        survey.is_open = True
        db.session.commit()
        # A few who have not answered, as on a real trip.
        seed_responses(survey, responses, missing=10)
        create_user("chair", "chair", PASSWORD)
        slug = trip.slug
    client = app.test_client()
    client.post("/login", data={"username": "chair", "password": PASSWORD})
    with app.app_context():
        engine = db.engine
    return {page: _time(client, engine, f"/manage/{slug}/{page}") for page in PAGES}


def _time(client, engine, url: str) -> tuple[float, int]:
    """The median time of RUNS renders, and the number of queries of one."""
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    assert client.get(url).status_code == 200
    event.remove(engine, "before_cursor_execute", count)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(times), len(statements)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for responses in SCALES:
            results[responses] = measure(responses, Path(folder))
            for page, (median, queries) in results[responses].items():
                print(
                    f"{responses:>6} responses  {page:<16} median {median:7.1f} ms, "
                    f"{queries} queries",
                    flush=True,
                )
    ms_10k = results[SCALES[-1]]["review"][0]
    same = all(len({results[n][page][1] for n in SCALES}) == 1 for page in PAGES)
    print(f"target under 150 ms at 10,000: {'met' if ms_10k < 150 else 'MISSED'} ({ms_10k:.1f} ms)")
    print(f"same query count at every scale, every page: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
