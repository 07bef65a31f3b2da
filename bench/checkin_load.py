"""Check-in under load: scans/s, p50 and p99 with 8 concurrent scanners, against a bare route.

The app and bench/bare_app.py (one INSERT, nothing else) run side by side under gunicorn with
gunicorn.conf.py on the same fresh database: SQLite, and PostgreSQL when DATABASE_URL is given.
wrk keeps 8 connections busy, each posting one scan per request to /api/checkins as a logged-in
organiser, cycling through the seeded check-in codes with a fresh nonce each time, as phones at
the bus door would: the first pass checks everyone in (green), later ones are amber.

After a few seconds of each to warm up (workers, connections, prepared statements), the bare
route and the scans take turns, ROUNDS times, each round of scans at a checkpoint of its own so
that every round has the same mix; the figures are the medians of the rounds, so a burst of
other work on the machine cannot favour one side. Targets: ratio >= 0.5, p99 < 50 ms.
Flat out, 8 clients queue behind each other, so a last run has each scanner pause 100 ms
between scans: latency without the queue.
"""

from __future__ import annotations

import http.cookiejar
import re
import statistics
import urllib.request

import sqlalchemy as sa

from bench._common import (
    PASSWORD,
    cpu_now,
    cpu_per_request,
    database,
    kinds,
    lua,
    note_peak_rss,
    record,
    seed,
    serve,
    wrk,
)
from bench.bare_app import metadata
from tests.server import csrf_from

PEOPLE = 2000
ROUNDS = 3
WARM_UP_SECONDS = 3

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


def run(kind: str) -> None:
    with database(kind) as url:
        seeded = seed(url, PEOPLE)
        # one per round, one for the paced run, one to warm up on
        checkpoints = _checkpoints(url, seeded.slug, ROUNDS + 2)
        engine = sa.create_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        codes = ",".join(f'"{c}"' for c in seeded.codes)
        bare_runs, scan_runs = [], []
        with serve(url, "bench.bare_app:app") as bare, serve(url) as server:
            headers = _log_in(server.url)
            warm_up = SCAN % {"codes": codes, "checkpoint": checkpoints[-2], "run": "warm-up"}
            wrk(f"{bare.url}/write", lua(WRITE), seconds=WARM_UP_SECONDS)
            wrk(f"{server.url}/api/checkins", lua(warm_up), headers, seconds=WARM_UP_SECONDS)
            for i in range(ROUNDS):
                bare_runs.append(_measured(bare, f"{bare.url}/write", lua(WRITE)))
                script = SCAN % {"codes": codes, "checkpoint": checkpoints[i], "run": f"full{i}"}
                scan_runs.append(
                    _measured(server, f"{server.url}/api/checkins", lua(script), headers)
                )
            script = SCAN % {"codes": codes, "checkpoint": checkpoints[-1], "run": "paced"}
            paced = wrk(f"{server.url}/api/checkins", lua(script + PACED), headers)
            note_peak_rss(server, f"check-in load, {kind}")
        outcomes = _outcomes(url)
    for i, (base, scans) in enumerate(zip(bare_runs, scan_runs, strict=True)):
        for name, r in ((f"bare write, {i + 1}", base), (f"scans, round {i + 1}", scans)):
            print(
                f"{kind:<8} {name:<16}: {r['rps']:7.0f} /s  p50 {r['p50']:6.2f} ms  "
                f"p99 {r['p99']:7.2f} ms  ({r['requests']} requests, {r['errors']} errors)"
            )
        print(
            f"{kind:<8} ratio, round {i + 1} : {scans['rps'] / base['rps']:.2f}; CPU per request, "
            f"bare write {_cpu([base], kind)}, scan {_cpu([scans], kind)}"
        )
    print(
        f"{kind:<8} paced scans     : {paced['rps']:7.0f} /s  p50 {paced['p50']:6.2f} ms  "
        f"p99 {paced['p99']:7.2f} ms  ({paced['requests']} requests, {paced['errors']} errors)"
    )
    print(f"{kind:<8} scan outcomes   : {outcomes}")
    print(f"{kind:<8} CPU per request : bare write {_cpu(bare_runs, kind)}")
    print(f"{kind:<8}                   scan       {_cpu(scan_runs, kind)}")
    ratios = [s["rps"] / b["rps"] for b, s in zip(bare_runs, scan_runs, strict=True)]
    ratio = statistics.median(ratios)
    errors = sum(r["errors"] for r in scan_runs)
    scans_rps, bare_rps = _median(scan_runs, "rps"), _median(bare_runs, "rps")
    p50, p99 = _median(scan_runs, "p50"), _median(scan_runs, "p99")
    record(
        f"check-in scans/s, 8 scanners ({kind})",
        f"{scans_rps:.0f}/s (bare write {bare_rps:.0f}/s), median of {ROUNDS}",
        "ratio >= 0.5",
        ratio >= 0.5 and not errors,
        f"{ratio:.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
        + (f", {errors} errors" if errors else ""),
    )
    record(f"CPU per bare write ({kind})", _cpu(bare_runs, kind))
    record(f"CPU per scan ({kind})", _cpu(scan_runs, kind))
    record(
        f"check-in p50 / p99 ({kind})",
        f"{p50:.1f} / {p99:.1f} ms (bare p99 {_median(bare_runs, 'p99'):.1f})",
        "p99 < 50 ms",
        p99 < 50,
    )
    record(
        f"check-in p50 / p99, 8 x 10 scans/s ({kind})",
        f"{paced['p50']:.1f} / {paced['p99']:.1f} ms ({paced['rps']:.0f} scans/s)",
        "p99 < 50 ms",
        paced["p99"] < 50 and not paced["errors"],
    )


def main() -> None:
    for kind in kinds():
        run(kind)


if __name__ == "__main__":
    main()
