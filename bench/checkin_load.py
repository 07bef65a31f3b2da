"""Check-in under load: scans/s, p50 and p99 with 8 concurrent scanners, against a bare route.

Both apps run under gunicorn with gunicorn.conf.py on a fresh SQLite database in a temporary
folder; 8 keep-alive connections (wrk, or Python processes when wrk is missing) post one scan
per request to /api/checkins, cycling through the seeded check-in codes with a fresh nonce each
time, as phones at the bus door would. Targets: ratio >= 0.5, p99 < 50 ms.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
CONNECTIONS = 8
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "2000"))
PASSWORD = "bench-password-123"
#: where gunicorn and the app write their errors, to look at when a run reports errors
ERROR_LOG = os.environ.get("BENCH_ERROR_LOG", "/dev/null")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(env: dict) -> list[str]:
    """Migrate, create the demo trip with PEOPLE seated registrations and an organiser."""
    code = f"""
import json, sys
from flask_migrate import upgrade
from kampung import create_app
from kampung.cli import create_user
from kampung.demo import create_demo_trip
from kampung.extensions import db
from kampung.models import Registration
app = create_app()
with app.app_context():
    upgrade()
    trip = create_demo_trip(participants=0)
    trip.capacity = {PEOPLE}
    buses = trip.buses
    db.session.add_all(
        Registration(trip=trip, full_name=f"Peserta {{i}}", phone=f"+62813{{i + 30000000:08d}}",
                     kecamatan="Telanaipura", kelurahan="Pematang Sulur", rt=1 + i % 40,
                     rw=1 + i % 12, bus=buses[i % 2], status="registered")
        for i in range({PEOPLE})
    )
    db.session.commit()
    create_user("scanner", "organiser", "{PASSWORD}", "Rina")
    codes = [r.checkin_code for r in db.session.scalars(db.select(Registration))]
    json.dump({{"codes": codes, "checkpoint": trip.checkpoints[0].id}}, sys.stdout)
"""
    out = subprocess.run(
        [PYTHON, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _serve(target: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            *(GUNICORN, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"),
            *("--access-logfile", "/dev/null", "--error-logfile", ERROR_LOG, target),
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{target} did not start")


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(20)


def _log_in(port: int) -> tuple[str, str]:
    """A logged-in organiser's session cookie and CSRF token, as a phone's scanner page has."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    body = f"csrf_token={token.group(1)}&username=scanner&password={PASSWORD}"
    conn.request(
        "POST",
        "/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    conn.request("GET", "/manage/", headers={"Cookie": cookie})
    page = conn.getresponse().read().decode()
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    return cookie, csrf


LUA = """
local codes = {%(codes)s}
local counter = 0
local threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end
-- `id` is the global each thread gets from setup(), so nonces never collide across threads.
init = function(args)
  counter = id * 1000003
end
request = function()
  counter = counter + 1
  local code = codes[(counter %% #codes) + 1]
  local body = '[{"code":"' .. code .. '","checkpoint":%(checkpoint)d,'
    .. '"nonce":"wrk-scan-' .. id .. '-' .. counter .. '","device":"wrk"}]'
  return wrk.format("POST", "/api/checkins", nil, body)
end
"""
#: BENCH_DEBUG=1 prints every answer that is not a 200, to see what went wrong
LUA_DEBUG = """
response = function(status, headers, body)
  if status ~= 200 then io.write(status .. " " .. body .. "\\n") end
end
"""


def _wrk(port: int, path: str, headers: dict, lua: str | None, workdir: Path) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if lua:
        script = workdir / "scan.lua"
        script.write_text(lua)
        command += ["-s", str(script)]
    else:
        command += ["-s", str(workdir / "post.lua")]
        (workdir / "post.lua").write_text('wrk.method = "POST"\n')
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    if os.environ.get("BENCH_DEBUG"):
        print(out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "errors": int(m.group(1))
        if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out))
        else 0,
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _python_load(port: int, path: str, headers: dict, bodies) -> dict:
    """Fallback without wrk: CONNECTIONS processes, each a keep-alive client."""
    import multiprocessing

    with multiprocessing.Pool(CONNECTIONS) as pool:
        parts = pool.starmap(
            _client, [(port, path, headers, bodies(i)) for i in range(CONNECTIONS)]
        )
    latencies = sorted(x for part in parts for x in part[0])
    errors = sum(part[1] for part in parts)
    return {
        "rps": len(latencies) / DURATION,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": errors,
        "requests": len(latencies),
    }


