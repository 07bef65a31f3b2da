"""Flask extensions, created once here and bound to the app in the factory."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from htmx_flask import Htmx
from sqlalchemy import MetaData

from kampung.csrf import CSRF
from kampung.database import RequestSession
from kampung.i18n import RequestBabel

# Named constraints, so that migrations can alter them on SQLite and PostgreSQL alike.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(
    metadata=MetaData(naming_convention=naming_convention),
    session_options={"class_": RequestSession},
)
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRF()
babel = RequestBabel()
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
