"""Uploads built to hurt: zip bombs, sheets far larger than their files, rows without end. Each
gets a clear 4xx with a message, and the worker that reads it stays small and alive."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from kampung.manage.import_file import COLUMNS
from tests.conftest import PASSWORD, ROOT, axe_violations, log_in, screenshot
from tests.manage.test_import import TYPED, upload, xls_file
from tests.server import Gunicorn, HttpSession

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: the answers' words (Indonesian): too large to open, more rows than allowed, and so on
TOO_LARGE = "Berkas ini terlalu besar untuk dibuka"
TOO_MANY_ROWS = "Berkas berisi lebih dari 1000 baris"
#: the judge's bound on a worker's memory, and how long an answer may take
MEMORY_BOUND_KB = 300 * 1024
ANSWER_SECONDS = 10


# --- Files built to hurt ---------------------------------------------------------------------


def xlsx(sheet: Iterable[bytes], strings: Iterable[bytes]) -> bytes:
    """An .xlsx as Excel lays it out, its sheet and shared strings written piece by piece, so
    that a part of a gigabyte never sits in memory while it is built."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType'
            '="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName'
            '="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings'
            '.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sharedStrings+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {MAIN} xmlns:r="{RELS}"><sheets><sheet name="Peserta"'
            ' sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            f'Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        for name, pieces in (
            ("xl/sharedStrings.xml", strings),
            ("xl/worksheets/sheet1.xml", sheet),
        ):
            with archive.open(name, "w", force_zip64=True) as part:
                for piece in pieces:
                    part.write(piece)
    return data.getvalue()


def sheet_of(rows: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<?xml version="1.0"?><worksheet {MAIN}><sheetData>'.encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def strings_of(*texts: str) -> Iterator[bytes]:
    yield f'<?xml version="1.0"?><sst {MAIN}>'.encode()
    for text in texts:
        yield f"<si><t>{text}</t></si>".encode()
    yield b"</sst>"


def header_row() -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in COLUMNS)
    return f"<row>{cells}</row>".encode()


def shared_strings_bomb() -> bytes:
    """About 1 MB whose one shared string unpacks to 1 GB."""

    def strings() -> Iterator[bytes]:
        yield f'<?xml version="1.0"?><sst {MAIN} count="1" uniqueCount="1"><si><t>'.encode()
        block = b"A" * (1 << 20)
        for _ in range(1024):
            yield block
        yield b"</t></si></sst>"

    return xlsx(sheet_of([header_row(), b'<row><c t="s"><v>0</v></c></row>']), strings())


def three_million_rows() -> bytes:
    """A header, then 3 million rows of one cell: about 250 KB."""
    rows = (b'<row><c t="s"><v>0</v></c></row>' * 10_000 for _ in range(300))
    return xlsx(sheet_of([header_row(), *rows]), strings_of("x"))


def far_apart_cells() -> bytes:
    """Two cells: the first and the very last of a sheet (XFD1048576); 2 KB."""
    rows = [header_row(), b'<row r="1048576"><c r="XFD1048576" t="s"><v>0</v></c></row>']
    return xlsx(sheet_of(rows), strings_of("x"))


def long_strings_everywhere() -> bytes:
    """1,000 rows whose 13 cells each show one shared string of 1,999 characters: every cell
    is within its limit, the sheet is small and unpacks to little, the text in all is 26 million
    characters."""
    cells = b'<c t="s"><v>0</v></c>' * len(COLUMNS)
    rows = [header_row(), *(b"<row>" + cells + b"</row>" for _ in range(1000))]
    return xlsx(sheet_of(rows), strings_of("x" * 1999))


