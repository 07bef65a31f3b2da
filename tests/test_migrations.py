"""Migrations that change data: rows written before them come out as the models expect."""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from kampung import create_app
from kampung.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request, tmp_path):
    """The URL of a database with nothing in it yet, not even the schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    server = sa.make_url(server_url)
    name = f"kampung_migration_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def revision_before(revision: str) -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def insert(conn, table_name: str, **values) -> int:
    """A row as an older version of the app wrote it: the given values, and a plain value in
    every other required column of the table as it stands at that revision."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    # Reflected as plain DateTime: stored as the app stores times, UTC without a zone.
    at = datetime(2026, 1, 1)  # noqa: DTZ001
    plain = {sa.String: "", sa.Integer: 0, sa.Boolean: False, sa.DateTime: at}
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        if column.server_default is None:
            kind = next(k for k in plain if isinstance(column.type, k))
            values[column.name] = plain[kind]
    return conn.execute(sa.insert(table).values(values).returning(table.c.id)).scalar_one()


def test_search_names_are_filled_for_people_registered_before(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "TESTING": True})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision=revision_before("0005_search_name"))
        names = ["Ahmad Lu\u200bbis", "\u202eSiti Rahmawati", "ＤＥＷＩ Lubіs", ""]
        with db.engine.begin() as conn:
            trip = insert(conn, "trip", slug="lama", title="Lama")
            for i, name in enumerate(names):
                insert(
                    conn,
                    "registration",
                    trip_id=trip,
                    full_name=name,
                    phone=f"+6281300000{i:03d}",
                    status="registered",
                    access_token=f"a{i}",
                    checkin_code=f"c{i}",
                )
        upgrade(directory=str(MIGRATIONS))
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT search_name FROM registration ORDER BY id"))
            assert [row[0] for row in rows] == ["ahmad lubis", "siti rahmawati", "dewi lubis", ""]
        db.engine.dispose()


def test_upgrading_a_database_with_a_trip_in_it_loses_no_row(empty_database):
    """A trip of the first release (people, check-ins, survey answers) upgraded to today's
    schema keeps every row: a migration that rebuilds a table (SQLite's batch mode) must not
    cascade deletes into the rows that refer to it."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "TESTING": True})
    first = "0003_feedback"
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision=first)
        with db.engine.begin() as conn:
            trip = insert(conn, "trip", slug="lama", title="Lama")
            checkpoint = insert(conn, "checkpoint", trip_id=trip, name="Berangkat")
            user = insert(conn, "user", username="rina", password_hash="x", role="organiser")
            survey = insert(conn, "survey", trip_id=trip)
            question = insert(
                conn, "question", survey_id=survey, kind="long_text", text="Usul?", options="[]"
            )
            for i in range(3):
                registration = insert(
                    conn,
                    "registration",
                    trip_id=trip,
                    full_name=f"Peserta {i}",
                    phone=f"+6281300001{i:03d}",
                    status="registered",
                    access_token=f"a{i}",
                    checkin_code=f"c{i}",
                )
                insert(
                    conn,
                    "check_in",
                    registration_id=registration,
                    checkpoint_id=checkpoint,
                    organiser_id=user,
                    nonce=f"n{i}",
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO response (id, survey_id, registration_id) VALUES (:r, :s, :p)"
                    ),
                    {"r": f"r{i}", "s": survey, "p": registration},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO answer (id, response_id, question_id, value_text) "
                        "VALUES (:a, :r, :q, 'Bank sampah')"
                    ),
                    {"a": f"a{i}", "r": f"r{i}", "q": question},
                )
        tables = ["trip", "checkpoint", "user", "registration", "check_in", "response", "answer"]

        def counts() -> dict[str, int]:
            with db.engine.connect() as conn:
                return {t: conn.scalar(sa.text(f'SELECT count(*) FROM "{t}"')) for t in tables}

        before = counts()
        upgrade(directory=str(MIGRATIONS))
        assert counts() == before
        db.engine.dispose()
