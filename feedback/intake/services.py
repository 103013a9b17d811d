"""The one door every channel goes through to create a case."""
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash

from feedback import audit
from feedback.cases.routing import route
from feedback.cases.rules import CASE_KINDS, URGENCIES, deadlines, default_urgency
from feedback.extensions import db
from feedback.messaging import notify_complainant
from feedback.models import CaseEvent, Complainant, Complaint, utcnow
from feedback.models.base import insert_unless_taken, random_code

# Same contact, unit and staff member within this window: a likely duplicate, linked.
DUPLICATE_WINDOW = timedelta(hours=48)


@dataclass
class CaseCreated:
    complaint: Complaint
    # The anonymous citizen's secret, in clear: shown once, never stored.
    secret: str | None
    # False when the same submission had already created this case.
    created: bool = True


def _existing(submission_key):
    return db.session.scalar(select(Complaint).where(Complaint.submission_key == submission_key))


def _likely_duplicate(contact, target_unit, staff, now):
    if not contact or not (contact.get("phone") or contact.get("email")):
        return None
    same_contact = []
    if contact.get("phone"):
        same_contact.append(Complainant.phone == contact["phone"])
    if contact.get("email"):
        same_contact.append(Complainant.email == contact["email"])
    query = (
        select(Complaint)
        .join(Complainant, Complaint.complainant_id == Complainant.id)
        .where(or_(*same_contact), Complaint.submitted_at >= now - DUPLICATE_WINDOW)
        .order_by(Complaint.id)
        .limit(1)
    )
    query = query.where(Complaint.target_unit_id == (target_unit.id if target_unit else None)) if target_unit else query
    # COALESCE keeps the planner off the staff_id index: "staff_id IS NULL" matched most of the table and
    # was AND-ed into every look-up (12 ms at 5k cases for a repeat caller; 0.7 ms this way).
    query = query.where(func.coalesce(Complaint.staff_id, 0) == (staff.id if staff else 0))
    return db.session.scalar(query)


def ack_text(complaint, secret=None):
    """The acknowledgement sent to the citizen, in their language (two SMS segments at most)."""
    from feedback.calendar import to_local

    with force_locale(complaint.language):
        values = dict(code=complaint.tracking_code, secret=secret,
                      url=current_app.config["PUBLIC_BASE_URL"] + "/track",
                      date=to_local(complaint.answer_due_at).strftime("%d/%m/%Y") if complaint.answer_due_at else "")
        if secret and values["date"]:
            return _("Đã nhận phản ánh %(code)s, mã bí mật %(secret)s, hạn %(date)s. Tra cứu: %(url)s", **values)
        if secret:
            return _("Đã nhận phản ánh %(code)s, mã bí mật %(secret)s. Tra cứu: %(url)s", **values)
        if values["date"]:
            return _("Đã nhận phản ánh %(code)s, hạn %(date)s. Tra cứu: %(url)s", **values)
        return _("Đã nhận phản ánh %(code)s. Tra cứu: %(url)s", **values)


