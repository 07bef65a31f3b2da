"""The manifest: a print page per bus (A4) and its CSV and XLSX. Organisers and admins only:
it holds health notes, which the chair does not see."""

from __future__ import annotations

from flask import render_template

from kampung.auth.roles import roles_required
from kampung.downloads import spreadsheet
from kampung.lookups import trip_or_404
from kampung.manage import manifest as manifests
from kampung.manage.views import bp

road_required = roles_required("organiser")


@bp.get("/manage/<slug>/manifest")
@road_required
def manifest(slug: str):
    trip = trip_or_404(slug)
    rows = manifests.manifest(trip)
    return render_template(
        "manage/manifest.html", trip=trip, groups=manifests.by_bus(rows), total=len(rows)
    )


@bp.get("/manage/<slug>/manifest.csv")
@road_required
def manifest_csv(slug: str):
    trip = trip_or_404(slug)
    return spreadsheet(*manifests.manifest_rows(trip), f"manifes-{trip.slug}.csv", "Manifes")


@bp.get("/manage/<slug>/manifest.xlsx")
@road_required
def manifest_xlsx(slug: str):
    trip = trip_or_404(slug)
    return spreadsheet(*manifests.manifest_rows(trip), f"manifes-{trip.slug}.xlsx", "Manifes")
