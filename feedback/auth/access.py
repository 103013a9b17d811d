"""Role and unit scoping shared by every back-office feature.

    @bp.route("/x")
    @roles_required("admin", "monitor")
    def view(): ...

    require_unit_access(case.unit)   # 403 unless the unit lies in the user's subtree
"""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from feedback.calendar import local_today
from feedback.extensions import db
from feedback.models import Unit


def roles_required(*roles):
    """Sign-in required (redirect to the login page), then 403 unless the user has one of `roles`."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorator


def require_unit_access(unit, user=None):
    """Abort with 403 unless `unit` is the user's unit or lies below it."""
    user = user if user is not None else current_user
    if not user.is_authenticated or not user.can_see_unit(unit):
        abort(403)
    return unit


def units_in_scope(user=None, *, active_only=False):
    """Every unit the user may see, ordered as a tree (parents before children)."""
    user = user if user is not None else current_user
    query = select(Unit)
    if user.unit is not None:
        query = query.where(Unit.subtree_clause(user.unit))
    units = db.session.scalars(query).all()
    if active_only:
        today = local_today()
        units = [u for u in units if u.is_active_on(today)]
    return tree_order(units)


def tree_order(units):
    """Order units depth-first (children by name) and return [(unit, depth)] relative to the top ones."""
    by_id = {u.id: u for u in units}
    children = {}
    roots = []
    for unit in units:
        if unit.parent_id in by_id:
            children.setdefault(unit.parent_id, []).append(unit)
        else:
            roots.append(unit)
    ordered = []

    def key(unit):
        return (unit.name or "").casefold(), unit.code

    stack = [(u, 0) for u in sorted(roots, key=key, reverse=True)]
    while stack:
        unit, depth = stack.pop()
        ordered.append((unit, depth))
        for child in sorted(children.get(unit.id, []), key=key, reverse=True):
            stack.append((child, depth + 1))
    return ordered