def create_case(
    *,
    channel,
    description,
    category=None,
    target_unit=None,
    staff=None,
    staff_description=None,
    incident_date=None,
    incident_place=None,
    contact=None,
    consent_publish=False,
    language="vi",
    submission_key=None,
    created_by=None,
    actor_label=None,
    with_secret=None,
    send_ack=True,
    tracking_code=None,
    kind="phan_anh",
    urgency=None,
    denunciation_flag=False,
):
    """Create a case: tracking code, first routing guess, deadlines, timeline, audit, acknowledgement.

    `contact` is a dict (full_name, phone in E.164, email, address, ip_address) or None
    for an anonymous case. Every case gets a secret unless `with_secret` is False.
    The same `submission_key` sent twice returns the first case (created=False).
    Flushes; the caller commits.
    """
    now = utcnow()
    contact = {k: v for k, v in (contact or {}).items() if v}
    identity = {k: v for k, v in contact.items() if k != "ip_address"}
    complainant = None
    if identity:
        complainant = Complainant(**contact)
        db.session.add(complainant)
        db.session.flush()
    # Every case gets a secret (unless the channel has its own key, like Open311's token): the tracking
    # code alone, or with guessable facts such as phone digits, must never open the citizen's side.
    secret = new_secret() if with_secret is not False else None
    handling_unit, route_reason = route(category.id if category else None, target_unit, staff)
    kind = kind if kind in CASE_KINDS else "phan_anh"
    urgency = urgency if urgency in URGENCIES else default_urgency(category)
    accept_due, answer_due = deadlines(kind, urgency, category, now)
    duplicate_of = _likely_duplicate(identity, target_unit, staff, now)
    complaint = insert_unless_taken(db.session, Complaint, dict(
        # A channel that already told the citizen their code (the SMS reply) passes it in.
        tracking_code=tracking_code or Complaint.new_tracking_code(),
        secret_hash=secret_digest(secret) if secret else None,
        channel=channel,
        category_id=category.id if category else None,
        unit_id=handling_unit.id if handling_unit else None,
        target_unit_id=target_unit.id if target_unit else None,
        staff_id=staff.id if staff else None,
        staff_description=staff_description,
        description=description,
        incident_date=incident_date,
        incident_place=incident_place,
        complainant_id=complainant.id if complainant else None,
        consent_publish=bool(consent_publish),
        status="received",
        language=language if language in ("vi", "en") else "vi",
        accept_due_at=accept_due,
        answer_due_at=answer_due,
        kind=kind,
        urgency=urgency,
        denunciation_flag=bool(denunciation_flag),
        submission_key=submission_key,
        created_by_id=created_by.id if created_by else None,
        submitted_at=now,
        updated_at=now,
        escalated=route_reason == "names_head" and handling_unit is not None and handling_unit.is_monitoring_office,
        escalation_reason="names_head" if route_reason == "names_head" else None,
        related_to_id=duplicate_of.id if duplicate_of is not None else None,
    ), Complaint.submission_key)
    if complaint is None:
        # The same submission key already made a case (a resent form, a retried webhook): return it.
        if complainant is not None:
            db.session.delete(complainant)
        return CaseCreated(_existing(submission_key), None, created=False)
    actor = created_by
    label = actor_label or ("citizen" if created_by is None else None)
    db.session.add(CaseEvent(complaint=complaint, kind="created", to_status="received", actor_id=getattr(actor, "id", None),
                             actor_label=label, body=None, is_public=True, created_at=now))
    db.session.add(CaseEvent(
        complaint=complaint, kind="routing", actor_label="system", created_at=now, is_public=False,
        body=f"{route_reason}:{handling_unit.code if handling_unit else '-'}",
    ))
    if duplicate_of is not None:
        db.session.add(CaseEvent(complaint=complaint, kind="merge", actor_label="system", created_at=now,
                                 body=f"likely_duplicate_of:{duplicate_of.tracking_code}", is_public=False))
    audit.record("case.created", actor=actor, actor_label=label, obj=complaint, channel=channel,
                 unit=handling_unit.code if handling_unit else None, route=route_reason)
    if send_ack:
        notify_complainant(complaint, ack_text(complaint, secret), "ack", dedupe_key=f"ack:{complaint.id}")
    if handling_unit is None and (description or "").strip() and current_app.config.get("TRIAGE_ENABLED", True):
        # No unit: triage reads the text in a job after this commit (the case is safe whatever happens).
        from feedback import jobs

        jobs.enqueue("feedback.triage.jobs.triage_case", complaint.id)
    return CaseCreated(complaint, secret, created=True)


SECRET_LENGTH = 8  # 30^8 ≈ 6.6·10^11 (39 bits), with at most TRACK_CASE_LIMIT tries per code


def new_secret():
    """A case's secret: letters and digits a citizen can read aloud (no 0/O, 1/I/L)."""
    return random_code(SECRET_LENGTH)


def secret_digest(secret):
    """A keyed hash (HMAC-SHA256 with SECRET_KEY): fast to check, useless without the key."""
    key = current_app.config["SECRET_KEY"].encode()
    normalised = re.sub(r"[\s\-]", "", secret or "").upper()
    return "hmac$" + hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def check_secret(complaint, secret):
    """True when `secret` opens this case (constant-time; cases from before keyed hashes use their old hash)."""
    stored = complaint.secret_hash if complaint is not None else None
    if not stored or not secret:
        hmac.compare_digest(secret_digest("0" * SECRET_LENGTH), secret_digest(secret))  # the same work either way
        return False
    if stored.startswith("hmac$"):
        return hmac.compare_digest(stored, secret_digest(secret))
    return check_password_hash(stored, secret.strip().upper())
