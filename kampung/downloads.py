"""Every file the app hands out (roster, survey answers, ...) goes through download(): an
attachment, its type from its name, and never kept by a browser or a proxy (personal data)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from kampung import spreadsheets

TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
    "pdf": "application/pdf",
    "json": "application/json",
}


def download(body: bytes, filename: str) -> Response:
    extension = filename.rsplit(".", 1)[-1].lower()
    response = Response(body, mimetype=TYPES.get(extension, "application/octet-stream"))
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def spreadsheet(header: list[str], rows: list[list], filename: str, sheet: str) -> Response:
    """The table as CSV or XLSX, by the file name's extension (kampung.spreadsheets writes it)."""
    if filename.endswith(".xlsx"):
        return download(spreadsheets.to_xlsx(header, rows, sheet), filename)
    return download(spreadsheets.to_csv(header, rows), filename)
