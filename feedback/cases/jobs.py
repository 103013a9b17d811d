"""Deadline watch: a periodic job (rq, registered with the worker), never a page load.

Each run looks at open routed cases and, counting Vietnamese working days:

- warns the assigned handler and the unit heads (in-app `Notification`) when the
  acceptance or the answer deadline falls within WARN_WORKING_DAYS;
- tells the unit heads once when the acceptance deadline has passed;
- when the case will be late (answer due within LATE_WORKING_DAYS and still not
  concluded, or already overdue) sends the citizen ONE apology with a new date,
  notifies the monitoring office and escalates the case (reason "late").

Every notice carries a unique dedupe key, so running the job twice (or on two
workers) sends each notice once.
"""
import logging

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from feedback import audit
from feedback.calendar import to_local, working_calendar
from feedback.cases.services import _date, _event, _notify, heads_for, monitors_for
from feedback.cases.workflow import OPEN_STATUSES
from feedback.extensions import db
from feedback.messaging import notify_complainant
from feedback.models import Complaint, Notification, utcnow

log = logging.getLogger(__name__)

WARN_WORKING_DAYS = 2
LATE_WORKING_DAYS = 1
# Still this far from a conclusion when the deadline is this close: the answer will be late.
NOT_CONCLUDED = ("received", "accepted", "verifying")
# Working days promised in the apology after the original deadline.
APOLOGY_EXTRA_DAYS = 5
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


def apology_date(complaint, now):
    """The new date promised to the citizen: APOLOGY_EXTRA_DAYS working days after the deadline."""
    start = max(complaint.answer_due_at, now)
    return working_calendar().add_working_days(start, APOLOGY_EXTRA_DAYS)


def handle_late(complaint, now):
    """Apology, monitoring office and escalation for a late case; once per case. Returns True if done now."""
    marker_key = f"late:{complaint.id}"
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == marker_key)) is not None:
        return False
    office = complaint.unit.monitoring_office()
    new_date = apology_date(complaint, now)
    try:
        with db.session.begin_nested():
            db.session.add(Notification(
                user_id=None, unit_id=getattr(office, "id", None), kind="late", complaint_id=complaint.id,
                dedupe_key=marker_key, created_at=now,
                body=_("Phản ánh %(code)s trễ hạn trả lời (hạn %(due)s).", code=complaint.tracking_code,
                       due=_date(complaint.answer_due_at)),
            ))
            db.session.flush()
    except IntegrityError:
        return False  # another run got there first
    with force_locale(complaint.language):
        text = _("Phản ánh %(code)s: chúng tôi xin lỗi vì chưa thể trả lời đúng hạn %(due)s. "
                 "Chúng tôi hẹn trả lời trước ngày %(date)s.", code=complaint.tracking_code,
                 due=_date(complaint.answer_due_at), date=_date(new_date))
    notify_complainant(complaint, text, "apology", dedupe_key=f"apology:{complaint.id}")
    _event(complaint, "deadline", None, public=True,
           body=_("Xin lỗi người phản ánh vì trễ hạn; hẹn trả lời trước ngày %(date)s.", date=_date(new_date)))
    for monitor in monitors_for(complaint.unit, complaint):
        _notify(monitor, complaint, "late",
                _("Phản ánh %(code)s (%(unit)s) trễ hạn trả lời %(due)s; đã chuyển lên cơ quan giám sát.",
                  code=complaint.tracking_code, unit=complaint.unit.name, due=_date(complaint.answer_due_at)),
                dedupe_key=f"late:{complaint.id}:u{monitor.id}")
    if not complaint.escalated:
        complaint.escalated = True
        complaint.escalation_reason = "late"
    _event(complaint, "escalation", None, body="late")
    audit.record("case.escalated", actor_label="system", obj=complaint, reason="late",
                 due=complaint.answer_due_at, promised=new_date)
    db.session.flush()
    return True


def check_deadlines(now=None):
    """The periodic job; commits. Returns counts of what it did (for logs and tests)."""
    now = now or utcnow()
    calendar = working_calendar()
    warn_until = calendar.add_working_days(now, WARN_WORKING_DAYS)
    late_until = calendar.add_working_days(now, LATE_WORKING_DAYS)
    counts = {"warnings": 0, "overdue_accept": 0, "late": 0}
    query = select(Complaint).where(
        Complaint.unit_id.is_not(None), Complaint.status.in_(OPEN_STATUSES),
        or_(and_(Complaint.status == "received", Complaint.accept_due_at <= warn_until),
            Complaint.answer_due_at <= warn_until),
    ).order_by(Complaint.id)
    for complaint in db.session.scalars(query).all():
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
            continue
        if now < answer_due <= warn_until:
            counts["warnings"] += _warn(complaint, "warn_answer", answer_due, _(
                "Phản ánh %(code)s sắp hết hạn trả lời (%(due)s).", code=complaint.tracking_code,
                due=to_local(answer_due).strftime("%H:%M %d/%m/%Y")))
        late = answer_due <= now or (answer_due <= late_until and complaint.status in NOT_CONCLUDED)
        if late and handle_late(complaint, now):
            counts["late"] += 1
    # A job commits its own work (the rq worker removes the session afterwards).
    db.session.commit()
    if any(counts.values()):
        log.info("deadline check: %s", counts)
    return counts
