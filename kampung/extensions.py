"""Flask extensions, created once here and bound to the app in the factory."""

from typing import TYPE_CHECKING, ClassVar

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from htmx_flask import Htmx
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

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

# Every model's base. Flask-SQLAlchemy builds db.Model when the app starts, which a type checker
# cannot follow: it sees the declarative base that db.Model is.
if TYPE_CHECKING:

    class Model(DeclarativeBase):
        #: every model here is mapped to a table of its own
        __table__: ClassVar[Table]

else:
    Model = db.Model

migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRF()
babel = RequestBabel()
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
