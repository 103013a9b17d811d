"""The case (phản ánh, kiến nghị), its complainant, timeline and files."""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.base import BigId, keypad_digits, random_code, utcnow

CATEGORY_KINDS = {
    "staff_complaint": "Phản ánh về cán bộ, công chức",
    "suggestion": "Kiến nghị",
    "compliment": "Khen ngợi",
    "other": "Khác",
}

CHANNELS = {
    "web": "Cổng thông tin",
    "kiosk": "Máy đánh giá tại quầy",
    "sms": "Tin nhắn SMS",
    "voice": "Đường dây nóng",
    "operator": "Tổng đài viên",
    "counter": "Trực tiếp tại quầy",
    "api": "Open311 API",
}

LANGUAGES = ("vi", "en")
# Must match feedback.cases.workflow.OPEN_STATUSES (a partial index is built on it).
OPEN_CASE_CONDITION = "status IN ('received', 'accepted', 'verifying', 'concluded')"


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in CATEGORY_KINDS)})", name="kind"),
        CheckConstraint("accept_days >= 0 AND answer_days > 0", name="deadlines"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    # Conduct the directives call misconduct: watched by the monitoring office.
    is_misconduct: Mapped[bool] = mapped_column(default=False)
    accept_days: Mapped[int] = mapped_column(default=1)
    answer_days: Mapped[int] = mapped_column(default=10)
    # The urgency a case of this category starts with (feedback.cases.rules.URGENCIES), and an urgent
    # case's answer time in office hours.
    default_urgency: Mapped[str] = mapped_column(String(10), default="normal", server_default="normal")
    urgent_answer_hours: Mapped[int] = mapped_column(default=8, server_default="8")
    # Editable answer template the handler starts from.
    answer_template: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale="vi"):
        return self.name_en if locale == "en" else self.name_vi


class Complainant(db.Model):
    """Who complained: kept apart from the case so the handling unit never sees it."""

    __tablename__ = "complainants"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    full_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Complaint(db.Model):
    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(f"channel IN ({', '.join(repr(c) for c in CHANNELS)})", name="channel"),
        CheckConstraint("language IN ('vi', 'en')", name="language"),
        CheckConstraint(
            "status IN ('received', 'accepted', 'declined', 'verifying', 'concluded', 'answered', 'published', "
            "'closed')",
            name="status",
        ),
        Index("ix_complaints_unit_status_due", "unit_id", "status", "answer_due_at"),
        # The unit's queue in deadline order: its first page read from the index, not a sort of every case.
        Index("ix_complaints_unit_due_id", "unit_id", "answer_due_at", "id"),
        Index("ix_complaints_submitted_at", "submitted_at"),
        # The rollup job finds the cases changed since its last run.
        Index("ix_complaints_updated_at", "updated_at"),
        # Open cases are few among millions: the monitoring office's live counts, overdue list and
        # escalations read this small index only.
        Index(
            "ix_complaints_open_due", "answer_due_at", "unit_id", "escalated",
            postgresql_where=text(OPEN_CASE_CONDITION), sqlite_where=text(OPEN_CASE_CONDITION),
        ),
        # A unit's open cases with both deadlines: the queue's "overdue" and "due soon" counts from the index
        # alone (17 ms a view through the heap for a centre with 13,000 open cases).
        Index(
            "ix_complaints_open_unit_due", "unit_id", "answer_due_at", "accept_due_at", "status",
            postgresql_where=text(OPEN_CASE_CONDITION), sqlite_where=text(OPEN_CASE_CONDITION),
        ),
        # Cases naming a staff member, by date: the named-staff register and the commendation list
        # count them from this index alone.
        Index(
            "ix_complaints_named_staff", "submitted_at", "staff_id", "category_id",
            postgresql_where=text("staff_id IS NOT NULL"), sqlite_where=text("staff_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Public handle: random, never sequential, read aloud over the phone.
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    # The tracking code as keypad digits, for the hotline's "press 2 to hear a case" (not unique).
    keypad_code: Mapped[str | None] = mapped_column(
        String(16), index=True,
        default=lambda context: keypad_digits(context.get_current_parameters().get("tracking_code")),
    )
    # Hash of the secret an anonymous citizen uses with the tracking code.
    secret_hash: Mapped[str | None] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(10))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    # The handling unit; None while the case waits in the triage queue.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # The unit the citizen chose (or the kiosk stands in).
    target_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    staff_description: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    incident_date: Mapped[date | None] = mapped_column()
    incident_place: Mapped[str | None] = mapped_column(String(300))
    complainant_id: Mapped[int | None] = mapped_column(ForeignKey("complainants.id"), index=True)
    consent_publish: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="received")
    # The legal track (feedback.cases.rules): phan_anh, kien_nghi, khieu_nai, to_cao; and its urgency.
    kind: Mapped[str] = mapped_column(String(12), default="phan_anh", server_default="phan_anh")
    urgency: Mapped[str] = mapped_column(String(10), default="normal", server_default="normal")
    # The intake side saw signs of a denunciation (tố cáo); the unit decides the kind at acceptance.
    denunciation_flag: Mapped[bool] = mapped_column(default=False, server_default=false())
    # For a tố cáo: the number of the decision to accept it (Luật Tố cáo 2018, Điều 29).
    acceptance_decision: Mapped[str | None] = mapped_column(String(60))
    # Not for this system to resolve: the competent body it was sent to, and what that body did.
    referred_to: Mapped[str | None] = mapped_column(String(255))
    referred_at: Mapped[datetime | None] = mapped_column()
    referral_outcome: Mapped[str | None] = mapped_column(Text)
    referral_closed_at: Mapped[datetime | None] = mapped_column()
    language: Mapped[str] = mapped_column(String(2), default="vi")
    accept_due_at: Mapped[datetime | None] = mapped_column()
    answer_due_at: Mapped[datetime | None] = mapped_column()
    extended: Mapped[bool] = mapped_column(default=False)
    # How many extensions were granted (a tố cáo may have two).
    extension_count: Mapped[int] = mapped_column(default=0, server_default="0")
    extension_reason: Mapped[str | None] = mapped_column(Text)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Raised to the monitoring office (disputed, naming a unit head, late).
    escalated: Mapped[bool] = mapped_column(default=False)
    escalation_reason: Mapped[str | None] = mapped_column(String(40))
    decline_reason: Mapped[str | None] = mapped_column(String(40))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    # A likely duplicate is linked to its original, not dropped.
    related_to_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    # Idempotency: the same form or webhook delivered twice makes one case.
    submission_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column()
    concluded_at: Mapped[datetime | None] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    category: Mapped[Category | None] = relationship()
    unit: Mapped["Unit | None"] = relationship(foreign_keys=[unit_id])
    target_unit: Mapped["Unit | None"] = relationship(foreign_keys=[target_unit_id])
    staff: Mapped["Staff | None"] = relationship()
    complainant: Mapped[Complainant | None] = relationship()
    assigned_to: Mapped["User | None"] = relationship(foreign_keys=[assigned_to_id])
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="complaint", order_by="CaseEvent.id", passive_deletes="all"
    )
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="complaint", passive_deletes="all")

    def __repr__(self):
        return f"<Complaint {self.tracking_code} {self.status}>"

    @staticmethod
    def new_tracking_code():
        return "PA" + random_code(8)

    @property
    def is_anonymous(self):
        return self.complainant_id is None


