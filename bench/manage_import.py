"""Import and roster: time to check and save a CSV of N people, and the roster's SQL queries.

Runs on a throw-away SQLite database migrated like production. Prints, for 67, 500 and 1,000
rows (the importer's limit): reading + checking (the preview), saving in one transaction,
then the roster page's query count and time with that many people.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from kampung import create_app
from kampung.extensions import db


def _csv(count: int) -> bytes:
    lines = ["full_name;phone;kecamatan;kelurahan;rt;rw"]
    for i in range(count):
        lines.append(
            f"Peserta {i};0812{i + 10000000:08d};Telanaipura;Pematang Sulur;{i % 40 + 1};2"
        )
    return "\n".join(lines).encode("cp1252")


def run(count: int, folder: Path) -> None:
    from flask_migrate import upgrade

    from kampung.auth import sessions
    from kampung.cli import create_user
    from kampung.demo import create_demo_trip
    from kampung.manage import import_file, importer

    url = f"sqlite:///{folder / f'bench-{count}.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        admin = create_user("admin", "admin", "kata-sandi-bench-1", "Admin")
        trip = create_demo_trip(participants=0)
        trip.capacity = count
        db.session.commit()
        with app.test_request_context():
            started = time.perf_counter()
            table = import_file.read_table("peserta.csv", _csv(count))
            rows = importer.check_rows(trip, table)
            checked = time.perf_counter() - started
            assert all(row.ok for row in rows)
            started = time.perf_counter()
            saved = importer.save_rows(trip, table)
            stored = time.perf_counter() - started
        client = app.test_client()
        signed_in = sessions.start(admin.id)
        with client.session_transaction() as session:
            session["_user_id"] = signed_in.token
            session["_fresh"] = True
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        started = time.perf_counter()
        response = client.get(f"/manage/{trip.slug}/participants")
        shown = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code == 200, response.status_code
        print(
            f"{count:>6} rows: preview {checked * 1000:7.0f} ms, save {stored * 1000:7.0f} ms "
            f"({len(saved)} saved); roster page {shown * 1000:5.0f} ms, "
            f"{len(statements)} SQL queries"
        )
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for count in (67, 500, 1000):
            run(count, Path(folder))


if __name__ == "__main__":
    main()
