"""Check-in under load: scans/s, p50 and p99 with 8 concurrent scanners, against a bare route.

The app and bench/bare_app.py (one INSERT, nothing else) run side by side under gunicorn with
gunicorn.conf.py on the same fresh database: SQLite, and PostgreSQL when DATABASE_URL is given.
wrk keeps 8 connections busy as a logged-in organiser, cycling through the seeded check-in codes
with a fresh nonce each time, as phones at the bus door would: the first pass checks everyone in
(green), later ones are amber. Two paths are measured: the scanner's `POST /api/checkins` (one
scan per request) and the form any phone camera opens, `POST /c/<code>` (a whole HTML page back).

After a few seconds of each to warm up (workers, connections, prepared statements), the bare
route and the two scan paths take turns, ROUNDS times, each round of scans at a checkpoint of
its own so that every round has the same mix. Targets, on each path: the median ratio of the
rounds >= 0.6, no round under 0.5, p99 < 50 ms in every round. Flat out, 8 clients queue behind
each other, so a last run has each scanner pause 100 ms between scans: latency without the queue.
Then the scans again with other worker counts, to tell which serves best on this machine; and
the workers' memory after the load, apart from the peak the login's password hash leaves.
"""

from __future__ import annotations

import http.cookiejar
import re
import statistics
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path as FilePath

import sqlalchemy as sa

from bench._common import (
    PASSWORD,
    analysed,
    cpu_now,
    cpu_per_request,
    database,
    kinds,
    lua,
    note_peak_rss,
    record,
    seed,
    serve,
    shipped_workers,
    wrk,
)
from bench.bare_app import metadata
from tests.server import csrf_from

PEOPLE = 2000
ROUNDS = 5
WARM_UP_SECONDS = 3
#: the bars of every scan path (PRODUCT.md, and issue 13's "safely met")
MEDIAN_RATIO, LOWEST_RATIO, P99_MS = 0.6, 0.5, 50.0
#: worker counts tried against the shipped one (gunicorn.conf.py)
WORKER_COUNTS = (2, 4)

SCAN = """
local codes = {%(codes)s}
request = function()
  counter = counter + 1
  -- each thread starts at its own half of the list: first scans, as at a bus door
  local code = codes[((counter - id * 1000003 + id * 1000) %% #codes) + 1]
  local body = '[{"code":"' .. code .. '","checkpoint":%(checkpoint)d,'
    .. '"nonce":"wrk-%(run)s-' .. id .. '-' .. counter .. '","device":"wrk"}]'
  return wrk.format("POST", "/api/checkins", nil, body)
end
"""
#: the phone camera's path: the /c/<code> page's check-in button, a form POST
FORM = """
local codes = {%(codes)s}
request = function()
  counter = counter + 1
  local code = codes[((counter - id * 1000003 + id * 1000) %% #codes) + 1]
  return wrk.format("POST", "/c/" .. code, nil, "checkpoint=%(checkpoint)d")
end
"""
#: scanners with a pause between scans: 8 x 10 scans/s, some 20 times a real bus door's pace
PACED = """
delay = function()
  return 100
end
"""
WRITE = """
request = function()
  return wrk.format("POST", "/write")
end
"""


#: one browser for the login and every scan: Flask-Login ties the session to the User-Agent
#: (session protection) and marks it not fresh, re-sending the cookie, when that changes
USER_AGENT = "kampung-bench (organiser's phone)"


