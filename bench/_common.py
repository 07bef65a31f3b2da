"""What the benchmarks share: throw-away databases, bulk seeding, gunicorn, wrk, timing, the table.

Every figure a benchmark wants in the final summary goes through `record()`; `python -m bench`
prints them all as one table at the end.
"""

from __future__ import annotations

import contextlib
import os
import re
import runpy
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import astuple, dataclass, field
from pathlib import Path

import sqlalchemy as sa

from tests.server import Gunicorn

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-123"
#: concurrent clients of every load run: the 8 scanners of PRODUCT.md's check-in bar
CONNECTIONS = 8
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))


@dataclass
class Row:
    figure: str
    value: str
    target: str = ""
    verdict: str = ""


RESULTS: list[Row] = []
#: the highest VmHWM (peak RSS, KiB) of any app worker seen after a load run, and where
PEAK_RSS: dict[str, int] = {}


def record(figure: str, value: str, target: str = "", met: bool | None = None, note: str = ""):
    verdict = note + ("" if met is None else (" " if note else "") + ("met" if met else "MISSED"))
    RESULTS.append(Row(figure, value, target, verdict.strip()))


def print_table() -> None:
    if PEAK_RSS:
        where = max(PEAK_RSS, key=PEAK_RSS.get)
        record("peak RSS of a gunicorn worker", f"{PEAK_RSS[where] / 1024:.0f} MB", note=where)
    # Other work on the machine shows in every latency tail: say how busy it was.
    cores, load = os.cpu_count(), os.getloadavg()
    record(f"load average 1/5/15 min ({cores} cores)", " / ".join(f"{x:.1f}" for x in load))
    if not RESULTS:
        return
    rows = [("figure", "value", "target", "ratio / verdict"), *map(astuple, RESULTS)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    print(f"\n{line}")
    for i, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            print(line)
    print(line)


def kinds() -> list[str]:
    """SQLite always; PostgreSQL too when DATABASE_URL names a server."""
    url = os.environ.get("DATABASE_URL", "")
    return ["sqlite", "postgres"] if url.startswith("postgresql") else ["sqlite"]


def analysed(url: str) -> None:
    """On PostgreSQL, what autovacuum does after thousands of inserts: fresh statistics.
    This machine's server runs with autovacuum off, and a planner that still believes a bulk-
    filled table empty picks plans no server as shipped (autovacuum on, analysing a table
    after 50 + 10 % of its rows change) keeps for more than a minute: the /c/<code> card read
    walking a checkpoint's every check-in, the roll-call's fragments taking seconds at 10,000
    registrations (docs/PERFORMANCE.md). SQLite: nothing to do."""
    if not url.startswith("postgresql"):
        return
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


@contextlib.contextmanager
def database(kind: str = "sqlite") -> Iterator[str]:
    """The URL of a fresh, empty database: a SQLite file in a temporary folder, or a new
    database on DATABASE_URL's PostgreSQL server, dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kampung-bench-") as folder:
            yield f"sqlite:///{folder}/kampung.db"
        return
    server = sa.make_url(os.environ["DATABASE_URL"])
    if server.drivername == "postgresql":  # as kampung/config.py reads it: psycopg 3
        server = server.set(drivername="postgresql+psycopg")
    name = f"kampung_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(url: str, **config):
    from kampung import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench"} | config
    )


@dataclass
class Seeded:
    slug: str
    checkpoint: int
    codes: list[str] = field(repr=False)


def seed(url: str, people: int, capacity: int = 0, anonymous: bool = False) -> Seeded:
    """Migrate, then the demo trip with `people` seated registrations who all answered its
    survey (bulk inserts, kampung.feedback.seed), and an admin, an organiser and a chair."""
    from flask_migrate import upgrade

    from kampung.cli import create_user
    from kampung.demo import create_demo_trip
    from kampung.extensions import db
    from kampung.feedback import service
    from kampung.feedback.seed import seed_responses
    from kampung.signup.models import Registration

    app = make_app(url)
    with app.app_context():
        upgrade()
        trip = create_demo_trip(participants=0)
        trip.capacity = max(capacity, people, trip.capacity)
        for bus in trip.buses:
            bus.seats = max(bus.seats, trip.capacity)
        survey = service.survey_of(trip)
        survey.is_open = True
        survey.anonymous = anonymous
        db.session.commit()
        seed_responses(survey, people)
        for role in ("admin", "organiser", "chair"):
            create_user(role, role, PASSWORD)
        seeded = Seeded(
            trip.slug,
            trip.checkpoints[0].id,
            list(db.session.scalars(sa.select(Registration.checkin_code))),
        )
        db.engine.dispose()
    return seeded


@contextlib.contextmanager
def counting(engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def median_ms(client, engine, url: str, runs: int) -> tuple[float, int]:
    """The median time of `runs` renders after a warm-up, and the SQL query count of one."""
    with counting(engine) as statements:
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return statistics.median(times), len(statements)


def shipped_workers() -> int:
    """The worker count gunicorn.conf.py gives this machine (WEB_CONCURRENCY overrides it)."""
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]


def serve(url: str, target: str = "app:app", workers: int = 0) -> Gunicorn:
    """gunicorn with gunicorn.conf.py, as in production (or `workers` of them), but with rate
    limits off: one client machine sending thousands of sign-ups would otherwise be refused
    after a few; and with no worker replaced during the run (MAX_REQUESTS=0): a load run sends
    each worker its 10,000 requests in seconds, and a kampung worker's boot (about 1.7 s of CPU,
    the bare app's next to none) would be measured instead of the requests. In production a
    replacement comes after 10,000 requests: 0.17 ms each."""
    return Gunicorn(
        url,
        workers=workers or shipped_workers(),
        app=target,
        RATELIMIT_ENABLED="0",
        MAX_REQUESTS="0",
        SECRET_KEY="bench-secret",
        BARE_DATABASE_URL=url,
    )


def note_peak_rss(server: Gunicorn, where: str) -> None:
    """Peak resident memory (VmHWM) of each worker of a running gunicorn, kept at its highest."""
    pid = server.process.pid
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        kib = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
        if kib > max(PEAK_RSS.values(), default=0):
            PEAK_RSS.clear()
            PEAK_RSS[where] = kib


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_now(server: Gunicorn) -> dict[str, float]:
    """CPU seconds used so far (user and system): by the server's workers, by PostgreSQL's
    processes, and by the whole machine. Differences over a load run, divided by its requests,
    tell where each request's time goes."""

    def used(pid: str) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            return 0.0
        return (int(fields[11]) + int(fields[12])) / _TICKS

    parent = server.process.pid
    workers = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    postgres = [p for p in os.listdir("/proc") if p.isdigit() and _is_postgres(p)]
    busy = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    idle = int(busy[3]) + int(busy[4])  # idle and iowait
    return {
        "workers": sum(map(used, workers)),
        "postgres": sum(map(used, postgres)),
        "machine": (sum(map(int, busy)) - idle) / _TICKS,
    }


def _is_postgres(pid: str) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"
    except OSError:
        return False


def cpu_per_request(before: dict[str, float], after: dict[str, float], requests: int) -> dict:
    """Microseconds of CPU per request, by part, between two cpu_now() readings."""
    return {part: (after[part] - before[part]) / requests * 1e6 for part in before}


def wrk(url: str, lua: str, headers: dict[str, str] | None = None, seconds: int = 0) -> dict:
    """wrk with CONNECTIONS keep-alive connections for `seconds` (SECONDS unless given),
    requests made by a Lua script."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(lua)
        script.flush()
        command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds or SECONDS}s", "--latency", "-s"]
        command.append(script.name)
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if os.environ.get("BENCH_DEBUG"):
        print(out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


#: Lua helpers for wrk: `id` is set per thread by setup(), so generated values never collide.
LUA_THREADS = """
local threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local counter = 0
init = function(args)
  counter = id * 1000003
end
"""
#: BENCH_DEBUG=1 prints every answer that is not a success, to see what went wrong
LUA_DEBUG = """
response = function(status, headers, body)
  if status >= 400 then io.write(status .. " " .. body:sub(1, 300) .. "\\n") end
end
"""


def lua(body: str) -> str:
    return LUA_THREADS + body + (LUA_DEBUG if os.environ.get("BENCH_DEBUG") else "")
