"""What the hotline's webhooks received: one row per Twilio message and call.

The unique constraints on Twilio's ids are what make a webhook delivered twice
(Twilio retries, or two deliveries at the same moment) produce one record.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from feedback.extensions import db
from feedback.models.base import BigId, utcnow

# What an inbound SMS turned out to be.
SMS_KINDS = ("case", "reply", "status", "help", "stop", "start", "intake", "error")


class InboundSms(db.Model):
    __tablename__ = "inbound_sms"
    __table_args__ = (
        # Texts whose reply promised a case that does not exist yet (see hotline.jobs.sweep_promised_cases).
        Index("ix_inbound_sms_case_missing", "id", postgresql_where=text("kind = 'case' AND complaint_id IS NULL"),
              sqlite_where=text("kind = 'case' AND complaint_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_phone: Mapped[str] = mapped_column(String(20), index=True)
    to_phone: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str | None] = mapped_column(String(10))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    # For a new case: the code the reply gave (the case is created in the same transaction).
    tracking_code: Mapped[str | None] = mapped_column(String(16), index=True)
    # The TwiML text we answered with: a duplicate delivery gets the same answer.
    reply_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoiceCall(db.Model):
    __tablename__ = "voice_calls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    to_phone: Mapped[str | None] = mapped_column(String(20))
    # The last menu choice: "record", "status", "operator", "voicemail".
    last_choice: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# What became of a photo (or other file) sent by MMS.
MEDIA_STATES = ("pending", "stored", "refused")


class InboundMedia(db.Model):
    """One media item of an MMS (Twilio's MediaUrlN): fetched by a job, then attached to its case.

    While the text waits in the operator queue the file is kept here (stored_name); when the
    operator makes the case, it becomes one of the case's attachments.
    """
    __tablename__ = "inbound_media"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    inbound_sms_id: Mapped[int] = mapped_column(ForeignKey("inbound_sms.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    url: Mapped[str] = mapped_column(String(500))
    declared_type: Mapped[str | None] = mapped_column(String(100))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    intake_item_id: Mapped[int | None] = mapped_column(ForeignKey("intake_items.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    error: Mapped[str | None] = mapped_column(String(300))
    # The checked, re-encoded file once fetched.
    stored_name: Mapped[str | None] = mapped_column(String(100))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column()
    sha256: Mapped[str | None] = mapped_column(String(64))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
