"""Public pages: the open trips, a trip's sign-up form, the participant's personal page.

Participants have no account: the access token in /p/<token> is their key, and a signed cookie
remembers which registrations this browser made, so that a second sign-up with the same phone
can lead back to one's own page without showing anyone else's.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from htmx_flask import request
from itsdangerous import BadSignature, URLSafeSerializer

from kampung import origin, phones
from kampung.adoption.service import adoption_entry
from kampung.database import utcnow
from kampung.feedback.service import survey_entry
from kampung.fragments import render_page
from kampung.links import public_url
from kampung.lookups import registration_by_token_or_404, trip_or_404
from kampung.models import Trip
from kampung.places import ALL_KELURAHAN, KELURAHAN_BY_KECAMATAN
from kampung.privacy import removal_due
from kampung.qr import qr_svg
from kampung.ratelimit import CHECK_LIMITS, SIGNUP_LIMITS, TOKEN_LIMIT
from kampung.schedule.reading import schedule_for
from kampung.signup import service
from kampung.signup.forms import PersonForm, SignupForm
from kampung.signup.models import Registration, Status
from kampung.trips import open_trips
from kampung.whatsapp import (
    contact,
    lost_link_message,
    own_page_message,
    question_message,
    whatsapp_url,
)

bp = Blueprint("signup", __name__)

#: the browser's own registrations (access tokens), signed; read only to offer "open my page"
MINE_COOKIE = "kampung_mine"
MINE_MAX = 5
MINE_AGE = 400 * 24 * 3600


@bp.get("/")
def index():
    return render_template("signup/index.html", trips=open_trips(utcnow()))


# --- The trip page and its sign-up form -----------------------------------------------------


@bp.get("/e/<slug>")
@origin.gives_client_id
def trip(slug: str):
    return _trip_page(trip_or_404(slug), SignupForm())


@bp.post("/e/<slug>")
@origin.gives_client_id
@SIGNUP_LIMITS
def sign_up(slug: str):
    trip = trip_or_404(slug)
    form = SignupForm()
    if not trip.registration_is_open():
        return _trip_page(trip, form, 409, problem="closed")
    if not form.validate():
        return _trip_page(trip, form, 422)
    try:
        result = service.register(
            trip, form.person(), consent_at=utcnow(), origin=origin.of_request()
        )
    except service.RegistrationClosed:
        return _trip_page(trip, form, 409, problem="closed")
    except service.DuplicatePhone as duplicate:
        token = duplicate.existing.access_token
        return _trip_page(
            trip,
            form,
            409,
            problem="duplicate",
            own_page=url_for(".personal", token=token) if token in _remembered() else None,
        )
    flash(
        _(
            "Your registration has been received. "
            "Send this page to your own WhatsApp so you can find it again."
        ),
        "success",
    )
    response = redirect(url_for(".personal", token=result.registration.access_token), 303)
    return _remember(response, result.registration.access_token)


@bp.post("/e/<slug>/check")
@CHECK_LIMITS
def check_field(slug: str):
    """htmx inline validation of the sign-up form."""
    trip = trip_or_404(slug)
    form = SignupForm()
    return _checked_field(form, _form_context(trip, form, request.path))


def _checked_field(form, context: dict):
    """The changed field's block, with its message if any; 400 for anything but htmx."""
    if not request.htmx or request.htmx.trigger_name not in _field_names(form):
        abort(400)
    form.validate()
    # A block rendered alone skips the template's top-level import of the field() macro.
    macros = current_app.jinja_env.get_template("macros.html").module
    name = request.htmx.trigger_name
    # The kelurahan suggestions follow the chosen kecamatan.
    also = ["kelurahan_list"] if name == "kecamatan" else []
    return render_page(
        "signup/person_form.html",
        block=f"field_{name}",
        also=also,
        field=macros.field,  # type: ignore[attr-defined]  # a macro: known when the template runs
        kelurahan_oob=True,
        **context,
    )


def _field_names(form) -> set[str]:
    return {f.name for f in form if f.name != "csrf_token"}


def _trip_page(trip: Trip, form: SignupForm, status: int = 200, **extra):
    context = _form_context(trip, form, url_for(".check_field", slug=trip.slug))
    context.update(
        seats_left=max(trip.capacity - service.seats_taken(trip), 0),
        registration_open=trip.registration_is_open(),
        opens_later=bool(
            trip.registration_open
            and trip.registration_opens_at
            and utcnow() < trip.registration_opens_at
        ),
        problem=None,
        own_page=None,
        contact=contact(trip, ""),
        kept_until=removal_due(trip),
    )
    context.update(extra)
    if context["problem"] == "duplicate":
        # The message names the person and number just typed, so the committee finds them.
        context["lost_link"] = contact(
            trip, lost_link_message(trip, form.full_name.data or "", form.phone.data or "")
        )
    return render_template("signup/trip.html", **context), status


