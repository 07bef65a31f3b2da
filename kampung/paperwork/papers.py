"""The papers themselves: what each page shows (from kampung.paperwork.service), the same
papers as spreadsheets, and the archive bundle of them all as files that stand alone."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from flask import current_app, render_template
from flask_babel import gettext as _

from kampung import spreadsheets
from kampung.i18n import WIB, wib_date, wib_datetime, wib_time
from kampung.models import Bus, Checkpoint, Trip
from kampung.paperwork import service
from kampung.spreadsheets import RUPIAH_FORMAT, Sheet

#: who issues the papers; the heading of every one
CITY = "Kota Jambi"
PROGRAMME = "Kampung Bahagia"


def common() -> dict:
    return {"city": CITY, "programme": PROGRAMME}


def checkpoint_day(trip: Trip, checkpoint: Checkpoint, scans: list[datetime]) -> datetime | None:
    """The day a checkpoint's list attests: that of its first scan; before any scan, the
    departure day for the first checkpoint and the return day for the last (else left blank)."""
    if scans:
        return min(scans)
    if checkpoint is trip.checkpoints[0]:
        return trip.departs_at
    if checkpoint is trip.checkpoints[-1]:
        return trip.returns_at
    return None


def daftar_hadir(trip: Trip, checkpoint: Checkpoint, bus: Bus | None) -> dict:
    groups = service.attendance(checkpoint, bus.id if bus else None)
    scans = [row.scanned_at for rows in groups.values() for row in rows if row.scanned_at]
    return {
        **common(),
        "trip": trip,
        "checkpoint": checkpoint,
        "bus": bus,
        "groups": groups,
        "day": checkpoint_day(trip, checkpoint, scans),
    }


def travel_proof(trip: Trip) -> dict:
    passages = service.travel_proof(trip)
    seated = passages[0].seated if passages else trip.count_by_status()["registered"]
    return {**common(), "trip": trip, "passages": passages, "seated": seated}


def receipts(trip: Trip) -> dict:
    return {
        **common(),
        "trip": trip,
        "paid": service.receipts(trip),
        "calendar_days": service.calendar_days(trip),
    }


# --- Spreadsheets ---------------------------------------------------------------------------------


def receipts_sheet(trip: Trip) -> Sheet:
    paid = service.receipts(trip)
    days, rate = paid.terms.days, paid.terms.rate or 0
    return Sheet(
        title=_("Per diem"),
        heading=[
            _("City government of %(city)s", city=CITY),
            _("Per-diem receipt list"),
            trip.title,
            f"{wib_date(trip.departs_at)} – {wib_date(trip.returns_at)}",
        ],
        header=[
            _("No."),
            _("Name"),
            "RT/RW",
            _("Kelurahan"),
            _("Days"),
            _("Rate (Rp)"),
            _("Total (Rp)"),
            _("Signature"),
        ],
        rows=[
            [i, row.full_name, row.rt_rw, row.kelurahan, days, rate, days * rate, ""]
            for i, row in enumerate(paid.rows, 1)
        ],
        footer=[["", _("Grand total"), "", "", "", "", paid.total, ""]],
        formats={5: RUPIAH_FORMAT, 6: RUPIAH_FORMAT},
        widths={0: 5, 1: 32, 2: 9, 3: 22, 4: 6, 5: 14, 6: 16, 7: 22},
    )


def receipts_xlsx(trip: Trip) -> bytes:
    return spreadsheets.to_workbook([receipts_sheet(trip)])


def attendance_xlsx(trip: Trip) -> bytes:
    """The daftar hadir of every checkpoint, one sheet each, every bus in it."""
    sheets = []
    for checkpoint in trip.checkpoints:
        groups = service.attendance(checkpoint)
        rows = [
            [
                i,
                row.full_name,
                row.rt_rw,
                row.kelurahan,
                bus,
                wib_time(row.scanned_at),
                row.scanned_by,
                "",
            ]
            for bus, people in groups.items()
            for i, row in enumerate(people, 1)
        ]
        sheets.append(
            Sheet(
                title=checkpoint.name,
                heading=[
                    _("City government of %(city)s", city=CITY),
                    _("Attendance list"),
                    trip.title,
                    checkpoint.name,
                ],
                header=[
                    _("No."),
                    _("Name"),
                    "RT/RW",
                    _("Kelurahan"),
                    _("Bus"),
                    _("Time"),
                    _("Scanned by"),
                    _("Signature"),
                ],
                rows=rows,
                widths={0: 5, 1: 32, 2: 9, 3: 22, 4: 10, 5: 8, 6: 16, 7: 22},
            )
        )
    return spreadsheets.to_workbook(sheets)


def travel_proof_xlsx(trip: Trip) -> bytes:
    passages = service.travel_proof(trip)
    return spreadsheets.to_workbook(
        [
            Sheet(
                title=_("Proof of travel"),
                heading=[_("Group proof of travel"), trip.title],
                header=[_("Checkpoint"), _("First scan"), _("Last scan"), _("People counted")],
                rows=[
                    [
                        p.checkpoint.name,
                        wib_datetime(p.first_at),
                        wib_datetime(p.last_at),
                        p.present,
                    ]
                    for p in passages
                ],
                widths={0: 28, 1: 34, 2: 34, 3: 10},
            )
        ]
    )


# --- The archive bundle ---------------------------------------------------------------------------


def _standalone(template: str, context: dict) -> bytes:
    css = Path(str(current_app.static_folder), "css", "paper.css").read_text()
    return render_template(template, standalone=True, paper_css=css, **context).encode()


def _file_name(text: str) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in kept.split("-") if part) or "titik"


def archive(trip: Trip, locale: str = "id") -> bytes:
    """Every paper as a print-ready HTML file (its CSS inside) and as XLSX, zipped in memory."""
    from kampung.paperwork import laporan, word  # the report builds on these papers' heading

    files: dict[str, bytes] = {}
    for i, checkpoint in enumerate(trip.checkpoints, 1):
        name = f"daftar-hadir-{i}-{_file_name(checkpoint.name)}.html"
        files[name] = _standalone(
            "paperwork/daftar_hadir.html", daftar_hadir(trip, checkpoint, None)
        )
    files["daftar-hadir.xlsx"] = attendance_xlsx(trip)
    files["bukti-perjalanan.html"] = _standalone(
        "paperwork/bukti_perjalanan.html", travel_proof(trip)
    )
    files["bukti-perjalanan.xlsx"] = travel_proof_xlsx(trip)
    files["uang-harian.html"] = _standalone(
        "paperwork/uang_harian.html", {**receipts(trip), "form": None}
    )
    files["uang-harian.xlsx"] = receipts_xlsx(trip)
    report = laporan.report(trip, locale, datetime.now(WIB))
    files["laporan.html"] = _standalone("paperwork/laporan.html", report)
    files["laporan.docx"] = word.report_docx(report, locale)
    out = io.BytesIO()
    stamp = datetime.now(WIB).timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, body in files.items():
            info = zipfile.ZipInfo(f"{trip.slug}/{name}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, body)
    return out.getvalue()