def _log_in(base: str) -> dict[str, str]:
    """The headers of a logged-in organiser's scanner page: session cookie and CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    token = csrf_from(opener.open(f"{base}/login").read().decode())
    form = f"csrf_token={token}&username=organiser&password={PASSWORD}".encode()
    opener.open(f"{base}/login", form).read()
    page = opener.open(f"{base}/manage/").read().decode()
    return {
        "Cookie": "; ".join(f"{c.name}={c.value}" for c in jar),
        "X-CSRFToken": re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def _outcomes(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT outcome, count(*) FROM scan_log GROUP BY outcome"))
        result = dict(rows.all())
    engine.dispose()
    return result


def _checkpoints(url: str, slug: str, count: int) -> list[int]:
    """`count` checkpoints of the seeded trip, added after its own, one per round of scans."""
    from kampung.models import Checkpoint, Trip

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        trip_id = conn.execute(sa.select(Trip.id).where(Trip.slug == slug)).scalar_one()
        ids = [
            conn.execute(
                sa.insert(Checkpoint)
                .values(trip_id=trip_id, name=f"Bench {i + 1}", position=100 + i)
                .returning(Checkpoint.id)
            ).scalar_one()
            for i in range(count)
        ]
    engine.dispose()
    return ids


def _measured(server, url: str, script: str, headers: dict | None = None) -> dict:
    """A wrk run, with the CPU each request cost the server's workers, PostgreSQL and the
    whole machine (wrk included)."""
    before = cpu_now(server)
    result = wrk(url, script, headers)
    result["cpu"] = cpu_per_request(before, cpu_now(server), result["requests"])
    return result


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _cpu(runs: list[dict], kind: str) -> str:
    """The median CPU per request by part, e.g. "app 1.02, PostgreSQL 0.21, machine 1.37 ms"."""
    parts = {"workers": "app", "postgres": "PostgreSQL", "machine": "machine"}
    if kind != "postgres":
        del parts["postgres"]
    medians = {p: statistics.median(r["cpu"][p] for r in runs) for p in parts}
    return ", ".join(f"{name} {medians[p] / 1000:.2f}" for p, name in parts.items()) + " ms"


@dataclass
class Path:
    """A way to send a scan, and its runs."""

    name: str
    url: str
    script: str
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    runs: list[dict] = field(default_factory=list)


def _worker_memory(server) -> tuple[float, float]:
    """(largest current RSS, largest peak RSS) of the server's workers, in MB. The peak holds
    the login's password hash (scrypt asks for 32 MB at once), the current size what serving
    scans keeps."""
    pid = server.process.pid
    current, peak = [], []
    for child in FilePath(f"/proc/{pid}/task/{pid}/children").read_text().split():
        status = FilePath(f"/proc/{child}/status").read_text()
        current.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)))
        peak.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)))
    return max(current) / 1024, max(peak) / 1024


def _print_run(kind: str, name: str, r: dict) -> None:
    print(
        f"{kind:<8} {name:<22}: {r['rps']:7.0f} /s  p50 {r['p50']:6.2f} ms  "
        f"p99 {r['p99']:7.2f} ms  ({r['requests']} requests, {r['errors']} errors)"
    )


def _record_path(kind: str, path: Path, bare_runs: list[dict]) -> None:
    ratios = [s["rps"] / b["rps"] for b, s in zip(bare_runs, path.runs, strict=True)]
    ratio = statistics.median(ratios)
    errors = sum(r["errors"] for r in path.runs)
    p99s = [r["p99"] for r in path.runs]
    record(
        f"{path.name} scans/s, 8 scanners ({kind})",
        f"{_median(path.runs, 'rps'):.0f}/s (bare write {_median(bare_runs, 'rps'):.0f}/s), "
        f"median of {ROUNDS}",
        f"ratio >= {MEDIAN_RATIO}, each >= {LOWEST_RATIO}",
        ratio >= MEDIAN_RATIO and min(ratios) >= LOWEST_RATIO and not errors,
        f"{ratio:.2f} (rounds {', '.join(f'{r:.2f}' for r in ratios)})"
        + (f", {errors} errors" if errors else ""),
    )
    record(
        f"{path.name} p99 per round ({kind})",
        " / ".join(f"{p:.1f}" for p in p99s) + " ms",
        f"each < {P99_MS:.0f} ms",
        max(p99s) < P99_MS,
    )
    record(f"CPU per {path.name} scan ({kind})", _cpu(path.runs, kind))


def run(kind: str) -> None:
    with database(kind) as url:
        seeded = seed(url, PEOPLE)
        # a checkpoint per run: a round per path, two warm-ups, the paced run, and a warm-up
        # and a run per worker count tried
        spare = iter(_checkpoints(url, seeded.slug, 2 * ROUNDS + 3 + 2 * len(WORKER_COUNTS)))
        engine = sa.create_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        codes = ",".join(f'"{c}"' for c in seeded.codes)

        def script(template: str, run: str, extra: str = "") -> str:
            return lua(template % {"codes": codes, "checkpoint": next(spare), "run": run} + extra)

        paths = [
            Path("/api/checkins", "/api/checkins", SCAN, "application/json"),
            Path("/c/<code> form", "/", FORM, "application/x-www-form-urlencoded"),
        ]
        bare_runs: list[dict] = []
        with serve(url, "bench.bare_app:app") as bare, serve(url) as server:
            headers = _log_in(server.url)
            wrk(f"{bare.url}/write", lua(WRITE), seconds=WARM_UP_SECONDS)
            for path in paths:
                path.headers = headers | {"Content-Type": path.content_type}
                warm = script(path.script, f"warm-{path.content_type}")
                wrk(server.url + path.url, warm, path.headers, seconds=WARM_UP_SECONDS)
            for i in range(ROUNDS):
                analysed(url)
                bare_runs.append(_measured(bare, f"{bare.url}/write", lua(WRITE)))
                for path in paths:
                    run_script = script(path.script, f"r{i}-{path.content_type}")
                    path.runs.append(
                        _measured(server, server.url + path.url, run_script, path.headers)
                    )
            paced = wrk(
                f"{server.url}/api/checkins", script(SCAN, "paced", PACED), paths[0].headers
            )
            memory_now, memory_peak = _worker_memory(server)
            note_peak_rss(server, f"check-in load, {kind}")
        by_workers = {}
        for count in WORKER_COUNTS:
            analysed(url)
            with serve(url, workers=count) as server:
                headers = _log_in(server.url) | {"Content-Type": "application/json"}
                api = f"{server.url}/api/checkins"
                wrk(api, script(SCAN, f"w{count}-warm"), headers, seconds=WARM_UP_SECONDS)
                by_workers[count] = _measured(server, api, script(SCAN, f"w{count}"), headers)
        outcomes = _outcomes(url)
    for i, base in enumerate(bare_runs):
        _print_run(kind, f"bare write, {i + 1}", base)
        for path in paths:
            scans = path.runs[i]
            _print_run(kind, f"{path.name}, {i + 1}", scans)
            print(
                f"{kind:<8} ratio {path.name}, {i + 1}: {scans['rps'] / base['rps']:.2f}; CPU per "
                f"request, bare write {_cpu([base], kind)}, scan {_cpu([scans], kind)}"
            )
    _print_run(kind, "paced scans", paced)
    print(f"{kind:<8} scan outcomes   : {outcomes}")
    for path in paths:
        _record_path(kind, path, bare_runs)
    record(f"CPU per bare write ({kind})", _cpu(bare_runs, kind))
    record(
        f"check-in p50 / p99, 8 x 10 scans/s ({kind})",
        f"{paced['p50']:.1f} / {paced['p99']:.1f} ms ({paced['rps']:.0f} scans/s)",
        "p99 < 50 ms",
        paced["p99"] < 50 and not paced["errors"],
    )
    record(
        f"worker memory after the scans ({kind})",
        f"{memory_now:.0f} MB (peak {memory_peak:.0f} MB, the login's password hash)",
    )
    shipped = shipped_workers()
    best = max(by_workers, key=lambda n: by_workers[n]["rps"])
    record(
        f"scans/s by worker count ({kind})",
        ", ".join(f"{n}: {r['rps']:.0f}/s, CPU {_cpu([r], kind)}" for n, r in by_workers.items()),
        f"shipped: {shipped}",
        note=f"best {best}",
    )


def main() -> None:
    for kind in kinds():
        run(kind)


if __name__ == "__main__":
    main()
