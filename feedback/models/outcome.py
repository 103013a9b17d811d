"""What comes out of a case: verification, discipline and the answer."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.base import BigId, random_code, utcnow

CONCLUSIONS = {
    "substantiated": "Đúng",
    "partly": "Đúng một phần",
    "unsubstantiated": "Không đúng",
    "unverifiable": "Không đủ cơ sở xác minh",
}

VERIFICATION_METHODS = {
    "interview": "Làm việc, phỏng vấn",
    "documents": "Kiểm tra hồ sơ, tài liệu",
    "camera": "Trích xuất camera",
    "counter_log": "Sổ theo dõi, nhật ký quầy",
    "other": "Khác",
}

# Nghị định 172/2025 (cán bộ, công chức) and 112/2020 (viên chức).
DISCIPLINE_FORMS = {
    "khien_trach": "Khiển trách",
    "canh_cao": "Cảnh cáo",
    "ha_bac_luong": "Hạ bậc lương",
    "giang_chuc": "Giáng chức",
    "cach_chuc": "Cách chức",
    "buoc_thoi_viec": "Buộc thôi việc",
    "bai_nhiem": "Bãi nhiệm",
}
FORMS_BY_STAFF_KIND = {
    "can_bo": ("khien_trach", "canh_cao", "cach_chuc", "bai_nhiem"),
    "cong_chuc": ("khien_trach", "canh_cao", "cach_chuc", "buoc_thoi_viec"),
    "vien_chuc": ("khien_trach", "canh_cao", "cach_chuc", "buoc_thoi_viec"),
    "other": ("khien_trach", "canh_cao", "buoc_thoi_viec"),
}
# Removal from office only applies to someone holding a leadership post.
LEADER_ONLY_FORMS = {"cach_chuc"}
LIGHTER_MEASURES = {
    "reminder": "Nhắc nhở",
    "self_criticism": "Kiểm điểm, rút kinh nghiệm",
    "transfer": "Điều chuyển vị trí công tác",
    "retraining": "Bồi dưỡng, đào tạo lại",
}
DISCIPLINE_STEPS = ("proposed", "meeting", "decided", "no_discipline")


class Verification(db.Model):
    __tablename__ = "verifications"
    __table_args__ = (
        CheckConstraint(f"conclusion IS NULL OR conclusion IN ({', '.join(repr(c) for c in CONCLUSIONS)})",
                        name="conclusion"),
        CheckConstraint("status IN ('draft', 'submitted', 'approved', 'returned')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    methods: Mapped[str] = mapped_column(String(200), default="")  # comma-separated VERIFICATION_METHODS
    findings: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    review_note: Mapped[str | None] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    complaint: Mapped["Complaint"] = relationship()

    @property
    def method_list(self):
        return [m for m in self.methods.split(",") if m]


class DisciplineDecision(db.Model):
    __tablename__ = "discipline_decisions"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in DISCIPLINE_STEPS)})", name="status"),
        CheckConstraint(f"form IS NULL OR form IN ({', '.join(repr(f) for f in DISCIPLINE_FORMS)})", name="form"),
        # A decision needs its number, date and signer.
        CheckConstraint(
            "status != 'decided' OR (form IS NOT NULL AND decision_number IS NOT NULL "
            "AND decision_date IS NOT NULL AND signer IS NOT NULL)",
            name="decided_complete",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    proposed_form: Mapped[str | None] = mapped_column(String(20))
    form: Mapped[str | None] = mapped_column(String(20))
    lighter_measure: Mapped[str | None] = mapped_column(String(20))
    meeting_date: Mapped[date | None] = mapped_column()
    meeting_minutes: Mapped[str | None] = mapped_column(Text)
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decision_date: Mapped[date | None] = mapped_column(index=True)
    signer: Mapped[str | None] = mapped_column(String(120))
    legal_basis: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    complaint: Mapped["Complaint"] = relationship()
    staff: Mapped["Staff"] = relationship()


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'approved', 'returned', 'sent')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # What the public sees, redacted and approved; None until approved for publication.
    public_summary: Mapped[str | None] = mapped_column(Text)
    public_body: Mapped[str | None] = mapped_column(Text)
    # Stable public address of the published answer: /answers/<public_ref>.
    public_ref: Mapped[str] = mapped_column(String(16), unique=True, default=lambda: random_code(10))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    review_note: Mapped[str | None] = mapped_column(Text)
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped["Complaint"] = relationship()
