"""What comes out of a case: verification, discipline and the answer."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false
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
    # Labour-contract staff (Bộ luật Lao động 2019, Điều 124).
    "keo_dai_nang_luong": "Kéo dài thời hạn nâng lương không quá 06 tháng",
    "sa_thai": "Sa thải",
}
FORMS_BY_STAFF_KIND = {
    "can_bo": ("khien_trach", "canh_cao", "cach_chuc", "bai_nhiem"),
    "cong_chuc": ("khien_trach", "canh_cao", "cach_chuc", "buoc_thoi_viec"),
    "vien_chuc": ("khien_trach", "canh_cao", "cach_chuc", "buoc_thoi_viec"),
    "other": ("khien_trach", "keo_dai_nang_luong", "cach_chuc", "sa_thai"),
}
# Forms no longer given since 1 July 2025 (Nghị định 172/2025/NĐ-CP): shown on older decisions only.
RETIRED_FORMS = {"ha_bac_luong", "giang_chuc"}
# The heaviest forms are decided only after a Hội đồng kỷ luật has met.
COUNCIL_FORMS = {"cach_chuc", "buoc_thoi_viec", "sa_thai"}
# Bãi nhiệm is a vote of the electing body (HĐND), recorded from its resolution, not a unit's decision.
ELECTED_BODY_FORMS = {"bai_nhiem"}
# Grounds on which discipline is not yet considered; the time does not count toward the time limit.
PAUSE_GROUNDS = {
    "illness": "Đang nghỉ ốm, điều trị nội trú có xác nhận của cơ sở y tế",
    "maternity": "Đang mang thai, nghỉ thai sản hoặc nuôi con dưới 12 tháng tuổi",
    "prosecution": "Đang bị khởi tố, tạm giữ, tạm giam chờ kết luận của cơ quan tiến hành tố tụng",
    "leave": "Đang nghỉ hằng năm, nghỉ theo chế độ, nghỉ việc riêng được cấp có thẩm quyền cho phép",
}
APPEAL_OUTCOMES = {
    "pending": "Đang giải quyết",
    "upheld": "Giữ nguyên quyết định kỷ luật",
    "changed": "Sửa đổi quyết định kỷ luật",
    "annulled": "Hủy quyết định kỷ luật",
}
# Removal from office only applies to someone holding a leadership post.
LEADER_ONLY_FORMS = {"cach_chuc"}
LIGHTER_MEASURES = {
    "reminder": "Nhắc nhở",
    "self_criticism": "Kiểm điểm, rút kinh nghiệm",
    "transfer": "Điều chuyển vị trí công tác",
    "retraining": "Bồi dưỡng, đào tạo lại",
}
# proposed -> reviewed (họp kiểm điểm) -> meeting (Hội đồng kỷ luật, where it is convened) -> decided.
DISCIPLINE_STEPS = ("proposed", "reviewed", "meeting", "decided", "no_discipline")


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
    # The kiểm điểm meeting, then the Hội đồng kỷ luật (each: date, minutes, who took part).
    review_date: Mapped[date | None] = mapped_column()
    review_minutes: Mapped[str | None] = mapped_column(Text)
    review_participants: Mapped[str | None] = mapped_column(Text)
    meeting_date: Mapped[date | None] = mapped_column()
    meeting_minutes: Mapped[str | None] = mapped_column(Text)
    meeting_participants: Mapped[str | None] = mapped_column(Text)
    # Thời hạn xử lý kỷ luật: from this date, 90 days (150 for a complex case), plus the paused days.
    started_on: Mapped[date | None] = mapped_column()
    complex_case: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Bãi nhiệm: the electing body whose resolution it is.
    electing_body: Mapped[str | None] = mapped_column(String(200))
    # The violation was already counted when the staff member was rated for this year: the year of the
    # decision is then not rated "không hoàn thành nhiệm vụ" for it again.
    already_assessed_year: Mapped[int | None] = mapped_column()
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


class DisciplinePause(db.Model):
    """A period in which discipline is not yet considered (illness, maternity, prosecution...)."""

    __tablename__ = "discipline_pauses"
    __table_args__ = (
        CheckConstraint(f"ground IN ({', '.join(repr(g) for g in PAUSE_GROUNDS)})", name="ground"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("discipline_decisions.id"), index=True)
    ground: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DisciplineAppeal(db.Model):
    """The disciplined person's khiếu nại against the decision, and its outcome."""

    __tablename__ = "discipline_appeals"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({', '.join(repr(o) for o in APPEAL_OUTCOMES)})", name="outcome"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("discipline_decisions.id"), index=True)
    filed_on: Mapped[date] = mapped_column()
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(10), default="pending")
    decided_on: Mapped[date | None] = mapped_column()
    outcome_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
