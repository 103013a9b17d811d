"""What comes out of a case: verification and conclusion, discipline, the answer, rating and dispute.

One function per state change. Each checks that the change is allowed (raising
`OutcomeError`, a ValueError with a Vietnamese message, when it is not), moves the
case through `workflow.transition()` where its status changes, writes the case
timeline (CaseEvent) and the audit trail, and flushes. The caller commits.
"""
import re
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import extract, func, or_, select
from sqlalchemy.exc import IntegrityError

from feedback import audit
from feedback.timeline import message_of, recorded
from feedback.calendar import local_date, to_local, working_calendar
from feedback.cases.workflow import transition
from feedback.extensions import db
from feedback.messaging import complainant_address, notify_complainant
from feedback.models import (Answer, CaseEvent, CaseReview, Complaint, DisciplineDecision, Rating, Verification,
                             utcnow)
from feedback.models.outcome import (
    APPEAL_OUTCOMES, CONCLUSIONS, COUNCIL_FORMS, DISCIPLINE_FORMS, ELECTED_BODY_FORMS, FORMS_BY_STAFF_KIND,
    LEADER_ONLY_FORMS, LIGHTER_MEASURES, PAUSE_GROUNDS, VERIFICATION_METHODS, DisciplineAppeal, DisciplinePause,
)
from feedback.redaction import redact_for_case

ASSESSMENT_FAILED = "không hoàn thành nhiệm vụ"
# Conclusions that allow a discipline record against the named staff member.
DISCIPLINE_CONCLUSIONS = ("substantiated", "partly")
# Categories answered without verification (accepted -> answered).
DIRECT_ANSWER_KINDS = ("suggestion", "compliment")
ANSWERED_STATUSES = ("answered", "published", "closed")
SMS_ANSWER_LIMIT = 480

LEGAL_BASIS = {
    "can_bo": "Nghị định số 172/2025/NĐ-CP của Chính phủ quy định về xử lý kỷ luật cán bộ, công chức",
    "cong_chuc": "Nghị định số 172/2025/NĐ-CP của Chính phủ quy định về xử lý kỷ luật cán bộ, công chức",
    "vien_chuc": "Nghị định số 112/2020/NĐ-CP của Chính phủ về xử lý kỷ luật cán bộ, công chức, viên chức, "
                 "được sửa đổi, bổ sung bởi Nghị định số 71/2023/NĐ-CP",
    "other": "Bộ luật Lao động năm 2019 (Điều 124) và nội quy lao động của cơ quan, đơn vị",
}

DEFAULT_ANSWER_TEMPLATE = (
    "Kính gửi Ông/Bà,\n\n"
    "{don_vi} đã nhận được phản ánh, kiến nghị của Ông/Bà (mã phản ánh {ma_ho_so}, tiếp nhận ngày "
    "{ngay_tiep_nhan}).\n\n"
    "Qua xác minh, nội dung phản ánh được kết luận: {ket_luan}.\n\n"
    "{don_vi} trân trọng cảm ơn Ông/Bà đã phản ánh, góp phần nâng cao chất lượng phục vụ người dân."
)


class OutcomeError(ValueError):
    """A step that is not allowed now; the message is for the user (Vietnamese)."""


def _event(complaint, kind, body, actor=None, actor_label=None, public=False):
    event = CaseEvent(complaint=complaint, kind=kind, body=body, message=message_of(body),
                      actor_id=getattr(actor, "id", None),
                      actor_label=actor_label or (None if actor else "system"), is_public=public,
                      created_at=utcnow())
    db.session.add(event)
    return event


def _lock(complaint):
    """Serialise changes to one case: re-read it FOR UPDATE (PostgreSQL) before checking its state.

    Two heads approving at once, or a citizen's double click, then see each other's result
    instead of both passing the same check.
    """
    db.session.flush()
    db.session.refresh(complaint, with_for_update=True)
    return complaint


def _latest(model, complaint, *statuses):
    query = select(model).where(model.complaint_id == complaint.id)
    if statuses:
        query = query.where(model.status.in_(statuses))
    return db.session.scalar(query.order_by(model.id.desc()).limit(1))


# --- verification and conclusion -------------------------------------------------------------

def current_verification(complaint):
    return _latest(Verification, complaint)


def approved_verification(complaint):
    return _latest(Verification, complaint, "approved")


def conclusion_label(code):
    return CONCLUSIONS.get(code, code or "")


def start_verification(complaint, actor):
    """Open a verification: an accepted case moves to 'verifying'; returns the open Verification."""
    _lock(complaint)
    if complaint.status == "accepted":
        transition(complaint, "verifying", actor=actor)
    elif complaint.status != "verifying":
        raise OutcomeError(_("Chỉ bắt đầu xác minh khi hồ sơ đã được thụ lý hoặc đang xác minh."))
    current = current_verification(complaint)
    if current is not None and current.status in ("draft", "submitted", "returned"):
        return current
    verification = Verification(complaint=complaint, handler_id=actor.id, status="draft")
    db.session.add(verification)
    db.session.flush()
    _event(complaint, "verification", recorded("Bắt đầu xác minh."), actor)
    audit.record("verification.started", actor=actor, obj=verification, case=complaint.tracking_code)
    return verification


def _open_verification(complaint):
    if complaint.status != "verifying":
        raise OutcomeError(_("Hồ sơ không ở bước xác minh."))
    verification = current_verification(complaint)
    if verification is None or verification.status == "approved":
        raise OutcomeError(_("Chưa bắt đầu xác minh."))
    return verification