def xls_last_cell() -> bytes:
    """An .xls with a header and one value in its last row and column (IV65536): 6 KB."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Peserta")
    for c, name in enumerate(COLUMNS):
        sheet.write(0, c, name)
    sheet.write(65535, 255, "x")
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def ods_repeated(rows: int, columns: int) -> bytes:
    """An .ods with a header and one row that says "repeat me `rows` times, `columns` wide"."""
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Peserta")
    header = TableRow()
    for name in COLUMNS:
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=name))
        header.addElement(cell)
    table.addElement(header)
    row = TableRow(numberrowsrepeated=rows)
    cell = TableCell(valuetype="string", numbercolumnsrepeated=columns)
    cell.addElement(P(text="x"))
    row.addElement(cell)
    table.addElement(row)
    doc.spreadsheet.addElement(table)
    data = io.BytesIO()
    doc.write(data)
    return data.getvalue()


#: name: (file name, how to build it, the answer's status, words it must hold)
BOMBS = {
    "shared strings of 1 GB": ("peserta.xlsx", shared_strings_bomb, 413, TOO_LARGE),
    "3 million rows": ("peserta.xlsx", three_million_rows, 413, TOO_LARGE),
    "two cells far apart": ("peserta.xlsx", far_apart_cells, 413, TOO_LARGE),
    "26 million characters": ("peserta.xlsx", long_strings_everywhere, 413, TOO_LARGE),
    "xls with its last cell": ("peserta.xls", xls_last_cell, 413, TOO_LARGE),
    "ods of a million rows": ("peserta.ods", lambda: ods_repeated(10**6, 1), 413, TOO_LARGE),
    "ods of 20,000 rows": ("peserta.ods", lambda: ods_repeated(20_000, 1), 422, TOO_MANY_ROWS),
    "ods of 80 million cells": ("peserta.ods", lambda: ods_repeated(5000, 16384), 413, TOO_LARGE),
}


@pytest.fixture(scope="session")
def bombs() -> dict[str, bytes]:
    """Each built once for the whole run: the 1 GB one takes a few seconds to pack."""
    return {name: build() for name, (_, build, _, _) in BOMBS.items()}


# --- Through the import page ----------------------------------------------------------------


@pytest.mark.parametrize("name", BOMBS)
def test_a_file_built_to_unpack_to_too_much_gets_a_clear_4xx(client, admin, trip, bombs, name):
    filename, _, status, words = BOMBS[name]
    assert len(bombs[name]) < 2 * 1024 * 1024  # under the upload limit: the reader must cope
    log_in(client, admin)
    response = upload(client, trip, bombs[name], filename)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)


def test_a_csv_row_too_wide_or_a_cell_too_long_is_refused(client, admin, trip):
    log_in(client, admin)
    header = ",".join([*COLUMNS, *(f"extra_{i}" for i in range(88))])
    response = upload(client, trip, f"{header}\nSatu,081211112222\n".encode())
    assert response.status_code == 422
    assert "Berkas berisi lebih dari 100 kolom. Apakah ini daftar peserta?" in response.get_data(
        as_text=True
    )
    notes = "n" * 2001
    csv = f"{','.join(COLUMNS)}\nSatu,081211112222,Jelutung,Payo Lebar,5,,,,,,{notes},,\n"
    response = upload(client, trip, csv.encode())
    assert response.status_code == 413
    assert "Baris 2 berisi sel yang lebih dari 2000 karakter" in response.get_data(as_text=True)


def test_blank_lines_count_toward_the_limit_on_rows(client, admin, trip):
    log_in(client, admin)
    csv = ",".join(COLUMNS) + "\nSatu,081211112222,Jelutung,Payo Lebar,5\n" + "\n" * 10_000
    response = upload(client, trip, csv.encode())
    assert response.status_code == 422
    assert TOO_MANY_ROWS in response.get_data(as_text=True)


@pytest.mark.browser
def test_an_admin_on_a_phone_reads_why_a_bomb_is_refused_then_imports_an_old_xls(
    context, admin, trip, bombs, tmp_path
):
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The refusal is a 413 page, which Chromium notes in the console; nothing else may be there.
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "status of 413" not in msg.text
            else None
        ),
    )
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(admin.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"/manage/{trip.slug}/import")
    page.get_by_text(
        "berkas Excel (.xlsx, .xls, .xlsb), berkas LibreOffice (.ods), atau CSV"
    ).wait_for()
    bomb = tmp_path / "peserta.xlsx"
    bomb.write_bytes(bombs["shared strings of 1 GB"])
    page.get_by_label("Berkas spreadsheet (.xlsx, .xls, .ods) atau CSV").set_input_files(str(bomb))
    page.get_by_role("button", name="Periksa berkas").click()
    page.get_by_role("alert").filter(has_text=TOO_LARGE).wait_for()
    assert axe_violations(page) == []
    screenshot(page, "manage-import-too-large")
    old = tmp_path / "peserta.xls"
    old.write_bytes(xls_file(TYPED))
    page.get_by_label("Berkas spreadsheet (.xlsx, .xls, .ods) atau CSV").set_input_files(str(old))
    page.get_by_role("button", name="Periksa berkas").click()
    page.get_by_text("Semua baris benar: 3 orang mendapat kursi").wait_for()
    assert page.get_by_text("81234567890", exact=False).count() == 1
    screenshot(page, "manage-import-xls-preview")
    assert errors == []


# --- The sheet reader on its own --------------------------------------------------------------


READ_IN_A_FRESH_PROCESS = """
import json, resource, sys
from kampung.manage import import_file, sheet_reader
# Past the look at the zip directory: the child itself meets the bomb.
sheet_reader.check_zip = lambda data: None
try:
    sheet_reader.read_sheet(sys.stdin.buffer.read(), import_file.LIMITS)
    reason = None
