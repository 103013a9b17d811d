"""A staff member's record: every case naming them, its outcome, and the year's assessment flag.

Who sees it: unit heads whose subtree holds the staff member's unit, monitors whose
scope holds it, administrators. The staff member may open their own record, in a
reduced form: dates, categories, conclusions and discipline outcomes only, without
the case's description or tracking code (nothing that could identify the citizen).
"""
from flask import abort, render_template
from flask_login import current_user, login_required

from feedback.calendar import local_today
from feedback.models.outcome import CONCLUSIONS, DISCIPLINE_FORMS, LIGHTER_MEASURES
from feedback.outcomes import access, services, staff_bp


@staff_bp.route("/<public_ref>/history")
@login_required
def history(public_ref):
    staff = access.load_staff(public_ref)
    own = access.is_self(current_user, staff)
    if not own and not access.can_see_staff_history(current_user, staff):
        abort(403)
    year = local_today().year
    years = sorted({year, *services.decision_years(staff)}, reverse=True)
    flags = {y: services.assessment_flag(staff, y) for y in years}
    return render_template(
        "outcomes/staff_history.html", staff=staff, rows=services.staff_history(staff), own=own, flags=flags,
        conclusions=CONCLUSIONS, forms=DISCIPLINE_FORMS, lighter=LIGHTER_MEASURES,
    )