def _client(port, path, headers, bodies):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    latencies, errors, end = [], 0, time.monotonic() + DURATION
    for body in bodies:
        if time.monotonic() > end:
            break
        start = time.perf_counter()
        conn.request("POST", path, body, {"Content-Type": "application/json", **headers})
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        errors += response.status != 200
    return latencies, errors


def _scan_bodies(codes, checkpoint):
    def bodies(worker: int):
        i = 0
        while True:
            i += 1
            code = codes[(worker * 7919 + i) % len(codes)]
            yield json.dumps(
                [
                    {
                        "code": code,
                        "checkpoint": checkpoint,
                        "nonce": f"py-{worker}-{i}",
                        "device": "py",
                    }
                ]
            )

    return bodies


def _outcomes(db_url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT outcome, count(*) FROM scan_log GROUP BY outcome"))
        result = dict(rows.all())
        result["active check-ins"] = conn.scalar(
            sa.text("SELECT count(*) FROM check_in WHERE undone_at IS NULL")
        )
    engine.dispose()
    return result


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="kampung-bench-"))
    use_wrk = shutil.which("wrk") is not None
    try:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=f"sqlite:///{workdir / 'kampung.db'}",
            BARE_DATABASE_URL=f"sqlite:///{workdir / 'bare.db'}",
            SECRET_KEY="bench-secret",
            RATELIMIT_ENABLED="0",
            PYTHONPATH=str(ROOT),
        )
        env.pop("PUBLIC_URL", None)
        seeded = _seed(env)
        codes, checkpoint = seeded["codes"], seeded["checkpoint"]
        subprocess.run(
            [
                PYTHON,
                "-c",
                "from bench.bare_app import engine, metadata; metadata.create_all(engine)",
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        workers = os.environ.get("WEB_CONCURRENCY") or "2 x cores (gunicorn.conf.py)"
        print(
            f"{len(codes)} registrations, {CONNECTIONS} scanners, {DURATION} s each, "
            f"gunicorn sync workers: {workers}, driver: {'wrk' if use_wrk else 'python'}"
        )

        port = _free_port()
        bare = _serve("bench.bare_app:app", port, env)
        try:
            if use_wrk:
                base = _wrk(port, "/write", {}, None, workdir)
            else:
                base = _python_load(port, "/write", {}, lambda i: iter(lambda: "", None))
        finally:
            _stop(bare)

        port = _free_port()
        server = _serve("app:app", port, env)
        try:
            cookie, csrf = _log_in(port)
            headers = {"Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": "application/json"}
            if use_wrk:
                lua = LUA % {"codes": ",".join(f'"{c}"' for c in codes), "checkpoint": checkpoint}
                lua += LUA_DEBUG if os.environ.get("BENCH_DEBUG") else ""
                scans = _wrk(port, "/api/checkins", headers, lua, workdir)
            else:
                scans = _python_load(
                    port, "/api/checkins", headers, _scan_bodies(codes, checkpoint)
                )
        finally:
            _stop(server)

        print(
            f"bare write route : {base['rps']:8.0f} req/s  p50 {base['p50']:6.2f} ms  "
            f"p99 {base['p99']:6.2f} ms  ({base['requests']} requests, {base['errors']} errors)"
        )
        print(
            f"check-in scans   : {scans['rps']:8.0f} scans/s p50 {scans['p50']:6.2f} ms  "
            f"p99 {scans['p99']:6.2f} ms  ({scans['requests']} requests, {scans['errors']} errors)"
        )
        ratio = scans["rps"] / base["rps"]
        print(
            f"ratio            : {ratio:.2f} (target >= 0.5)  "
            f"p99 {'<' if scans['p99'] < 50 else '>='} 50 ms (target < 50 ms)"
        )
        print(f"outcomes         : {_outcomes(env['DATABASE_URL'])}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