def save_verification(complaint, actor, *, methods, findings, conclusion, submit=False):
    """Record what was checked, the findings and the conclusion; `submit` sends it to the unit head."""
    _lock(complaint)
    verification = _open_verification(complaint)
    if verification.status == "submitted":
        raise OutcomeError(_("Kết luận đang chờ thủ trưởng đơn vị duyệt, không thể sửa."))
    methods = [m for m in (methods or []) if m]
    unknown = [m for m in methods if m not in VERIFICATION_METHODS]
    if unknown:
        raise OutcomeError(_("Phương pháp xác minh không hợp lệ."))
    if conclusion and conclusion not in CONCLUSIONS:
        raise OutcomeError(_("Kết luận không hợp lệ."))
    findings = (findings or "").strip()
    if submit and not (methods and findings and conclusion):
        raise OutcomeError(_("Cần chọn cách xác minh, ghi kết quả xác minh và chọn kết luận trước khi trình duyệt."))
    verification.methods = ",".join(methods)
    verification.findings = findings
    verification.conclusion = conclusion or None
    verification.handler_id = actor.id
    if submit:
        verification.status = "submitted"
        _event(complaint, "verification",
               recorded("Trình kết luận xác minh: %(c)s.", c=recorded(conclusion_label(conclusion))), actor)
        audit.record("verification.submitted", actor=actor, obj=verification, case=complaint.tracking_code,
                     conclusion=conclusion, methods=methods)
    else:
        audit.record("verification.saved", actor=actor, obj=verification, case=complaint.tracking_code)
    db.session.flush()
    return verification


def review_verification(complaint, actor, *, approve, note=None):
    """The unit head approves the conclusion (case -> concluded) or sends it back with a note."""
    _lock(complaint)
    verification = _open_verification(complaint)
    if verification.status != "submitted":
        raise OutcomeError(_("Chưa có kết luận nào được trình duyệt."))
    note = (note or "").strip()
    if approve:
        verification.status = "approved"
        verification.approved_by_id = actor.id
        verification.approved_at = utcnow()
        verification.review_note = note or None
        transition(complaint, "concluded", actor=actor)
        _event(complaint, "verification",
               recorded("Duyệt kết luận xác minh: %(c)s.", c=recorded(conclusion_label(verification.conclusion))), actor)
        audit.record("verification.approved", actor=actor, obj=verification, case=complaint.tracking_code,
                     conclusion=verification.conclusion)
    else:
        if not note:
            raise OutcomeError(_("Vui lòng ghi rõ lý do trả lại để chuyên viên bổ sung."))
        verification.status = "returned"
        verification.review_note = note
        _event(complaint, "verification", recorded("Trả lại kết luận để xác minh thêm: %(n)s", n=note), actor)
        audit.record("verification.returned", actor=actor, obj=verification, case=complaint.tracking_code,
                     note=note)
    db.session.flush()
    return verification


# --- discipline ------------------------------------------------------------------------------

def allowed_forms(staff):
    """The discipline forms that apply to this staff member (kind, leadership post)."""
    forms = FORMS_BY_STAFF_KIND.get(staff.staff_kind, FORMS_BY_STAFF_KIND["other"])
    return [f for f in forms if f not in LEADER_ONLY_FORMS or staff.is_leader]


def default_legal_basis(staff):
    return LEGAL_BASIS.get(staff.staff_kind, LEGAL_BASIS["other"])


def current_discipline(complaint):
    return _latest(DisciplineDecision, complaint)


def discipline_refusal(complaint, verification):
    """Why a discipline record cannot be opened on this case (None when it can), given its approved
    verification (`approved_verification()`, read once by the caller, which uses it too)."""
    if complaint.staff_id is None:
        return _("Hồ sơ không phản ánh đích danh cán bộ nào.")
    if verification is None:
        return _("Chưa có kết luận xác minh được duyệt.")
    if verification.conclusion not in DISCIPLINE_CONCLUSIONS:
        return _("Kết luận xác minh là “%(c)s”: không xem xét kỷ luật.", c=conclusion_label(verification.conclusion))
    return None


def _check_form(staff, form):
    if form not in DISCIPLINE_FORMS or form not in allowed_forms(staff):
        raise OutcomeError(_("Hình thức kỷ luật này không áp dụng cho %(kind)s%(leader)s.",
                             kind=staff.kind_label.lower(),
                             leader="" if staff.is_leader else _(" không giữ chức vụ lãnh đạo")))


# Thời hạn xử lý kỷ luật (Nghị định 172/2025/NĐ-CP; Nghị định 112/2020/NĐ-CP sửa đổi bởi 71/2023/NĐ-CP):
# 90 days from the finding, 150 for a complex case; periods "chưa xem xét xử lý kỷ luật" do not count.
TIME_LIMIT_DAYS = 90
COMPLEX_TIME_LIMIT_DAYS = 150
# Thời hiệu: 2 years for a violation at the level of khiển trách, 5 years for the others.
LIMITATION_YEARS = {"khien_trach": 2}
DEFAULT_LIMITATION_YEARS = 5
# The unit head is warned this many days before the time limit.
TIME_LIMIT_WARN_DAYS = 15


def _today():
    return local_date(utcnow())


def pauses(decision):
    return db.session.scalars(select(DisciplinePause).where(DisciplinePause.decision_id == decision.id)
                              .order_by(DisciplinePause.starts_on)).all()


def paused_days(decision, today=None):
    """Days of "chưa xem xét xử lý kỷ luật" so far (they extend the time limit)."""
    today = today or _today()
    return sum(max(0, (min(p.ends_on, today) - p.starts_on).days + 1) for p in pauses(decision) if p.starts_on <= today)


def active_pause(decision, today=None):
    today = today or _today()
    return next((p for p in pauses(decision) if p.starts_on <= today <= p.ends_on), None)


