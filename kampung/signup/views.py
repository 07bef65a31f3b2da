"""Public pages: the open trips, a trip's sign-up form, the participant's personal page."""

from flask import Blueprint, render_template

from kampung.database import utcnow
from kampung.trips import get_trip_or_404, open_trips

bp = Blueprint("signup", __name__)


@bp.get("/")
def index():
    return render_template("signup/index.html", trips=open_trips(utcnow()))


@bp.get("/e/<slug>")
def trip(slug: str):
    return render_template("signup/trip.html", trip=get_trip_or_404(slug))
