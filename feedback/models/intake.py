"""Items that reached us without a person to read them: voicemails, unclear SMS.

The hotline webhooks create them; an operator turns each into a case or dismisses it.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.base import BigId, utcnow

INTAKE_KINDS = {
    "voicemail": "Tin nhắn thoại",
    "sms": "Tin nhắn SMS",
    "other": "Khác",
}
INTAKE_STATUSES = {
    "open": "Chờ xử lý",
    "converted": "Đã tạo phản ánh",
    "dismissed": "Đã bỏ qua",
}


class IntakeItem(db.Model):
    __tablename__ = "intake_items"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in INTAKE_KINDS)})", name="kind"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in INTAKE_STATUSES)})", name="status"),
        # The operator queue: open items, oldest first.
        Index("ix_intake_items_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    from_phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    # The SMS text, or a transcript of the voicemail once someone typed it.
    body: Mapped[str | None] = mapped_column(Text)
    recording_url: Mapped[str | None] = mapped_column(String(500))
    recording_duration: Mapped[int | None] = mapped_column()  # seconds
    # Twilio ids: a webhook delivered twice creates one item.
    recording_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    call_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dismiss_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column()

    complaint: Mapped["Complaint | None"] = relationship()  # noqa: F821
    handled_by: Mapped["User | None"] = relationship()  # noqa: F821

    def __repr__(self):
        return f"<IntakeItem {self.id} {self.kind} {self.status}>"

    @property
    def kind_label(self):
        return INTAKE_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self):
        return INTAKE_STATUSES.get(self.status, self.status)
