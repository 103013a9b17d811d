"""Who may see and act on a case.

Every case screen and action goes through these checks:

- the user's role may work with cases, and the case's handling unit lies in the
  user's subtree (a monitor attached to a monitoring office watches the office's
  parent subtree, as `Unit.monitoring_office()` defines it);
- the user is never the staff member the case names (`user.staff`): such a case
  is a 403 by URL and is missing from every list and count;
- handlers see the cases assigned to them and the unassigned ones of their subtree;
- cases in the triage queue (no unit yet) are seen by province-level admins,
  monitors and operators only.
"""
from flask import abort
from flask_login import current_user
from sqlalchemy import and_, or_, select, true

from feedback.extensions import db
from feedback.models import Complaint, IdentityRevealRequest, Unit

CASE_ROLES = frozenset({"admin", "monitor", "unit_head", "handler", "operator"})
TRIAGE_ROLES = frozenset({"admin", "monitor", "operator"})
# The intake side and the monitoring office see who complained; the handling unit does not.
IDENTITY_ROLES = frozenset({"monitor", "operator"})
ACTING_ROLES = frozenset({"unit_head", "handler"})


def scope_unit(user):
    """The root of the subtree the user works on (None: the whole province)."""
    unit = user.unit
    if unit is None:
        return None
    if user.role == "monitor" and unit.is_monitoring_office and unit.parent is not None:
        return unit.parent
    return unit


def is_province_level(user):
    scope = scope_unit(user)
    return scope is None or scope.parent_id is None


def named_staff_id(user):
    staff = getattr(user, "staff", None)
    return staff.id if staff is not None else None


def is_named(user, complaint):
    """True when the case names this user's own staff record."""
    staff_id = named_staff_id(user)
    return staff_id is not None and complaint.staff_id == staff_id


def unit_in_scope(user, unit):
    scope = scope_unit(user)
    return unit is not None and (scope is None or unit.is_within(scope))


def scope_clause(user, column=None):
    """WHERE clause: the unit-id column lies in the user's subtree."""
    column = Complaint.unit_id if column is None else column
    scope = scope_unit(user)
    if scope is None:
        return true()
    # The subtree's ids as values, not a subquery: with one unit the queue's first page comes straight from
    # the (unit_id, answer_due_at, id) index (0.3 ms at 60,000 cases in the unit; 45 ms with the subquery,
    # which hides the unit from the planner and makes it sort every case).
    ids = db.session.scalars(select(Unit.id).where(Unit.subtree_clause(scope))).all()
    return column == ids[0] if len(ids) == 1 else column.in_(ids)


def not_named_clause(user):
    staff_id = named_staff_id(user)
    if staff_id is None:
        return true()
    return or_(Complaint.staff_id.is_(None), Complaint.staff_id != staff_id)


def visible_clause(user):
    """WHERE clause for every list and count of routed cases this user may see."""
    conditions = [Complaint.unit_id.is_not(None), scope_clause(user), not_named_clause(user)]
    if user.role == "handler":
        conditions.append(or_(Complaint.assigned_to_id == user.id, Complaint.assigned_to_id.is_(None)))
    return and_(*conditions)


def can_view(user, complaint):
    if user is None or not user.is_authenticated or user.role not in CASE_ROLES:
        return False
    if is_named(user, complaint):
        return False
    if complaint.unit_id is None:
        return user.role in TRIAGE_ROLES and is_province_level(user)
    if not unit_in_scope(user, complaint.unit):
        return False
    if user.role == "handler" and complaint.assigned_to_id not in (None, user.id):
        return False
    return True


def can_act(user, complaint):
    """Work on the case: its unit's head, or the handler it is assigned to."""
    if not can_view(user, complaint) or complaint.unit_id is None or user.role not in ACTING_ROLES:
        return False
    if user.role == "handler":
        return complaint.assigned_to_id == user.id
    return True


def is_head(user, complaint):
    return can_view(user, complaint) and complaint.unit_id is not None and user.role == "unit_head"


def can_route_triage(user, complaint):
    return complaint.unit_id is None and can_view(user, complaint)


def approved_reveal(user, complaint):
    return db.session.scalar(
        select(IdentityRevealRequest.id).where(
            IdentityRevealRequest.complaint_id == complaint.id,
            IdentityRevealRequest.requested_by_id == user.id,
            IdentityRevealRequest.status == "approved",
        ).limit(1)
    ) is not None


def can_see_identity(user, complaint):
    if not can_view(user, complaint):
        return False
    if user.role in IDENTITY_ROLES:
        return True
    return user.role == "unit_head" and approved_reveal(user, complaint)


def can_decide_reveal(user, complaint):
    return user.is_authenticated and user.role == "monitor" and can_view(user, complaint)


def load_case(tracking_code, need="view", user=None):
    """The case with this code, or 404; 403 unless the user may `need` ("view", "act", "head")."""
    user = user if user is not None else current_user
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == tracking_code))
    if complaint is None:
        abort(404)
    check = {"view": can_view, "act": can_act, "head": is_head, "triage": can_route_triage}[need]
    if not check(user, complaint):
        abort(403)
    return complaint
