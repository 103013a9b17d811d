"""The public ranking of units (as Đà Nẵng publishes it): on-time rate, overdue cases, average working
days to answer and counter satisfaction, per commune-level unit or per department, over a period.

Every figure is counted over the unit's subtree (a commune with its one-stop centre and offices), with
grouped queries — one per figure, not one per unit.
"""
from dataclasses import asdict, dataclass

from sqlalchemy import case, func, select

from feedback.calendar import working_calendar
from feedback.cases.workflow import OPEN_STATUSES
from feedback.extensions import db
from feedback.models.org import COMMUNE_KINDS
from feedback.models import Complaint, Rating, Unit, utcnow
from feedback.models.rating import SATISFIED_SCORES
from feedback.publication.stats import _as_date, _local_day, _percent

LEVELS = {"commune": COMMUNE_KINDS, "department": ("department", "agency")}
# Units with fewer answered cases than this are listed but not ranked (too few to compare).
MIN_ANSWERED = 3


@dataclass
class Row:
    code: str
    name: str
    received: int = 0
    answered: int = 0
    on_time: int = 0
    on_time_share: float | None = None
    overdue: int = 0
    average_days: float | None = None
    ratings: int = 0
    satisfaction: float | None = None
    rank: int | None = None


def _owner(paths, path):
    """The ranked unit whose subtree holds `path` (the longest prefix), or None."""
    best = None
    for root in paths:
        if path.startswith(root) and (best is None or len(root) > len(best)):
            best = root
    return best


def ranking(level, period):
    units = db.session.scalars(select(Unit).where(Unit.kind.in_(LEVELS[level])).order_by(Unit.name)).all()
    rows = {u.path: Row(u.code, u.name) for u in units}
    paths = list(rows)
    unit_paths = dict(db.session.execute(select(Unit.id, Unit.path)).all())

    def add(unit_id, **values):
        root = _owner(paths, unit_paths.get(unit_id, ""))
        if root is not None:
            for name, value in values.items():
                setattr(rows[root], name, getattr(rows[root], name) + int(value or 0))

    start, end = period.start_utc, period.end_utc
    handled = func.coalesce(Complaint.unit_id, Complaint.target_unit_id)
    for unit_id, count in db.session.execute(
            select(handled, func.count()).where(Complaint.submitted_at >= start, Complaint.submitted_at < end)
            .group_by(handled)).all():
        add(unit_id, received=count)
    answered = (Complaint.answered_at >= start, Complaint.answered_at < end)
    for unit_id, total, on_time in db.session.execute(
            select(handled, func.count(), func.sum(case((Complaint.answered_at <= Complaint.answer_due_at, 1), else_=0)))
            .where(*answered).group_by(handled)).all():
        add(unit_id, answered=total, on_time=on_time)
    for unit_id, count in db.session.execute(
            select(Complaint.unit_id, func.count()).where(Complaint.status.in_(OPEN_STATUSES),
                                                          Complaint.answer_due_at < utcnow())
            .group_by(Complaint.unit_id)).all():
        add(unit_id, overdue=count)
    satisfied = {}
    for unit_id, total, good in db.session.execute(
            select(Rating.unit_id, func.count(), func.sum(case((Rating.score.in_(SATISFIED_SCORES), 1), else_=0)))
            .where(Rating.created_at >= start, Rating.created_at < end, Rating.source != "answer")
            .group_by(Rating.unit_id)).all():
        root = _owner(paths, unit_paths.get(unit_id, ""))
        if root is not None:
            rows[root].ratings += int(total)
            satisfied[root] = satisfied.get(root, 0) + int(good or 0)
    calendar, days = working_calendar(), {}
    submitted_day, answered_day = _local_day(Complaint.submitted_at), _local_day(Complaint.answered_at)
    for unit_id, first, last, count in db.session.execute(
            select(handled, submitted_day, answered_day, func.count()).where(*answered)
            .group_by(handled, submitted_day, answered_day)).all():
        root = _owner(paths, unit_paths.get(unit_id, ""))
        if root is not None:
            total = calendar.working_days_between_dates(_as_date(first), _as_date(last)) * count
            days[root] = days.get(root, 0) + total
    for root, row in rows.items():
        row.on_time_share = _percent(row.on_time, row.answered)
        row.satisfaction = _percent(satisfied.get(root, 0), row.ratings)
        row.average_days = round(days[root] / row.answered, 1) if row.answered and root in days else None
    ranked = sorted((r for r in rows.values() if r.answered >= MIN_ANSWERED),
                    key=lambda r: (-(r.on_time_share or 0), r.overdue, -(r.satisfaction or 0), r.name))
    for position, row in enumerate(ranked, 1):
        row.rank = position
    unranked = sorted((r for r in rows.values() if r.answered < MIN_ANSWERED), key=lambda r: r.name)
    return ranked + unranked


def as_dicts(rows):
    return [asdict(row) for row in rows]
