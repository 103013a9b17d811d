"""Public web portal: submit feedback, receipt, track a case, add information, rate the answer."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("portal", __name__)


def init_app(app):
    from feedback import navigation
    from feedback.portal import routes  # noqa: F401

    app.register_blueprint(bp)
    navigation.register_public("portal.new", _l("Gửi phản ánh"), order=10)
    navigation.register_public("portal.track", _l("Tra cứu"), order=20)
