"""Staff sessions end on the server: a session cookie copied before logout, a password change or
a disabled account opens nothing afterwards, and an unused session ends by itself."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select, update

from kampung.auth import sessions
from kampung.auth.models import StaffSession, User
from kampung.database import transaction, utcnow
from kampung.extensions import db
from kampung.signup import service as signup
from tests.auth.conftest import (
    NEW_PASSWORD,
    browser_of,
    copy_of,
    get,
    post,
    roster_opens,
)
from tests.conftest import PASSWORD, person


def test_logout_ends_a_copied_session(app, organiser, trip_with_people):
    phone = browser_of(app, organiser)
    thief = copy_of(app, phone)
    assert roster_opens(app, thief, trip_with_people)

    assert post(app, phone, "/logout").status_code == 302

    assert not roster_opens(app, thief, trip_with_people)
    assert not roster_opens(app, phone, trip_with_people)


def test_logout_ends_only_that_browser(app, organiser, trip_with_people):
    phone, laptop = browser_of(app, organiser), browser_of(app, organiser)
    post(app, phone, "/logout")
    assert roster_opens(app, laptop, trip_with_people)


def test_own_password_change_ends_the_other_sessions_and_keeps_this_one(
    app, organiser, trip_with_people
):
    phone, laptop = browser_of(app, organiser), browser_of(app, organiser)
    thief = copy_of(app, laptop)

    response = post(
        app,
        phone,
        "/manage/password",
        {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert "Perangkat lain sudah dikeluarkan (1)" in get(app, phone, "/manage/password").get_data(
        as_text=True
    )

    assert not roster_opens(app, thief, trip_with_people)
    assert not roster_opens(app, laptop, trip_with_people)
    assert roster_opens(app, phone, trip_with_people)
    login = {"username": "organiser", "password": PASSWORD}
    assert post(app, app.test_client(), "/login", login).status_code == 401
    login["password"] = NEW_PASSWORD
    assert post(app, app.test_client(), "/login", login).status_code == 302


def test_own_password_change_needs_the_current_password(app, organiser, trip_with_people):
    phone, laptop = browser_of(app, organiser), browser_of(app, organiser)
    response = post(
        app,
        phone,
        "/manage/password",
        {"current": "bukan-ini-123", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 422
    assert "Ini bukan kata sandi Anda saat ini" in response.get_data(as_text=True)
    assert roster_opens(app, laptop, trip_with_people)
    assert db.session.get(User, organiser.id).check_password(PASSWORD)


def test_new_password_needs_eight_characters_typed_twice_alike(app, organiser):
    phone = browser_of(app, organiser)
    short = post(
        app, phone, "/manage/password", {"current": PASSWORD, "new": "pendek", "confirm": "pendek"}
    )
    assert short.status_code == 422
    assert "Paling sedikit 8 karakter" in short.get_data(as_text=True)
    differ = post(
        app,
        phone,
        "/manage/password",
        {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": "lain-lagi-789"},
    )
    assert differ.status_code == 422
    assert "Kedua kata sandi baru tidak sama" in differ.get_data(as_text=True)


def test_log_out_the_other_devices(app, organiser, trip_with_people):
    phone, laptop = browser_of(app, organiser), browser_of(app, organiser)
    page = get(app, phone, "/manage/password").get_data(as_text=True)
    assert page.count("Terakhir dipakai") == 2 and "perangkat ini" in page
    assert post(app, phone, "/manage/password/others").status_code == 302
    assert not roster_opens(app, laptop, trip_with_people)
    assert roster_opens(app, phone, trip_with_people)


def test_cli_password_change_ends_every_session(app, organiser, trip_with_people):
    phone = browser_of(app, organiser)
    thief = copy_of(app, phone)

    result = app.test_cli_runner().invoke(
        args=["user", "password", "organiser", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "1 session(s) ended" in result.output

    assert not roster_opens(app, thief, trip_with_people)
    assert not roster_opens(app, phone, trip_with_people)
    again = {"username": "organiser", "password": NEW_PASSWORD}
    assert post(app, app.test_client(), "/login", again).status_code == 302


def test_cli_password_is_asked_twice_and_needs_eight_characters(app, organiser):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["user", "password", "organiser"], input="pendek\npendek\n")
    assert short.exit_code != 0 and "at least 8 characters" in short.output
    asked = runner.invoke(
        args=["user", "password", "organiser"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )
    assert asked.exit_code == 0, asked.output
    db.session.expire_all()
    assert db.session.get(User, organiser.id).check_password(NEW_PASSWORD)
    unknown = runner.invoke(args=["user", "password", "siapa", "--password", NEW_PASSWORD])
    assert unknown.exit_code != 0 and "no user 'siapa'" in unknown.output


def test_cli_disable_ends_every_session_and_refuses_the_login(app, organiser, trip_with_people):
    phone = browser_of(app, organiser)
    thief = copy_of(app, phone)

    result = app.test_cli_runner().invoke(args=["user", "disable", "organiser"])
    assert result.exit_code == 0, result.output

    assert not roster_opens(app, thief, trip_with_people)
    assert not roster_opens(app, phone, trip_with_people)
    login = post(app, app.test_client(), "/login", {"username": "organiser", "password": PASSWORD})
    assert login.status_code == 403
    assert "Akun ini sudah dinonaktifkan" in login.get_data(as_text=True)

    enabled = app.test_cli_runner().invoke(args=["user", "enable", "organiser"])
    assert enabled.exit_code == 0, enabled.output
    assert not roster_opens(app, thief, trip_with_people), "an ended session stays ended"
    assert roster_opens(app, browser_of(app, organiser), trip_with_people)


def test_cli_disable_keeps_the_last_active_admin(app, admin):
    result = app.test_cli_runner().invoke(args=["user", "disable", "admin"])
    assert result.exit_code != 0 and "last active admin" in result.output
    db.session.expire_all()
    assert db.session.get(User, admin.id).disabled_at is None


def test_a_cookie_from_before_server_side_sessions_opens_nothing(app, organiser, trip_with_people):
    """The old cookie named the account alone: anyone holding one kept the account for 31 days."""
    signed = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": str(organiser.id), "_fresh": True}
    )
    old = app.test_client()
    old.set_cookie(app.config["SESSION_COOKIE_NAME"], signed)
    assert not roster_opens(app, old, trip_with_people)


# --- Idle sessions ---------------------------------------------------------------------------

NOON = datetime(2026, 1, 16, 5, 0, tzinfo=UTC)  # 12.00 WIB


def test_the_idle_rule():
    idle = timedelta(hours=12)
    assert not sessions.is_idle(NOON - timedelta(hours=11, minutes=59), NOON, idle)
    assert sessions.is_idle(NOON - timedelta(hours=12), NOON, idle)
    # The evening before a 06:00 departure to the bus: still logged in.
    evening = datetime(2026, 1, 15, 12, 30, tzinfo=UTC)  # 19.30 WIB
    departure = datetime(2026, 1, 15, 22, 45, tzinfo=UTC)  # 05.45 WIB
    assert not sessions.is_idle(evening, departure, idle)
    assert not sessions.needs_touch(NOON - timedelta(minutes=4), NOON)
    assert sessions.needs_touch(NOON - sessions.TOUCH_EVERY, NOON)


def _last_seen(user, when: datetime) -> None:
    with transaction():
        db.session.execute(
            update(StaffSession).where(StaffSession.user_id == user.id).values(last_seen_at=when)
        )


def test_a_session_unused_for_the_idle_time_is_refused(app, organiser, trip_with_people):
    phone = browser_of(app, organiser)
    _last_seen(organiser, utcnow() - timedelta(hours=12, minutes=1))
    assert not roster_opens(app, phone, trip_with_people)


def test_the_idle_time_is_set_in_the_configuration(app, organiser, trip_with_people):
    app.config["STAFF_IDLE_HOURS"] = 2
    phone = browser_of(app, organiser)
    _last_seen(organiser, utcnow() - timedelta(hours=1, minutes=50))
    assert roster_opens(app, phone, trip_with_people)
    _last_seen(organiser, utcnow() - timedelta(hours=2, minutes=1))
    assert not roster_opens(app, phone, trip_with_people)


@contextmanager
def counting_statements():
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _last_seen_of(user) -> datetime:
    with transaction():
        return db.session.scalar(
            select(StaffSession.last_seen_at).where(StaffSession.user_id == user.id)
        )


def test_use_keeps_a_session_alive_with_a_write_every_few_minutes_only(
    app, organiser, trip_with_people
):
    phone = browser_of(app, organiser)
    eleven_hours_ago = utcnow() - timedelta(hours=11)
    _last_seen(organiser, eleven_hours_ago)
    with counting_statements() as statements:
        assert roster_opens(app, phone, trip_with_people)
    assert [s for s in statements if s.lstrip().upper().startswith("UPDATE")] != []
    assert _last_seen_of(organiser) > utcnow() - timedelta(minutes=1)

    with counting_statements() as statements:
        for _ in range(3):
            assert roster_opens(app, phone, trip_with_people)
    assert [s for s in statements if s.lstrip().upper().startswith("UPDATE")] == []


def _account_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "staff_session" in s or 'FROM "user"' in s or "FROM user" in s]


def test_the_account_is_read_with_one_statement_per_request(app, organiser, trip_with_people):
    phone = browser_of(app, organiser)
    get(app, phone, "/manage/")
    with counting_statements() as statements:
        assert get(app, phone, f"/manage/{trip_with_people.slug}/participants").status_code == 200
    assert len(_account_reads(statements)) == 1, _account_reads(statements)
    assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_a_scan_still_reads_the_account_with_one_statement(app, organiser, trip_with_people):
    reg = signup.register(trip_with_people, person(3)).registration
    scan = {
        "code": reg.checkin_code,
        "checkpoint": trip_with_people.checkpoints[0].id,
        "scanned_at": utcnow().isoformat(),
        "nonce": "nonce-sesi-0001",
        "device": "HP Rina",
    }
    phone = browser_of(app, organiser)
    with app.app_context(), counting_statements() as statements:
        response = phone.post_json("/api/checkins", [scan])
    assert response.status_code == 200 and response.json["results"][0]["outcome"] == "ok"
    assert len([s for s in statements if "staff_session" in s]) == 1
    assert len(_account_reads(statements)) == 1
