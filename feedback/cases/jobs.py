"""Deadline watch: a periodic job (rq, registered with the worker), never a page load.

Each run looks at open routed cases and, counting Vietnamese working days:

- warns the assigned handler and the unit heads (in-app `Notification`) when the
  acceptance or the answer deadline falls within WARN_WORKING_DAYS;
- tells the unit heads once when the acceptance deadline has passed;
- when the answer is due within LATE_WORKING_DAYS and the case is not concluded, asks the
  unit head to finish or to issue the written apology with a new date (never an automatic
  apology: the directive wants the head's own, signed, with a date the head sets);
- once the answer deadline has passed (and only then is a case late), tells the monitoring
  office, escalates the case and asks the head for the written apology; a promised date missed
  again counts as a second miss ("late_again").

Every notice carries a unique dedupe key, so running the job twice (or on two
workers) sends each notice once.
"""
import logging

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from feedback import audit
from feedback.calendar import to_local, working_calendar
from feedback.cases.services import _date, _event, _notify, heads_for, monitors_for
from feedback.cases.workflow import OPEN_STATUSES
from feedback.extensions import db
from feedback.timeline import recorded
from feedback.models import Complaint, LateNotice, Notification, utcnow

log = logging.getLogger(__name__)

WARN_WORKING_DAYS = 2
LATE_WORKING_DAYS = 1
# Still this far from a conclusion when the deadline is this close: the answer will be late.
NOT_CONCLUDED = ("received", "accepted", "verifying")
PERIOD_SECONDS = 15 * 60


def _stamp(moment):
    return moment.strftime("%Y%m%d%H%M")


def _warn(complaint, kind, due, text):
    recipients = list(heads_for(complaint.unit, complaint))
    if complaint.assigned_to is not None and complaint.assigned_to not in recipients:
        recipients.append(complaint.assigned_to)
    sent = 0
    for user in recipients:
        key = f"{kind}:{complaint.id}:{user.id}:{_stamp(due)}"
        if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)) is None:
            _notify(user, complaint, kind, text, dedupe_key=key)
            sent += 1
    return sent


def foresee_late(complaint, due):
    """The answer is due within LATE_WORKING_DAYS and the case is not concluded: the unit head is asked
    to finish or to issue a written apology with a new date. Returns how many were told."""
    return _warn(complaint, "warn_late", due, _(
        "Phản ánh %(code)s có thể trễ hạn trả lời (%(due)s): nếu không kịp, lập thư xin lỗi và hẹn lại.",
        code=complaint.tracking_code, due=to_local(due).strftime("%H:%M %d/%m/%Y")))


def handle_late(complaint, now):
    """The answer deadline has passed: once per deadline, the monitoring office is told, the case is
    escalated and its unit head is asked for a written apology with a new date. A deadline that was
    itself the date promised in an apology is a second miss ("late_again"). Returns True if done now."""
    due = complaint.answer_due_at
    marker_key = f"late:{complaint.id}:{_stamp(due)}"
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == marker_key)) is not None:
        return False
    office = complaint.unit.monitoring_office()
    again = db.session.scalar(select(func.count()).select_from(LateNotice)
                              .where(LateNotice.complaint_id == complaint.id)) > 0
    try:
        with db.session.begin_nested():
            db.session.add(Notification(
                user_id=None, unit_id=getattr(office, "id", None), kind="late", complaint_id=complaint.id,
                dedupe_key=marker_key, created_at=now,
                body=_("Phản ánh %(code)s trễ hạn trả lời (hạn %(due)s).", code=complaint.tracking_code,
                       due=_date(due)),
            ))
            db.session.flush()
    except IntegrityError:
        return False  # another run got there first
    _event(complaint, "deadline", None, public=True,
           body=recorded("Quá hạn trả lời (hạn %(due)s).", due=_date(due)))
    _warn(complaint, "late", due, _(
        "Phản ánh %(code)s đã trễ hạn trả lời (%(due)s): lập thư xin lỗi và hẹn lại ngày trả lời.",
        code=complaint.tracking_code, due=_date(due)))
    reason = "late_again" if again else "late"
    for monitor in monitors_for(complaint.unit, complaint):
        _notify(monitor, complaint, "late",
                (_("Phản ánh %(code)s (%(unit)s) lại trễ hạn đã hẹn %(due)s; đã chuyển lên cơ quan theo dõi.")
                 if again else _("Phản ánh %(code)s (%(unit)s) trễ hạn trả lời %(due)s; đã chuyển lên cơ quan theo dõi."))
                % {"code": complaint.tracking_code, "unit": complaint.unit.name, "due": _date(due)},
                dedupe_key=f"late:{complaint.id}:{_stamp(due)}:u{monitor.id}")
    complaint.escalated = True
    complaint.escalation_reason = reason
    _event(complaint, "escalation", None, body=reason)
    audit.record("case.escalated", actor_label="system", obj=complaint, reason=reason, due=due)
    db.session.flush()
    return True


