"""The visit report in a real Chromium: printed to A4 PDF for a trip of thirty RT heads, every
section there, page numbers in the bottom margin, at most one page under half full, and no
phone number; the pages rendered to PNG to look at."""

from __future__ import annotations

import re
import subprocess

import pytest

from kampung.auth.models import User
from kampung.extensions import db
from tests.checkin.test_browser import log_in_browser
from tests.conftest import ARTIFACTS, axe_violations, poppler, screenshot
from tests.paperwork.test_laporan import PHONE, SECTIONS, visited_trip

pytestmark = pytest.mark.browser

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>'
)


def fullness(pdf) -> list[float]:
    """Per page, how far down its text goes (0-1 of the page's height), leaving out the page
    number in the bottom margin."""
    out = subprocess.run(
        [poppler("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for _width, height, body in _PAGE.findall(out):
        bottoms = [
            float(y1)
            for _y0, y1, word in _WORD.findall(body)
            if float(y1) < float(height) - 12 * 72 / 25.4  # above the 12 mm bottom margin
        ]
        pages.append(max(bottoms, default=0) / float(height))
    return pages


def test_the_visit_report_prints_on_a4_with_page_numbers_and_no_empty_pages(app, page):
    with app.test_request_context():
        trip, _people = visited_trip(30)
    log_in_browser(page, db.session.scalar(db.select(User).where(User.username == "ketua")))
    page.goto(f"/manage/{trip.slug}/berkas")
    page.get_by_role("link", name="Buka laporan kunjungan").click()
    page.get_by_role("heading", name="Laporan hasil kunjungan").wait_for()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    screenshot(page, "paperwork-laporan")

    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "paperwork-laporan.pdf"
    for old in ARTIFACTS.glob("paperwork-laporan-*.png"):
        old.unlink()
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.emulate_media(media="screen")
    subprocess.run(
        [poppler("pdftoppm"), "-r", "60", "-png", str(pdf), str(pdf.with_suffix(""))], check=True
    )
    text = subprocess.run(
        [poppler("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 3
    for number, body in enumerate(pages, 1):
        assert re.search(rf"^\s*{number}\s*/\s*{len(pages)}\s*$", body, re.M), f"page {number}"
    flat = " ".join(text.split())
    for title in [*SECTIONS, "Lampiran: daftar peserta"]:
        assert title in flat, title
    assert "PEMERINTAH KOTA JAMBI" in flat and "Dicetak" in flat
    assert not PHONE.search(text), PHONE.search(text)
    filled = fullness(pdf)
    assert sum(1 for f in filled if f < 0.5) <= 1, filled
