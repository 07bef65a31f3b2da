"""Sign-up page weight: the trip page and every CSS/JS it loads, gzipped, against 35 KB.

Served by the Flask test client from a fresh SQLite database (in a temporary folder) holding
the demo trip, so that the figure is the page a participant's phone downloads on first visit.
Also counts the requests and lists any reference to another host (there should be none).
"""

from __future__ import annotations

import gzip
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from bench._common import record

BUDGET_KB = 35
PAGE = "/e/studi-banding-bengkulu"


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


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def measure() -> dict:
    from flask_migrate import upgrade

    from kampung import create_app
    from kampung.demo import create_demo_trip

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'kampung.db'}",
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            create_demo_trip(participants=0)
            client = app.test_client()
            page = client.get(PAGE)
            assert page.status_code == 200, page.status_code
            parser = _References()
            parser.feed(page.get_data(as_text=True))
            rows = [(PAGE, len(page.data), _gzipped(page.data))]
            foreign = [url for url in parser.links if urlsplit(url).netloc]
            for url in dict.fromkeys(parser.assets):
                if urlsplit(url).netloc:
                    continue
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                body = response.get_data()
                rows.append((url, len(body), _gzipped(body)))
                if url.endswith(".css"):
                    foreign += [u for u in _css_references(body.decode()) if urlsplit(u).netloc]
                response.close()
            from kampung.extensions import db

            db.engine.dispose()
    return {"rows": rows, "foreign": foreign}


def main() -> None:
    result = measure()
    total = sum(gz for _, _, gz in result["rows"])
    for url, raw, gz in result["rows"]:
        print(f"  {url:<45} {raw / 1024:7.1f} KB raw {gz / 1024:6.1f} KB gzip")
    verdict = "within" if total <= BUDGET_KB * 1024 else "OVER"
    print(f"total: {total / 1024:.1f} KB compressed, {verdict} the {BUDGET_KB} KB budget")
    print(f"requests: {len(result['rows'])}")
    print(f"references to another host: {result['foreign'] or 'none'}")
    record(
        "sign-up page weight, gzip",
        f"{total / 1024:.1f} KB, {len(result['rows'])} requests",
        f"<= {BUDGET_KB} KB, no other host",
        total <= BUDGET_KB * 1024 and not result["foreign"],
        f"{total / (BUDGET_KB * 1024):.2f} of budget",
    )


if __name__ == "__main__":
    main()
