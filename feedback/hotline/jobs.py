"""Background jobs of the hotline (functions taking ids or nothing)."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from feedback import jobs
from feedback.extensions import db
from feedback.models import Complaint, OutboundMessage, utcnow
from feedback.models.hotline import InboundSms

# A 'queued' message untouched this long lost its job (retries used up): queue it again.
STUCK_AFTER = timedelta(minutes=30)
BATCH = 500
# An SMS whose reply promised a case that is still missing this long after (see sweep_promised_cases).
PROMISE_GRACE = timedelta(minutes=1)


def sweep_promised_cases():
    """Periodic: make the case for every SMS whose reply gave a tracking code that opens nothing.

    Since cases are created in the webhook's own transaction this finds nothing; it is the net
    for texts stored by an earlier version, whose case was left to a job that Redis could lose.
    """
    ids = db.session.scalars(
        select(InboundSms.id)
        .where(InboundSms.kind == "case", InboundSms.complaint_id.is_(None),
               InboundSms.created_at < utcnow() - PROMISE_GRACE)
        .order_by(InboundSms.id).limit(BATCH)
    ).all()
    db.session.rollback()
    made = [case_id for case_id in map(create_sms_case, ids) if case_id is not None]
    return len(made)


def create_sms_case(inbound_id):
    """The case for an inbound SMS, with the tracking code its reply already gave the citizen."""
    from feedback.intake.services import ack_text, create_case
    from feedback.messaging import notify_complainant

    row = db.session.get(InboundSms, inbound_id)
    if row is None or row.kind != "case" or row.complaint_id is not None:
        return None
    code = row.tracking_code
    if code and db.session.scalar(select(Complaint.id).where(Complaint.tracking_code == code)) is not None:
        code = None  # the promised code was taken meanwhile (about 1 in 10^11): a new one, sent by SMS
    result = create_case(
        channel="sms", description=row.body, contact={"phone": row.from_phone},
        submission_key=f"sms:{row.message_sid}", send_ack=False, actor_label="citizen", tracking_code=code,
        with_secret=False,
    )
    row.complaint_id = result.complaint.id
    if result.created and result.complaint.tracking_code != row.tracking_code:
        notify_complainant(result.complaint, ack_text(result.complaint), "ack", dedupe_key=f"ack:{result.complaint.id}")
    db.session.commit()
    return result.complaint.id


def requeue_stuck_messages():
    """Periodic: once Twilio is configured, queue held SMS and SMS whose job was lost."""
    from feedback.hotline.sender import TwilioSmsSender

    if not TwilioSmsSender.configured():
        return 0
    now = utcnow()
    stale = now - STUCK_AFTER
    # A send that never reported back (worker killed mid-call): Twilio may have it, so it is marked
    # uncertain and queued again at once; the next try asks Twilio before sending anything.
    sending_stale = now - timedelta(seconds=current_app.config.get("SMS_SENDING_STALE_SECONDS", 120))
    db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.channel == "sms", OutboundMessage.status == "sending",
               OutboundMessage.updated_at < sending_stale)
        .values(status="queued", error_code="timeout", updated_at=stale - timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    )
    ids = db.session.scalars(
        select(OutboundMessage.id)
        .where(OutboundMessage.channel == "sms",
               or_(OutboundMessage.status == "held",
                   (OutboundMessage.status == "queued") & (OutboundMessage.updated_at < stale)))
        .order_by(OutboundMessage.id)
        .limit(BATCH)
    ).all()
    for message_id in ids:
        jobs.enqueue("feedback.messaging.deliver", message_id)
    if ids:
        db.session.execute(
            update(OutboundMessage).where(OutboundMessage.id.in_(ids)).values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return len(ids)
