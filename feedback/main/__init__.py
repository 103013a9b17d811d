"""Home page, health check, language switch and error pages."""
from flask import Blueprint

bp = Blueprint("main", __name__)


def init_app(app):
    from feedback.main import routes  # noqa: F401

    app.register_blueprint(bp)
