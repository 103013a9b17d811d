"""The operator console (tổng đài viên): calls and walk-ins logged on a citizen's behalf,
the queue of voicemails and unclear SMS that need a human, and case look-up for callers."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("console", __name__, url_prefix="/console")

# Who may use the console: operators, and administrators standing in for them.
# The console shows callers' numbers and identities: the intake side only (administrators never see them).
CONSOLE_ROLES = ("operator",)


def init_app(app):
    from feedback import navigation
    from feedback.console import routes  # noqa: F401

    app.register_blueprint(bp)
    navigation.register_staff("console.index", _l("Tổng đài"), CONSOLE_ROLES, order=20)
