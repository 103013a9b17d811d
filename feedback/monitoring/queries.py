"""What the monitoring office sees: aggregates over its subtree, computed in the database."""
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import BigInteger, and_, case, cast, func, select
from sqlalchemy.orm import joinedload

from feedback.calendar import local_date
from feedback.cases.workflow import OPEN_STATUSES
from feedback.extensions import db
from feedback.models import (
    CaseRollup, Category, Complaint, DisciplineDecision, RatingRollup, Staff, Unit, User, Verification, utcnow,
)
from feedback.monitoring.periods import add_months, month_start
from feedback.monitoring.settings import satisfaction_target

SUBSTANTIATED = ("substantiated", "partly")
# A figure from fewer ratings than this is shown but not highlighted.
MIN_RATINGS_FOR_FLAGGING = 10
LOW_STAFF_INDEX = 70.0
COMMENDATION_INDEX = 95.0
MIN_RATINGS_FOR_COMMENDATION = 20


def subtree_ids(root):
    """Subquery of the ids of `root` and its subtree (every unit when root is None)."""
    query = select(Unit.id)
    if root is not None:
        query = query.where(Unit.subtree_clause(root))
    return query


def share(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class CaseFigures:
    received: int = 0
    answered: int = 0
    on_time: int = 0
    answer_seconds: int = 0

    def add(self, received, answered, on_time, seconds):
        # PostgreSQL sums bigints as numeric: keep plain ints.
        self.received += int(received or 0)
        self.answered += int(answered or 0)
        self.on_time += int(on_time or 0)
        self.answer_seconds += int(seconds or 0)

    @property
    def on_time_share(self):
        return share(self.on_time, self.answered)

    @property
    def average_days(self):
        return round(self.answer_seconds / self.answered / 86400, 1) if self.answered else None


@dataclass
class Dashboard:
    totals: CaseFigures
    by_unit: list  # (unit, CaseFigures, open, overdue)
    by_category: list  # (name, CaseFigures)
    by_channel: list  # (channel, CaseFigures)
    trend: list  # (month, CaseFigures)
    open_now: int = 0
    overdue_now: int = 0
    escalated_now: int = 0
    extra: dict = field(default_factory=dict)


def _child_of_root(root, units_by_id):
    """Map a unit id to the root itself or the root's direct child whose subtree holds it."""
    depth = 0 if root is None else len(root.path.strip("/").split("/"))

    owners = {}

    def owner(unit_id):
        # Asked once per rollup row (thousands a view): each unit's answer is worked out once.
        if unit_id not in owners:
            unit = units_by_id.get(unit_id)
            codes = unit.path.strip("/").split("/") if unit is not None else None
            owners[unit_id] = None if codes is None else "/" + "/".join(codes[: depth + 1]) + "/"
        return owners[unit_id]

    return owner


def case_dashboard(root, period, now=None):
    """Received, answered, on time by unit (the root's children), category and channel, plus live counts."""
    now = now or utcnow()
    scope = subtree_ids(root)
    in_period = and_(CaseRollup.month >= period.start, CaseRollup.month < period.end, CaseRollup.unit_id.in_(scope))
    # Cast back to bigint: PostgreSQL sums bigints as numeric, which arrives as thousands of Decimals a view.
    sums = tuple(cast(func.sum(column), BigInteger) for column in (
        CaseRollup.received, CaseRollup.answered, CaseRollup.answered_on_time, CaseRollup.answer_seconds))

    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(scope)))}
    by_path = {u.path: u for u in units.values()}
    owner = _child_of_root(root, units)
    totals, per_unit, per_category, per_channel = CaseFigures(), {}, {}, {}
    # One read of the period's rollup rows, summed per (unit, category, channel) (a few thousand rows at a
    # province's size), then added up per dimension here: three GROUP BYs read the same rows three times.
    dimensions = (CaseRollup.unit_id, CaseRollup.category_id, CaseRollup.channel)
    for unit_id, category_id, channel, *figures in db.session.execute(
            select(*dimensions, *sums).where(in_period).group_by(*dimensions)):
        totals.add(*figures)
        per_unit.setdefault(owner(unit_id), CaseFigures()).add(*figures)
        per_category.setdefault(category_id, CaseFigures()).add(*figures)
        per_channel.setdefault(channel, CaseFigures()).add(*figures)

    open_rows = db.session.execute(
        select(
            Complaint.unit_id,
            func.count(),
            func.sum(case((Complaint.answer_due_at < now, 1), else_=0)),
        )
        .where(Complaint.status.in_(OPEN_STATUSES), Complaint.unit_id.in_(scope))
        .group_by(Complaint.unit_id)
    ).all()
    open_by_owner, overdue_by_owner = {}, {}
    open_now = overdue_now = 0
    for unit_id, count, overdue in open_rows:
        key = owner(unit_id)
        open_by_owner[key] = open_by_owner.get(key, 0) + count
        overdue_by_owner[key] = overdue_by_owner.get(key, 0) + (overdue or 0)
        open_now += count
        overdue_now += overdue or 0

    keys = set(per_unit) | set(open_by_owner)
    by_unit = sorted(
        ((by_path.get(k), per_unit.get(k, CaseFigures()), open_by_owner.get(k, 0), overdue_by_owner.get(k, 0))
         for k in keys if k in by_path),
        key=lambda row: (-row[1].received, row[0].name),
    )
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    by_category = sorted(
        ((categories[c].name_vi if c in categories else "Chưa phân loại", f) for c, f in per_category.items()),
        key=lambda row: -row[1].received,
    )
    by_channel = sorted(per_channel.items(), key=lambda row: -row[1].received)

    escalated_now = db.session.scalar(
        select(func.count()).select_from(Complaint).where(
            Complaint.escalated.is_(True), Complaint.status.in_(OPEN_STATUSES), Complaint.unit_id.in_(scope)
        )
    )
    return Dashboard(totals, by_unit, by_category, by_channel, case_trend(root, period.end, scope=scope),
                     open_now, overdue_now, escalated_now)


