"""Outboxes: messages to citizens and jobs waiting to reach the queue."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.base import BigId, utcnow

MESSAGE_PURPOSES = ("ack", "question", "apology", "answer", "rating_request", "notice", "reply", "secret")
# Delivery states in the order they happen; a callback never moves a message backwards.
MESSAGE_STATES = ("held", "queued", "sending", "sent", "delivered", "undelivered", "failed", "suppressed")
FINAL_MESSAGE_STATES = {"delivered", "undelivered", "failed", "suppressed"}


class OutboundMessage(db.Model):
    """An SMS or e-mail to a citizen; written in the same transaction as the change it reports."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        CheckConstraint("channel IN ('sms', 'email')", name="channel"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in MESSAGE_STATES)})", name="status"),
        Index("ix_outbound_messages_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    channel: Mapped[str] = mapped_column(String(5))
    to_address: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    # Makes "send this notice once" a database fact (e.g. "apology:<case id>").
    dedupe_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    complaint: Mapped["Complaint | None"] = relationship()


class JobOutbox(db.Model):
    """A job to run once its transaction has committed; the database, not Redis, says whether it ran.

    `enqueued_at` is set when the relay hands it to rq (or the embedded runner claims it),
    `started_at` when a run begins, `finished_at` when one succeeded or the last try failed.
    A failed try goes back to waiting with `run_after` set: retries live here, so a Redis
    restart or a dead rq scheduler cannot lose or stall them.
    """

    __tablename__ = "job_outbox"
    __table_args__ = (
        Index("ix_job_outbox_pending", "enqueued_at", "id"),
        Index("ix_job_outbox_unfinished", "finished_at", "enqueued_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    func: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JSON, default=list)
    queue: Mapped[str] = mapped_column(String(40), default="default")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column()
    job_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    run_after: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    failed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())


class PeriodicRun(db.Model):
    """When each periodic job last ran: one conditional UPDATE decides which worker runs it next."""

    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column()


class SmsOptOut(db.Model):
    """A phone number that sent STOP/DỪNG: nothing is sent to it until START."""

    __tablename__ = "sms_opt_outs"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    opted_out: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
