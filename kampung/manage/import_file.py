"""Reading an uploaded roster (a spreadsheet or a CSV file) into rows of known columns.

The file is read row by row and refused as soon as it passes a limit (`sheet_reader`), so a
file built to unpack to gigabytes gets a message, not a worker out of memory. Text is cleaned as
the forms clean it (kampung.text); the rows are then checked by `importer`.
"""

from __future__ import annotations

import csv
import io
import re

from flask_babel import gettext as _

from kampung.manage import sheet_reader
from kampung.signup import service
from kampung.text import clean_text

#: PRODUCT.md's roster columns, in order
COLUMNS = (*service.PERSON_FIELDS, "bus", "status")
#: without these a row cannot pass the sign-up rules, so the file is refused at once
REQUIRED_COLUMNS = ("full_name", "phone", "kecamatan", "kelurahan", "rt")
#: a trip takes a few busloads; saving runs the sign-up rules row by row, about 5 s per 1,000
#: rows on a 2-core machine (bench/manage_import.py), so more is refused as the wrong file
MAX_ROWS = 1000
#: how far reading goes: MAX_ROWS people and a header, a few blank lines between them, the
#: roster's 13 columns and room for more, cells up to twice the longest field (notes, 1,000)
LIMITS = sheet_reader.Limits(
    rows=MAX_ROWS + 1, lines=10 * MAX_ROWS, columns=100, cell=2000, text=2_000_000
)
#: names that promise a spreadsheet; a .xls that is text inside (some systems export those)
#: is read as CSV
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".ods")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in the visitor's language, and
    `status` is the answer's: 413 when it is too large, 422 when it is not a list to import."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


def normalise_header(name) -> str:
    """'Full Name', ' PHONE ', 'emergency-phone' -> full_name, phone, emergency_phone."""
    return re.sub(r"[\s\-]+", "_", clean_text(name).lower())


def read_table(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's data rows as (line, {column: text}); ImportFileError when it cannot be read."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    try:
        if sheet_reader.is_spreadsheet(data):
            rows = sheet_reader.read_sheet(data, LIMITS)
        elif filename.lower().endswith(SPREADSHEET_SUFFIXES):
            raise sheet_reader.TableRefused("unreadable")
        else:
            rows = _csv_rows(data)
    except sheet_reader.TableRefused as refused:
        raise _refusal(refused) from None
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = rows[0][1]
    columns = [normalise_header(name) for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            _("These columns are missing: %(columns)s. The first row must name the columns.")
            % {"columns": ", ".join(missing)}
        )
    data_rows = rows[1:]
    if not data_rows:
        raise ImportFileError(_("The file has column names but no people."))
    result = []
    for line, cells in data_rows:
        values = {}
        for name, cell in zip(columns, cells, strict=False):
            if name in COLUMNS and name not in values:
                if "\x00" in str(cell):
                    # A damaged or binary file; PostgreSQL could not store it either.
                    raise ImportFileError(
                        _(
                            "Line %(line)d holds a character that is not allowed. Save the "
                            "file again as .csv or .xlsx and upload it again."
                        )
                        % {"line": line}
                    )
                # Cleaned as the forms clean (kampung.text), before buses and statuses are read.
                values[name] = clean_text(cell, multiline=name == "notes")
        result.append((line, values))
    return result


def _refusal(refused: sheet_reader.TableRefused) -> ImportFileError:
    """The reader's reason in words: 413 for what is too large, 422 for the wrong file."""
    if refused.reason == "rows":
        return ImportFileError(
            _("The file has more than %(max)d rows; at most %(max)d can be imported at once.")
            % {"max": MAX_ROWS}
        )
    if refused.reason == "columns":
        return ImportFileError(
            _(
                "The file has more than %(max)d columns. Is it the list of participants? Remove "
                "the other columns and upload it again."
            )
            % {"max": LIMITS.columns}
        )
    if refused.reason == "cell":
        return ImportFileError(
            _(
                "Line %(line)d has a cell of more than %(max)d characters. Shorten it and upload "
                "the file again."
            )
            % {"line": refused.line, "max": LIMITS.cell},
            status=413,
        )
    if refused.reason in ("text", "unpacked"):
        return ImportFileError(
            _(
                "This file is too large to open: it holds far more than a list of participants. "
                "Save only the list in a new file (.xlsx, .xls, .ods or .csv) and upload it again."
            ),
            status=413,
        )
    if refused.reason == "password":
        return ImportFileError(
            _("This file is protected with a password. Save it without one and upload it again.")
        )
    return ImportFileError(
        _("This file could not be read as a spreadsheet (.xlsx, .xls, .xlsb or .ods).")
    )


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in Windows-1252; latin-1 takes the few bytes it lacks.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _delimiter(text: str) -> str:
    """The separator that splits the header into the most known columns; else csv's guess."""
    first_line = next(iter(text[:65536].splitlines()), "")
    known = {d: sum(normalise_header(h) in COLUMNS for h in first_line.split(d)) for d in ",;\t"}
    best = max(known, key=known.__getitem__)
    if known[best]:
        return best
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return list(sheet_reader.limited_rows(reader, LIMITS))
    except csv.Error:
        raise sheet_reader.TableRefused("unreadable") from None
