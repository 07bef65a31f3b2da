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
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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


#: whole rupiah, thousands grouped as the reader's Excel groups them (350.000 in Indonesian)
RUPIAH_FORMAT = '"Rp" #,##0'


@dataclass
class Sheet:
    """One sheet of a workbook made for printing and summing: title lines above the table,
    numbers kept as numbers, a number format per column."""

    title: str
    header: list[str]
    rows: list[list]
    #: lines above the table (the paper's heading), one cell each
    heading: list[str] = field(default_factory=list)
    #: column index -> number format, e.g. {6: RUPIAH_FORMAT}
    formats: dict[int, str] = field(default_factory=dict)
    #: column index -> width in characters
    widths: dict[int, int] = field(default_factory=dict)
    #: rows after the table (a grand total), formatted like the table's columns
    footer: list[list] = field(default_factory=list)


def to_workbook(sheets: list[Sheet]) -> bytes:
    """An XLSX of several sheets; every string formula-safe like to_xlsx's."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, spec in enumerate(sheets, 1):
        # Excel refuses these characters, more than 31 of them, and one title twice.
        title = re.sub(r"[\[\]:*?/\\]", "-", readable(spec.title)).strip("' ")[:31] or "-"
        if title.lower() in (name.lower() for name in workbook.sheetnames):
            title = f"{title[:26]} ({number})"
        sheet = workbook.create_sheet(title)
        for line in spec.heading:
            sheet.append([safe_cell(line)])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        if spec.heading:
            sheet.append([])
        sheet.append([safe_cell(name) for name in spec.header])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        first = sheet.max_row + 1
        for row in _safe([*spec.rows, *spec.footer]):
            sheet.append(row)
        for column, number_format in spec.formats.items():
            for (cell,) in sheet.iter_rows(min_row=first, min_col=column + 1, max_col=column + 1):
                cell.number_format = number_format
        for row in sheet.iter_rows(min_row=sheet.max_row - len(spec.footer) + 1):
            for cell in row if spec.footer else ():
                cell.font = Font(bold=True)
        for column, width in spec.widths.items():
            sheet.column_dimensions[get_column_letter(column + 1)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