EVENT_KINDS = (
    "created", "status", "note", "message_out", "message_in", "assignment", "transfer",
    "routing", "extension", "attachment", "verification", "discipline", "answer", "rating",
    "escalation", "merge", "identity", "deadline",
)


class CaseEvent(db.Model):
    """One line of a case's timeline; never edited, never deleted."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_complaint_id_id", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="RESTRICT"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who acted when it was not a user: "citizen", "system", "kiosk", "twilio".
    actor_label: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str | None] = mapped_column(Text)
    # For a text the system wrote: {"id": message id, "args": {...}}, so pages in English translate it
    # (the body stays the Vietnamese record).
    message: Mapped[dict | None] = mapped_column(JSON)
    # Shown on the citizen's tracking page.
    is_public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="events")
    actor: Mapped["User | None"] = relationship()


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    # Evidence gathered by the handler, as opposed to what the citizen sent.
    is_evidence: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")


class RoutingRule(db.Model):
    """Administrator-editable rule: cases matching category/unit go to a handling unit."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[int] = mapped_column(default=100)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    # Matches cases whose chosen unit lies in this subtree.
    match_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    route_to_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(String(200))

    category: Mapped[Category | None] = relationship()
    match_unit: Mapped["Unit | None"] = relationship(foreign_keys=[match_unit_id])
    route_to_unit: Mapped["Unit"] = relationship(foreign_keys=[route_to_unit_id])


class TrackingCode(db.Model):
    """A one-time code sent by SMS to a case's complainant, to open the case on the web (10 minutes, once)."""

    __tablename__ = "tracking_codes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class LateNotice(db.Model):
    """Phiếu xin lỗi và hẹn lại (seed 003): the unit head's written apology for a late case.

    It names the reason and the new date the head chose, which becomes the case's answer deadline;
    the signer's name, position and unit are kept as printed.
    """

    __tablename__ = "late_notices"
    __table_args__ = (UniqueConstraint("complaint_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"), index=True)
    # 1 for the first notice of the case, 2 after a second miss, ...
    number: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    old_due_at: Mapped[datetime | None] = mapped_column()
    new_due_at: Mapped[datetime] = mapped_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_name: Mapped[str] = mapped_column(String(255))
    signer_name: Mapped[str] = mapped_column(String(120))
    signer_position: Mapped[str] = mapped_column(String(120))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship()


TRANSFER_STATES = ("pending", "accepted", "returned", "refused")


class TransferRequest(db.Model):
    """A transfer the sending unit's head asks for: the receiving unit accepts or returns it with a
    reason; after MAX_TRANSFERS accepted transfers the monitoring office decides instead."""

    __tablename__ = "transfer_requests"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in TRANSFER_STATES)})", name="status"),
        Index("ix_transfer_requests_pending", "to_unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"), index=True)
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    reason: Mapped[str] = mapped_column(Text)
    # The case has been transferred often enough: the monitoring office decides, not the receiving unit.
    needs_monitor: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship()
    from_unit: Mapped["Unit"] = relationship(foreign_keys=[from_unit_id])  # noqa: F821
    to_unit: Mapped["Unit"] = relationship(foreign_keys=[to_unit_id])  # noqa: F821


REVIEW_KINDS = ("dispute", "decline")
REVIEW_STATES = ("pending", "reopened", "confirmed")


class CaseReview(db.Model):
    """The citizen asks the monitoring office to look again: at an answer (dispute) or a decline.

    The office decides: reopen (to the same or another unit) or confirm. One request per answer, and
    one per decline, so the same answer cannot be disputed again and again.
    """

    __tablename__ = "case_reviews"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in REVIEW_KINDS)})", name="kind"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in REVIEW_STATES)})", name="status"),
        # One dispute per answer; one review per decline (answer_id NULL: the decline's own key).
        UniqueConstraint("complaint_id", "kind", "subject_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    # What is reviewed: "answer:<id>" or "decline:<n-th decline>".
    subject_key: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(Text)
    # Where a reopened case went.
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))

    complaint: Mapped[Complaint] = relationship()
