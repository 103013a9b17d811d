"""State changes of the monitoring office: staff flags and their decisions, settings."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from feedback import audit
from feedback.extensions import db
from feedback.messaging import queue_message
from feedback.models import Complaint, Staff, StaffFlag, User, Verification, utcnow
from feedback.models.monitoring import FLAG_DECISIONS, OfficialSurvey
from feedback.monitoring.queries import SUBSTANTIATED
from feedback.monitoring.settings import flag_rule, set_setting


def substantiated_cases(staff_id, since):
    """Cases naming this staff member concluded (substantiated or partly) since `since`, oldest first."""
    return db.session.scalars(
        select(Complaint)
        .join(Verification, Verification.complaint_id == Complaint.id)
        .where(Complaint.staff_id == staff_id, Verification.status == "approved",
               Verification.conclusion.in_(SUBSTANTIATED), Complaint.concluded_at >= since)
        .order_by(Complaint.concluded_at, Complaint.id)
        .distinct()
    ).all()


def _needs_new_flag(staff_id, newest_case_id):
    latest = db.session.scalar(
        select(StaffFlag).where(StaffFlag.staff_id == staff_id).order_by(StaffFlag.id.desc()).limit(1)
    )
    if latest is None:
        return True
    # While the office has not decided, the open flag stands; after it decides, a new case raises a new flag.
    return latest.decided_at is not None and newest_case_id > latest.last_case_id


def monitoring_recipients(unit):
    """Monitor users whose subtree holds `unit`."""
    monitors = db.session.scalars(select(User).where(User.role == "monitor", User.is_active_account.is_(True))).all()
    return [m for m in monitors if visible_to(m, unit)]


def _notify_office(flag, staff):
    office = staff.unit.monitoring_office()
    text = _(
        "Cảnh báo: %(name)s (%(position)s, %(unit)s) bị phản ánh đúng %(count)s lần trong %(months)s tháng. "
        "Đề nghị xem xét trách nhiệm, thay thế hoặc điều chuyển.",
        name=staff.full_name, position=staff.position, unit=staff.unit.name,
        count=flag.substantiated_count, months=flag.window_months,
    )
    addresses = {m.email for m in monitoring_recipients(staff.unit)}
    if office is not None and office.email:
        addresses.add(office.email)
    for address in sorted(addresses):
        queue_message(address, text, "notice", channel="email", dedupe_key=f"flag:{flag.id}:{address}"[:100])


def evaluate_flags(now=None):
    """Job: flag every staff member who meets the repeat-offender rule, once per new flag."""
    now = now or utcnow()
    threshold, months = flag_rule()
    since = now - timedelta(days=round(months * 30.44))
    candidates = db.session.execute(
        select(Complaint.staff_id, func.count(func.distinct(Complaint.id)))
        .join(Verification, Verification.complaint_id == Complaint.id)
        .where(Complaint.staff_id.is_not(None), Verification.status == "approved",
               Verification.conclusion.in_(SUBSTANTIATED), Complaint.concluded_at >= since)
        .group_by(Complaint.staff_id)
        .having(func.count(func.distinct(Complaint.id)) >= threshold)
    ).all()
    raised = []
    for staff_id, _count in candidates:
        cases = substantiated_cases(staff_id, since)
        if len(cases) < threshold or not _needs_new_flag(staff_id, cases[-1].id):
            continue
        flag = StaffFlag(
            staff_id=staff_id, case_codes=[c.tracking_code for c in cases], first_case_id=cases[0].id,
            last_case_id=cases[-1].id, substantiated_count=len(cases), window_months=months, flagged_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(flag)
                db.session.flush()
        except IntegrityError:
            continue  # another worker raised the same flag
        staff = db.session.get(Staff, staff_id)
        audit.record("staff.flagged", obj=flag, staff=staff.public_ref, cases=flag.case_codes)
        _notify_office(flag, staff)
        raised.append(flag)
    db.session.commit()
    return raised


def decide_flag(flag, decision, note, actor):
    """Record what the office decided about a flag."""
    if decision not in FLAG_DECISIONS:
        raise ValueError(_("Quyết định không hợp lệ."))
    if flag.decided_at is not None:
        raise ValueError(_("Cảnh báo này đã được xử lý."))
    flag.decision, flag.decision_note = decision, note
    flag.decided_by_id, flag.decided_at = actor.id, utcnow()
    audit.record("staff.flag_decided", actor=actor, obj=flag, decision=decision, note=note)
    return flag


def save_settings(actor, targets, threshold, window_months):
    """Store satisfaction targets per year and the repeat-offender rule."""
    if threshold < 1 or window_months < 1:
        raise ValueError(_("Ngưỡng và khoảng thời gian phải lớn hơn 0."))
    for year, value in targets.items():
        if not 0 <= value <= 100:
            raise ValueError(_("Chỉ tiêu phải từ 0 đến 100%."))
        set_setting(f"satisfaction_target:{year}", value)
    set_setting("flag_threshold", threshold)
    set_setting("flag_window_months", window_months)
    audit.record("monitoring.settings", actor=actor, targets=targets, threshold=threshold, window=window_months)


def scope_root(user):
    """The root of the subtree the user watches (a monitoring office watches its parent's subtree)."""
    from feedback.cases.access import scope_unit

    return scope_unit(user)


def visible_to(user, unit):
    """True when `unit` lies in the subtree the monitor (or admin) watches."""
    root = scope_root(user)
    return root is None or (unit is not None and unit.is_within(root))


def save_official_survey(actor, unit, *, year, index_value, source, sample_size=None):
    """Enter (or correct) the official satisfaction index of `unit` for `year`, as the survey published it."""
    if unit is None or not visible_to(actor, unit):
        raise ValueError(_("Đơn vị không thuộc phạm vi theo dõi của cơ quan."))
    if index_value is None or not 0 <= index_value <= 100:
        raise ValueError(_("Chỉ số phải từ 0 đến 100%."))
    source = (source or "").strip()
    if not source:
        raise ValueError(_("Vui lòng ghi nguồn số liệu (văn bản công bố kết quả khảo sát)."))
    survey = db.session.scalar(select(OfficialSurvey).where(OfficialSurvey.unit_id == unit.id,
                                                            OfficialSurvey.year == year))
    if survey is None:
        survey = OfficialSurvey(unit_id=unit.id, year=year)
        db.session.add(survey)
    survey.index_value, survey.sample_size, survey.source = round(float(index_value), 2), sample_size, source[:300]
    survey.entered_by_id = actor.id
    db.session.flush()
    audit.record("survey.entered", actor=actor, obj=survey, unit=unit.code, year=year, index=survey.index_value)
    return survey


def official_survey(unit, year):
    """The official survey figure of `unit` (the province's for None) for `year`, or None."""
    from feedback.models import Unit

    unit = unit if unit is not None else Unit.top()
    if unit is None:
        return None
    return db.session.scalar(select(OfficialSurvey).where(OfficialSurvey.unit_id == unit.id,
                                                          OfficialSurvey.year == year))


def official_surveys_in_scope(user):
    """Every figure entered for units the user watches, newest year first."""
    from feedback.models import Unit

    query = select(OfficialSurvey).join(Unit, OfficialSurvey.unit_id == Unit.id).order_by(
        OfficialSurvey.year.desc(), Unit.path)
    root = scope_root(user)
    if root is not None:
        query = query.where(Unit.subtree_clause(root))
    return db.session.scalars(query).all()
