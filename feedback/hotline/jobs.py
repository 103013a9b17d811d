"""Background jobs of the hotline (functions taking ids or nothing)."""
from datetime import timedelta

from sqlalchemy import or_, select, update

from feedback import jobs
from feedback.extensions import db
from feedback.models import OutboundMessage, utcnow

# A 'queued' message untouched this long lost its job (Redis flushed, retries used up): queue it again.
STUCK_AFTER = timedelta(minutes=30)
BATCH = 500


def requeue_stuck_messages():
    """Periodic: once Twilio is configured, queue held SMS and SMS whose job was lost."""
    from feedback.hotline.sender import TwilioSmsSender

    if not TwilioSmsSender.configured():
        return 0
    now = utcnow()
    stale = now - STUCK_AFTER
    # A send that never reported back (worker killed mid-call): Twilio may have it, so mark it uncertain.
    db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.channel == "sms", OutboundMessage.status == "sending", OutboundMessage.updated_at < stale)
        .values(status="queued", error_code="timeout", updated_at=stale)
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
