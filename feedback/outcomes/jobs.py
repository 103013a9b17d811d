"""Periodic work on answered cases (registered with the worker, never run in a request)."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

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
        transition(complaint, "closed", actor_label="system", note=_(
            "Hết %(days)d ngày làm việc để có ý kiến về câu trả lời mà không có ý kiến khác.", days=days))
        closed += 1
    db.session.commit()
    return closed
