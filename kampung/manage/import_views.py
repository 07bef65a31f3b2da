"""Importing the known RT heads: upload, a preview of every row, then save all or none; the
rules are in `importer`, reading the file in `import_file`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kampung.auth.roles import admin_required
from kampung.extensions import db
from kampung.lookups import trip_or_404
from kampung.manage import import_file, importer
from kampung.manage.forms import ImportForm
from kampung.manage.models import ImportJob
from kampung.manage.views import bp
from kampung.models import Trip
from kampung.signup.models import Registration


@bp.route("/manage/<slug>/import", methods=["GET", "POST"])
@admin_required
def import_upload(slug: str):
    trip = trip_or_404(slug)
    form = ImportForm()
    error = None
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            error = _("Choose a file first.")
        else:
            try:
                table = import_file.read_table(upload.filename, upload.read())
            except import_file.ImportFileError as exc:
                error, status = exc.message, exc.status
            else:
                job_id = importer.store_job(trip, current_user.id, upload.filename, table)
                return redirect(url_for(".import_preview", slug=trip.slug, job_id=job_id))
    return render_template(
        "manage/import.html", trip=trip, form=form, error=error, columns=import_file.COLUMNS
    ), status


@bp.route("/manage/<slug>/import/<job_id>", methods=["GET", "POST"])
@admin_required
def import_preview(slug: str, job_id: str):
    trip = trip_or_404(slug)
    job = importer.load_job(job_id, trip, current_user.id)
    if job is None:
        abort(404)
    if job.saved_at is not None:
        return _import_result(trip, job)
    status = 200
    if request.method == "POST":
        try:
            importer.save_job(trip, job)
        except importer.ImportProblems as exc:
            rows = exc.rows
            status = 409
            flash(_("Nothing was saved: the rows below have problems."), "error")
        else:
            flash(_("%(count)d people imported.", count=len(job.saved_ids or [])), "success")
            return redirect(url_for(".import_preview", slug=trip.slug, job_id=job_id))
    else:
        rows = importer.check_rows(trip, job.table)
    return render_template(
        "manage/import_preview.html",
        trip=trip,
        job=job,
        job_id=job_id,
        # Rows with problems first: in a long file they are what the admin must find.
        rows=sorted(rows, key=lambda row: row.ok),
        problems=sum(1 for row in rows if not row.ok),
        seats=sum(1 for row in rows if row.ok and row.outcome == "seat"),
        waitlist=sum(1 for row in rows if row.ok and row.outcome == "waitlist"),
        skipped=sum(1 for row in rows if row.ok and row.outcome == "skip"),
    ), status


def _import_result(trip: Trip, job: ImportJob):
    people = db.session.scalars(
        db.select(Registration)
        .where(Registration.id.in_(job.saved_ids or []), Registration.trip_id == trip.id)
        .order_by(Registration.id)
    ).all()
    return render_template("manage/import_result.html", trip=trip, people=people, job=job)
