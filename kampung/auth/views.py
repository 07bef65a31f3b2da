from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from kampung.auth.forms import LoginForm
from kampung.auth.models import User
from kampung.extensions import db, limiter

bp = Blueprint("auth", __name__)

#: what a logged-out phone forgets of this site: the scanner's page, files and worker, and its
#: copy of the list. Not "cookies": the session is over on the server already, and a phone
#: that is also a participant's would lose the cookie (kampung_mine) that finds their own page.
CLEAR_SITE_DATA = '"cache", "storage"'


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site, never another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 60 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("manage.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            db.select(User).where(User.username == form.username.data.strip().lower())
        )
        if user and user.check_password(form.password.data):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("manage.home"))
        flash(_("Wrong username or password."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    # "logout": the page it lands on empties this phone too (static/js/logout.js).
    flash(_("You have logged out."), "logout")
    response = redirect(url_for("signup.index"))
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
