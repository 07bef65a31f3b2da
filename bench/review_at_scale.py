"""The review dashboard and the comments page at 10,000 and 100,000 responses: ms, bytes, queries.

Like pages_at_scale (bulk seeding on a fresh SQLite database, or PostgreSQL with DATABASE_URL;
median of RUNS renders in-process as the chair), but up to 100,000 responses, with each page's
size. The comments are shown 50 at a time: the first page, a later page (its cursor taken from
the first) and a search. Targets: the dashboard and the first comments page under 150 ms at
10,000, the dashboard under 150 ms at 100,000 too, and the same query count and about the same
bytes at both scales. Seeding 100,000 takes a minute or two.

`python -m bench review_at_scale`; `REVIEW_SCALES=10000` measures one scale.
"""

from __future__ import annotations

import os
import re

from bench._common import PASSWORD, analysed, database, kinds, make_app, median_ms, record, seed

SCALES = tuple(int(n) for n in os.environ.get("REVIEW_SCALES", "10000,100000").split(","))
RUNS = 9
#: (name, path under /manage/<slug>/, target in ms at every scale or at 10,000 only)
PAGES = (
    ("dashboard", "review", "all"),
    ("comments", "review/comments", "10000"),
    ("comments, page 2", "review/comments?after={after}", ""),
    ("comments, search", "review/comments?q=sampah", ""),
)


def measure(kind: str, people: int) -> dict[str, tuple[float, int, int]]:
    """{page: (median ms, queries, bytes)} at `people` responses."""
    from kampung.extensions import db

    with database(kind) as url:
        slug = seed(url, people).slug
        app = make_app(url, WTF_CSRF_ENABLED=False)
        # Without statistics the planner guesses a few rows per question and sorts what the
        # index would give in order.
        analysed(url)
        client = app.test_client()
        client.post("/login", data={"username": "chair", "password": PASSWORD})
        first = client.get(f"/manage/{slug}/review/comments").get_data(as_text=True)
        after = re.search(r'after=([\w-]+)"', first).group(1)
        results = {}
        with app.app_context():
            for name, path, _target in PAGES:
                url_path = f"/manage/{slug}/{path.format(after=after)}"
                ms, queries = median_ms(client, db.engine, url_path, RUNS)
                results[name] = (ms, queries, len(client.get(url_path).data))
            db.engine.dispose()
    return results


def main() -> None:
    for kind in kinds():
        results = {}
        for people in SCALES:
            results[people] = measure(kind, people)
            for name, (ms, queries, size) in results[people].items():
                print(
                    f"{kind:<8} {people:>7,} responses  {name:<18} median {ms:7.1f} ms, "
                    f"{queries} queries, {size:,} bytes",
                    flush=True,
                )
        for name, _path, target in PAGES:
            for people in SCALES:
                ms, queries, size = results[people][name]
                wanted = target == "all" or target == str(people)
                record(
                    f"{kind} review {name} at {people:,}",
                    f"{ms:.1f} ms, {queries} queries, {size / 1024:.1f} KB",
                    "< 150 ms" if wanted else "",
                    ms < 150 if wanted else None,
                )
            counts = {results[n][name][1] for n in SCALES}
            record(
                f"{kind} review {name}: query count flat",
                " / ".join(str(results[n][name][1]) for n in SCALES),
                "flat",
                len(counts) == 1,
            )


if __name__ == "__main__":
    main()
