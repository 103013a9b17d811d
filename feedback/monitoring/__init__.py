"""The monitoring office's workplace: dashboard, named-staff register, satisfaction, reports."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


def plan_each_query():
    """Plan this transaction's queries for their actual values (PostgreSQL).

    psycopg prepares a statement after a few runs and PostgreSQL may then switch to a generic
    plan; for date ranges over millions of rows that plan was measured 10x slower.
    """
    from sqlalchemy import text

    from feedback.extensions import db

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


bp.before_request(plan_each_query)


def init_app(app):
    from feedback import navigation
    from feedback.jobs.worker import register_periodic
    from feedback.monitoring import routes  # noqa: F401
    from feedback.monitoring.cli import report_command

    app.register_blueprint(bp)
    app.cli.add_command(report_command)
    navigation.register_staff("monitoring.dashboard", _l("Theo dõi, kiểm tra"), roles=("monitor", "admin"), order=40)
    register_periodic("monitoring-rollups", "feedback.monitoring.jobs.refresh_rollups", 300)
    register_periodic("monitoring-flags", "feedback.monitoring.jobs.evaluate_flags", 600)
    _template_helpers(app)


ESCALATION_REASONS = {
    "disputed": _l("Công dân không đồng ý với câu trả lời"),
    "names_head": _l("Phản ánh người đứng đầu đơn vị"),
    "late": _l("Trễ hạn"),
    "late_again": _l("Lại trễ hạn đã hẹn trong thư xin lỗi"),
    "decline_review": _l("Công dân đề nghị xem xét lại việc không thụ lý"),
}


def _template_helpers(app):
    from flask import current_app, url_for
    from markupsafe import Markup, escape

    @app.template_global()
    def case_link(complaint):
        """The case's tracking code, linked to its page where the cases screen exists."""
        if "cases.detail" in current_app.view_functions:
            href = url_for("cases.detail", tracking_code=complaint.tracking_code)
            return Markup(f'<a href="{escape(href)}">{escape(complaint.tracking_code)}</a>')
        return complaint.tracking_code

    @app.template_global()
    def escalation_label(reason):
        return ESCALATION_REASONS.get(reason, reason or "")

    @app.template_filter()
    def trend_point(point, attribute):
        month, figures = point
        return month.strftime("%m/%y"), getattr(figures, attribute)

    @app.template_filter()
    def first_two(row):
        return row[0], row[1]

    @app.template_filter()
    def satisfaction_point(point):
        month, row = point
        return month.strftime("%m/%y"), row.index