# Cases handled per transaction by the deadline sweep.
DEADLINE_BATCH = 200


def check_deadlines(now=None):
    """The periodic job; commits. Returns counts of what it did (for logs and tests)."""
    now = now or utcnow()
    calendar = working_calendar()
    warn_until = calendar.add_working_days(now, WARN_WORKING_DAYS)
    late_until = calendar.add_working_days(now, LATE_WORKING_DAYS)
    counts = {"warnings": 0, "overdue_accept": 0, "late": 0}
    due_ids = db.session.scalars(select(Complaint.id).where(
        Complaint.unit_id.is_not(None), Complaint.status.in_(OPEN_STATUSES),
        or_(and_(Complaint.status == "received", Complaint.accept_due_at <= warn_until),
            Complaint.answer_due_at <= warn_until),
    ).order_by(Complaint.id)).all()
    db.session.commit()
    for start in range(0, len(due_ids), DEADLINE_BATCH):
        batch = due_ids[start:start + DEADLINE_BATCH]
        for complaint in db.session.scalars(select(Complaint).where(Complaint.id.in_(batch)).order_by(Complaint.id)):
            _check_one(complaint, now, warn_until, late_until, counts)
        # Each batch commits: the audit chain's lock (taken by the first audit row) is held for one batch,
        # not for the whole sweep, which at a province's size kept every intake request waiting for minutes.
        db.session.commit()
    if any(counts.values()):
        log.info("deadline check: %s", counts)
    return counts


def _check_one(complaint, now, warn_until, late_until, counts):
    """The warnings, late notices and forecasts one open case is due (idempotent: keyed notifications)."""
    accept_due, answer_due = complaint.accept_due_at, complaint.answer_due_at
    if complaint.status == "received" and accept_due is not None:
        if now < accept_due <= warn_until:
            counts["warnings"] += _warn(complaint, "warn_accept", accept_due, _(
                "Phản ánh %(code)s sắp hết hạn thụ lý (%(due)s).", code=complaint.tracking_code,
                due=to_local(accept_due).strftime("%H:%M %d/%m/%Y")))
        elif accept_due <= now:
            counts["overdue_accept"] += _warn(complaint, "overdue_accept", accept_due, _(
                "Phản ánh %(code)s đã quá hạn thụ lý (%(due)s).", code=complaint.tracking_code,
                due=to_local(accept_due).strftime("%H:%M %d/%m/%Y")))
    if answer_due is None:
        return
    if now < answer_due <= warn_until:
        counts["warnings"] += _warn(complaint, "warn_answer", answer_due, _(
            "Phản ánh %(code)s sắp hết hạn trả lời (%(due)s).", code=complaint.tracking_code,
            due=to_local(answer_due).strftime("%H:%M %d/%m/%Y")))
    if answer_due <= now:
        if handle_late(complaint, now):
            counts["late"] += 1
    elif answer_due <= late_until and complaint.status in NOT_CONCLUDED:
        counts["warnings"] += foresee_late(complaint, answer_due)
