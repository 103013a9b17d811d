"""Messages to citizens: written to the outbox in the caller's transaction, sent by a job."""
from flask import current_app
from sqlalchemy import select

from feedback import jobs
from feedback.extensions import db
from feedback.models import OutboundMessage, SmsOptOut
from feedback.sms import outgoing


def is_opted_out(phone):
    return bool(db.session.scalar(select(SmsOptOut.opted_out).where(SmsOptOut.phone == phone)))


def queue_message(to, body, purpose, *, channel="sms", complaint=None, dedupe_key=None):
    """Put a message in the outbox and queue its delivery; returns the OutboundMessage.

    With a `dedupe_key` a second call for the same key returns the first message
    instead of sending again (the key is unique in the database).
    """
    if dedupe_key is not None:
        existing = db.session.scalar(select(OutboundMessage).where(OutboundMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    if channel == "sms":
        body = outgoing(body)  # stored as sent: the outbox shows what the citizen receives
    message = OutboundMessage(
        channel=channel, to_address=to, body=body, purpose=purpose, complaint=complaint, dedupe_key=dedupe_key,
        status="queued",
    )
    if channel == "sms" and is_opted_out(to):
        message.status = "suppressed"
        message.last_error = "opted out (STOP)"
    db.session.add(message)
    db.session.flush()
    if message.status == "queued":
        jobs.enqueue("feedback.messaging.deliver", message.id)
    return message


def complainant_address(complaint):
    """(channel, address) to reach the case's complainant, or (None, None)."""
    person = complaint.complainant
    if person is None:
        return None, None
    if person.phone:
        return "sms", person.phone
    if person.email:
        return "email", person.email
    return None, None


def notify_complainant(complaint, body, purpose, dedupe_key=None):
    """Message the complainant by the channel they gave; None when they gave none."""
    channel, address = complainant_address(complaint)
    if channel is None:
        return None
    return queue_message(address, body, purpose, channel=channel, complaint=complaint, dedupe_key=dedupe_key)


def deliver(message_id):
    """Job: send one outbox message; without credentials it stays in the outbox ('held')."""
    message = db.session.get(OutboundMessage, message_id)
    if message is None or message.status not in ("queued", "held"):
        return message.status if message else None
    sender = SENDERS.get(message.channel)
    if sender is None or not sender.configured():
        message.status = "held"
        db.session.commit()
        return "held"
    return sender.send(message)


class _EmailSender:
    """E-mail goes out through SMTP when MAIL_SERVER is configured."""

    @staticmethod
    def configured():
        return bool(current_app.config.get("MAIL_SERVER"))

    @staticmethod
    def send(message):
        import smtplib
        from email.message import EmailMessage

        from feedback.models import utcnow

        config = current_app.config
        email = EmailMessage()
        email["From"] = config.get("MAIL_FROM", "no-reply@example.vn")
        email["To"] = message.to_address
        email["Subject"] = config.get("MAIL_SUBJECT", "Phản ánh, kiến nghị")
        email.set_content(message.body)
        message.attempts += 1
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=20) as smtp:
            smtp.send_message(email)
        message.status = "sent"
        message.sent_at = utcnow()
        db.session.commit()
        return "sent"


# channel -> sender; the hotline package registers the Twilio SMS sender.
SENDERS = {"email": _EmailSender}