def discipline_due(decision, today=None):
    """The last day a decision can be made: started_on + 90 (150) days + the paused days."""
    if decision.started_on is None:
        return None
    days = COMPLEX_TIME_LIMIT_DAYS if decision.complex_case else TIME_LIMIT_DAYS
    return decision.started_on + timedelta(days=days + paused_days(decision, today))


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def limitation_refusal(complaint, form, on):
    """Why the thời hiệu has run out for this form on `on` (None: it has not)."""
    violation = complaint.incident_date or local_date(complaint.submitted_at)
    years = LIMITATION_YEARS.get(form, DEFAULT_LIMITATION_YEARS)
    if on > _years_after(violation, years):
        return _("Đã hết thời hiệu xử lý kỷ luật (%(n)d năm kể từ ngày vi phạm %(d)s).", n=years,
                 d=violation.strftime("%d/%m/%Y"))
    return None


def propose_discipline(complaint, actor, *, proposed_form=None, notes=None, complex_case=False):
    _lock(complaint)
    verification = approved_verification(complaint)
    refusal = discipline_refusal(complaint, verification)
    if refusal:
        raise OutcomeError(refusal)
    existing = current_discipline(complaint)
    if existing is not None:
        raise OutcomeError(_("Hồ sơ đã có đề xuất xử lý kỷ luật."))
    staff = complaint.staff
    if proposed_form:
        _check_form(staff, proposed_form)
    decision = DisciplineDecision(
        complaint=complaint, staff_id=staff.id, status="proposed", proposed_form=proposed_form or None,
        notes=(notes or "").strip() or None, legal_basis=default_legal_basis(staff), created_by_id=actor.id,
        # The time limit runs from the approved conclusion that found the violation.
        started_on=local_date(verification.approved_at) if verification.approved_at else _today(),
        complex_case=bool(complex_case),
    )
    db.session.add(decision)
    db.session.flush()
    _event(complaint, "discipline", recorded("Đề xuất xem xét kỷ luật; thời hạn xử lý đến %(d)s.",
                                      d=discipline_due(decision).strftime("%d/%m/%Y")), actor)
    audit.record("discipline.proposed", actor=actor, obj=decision, case=complaint.tracking_code,
                 staff=staff.public_ref, proposed_form=proposed_form, complex_case=bool(complex_case))
    return decision


def _decision_at(complaint, *statuses):
    decision = current_discipline(complaint)
    if decision is None or decision.status not in statuses:
        raise OutcomeError(_("Bước này không còn phù hợp với trạng thái hồ sơ kỷ luật."))
    return decision


def _meeting_fields(held_on, minutes, participants, what):
    minutes, participants = (minutes or "").strip(), (participants or "").strip()
    if held_on is None or not minutes or not participants:
        raise OutcomeError(_("Cần ngày họp, thành phần tham dự và biên bản %(what)s.", what=what))
    if held_on > _today():
        raise OutcomeError(_("Ngày họp không được sau hôm nay."))
    return minutes, participants


def record_review(complaint, actor, *, review_date, minutes, participants):
    """Họp kiểm điểm: the staff member's own review meeting, the first step (date, minutes, who took part)."""
    _lock(complaint)
    decision = _decision_at(complaint, "proposed")
    minutes, participants = _meeting_fields(review_date, minutes, participants, _("cuộc họp kiểm điểm"))
    decision.status = "reviewed"
    decision.review_date, decision.review_minutes, decision.review_participants = review_date, minutes, participants
    _event(complaint, "discipline", recorded("Đã họp kiểm điểm ngày %(d)s.", d=review_date.strftime("%d/%m/%Y")), actor)
    audit.record("discipline.review", actor=actor, obj=decision, case=complaint.tracking_code,
                 review_date=review_date.isoformat())
    db.session.flush()
    return decision


def record_meeting(complaint, actor, *, meeting_date, minutes, participants=None):
    """Hội đồng kỷ luật: after the kiểm điểm; required before the heaviest forms."""
    _lock(complaint)
    decision = _decision_at(complaint, "reviewed")
    minutes, participants = _meeting_fields(meeting_date, minutes, participants, _("Hội đồng kỷ luật"))
    decision.status = "meeting"
    decision.meeting_date, decision.meeting_minutes, decision.meeting_participants = meeting_date, minutes, participants
    _event(complaint, "discipline", recorded("Hội đồng kỷ luật họp ngày %(d)s.", d=meeting_date.strftime("%d/%m/%Y")), actor)
    audit.record("discipline.meeting", actor=actor, obj=decision, case=complaint.tracking_code,
                 meeting_date=meeting_date.isoformat())
    db.session.flush()
    return decision


def _not_paused(decision, on):
    pause = active_pause(decision, on)
    if pause is not None:
        raise OutcomeError(_("Đang trong thời gian chưa xem xét xử lý kỷ luật (%(g)s) đến %(d)s.",
                             g=PAUSE_GROUNDS[pause.ground], d=pause.ends_on.strftime("%d/%m/%Y")))