def case_trend(root, end, months=12, scope=None):
    """Received and answered-on-time per month for the `months` before `end`."""
    scope = scope if scope is not None else subtree_ids(root)
    first = add_months(month_start(end - timedelta(days=1)), -(months - 1))
    rows = db.session.execute(
        select(CaseRollup.month, func.sum(CaseRollup.received), func.sum(CaseRollup.answered),
               func.sum(CaseRollup.answered_on_time), func.sum(CaseRollup.answer_seconds))
        .where(CaseRollup.month >= first, CaseRollup.month < end, CaseRollup.unit_id.in_(scope))
        .group_by(CaseRollup.month)
    ).all()
    found = {row[0]: row[1:] for row in rows}
    trend, month = [], first
    for _ in range(months):
        figures = CaseFigures()
        if month in found:
            figures.add(*found[month])
        trend.append((month, figures))
        month = add_months(month, 1)
    return trend


def overdue_cases(root, now=None, limit=200):
    """Open cases past their answer deadline, oldest deadline first, with who holds them."""
    now = now or utcnow()
    return db.session.execute(
        select(Complaint, Unit, User)
        .join(Unit, Complaint.unit_id == Unit.id)
        .outerjoin(User, Complaint.assigned_to_id == User.id)
        .where(Complaint.status.in_(OPEN_STATUSES), Complaint.answer_due_at < now,
               Complaint.unit_id.in_(subtree_ids(root)))
        .order_by(Complaint.answer_due_at, Complaint.id)
        .limit(limit)
    ).all()


def escalated_cases(root, limit=200):
    """Cases raised to the monitoring office (disputed, naming a unit head, late) still open."""
    return db.session.execute(
        select(Complaint, Unit)
        .outerjoin(Unit, Complaint.unit_id == Unit.id)
        .where(Complaint.escalated.is_(True), Complaint.status.in_(OPEN_STATUSES),
               Complaint.unit_id.in_(subtree_ids(root)))
        .order_by(Complaint.answer_due_at, Complaint.id)
        .limit(limit)
    ).all()


@dataclass
class NamedStaffRow:
    staff: Staff
    named: int
    substantiated: int
    disciplined: int
    flagged: bool = False


