"""In-app notifications for staff and identity-reveal requests (case workflow)."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.base import BigId, utcnow

NOTIFICATION_KINDS = (
    "warn_accept", "warn_answer", "overdue_accept", "late", "assigned", "transfer", "identity", "escalation",
)
REVEAL_STATES = ("requested", "approved", "refused")


class Notification(db.Model):
    """A line in a staff member's in-app inbox.

    `user_id` NULL means a unit-level marker (e.g. "the monitoring office was told that
    this case is late"): the unique `dedupe_key` makes "send once" a database fact.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    complaint: Mapped["Complaint | None"] = relationship()  # noqa: F821


class IdentityRevealRequest(db.Model):
    """A unit head asks the monitoring office to see who complained; the decision is audited."""

    __tablename__ = "identity_reveal_requests"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in REVEAL_STATES)})", name="status"),
        Index("ix_identity_reveal_requests_complaint_user", "complaint_id", "requested_by_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="requested", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped["Complaint"] = relationship()  # noqa: F821
    requested_by: Mapped["User"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