def decide_discipline(complaint, actor, *, form, decision_number, decision_date, signer, legal_basis=None,
                      electing_body=None, already_assessed_year=None):
    _lock(complaint)
    decision = _decision_at(complaint, "reviewed", "meeting")
    _check_form(decision.staff, form)
    decision_number, signer = (decision_number or "").strip(), (signer or "").strip()
    if not (decision_number and decision_date and signer):
        raise OutcomeError(_("Quyết định kỷ luật cần số quyết định, ngày quyết định và người ký."))
    _not_paused(decision, decision_date)
    if form in COUNCIL_FORMS and decision.status != "meeting":
        raise OutcomeError(_("Hình thức %(f)s chỉ quyết định sau khi Hội đồng kỷ luật họp.", f=DISCIPLINE_FORMS[form]))
    electing_body = (electing_body or "").strip()
    if form in ELECTED_BODY_FORMS:
        if actor.role != "monitor":
            raise OutcomeError(_("Bãi nhiệm do cơ quan bầu (Hội đồng nhân dân) biểu quyết; cơ quan theo dõi ghi "
                                 "nhận nghị quyết."))
        if not electing_body:
            raise OutcomeError(_("Vui lòng nhập cơ quan đã biểu quyết bãi nhiệm (ví dụ: HĐND xã)."))
    refusal = limitation_refusal(complaint, form, decision_date)
    if refusal:
        raise OutcomeError(refusal)
    due = discipline_due(decision, decision_date)
    decision.status = "decided"
    decision.form = form
    decision.decision_number = decision_number
    decision.decision_date = decision_date
    decision.signer = signer
    decision.electing_body = electing_body[:200] or None
    decision.already_assessed_year = already_assessed_year or None
    decision.legal_basis = (legal_basis or "").strip() or default_legal_basis(decision.staff)
    _event(complaint, "discipline", recorded("Quyết định kỷ luật số %(n)s: %(f)s.", n=decision_number,
                                             f=recorded(DISCIPLINE_FORMS[form])), actor)
    audit.record("discipline.decided", actor=actor, obj=decision, case=complaint.tracking_code, form=form,
                 decision_number=decision_number, decision_date=decision_date.isoformat(), signer=signer,
                 electing_body=decision.electing_body, after_time_limit=bool(due and decision_date > due))
    db.session.flush()
    return decision


def decide_no_discipline(complaint, actor, *, lighter_measure, notes=None):
    _lock(complaint)
    decision = _decision_at(complaint, "reviewed", "meeting")
    if lighter_measure not in LIGHTER_MEASURES:
        raise OutcomeError(_("Vui lòng chọn biện pháp xử lý nhẹ hơn đã áp dụng."))
    decision.status = "no_discipline"
    decision.lighter_measure = lighter_measure
    if notes and notes.strip():
        decision.notes = ((decision.notes + "\n") if decision.notes else "") + notes.strip()
    _event(complaint, "discipline", recorded("Không kỷ luật; biện pháp áp dụng: %(m)s.",
                                             m=recorded(LIGHTER_MEASURES[lighter_measure])), actor)
    audit.record("discipline.no_discipline", actor=actor, obj=decision, case=complaint.tracking_code,
                 lighter_measure=lighter_measure)
    db.session.flush()
    return decision


def pause_discipline(complaint, actor, *, ground, starts_on, ends_on, note=None):
    """Record a period of "chưa xem xét xử lý kỷ luật" with its ground; it extends the time limit."""
    _lock(complaint)
    decision = _decision_at(complaint, "proposed", "reviewed", "meeting")
    if ground not in PAUSE_GROUNDS:
        raise OutcomeError(_("Vui lòng chọn căn cứ trong danh sách."))
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise OutcomeError(_("Vui lòng nhập ngày bắt đầu và ngày kết thúc (không trước ngày bắt đầu)."))
    pause = DisciplinePause(decision_id=decision.id, ground=ground, starts_on=starts_on, ends_on=ends_on,
                            note=(note or "").strip()[:2000] or None, created_by_id=actor.id)
    db.session.add(pause)
    db.session.flush()
    _event(complaint, "discipline", recorded("Chưa xem xét xử lý kỷ luật từ %(a)s đến %(b)s: %(g)s.",
                                      a=starts_on.strftime("%d/%m/%Y"), b=ends_on.strftime("%d/%m/%Y"),
                                      g=recorded(PAUSE_GROUNDS[ground])), actor)
    audit.record("discipline.paused", actor=actor, obj=decision, ground=ground, starts_on=starts_on.isoformat(),
                 ends_on=ends_on.isoformat())
    return pause


def appeals(decision):
    return db.session.scalars(select(DisciplineAppeal).where(DisciplineAppeal.decision_id == decision.id)
                              .order_by(DisciplineAppeal.id)).all()


def record_appeal(complaint, actor, *, filed_on, summary):
    """The disciplined person's khiếu nại against the decision."""
    _lock(complaint)
    decision = _decision_at(complaint, "decided")
    summary = (summary or "").strip()
    if filed_on is None or not summary:
        raise OutcomeError(_("Vui lòng nhập ngày và nội dung khiếu nại."))
    if any(a.outcome == "pending" for a in appeals(decision)):
        raise OutcomeError(_("Đang có khiếu nại chưa được giải quyết."))
    appeal = DisciplineAppeal(decision_id=decision.id, filed_on=filed_on, summary=summary[:5000], outcome="pending",
                              created_by_id=actor.id)
    db.session.add(appeal)
    db.session.flush()
    _event(complaint, "discipline", recorded("Cán bộ khiếu nại quyết định kỷ luật (ngày %(d)s).",
                                      d=filed_on.strftime("%d/%m/%Y")), actor)
    audit.record("discipline.appealed", actor=actor, obj=decision, appeal=appeal.id)
    return appeal


def decide_appeal(complaint, actor, *, outcome, decided_on, note=None):
    _lock(complaint)
    decision = _decision_at(complaint, "decided")
    appeal = next((a for a in appeals(decision) if a.outcome == "pending"), None)
    if appeal is None:
        raise OutcomeError(_("Không có khiếu nại nào đang chờ giải quyết."))
    if outcome not in APPEAL_OUTCOMES or outcome == "pending" or decided_on is None:
        raise OutcomeError(_("Vui lòng chọn kết quả giải quyết khiếu nại và ngày giải quyết."))
    appeal.outcome, appeal.decided_on, appeal.outcome_note = outcome, decided_on, (note or "").strip()[:5000] or None
    _event(complaint, "discipline", recorded("Kết quả giải quyết khiếu nại quyết định kỷ luật: %(o)s.",
                                      o=recorded(APPEAL_OUTCOMES[outcome])), actor)
    audit.record("discipline.appeal_decided", actor=actor, obj=decision, appeal=appeal.id, outcome=outcome)
    db.session.flush()
    return appeal


