"""Staff back office: units, staff directory (with CSV import), categories, users, kiosks, routing rules."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app):
    from feedback import navigation
    from feedback.admin import routes  # noqa: F401
    from feedback.admin.cli import users_cli

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    navigation.register_staff("admin.index", _l("Quản trị"), roles={"admin"}, order=800)
