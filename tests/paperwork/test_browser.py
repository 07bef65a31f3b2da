"""The SPJ papers in a real Chromium: printed to A4 PDF, every row's signature cell inside the
page (read back from the PDF with poppler), and the pages as staff see them on a phone."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from kampung.checkin import service as checkin
from kampung.database import utcnow
from kampung.extensions import db
from kampung.paperwork import service
from kampung.signup.service import register
from tests.checkin.test_browser import log_in_browser
from tests.conftest import ARTIFACTS, axe_violations, make_user, person, poppler, screenshot

pytestmark = pytest.mark.browser

#: poppler renders at this resolution; a PDF point is SCALE pixels
DPI = 144
SCALE = DPI / 72

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class SignatureCell:
    page: int
    row: int
    #: the cell's borders, in PDF points from the page's left edge
    left: float
    right: float
    page_width: float


def _pages(pdf: Path) -> list[tuple[float, list[Word]]]:
    out = subprocess.run(
        [poppler("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        (
            float(width),
            [
                Word(html.unescape(t), float(a), float(b), float(c), float(d))
                for a, b, c, d, t in _WORD.findall(body)
            ],
        )
        for width, _height, body in _PAGE.findall(out)
    ]


def _is_rule(image: Image.Image, x: int, top: int, bottom: int) -> bool:
    """A vertical border: dark along the whole height of the row's text."""
    dark = sum(1 for y in range(top, bottom) if image.getpixel((x, y)) < 160)
    return dark >= 0.8 * (bottom - top)


def signature_cells(pdf: Path) -> list[SignatureCell]:
    """Each row's signature cell as drawn on the PDF: the row's number in the signature column
    (from pdftotext -bbox), and the borders left and right of it (from the page's pixels)."""
    prefix = pdf.with_suffix("")
    subprocess.run(
        [poppler("pdftoppm"), "-r", str(DPI), "-gray", "-png", str(pdf), str(prefix)], check=True
    )
    images = sorted(prefix.parent.glob(prefix.name + "-*.png"))
    cells = []
    for number, ((width, words), image_path) in enumerate(zip(_pages(pdf), images, strict=True), 1):
        image = Image.open(image_path).convert("L")
        heading = [w for w in words if w.text == "Tanda"]
        if not heading:
            continue  # a page of signatures below the table
        column = heading[0].x0 - 2
        for word in words:
            match = re.fullmatch(r"(\d+)\.", word.text)
            if not match or word.x0 < column:
                continue
            top, bottom = int(word.y0 * SCALE), int(word.y1 * SCALE)
            right = next(
                (
                    x
                    for x in range(int(word.x1 * SCALE) + 1, image.width)
                    if _is_rule(image, x, top, bottom)
                ),
                None,
            )
            left = next(
                (
                    x
                    for x in range(int(word.x0 * SCALE) - 1, 0, -1)
                    if _is_rule(image, x, top, bottom)
                ),
                None,
            )
            assert right is not None, f"page {number} row {match[1]}: the cell has no right edge"
            assert left is not None, f"page {number} row {match[1]}: the cell has no left edge"
            cells.append(SignatureCell(number, int(match[1]), left / SCALE, right / SCALE, width))
    return cells


@pytest.fixture
def crowd(trip):
    """Thirty people with long names and long kelurahan, over both buses and two pages."""
    long = "Muhammad Abdurrahman Syahputra Nasution"
    people = [
        register(
            trip, person(i, full_name=f"{long} {i}", kelurahan="Kenali Asam Bawah Selatan")
        ).registration
        for i in range(30)
    ]
    for registration in people[18:]:
        registration.bus_id = trip.buses[1].id
    db.session.commit()
    return people


def _board(trip, people, organiser):
    start = utcnow() - timedelta(hours=1)
    for i, registration in enumerate(people):
        checkin.check_in(
            registration.checkin_code,
            trip.checkpoints[0].id,
            organiser,
            scanned_at=start + timedelta(seconds=40 * i),
            device="HP Rina",
        )


def _print(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.emulate_media(media="screen")
    return pdf


def test_daftar_hadir_pdf_keeps_every_signature_cell_inside_the_a4_page(page, trip, crowd):
    organiser = make_user("organiser", "rina", name="Rina Marlina Simanjuntak")
    _board(trip, crowd[:25], organiser)
    log_in_browser(page, organiser)
    page.goto(f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}/daftar-hadir")
    assert page.get_by_role("columnheader", name="Tanda Tangan").count() == 2  # one per bus
    assert page.get_by_role("columnheader", name="Dipindai oleh").count() == 2
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    screenshot(page, "paperwork-daftar-hadir")
    pdf = _print(page, "paperwork-daftar-hadir")
    cells = signature_cells(pdf)
    # Every row of every bus has its signature cell on paper, and all of it inside the page.
    assert sorted(c.row for c in cells) == sorted([*range(1, 19), *range(1, 13)])
    for cell in cells:
        assert 0 < cell.left < cell.right < cell.page_width - 20, cell
        assert cell.right - cell.left > 80, cell  # room to sign: over 28 mm
    text = subprocess.run(
        [poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "PEMERINTAH KOTA JAMBI" in text and "Rina Marlina" in text
    assert not re.search(r"\+62|0813\d", text)


def test_receipt_list_on_a_phone_and_on_a4(page, trip, crowd):
    organiser = make_user("organiser", "rina", name="Rina")
    _board(trip, crowd[:12], organiser)
    service.set_per_diem(trip, 350_000, None)
    log_in_browser(page, make_user("admin", name="Admin Kota"))
    page.goto(f"/manage/{trip.slug}/berkas")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    screenshot(page, "paperwork-berkas")
    page.get_by_role("link", name="Buka daftar penerimaan").click()
    rate = page.get_by_label("Tarif harian (rupiah)")
    assert rate.input_value() == "350000"
    rate.fill("Rp 400.000")
    page.get_by_role("button", name="Simpan tarif").click()
    page.get_by_text("Tarif harian disimpan: Rp 400.000.").wait_for()
    assert page.get_by_text("Jumlah seluruhnya (12 orang)").is_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    screenshot(page, "paperwork-uang-harian")
    pdf = _print(page, "paperwork-uang-harian")
    cells = signature_cells(pdf)
    assert sorted(c.row for c in cells) == list(range(1, 13))
    for cell in cells:
        assert 0 < cell.left < cell.right < cell.page_width - 20, cell
    text = subprocess.run(
        [poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "14.400.000" in text  # 12 people × 3 days × Rp 400.000
    assert "Tarif harian" not in text.split("DAFTAR PENERIMAAN")[0]  # the form is not printed


def test_proof_of_travel_on_a4(page, trip, crowd, organiser):
    _board(trip, crowd[:5], organiser)
    log_in_browser(page, organiser)
    page.goto(f"/manage/{trip.slug}/bukti-perjalanan")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    screenshot(page, "paperwork-bukti-perjalanan")
    pdf = _print(page, "paperwork-bukti-perjalanan")
    subprocess.run(
        [poppler("pdftoppm"), "-r", "60", "-png", str(pdf), str(pdf.with_suffix(""))], check=True
    )
    text = subprocess.run(
        [poppler("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    assert "Tiba di" in text and "Berangkat dari" in text and "5 / 30" in text
