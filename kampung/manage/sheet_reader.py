"""Reading an uploaded table row by row, held to limits on rows, columns, cell length and text.

Spreadsheets (xlsx, xls, xlsb, ods) are read by python-calamine, in a process of its own held to
an address-space limit and a deadline. calamine builds the whole sheet in memory before it gives
the first row, as a dense grid from the first cell to the last, and an xlsx's shared strings
before that: a 6 KB .xls with one value in its last row and column takes 1 GB, a 2 KB .xlsx with
two cells far apart asks for 512 GB and aborts, a 1 MB .xlsx whose shared strings unpack to 1 GB
runs out of memory. A look at the zip directory refuses the plain bombs at once; the child's
limits catch what no look beforehand sees, and the worker serving the page only ever holds the
rows that passed.

This file imports nothing from kampung: the child runs it as a script (`python -I`).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

#: what a zip (xlsx, xlsb, ods) may unpack to in all; a list of 1,000 people is about 1 MB
MAX_UNPACKED = 50 * 1024 * 1024
#: how much one part of a zip may grow when unpacked; real sheets stay well under 20
MAX_RATIO = 100
#: parts in one zip; Excel writes about a dozen
MAX_PARTS = 1000
#: the sheet reader's address space; a fresh interpreter with calamine takes about 15 MB
CHILD_MEMORY = 200 * 1024 * 1024
#: seconds the sheet reader may take; a list of 1,000 rows takes a tenth of one
CHILD_SECONDS = 10

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    #: rows with something in them, the header included
    rows: int
    #: rows in all, blank ones included
    lines: int
    #: cells in one row, up to its last filled one
    columns: int
    #: characters in one cell
    cell: int
    #: characters in every cell together
    text: int


class TableRefused(Exception):
    """Reading stopped. `reason`: rows, columns, cell, text, unpacked (the file grows too large
    when opened), password or unreadable; `line` is the row where it stopped, when known."""

    def __init__(self, reason: str, line: int = 0):
        super().__init__(reason, line)
        self.reason = reason
        self.line = line


def is_spreadsheet(data: bytes) -> bool:
    """An OLE2 file (xls) or a zip (xlsx, xlsm, xlsb, ods), by its first bytes."""
    return data.startswith((OLE2, ZIP))


def cell_text(value) -> str:
    """A cell as the text a person typed: a phone typed as a number, 81234567890.0, loses
    nothing but its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def limited_rows(rows: Iterable[list], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(line, cells as text) of each row with something in it, from line 1; TableRefused as
    soon as a limit is passed, so that nothing past it is read."""
    filled = text = 0
    for line, row in enumerate(rows, start=1):
        if line > limits.lines:
            raise TableRefused("rows", line)
        cells = [cell_text(value) for value in row]
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            continue
        filled += 1
        if filled > limits.rows:
            raise TableRefused("rows", line)
        if len(cells) > limits.columns:
            raise TableRefused("columns", line)
        for cell in cells:
            if len(cell) > limits.cell:
                raise TableRefused("cell", line)
            text += len(cell)
        if text > limits.text:
            raise TableRefused("text", line)
        yield line, cells


def check_zip(data: bytes) -> None:
    """Refuse a zip whose directory says it unpacks to too much, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise TableRefused("unreadable") from None
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise TableRefused("unpacked")
    for part in parts:
        # Small parts may shrink a lot (an empty style sheet); only large ones can be a bomb.
        if part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * part.compress_size:
            raise TableRefused("unpacked")


def read_sheet(data: bytes, limits: Limits) -> list[tuple[int, list[str]]]:
    """The first sheet's filled rows, read in a child process; TableRefused when a limit is
    passed, the file is damaged, or reading it would take more memory or time than allowed."""
    if data.startswith(ZIP):
        check_zip(data)
    try:
        done = subprocess.run(
            [sys.executable, "-I", __file__, json.dumps(asdict(limits))],
            input=data,
            capture_output=True,
            timeout=CHILD_SECONDS,
            # calamine prints a backtrace on an allocation it was refused when this asks for one
            env={**os.environ, "RUST_BACKTRACE": "0"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TableRefused("unpacked") from None
    if done.returncode < 0:
        # Killed: calamine aborts when the address-space limit refuses it memory.
        raise TableRefused("unpacked")
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise RuntimeError(f"sheet reader failed: {done.stderr.decode()[-2000:]}") from None
    if "refused" in answer:
        raise TableRefused(answer["refused"], answer.get("line", 0))
    return [(line, cells) for line, cells in answer["rows"]]


def _read_in_child(limits: Limits) -> dict:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    # Should the parent be gone, the child still stops by itself.
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_SECONDS, CHILD_SECONDS))
    import python_calamine

    data = sys.stdin.buffer.read()
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        # The grid spans the filled cells; its rows are given from line 1, its columns from
        # the first filled one.
        if sheet.end and sheet.end[0] + 1 > limits.lines:
            raise TableRefused("rows", limits.lines + 1)
        if sheet.width > limits.columns:
            raise TableRefused("columns")
        rows = list(limited_rows(sheet.iter_rows(), limits))
    except TableRefused as refused:
        return {"refused": refused.reason, "line": refused.line}
    except MemoryError:
        return {"refused": "unpacked"}
    except python_calamine.PasswordError:
        return {"refused": "password"}
    # calamine raises many kinds of errors (and pyo3 panics) on a damaged or foreign file.
    except BaseException:
        return {"refused": "unreadable"}
    return {"rows": rows}


if __name__ == "__main__":
    json.dump(_read_in_child(Limits(**json.loads(sys.argv[1]))), sys.stdout)
