"""Satisfaction ratings and the kiosks that collect them."""
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.base import BigId, utcnow

# The 5-level scale of the satisfaction survey, best first.
SCORES = {
    5: "Rất hài lòng",
    4: "Hài lòng",
    3: "Bình thường",
    2: "Không hài lòng",
    1: "Rất không hài lòng",
}
SATISFIED_SCORES = (4, 5)

RATING_REASONS = {
    "attitude": "Thái độ không đúng mực",
    "waiting": "Chờ đợi lâu",
    "unclear_guidance": "Hướng dẫn không rõ ràng",
    "extra_papers": "Yêu cầu giấy tờ ngoài quy định",
    "extra_steps": "Đặt thêm thủ tục, bước",
    "asked_money": "Gây phiền hà, đòi tiền",
    "repeated_supplements": "Yêu cầu bổ sung nhiều lần",
    "absent": "Vắng mặt, đi muộn, dùng điện thoại riêng",
    "good_attitude": "Nhiệt tình, chu đáo",
    "fast": "Giải quyết nhanh",
}
# Reasons that name misconduct: a low rating with one is recorded against the staff member for the
# unit head to acknowledge; a serious one (asking for money or gifts) makes a full case at once.
MISCONDUCT_REASONS = {"attitude", "extra_papers", "extra_steps", "asked_money", "repeated_supplements", "absent"}
SERIOUS_REASONS = {"asked_money"}


class Kiosk(db.Model):
    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    counter_number: Mapped[str | None] = mapped_column(String(20))
    # Only a hash of the device token is stored; the admin sees the token once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_seen_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped["Unit"] = relationship()

    @staticmethod
    def hash_token(token):
        return hashlib.sha256(token.encode()).hexdigest()

    def issue_token(self):
        """Set a new device token and return it (shown once to the admin)."""
        token = secrets.token_urlsafe(24)
        self.token_hash = self.hash_token(token)
        self.token_hint = token[:6]
        return token


class Rating(db.Model):
    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
        CheckConstraint("source IN ('kiosk', 'survey', 'answer')", name="source"),
        Index("ix_ratings_unit_id_created_at", "unit_id", "created_at"),
        Index("ix_ratings_staff_id_created_at", "staff_id", "created_at"),
        # Ratings arrive in time order: a BRIN index on PostgreSQL is tiny and serves month ranges.
        Index("ix_ratings_created_at", "created_at", postgresql_using="brin"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"))
    counter_number: Mapped[str | None] = mapped_column(String(20))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    score: Mapped[int] = mapped_column()
    reasons: Mapped[str] = mapped_column(String(300), default="")  # comma-separated RATING_REASONS
    comment: Mapped[str | None] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(10), default="kiosk")
    # Generated on the device, so a tap replayed after a network loss is stored once.
    client_uuid: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A low kiosk rating naming misconduct that is not a case: the unit head has seen it.
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledgement_note: Mapped[str | None] = mapped_column(String(500))

    unit: Mapped["Unit"] = relationship()  # noqa: F821
    staff: Mapped["Staff | None"] = relationship()  # noqa: F821

    @property
    def reason_list(self):
        return [r for r in self.reasons.split(",") if r]

    @property
    def satisfied(self):
        return self.score in SATISFIED_SCORES