def assessment_flag(staff, year):
    """"không hoàn thành nhiệm vụ" when a discipline decision against `staff` is dated in `year`, unless
    its violation was already counted in an earlier year's rating, or the decision was annulled on appeal."""
    annulled = select(DisciplineAppeal.decision_id).where(DisciplineAppeal.outcome == "annulled")
    found = db.session.scalar(
        select(DisciplineDecision.id).where(
            DisciplineDecision.staff_id == staff.id,
            DisciplineDecision.status == "decided",
            DisciplineDecision.decision_date >= date(year, 1, 1),
            DisciplineDecision.decision_date <= date(year, 12, 31),
            or_(DisciplineDecision.already_assessed_year.is_(None), DisciplineDecision.already_assessed_year >= year),
            DisciplineDecision.id.not_in(annulled),
        ).limit(1)
    )
    return ASSESSMENT_FAILED if found is not None else None


def staff_history(staff):
    """Every case naming `staff`, newest first, with its approved conclusion and discipline records."""
    complaints = db.session.scalars(
        select(Complaint).where(Complaint.staff_id == staff.id).order_by(Complaint.submitted_at.desc())
    ).all()
    ids = [c.id for c in complaints]
    conclusions, decisions = {}, {}
    if ids:
        for verification in db.session.scalars(
            select(Verification).where(Verification.complaint_id.in_(ids), Verification.status == "approved")
            .order_by(Verification.id)
        ):
            conclusions[verification.complaint_id] = verification.conclusion
        for decision in db.session.scalars(
            select(DisciplineDecision).where(DisciplineDecision.complaint_id.in_(ids)).order_by(DisciplineDecision.id)
        ):
            decisions.setdefault(decision.complaint_id, []).append(decision)
    return [
        {"complaint": c, "conclusion": conclusions.get(c.id), "decisions": decisions.get(c.id, [])}
        for c in complaints
    ]


def decision_years(staff):
    years = db.session.scalars(
        select(extract("year", DisciplineDecision.decision_date)).where(
            DisciplineDecision.staff_id == staff.id, DisciplineDecision.status == "decided"
        ).distinct()
    ).all()
    return sorted({int(y) for y in years if y is not None}, reverse=True)


# --- the answer ------------------------------------------------------------------------------

def current_answer(complaint):
    return _latest(Answer, complaint)


def sent_answer(complaint):
    """The latest answer approved and sent to the citizen (or None)."""
    return _latest(Answer, complaint, "approved", "sent")


def answer_refusal(complaint):
    """Why an answer cannot be drafted now (None when it can)."""
    kind = complaint.category.kind if complaint.category else None
    if complaint.status == "concluded":
        return None
    if complaint.status == "accepted" and kind in DIRECT_ANSWER_KINDS:
        return None
    if complaint.status == "accepted":
        return _("Cần xác minh và có kết luận được duyệt trước khi trả lời.")
    return _("Hồ sơ không ở bước soạn trả lời.")


class _Blank(dict):
    def __missing__(self, key):
        return "{" + key + "}"


