"""Role checks for staff pages. Every staff view says which roles may see it."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from kampung.extensions import login_manager
from kampung.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    from kampung.extensions import db

    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


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
