"""The exports open in real readers, one row per response, averages as on the dashboard."""

import csv
import io
from statistics import mean

import openpyxl
import pytest

from kampung.feedback import service
from kampung.feedback.models import Kind
from kampung.review import export
from kampung.review import service as review
from tests.conftest import log_in
from tests.feedback.helpers import good_answers, open_survey, participants, question


@pytest.fixture
def answered(trip):
    survey = open_survey(trip)
    people = participants(trip, 4)
    for i, (rating, text) in enumerate([(5, "Bank sampah"), (4, "=1+1"), (2, "@SUM(A1)"), (4, "")]):
        service.submit(survey, people[i], good_answers(survey, rating=rating, nps=i + 6, text=text))
    return survey


def read_csv(client, slug) -> list[dict]:
    response = client.get(f"/manage/{slug}/feedback.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def read_xlsx(client, slug) -> list[dict]:
    response = client.get(f"/manage/{slug}/feedback.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("reader", [read_csv, read_xlsx])
def test_export_has_one_row_per_response_and_the_dashboards_averages(
    app, client, chair, answered, reader
):
    survey = answered
    log_in(client, chair)
    rows = reader(client, survey.trip.slug)
    assert len(rows) == 4
    with app.test_request_context():
        summaries = {s.question.id: s for s in review.summarise(survey)}
        columns = {q.id: export.column_name(q) for q in survey.questions}
    for q in survey.questions:
        if q.kind in (Kind.rating, Kind.nps):
            values = [float(r[columns[q.id]]) for r in rows]
            assert mean(values) == pytest.approx(summaries[q.id].average)
    dashboard = client.get(f"/manage/{survey.trip.slug}/review").get_data(as_text=True)
    first = question(survey, Kind.rating)
    shown = f"{summaries[first.id].average:.1f}".replace(".", ",")
    assert shown == "3,8" and shown in dashboard
    texts = {r[question(survey, Kind.long_text).text] for r in rows}
    assert {"'=1+1", "'@SUM(A1)", "Bank sampah"} <= texts
    assert {r["Nama"] for r in rows} == {f"Peserta Uji {i}" for i in range(1, 5)}


def test_anonymous_export_has_no_names(client, chair, trip):
    survey = open_survey(trip, anonymous=True)
    people = participants(trip, 5)  # the first batch an anonymous survey shows
    for registration in people:
        service.submit(survey, registration, good_answers(survey))
    log_in(client, chair)
    rows = read_csv(client, trip.slug)
    assert len(rows) == 5 and "Nama" not in rows[0]
    assert not any(p.full_name in str(rows) for p in people)