# The placeholders an answer template may use (administrators see this list, the README too).
TEMPLATE_FIELDS = {
    "ma_ho_so": "Mã phản ánh (PA…)",
    "ngay_tiep_nhan": "Ngày tiếp nhận",
    "ngay_tra_loi": "Ngày trả lời",
    "han_tra_loi": "Hạn trả lời",
    "don_vi": "Tên đơn vị giải quyết",
    "danh_muc": "Loại phản ánh",
    "ket_luan": "Kết luận xác minh, thành câu: “nội dung phản ánh là đúng”…",
    "bien_phap": "Biện pháp đã áp dụng (kỷ luật hoặc biện pháp nhẹ hơn); trống khi chưa có",
}
# The conclusion as the clause an answer says after "Qua xác minh, ...".
CONCLUSION_CLAUSES = {
    "substantiated": "nội dung phản ánh là đúng",
    "partly": "nội dung phản ánh đúng một phần",
    "unsubstantiated": "nội dung phản ánh là không đúng",
    "unverifiable": "chưa đủ cơ sở để kết luận nội dung phản ánh",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _measure_text(complaint):
    with force_locale("vi"):  # it goes into the (Vietnamese) answer template
        return _measure_sentence(complaint)


def _measure_sentence(complaint):
    decision = current_discipline(complaint)
    if decision is None:
        return ""
    if decision.status == "decided":
        return _("Đơn vị đã xử lý kỷ luật cán bộ vi phạm bằng hình thức %(f)s theo quy định.",
                 f=DISCIPLINE_FORMS[decision.form].lower())
    if decision.status == "no_discipline":
        return _("Đơn vị đã áp dụng biện pháp %(m)s đối với cán bộ liên quan.",
                 m=LIGHTER_MEASURES[decision.lighter_measure].lower())
    return _("Đơn vị đang xem xét xử lý kỷ luật cán bộ vi phạm theo quy định.")


def template_values(complaint):
    verification = approved_verification(complaint)
    unit = complaint.unit
    values = _Blank(
        ma_ho_so=complaint.tracking_code,
        ngay_tiep_nhan=local_date(complaint.submitted_at).strftime("%d/%m/%Y"),
        ket_luan=CONCLUSION_CLAUSES.get(verification.conclusion, "") if verification else "",
        don_vi=unit.name if unit else "",
        danh_muc=complaint.category.name_vi if complaint.category else "",
        ngay_tra_loi=to_local(utcnow()).strftime("%d/%m/%Y"),
        han_tra_loi=local_date(complaint.answer_due_at).strftime("%d/%m/%Y") if complaint.answer_due_at else "",
        bien_phap=_measure_text(complaint),
    )
    values["unit"] = values["don_vi"]  # templates written before the names were Vietnamese
    return values


def unknown_placeholders(template):
    """Placeholders in `template` that no case can fill (for the administrators' form)."""
    return sorted(set(_PLACEHOLDER.findall(template or "")) - set(TEMPLATE_FIELDS) - {"unit"})


def draft_from_template(complaint):
    """The category's answer template with {ma_ho_so}, {ngay_tiep_nhan}, {ket_luan}... filled in."""
    template = (complaint.category.answer_template if complaint.category else None) or DEFAULT_ANSWER_TEMPLATE
    try:
        text = template.format_map(template_values(complaint))
    except (ValueError, IndexError, AttributeError, KeyError):
        # A stray brace in an administrator's template: fill what can be filled, keep the rest.
        text = template
        for key, value in template_values(complaint).items():
            text = text.replace("{" + key + "}", value)
    # An empty {bien_phap} or {ket_luan} must not leave an empty paragraph or a lone full stop.
    text = re.sub(r"\n{3,}", "\n\n", re.sub(r"(?m)^[ .]*\.\s*$", "", text))
    return text.strip()


def save_answer(complaint, actor, *, body, submit=False):
    _lock(complaint)
    refusal = answer_refusal(complaint)
    if refusal:
        raise OutcomeError(refusal)
    body = (body or "").strip()
    if not body:
        raise OutcomeError(_("Nội dung trả lời không được để trống."))
    left = _PLACEHOLDER.findall(body)
    if submit and left:
        raise OutcomeError(_("Dự thảo còn chỗ chưa điền: %(names)s. Vui lòng sửa trước khi trình.",
                             names=", ".join("{" + n + "}" for n in left)))
    answer = current_answer(complaint)
    if answer is not None and answer.status == "submitted":
        raise OutcomeError(_("Dự thảo trả lời đang chờ thủ trưởng đơn vị duyệt, không thể sửa."))
    if answer is None or answer.status not in ("draft", "returned"):
        answer = Answer(complaint=complaint, body=body, status="draft", drafted_by_id=actor.id)
        db.session.add(answer)
    answer.body = body
    answer.drafted_by_id = actor.id
    db.session.flush()
    if submit:
        answer.status = "submitted"
        _event(complaint, "answer", recorded("Trình dự thảo trả lời."), actor)
        audit.record("answer.submitted", actor=actor, obj=answer, case=complaint.tracking_code)
    else:
        audit.record("answer.saved", actor=actor, obj=answer, case=complaint.tracking_code)
    return answer


def proposed_publication(complaint, answer):
    """(summary, body) redacted automatically, for the approver to check and edit."""
    return redact_for_case(complaint.description, complaint), redact_for_case(answer.body, complaint)


def _track_url(complaint):
    return f"{current_app.config['PUBLIC_BASE_URL']}/track?code={complaint.tracking_code}"


def answer_message(complaint, answer):
    channel, _address = complainant_address(complaint)
    with force_locale(complaint.language):
        head = _("Trả lời phản ánh %(code)s:", code=complaint.tracking_code)
        text = f"{head} {answer.body}"
        if channel == "sms" and len(text) > SMS_ANSWER_LIMIT:
            more = _("Xem toàn văn: %(url)s", url=_track_url(complaint))
            text = text[: SMS_ANSWER_LIMIT - len(more) - 2].rstrip() + "… " + more
    return text


def rating_request_message(complaint):
    with force_locale(complaint.language):
        return _("Mời Ông/Bà đánh giá trả lời phản ánh %(code)s tại %(url)s",
                 code=complaint.tracking_code, url=_track_url(complaint))


def review_answer(complaint, actor, *, approve, note=None, publish=False, public_summary=None, public_body=None):
    """The unit head approves the answer (sent to the citizen, rating asked, maybe published) or returns it."""
    _lock(complaint)
    answer = current_answer(complaint)
    if answer is None or answer.status != "submitted":
        raise OutcomeError(_("Chưa có dự thảo trả lời nào được trình duyệt."))
    refusal = answer_refusal(complaint)
    if refusal:
        raise OutcomeError(refusal)
    note = (note or "").strip()
    if not approve:
        if not note:
            raise OutcomeError(_("Vui lòng ghi rõ lý do trả lại dự thảo."))
        answer.status = "returned"
        answer.review_note = note
        _event(complaint, "answer", recorded("Trả lại dự thảo trả lời: %(n)s", n=note), actor)
        audit.record("answer.returned", actor=actor, obj=answer, case=complaint.tracking_code, note=note)
        db.session.flush()
        return answer
    if publish and not complaint.consent_publish:
        raise OutcomeError(_("Người phản ánh không đồng ý công khai: không thể công khai câu trả lời."))
    now = utcnow()
    answer.status = "approved"
    answer.approved_by_id = actor.id
    answer.approved_at = now
    answer.review_note = note or None
    transition(complaint, "answered", actor=actor)
    _event(complaint, "answer", answer.body, actor, public=True)
    audit.record("answer.approved", actor=actor, obj=answer, case=complaint.tracking_code)
    message = notify_complainant(complaint, answer_message(complaint, answer), "answer", dedupe_key=f"answer:{answer.id}")
    if message is not None:
        answer.sent_at = now
        notify_complainant(complaint, rating_request_message(complaint), "rating_request",
                           dedupe_key=f"rating_request:{answer.id}")
    db.session.flush()
    if publish:
        publish_answer(complaint, actor, public_summary=public_summary, public_body=public_body)
    return answer


def publish_answer(complaint, actor, *, public_summary=None, public_body=None):
    """Publish the approved answer with redacted texts (the approver's edits are redacted again)."""
    _lock(complaint)
    answer = sent_answer(complaint)
    if answer is None or complaint.status != "answered":
        raise OutcomeError(_("Chỉ công khai được câu trả lời đã duyệt và chưa công khai."))
    if not complaint.consent_publish:
        raise OutcomeError(_("Người phản ánh không đồng ý công khai: không thể công khai câu trả lời."))
    summary = (public_summary or "").strip() or complaint.description
    body = (public_body or "").strip() or answer.body
    answer.public_summary = redact_for_case(summary, complaint)
    answer.public_body = redact_for_case(body, complaint)
    answer.published_at = utcnow()
    transition(complaint, "published", actor=actor)
    audit.record("answer.published", actor=actor, obj=answer, case=complaint.tracking_code,
                 public_ref=answer.public_ref)
    db.session.flush()
    return answer


# --- the citizen's rating and dispute (called from the /track page) --------------------------

def _answer_for_citizen(complaint):
    answer = sent_answer(complaint)
    if answer is None:
        raise OutcomeError(_("Hồ sơ chưa có câu trả lời."))
    if complaint.status not in ANSWERED_STATUSES or pending_review(complaint) is not None:
        raise OutcomeError(_("Hồ sơ đang được xem xét lại."))
    return answer


def rate_answer(complaint, satisfied, reason=None):
    """The citizen rates the answer once: Rating(source='answer', 4 or 2) and a public timeline line."""
    _lock(complaint)
    answer = _answer_for_citizen(complaint)
    key = f"answer:{answer.id}"
    if db.session.scalar(select(Rating.id).where(Rating.client_uuid == key)) is not None:
        raise OutcomeError(_("Ông/Bà đã đánh giá câu trả lời này."))
    reason = (reason or "").strip()[:1000] or None
    rating = Rating(unit_id=complaint.unit_id, complaint_id=complaint.id, score=4 if satisfied else 2,
                    source="answer", comment=reason, client_uuid=key)
    try:
        with db.session.begin_nested():
            db.session.add(rating)
            db.session.flush()
    except IntegrityError:
        raise OutcomeError(_("Ông/Bà đã đánh giá câu trả lời này.")) from None
    _event(complaint, "rating",
           recorded("Người dân đánh giá câu trả lời: %(r)s.", r=recorded("Hài lòng") if satisfied else recorded("Chưa hài lòng")),
           actor_label="citizen", public=True)
    audit.record("answer.rated", actor_label="citizen", obj=rating, case=complaint.tracking_code,
                 satisfied=bool(satisfied))
    return rating


def dispute_deadline(answer):
    days = int(current_app.config.get("ANSWER_DISPUTE_DAYS", 15))
    return working_calendar().add_working_days(answer.approved_at, days)


def pending_review(complaint):
    return db.session.scalar(select(CaseReview).where(CaseReview.complaint_id == complaint.id,
                                                      CaseReview.status == "pending"))


def dispute_answer(complaint, reason):
    """The citizen disputes the answer in time, once per answer: the monitoring office decides whether
    the case is examined again (by the same or another unit) or the answer stands."""
    _lock(complaint)
    reason = (reason or "").strip()
    if not reason:
        raise OutcomeError(_("Vui lòng nêu lý do không đồng ý với câu trả lời."))
    answer = _answer_for_citizen(complaint)
    deadline = dispute_deadline(answer)
    if utcnow() > deadline:
        raise OutcomeError(_("Đã quá thời hạn %(days)s ngày làm việc để không đồng ý với câu trả lời (hết hạn %(date)s).",
                             days=current_app.config.get("ANSWER_DISPUTE_DAYS", 15),
                             date=to_local(deadline).strftime("%d/%m/%Y")))
    return _request_review(complaint, "dispute", f"answer:{answer.id}", reason, recorded(
        "Người dân không đồng ý với câu trả lời; cơ quan theo dõi xem xét và quyết định. Lý do: %(r)s",
        r=reason[:2000]), already=_("Ông/Bà đã đề nghị xem xét lại câu trả lời này."))


def decline_review_deadline(complaint):
    """Until when the citizen may ask for a review of a decline (ANSWER_DISPUTE_DAYS after it)."""
    declined_at = db.session.scalar(select(CaseEvent.created_at).where(
        CaseEvent.complaint_id == complaint.id, CaseEvent.kind == "status", CaseEvent.to_status == "declined")
        .order_by(CaseEvent.id.desc()).limit(1))
    if declined_at is None:
        return None
    return working_calendar().add_working_days(declined_at, int(current_app.config.get("ANSWER_DISPUTE_DAYS", 15)))


def request_decline_review(complaint, reason):
    """The citizen asks the monitoring office to review a decline ("không thụ lý"), once per decline."""
    _lock(complaint)
    reason = (reason or "").strip()
    if not reason:
        raise OutcomeError(_("Vui lòng nêu lý do đề nghị xem xét lại."))
    if complaint.status != "declined":
        raise OutcomeError(_("Chỉ đề nghị xem xét lại được phản ánh không được thụ lý."))
    deadline = decline_review_deadline(complaint)
    if deadline is None or utcnow() > deadline:
        raise OutcomeError(_("Đã quá thời hạn đề nghị xem xét lại."))
    declines = db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.complaint_id == complaint.id, CaseEvent.kind == "status", CaseEvent.to_status == "declined"))
    return _request_review(complaint, "decline", f"decline:{declines}", reason, recorded(
        "Người dân đề nghị xem xét lại việc không thụ lý; cơ quan theo dõi xem xét và quyết định. Lý do: %(r)s",
        r=reason[:2000]), already=_("Ông/Bà đã đề nghị xem xét lại việc không thụ lý này."))


