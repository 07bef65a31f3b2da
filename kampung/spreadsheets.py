"""CSV and XLSX downloads that open safely in Excel: the one place exports are written.

Any stored string can be written: what XML 1.0 (and so openpyxl) refuses, and the bidi
controls that would turn a cell around, are left out (kampung.text.readable), whether the
text came in before the input rules or by another path.

A cell that starts like a formula (=, +, -, @, a tab or a carriage return, after any spaces)
gets a leading apostrophe, so a spreadsheet shows it as text instead of running it. Phone
numbers in E.164 (a plus and digits only, which cannot call anything) are the one exception:
they stay as they are, in XLSX as text cells, so that a re-import reads them back exactly.
"""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook

from kampung.text import readable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def safe_cell(value):
    """The value as a spreadsheet should store it: formulas defused, phones left readable."""
    if value is None:
        return ""
    if not isinstance(value, str) or E164.match(value):
        return value
    value = readable(value)
    return "'" + value if value.lstrip(" ").startswith(FORMULA_START) else value


def _safe(rows: list[list]):
    for row in rows:
        yield [safe_cell(value) for value in row]


def to_csv(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a BOM, so Excel opens Indonesian names right; commas, quoted as needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_safe([header, *rows]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], rows: list[list], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    # Excel refuses sheet titles over 31 characters.
    sheet = workbook.create_sheet(title[:31])
    for row in _safe([header, *rows]):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
