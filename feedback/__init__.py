"""Citizen feedback and hotline complaint system."""
import importlib
import logging
import os

from flask import Flask

# Feature packages, each with an `init_app(app)` that registers its blueprint and commands.
FEATURES = [
    "feedback.main",
    "feedback.auth",
    "feedback.portal",
    "feedback.hotline",
    "feedback.monitoring",
    "feedback.publication",
    "feedback.api",
    "feedback.demo",
    "feedback.outcomes",
    "feedback.admin",
    "feedback.cases",
    "feedback.kiosk",
    "feedback.console",
    "feedback.privacy",
    "feedback.triage",
]


def create_app(config_name=None, **overrides):
    """Build the application: configuration, extensions, features, commands, error pages."""
    from config import CONFIGS
    from feedback import hardening, navigation

    app = Flask(__name__, template_folder="../templates", static_folder="static", instance_relative_config=True)
    config_name = config_name or os.environ.get("FLASK_CONFIG") or (
        "production" if os.environ.get("FLASK_ENV") == "production" else "development"
    )
    config_class = CONFIGS[config_name]
    if hasattr(config_class, "check"):
        config_class.check()
    app.config.from_object(config_class)
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)

    _init_extensions(app)
    _init_proxy(app)
    hardening.init_app(app)
    for feature in FEATURES:
        importlib.import_module(feature).init_app(app)
    _init_commands(app)
    _init_template_helpers(app)
    navigation.init_app(app)
    from feedback.main.errors import register_error_handlers

    register_error_handlers(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def _init_extensions(app):
    from feedback import jobs
    from feedback.extensions import babel, csrf, db, limiter, login_manager, migrate, select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", os.path.join(app.root_path, "translations"))
    limiter.init_app(app)
    jobs.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _tune_sqlite(app)


def _tune_sqlite(app):
    from sqlalchemy import event

    from feedback.extensions import db

    with app.app_context():
        engine = db.engine

    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Writers wait for each other up to 15 s instead of failing at once; with WAL, readers
        # never wait for a writer (the web process and `flask worker` share the file).
        cursor.execute("PRAGMA busy_timeout=15000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _init_proxy(app):
    from werkzeug.middleware.proxy_fix import ProxyFix

    # X-Forwarded-* are believed only from as many proxies as the operator says stand in front
    # (TRUSTED_PROXIES, default none): otherwise any client could pick its own address and walk past
    # every per-address limit. Twilio signatures use PUBLIC_BASE_URL either way.
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_commands(app):
    from feedback.jobs.worker import worker_command

    app.cli.add_command(worker_command)


def _init_template_helpers(app):
    from flask_babel import get_locale

    from feedback.calendar import to_local
    from feedback.cases.workflow import status_label

    @app.template_filter("local_dt")
    def local_dt(moment, fmt="%d/%m/%Y %H:%M"):
        return to_local(moment).strftime(fmt) if moment else ""

    @app.template_filter("local_date")
    def local_date(moment, fmt="%d/%m/%Y"):
        if moment is None:
            return ""
        return (to_local(moment) if hasattr(moment, "hour") else moment).strftime(fmt)

    from feedback.models.base import hotline_digits

    app.template_filter("hotline_digits")(hotline_digits)

    @app.template_filter("event_text")
    def event_text(event):
        """A timeline line's text in the page's language (system texts translated, people's words as written)."""
        from feedback.timeline import event_text as text

        return text(event)

    @app.template_filter("unit_name")
    def unit_name(unit):
        """A unit's name in the page's language (its English name where it has one)."""
        if unit is None:
            return ""
        return unit.name_en if str(get_locale()) == "en" and unit.name_en else unit.name

    @app.template_filter("capped_count")
    def capped_count(count, cap):
        """A count in the page's number format, "10.000+" once it passed the cap it was counted to."""
        from flask_babel import format_decimal

        return format_decimal(cap) + "+" if count > cap else format_decimal(count)

    @app.template_filter("category_name")
    def category_name(category):
        return category.name(str(get_locale())) if category is not None else ""

    @app.template_filter("label")
    def label(text):
        """Translate a label kept in a Python dict (unit kinds, channels, conclusions...)."""
        from flask_babel import gettext

        # gettext("") would return the catalogue's header, not an empty label.
        return gettext(str(text)) if text else ""

    app.jinja_env.globals.update(status_label=status_label, get_locale=get_locale)
