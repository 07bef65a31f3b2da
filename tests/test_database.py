"""The database plumbing: SQLite's write lock, held from a transaction's first write to its
end; the scan's statements run on the driver's cursor; one connection and one unit of work
per request."""

import fcntl
import os
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

import kampung.database  # noqa: F401  (installs the SQLite connection hooks)


def lock_is_free(path) -> bool:
    """What another gunicorn worker would find: a second open file, asking without waiting."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_a_write_holds_the_lock_until_commit_or_rollback_and_a_read_never_takes_it(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'kampung.db'}")
    lock = tmp_path / "kampung.db.writelock"
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA synchronous")).scalar() == 2  # FULL
        conn.execute(sa.text("CREATE TABLE hit (id INTEGER PRIMARY KEY)"))
        conn.commit()
        conn.execute(sa.text("SELECT count(*) FROM hit")).scalar()
        assert lock_is_free(lock)
        conn.execute(sa.text("INSERT INTO hit DEFAULT VALUES"))
        assert not lock_is_free(lock)
        conn.commit()
        assert lock_is_free(lock)
        conn.execute(sa.text("UPDATE hit SET id = 2"))
        assert not lock_is_free(lock)
        conn.rollback()
        assert lock_is_free(lock)
        conn.execute(sa.text("DELETE FROM hit"))
    # A connection given back to the pool mid-transaction is rolled back: the lock goes too.
    assert lock_is_free(lock)
    engine.dispose()


# --- The scan's direct statements (kampung/driver_sql.py) and the request's connection ----------


def _log_insert():
    from kampung.checkin.models import ScanLog
    from kampung.driver_sql import DriverStatement

    columns = ["code", "outcome", "detail", "device", "nonce", "scanned_at", "received_at"]
    return DriverStatement(sa.insert(ScanLog.__table__), columns=columns)


def _log_values(nonce: str, at):
    return {
        "code": "x",
        "outcome": "invalid",
        "detail": "",
        "device": "A",
        "nonce": nonce,
        "scanned_at": at,
    }


def test_a_driver_statement_stores_and_reads_values_as_sqlalchemy_does(app, trip):
    from kampung.checkin.models import ScanLog
    from kampung.database import connection as request_connection
    from kampung.driver_sql import DriverStatement
    from kampung.extensions import db

    at = datetime(2026, 12, 12, 6, 12, 5, 123456, tzinfo=timezone(timedelta(hours=7)))
    connection = request_connection()
    _log_insert().execute(connection, **_log_values("n-1", at), received_at=at)
    read = DriverStatement(
        sa.select(ScanLog.nonce, ScanLog.scanned_at, ScanLog.trip_id).where(
            ScanLog.nonce == sa.bindparam("nonce")
        )
    )
    row = read.first(connection, nonce="n-1")
    assert row.nonce == "n-1" and row.trip_id is None
    assert row.scanned_at == at and row.scanned_at.tzinfo == UTC
    assert read.first(connection, nonce="nobody's") is None
    db.session.commit()
    # The ORM reads what the driver wrote, in the same form.
    stored = db.session.scalar(sa.select(ScanLog).where(ScanLog.nonce == "n-1"))
    assert stored.scanned_at == at and stored.received_at == at


def test_a_driver_statement_raises_sqlalchemys_errors(app, trip, organiser):
    from kampung.checkin.models import CheckIn
    from kampung.database import connection as request_connection
    from kampung.driver_sql import DriverStatement
    from kampung.extensions import db
    from kampung.signup.service import register
    from tests.conftest import person

    registration = register(trip, person(1)).registration
    insert = DriverStatement(
        sa.insert(CheckIn.__table__),
        columns=[
            "registration_id",
            "checkpoint_id",
            "scanned_at",
            "received_at",
            "nonce",
            "device",
            "undo_reason",
        ],
    )
    now = datetime.now(UTC)
    values = {"registration_id": registration.id, "checkpoint_id": trip.checkpoints[0].id}
    values |= {"scanned_at": now, "received_at": now, "device": "A", "undo_reason": ""}
    connection = request_connection()
    insert.execute(connection, **values, nonce="n-1")
    with pytest.raises(sa.exc.IntegrityError):
        insert.execute(connection, **values, nonce="n-2")  # a second active check-in
    db.session.rollback()


def test_a_driver_statement_needs_a_transaction_and_bound_parameters(app):
    from kampung.checkin.models import ScanLog
    from kampung.driver_sql import DriverStatement
    from kampung.extensions import db

    with db.engine.connect() as connection, pytest.raises(RuntimeError):
        _log_insert().execute(connection, **_log_values("n-1", datetime.now(UTC)))
    with db.engine.begin() as connection, pytest.raises(ValueError):
        DriverStatement(sa.select(ScanLog.id).limit(1)).first(connection)
    with db.engine.begin() as connection, pytest.raises(ValueError):  # device has a default
        DriverStatement(sa.insert(ScanLog.__table__), columns=["code"]).execute(
            connection, code="x"
        )


def test_the_request_connection_ends_with_its_context_and_keeps_only_what_was_committed(app):
    from kampung.checkin.models import ScanLog
    from kampung.database import connection as request_connection
    from kampung.extensions import db

    at = datetime.now(UTC)
    for nonce, commit in (("kept", True), ("dropped", False)):
        with app.app_context():
            connection = request_connection()
            assert request_connection() is connection and connection.in_transaction()
            _log_insert().execute(connection, **_log_values(nonce, at), received_at=at)
            if commit:
                db.session.commit()
                # A commit keeps the connection: the next statement runs on the same one.
                assert request_connection() is connection
        assert connection.closed
    nonces = db.session.scalars(sa.select(ScanLog.nonce)).all()
    assert nonces == ["kept"]
