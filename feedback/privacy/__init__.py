"""Personal data protection (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Nghị định 356/2025/NĐ-CP):
the public notice, and the retention job that anonymises cases closed long ago."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("privacy", __name__)

# Once a day is enough: the period is counted in days.
RETENTION_EVERY = 24 * 3600


def init_app(app):
    from feedback import navigation
    from feedback.jobs.worker import register_periodic
    from feedback.privacy import routes  # noqa: F401

    app.register_blueprint(bp)
    register_periodic("privacy.retention", "feedback.privacy.jobs.anonymise_old_cases", RETENTION_EVERY)
    navigation.register_public("privacy.notice", _l("Bảo vệ dữ liệu cá nhân"), order=90)
