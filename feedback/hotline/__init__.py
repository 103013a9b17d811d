"""The hotline: Twilio SMS and voice in (signed webhooks), SMS notifications out.

Webhooks live under /hotline/ and are the only routes exempt from CSRF: Twilio
cannot carry a token, it signs its requests instead (checked against PUBLIC_BASE_URL).
"""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("hotline", __name__, url_prefix="/hotline")

WEBHOOKS = ("sms", "sms_status", "voice", "voice_menu", "voice_status", "voice_dial_result", "voice_recorded",
            "voice_recording_status")
# Look for texts whose promised case is missing this often (seconds).
SWEEP_EVERY = 600


def init_app(app):
    from feedback import messaging, navigation
    from feedback.extensions import csrf
    from feedback.hotline import routes
    from feedback.hotline.sender import TwilioSmsSender
    from feedback.jobs.worker import register_periodic

    for name in WEBHOOKS:
        csrf.exempt(getattr(routes, name))
    app.register_blueprint(bp)
    messaging.SENDERS["sms"] = TwilioSmsSender
    register_periodic("hotline.requeue_sms", "feedback.hotline.jobs.requeue_stuck_messages",
                      app.config.get("SMS_REQUEUE_SECONDS", 60))
    register_periodic("hotline.promised_cases", "feedback.hotline.jobs.sweep_promised_cases", SWEEP_EVERY)
    navigation.register_staff("hotline.outbox", _l("Hộp thư đi"), roles={"admin"}, order=90)
