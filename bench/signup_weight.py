"""Sign-up page weight: the trip page and every file it loads, as sent on the wire, vs 35 KB.

gunicorn as in production (bench._common.serve) on a fresh SQLite database holding the demo
trip; each file is asked for as a phone's browser asks (`Accept-Encoding: gzip, br` over
HTTPS, `gzip` alone over plain HTTP) on a connection of its own, and counted in the bytes the
server sent: status line, headers and the body as sent (compressed or not). Also counts the
requests and lists every reference to another host (there should be none).
"""

from __future__ import annotations

import gzip
import re
import socket
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from bench._common import database, make_app, record, serve

BUDGET_KB = 35
PAGE = "/e/studi-banding-bengkulu"
#: what Chromium on a phone sends over HTTPS, then over plain HTTP
ACCEPTS = ("gzip, br", "gzip")


class _References(HTMLParser):
    """The stylesheets, scripts, images and icons a page asks for, plus every other URL in it."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.assets.append(attributes["src"])
        elif tag == "link" and attributes.get("href"):
            self.assets.append(attributes["href"])
        elif tag == "img" and attributes.get("src"):
            self.assets.append(attributes["src"])
        for name in ("href", "src", "action", "data-hx-post", "hx-post", "hx-get"):
            if attributes.get(name):
                self.links.append(attributes[name])


def _css_references(css: str) -> list[str]:
    return re.findall(r"url\(\s*['\"]?([^'\")]+)", css) + re.findall(
        r"@import\s+['\"]([^'\"]+)", css
    )


@dataclass
class Fetched:
    url: str
    status: int
    headers: dict[str, str]
    #: every byte the server sent: status line, headers, body
    wire: int
    #: the body as sent (compressed when Content-Encoding says so)
    body: bytes

    @property
    def encoding(self) -> str:
        return self.headers.get("content-encoding", "identity")

    def decoded(self) -> bytes:
        if self.encoding == "gzip":
            return gzip.decompress(self.body)
        if self.encoding == "br":
            import brotli

            return brotli.decompress(self.body)
        return self.body


def fetch(port: int, url: str, accept: str = ACCEPTS[0]) -> Fetched:
    """One GET on a connection of its own, read to its end as the bytes arrive."""
    request = (
        f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: {accept}\r\n"
        "User-Agent: kampung-bench\r\nConnection: close\r\n\r\n"
    )
    received = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request.encode())
        while chunk := conn.recv(65536):
            received += chunk
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    assert "chunked" not in headers.get("transfer-encoding", ""), url
    return Fetched(url, int(status_line.split()[1]), headers, len(received), body)


def measure() -> dict:
    from kampung.demo import create_demo_trip
    from kampung.extensions import db

    with database() as url:
        from flask_migrate import upgrade

        app = make_app(url)
        with app.app_context():
            upgrade()
            create_demo_trip(participants=0)
            db.engine.dispose()
        with serve(url) as server:
            page = fetch(server.port, PAGE)
            assert page.status == 200, page.status
            parser = _References()
            parser.feed(page.decoded().decode())
            fetched = [page]
            foreign = [link for link in parser.links if urlsplit(link).netloc]
            queue = list(dict.fromkeys(parser.assets))
            while queue:
                link = queue.pop(0)
                if urlsplit(link).netloc:
                    continue
                response = fetch(server.port, link)
                assert response.status == 200, (link, response.status)
                fetched.append(response)
                if response.headers.get("content-type", "").startswith("text/css"):
                    for ref in _css_references(response.decoded().decode()):
                        if urlsplit(ref).netloc:
                            foreign.append(ref)
                        elif ref not in queue and all(f.url != ref for f in fetched):
                            queue.append(ref)
            # The same files again, as a browser that takes gzip alone.
            plain = [fetch(server.port, f.url, ACCEPTS[1]) for f in fetched]
    return {"fetched": fetched, "gzip_only": plain, "foreign": foreign}


def _cache(response: Fetched) -> str:
    control = response.headers.get("cache-control", "")
    if "immutable" in control:
        return "for good"
    if match := re.search(r"max-age=(\d+)", control):
        return f"{match.group(1)} s"
    return control or "-"


def main() -> None:
    result = measure()
    fetched, foreign = result["fetched"], result["foreign"]
    total = sum(f.wire for f in fetched)
    bodies = sum(len(f.body) for f in fetched)
    raw = sum(len(f.decoded()) for f in fetched)
    print(f"  {'file':<46} {'raw':>8} {'sent':>8} {'+headers':>9}  encoding  cached")
    for f in fetched:
        print(
            f"  {f.url:<46} {len(f.decoded()) / 1024:5.1f} KB {len(f.body) / 1024:5.1f} KB"
            f" {f.wire / 1024:6.1f} KB  {f.encoding:<8}  {_cache(f)}"
        )
    verdict = "within" if total <= BUDGET_KB * 1024 else "OVER"
    print(
        f"total on the wire: {total / 1024:.1f} KB ({bodies / 1024:.1f} KB of bodies, "
        f"{raw / 1024:.1f} KB uncompressed), {verdict} the {BUDGET_KB} KB budget"
    )
    gzip_only = sum(f.wire for f in result["gzip_only"])
    print(f"with gzip alone (plain HTTP): {gzip_only / 1024:.1f} KB on the wire")
    print(f"requests: {len(fetched)}, to another host: {len(foreign)} {foreign or ''}")
    record(
        "sign-up page on the wire (gzip, br)",
        f"{total / 1024:.1f} KB, {len(fetched)} requests, {len(foreign)} to other hosts",
        f"<= {BUDGET_KB} KB, no other host",
        total <= BUDGET_KB * 1024 and not foreign,
        f"{total / (BUDGET_KB * 1024):.2f} of budget",
    )
    record(
        "sign-up page on the wire (gzip alone)",
        f"{gzip_only / 1024:.1f} KB",
        f"<= {BUDGET_KB} KB",
        gzip_only <= BUDGET_KB * 1024,
        f"{gzip_only / (BUDGET_KB * 1024):.2f} of budget",
    )


if __name__ == "__main__":
    main()