def _form_context(trip: Trip, form, check_url: str) -> dict:
    return {"trip": trip, "form": form, "check_url": check_url, "kelurahan_for": kelurahan_for}


def kelurahan_for(kecamatan: str | None) -> tuple[str, ...]:
    """Suggestions for the kelurahan box: those of the chosen kecamatan, else all of them."""
    return KELURAHAN_BY_KECAMATAN.get(kecamatan or "", ALL_KELURAHAN)


# --- The personal page ----------------------------------------------------------------------


@bp.get("/p/<token>")
@TOKEN_LIMIT
def personal(token: str):
    registration = registration_by_token_or_404(token)
    trip = registration.trip
    context = {
        "registration": registration,
        "trip": trip,
        "status": Status,
        "position": service.waitlist_position(registration),
        "phone": phones.display(registration.phone),
        "emergency_phone": phones.display(registration.emergency_phone),
        "whatsapp_url": (
            whatsapp_url(registration.phone, own_page_message(registration))
            if registration.is_active
            else None
        ),
        "can_edit": service.can_edit_own_details(registration),
        "can_cancel": service.can_cancel_own(registration),
        "survey": survey_entry(registration),
        "schedule": schedule_for(registration),
        "adoption": adoption_entry(registration),
        "contact": contact(trip, question_message(trip, registration.full_name)),
        "qr": None,
    }
    # Only a seat gets a ticket: a waitlisted person would be turned away at the bus anyway.
    if registration.is_seated and registration.phone:
        checkin_url = public_url(f"/c/{registration.checkin_code}")
        context["qr"] = qr_svg(checkin_url, _("QR code for check-in at the bus"))
    response = make_response(render_template("signup/personal.html", **context))
    return _remember(response, token)


@bp.route("/p/<token>/edit", methods=["GET", "POST"])
@TOKEN_LIMIT
def edit(token: str):
    registration = registration_by_token_or_404(token)
    personal_page = url_for(".personal", token=token)
    if not service.can_edit_own_details(registration):
        flash(_closed_for_edits(), "warning")
        return redirect(personal_page, 303)
    if request.method == "GET":
        form = PersonForm(obj=registration)
        return _edit_page(registration, form)
    form = PersonForm()
    if not form.validate():
        return _edit_page(registration, form, 422)
    try:
        service.update_details(registration, form.person(), self_service=True)
    except service.RegistrationClosed:
        flash(_closed_for_edits(), "warning")
        return redirect(personal_page, 303)
    except service.DuplicatePhone:
        form.phone.errors.append(
            _("This number is already registered for this trip by another participant.")
        )
        return _edit_page(registration, form, 409)
    flash(_("Your details have been saved."), "success")
    return redirect(personal_page, 303)


@bp.post("/p/<token>/check")
@TOKEN_LIMIT
def check_own_field(token: str):
    """htmx inline validation of the edit form."""
    registration = registration_by_token_or_404(token)
    form = PersonForm()
    return _checked_field(form, _form_context(registration.trip, form, request.path))


def _closed_for_edits() -> str:
    return _(
        "Registration has closed, so your details can no longer be changed here. "
        "Please contact the committee if something is wrong."
    )


def _edit_page(registration: Registration, form: PersonForm, status: int = 200):
    check_url = url_for(".check_own_field", token=registration.access_token)
    context = _form_context(registration.trip, form, check_url)
    context["registration"] = registration
    return render_template("signup/edit.html", **context), status


@bp.route("/p/<token>/cancel", methods=["GET", "POST"])
@TOKEN_LIMIT
def cancel(token: str):
    registration = registration_by_token_or_404(token)
    personal_page = url_for(".personal", token=token)
    if not service.can_cancel_own(registration):
        if registration.is_active:
            flash(_("The trip has started: please tell the committee directly."), "warning")
        return redirect(personal_page, 303)
    if request.method == "GET":
        return render_template(
            "signup/cancel.html", registration=registration, trip=registration.trip
        )
    service.cancel(registration)
    flash(_("Your registration has been cancelled."), "info")
    return redirect(personal_page, 303)


# --- This browser's own registrations ---------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="signup-mine")


def _remembered() -> list[str]:
    raw = request.cookies.get(MINE_COOKIE)
    if not raw:
        return []
    try:
        tokens = _serializer().loads(raw)
    except BadSignature:
        return []
    return [t for t in tokens if isinstance(t, str)] if isinstance(tokens, list) else []


def _remember(response, token: str):
    """Keep `token` in this browser's signed cookie, newest first, a few at most."""
    tokens = [token] + [t for t in _remembered() if t != token]
    response.set_cookie(
        MINE_COOKIE,
        _serializer().dumps(tokens[:MINE_MAX]),
        max_age=MINE_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        path="/",
    )
    return response
