"""Strings stored before the input rules, or written by another path, straight into every
free-text column of the database: every export still downloads and opens in its reader, and
every page still answers, with nothing left that reverses or hides the text around it."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from kampung.extensions import db
from kampung.feedback import service as feedback
from kampung.feedback.models import Kind, Question
from tests.abuse.conftest import send
from tests.abuse.test_hostile_urls import _get_pages
from tests.feedback.helpers import good_answers

#: what once gave a 500 or a lie: a vertical tab (Word's line break), a right-to-left override,
#: a formula, a control, an escape sequence, a noncharacter, a zero-width space
NASTY = '\x0b\u202e=HYPERLINK("x")\x01\x1b[31m\uffff\u200bLubis\x7f\x9b'
#: what no export cell and no page may hold once written out
UNREADABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)

#: text columns that are not free text: secrets, keys and the app's own vocabulary
NOT_FREE_TEXT = {
    ("trip", "slug"),
    ("registration", "access_token"),
    ("registration", "checkin_code"),
    ("user", "password_hash"),
    ("staff_session", "token_hash"),
    ("staff_link", "token_hash"),
    ("check_in", "nonce"),
    ("scan_log", "nonce"),
    ("scan_log", "outcome"),
}


def free_text_columns() -> list[sa.Column]:
    """Every String and Text column, less keys, secrets and columns a CHECK holds to a list."""
    columns = []
    for table in db.metadata.sorted_tables:
        checked = " ".join(
            str(c.sqltext) for c in table.constraints if isinstance(c, sa.CheckConstraint)
        )
        for column in table.columns:
            if not isinstance(column.type, sa.String) or column.primary_key or column.foreign_keys:
                continue
            listed = re.search(rf"\b{column.name}\b", checked)
            if (table.name, column.name) in NOT_FREE_TEXT or listed:
                continue
            columns.append(column)
    return columns


def poison(column: sa.Column) -> int:
    """NASTY in every row where the column holds a text, fitted to its length, a row number
    keeping unique values apart; straight SQL, as data from before these rules would be.
    Returns the number of rows."""
    table = column.table
    key = next(iter(table.primary_key.columns))
    ids = db.session.scalars(sa.select(key).where(column.is_not(None))).all()
    length = column.type.length or 200
    for n, row_id in enumerate(ids):
        suffix = f" {n}" if length > 10 else ""
        value = NASTY[: length - len(suffix)] + suffix
        db.session.execute(sa.update(table).where(key == row_id).values({column.name: value}))
    return len(ids)


@pytest.fixture
def poisoned_world(world):
    """The abuse world, with a choice question answered, then every free-text column poisoned."""
    survey = world["survey"]
    options = [{"id": "Ya", "en": "Yes"}, {"id": "Tidak", "en": "No"}]
    choice = feedback.add_question(
        survey, feedback.QuestionData(kind=Kind.single, text="Ikut lagi?", options=options)
    )
    answers = good_answers(survey, text="Bank sampah RT") | {choice.id: ["0"]}
    feedback.submit(survey, world["bob"], answers)
    db.session.get(Question, choice.id).options = [{"id": NASTY, "en": NASTY}, options[1]]
    touched = {f"{c.table.name}.{c.name}": poison(c) for c in free_text_columns()}
    db.session.commit()
    db.session.expire_all()
    # The world must hold a row in the tables whose texts the exports and pages show.
    for name in ("registration.full_name", "answer.value_text", "question.text", "bus.name"):
        assert touched[name] > 0, name
    assert "user.display_name" in touched and "check_in.device" in touched
    return world


def export_urls(app, slug: str) -> list[str]:
    """Every download of the app (a route ending in .csv or .xlsx), for this trip."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.endswith((".csv", ".xlsx"))]
    assert len(rules) >= 4
    return [r.build({"slug": slug})[1] for r in rules]


def read_cells(url: str, body: bytes) -> list:
    if url.endswith(".csv"):
        text = body.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    book = load_workbook(io.BytesIO(body))
    return [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


def test_every_export_opens_whatever_the_database_holds(app, poisoned_world):
    world = poisoned_world
    for url in export_urls(app, world["slug"]):
        response = send(app, world["clients"]["admin"], "GET", url)
        assert response.status_code == 200, f"{url} -> {response.status_code}"
        texts = [c for c in read_cells(url, response.data) if isinstance(c, str)]
        assert any("Lubis" in t for t in texts), f"{url} lost the stored text"
        assert not [t for t in texts if UNREADABLE.search(t)], f"{url} holds control characters"
        # The formula behind the invisible start is still defused.
        risky = [t for t in texts if t.lstrip()[:1] in ("=", "@")]
        assert risky == [], f"{url} would run {risky[:3]}"


def test_every_page_answers_whatever_the_database_holds(app, poisoned_world):
    world = poisoned_world
    for actor in ("admin", "organiser", "chair", "anonymous"):
        for url in _get_pages(app, world):
            response = send(app, world["clients"][actor], "GET", url)
            assert response.status_code < 500, f"{actor} {url} -> {response.status_code}"
            if response.mimetype == "text/html":
                body = response.get_data(as_text=True)
                found = UNREADABLE.search(body)
                assert found is None, f"{actor} {url} shows {found.group()!r}"
                # Nor in the ready messages of its WhatsApp links (U+202E, URL-encoded).
                assert "%E2%80%AE" not in body, f"{actor} {url} sends an override"
