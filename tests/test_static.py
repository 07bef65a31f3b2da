"""What a phone on 3G downloads: pages, fragments and JSON compressed when the phone takes it;
static files precompressed under content-hashed names, cached for good, their plain names still
answering; the sign-up page within its 35 KB."""

from __future__ import annotations

import gzip
import html
import json
import re
import urllib.request
from urllib.parse import urljoin

import brotli
import pytest
from flask import url_for

from kampung import assets, security
from kampung.compression import Compress
from kampung.demo import create_demo_trip
from tests.conftest import ROOT, log_in
from tests.server import Gunicorn

PAGE = "/e/studi-banding-bengkulu"
YEAR = 365 * 24 * 3600
#: what the sign-up page loads besides itself (the icon too, but it is not CSS or JS)
SIGNUP_FILES = ("css/app.css", "vendor/htmx/htmx.min.js")


def _get(url: str, encoding: str = "gzip, br"):
    """(status, headers, body as sent): urllib does not decode, so the body is what came."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


def _decoded(headers, body: bytes) -> bytes:
    encoding = headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    return body


def _hashed_url(name: str) -> str:
    return "/static/" + assets.hashed_name(name, (ROOT / "static" / name).read_bytes())


@pytest.mark.process
def test_signup_page_and_its_css_and_js_arrive_compressed_from_gunicorn(app, trip):
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"]) as server:
        status, headers, body = _get(server.url + PAGE)
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in headers["Vary"]
        assert headers["Content-Security-Policy"] == security.CSP
        assert headers["Cache-Control"] == "no-store"
        html = gzip.decompress(body).decode()
        assert "Studi Banding" in html and len(body) < len(html.encode()) / 2

        for name in SIGNUP_FILES:
            url = _hashed_url(name)
            assert f'"{url}"' in html, name
            file = (ROOT / "static" / name).read_bytes()
            for asked, expected in (("gzip, br", "br"), ("gzip", "gzip")):
                status, headers, body = _get(server.url + url, asked)
                assert status == 200
                assert headers["Content-Encoding"] == expected, (name, asked)
                assert _decoded(headers, body) == file
                assert len(body) < len(file) / 2
                cache = headers["Cache-Control"]
                assert "immutable" in cache
                assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= YEAR
                assert headers["Vary"] == "Accept-Encoding"
                assert headers["X-Content-Type-Options"] == "nosniff"
                assert headers["Content-Security-Policy"] == security.CSP


@pytest.mark.process
def test_a_static_file_still_answers_at_its_plain_name_briefly_cached(app):
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=1) as server:
        status, headers, body = _get(server.url + "/static/css/app.css", "gzip")
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == (ROOT / "static/css/app.css").read_bytes()
        assert headers["Cache-Control"] == f"max-age={assets.PLAIN_MAX_AGE}, public"
        status, headers, body = _get(server.url + "/static/css/app.css", "identity")
        assert "Content-Encoding" not in headers
        assert body == (ROOT / "static/css/app.css").read_bytes()


def test_static_urls_carry_a_hash_of_the_file(app):
    with app.test_request_context():
        for name in (*SIGNUP_FILES, "js/checkin.js", "js/logout.js", "img/icon.svg"):
            assert url_for("static", filename=name) == _hashed_url(name)
        # qr-scanner imports its worker by this very name, and the scanner keeps it offline;
        # the scanner's modules import each other by name ("./roster.js") likewise.
        worker = "vendor/qr-scanner/qr-scanner-worker.min.js"
        assert url_for("static", filename=worker) == f"/static/{worker}"
        for module in ("js/scanner/main.js", "js/scanner/roster.js"):
            assert url_for("static", filename=module) == f"/static/{module}"


def test_scanner_page_loads_its_files_and_names_the_worker_as_qr_scanner_imports_it(
    client, trip, organiser
):
    log_in(client, organiser)
    page = client.get(f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}").get_data(
        as_text=True
    )
    qr_scanner = _hashed_url("vendor/qr-scanner/qr-scanner.min.js")
    assert f'data-qr-scanner="{qr_scanner}"' in page
    assert "/static/vendor/qr-scanner/qr-scanner-worker.min.js" in page
    # Imported from qr-scanner.min.<hash>.js as "./qr-scanner-worker.min.js".
    worker = client.get("/static/vendor/qr-scanner/qr-scanner-worker.min.js")
    assert worker.status_code == 200
    assert worker.data == (ROOT / "static/vendor/qr-scanner/qr-scanner-worker.min.js").read_bytes()
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert client.get(url).status_code == 200, url


#: the module a static `import … from "…"` (or `export … from "…"`) names
IMPORT = re.compile(r"""(?:^|[\s;}])(?:import|export)[^"';]*?from\s*["']([^"']+)["']""")


def test_the_scanner_keeps_every_file_it_loads_for_offline_use(client, trip, organiser):
    """The service worker keeps what data-assets lists: every file the page names, and every
    module the modules import, at the URL the browser will ask for (an import resolves
    against the importing module's URL)."""
    log_in(client, organiser)
    page = client.get(f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}").get_data(
        as_text=True
    )
    kept = set(json.loads(html.unescape(re.search(r'data-assets="([^"]+)"', page).group(1))))
    named = set(re.findall(r'(?:src|href|data-qr-scanner)="(/static/[^"]+)"', page))
    assert named and named <= kept, named - kept
    pending, seen = [u for u in named if u.endswith(".js")], set()
    while pending:
        url = pending.pop()
        seen.add(url)
        body = client.get(url).get_data(as_text=True)
        for target in re.findall(
            r"""(?:^|[\s;}])(?:import|export)[^"';]*?from\s*["']([^"']+)["']""", body
        ):
            imported = urljoin(url, target)
            assert imported in kept, f"{url} imports {target}: {imported} is not kept offline"
            if imported not in seen:
                pending.append(imported)
    modules = {p.name for p in (ROOT / "static/js/scanner").glob("*.js")}
    assert {u.rsplit("/", 1)[1] for u in seen if "/js/scanner/" in u} == modules
    assert f"/manage/{trip.slug}/checkin/offline" in kept


