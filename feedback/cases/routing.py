"""Where a case goes: administrator rules first, then the named staff member's or the chosen unit.

Rules (`RoutingRule`, edited by administrators) are tried in priority order; a rule
matches on the category and/or on the unit the case concerns (the named staff
member's unit, else the unit the citizen chose) lying in the rule's subtree.
Without a matching rule the case goes to that unit itself; with no unit at all it
waits in the triage queue (unit_id NULL) for an operator, monitor or admin.

Nobody handles a complaint about themselves: when the named staff member is the
head (or the deputy acting as head, or holds a unit-head account) of the handling unit or of any unit above it,
the case climbs above the highest such unit, to its parent, or at the top of the
tree to the monitoring office (which then handles it, flagged as escalated).
"""
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import RoutingRule

# A tree is never deeper than this; guards the climb against a cycle in bad data.
_MAX_CLIMB = 20


def heads_of(unit):
    """Staff ids who lead `unit` (head and acting head)."""
    return {i for i in (unit.head_staff_id, unit.acting_head_staff_id) if i}


def escalate_above(unit):
    """The unit that judges complaints about `unit`'s head: its parent, else the monitoring office."""
    if unit.parent is not None:
        return unit.parent
    return unit.monitoring_office()


def _leads_by_role(staff, unit):
    """True when `staff` signs in as a unit head of `unit`, whatever the unit's head fields say."""
    user = staff.user
    return user is not None and user.is_active and user.role == "unit_head" and user.unit_id == unit.id


def led_by(staff, unit):
    """The outermost unit containing `unit` (itself included) that `staff` leads, or None.

    Leading counts in every form: recorded as head or acting head, or holding a `unit_head`
    account for the unit (the head fields may lag behind a new appointment).
    """
    if staff is None or unit is None:
        return None
    found = None
    for candidate in [unit, *unit.ancestors()]:
        if staff.id in heads_of(candidate) or _leads_by_role(staff, candidate):
            found = candidate
    return found


def conflicts(staff, unit):
    """True when `unit` may not handle a case naming `staff` (they lead it or a unit above it)."""
    return staff is not None and led_by(staff, unit) is not None


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


def climb_for(staff, handling):
    """Move `handling` above every unit the named `staff` leads; returns (unit or None, climbed?)."""
    climbed = False
    for _ in range(_MAX_CLIMB):
        led = led_by(staff, handling)
        if led is None:
            return handling, climbed
        above = escalate_above(led)
        climbed = True
        if above is None:
            return None, climbed
        if above.is_monitoring_office and above.is_within(led):
            # The head of the whole tree: the monitoring office is the only judge left.
            return above, climbed
        handling = above
    return None, climbed


def route(category_id=None, target_unit=None, staff=None):
    """Return (handling unit or None for triage, reason code).

    Reason codes: "rule", "staff_unit", "chosen_unit", "names_head", "triage".
    """
    unit = staff.unit if staff is not None else target_unit
    handling = _rule_for(category_id, unit)
    reason = "rule" if handling is not None else None
    if handling is None and unit is not None:
        handling, reason = unit, ("staff_unit" if staff is not None else "chosen_unit")
    if handling is None:
        return None, "triage"
    handling, climbed = climb_for(staff, handling)
    if handling is None:
        return None, "triage"
    return handling, ("names_head" if climbed else reason)