def named_staff(root, since, until=None):
    """Every staff member of the subtree named in a case since `since`, with counts.

    The named counts come from the partial (submitted_at, staff_id) index alone, and the substantiated ones
    from the approved verifications (few) joined to their cases: an EXISTS per named case read the
    verifications once for each of the window's 170,000 cases at a province's size (0.4 s a view).
    """
    until = until or utcnow()
    in_window = (Complaint.staff_id.is_not(None), Complaint.submitted_at >= since, Complaint.submitted_at < until)
    named = (
        select(Complaint.staff_id.label("staff_id"), func.count().label("named"))
        .where(*in_window)
        .group_by(Complaint.staff_id)
        .subquery()
    )
    upheld = select(Verification.complaint_id).where(
        Verification.status == "approved", Verification.conclusion.in_(SUBSTANTIATED)).distinct().subquery()
    substantiated = (
        select(Complaint.staff_id.label("staff_id"), func.count().label("substantiated"))
        .join(upheld, upheld.c.complaint_id == Complaint.id)
        .where(*in_window)
        .group_by(Complaint.staff_id)
        .subquery()
    )
    disciplined = (
        select(DisciplineDecision.staff_id.label("staff_id"), func.count().label("disciplined"))
        .where(DisciplineDecision.status == "decided", DisciplineDecision.decision_date >= local_date(since),
               DisciplineDecision.decision_date < local_date(until) + timedelta(days=1))
        .group_by(DisciplineDecision.staff_id)
        .subquery()
    )
    upheld_count = func.coalesce(substantiated.c.substantiated, 0)
    rows = db.session.execute(
        select(Staff, named.c.named, upheld_count, func.coalesce(disciplined.c.disciplined, 0))
        .options(joinedload(Staff.unit))
        .join(named, named.c.staff_id == Staff.id)
        .outerjoin(substantiated, substantiated.c.staff_id == Staff.id)
        .outerjoin(disciplined, disciplined.c.staff_id == Staff.id)
        .where(Staff.unit_id.in_(subtree_ids(root)))
        .order_by(upheld_count.desc(), named.c.named.desc(), Staff.full_name)
    ).all()
    return [NamedStaffRow(staff, n or 0, s or 0, d or 0) for staff, n, s, d in rows]


