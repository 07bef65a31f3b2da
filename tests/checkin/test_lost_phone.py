"""The lost phone: what an organiser's phone keeps of a trip, in a real Chromium. While logged in,
the scanner keeps what it needs to work offline (its page, its files, the seated people's
names); printable lists are never kept; after logout nothing personal is left, whether the
browser honours Clear-Site-Data or only the page's own clean-up runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError

from kampung.checkin.models import CheckIn
from kampung.checkin.service import ForeignURL, parse_code
from kampung.extensions import db
from kampung.signup.service import register
from tests.checkin.test_browser import (
    NETWORK_DROPPED,
    log_in_browser,
    next_scan,
    snap,
    wait_until,
    watch_console,
)
from tests.conftest import person, screenshot

pytestmark = pytest.mark.browser

#: everything a page of this site can find on the phone: web storage, the Cache API with the
#: body of every response in it, IndexedDB and service workers
KEPT = """async () => {
  const kept = { local: { ...localStorage }, session: { ...sessionStorage }, caches: {} };
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    kept.caches[name] = {};
    for (const request of await cache.keys()) {
      kept.caches[name][request.url] = await (await cache.match(request)).text();
    }
  }
  kept.indexeddb = (await indexedDB.databases()).map((db) => db.name);
  kept.workers = (await navigator.serviceWorker.getRegistrations()).map((r) => r.scope);
  return kept;
}"""


@pytest.fixture
def people(trip):
    seated = [register(trip, person(i)).registration for i in range(3)]
    # The emergency contact the scanner may call offline.
    seated[0].emergency_name = "Siti Aminah"
    seated[0].emergency_phone = "+6281399990000"
    cancelled = register(trip, person(9)).registration
    cancelled.cancel()
    db.session.commit()
    return seated, cancelled


def open_scanner_ready_for_offline(page, trip) -> str:
    checkpoint = trip.checkpoints[0].id
    url = f"/manage/{trip.slug}/checkin/{checkpoint}"
    page.goto(url)
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_until(page, f"localStorage.getItem('kampung-roster-{checkpoint}') !== null")
    wait_until(page, "async () => !!(await caches.match(location.href))")
    return url


def scan_by_hand(page, code: str) -> None:
    next_scan(page)
    field = page.get_by_label("Kode atau tautan QR")
    field.fill(code)
    field.press("Enter")


def assert_nothing_personal(kept: dict, people) -> None:
    seated, cancelled = people
    assert not [key for key in kept["local"] if key.startswith("kampung-")], kept["local"]
    assert kept["workers"] == [] and kept["indexeddb"] == []
    text = str(kept)
    for registration in [*seated, cancelled]:
        assert registration.full_name not in text
        assert registration.phone not in text and registration.phone[3:] not in text
    assert "Siti Aminah" not in text and "81399990000" not in text


def test_logout_leaves_no_personal_data_and_no_list_opens_offline(context, trip, organiser, people):
    seated, cancelled = people
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = watch_console(page, NETWORK_DROPPED)
    log_in_browser(page, organiser)
    scanner = open_scanner_ready_for_offline(page, trip)

    # Logged in, the phone holds the seated people's names and the numbers to call them and
    # their emergency contacts, and nothing of the cancelled one.
    kept = page.evaluate(KEPT)
    assert seated[0].full_name in str(kept) and cancelled.full_name not in str(kept)
    assert seated[0].phone in str(kept) and "+6281399990000" in str(kept)
    assert cancelled.phone not in str(kept)
    (urls,) = [list(responses) for responses in kept["caches"].values()]
    assert any(url.endswith(scanner) for url in urls)
    assert all(url.endswith((scanner, "/checkin/offline")) or "/static/" in url for url in urls)

    context.set_offline(True)
    scan_by_hand(page, cancelled.checkin_code)
    red = page.locator("#result.result-red")
    red.wait_for(state="visible")
    assert "TIDAK ADA DI DAFTAR" in red.inner_text().upper() and "terkirim" in red.inner_text()
    snap(page, "checkin-scanner-offline-not-listed")
    scan_by_hand(page, seated[0].checkin_code)
    page.locator("#result.result-green").wait_for(state="visible")
    context.set_offline(False)
    wait_until(page, "document.getElementById('queue-count').textContent === '0'", 20)
    assert "Pendaftaran dibatalkan" in page.locator("#sync-results").inner_text()

    # The daftar hadir opens with a network, and never from the phone.
    page.get_by_role("link", name="Daftar hadir (cetak)").click()
    page.get_by_role("columnheader", name="Tanda Tangan").wait_for()
    assert seated[1].full_name in page.content()
    context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="Tidak ada sinyal").wait_for()
    assert "Peserta Uji" not in page.content()
    screenshot(page, "checkin-offline-page")
    page.get_by_role("link", name=trip.checkpoints[0].name).click()
    page.get_by_label("Kode atau tautan QR").wait_for()  # the scanner itself still loads
    context.set_offline(False)

    page.get_by_role("button", name="Keluar").click()
    page.get_by_text("Anda sudah keluar.").wait_for()
    wait_until(page, "async () => (await navigator.serviceWorker.getRegistrations()).length === 0")
    assert_nothing_personal(page.evaluate(KEPT), people)
    screenshot(page, "logout-landing")

    context.set_offline(True)
    for url in (scanner + "/daftar-hadir", scanner):
        try:
            page.goto(url)
        except PlaywrightError as error:
            assert "ERR_INTERNET_DISCONNECTED" in str(error)
        else:
            raise AssertionError(f"{url} opened offline after logout")
    context.set_offline(False)
    assert not errors, errors


@pytest.mark.parametrize("browser_does", ["only the header", "only the page script"])
def test_logout_clears_the_phone_by_either_way_alone(
    context, trip, organiser, people, browser_does
):
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in_browser(page, organiser)
    open_scanner_ready_for_offline(page, trip)
    assert people[0][0].full_name in str(page.evaluate(KEPT))

    if browser_does == "only the header":
        # No clean-up script: the form is sent as without JavaScript.
        context.route("**/static/js/logout*", lambda route: route.abort())
    else:
        # A browser that ignores Clear-Site-Data.
        def without_header(route):
            response = route.fetch(max_redirects=0)
            headers = {k: v for k, v in response.headers.items() if k != "clear-site-data"}
            route.fulfill(response=response, headers=headers)

        context.route("**/logout", without_header)
    # From a page the service worker does not control, so that the routes see every request.
    page.goto("/manage/")
    page.get_by_role("button", name="Keluar").click()
    page.get_by_text("Anda sudah keluar.").wait_for()
    wait_until(page, "async () => (await navigator.serviceWorker.getRegistrations()).length === 0")
    assert_nothing_personal(page.evaluate(KEPT), people)


def test_scanner_reads_links_as_the_server_does(context, live_server, app, trip, organiser, people):
    app.config["PUBLIC_URL"] = "https://Kampung.example.go.id"
    code = people[0][0].checkin_code
    page = context.new_page()
    log_in_browser(page, organiser)
    page.goto(f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}")
    hosts = page.evaluate("JSON.parse(document.getElementById('scanner').dataset.hosts)")
    here = live_server.removeprefix("http://")
    # PUBLIC_URL's host and the trusted ones (127.0.0.1 is this server's, whatever the port).
    assert hosts == ["kampung.example.go.id", "127.0.0.1", "localhost"]
    port = here.rsplit(":", 1)[1]
    samples = [
        code,
        f"  {code}\n",
        f"/c/{code}",
        f"/c//{code}/",
        f"http://{here}/c/{code}",
        f"http://127.0.0.1:{int(port) + 1}/c/{code}",
        f"https://kampung.EXAMPLE.go.id/c/{code}",
        f"HTTPS://kampung.example.go.id/c/{code}/",
        f"https://kampung.example.go.id/C/{code}",
        f"https://evil.example/c/{code}",
        f"https://kampung.example.go.id.evil.example/c/{code}",
        f"https://kampung.example.go.id@evil.example/c/{code}",
        f"https://evil.example/?next=https://kampung.example.go.id/c/{code}",
        f"ftp://kampung.example.go.id/c/{code}",
        f"javascript://kampung.example.go.id/c/{code}",
        f"http://[kampung/c/{code}",
        "https://kampung.example.go.id/c/short",
        "",
    ]
    in_browser = page.evaluate(
        """async ([samples, hosts]) => {
          const { extractCode, looksLikeCode } = await import("/static/js/scanner/codes.js");
          return samples.map((raw) => {
            const code = extractCode(raw, hosts);
            return code === null ? "another site" : looksLikeCode(code) ? code : "not a code";
          });
        }""",
        [samples, hosts],
    )

    def on_server(raw: str) -> str:
        try:
            return parse_code(raw, hosts) or "not a code"
        except ForeignURL:
            return "another site"

    assert in_browser == [on_server(raw) for raw in samples]
    assert in_browser.count(code) == 8 and in_browser.count("another site") == 7


def test_after_the_trip_the_copy_leaves_the_phone_and_the_queue_only_once_sent(
    context, trip, organiser, people
):
    seated, _cancelled = people
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in_browser(page, organiser)
    open_scanner_ready_for_offline(page, trip)
    key = f"kampung-roster-{trip.checkpoints[0].id}"

    context.set_offline(True)
    scan_by_hand(page, seated[0].checkin_code)
    page.locator("#result.result-green").wait_for(state="visible")
    # Days later, the copy on the phone is past its date: the page deletes it, even offline.
    page.evaluate(
        f"""() => {{
          const copy = JSON.parse(localStorage.getItem("{key}"));
          copy.expires_at = new Date(Date.now() - 1000).toISOString();
          localStorage.setItem("{key}", JSON.stringify(copy));
        }}"""
    )
    page.reload()
    wait_until(page, f"localStorage.getItem('{key}') === null")
    assert page.locator("#queue-count").inner_text() == "1"
    scan_by_hand(page, seated[1].checkin_code)
    red = page.locator("#result.result-red")
    red.wait_for(state="visible")
    assert "belum menyimpan salinan" in red.inner_text()
    assert seated[1].full_name not in red.inner_text()

    # The trip is over on the server too: the queue is sent, then nothing stays.
    trip.departs_at -= timedelta(days=30)
    trip.returns_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    context.set_offline(False)
    wait_until(page, "document.getElementById('queue-count').textContent === '0'", 20)
    page.reload()
    wait_until(page, "async () => (await navigator.serviceWorker.getRegistrations()).length === 0")
    wait_until(page, "async () => (await caches.keys()).length === 0")
    kept = page.evaluate(KEPT)
    assert [k for k in kept["local"] if k != "kampung-device"] == []
    db.session.rollback()
    # Both scans reached the server, the one decided without a copy too.
    assert db.session.scalar(db.select(db.func.count()).select_from(CheckIn)) == 2
