"""The SPJ papers' pages: the hub, the proof of travel, the per-diem receipt list with the
admin's rate, and the archive bundle. The daftar hadir page stays with the check-in
(kampung.checkin.views.daftar_hadir) and draws from here.

Who: every staff member opens the proof of travel (the organiser carries it to the host for the
stamp; it holds no personal data); the receipt list is the treasurer's work, so the admin and the
chair; the rate and the archive are the admin's."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from kampung.auth.roles import admin_required, roles_required, staff_required
from kampung.database import utcnow
from kampung.downloads import download
from kampung.fragments import render_page
from kampung.i18n import number
from kampung.lookups import trip_or_404
from kampung.paperwork import laporan, papers, service, word
from kampung.paperwork.forms import PerDiemForm

bp = Blueprint("paperwork", __name__)

#: the receipt list: the admin (who is the treasurer's hand here) and the chair
receipts_required = roles_required("chair")
#: the visit report: the chair (who signs it) and the admin
report_required = roles_required("chair")


@bp.app_template_filter("rupiah")
def rupiah(amount: int) -> str:
    """Rp 350.000 (Indonesian grouping in Indonesian, the reader's own in English)."""
    return f"Rp {number(amount)}"


@bp.get("/manage/<slug>/berkas")
@staff_required
def index(slug: str):
    return render_page("paperwork/index.html", trip=trip_or_404(slug))


@bp.get("/manage/<slug>/bukti-perjalanan")
@staff_required
def travel_proof(slug: str):
    return render_page("paperwork/bukti_perjalanan.html", **papers.travel_proof(trip_or_404(slug)))


def _receipts_page(trip, form: PerDiemForm | None, status: int = 200):
    return render_page("paperwork/uang_harian.html", status, form=form, **papers.receipts(trip))


@bp.get("/manage/<slug>/uang-harian")
@receipts_required
def receipts(slug: str):
    trip = trip_or_404(slug)
    form = None
    if current_user.role == "admin":
        terms = service.terms(trip)
        form = PerDiemForm(
            data={
                "rate": "" if terms.rate is None else str(terms.rate),
                "days": str(terms.days) if terms.days_set else "",
            }
        )
    return _receipts_page(trip, form)


@bp.post("/manage/<slug>/uang-harian")
@admin_required
def set_rate(slug: str):
    trip = trip_or_404(slug)
    form = PerDiemForm()
    if not form.validate_on_submit():
        return _receipts_page(trip, form, 422)
    service.set_per_diem(trip, form.rate_value, form.days_value, current_user)
    flash(_("Daily rate saved: %(rate)s.", rate=rupiah(form.rate_value)), "success")
    return redirect(url_for(".receipts", slug=slug))


@bp.get("/manage/<slug>/uang-harian.xlsx")
@receipts_required
def receipts_xlsx(slug: str):
    trip = trip_or_404(slug)
    return download(papers.receipts_xlsx(trip), f"uang-harian-{trip.slug}.xlsx")


@bp.get("/manage/<slug>/arsip.zip")
@admin_required
def archive(slug: str):
    trip = trip_or_404(slug)
    return download(papers.archive(trip, str(get_locale())), f"arsip-spj-{trip.slug}.zip")


@bp.get("/manage/<slug>/laporan")
@report_required
def report(slug: str):
    trip = trip_or_404(slug)
    return render_page(
        "paperwork/laporan.html", **laporan.report(trip, str(get_locale()), utcnow())
    )


@bp.get("/manage/<slug>/laporan.docx")
@report_required
def report_docx(slug: str):
    trip = trip_or_404(slug)
    locale = str(get_locale())
    body = word.report_docx(laporan.report(trip, locale, utcnow()), locale)
    return download(body, f"laporan-{trip.slug}.docx")
