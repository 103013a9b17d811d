"""The counter kiosk: a tablet at a one-stop counter where citizens rate the staff who served them.

The device is registered with a token an administrator issues (Kiosk.issue_token()).
The token is exchanged once for a long-lived signed cookie; the JSON API that stores
ratings takes that cookie (or the token in a header) as its credential, so it is the
one place exempt from CSRF protection.
"""
from flask import Blueprint

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


def init_app(app):
    from feedback.extensions import csrf
    from feedback.jobs.worker import register_periodic
    from feedback.kiosk import routes

    csrf.exempt(routes.api_ratings)
    app.register_blueprint(bp)
    register_periodic("kiosk.remind_low_ratings", "feedback.kiosk.services.remind_unacknowledged_ratings", 24 * 3600)
