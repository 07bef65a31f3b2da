"""Exporting the roster: read back with Python's csv and openpyxl, formulas defused."""

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from kampung.checkin.service import check_in
from kampung.extensions import db
from kampung.manage.export import COLUMNS, roster_rows
from kampung.signup import service as signup
from tests.conftest import log_in, person

HOSTILE = {
    "full_name": '=HYPERLINK("http://evil","klik")',
    "kelurahan": "+SUM(1,2)",
    "role": "-2+3",
    "notes": "@cmd|' /C calc'!A0",
    "emergency_name": "\tTab",
}


def seed(trip):
    signup.register(trip, person(1, emergency_phone="+6281399998888"))
    hostile = signup.register(trip, person(2, **HOSTILE)).registration
    signup.cancel(hostile)
    return hostile


def test_csv_export_has_the_roster_columns_and_defused_formulas(client, organiser, trip):
    registration = seed(trip)
    log_in(client, organiser)
    response = client.get(f"/manage/{trip.slug}/participants.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == [*COLUMNS, "Keberangkatan Jambi", "Kepulangan Bengkulu"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["phone"] == person(1)["phone"]
    assert first["emergency_phone"] == "+6281399998888"
    assert (first["bus"], first["status"], first["rt"]) == ("Bus 1", "registered", "5")
    hostile = dict(zip(rows[0], rows[2], strict=True))
    for column, value in HOSTILE.items():
        assert hostile[column] == "'" + value
    assert hostile["status"] == "cancelled"
    # The personal link is the participant's alone: never in an export.
    assert registration.access_token not in response.get_data(as_text=True)


def test_xlsx_export_reads_back_with_text_phones(client, chair, trip):
    seed(trip)
    log_in(client, chair)
    response = client.get(f"/manage/{trip.slug}/participants.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*COLUMNS, "Keberangkatan Jambi", "Kepulangan Bengkulu"]
    phone_cell = sheet.cell(row=2, column=COLUMNS.index("phone") + 1)
    assert (phone_cell.value, phone_cell.data_type) == (person(1)["phone"], "s")
    for column, value in HOSTILE.items():
        cell = sheet.cell(row=3, column=COLUMNS.index(column) + 1)
        assert (cell.value, cell.data_type) == ("'" + value, "s")


def test_roster_rows_is_one_place_for_both_formats(trip):
    seed(trip)
    header, rows = roster_rows(trip)
    assert header == [*COLUMNS, "Keberangkatan Jambi", "Kepulangan Bengkulu"]
    assert [row[len(COLUMNS) - 1] for row in rows] == ["registered", "cancelled"]


def test_each_checkpoint_column_holds_the_check_in_time_in_wib(trip, organiser):
    registration = signup.register(trip, person(1)).registration
    departure = trip.checkpoints[0]
    scanned_at = datetime(2026, 12, 11, 23, 12, tzinfo=UTC)
    result = check_in(
        registration.checkin_code,
        departure.id,
        organiser,
        scanned_at,
        nonce="n-1",
        device="HP Rina",
        now=scanned_at + timedelta(seconds=3),
    )
    assert result.outcome == "ok"
    header, rows = roster_rows(trip)
    row = dict(zip(header, rows[0], strict=True))
    assert row["Keberangkatan Jambi"] == "2026-12-12 06:12"
    assert row["Kepulangan Bengkulu"] == ""


def test_anonymous_cannot_export(client, trip):
    assert client.get(f"/manage/{trip.slug}/participants.csv").status_code == 302
    db.session.rollback()


def test_sign_ups_named_with_a_control_character_and_an_override_export_and_read_right(
    app, client, admin, trip
):
    """Names pasted with Word's line break (U+000B) and with a right-to-left override: every
    export downloads and opens, and the roster shows the names as they read."""
    from tests.feedback.helpers import as_form, good_answers, open_survey

    survey = open_survey(trip)
    typed = {"Budi\x0bSantoso": "0812-1111-2222", "\u202eSiti Aminah": "0813-3333-4444"}
    for name, phone in typed.items():
        form = {
            "full_name": name,
            "phone": phone,
            "kecamatan": "Jelutung",
            "kelurahan": "Payo Lebar",
            "rt": "5",
            "consent": "y",
        }
        signed_up = app.test_client().post_form(f"/e/{trip.slug}", form)
        assert signed_up.status_code == 303
        answers = as_form(good_answers(survey, text="Bank\x0bsampah\u202e RT"))
        answered = client.post_form(signed_up.headers["Location"] + "/feedback", answers)
        assert answered.status_code == 303
    log_in(client, admin)
    for path in ("participants.csv", "participants.xlsx", "feedback.csv", "feedback.xlsx"):
        response = client.get(f"/manage/{trip.slug}/{path}")
        assert response.status_code == 200, path
        if path.endswith(".xlsx"):
            sheet = load_workbook(io.BytesIO(response.get_data())).active
            cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
        else:
            text = response.get_data().decode("utf-8-sig")
            cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
        assert {"Budi Santoso", "Siti Aminah"} <= set(cells), path
    roster = client.get(f"/manage/{trip.slug}/participants").get_data(as_text=True)
    assert "<bdi>Budi Santoso</bdi>" in roster and "<bdi>Siti Aminah</bdi>" in roster
    assert "\u202e" not in roster
