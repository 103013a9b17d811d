"""Periodic work on answered cases (registered with the worker, never run in a request)."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from feedback.timeline import recorded
from feedback.cases.workflow import transition
from feedback.extensions import db
from feedback.models import Complaint, utcnow
from feedback.outcomes.services import CLOSABLE_STATUSES, close_refusal, dispute_deadline, sent_answer

CLOSE_EVERY = 3600


def close_settled_cases(now=None):
    """Periodic: answered cases whose dispute window passed without a dispute are closed. Returns how many."""
    now = now or utcnow()
    # Working days are at least calendar days: only cases answered that long ago can be due.
    days = int(current_app.config.get("ANSWER_DISPUTE_DAYS", 15))
    candidates = db.session.scalars(
        select(Complaint).where(Complaint.status.in_(CLOSABLE_STATUSES), Complaint.answered_at.is_not(None),
                                Complaint.answered_at < now - timedelta(days=days))
        .order_by(Complaint.id).limit(500)
    ).all()
    closed = 0
    for complaint in candidates:
        answer = sent_answer(complaint)
        if answer is None or answer.approved_at is None or dispute_deadline(answer) > now:
            continue
        if close_refusal(complaint):  # a review the monitoring office has not decided yet
            continue
        transition(complaint, "closed", actor_label="system", note=recorded(
            "Hết %(days)d ngày làm việc để có ý kiến về câu trả lời mà không có ý kiến khác.", days=days))
        closed += 1
    db.session.commit()
    return closed


DISCIPLINE_WATCH_EVERY = 6 * 3600


def watch_discipline_time_limits(today=None):
    """Periodic: the unit heads are warned TIME_LIMIT_WARN_DAYS before a discipline file's time limit;
    the monitoring office is told once it has passed without a decision. Each notice once. Returns counts."""
    from feedback.cases.services import _notify, heads_for, monitors_for
    from feedback.calendar import local_date
    from feedback.models import DisciplineDecision
    from feedback.outcomes.services import TIME_LIMIT_WARN_DAYS, discipline_due

    from feedback.models import Notification

    today = today or local_date(utcnow())
    counts = {"warned": 0, "late": 0}

    def tell(user, complaint, text, key, what):
        if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)) is None:
            if _notify(user, complaint, "discipline", text, dedupe_key=key) is not None:
                counts[what] += 1

    open_files = db.session.scalars(select(DisciplineDecision).where(
        DisciplineDecision.status.in_(("proposed", "reviewed", "meeting")),
        DisciplineDecision.started_on.is_not(None))).all()
    for decision in open_files:
        due = discipline_due(decision, today)
        complaint = decision.complaint
        if today > due:
            for monitor in monitors_for(complaint.unit, complaint):
                tell(monitor, complaint, _("Hồ sơ kỷ luật của phản ánh %(code)s đã quá thời hạn xử lý (%(d)s).",
                                           code=complaint.tracking_code, d=due.strftime("%d/%m/%Y")),
                     f"discipline-late:{decision.id}:{due}:u{monitor.id}", "late")
        elif (due - today).days <= TIME_LIMIT_WARN_DAYS:
            for head in heads_for(complaint.unit, complaint):
                tell(head, complaint, _("Hồ sơ kỷ luật của phản ánh %(code)s sắp hết thời hạn xử lý (%(d)s).",
                                        code=complaint.tracking_code, d=due.strftime("%d/%m/%Y")),
                     f"discipline-warn:{decision.id}:{due}:u{head.id}", "warned")
    db.session.commit()
    return counts
