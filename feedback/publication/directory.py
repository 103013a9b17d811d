"""The public hotline directory: active units grouped by the unit tree, searchable without accents."""
from dataclasses import dataclass, field

from sqlalchemy import select

from feedback.calendar import local_today
from feedback.extensions import db
from feedback.models import Unit
from feedback.text import fold


@dataclass
class Node:
    unit: Unit
    matched: bool = True
    children: list = field(default_factory=list)


def _haystack(unit):
    return fold(" ".join(x for x in (unit.name, unit.code, unit.address, unit.hotline, unit.email) if x))


def hotline_tree(q="", day=None):
    """(roots, number of matching units): every unit active on `day`, nested by path.

    With a query, only matching units and the units above them (for context) are kept;
    every word of the query must appear, accents optional.
    """
    day = day or local_today()
    units = db.session.scalars(select(Unit).where(Unit.currently_active(day)).order_by(Unit.path)).all()
    words = fold(q).split()
    matched = {u.id for u in units if all(w in _haystack(u) for w in words)} if words else {u.id for u in units}
    by_path = {u.path: u for u in units}
    keep = set()
    for unit in units:
        if unit.id in matched:
            codes = [c for c in unit.path.strip("/").split("/") if c]
            for i in range(1, len(codes) + 1):
                ancestor = by_path.get("/" + "/".join(codes[:i]) + "/")
                if ancestor is not None:
                    keep.add(ancestor.id)
    nodes, roots = {}, []
    for unit in units:  # ordered by path: parents come before children
        if unit.id not in keep:
            continue
        node = Node(unit, matched=unit.id in matched)
        nodes[unit.id] = node
        parent = nodes.get(unit.parent_id)
        (parent.children if parent else roots).append(node)
    _sort(roots)
    return roots, len(matched)


def _sort(nodes):
    nodes.sort(key=lambda n: (n.unit.kind not in ("province", "department", "agency"), n.unit.name))
    for node in nodes:
        _sort(node.children)
