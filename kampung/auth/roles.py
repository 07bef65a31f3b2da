"""Who is signed in, and the role checks for staff pages. Every staff view says which roles may
see it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps

from flask import abort, current_app
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select

from kampung.auth import sessions
from kampung.auth.models import StaffRole, StaffSession, User
from kampung.database import connection, utcnow
from kampung.driver_sql import DriverStatement
from kampung.extensions import login_manager


@dataclass(frozen=True, eq=False)
class Account(StaffRole, UserMixin):
    """The staff member signed in to this request: `current_user`.

    A plain record read with one statement, not a User row: loading the row through the ORM
    added about 0.2 ms to every staff request (docs/PERFORMANCE.md). Code that needs the row
    loads it by `id`.
    """

    id: int
    username: str
    display_name: str
    role: str
    #: this browser's StaffSession: logout ends it, a password change keeps it
    session_id: int
    #: what the session cookie holds (Flask-Login's "alternative token"); never shown
    token: str = field(repr=False)

    def get_id(self) -> str:
        return self.token


#: on the driver's cursor: every staff request runs it (kampung.driver_sql says why). The one
#: statement answers both "who is this" and "does this session still open".
_ACCOUNT = DriverStatement(
    select(
        User.id,
        User.username,
        User.display_name,
        User.role,
        StaffSession.id.label("session_id"),
        StaffSession.last_seen_at,
    )
    .join_from(StaffSession, User, StaffSession.user_id == User.id)
    .where(
        StaffSession.token_hash == bindparam("token_hash"),
        StaffSession.ended_at.is_(None),
        User.disabled_at.is_(None),
    )
)


def idle_time() -> timedelta:
    return timedelta(hours=current_app.config["STAFF_IDLE_HOURS"])


@login_manager.user_loader
def load_user(token: str) -> Account | None:
    """Read on every request, so that an ended session, a disabled account or a changed role
    counts at once."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None  # a cookie from before server-side sessions, or a forged one
    row = _ACCOUNT.first(connection(), token_hash=sessions.hash_token(token))
    if row is None:
        return None
    now = utcnow()
    if sessions.is_idle(row.last_seen_at, now, idle_time()):
        return None
    if sessions.needs_touch(row.last_seen_at, now):
        sessions.touch(row.session_id, now)
    return Account(row.id, row.username, row.display_name, row.role, row.session_id, token)


def sign_in(user: User, user_agent: str) -> None:
    """A new server-side session for a user whose password was just checked."""
    who = (user.id, user.username, user.display_name, user.role)  # before the commit expires it
    started = sessions.start(user.id, sessions.device_summary(user_agent))
    login_user(Account(*who, started.session_id, started.token))


def sign_out() -> None:
    """Logout ends this browser's session on the server, so a copy of its cookie opens nothing."""
    sessions.end(current_user.session_id)
    logout_user()


def roles_required(*roles: str) -> Callable:
    """Logged in, and one of these roles (an admin may do everything)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        # Read by tests/test_access.py, which checks every route's roles.
        wrapped.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


admin_required = roles_required("admin")
#: organisers run the check-in; the chair reads the roster too
staff_required = roles_required("organiser", "chair")
