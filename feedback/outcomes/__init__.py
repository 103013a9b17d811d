"""Outcomes of a case: verification and conclusion, discipline, the answer; staff history; audit view.

Blueprints: ``outcomes`` (/cases/<code>/verification|discipline|answer), ``staff_history``
(/staff/<public_ref>/history) and ``audit_view`` (/audit/). The case page of
feedback.cases includes ``templates/outcomes/_case_panels.html``.
"""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("outcomes", __name__, url_prefix="/cases")
staff_bp = Blueprint("staff_history", __name__, url_prefix="/staff")
audit_bp = Blueprint("audit_view", __name__, url_prefix="/audit")


def init_app(app):
    from feedback import navigation
    from feedback.jobs.worker import register_periodic
    from feedback.outcomes import audit_routes, panels, routes, staff_routes  # noqa: F401
    from feedback.outcomes.jobs import CLOSE_EVERY, DISCIPLINE_WATCH_EVERY

    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(audit_bp)
    app.jinja_env.globals.update(outcome_panels=panels.outcome_panels)
    register_periodic("outcomes.close_settled", "feedback.outcomes.jobs.close_settled_cases", CLOSE_EVERY)
    register_periodic("outcomes.discipline_limits", "feedback.outcomes.jobs.watch_discipline_time_limits",
                      DISCIPLINE_WATCH_EVERY)
    navigation.register_staff("audit_view.index", _l("Nhật ký hệ thống"), roles={"monitor", "admin"}, order=90)
