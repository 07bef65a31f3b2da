"""The chair's review of a trip's survey: dashboard, comments, marks, exports and the report.
Chair and admin only; organisers do not see answers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import request

from kampung.auth.roles import roles_required
from kampung.database import whole_number
from kampung.downloads import spreadsheet
from kampung.feedback import service as feedback
from kampung.feedback.models import MARK_LABELS, TEXT_KINDS, Survey
from kampung.fragments import render_page
from kampung.lookups import back_to, child_of_trip_or_404, trip_or_404
from kampung.models import Trip
from kampung.places import KECAMATAN
from kampung.review import anonymity, export, service
from kampung.signup.models import Registration
from kampung.staff_links import pages as sending
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose
from kampung.text import clean_text
from kampung.whatsapp import survey_link, survey_reminder

bp = Blueprint("review", __name__)

chair_required = roles_required("chair")
MARKED_FILTERS = ("practice", "followup", "any")


@bp.app_template_filter("decimal1")
def decimal1(value: float) -> str:
    """An average the Indonesian way: 4,2."""
    return format_decimal(value, format="#,##0.0")


def _mark_labels() -> dict[str, str]:
    """The marks' names translated once per page, not once per comment."""
    return {kind: str(label) for kind, label in MARK_LABELS.items()}


def _survey(slug: str) -> tuple[Trip, Survey]:
    trip = trip_or_404(slug)
    survey = feedback.survey_of(trip)
    if survey is None:
        abort(404)
    return trip, survey


@bp.get("/manage/<slug>/review")
@chair_required
def dashboard(slug: str):
    trip, survey = _survey(slug)
    locale = str(get_locale())
    rate = service.response_rate(survey)
    missing = service.not_answered(survey, rate)
    return render_template(
        "review/dashboard.html",
        trip=trip,
        survey=survey,
        rate=rate,
        missing=missing,
        missing_count=rate.invited - rate.answered,
        reminders=staff_links.sent_to(trip, Purpose.survey, [r.id for r in missing])
        if missing
        else {},
        release=anonymity.progress(survey),
        summaries=service.summarise(survey, locale),
        text_kinds=TEXT_KINDS,
        locale=locale,
    )


@bp.post("/manage/<slug>/review/remind/<int:registration_id>")
@chair_required
def remind(slug: str, registration_id: int):
    """A reminder for someone who has not answered: a new survey-only link, recorded as sent
    by this staff member, in a ready WhatsApp message. Never the person's access link."""
    trip, survey = _survey(slug)
    registration = child_of_trip_or_404(Registration, registration_id, trip)
    back = url_for(".dashboard", slug=trip.slug)
    if not registration.is_seated or not registration.phone:
        abort(404)
    if feedback.has_responded(survey, registration):
        problem = _("%(name)s has answered the survey already.", name=registration.full_name)
        return sending.refused(trip, registration, problem, back)
    if not survey.open_now():
        problem = _("The survey is closed: a reminder would open nothing. Open it first.")
        return sending.refused(trip, registration, problem, back)
    return sending.reminder(
        trip,
        registration,
        Purpose.survey,
        message=lambda token: survey_reminder(registration, token),
        link=survey_link,
        back=back,
    )


def _filter() -> service.CommentFilter:
    args = request.args

    def number(name: str) -> int | None:
        return whole_number(args.get(name, ""))

    return service.CommentFilter(
        search=clean_text(args.get("q", ""))[:100],
        question_id=number("question"),
        kecamatan=args.get("kecamatan", "") if args.get("kecamatan") in KECAMATAN else "",
        bus_id=number("bus"),
        marked=args.get("marked", "") if args.get("marked") in MARKED_FILTERS else "",
        after=service.parse_after(args.get("after", "")),
    )


@bp.get("/manage/<slug>/review/comments")
@chair_required
def comments(slug: str):
    trip, survey = _survey(slug)
    f = _filter()
    page = service.comments(survey, f)
    return render_page(
        "review/comments.html",
        trip=trip,
        survey=survey,
        f=f,
        page=page,
        rows=page.rows,
        filters={
            "q": f.search or None,
            "question": f.question_id,
            "kecamatan": f.kecamatan or None,
            "bus": f.bus_id,
            "marked": f.marked or None,
        },
        release=anonymity.progress(survey),
        count_limit=service.COUNT_LIMIT,
        text_questions=[q for q in survey.questions if q.kind in TEXT_KINDS],
        kecamatan=KECAMATAN,
        mark_labels=_mark_labels(),
        back=request.full_path.rstrip("?"),
        locale=str(get_locale()),
    )


@bp.post("/manage/<slug>/review/answers/<answer_id>/mark")
@chair_required
def mark(slug: str, answer_id: str):
    trip, survey = _survey(slug)
    status = 200
    try:
        service.set_mark(
            survey,
            answer_id[:32],
            request.form.get("kind", ""),
            request.form.get("note", ""),
            current_user,
        )
    except service.MarkError as error:
        if not request.htmx:
            flash(str(error), "error")
        status = 422
        message = str(error)
    else:
        message = _("Saved.")
    if request.htmx:
        row = service.comment(survey, answer_id[:32])
        if row is None:
            abort(404)
        return render_template(
            "review/_comment.html",
            trip=trip,
            survey=survey,
            c=row,
            mark_labels=_mark_labels(),
            back=request.form.get("back", ""),
            message=message,
            question_labels={q.id: q.label(str(get_locale())) for q in survey.questions},
        ), status
    if status == 200:
        flash(message, "success")
    return redirect(back_to(url_for(".comments", slug=slug)), 303)


@bp.get("/manage/<slug>/review/practices")
@chair_required
def practices(slug: str):
    trip, survey = _survey(slug)
    return render_template(
        "review/practices.html",
        trip=trip,
        survey=survey,
        release=anonymity.progress(survey),
        rows=service.marked(survey),
        mark_labels=_mark_labels(),
        locale=str(get_locale()),
    )


@bp.get("/manage/<slug>/review/report")
@chair_required
def report(slug: str):
    trip, survey = _survey(slug)
    locale = str(get_locale())
    return render_template(
        "review/report.html",
        trip=trip,
        survey=survey,
        rate=service.response_rate(survey),
        release=anonymity.progress(survey),
        summaries=service.summarise(survey, locale),
        rows=service.marked(survey),
        mark_labels=_mark_labels(),
        text_kinds=TEXT_KINDS,
        locale=locale,
    )


@bp.get("/manage/<slug>/feedback.csv")
@chair_required
def export_csv(slug: str):
    trip, survey = _survey(slug)
    header, rows = export.export_rows(survey, str(get_locale()))
    return spreadsheet(header, rows, f"{trip.slug}-survei.csv", _("Survey"))


@bp.get("/manage/<slug>/feedback.xlsx")
@chair_required
def export_xlsx(slug: str):
    trip, survey = _survey(slug)
    header, rows = export.export_rows(survey, str(get_locale()))
    return spreadsheet(header, rows, f"{trip.slug}-survei.xlsx", _("Survey"))
