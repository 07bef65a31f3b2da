"""Sign-ups per second: the real form POST under gunicorn, 8 clients at once, rate limit off.

Each wrk connection posts the sign-up form (with the session's CSRF token, a new name and a
new phone number every time) to /e/<slug>, as many phones sending the form at the same moment
would; a sign-up counts when it is answered 303 (to the personal page). The server runs with
RATELIMIT_ENABLED=0: from one address, the limit would refuse nearly all of them.
"""

from __future__ import annotations

import http.cookiejar
import urllib.request

from bench._common import database, kinds, lua, note_peak_rss, record, seed, serve, wrk
from tests.server import csrf_from

FORM = """
request = function()
  counter = counter + 1
  local body = "csrf_token=%(token)s&full_name=Peserta+" .. counter
    .. "&phone=" .. string.format("0812%%08d", counter)
    .. "&kecamatan=Jelutung&kelurahan=Payo+Lebar&rt=5&rw=12&role=Ketua+RT&gender=P"
    .. "&emergency_name=&emergency_phone=&notes=&consent=y"
  return wrk.format("POST", "%(path)s", nil, body)
end
"""


def run(kind: str) -> None:
    with database(kind) as url:
        seeded = seed(url, 67, capacity=1_000_000)
        with serve(url) as server:
            path = f"/e/{seeded.slug}"
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            token = csrf_from(opener.open(f"{server.url}{path}").read().decode())
            headers = {
                "Cookie": "; ".join(f"{c.name}={c.value}" for c in jar),
                "Content-Type": "application/x-www-form-urlencoded",
            }
            script = lua(FORM % {"token": token, "path": path})
            result = wrk(f"{server.url}{path}", script, headers)
            note_peak_rss(server, f"sign-up load, {kind}")
    print(
        f"{kind:<8} sign-ups: {result['rps']:6.0f} /s  p50 {result['p50']:6.2f} ms  "
        f"p99 {result['p99']:7.2f} ms  ({result['requests']} requests, {result['errors']} errors)"
    )
    record(
        f"sign-ups/s, form POST, 8 clients ({kind})",
        f"{result['rps']:.0f}/s (p99 {result['p99']:.0f} ms)",
        note="rate limit off" + (f", {result['errors']} errors" if result["errors"] else ""),
    )


def main() -> None:
    for kind in kinds():
        run(kind)


if __name__ == "__main__":
    main()
