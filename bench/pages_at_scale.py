"""Roster and review pages at 67, 100, 1,000 and 10,000 registrations and responses: ms and queries.

Each scale is seeded in bulk on a fresh temporary SQLite database, then every page is rendered
RUNS times in-process (Flask test client, logged in as admin for the roster and as chair for the
review pages), so that the SQL statements can be counted. Targets: the review dashboard under
150 ms at 10,000, and the same query count at every scale, on every page; the review pages are
measured again with the survey anonymous (its answers shown in batches) at 67 and 10,000.
"""

from __future__ import annotations

from bench._common import PASSWORD, database, make_app, median_ms, record, seed

#: the trip (67), and the scales issue 4 names for the dashboard (100; 1,000; 10,000)
SCALES = (67, 100, 1_000, 10_000)
RUNS = 9
#: (page, who sees it); the roster and the dashboard go in the table, the others are printed
PAGES = (
    ("participants", "admin"),
    ("review", "chair"),
    ("review/comments", "chair"),
    ("review/report", "chair"),
    ("feedback.csv", "chair"),
)
IN_TABLE = {"participants": "roster page", "review": "review dashboard"}
#: the review pages again with the survey anonymous (shown in batches: review/anonymity.py)
ANONYMOUS_SCALES = (67, 10_000)


def measure(people: int, pages=PAGES, anonymous: bool = False) -> dict[str, tuple[float, int]]:
    from kampung.extensions import db

    with database() as url:
        slug = seed(url, people, anonymous=anonymous).slug
        app = make_app(url, WTF_CSRF_ENABLED=False)
        clients = {}
        for role in ("admin", "chair"):
            clients[role] = app.test_client()
            clients[role].post("/login", data={"username": role, "password": PASSWORD})
        with app.app_context():
            engine = db.engine
            results = {
                page: median_ms(clients[role], engine, f"/manage/{slug}/{page}", RUNS)
                for page, role in pages
            }
            engine.dispose()
    return results


def main() -> None:
    results = {}
    for people in SCALES:
        results[people] = measure(people)
        for page, (ms, queries) in results[people].items():
            print(f"{people:>6} people  {page:<16} median {ms:7.1f} ms, {queries} queries")
    for page, name in IN_TABLE.items():
        counts = {results[n][page][1] for n in SCALES}
        for people in SCALES:
            ms, queries = results[people][page]
            target = "< 150 ms" if page == "review" and people == SCALES[-1] else ""
            record(
                f"{name} at {people:,}",
                f"{ms:.1f} ms, {queries} queries",
                target,
                ms < 150 if target else None,
            )
        record(
            f"{name}: query count flat",
            " / ".join(str(results[n][page][1]) for n in SCALES),
            "flat",
            len(counts) == 1,
        )
    others = [page for page, _ in PAGES if page not in IN_TABLE]
    flat = all(len({results[n][page][1] for n in SCALES}) == 1 for page in others)
    print(f"query count flat on {', '.join(others)}: {'yes' if flat else 'NO'}")

    review = [(page, role) for page, role in PAGES if role == "chair"]
    anonymous = {n: measure(n, review, anonymous=True) for n in ANONYMOUS_SCALES}
    for people in ANONYMOUS_SCALES:
        for page, (ms, queries) in anonymous[people].items():
            print(
                f"{people:>6} people  {page:<16} anonymous, median {ms:7.1f} ms, {queries} queries"
            )
    ms, queries = anonymous[ANONYMOUS_SCALES[-1]]["review"]
    record(
        f"review dashboard, anonymous, at {ANONYMOUS_SCALES[-1]:,}",
        f"{ms:.1f} ms, {queries} queries",
        "< 150 ms",
        ms < 150,
    )
    counts = [anonymous[n]["review"][1] for n in ANONYMOUS_SCALES]
    record(
        "review dashboard, anonymous: query count flat",
        " / ".join(map(str, counts)),
        "flat",
        len(set(counts)) == 1,
    )
    flat = all(len({anonymous[n][page][1] for n in ANONYMOUS_SCALES}) == 1 for page, _ in review)
    print(f"query count flat on the anonymous review pages: {'yes' if flat else 'NO'}")


if __name__ == "__main__":
    main()