def _request_review(complaint, kind, subject_key, reason, public_text, already):
    from feedback.cases.services import _notify, monitors_for

    if db.session.scalar(select(CaseReview.id).where(CaseReview.complaint_id == complaint.id,
                                                     CaseReview.kind == kind, CaseReview.subject_key == subject_key)):
        raise OutcomeError(already)
    review = CaseReview(complaint_id=complaint.id, kind=kind, subject_key=subject_key, reason=reason[:2000],
                        status="pending", requested_at=utcnow())
    db.session.add(review)
    complaint.escalated = True
    complaint.escalation_reason = "disputed" if kind == "dispute" else "decline_review"
    event = _event(complaint, "escalation", public_text, actor_label="citizen", public=True)
    db.session.flush()
    for monitor in monitors_for(complaint.unit, complaint):
        _notify(monitor, complaint, "review", _("Phản ánh %(code)s: người dân đề nghị xem xét lại; chờ quyết định.",
                                                 code=complaint.tracking_code), dedupe_key=f"review:{review.id}:u{monitor.id}")
    audit.record("answer.disputed" if kind == "dispute" else "case.decline_review_requested", actor_label="citizen",
                 obj=complaint, review=review.id, reason=reason[:500])
    return event


def can_decide_review(user, complaint):
    from feedback.cases import access as case_access

    return (user.role == "monitor" and complaint.unit is not None and case_access.unit_in_scope(user, complaint.unit)
            and not case_access.is_named(user, complaint))


