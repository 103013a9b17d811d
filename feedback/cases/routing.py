"""Where a new case goes: administrator rules first, then the named staff member's unit.

Nobody handles a complaint about themselves: a case naming a unit's head (or the
deputy acting as head) goes one level up, or to the monitoring office.
"""
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import RoutingRule, Unit


def heads_of(unit):
    """Staff ids who lead `unit` (head and acting head)."""
    return {i for i in (unit.head_staff_id, unit.acting_head_staff_id) if i}


def escalate_above(unit):
    """The unit that judges complaints about `unit`'s head: its parent, else the monitoring office."""
    if unit.parent is not None:
        return unit.parent
    return unit.monitoring_office()


def _rule_for(category_id, unit):
    rules = db.session.scalars(
        select(RoutingRule).where(RoutingRule.active.is_(True)).order_by(RoutingRule.priority, RoutingRule.id)
    ).all()
    for rule in rules:
        if rule.category_id is not None and rule.category_id != category_id:
            continue
        if rule.match_unit_id is not None and (unit is None or not unit.is_within(rule.match_unit)):
            continue
        return rule.route_to_unit
    return None


def route(category_id=None, target_unit=None, staff=None):
    """Return (handling unit or None for triage, reason code)."""
    unit = staff.unit if staff is not None else target_unit
    handling = _rule_for(category_id, unit) if not staff else None
    reason = "rule" if handling is not None else None
    if handling is None and unit is not None:
        handling, reason = unit, ("staff_unit" if staff is not None else "chosen_unit")
    if handling is None:
        return None, "triage"
    # Climb while the named person leads the unit that would handle the case.
    while staff is not None and handling is not None and staff.id in heads_of(handling):
        handling, reason = escalate_above(handling), "names_head"
    if handling is None:
        return None, "triage"
    return handling, reason
