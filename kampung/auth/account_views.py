"""The admin's staff accounts (`/manage/accounts`) and every staff member's own password and
sessions (`/manage/password`). The rules are in kampung.auth.service and .sessions."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kampung.auth import service, sessions
from kampung.auth.forms import (
    AccountForm,
    OwnPasswordForm,
    ResetPasswordForm,
    RoleForm,
    role_names,
    typed,
)
from kampung.auth.models import User
from kampung.auth.roles import admin_required, idle_time, staff_required
from kampung.auth.views import bp
from kampung.database import utcnow
from kampung.extensions import db, limiter


@bp.app_context_processor
def _helpers():
    return {"role_names": role_names, "min_password": service.MIN_PASSWORD}


def _accounts_page(status: int = 200):
    return render_template(
        "auth/accounts.html",
        rows=service.overview(utcnow(), idle_time()),
        active_admins=service.active_admins(),
        role_form=RoleForm(formdata=None),
    ), status


def _shown_once(user: User, password: str, created: bool):
    """A made-up password, on a page of its own that no cache keeps; never in a flash message,
    which would ride in the session cookie."""
    response = make_response(
        render_template("auth/password_shown.html", user=user, password=password, created=created)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _last_admin():
    flash(
        _(
            "This is the last active admin account: it cannot be disabled or given another "
            "role. Make another account admin first."
        ),
        "error",
    )
    return _accounts_page(409)


@bp.get("/manage/accounts")
@admin_required
def accounts():
    return _accounts_page()


@bp.route("/manage/accounts/new", methods=["GET", "POST"])
@admin_required
def account_new():
    form = AccountForm()
    if form.validate_on_submit():
        password = typed(form.password) or service.made_up_password()
        try:
            user = service.create_user(
                form.username.data, form.role.data, password, form.display_name.data
            )
        except service.UsernameTaken:
            form.username.errors.append(_("This username is taken. Choose another."))
        else:
            if not typed(form.password):
                return _shown_once(user, password, created=True)
            flash(_("The account %(name)s is ready.", name=user.username), "success")
            return redirect(url_for(".accounts"))
    status = 422 if form.errors else 200
    return render_template("auth/account_new.html", form=form), status


@bp.post("/manage/accounts/<int:user_id>/role")
@admin_required
def account_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate():
        flash(_("Choose one of the roles."), "error")
        return _accounts_page(422)
    try:
        service.change_role(user, form.role.data)
    except service.LastAdmin:
        return _last_admin()
    flash(
        _("%(name)s is now: %(role)s.", name=user.username, role=role_names()[user.role]),
        "success",
    )
    if user.id == current_user.id and user.role != "admin":
        return redirect(url_for("manage.home"))
    return redirect(url_for(".accounts"))


@bp.post("/manage/accounts/<int:user_id>/disable")
@admin_required
def account_disable(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("You cannot disable your own account."), "error")
        return _accounts_page(409)
    try:
        ended = service.disable(user)
    except service.LastAdmin:
        return _last_admin()
    flash(
        _(
            "%(name)s is disabled and can no longer log in; %(count)d session(s) ended.",
            name=user.username,
            count=ended,
        ),
        "success",
    )
    return redirect(url_for(".accounts"))


@bp.post("/manage/accounts/<int:user_id>/enable")
@admin_required
def account_enable(user_id: int):
    user = db.get_or_404(User, user_id)
    service.enable(user)
    flash(_("%(name)s can log in again.", name=user.username), "success")
    return redirect(url_for(".accounts"))


@bp.post("/manage/accounts/<int:user_id>/end-sessions")
@admin_required
def account_end_sessions(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        return redirect(url_for(".password"))
    ended = service.end_sessions(user)
    flash(
        _(
            "%(name)s is logged out everywhere: %(count)d session(s) ended.",
            name=user.username,
            count=ended,
        ),
        "success",
    )
    return redirect(url_for(".accounts"))


@bp.route("/manage/accounts/<int:user_id>/password", methods=["GET", "POST"])
@admin_required
def account_password(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        # One's own password needs the current one, on one's own page.
        return redirect(url_for(".password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        password = typed(form.password) or service.made_up_password()
        service.set_password(user, password)
        if not typed(form.password):
            return _shown_once(user, password, created=False)
        flash(
            _(
                "The password of %(name)s is changed; they are logged out everywhere.",
                name=user.username,
            ),
            "success",
        )
        return redirect(url_for(".accounts"))
    status = 422 if form.errors else 200
    return render_template("auth/account_password.html", form=form, user=user), status


def _own_page(form: OwnPasswordForm, status: int = 200):
    now = utcnow()
    return render_template(
        "auth/password.html",
        form=form,
        sessions=sessions.live(current_user.id, now, idle_time()),
        this_session=current_user.session_id,
    ), status


@bp.route("/manage/password", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@staff_required
def password():
    """One's own password: the current one is asked; the other sessions end, this one stays."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        if not user.check_password(form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            ended = service.set_password(user, form.new.data, keep_session=current_user.session_id)
            flash(
                _(
                    "Your password is changed. Other devices are logged out (%(count)d).",
                    count=ended,
                ),
                "success",
            )
            return redirect(url_for(".password"))
    return _own_page(form, 422 if form.errors else 200)


@bp.post("/manage/password/others")
@staff_required
def end_other_sessions():
    """Lost a phone: log out everywhere but here."""
    ended = sessions.end_all(current_user.id, keep=current_user.session_id)
    flash(_("Other devices are logged out (%(count)d).", count=ended), "success")
    return redirect(url_for(".password"))
