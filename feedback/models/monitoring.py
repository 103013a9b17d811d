"""The monitoring office's records: settings, staff flags, rollups and report runs."""
from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.base import BigId, utcnow

FLAG_DECISIONS = {
    "review": "Xem xét trách nhiệm",
    "replacement": "Thay thế",
    "transfer": "Điều chuyển vị trí công tác",
    "no_action": "Không xử lý thêm",
}


class Setting(db.Model):
    """An administrator-set value (satisfaction targets, the repeat-offender rule)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OfficialSurvey(db.Model):
    """The official satisfaction index of a unit for a year, from the survey Sở Nội vụ runs (not from this
    system's ratings): entered by the monitoring office, shown beside the system's two rates."""

    __tablename__ = "official_surveys"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_official_surveys_unit_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column()
    index_value: Mapped[float] = mapped_column(Float)
    sample_size: Mapped[int | None] = mapped_column()
    # Where it comes from, as the office would cite it ("Quyết định số 123/QĐ-UBND ngày ...").
    source: Mapped[str] = mapped_column(String(300))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped["Unit"] = relationship()  # noqa: F821


class StaffFlag(db.Model):
    """A staff member named in too many substantiated cases: the office must decide."""

    __tablename__ = "staff_flags"
    __table_args__ = (UniqueConstraint("staff_id", "last_case_id", name="episode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    # The substantiated cases in the window when the flag was raised (tracking codes).
    case_codes: Mapped[list] = mapped_column(JSON, default=list)
    first_case_id: Mapped[int] = mapped_column()
    last_case_id: Mapped[int] = mapped_column()
    substantiated_count: Mapped[int] = mapped_column()
    window_months: Mapped[int] = mapped_column()
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()

    staff: Mapped["Staff"] = relationship()
    decided_by: Mapped["User | None"] = relationship()


class RatingRollup(db.Model):
    """Ratings counted per month, unit, counter and staff member: the dashboard reads these."""

    __tablename__ = "rating_rollups"
    __table_args__ = (Index("ix_rating_rollups_month_unit", "month", "unit_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    month: Mapped[date] = mapped_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    counter_number: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10))
    total: Mapped[int] = mapped_column()
    satisfied: Mapped[int] = mapped_column()
    very_satisfied: Mapped[int] = mapped_column()
    dissatisfied: Mapped[int] = mapped_column()


class CaseRollup(db.Model):
    """Cases counted per month received, unit, category and channel."""

    __tablename__ = "case_rollups"
    __table_args__ = (Index("ix_case_rollups_month_unit", "month", "unit_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    month: Mapped[date] = mapped_column()
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    channel: Mapped[str] = mapped_column(String(10))
    received: Mapped[int] = mapped_column()
    answered: Mapped[int] = mapped_column()
    answered_on_time: Mapped[int] = mapped_column()
    answer_seconds: Mapped[int] = mapped_column(db.BigInteger)


class RollupState(db.Model):
    """What the rollup jobs have already counted."""

    __tablename__ = "rollup_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    watermark: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReportRun(db.Model):
    """A periodic report built in the background, with its progress and file."""

    __tablename__ = "report_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(10))
    fmt: Mapped[str] = mapped_column(String(5))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    file_path: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()

    unit: Mapped["Unit | None"] = relationship()
