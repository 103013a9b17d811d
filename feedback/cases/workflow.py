"""The life of a case: its states and the only transitions allowed between them.

Every status change in the system goes through `transition()`, which refuses an
illegal move, stamps the time, writes the timeline event and the audit record.
"""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from feedback import audit
from feedback.extensions import db
from feedback.models import CaseEvent, utcnow
from feedback.timeline import message_of

STATUSES = {
    "received": _l("Đã tiếp nhận"),
    "accepted": _l("Đã thụ lý"),
    # The status, not the button of the same words ("Declined", not "Decline" in English).
    "declined": lazy_pgettext("case status", "Không thụ lý"),
    "verifying": _l("Đang xác minh"),
    "concluded": _l("Đã có kết luận"),
    "answered": _l("Đã trả lời"),
    "published": _l("Đã công khai"),
    "closed": _l("Đã đóng"),
}

TRANSITIONS = {
    "received": {"accepted", "declined"},
    # Suggestions and compliments need no verification: they may be answered directly.
    "accepted": {"verifying", "answered", "declined"},
    "verifying": {"concluded"},
    # The unit head may send a conclusion back for more verification.
    "concluded": {"verifying", "answered"},
    # A disputed answer re-opens the case for verification (and escalates it).
    "answered": {"published", "closed", "verifying"},
    "published": {"closed", "verifying"},
    "closed": {"verifying"},
    # The monitoring office may reopen a wrongly declined case.
    "declined": {"received"},
}

OPEN_STATUSES = ("received", "accepted", "verifying", "concluded")
# Timestamps stamped the first time a case reaches the state.
_STAMPS = {
    "accepted": "accepted_at",
    "concluded": "concluded_at",
    "answered": "answered_at",
    "published": "published_at",
    "closed": "closed_at",
}


class IllegalTransition(ValueError):
    """A status change the workflow does not allow."""

    def __init__(self, from_status, to_status):
        super().__init__(f"cannot move a case from {from_status!r} to {to_status!r}")
        self.from_status = from_status
        self.to_status = to_status


def can_transition(from_status, to_status):
    return to_status in TRANSITIONS.get(from_status, set())


def transition(complaint, to_status, *, actor=None, actor_label=None, note=None, public=True):
    """Move `complaint` to `to_status` or raise IllegalTransition; returns the timeline event."""
    from_status = complaint.status
    if not can_transition(from_status, to_status):
        raise IllegalTransition(from_status, to_status)
    now = utcnow()
    complaint.status = to_status
    stamp = _STAMPS.get(to_status)
    if stamp and getattr(complaint, stamp) is None:
        setattr(complaint, stamp, now)
    event = CaseEvent(
        complaint=complaint,
        kind="status",
        from_status=from_status,
        to_status=to_status,
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label or (None if actor else "system"),
        body=note,
        message=message_of(note),
        is_public=public,
        created_at=now,
    )
    db.session.add(event)
    audit.record(
        "case.status", actor=actor, actor_label=actor_label, obj=complaint,
        from_status=from_status, to_status=to_status, note=note,
    )
    return event


def status_label(status):
    return STATUSES.get(status, status)
