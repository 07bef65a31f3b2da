"""Check-in under load: scans/s, p50 and p99 with 8 concurrent scanners, against a bare route.

The app and bench/bare_app.py (one INSERT, nothing else) run in turn under gunicorn with
gunicorn.conf.py on the same fresh database: SQLite, and PostgreSQL when DATABASE_URL is given.
wrk keeps 8 connections busy, each posting one scan per request to /api/checkins as a logged-in
organiser, cycling through the seeded check-in codes with a fresh nonce each time, as phones at
the bus door would. Targets: ratio >= 0.5, p99 < 50 ms. Flat out, 8 clients queue behind each
other, so a second run has each scanner pause 100 ms between scans: latency without the queue.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.request

import sqlalchemy as sa

from bench._common import PASSWORD, database, kinds, lua, note_peak_rss, record, seed, serve, wrk
from bench.bare_app import metadata
from tests.server import csrf_from

PEOPLE = 2000

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


def run(kind: str) -> None:
    with database(kind) as url:
        seeded = seed(url, PEOPLE)
        engine = sa.create_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        with serve(url, "bench.bare_app:app") as bare:
            base = wrk(f"{bare.url}/write", lua(WRITE))
        with serve(url) as server:
            codes = ",".join(f'"{c}"' for c in seeded.codes)
            headers = _log_in(server.url)
            runs = {}
            for run, pause in (("full", ""), ("paced", PACED)):
                script = SCAN % {"codes": codes, "checkpoint": seeded.checkpoint, "run": run}
                runs[run] = wrk(f"{server.url}/api/checkins", lua(script + pause), headers)
            scans, paced = runs["full"], runs["paced"]
            note_peak_rss(server, f"check-in load, {kind}")
        outcomes = _outcomes(url)
    for name, r in (("bare write route", base), ("check-in scans", scans), ("paced scans", paced)):
        print(
            f"{kind:<8} {name:<16}: {r['rps']:7.0f} /s  p50 {r['p50']:6.2f} ms  "
            f"p99 {r['p99']:7.2f} ms  ({r['requests']} requests, {r['errors']} errors)"
        )
    print(f"{kind:<8} scan outcomes   : {outcomes}")
    ratio = scans["rps"] / base["rps"]
    record(
        f"check-in scans/s, 8 scanners ({kind})",
        f"{scans['rps']:.0f}/s (bare write {base['rps']:.0f}/s)",
        "ratio >= 0.5",
        ratio >= 0.5 and not scans["errors"],
        f"{ratio:.2f}" + (f", {scans['errors']} errors" if scans["errors"] else ""),
    )
    record(
        f"check-in p50 / p99 ({kind})",
        f"{scans['p50']:.1f} / {scans['p99']:.1f} ms (bare p99 {base['p99']:.1f})",
        "p99 < 50 ms",
        scans["p99"] < 50,
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
