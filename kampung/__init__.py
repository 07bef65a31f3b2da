"""kampung: sign-up, QR check-in, feedback and review for a delegation's study trip."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from kampung import config, private_files

    private_files.keep_private(Path(app.instance_path))
    app.config.update(config.from_environment(Path(app.instance_path)))
    app.config.update(overrides or {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config.engine_options(app.config)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's way to add middleware
            app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=1, x_host=1
        )

    _init_extensions(app)
    _register_blueprints(app)

    from kampung import assets, cli, compression, errors, redaction, security

    errors.init_app(app)
    redaction.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    compression.init_app(app)
    assets.init_app(app)  # outside compression: static files come compressed already
    return app


def _init_extensions(app: Flask) -> None:
    from flask_babel import get_locale

    # ratelimit: the limits' sqlite:// storage, registered on import
    from kampung import i18n, ratelimit, text  # noqa: F401
    from kampung.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
    from kampung.session_cookie import SessionCookies

    app.session_interface = SessionCookies()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.register_filters(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    # Models of every area, so that migrations and queries see them all.
    from kampung import models  # noqa: F401
    from kampung.adoption import models as adoption_models  # noqa: F401
    from kampung.auth import models as auth_models  # noqa: F401
    from kampung.auth import roles  # noqa: F401
    from kampung.checkin import models as checkin_models  # noqa: F401
    from kampung.feedback import models as feedback_models  # noqa: F401
    from kampung.links import public_url
    from kampung.manage import models as manage_models  # noqa: F401
    from kampung.paperwork import models as paperwork_models  # noqa: F401
    from kampung.review import models as review_models  # noqa: F401
    from kampung.rooms import models as room_models  # noqa: F401
    from kampung.schedule import models as schedule_models  # noqa: F401
    from kampung.signup import models as signup_models  # noqa: F401
    from kampung.staff_links import models as staff_link_models  # noqa: F401
    from kampung.whatsapp import whatsapp_url

    # Every {{ … }} of every page passes kampung.text.readable: a stored bidi override or
    # control character cannot turn a page around, whichever template shows it.
    app.jinja_env.finalize = text.template_output
    app.jinja_env.filters["bdi"] = text.bdi
    app.jinja_env.globals.update(
        languages=app.config["LANGUAGES"],
        get_locale=get_locale,
        public_url=public_url,
        whatsapp_url=whatsapp_url,
    )


def _register_blueprints(app: Flask) -> None:
    from kampung.auth.views import bp as auth_bp
    from kampung.database import IdConverter

    # Before the routes are added: ids in URLs stay in the range the database can look up.
    app.url_map.converters["int"] = IdConverter
    import kampung.manage.manifest_views  # noqa: F401  (its routes)
    from kampung.adoption import staff_views  # noqa: F401  (its routes)
    from kampung.adoption.views import bp as adoption_bp
    from kampung.auth import account_views  # noqa: F401  (its routes)
    from kampung.checkin import stop_views  # noqa: F401  (its routes)
    from kampung.checkin.views import bp as checkin_bp
    from kampung.feedback import editor  # noqa: F401  (its routes)
    from kampung.feedback.views import bp as feedback_bp
    from kampung.health import bp as health_bp
    from kampung.manage import burst_views, import_views, roster_views  # noqa: F401  (routes)
    from kampung.manage.views import bp as manage_bp
    from kampung.paperwork.views import bp as paperwork_bp
    from kampung.review.views import bp as review_bp
    from kampung.rooms.views import bp as rooms_bp
    from kampung.schedule.views import bp as schedule_bp
    from kampung.signup.views import bp as signup_bp

    for bp in (
        signup_bp,
        auth_bp,
        manage_bp,
        checkin_bp,
        feedback_bp,
        review_bp,
        paperwork_bp,
        schedule_bp,
        adoption_bp,
        health_bp,
    ):
        app.register_blueprint(bp)
    app.register_blueprint(rooms_bp)
