"""Bursts of sign-ups from one source, for the admin: seen grouped, removed in one action
(the rules are in `bursts`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from kampung.auth.roles import admin_required
from kampung.lookups import trip_or_404
from kampung.manage import bursts
from kampung.manage.views import bp


@bp.get("/manage/<slug>/signups")
@admin_required
def signups(slug: str):
    trip = trip_or_404(slug)
    return render_template(
        "manage/signups.html",
        trip=trip,
        bursts=bursts.find_bursts(trip),
        removals=bursts.removals(trip),
    )


@bp.route(
    "/manage/<slug>/signups/<any(device, network):kind>/<int:first_id>/<int:last_id>/cancel",
    methods=["GET", "POST"],
)
@admin_required
def burst_cancel(slug: str, kind: str, first_id: int, last_id: int):
    trip = trip_or_404(slug)
    if request.method == "GET":
        burst = bursts.burst_of(trip, kind, first_id, last_id)
        if burst is None:
            abort(404)
        return render_template("manage/burst_cancel.html", trip=trip, burst=burst)
    try:
        removal, promoted = bursts.cancel_burst(trip, kind, first_id, last_id, current_user)
    except bursts.NothingToCancel:
        flash(_("These sign-ups are already cancelled."), "info")
        return redirect(url_for(".signups", slug=trip.slug), 303)
    flash(
        ngettext(
            "%(num)d registration cancelled.", "%(num)d registrations cancelled.", removal.cancelled
        ),
        "success",
    )
    if promoted:
        flash(
            ngettext(
                "%(num)d person moved from the waitlist to a free seat. Tell them on the "
                "trip's page.",
                "%(num)d people moved from the waitlist to the free seats. Tell them on the "
                "trip's page.",
                len(promoted),
            ),
            "info",
        )
    return redirect(url_for(".signups", slug=trip.slug), 303)