def review_targets(user, complaint):
    """Units the monitoring office may send a reopened case to: active units in its scope."""
    from feedback.cases.routing import conflicts
    from feedback.calendar import local_today
    from feedback.cases import access as case_access
    from feedback.models import Unit

    scope = case_access.scope_unit(user)
    query = select(Unit).order_by(Unit.path)
    if scope is not None:
        query = query.where(Unit.subtree_clause(scope))
    today = local_today()
    return [u for u in db.session.scalars(query).all() if u.is_active_on(today) and not conflicts(complaint.staff, u)]


def decide_review(complaint, actor, *, reopen, note, unit=None):
    """The monitoring office's decision on a pending review (or, for a declined case, on its own motion):
    reopen to `unit` (the same by default; both clocks restart) or confirm. Returns the review (or None)."""
    from feedback.cases.services import heads_for, restart_clock, _notify

    if not can_decide_review(actor, complaint):
        raise OutcomeError(_("Không thể quyết định việc xem xét lại phản ánh này."))
    note = (note or "").strip()
    if not note:
        raise OutcomeError(_("Vui lòng nêu căn cứ của quyết định."))
    review = pending_review(complaint)
    if review is None and not (reopen and complaint.status == "declined"):
        raise OutcomeError(_("Không có đề nghị xem xét lại nào đang chờ."))
    target = unit or complaint.unit
    if reopen and target not in review_targets(actor, complaint):
        raise OutcomeError(_("Đơn vị nhận không hợp lệ."))
    if reopen:
        to_status = "received" if complaint.status == "declined" else "verifying"
        if complaint.status == "declined":
            complaint.decline_reason = None
            complaint.duplicate_of_id = None
        complaint.unit = target
        complaint.assigned_to = None
        restart_clock(complaint)
        transition(complaint, to_status, actor=actor, note=recorded("Cơ quan theo dõi mở lại để xem xét: %(n)s", n=note))
        for head in heads_for(target, complaint):
            _notify(head, complaint, "review", _("Phản ánh %(code)s được cơ quan theo dõi mở lại; hạn trả lời %(date)s.",
                                                 code=complaint.tracking_code, date=_short(complaint.answer_due_at)))
        with force_locale(complaint.language):
            text = _("Phản ánh %(code)s được cơ quan theo dõi mở lại để xem xét; hạn trả lời %(date)s.",
                     code=complaint.tracking_code, date=_short(complaint.answer_due_at))
    else:
        _event(complaint, "escalation", recorded("Cơ quan theo dõi giữ nguyên %(what)s. Căn cứ: %(n)s",
                                          what=recorded("câu trả lời") if review.kind == "dispute" else recorded("việc không thụ lý"),
                                          n=note), actor=actor, public=True)
        with force_locale(complaint.language):
            text = _("Phản ánh %(code)s: cơ quan theo dõi đã xem xét và giữ nguyên kết quả. Chi tiết tại trang tra cứu.",
                     code=complaint.tracking_code)
    notify_complainant(complaint, text, "notice", dedupe_key=f"review-decided:{review.id}" if review else None)
    if review is not None:
        review.status = "reopened" if reopen else "confirmed"
        review.decided_by_id, review.decided_at, review.decision_note = actor.id, utcnow(), note[:2000]
        review.to_unit_id = target.id if reopen else None
    audit.record("case.review_decided", actor=actor, obj=complaint, review=getattr(review, "id", None),
                 reopen=bool(reopen), unit=target.code if reopen else None, note=note[:500])
    db.session.flush()
    return review


def _short(moment):
    return to_local(moment).strftime("%d/%m/%Y") if moment else ""


# --- closing -----------------------------------------------------------------------------------

CLOSABLE_STATUSES = ("answered", "published")


def close_refusal(complaint):
    """Why the case cannot be closed now (None: it can)."""
    if complaint.status not in CLOSABLE_STATUSES:
        return _("Chỉ đóng được phản ánh đã trả lời người dân.")
    if pending_review(complaint) is not None:
        return _("Người dân đã đề nghị xem xét lại: chờ cơ quan theo dõi quyết định.")
    return None


def close_case(complaint, actor, note=None):
    """The unit head declares the answer final: the case is closed (a dispute in time still reopens it)."""
    _lock(complaint)
    refusal = close_refusal(complaint)
    if refusal:
        raise OutcomeError(refusal)
    note = (note or "").strip()[:1000] or None
    transition(complaint, "closed", actor=actor, note=note)
    db.session.flush()
    return complaint