def staff_cases(staff, since=None):
    """The cases behind a staff member's numbers, newest first, with their approved conclusion."""
    conclusion = (
        select(Verification.conclusion)
        .where(Verification.complaint_id == Complaint.id, Verification.status == "approved")
        .order_by(Verification.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = select(Complaint, conclusion).where(Complaint.staff_id == staff.id)
    if since is not None:
        query = query.where(Complaint.submitted_at >= since)
    return db.session.execute(query.order_by(Complaint.submitted_at.desc())).all()


def discipline_history(staff):
    return db.session.scalars(
        select(DisciplineDecision).where(DisciplineDecision.staff_id == staff.id)
        .order_by(DisciplineDecision.created_at.desc())
    ).all()


def staff_with_decisions_in(year, staff_ids):
    """Ids among `staff_ids` with a discipline decision dated in `year` (one query for a whole list)."""
    from datetime import date

    if not staff_ids:
        return set()
    return set(db.session.scalars(
        select(DisciplineDecision.staff_id).where(
            DisciplineDecision.staff_id.in_(staff_ids), DisciplineDecision.status == "decided",
            DisciplineDecision.decision_date >= date(year, 1, 1), DisciplineDecision.decision_date < date(year + 1, 1, 1),
        )
    ))


def assessment_flag(staff, year):
    """'không hoàn thành nhiệm vụ' when a discipline decision is dated in `year`."""
    from datetime import date

    decided = db.session.scalar(
        select(func.count()).select_from(DisciplineDecision).where(
            DisciplineDecision.staff_id == staff.id, DisciplineDecision.status == "decided",
            DisciplineDecision.decision_date >= date(year, 1, 1), DisciplineDecision.decision_date < date(year + 1, 1, 1),
        )
    )
    return "Không hoàn thành nhiệm vụ" if decided else None


@dataclass
class SatisfactionRow:
    label: str
    total: int
    satisfied: int
    unit: Unit | None = None
    staff: Staff | None = None
    counter: str | None = None
    target: float | None = None

    @property
    def index(self):
        return share(self.satisfied, self.total)

    @property
    def below_target(self):
        return (self.target is not None and self.index is not None and self.total >= MIN_RATINGS_FOR_FLAGGING
                and self.index < self.target)


def satisfaction(root, period):
    """Satisfaction index per unit, counter and staff member over the period, with the target."""
    scope = subtree_ids(root)
    target = satisfaction_target(period.start.year)
    # The service at the counter only: answer ratings are the other indicator, never added in.
    where = and_(RatingRollup.month >= period.start, RatingRollup.month < period.end, RatingRollup.unit_id.in_(scope),
                 RatingRollup.source != "answer")
    sums = (cast(func.sum(RatingRollup.total), BigInteger), cast(func.sum(RatingRollup.satisfied), BigInteger))

    overall = db.session.execute(select(*sums).where(where)).one()
    units = db.session.execute(
        select(Unit, *sums).join(Unit, Unit.id == RatingRollup.unit_id).where(where)
        .group_by(Unit.id).order_by(Unit.name)
    ).all()
    counters = db.session.execute(
        select(Unit, RatingRollup.counter_number, *sums).join(Unit, Unit.id == RatingRollup.unit_id)
        .where(where, RatingRollup.counter_number.is_not(None))
        .group_by(Unit.id, RatingRollup.counter_number).order_by(Unit.name, RatingRollup.counter_number)
    ).all()
    staff = db.session.execute(
        select(Staff, *sums).options(joinedload(Staff.unit)).join(Staff, Staff.id == RatingRollup.staff_id).where(where)
        .group_by(Staff.id).order_by(Staff.full_name)
    ).all()
    months = db.session.execute(
        select(RatingRollup.month, *sums).where(where).group_by(RatingRollup.month).order_by(RatingRollup.month)
    ).all()
    return {
        "target": target,
        "overall": SatisfactionRow("Toàn bộ", int(overall[0] or 0), int(overall[1] or 0), target=target),
        "units": [SatisfactionRow(u.name, int(t), int(s), unit=u, target=target) for u, t, s in units],
        "counters": [SatisfactionRow(f"{u.name} — quầy {c}", int(t), int(s), unit=u, counter=c, target=target)
                     for u, c, t, s in counters],
        "staff": [SatisfactionRow(st.full_name, int(t), int(s), staff=st, target=target) for st, t, s in staff],
        "months": [(m, SatisfactionRow(m.strftime("%m/%Y"), int(t), int(s), target=target)) for m, t, s in months],
    }


def low_rated_staff(rows):
    return [r for r in rows if r.total >= MIN_RATINGS_FOR_FLAGGING and r.index is not None and r.index < LOW_STAFF_INDEX]


def commendations(root, period, staff_rows):
    """Staff proposed for commendation: excellent ratings, or compliments received in the period."""
    compliment_ids = db.session.scalars(select(Category.id).where(Category.kind == "compliment")).all()
    compliments = dict(
        db.session.execute(
            select(Complaint.staff_id, func.count())
            .where(Complaint.category_id.in_(compliment_ids), Complaint.staff_id.is_not(None),
                   Complaint.submitted_at >= period.start_utc, Complaint.submitted_at < period.end_utc,
                   Complaint.unit_id.in_(subtree_ids(root)))
            .group_by(Complaint.staff_id)
        ).all()
    )
    proposed = {}
    for row in staff_rows:
        if row.total >= MIN_RATINGS_FOR_COMMENDATION and row.index is not None and row.index >= COMMENDATION_INDEX:
            proposed[row.staff.id] = (row.staff, row.index, compliments.get(row.staff.id, 0))
    missing = [sid for sid in compliments if sid not in proposed]
    if missing:
        for member in db.session.scalars(select(Staff).where(Staff.id.in_(missing))):
            rated = next((r for r in staff_rows if r.staff.id == member.id), None)
            proposed[member.id] = (member, rated.index if rated else None, compliments[member.id])
    return sorted(proposed.values(), key=lambda item: (-(item[2] or 0), -(item[1] or 0), item[0].full_name))
