"""Staff pages: the trips, their rosters and settings."""

from flask import Blueprint, render_template

from kampung.auth.roles import staff_required
from kampung.extensions import db
from kampung.models import Trip

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.get("/")
@staff_required
def home():
    trips = db.session.scalars(db.select(Trip).order_by(Trip.departs_at.desc())).all()
    return render_template("manage/home.html", trips=trips)