except sheet_reader.TableRefused as refused:
    reason = refused.reason
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"reason": reason, "peak_kb": peak}))
"""


@pytest.mark.parametrize(
    "name", ["shared strings of 1 GB", "3 million rows", "two cells far apart"]
)
def test_the_sheet_reader_is_held_to_its_memory_even_past_the_zip_check(bombs, name):
    """The look at the zip directory refuses these at once; should one slip past it, the child
    that reads sheets runs out of its own memory, not the machine's. Measured in a fresh process,
    whose only child is the reader, so that its peak is the reader's."""
    done = subprocess.run(
        [sys.executable, "-c", READ_IN_A_FRESH_PROCESS],
        input=bombs[name],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    answer = json.loads(done.stdout)
    assert answer["reason"] == "unpacked"
    assert answer["peak_kb"] < MEMORY_BOUND_KB


# --- Under gunicorn, as in production ---------------------------------------------------------


def workers_of(server: Gunicorn) -> list[int]:
    pid = server.process.pid
    return sorted(map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split()))


def peak_rss_kb(pid: int) -> int:
    """The most memory the process ever held (VmHWM), in KB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))


@pytest.mark.process
def test_a_gunicorn_worker_answers_every_bomb_within_seconds_and_stays_small(
    app, admin, trip, bombs
):
    with Gunicorn(
        app.config["SQLALCHEMY_DATABASE_URI"],
        workers=1,
        SECRET_KEY="bomb-test-secret",
        RATELIMIT_ENABLED="0",
    ) as server:
        (worker,) = workers_of(server)
        # The socket gives up before gunicorn's own 30 s timeout would drop the connection.
        browser = HttpSession(server.url, timeout=ANSWER_SECONDS + 5)
        browser.log_in(admin.username, PASSWORD)
        answers = {}
        for name, (filename, _, status, words) in BOMBS.items():
            browser.get(f"/manage/{trip.slug}/import")
            start = time.monotonic()
            code, _, body = browser.post_files(
                f"/manage/{trip.slug}/import", {"file": (filename, bombs[name])}
            )
            answers[name] = (code, round(time.monotonic() - start, 2))
            assert (code, words in body) == (status, True), name
        # Still the same worker, never replaced: a worker that died would start small again.
        assert workers_of(server) == [worker]
        peak = peak_rss_kb(worker)
        # A real list still goes through afterwards.
        browser.get(f"/manage/{trip.slug}/import")
        csv = ",".join(COLUMNS) + "\nSatu,081211112222,Jelutung,Payo Lebar,5\n"
        code, _, _ = browser.post_files(
            f"/manage/{trip.slug}/import", {"file": ("peserta.csv", csv.encode())}
        )
        assert code == 302, code
    print(f"\nanswers (status, seconds): {answers}; worker peak RSS {peak / 1024:.0f} MB")
    assert all(seconds < ANSWER_SECONDS for _, seconds in answers.values()), answers
    assert peak < MEMORY_BOUND_KB, f"worker peak RSS {peak / 1024:.0f} MB"
