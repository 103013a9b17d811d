"""The case workflow in the unit's hands: routing, work queue, case page, deadlines, identity protection."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("cases", __name__, url_prefix="/cases")


def init_app(app):
    from feedback import navigation
    from feedback.cases import routes  # noqa: F401
    from feedback.cases.jobs import PERIOD_SECONDS
    from feedback.jobs.worker import register_periodic

    app.register_blueprint(bp)
    navigation.register_staff("cases.queue", _l("Hồ sơ phản ánh"),
                              roles=("unit_head", "handler", "admin", "monitor", "operator"), order=20)
    navigation.register_staff("cases.triage", _l("Chờ phân loại"), roles=("admin", "monitor", "operator"), order=21)
    navigation.register_staff("cases.transfers", _l("Chuyển đến chờ nhận"), roles=("unit_head", "monitor"), order=22)
    navigation.register_staff("cases.ratings", _l("Đánh giá thấp tại quầy"), roles=("unit_head", "monitor"),
                              order=22)
    navigation.register_staff("cases.referrals", _l("Đơn chuyển cơ quan khác"), roles=("unit_head", "monitor"),
                              order=22)
    navigation.register_staff("cases.reviews", _l("Đề nghị xem xét lại"), roles=("monitor",), order=22)
    navigation.register_staff("cases.escalated", _l("Trễ hạn, chuyển cơ quan theo dõi"), roles=("monitor", "admin"), order=22)
    navigation.register_staff("cases.identity_requests", _l("Yêu cầu xem danh tính"), roles=("monitor",), order=23)
    navigation.register_staff("cases.notifications", _l("Thông báo"),
                              roles=("unit_head", "handler", "monitor", "operator", "admin"), order=90)
    register_periodic("cases.deadlines", "feedback.cases.jobs.check_deadlines", PERIOD_SECONDS)
