"""One connection and one unit of work per request: services compose into one transaction,
the scan's driver statements run on the request's connection and are seen by query counters,
only a unique violation counts as a lost race, and SQLite's write lock holds across threads."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from kampung.auth.models import StaffRole
from kampung.checkin import service as checkin
from kampung.database import in_transaction, is_unique_violation, transaction
from kampung.extensions import db
from kampung.signup.models import Registration
from kampung.signup.service import DuplicatePhone, register
from tests.conftest import log_in, person
from tests.test_database import lock_is_free


def _names() -> list[str]:
    """The registrations saved, read over a connection of its own (what another worker sees)."""
    with db.engine.connect() as conn:
        return sorted(conn.scalars(sa.select(Registration.full_name)))


class Boom(Exception):
    pass


def test_a_service_inside_another_unit_commits_with_it(trip):
    with transaction():
        register(trip, person(1))
        register(trip, person(2))
        # The inner units were savepoints: nothing is visible to others before the outer ends.
        assert _names() == []
        assert in_transaction()
    assert _names() == ["Peserta Uji 1", "Peserta Uji 2"]
    assert not in_transaction()


def test_a_unit_that_raises_undoes_the_services_inside_it(trip):
    with pytest.raises(Boom), transaction():
        register(trip, person(1))
        register(trip, person(2))
        raise Boom()
    assert _names() == []
    # The session works on: the next unit commits as usual.
    register(trip, person(3))
    assert _names() == ["Peserta Uji 3"]


def test_a_refused_inner_unit_undoes_only_its_own_writes(trip):
    with transaction():
        register(trip, person(1))
        with pytest.raises(DuplicatePhone):
            register(trip, person(1, full_name="Nomor Sama"))
        register(trip, person(2))
    assert _names() == ["Peserta Uji 1", "Peserta Uji 2"]


def _in_a_thread(work):
    """Run `work` in a thread of its own: a request there gets an app context of its own, as
    under gunicorn (the test's own context would otherwise be shared)."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed back to the test
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_a_staff_request_checks_out_one_pooled_connection(app, client, organiser, trip):
    code = register(trip, person(1)).registration.checkin_code
    log_in(client, organiser)
    scanner = f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}"
    roster = f"/manage/{trip.slug}/participants"
    checkouts: list[int] = []
    listener = lambda *args: checkouts.append(1)  # noqa: E731
    event.listen(db.engine, "checkout", listener)
    try:
        db.session.remove()  # the test's own session lets its connection go
        checkouts.clear()
        page = _in_a_thread(lambda: client.get(roster))
        assert page.status_code == 200 and len(checkouts) == 1
        checkouts.clear()
        # A scan from the plain form: reads the account, writes, commits, then draws the page.
        scan = _in_a_thread(lambda: client.post_form(scanner, {"code": code}))
        assert scan.status_code == 200 and "Berhasil" in scan.get_data(as_text=True)
        assert len(checkouts) == 1
    finally:
        event.remove(db.engine, "checkout", listener)


def test_the_scans_statements_are_seen_by_the_query_counters(trip, organiser):
    (reg,) = [register(trip, person(1)).registration]
    statements: list[str] = []
    listener = lambda conn, cursor, sql, *rest: statements.append(sql)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = checkin.check_in(reg.checkin_code, trip.checkpoints[0].id, organiser)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert result.outcome == checkin.Outcome.ok
    written = [sql.split("(")[0].strip() for sql in statements if sql.startswith("INSERT")]
    assert written == ["INSERT INTO check_in", "INSERT INTO scan_log"]
    assert any("FROM checkpoint" in sql for sql in statements)


class _Ghost(StaffRole):
    """A staff member whose account no longer exists: a broken foreign key, not a race."""

    id = 987654
    username = "ghost"
    display_name = ""
    role = "organiser"


def test_a_broken_constraint_is_raised_not_retried_as_a_lost_race(trip):
    (reg,) = [register(trip, person(1)).registration]
    with pytest.raises(IntegrityError) as raised:
        checkin.check_in(reg.checkin_code, trip.checkpoints[0].id, _Ghost())
    assert not is_unique_violation(raised.value)
    # Nothing half-saved: neither the check-in nor the log line.
    with db.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM check_in")) == 0
        assert conn.scalar(sa.text("SELECT count(*) FROM scan_log")) == 0


def test_a_second_registration_of_a_phone_is_a_unique_violation(trip):
    register(trip, person(1))
    with pytest.raises(IntegrityError) as raised, transaction():
        db.session.add(Registration(trip_id=trip.id, **person(1, full_name="Dua Kali")))
        db.session.flush()
    assert is_unique_violation(raised.value)


# --- SQLite's write lock between threads of one process ----------------------------------------


def test_the_sqlite_write_lock_queues_threads_of_one_process(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'kampung.db'}")
    lock = tmp_path / "kampung.db.writelock"
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE hit (id INTEGER PRIMARY KEY, who TEXT)"))
    first_writes = threading.Event()
    first_may_commit = threading.Event()
    second_wrote = threading.Event()
    second_may_commit = threading.Event()
    seen: dict[str, bool] = {}

    def first():
        with engine.connect() as conn:
            conn.execute(sa.text("INSERT INTO hit (who) VALUES ('first')"))
            first_writes.set()
            first_may_commit.wait(10)
            conn.commit()

    def second():
        first_writes.wait(10)
        with engine.connect() as conn:
            conn.execute(sa.text("INSERT INTO hit (who) VALUES ('second')"))
            second_wrote.set()
            second_may_commit.wait(10)
            conn.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_writes.wait(10)
    # The second writer waits for the first, in the lock, not in SQLite's busy loop.
    assert not second_wrote.wait(0.5)
    first_may_commit.set()
    assert second_wrote.wait(10)
    # Its own lock, not the first thread's: another process still finds it taken.
    seen["held while the second writes"] = not lock_is_free(lock)
    second_may_commit.set()
    for thread in threads:
        thread.join(10)
    seen["free after both"] = lock_is_free(lock)
    assert seen == {"held while the second writes": True, "free after both": True}
    engine.dispose()


def test_a_savepoint_on_sqlite_neither_commits_early_nor_skips_the_lock(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'kampung.db'}")
    lock = tmp_path / "kampung.db.writelock"
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE hit (id INTEGER PRIMARY KEY)"))

    def count() -> int:
        with engine.connect() as other:
            return other.scalar(sa.text("SELECT count(*) FROM hit"))

    with engine.connect() as conn:
        conn.execute(sa.text("SELECT count(*) FROM hit"))  # a read opens no write transaction
        with conn.begin_nested():
            assert not lock_is_free(lock)
            conn.execute(sa.text("INSERT INTO hit DEFAULT VALUES"))
        # Releasing the savepoint kept the outer transaction open.
        assert count() == 0 and not lock_is_free(lock)
        conn.commit()
    assert count() == 1 and lock_is_free(lock)
    engine.dispose()
