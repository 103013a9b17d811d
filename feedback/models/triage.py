"""What triage suggested for a case, and what operators corrected it to (the model's next lesson)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.base import BigId, utcnow


class TriageSuggestion(db.Model):
    """The suggestion for one case: each field with its confidence and the next-best candidates."""

    __tablename__ = "triage_suggestions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), unique=True)
    unit_code: Mapped[str | None] = mapped_column(String(40))
    unit_confidence: Mapped[float] = mapped_column(default=0.0)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    staff_confidence: Mapped[float] = mapped_column(default=0.0)
    category_code: Mapped[str | None] = mapped_column(String(50))
    category_confidence: Mapped[float] = mapped_column(default=0.0)
    candidates: Mapped[dict | None] = mapped_column(JSON)
    auto_routed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped["Complaint"] = relationship()  # noqa: F821


class TriageCorrection(db.Model):
    """An operator's or unit's choice where it differed from the suggestion (or confirmed it)."""

    __tablename__ = "triage_corrections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    unit_code: Mapped[str | None] = mapped_column(String(40))
    category_code: Mapped[str | None] = mapped_column(String(50))
    staff_badge: Mapped[str | None] = mapped_column(String(60))
    suggested: Mapped[dict | None] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
