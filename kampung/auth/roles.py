"""Role checks for staff pages. Every staff view says which roles may see it."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort
from flask_login import UserMixin, current_user, login_required
from sqlalchemy import bindparam, select

from kampung.auth.models import StaffRole, User
from kampung.database import connection, whole_number
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


#: on the driver's cursor: every staff request runs it (kampung.driver_sql says why)
_ACCOUNT = DriverStatement(
    select(User.id, User.username, User.display_name, User.role).where(User.id == bindparam("id"))
)


@login_manager.user_loader
def load_user(user_id: str) -> Account | None:
    """Read on every request, so that a changed role or a deleted account counts at once."""
    number = whole_number(user_id)
    if number is None:
        return None
    row = _ACCOUNT.first(connection(), id=number)
    return Account(*row) if row else None


def roles_required(*roles: str) -> Callable:
    """Logged in, and one of these roles (an admin may do everything)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


admin_required = roles_required("admin")
#: organisers run the check-in; the chair reads the roster too
staff_required = roles_required("organiser", "chair")
