"""Retention: personal data of cases finished long ago is removed; the case itself stays, anonymous."""
import logging
import os
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from feedback import audit, jobs
from feedback.attachments import path_of, path_of_name
from feedback.extensions import db
from feedback.models import Attachment, Complaint, IntakeItem, OutboundMessage, utcnow
from feedback.models.hotline import InboundMedia, InboundSms
from feedback.redaction import redact_for_case

log = logging.getLogger(__name__)
FINISHED = ("closed", "declined")
BATCH = 200


def anonymise_old_cases():
    """Periodic: for cases closed or declined more than PERSONAL_DATA_RETENTION_DAYS ago, remove the
    complainant's identity, their phone number from texts and messages, voicemail recordings and the
    files they attached, and redact their name and contacts from the description. Returns how many."""
    cutoff = utcnow() - timedelta(days=current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
    ids = db.session.scalars(
        select(Complaint.id)
        .where(Complaint.status.in_(FINISHED), Complaint.complainant_id.is_not(None),
               func.coalesce(Complaint.closed_at, Complaint.updated_at) < cutoff)
        .order_by(Complaint.id).limit(BATCH)
    ).all()
    for complaint_id in ids:
        anonymise_case(db.session.get(Complaint, complaint_id))
        db.session.commit()
    return len(ids) + forget_dismissed_items(cutoff)


def forget_dismissed_items(cutoff):
    """Operator-queue items dismissed before `cutoff` (no case was made): number, text, recording and
    MMS photos go; the item stays as a count. Returns how many."""
    items = db.session.scalars(
        select(IntakeItem).where(IntakeItem.status == "dismissed", IntakeItem.handled_at < cutoff,
                                 or_(IntakeItem.from_phone.is_not(None), IntakeItem.body.is_not(None),
                                     IntakeItem.recording_url.is_not(None)))
        .order_by(IntakeItem.id).limit(BATCH)
    ).all()
    for item in items:
        if item.recording_sid:
            jobs.enqueue("feedback.privacy.jobs.delete_recording", item.recording_sid)
        for media in db.session.scalars(select(InboundMedia).where(InboundMedia.intake_item_id == item.id)).all():
            if media.stored_name:
                try:
                    os.remove(path_of_name(media.stored_name))
                except FileNotFoundError:
                    pass
            db.session.delete(media)
        if item.message_sid:
            db.session.execute(update(InboundSms).where(InboundSms.message_sid == item.message_sid)
                               .values(from_phone="", body="").execution_options(synchronize_session=False))
        item.from_phone = item.body = item.recording_url = None
        audit.record("privacy.item_forgotten", actor_label="system", obj=item)
        db.session.commit()
    return len(items)


def anonymise_case(complaint):
    """Remove one case's personal data (see `anonymise_old_cases`); flushes, the caller commits."""
    person = complaint.complainant
    phone = person.phone if person is not None else None
    complaint.description = redact_for_case(complaint.description, complaint)
    # Triage's lessons from this case keep the text only as redacted as the case itself.
    from feedback.models import TriageCorrection

    db.session.execute(update(TriageCorrection).where(TriageCorrection.complaint_id == complaint.id)
                       .values(text=complaint.description or "").execution_options(synchronize_session=False))
    if phone:
        db.session.execute(update(InboundSms).where(InboundSms.complaint_id == complaint.id)
                           .values(from_phone="", body="").execution_options(synchronize_session=False))
    db.session.execute(update(OutboundMessage).where(OutboundMessage.complaint_id == complaint.id)
                       .values(to_address="").execution_options(synchronize_session=False))
    recordings = db.session.scalars(select(IntakeItem.recording_sid).where(
        IntakeItem.complaint_id == complaint.id, IntakeItem.recording_sid.is_not(None))).all()
    for recording_sid in recordings:  # the audio lives at Twilio: deleted there, by a job that retries
        jobs.enqueue("feedback.privacy.jobs.delete_recording", recording_sid)
    db.session.execute(update(IntakeItem).where(IntakeItem.complaint_id == complaint.id)
                       .values(from_phone=None, recording_url=None, body=None).execution_options(synchronize_session=False))
    removed_files = 0
    # MMS media rows point at the attachments below (their files are the same): they go first.
    db.session.execute(delete(InboundMedia).where(InboundMedia.complaint_id == complaint.id)
                       .execution_options(synchronize_session=False))
    for attachment in db.session.scalars(select(Attachment).where(Attachment.complaint_id == complaint.id,
                                                                  Attachment.is_evidence.is_(False))).all():
        try:
            os.remove(path_of(attachment))
        except FileNotFoundError:
            pass
        db.session.delete(attachment)
        removed_files += 1
    complaint.complainant = None
    if person is not None:
        db.session.delete(person)
    db.session.flush()
    audit.record("privacy.anonymised", actor_label="system", obj=complaint, files=removed_files)
    log.info("case %s anonymised (%d files removed)", complaint.tracking_code, removed_files)


def delete_recording(recording_sid):
    """Job: delete a voicemail's audio at Twilio (where it is stored); nothing to do without credentials."""
    from twilio.base.exceptions import TwilioRestException

    from feedback.hotline.sender import TwilioSmsSender, twilio_client

    if not TwilioSmsSender.configured():
        log.warning("recording %s not deleted at Twilio: no credentials", recording_sid)
        return False
    try:
        twilio_client().recordings(recording_sid).delete()
    except TwilioRestException as exc:
        if exc.status != 404:  # already gone is done
            raise
    audit.record("privacy.recording_deleted", actor_label="system", object_type="recording", object_id=recording_sid)
    return True