def test_a_changed_file_gets_a_new_url_and_the_old_one_still_answers(tmp_path):
    source, target = tmp_path / "static", tmp_path / "built"
    (source / "css").mkdir(parents=True)
    css = source / "css" / "app.css"
    css.write_text("body { color: black; }\n" * 100)
    old = assets.build(source, target)["css/app.css"]
    css.write_text("body { color: navy; }\n" * 100)
    new = assets.build(source, target)["css/app.css"]

    assert old != new
    assert assets.HASHED.search(old) and assets.HASHED.search(new)
    files = target / "files"
    assert (files / old).read_text().startswith("body { color: black; }")
    assert (files / new).read_text().startswith("body { color: navy; }")
    assert (files / "css/app.css").read_text() == css.read_text()
    assert gzip.decompress((files / (new + ".gz")).read_bytes()) == css.read_bytes()
    assert brotli.decompress((files / "css/app.css.br").read_bytes()) == css.read_bytes()

    css.unlink()
    assets.build(source, target)
    assert not (files / "css/app.css").exists() and (files / new).exists()


def test_pages_fragments_and_json_are_compressed_only_when_asked(client, organiser, app):
    trip = create_demo_trip(participants=67)
    log_in(client, organiser)
    checkpoint = f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}"
    asked = {"Accept-Encoding": "gzip, deflate, br"}
    for url, headers in (
        (PAGE, {}),
        (f"{checkpoint}/count", {"HX-Request": "true"}),  # an htmx fragment
        (f"{checkpoint}/roster.json", {}),
    ):
        plain = client.get(url, headers=headers)
        packed = client.get(url, headers=headers | asked)
        assert packed.status_code == plain.status_code == 200, url
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.vary
        assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
        assert packed.headers["Content-Security-Policy"] == security.CSP
        if url == PAGE:  # the one page whose content does not change between two requests
            assert gzip.decompress(packed.data) == plain.data
        else:
            assert len(gzip.decompress(packed.data)) > 1000
    refused = client.get(PAGE, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    tiny = client.get("/healthz", headers=asked)
    assert "Content-Encoding" not in tiny.headers and tiny.json["status"]


def test_the_scanners_service_worker_is_compressed_and_revalidates(client, trip):
    url = f"/manage/{trip.slug}/checkin/sw.js"
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Service-Worker-Allowed"] == f"/manage/{trip.slug}/checkin/"
    assert gzip.decompress(response.data) == (ROOT / "static/js/checkin-sw.js").read_bytes()
    etag = response.headers["ETag"]
    assert etag.startswith("W/")  # not the identity file's strong ETag
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and not again.data


def _wsgi_app(headers: list[tuple[str, str]], chunks: list[bytes], lazy: bool = False):
    """An app that answers as werkzeug does (the response started, then a body to iterate),
    or, when lazy, one that starts the response only once its body is iterated."""

    def app(environ, start_response):
        if not lazy:
            start_response("200 OK", headers)
            return iter(chunks)

        def body():
            start_response("200 OK", headers)
            yield from chunks

        return body()

    return app


def _call(app, encoding: str = "gzip"):
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    body = app({"REQUEST_METHOD": "GET", "HTTP_ACCEPT_ENCODING": encoding}, start_response)
    return answer, body


def test_streamed_answers_and_downloads_pass_unchanged():
    html = [b"<p>" + b"x" * 5000 + b"</p>"] * 3
    streamed = Compress(_wsgi_app([("Content-Type", "text/html")], html))
    answer, body = _call(streamed)
    assert "Content-Encoding" not in answer["headers"]
    assert next(iter(body)) == html[0]  # still a stream, read piece by piece
    length = str(sum(map(len, html)))
    download = Compress(
        _wsgi_app(
            [
                ("Content-Type", "text/html"),
                ("Content-Length", length),
                ("Content-Disposition", "attachment; filename=laporan.html"),
            ],
            html,
        )
    )
    answer, body = _call(download)
    assert "Content-Encoding" not in answer["headers"] and b"".join(body) == b"".join(html)
    sized = Compress(_wsgi_app([("Content-Type", "text/html"), ("Content-Length", length)], html))
    answer, body = _call(sized)
    assert answer["headers"]["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(body)) == b"".join(html)
    lazy = Compress(
        _wsgi_app([("Content-Type", "text/html"), ("Content-Length", length)], html, lazy=True)
    )
    answer, body = _call(lazy)
    assert b"".join(body) == b"".join(html)
    assert answer["status"] == "200 OK" and "Content-Encoding" not in answer["headers"]


@pytest.mark.process
def test_signup_page_weighs_within_its_budget_on_the_wire():
    from bench import signup_weight

    result = signup_weight.measure()
    fetched = result["fetched"]
    page = fetched[0]
    assert page.url == signup_weight.PAGE and page.encoding == "gzip"
    for f in fetched:
        assert f.wire > len(f.body)  # headers counted as well
        if f.url.endswith((".css", ".js")):
            assert f.encoding == "br" and len(f.body) < len(f.decoded()) / 2
    assert sum(f.wire for f in fetched) <= signup_weight.BUDGET_KB * 1024
    assert sum(f.wire for f in result["gzip_only"]) <= signup_weight.BUDGET_KB * 1024
    assert {f.encoding for f in result["gzip_only"] if f.url.endswith(".js")} == {"gzip"}
    assert result["foreign"] == []
