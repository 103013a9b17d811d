"""Who may see and act on a case's verification, discipline and answer.

Built on the case rules of `feedback.cases.access` (unit subtree, never the named
staff member, handlers only on cases assigned to them or unassigned):

- view: handlers and unit heads who may view the case there, and monitors whose
  scope holds it (read-only unless the case is escalated to them);
- draft (verification, discipline proposal, answer): the handler the case is
  assigned to, or a monitor on an escalated case;
- approve (conclusion, answer, discipline meeting and decision): the unit head of
  the handling unit's subtree, or a monitor on an escalated case.
The named staff member is refused everything, whatever their role.
"""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from feedback.cases import access as case_access
from feedback.extensions import db
from feedback.models import Complaint, Staff

VIEW_ROLES = {"handler", "unit_head", "monitor"}


def monitor_scope(user):
    return case_access.scope_unit(user)


def is_named_staff(user, complaint):
    return case_access.is_named(user, complaint)


def _authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False)


def can_view(user, complaint):
    return (_authenticated(user) and user.role in VIEW_ROLES and complaint.unit_id is not None
            and not is_named_staff(user, complaint) and case_access.can_view(user, complaint))


def _monitor_acts(user, complaint):
    return user.role == "monitor" and complaint.escalated and can_view(user, complaint)


def can_draft(user, complaint):
    if not can_view(user, complaint):
        return False
    if user.role == "handler":
        return case_access.can_act(user, complaint)
    return _monitor_acts(user, complaint)


def can_approve(user, complaint):
    if not can_view(user, complaint):
        return False
    if user.role == "unit_head":
        return case_access.is_head(user, complaint)
    return _monitor_acts(user, complaint)


def load_case(code):
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
    if complaint is None:
        abort(404)
    return complaint


def require(check, code):
    """The case with this tracking code if the current user passes `check`, else 403 (404 if none)."""
    complaint = load_case(code)
    if not check(current_user, complaint):
        abort(403)
    return complaint


def can_see_staff_history(user, staff):
    """Unit heads of the staff member's unit subtree, monitors whose scope holds it, admins.

    The staff member may see their own record (outcomes only, see the history page).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == "admin":
        return True
    if user.role == "unit_head":
        return user.unit is not None and staff.unit.is_within(user.unit) and not is_self(user, staff)
    if user.role == "monitor":
        scope = monitor_scope(user)
        return scope is None or staff.unit.is_within(scope)
    return False


def is_self(user, staff):
    own = getattr(user, "staff", None)
    return own is not None and own.id == staff.id


def load_staff(public_ref):
    staff = db.session.scalar(select(Staff).where(Staff.public_ref == public_ref))
    if staff is None:
        abort(404)
    return staff
