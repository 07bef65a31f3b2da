from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kampung.auth.forms import LoginForm
from kampung.auth.passwords import authenticate
from kampung.auth.roles import sign_in, sign_out
from kampung.lookups import local_path
from kampung.ratelimit import LOGIN_LIMITS

bp = Blueprint("auth", __name__)

#: what a logged-out phone forgets of this site: the scanner's page, files and worker, and its
#: copy of the list. Not "cookies": the session is over on the server already, and a phone
#: that is also a participant's would lose the cookie (kampung_mine) that finds their own page.
CLEAR_SITE_DATA = '"cache", "storage"'


@bp.route("/login", methods=["GET", "POST"])
@LOGIN_LIMITS
def login():
    if current_user.is_authenticated:
        return redirect(url_for("manage.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            if user.disabled_at is not None:
                flash(_("This account has been disabled. Please ask an admin."), "error")
                return render_template("auth/login.html", form=form), 403
            sign_in(user, request.headers.get("User-Agent", ""))
            return redirect(local_path(request.args.get("next")) or url_for("manage.home"))
        flash(_("Wrong username or password."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    sign_out()
    # "logout": the page it lands on empties this phone too (static/js/logout.js).
    flash(_("You have logged out."), "logout")
    response = redirect(url_for("signup.index"))
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
