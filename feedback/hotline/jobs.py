"""Background jobs of the hotline (functions taking ids or nothing)."""
import hashlib
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from feedback import jobs
from feedback.extensions import db
from feedback.models import Attachment, Complaint, IntakeItem, OutboundMessage, utcnow
from feedback.models.hotline import InboundMedia, InboundSms

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


class MediaUnavailable(Exception):
    """Twilio could not give the file now (network, 5xx, 429): the outbox tries again later."""


def fetch_sms_media(media_id):
    """Job: fetch one MMS item from Twilio, check and re-encode it like a portal upload, attach it.

    A file that can never be accepted (not Twilio's, gone, too big, not an image or PDF) is marked
    refused with the reason, which the handler or operator sees; a passing failure raises, so the
    durable outbox retries it. Once stored, the copy at Twilio is deleted.
    """
    import requests

    from feedback import attachments
    from feedback.hotline.media import is_twilio_media, twilio_auth

    row = db.session.get(InboundMedia, media_id)
    if row is None or row.status != "pending":
        return row.status if row is not None else None
    if not is_twilio_media(row.url):
        return _refuse(row, "not a Twilio media URL")
    limit = attachments.max_bytes()
    try:
        with requests.get(row.url, auth=twilio_auth(), stream=True,
                          timeout=current_app.config.get("MMS_MEDIA_TIMEOUT", 20)) as response:
            if response.status_code in (404, 410):
                return _refuse(row, f"Twilio answered {response.status_code}: the media is gone")
            if response.status_code != 200:
                raise MediaUnavailable(f"Twilio answered {response.status_code}")
            if int(response.headers.get("Content-Length") or 0) > limit:
                return _refuse(row, f"larger than {attachments.human_size(limit)}")
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data.extend(chunk)
                if len(data) > limit:
                    return _refuse(row, f"larger than {attachments.human_size(limit)}")
    except requests.RequestException as exc:
        raise MediaUnavailable(str(exc)) from exc
    try:
        checked = attachments.check_bytes(bytes(data), f"mms-{row.inbound_sms_id}-{row.position + 1}")
    except ValueError as exc:
        return _refuse(row, str(exc))
    row.stored_name = attachments.write_file(checked)
    row.content_type, row.size = checked.content_type, checked.size
    row.sha256 = hashlib.sha256(checked.data).hexdigest()
    row.status = "stored"
    complaint_id = row.complaint_id or _case_of_item(row.intake_item_id)
    if complaint_id is not None:
        attach_media(row, db.session.get(Complaint, complaint_id))
    jobs.enqueue("feedback.hotline.jobs.delete_twilio_media", row.id)
    db.session.commit()
    return "stored"


def _refuse(row, reason):
    row.status = "refused"
    row.error = reason[:300]
    db.session.commit()
    return "refused"


def _case_of_item(intake_item_id):
    """The case the operator made of the queue item, if any; the row lock orders us with convert_item."""
    if intake_item_id is None:
        return None
    query = select(IntakeItem.complaint_id).where(IntakeItem.id == intake_item_id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalar(query)


def attach_media(row, complaint):
    """A stored MMS file becomes one of the case's attachments (once)."""
    if row.status != "stored" or row.attachment_id is not None or complaint is None:
        return None
    attachment = Attachment(complaint=complaint, original_name=f"MMS {row.position + 1}.{row.stored_name.rsplit('.', 1)[-1]}",
                            stored_name=row.stored_name, content_type=row.content_type, size=row.size,
                            sha256=row.sha256)
    db.session.add(attachment)
    db.session.flush()
    row.attachment_id, row.complaint_id = attachment.id, complaint.id
    return attachment


def delete_twilio_media(media_id):
    """Job: delete our copy's original at Twilio (it keeps media until deleted); needs credentials."""
    from twilio.base.exceptions import TwilioRestException

    from feedback.hotline.media import media_sids, twilio_auth
    from feedback.hotline.sender import twilio_client

    row = db.session.get(InboundMedia, media_id)
    sids = media_sids(row.url) if row is not None else None
    if sids is None or twilio_auth() is None:
        return False
    try:
        twilio_client().messages(sids[0]).media(sids[1]).delete()
    except TwilioRestException as exc:
        if exc.status != 404:
            raise
    return True
