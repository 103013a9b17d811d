"""Monthly rollup tables kept up to date by a periodic job.

The dashboard and reports read these instead of scanning millions of ratings and
cases. A month is rebuilt whole (delete + INSERT ... SELECT ... GROUP BY in one
transaction), so a rebuild is idempotent and heals any drift. The job rebuilds
the months touched since its last run: ratings are only ever added, so only the
months since the watermark; a case can change long after it arrived, so every
month from the oldest case updated since the watermark.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import Date, case, delete, func, insert, literal, select

from feedback.calendar import local_date, local_today, to_utc
from feedback.extensions import db
from feedback.models import CaseRollup, Complaint, Rating, RatingRollup, RollupState, utcnow
from feedback.monitoring.periods import add_months, month_start

# Rows committed a little after the watermark was read are still counted next time.
LATE_COMMIT_MARGIN = timedelta(minutes=10)


def _bounds(month):
    return to_utc(datetime.combine(month, time.min)), to_utc(datetime.combine(add_months(month, 1), time.min))


def rebuild_rating_month(month):
    start, end = _bounds(month)
    db.session.execute(delete(RatingRollup).where(RatingRollup.month == month))
    query = (
        select(
            literal(month, Date),
            Rating.unit_id,
            Rating.staff_id,
            Rating.counter_number,
            Rating.source,
            func.count(),
            func.sum(case((Rating.score >= 4, 1), else_=0)),
            func.sum(case((Rating.score == 5, 1), else_=0)),
            func.sum(case((Rating.score <= 2, 1), else_=0)),
        )
        .where(Rating.created_at >= start, Rating.created_at < end)
        .group_by(Rating.unit_id, Rating.staff_id, Rating.counter_number, Rating.source)
    )
    db.session.execute(
        insert(RatingRollup).from_select(
            ["month", "unit_id", "staff_id", "counter_number", "source", "total", "satisfied",
             "very_satisfied", "dissatisfied"],
            query,
        )
    )


def _seconds_between(later, earlier):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400


def rebuild_case_month(month):
    start, end = _bounds(month)
    db.session.execute(delete(CaseRollup).where(CaseRollup.month == month))
    answered = Complaint.answered_at.is_not(None)
    query = (
        select(
            literal(month, Date),
            Complaint.unit_id,
            Complaint.category_id,
            Complaint.channel,
            func.count(),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((answered & (Complaint.answered_at <= Complaint.answer_due_at), 1), else_=0)),
            func.coalesce(
                func.sum(case((answered, _seconds_between(Complaint.answered_at, Complaint.submitted_at)), else_=0)), 0
            ).cast(db.BigInteger),
        )
        .where(Complaint.submitted_at >= start, Complaint.submitted_at < end)
        .group_by(Complaint.unit_id, Complaint.category_id, Complaint.channel)
    )
    db.session.execute(
        insert(CaseRollup).from_select(
            ["month", "unit_id", "category_id", "channel", "received", "answered", "answered_on_time",
             "answer_seconds"],
            query,
        )
    )


def _months_from(first_moment, today):
    month, last = month_start(local_date(first_moment)), month_start(today)
    months = []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def _state(name):
    state = db.session.get(RollupState, name)
    if state is None:
        state = RollupState(name=name, watermark=None)
        db.session.add(state)
    return state


def refresh_rollups():
    """Job: rebuild the months changed since the last run; returns the months rebuilt per table."""
    now, today = utcnow(), local_today()
    rebuilt = {}

    ratings = _state("ratings")
    since = db.session.scalar(select(func.min(Rating.created_at))) if ratings.watermark is None else (
        ratings.watermark - LATE_COMMIT_MARGIN
    )
    months = _months_from(since, today) if since else []
    for month in months:
        rebuild_rating_month(month)
    ratings.watermark = now
    rebuilt["ratings"] = months

    cases = _state("cases")
    if cases.watermark is None:
        oldest = db.session.scalar(select(func.min(Complaint.submitted_at)))
    else:
        oldest = db.session.scalar(
            select(func.min(Complaint.submitted_at)).where(Complaint.updated_at >= cases.watermark - LATE_COMMIT_MARGIN)
        )
        # Months since the last run always count: a case may have arrived without any update yet.
        recent = cases.watermark - LATE_COMMIT_MARGIN
        oldest = min(oldest, recent) if oldest else recent
    months = _months_from(oldest, today) if oldest else []
    for month in months:
        rebuild_case_month(month)
    cases.watermark = now
    rebuilt["cases"] = months
    db.session.commit()
    return rebuilt
