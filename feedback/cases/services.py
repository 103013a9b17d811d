"""State changes of a case in the unit's hands: one function per change.

Each writes the case timeline (CaseEvent) and the audit trail, uses
`workflow.transition()` for every status change, flushes, and leaves the commit
to the caller. Problems a user can fix raise `CaseError` with a Vietnamese message.

Clock rules (also in the README):
- transfer (chuyển xử lý): both deadlines restart on the transfer date with the
  category's days (acceptance and answer), counted in working days; the citizen is
  told the new answer date. A case may be transferred while received or accepted;
  an accepted case stays accepted. The one extension allowed per case stays used.
- triage: routing a case out of the triage queue keeps the deadlines set at
  submission (the citizen was already told them in the acknowledgement).
- extension: once per case, 1-30 working days added to the current answer deadline.
"""
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from feedback import attachments, audit
from feedback.timeline import message_of, recorded
from feedback.calendar import local_today, to_local, to_utc, working_calendar
from feedback.cases import access, rules
from feedback.cases.routing import conflicts
from feedback.cases.workflow import OPEN_STATUSES, transition
from feedback.extensions import db
from feedback.messaging import notify_complainant
from feedback.models import (CaseEvent, Complaint, IdentityRevealRequest, LateNotice, Notification, TransferRequest, Unit,
                             User, utcnow)

DECLINE_REASONS = {
    "out_of_scope": _l("Không thuộc phạm vi, thẩm quyền giải quyết"),
    "duplicate": _l("Trùng với phản ánh đã tiếp nhận (gộp hồ sơ)"),
    "insufficient": _l("Không đủ thông tin để xử lý"),
    "abusive": _l("Nội dung xúc phạm, không mang tính xây dựng"),
}
MAX_EXTENSION_DAYS = 30


class CaseError(ValueError):
    """A refused action, with a message for the user (Vietnamese)."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def _date(moment):
    return to_local(moment).strftime("%d/%m/%Y") if moment else ""


def _event(complaint, kind, actor, body=None, public=False, **extra):
    event = CaseEvent(complaint=complaint, kind=kind, actor_id=getattr(actor, "id", None),
                      actor_label=None if actor is not None else "system", body=body, message=message_of(body),
                      is_public=public, created_at=utcnow(), **extra)
    db.session.add(event)
    return event


def _notify(user, complaint, kind, body, dedupe_key=None):
    """An in-app notification for one user; with a dedupe key, at most one ever."""
    if user is None or access.is_named(user, complaint):
        return None
    if dedupe_key is not None:
        existing = db.session.scalar(select(Notification).where(Notification.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    row = Notification(user_id=user.id, unit_id=user.unit_id, kind=kind, complaint_id=complaint.id, body=body,
                       dedupe_key=dedupe_key, created_at=utcnow())
    db.session.add(row)
    return row


def _require_open(complaint):
    if complaint.status not in OPEN_STATUSES:
        raise CaseError(_("Phản ánh này đã kết thúc xử lý, không thể thực hiện thao tác này."))


def heads_for(unit, complaint=None):
    """Active unit heads of `unit`, else of the nearest unit above that has one."""
    for candidate in [unit, *unit.ancestors()] if unit is not None else []:
        users = db.session.scalars(
            select(User).where(User.role == "unit_head", User.unit_id == candidate.id,
                               User.is_active_account.is_(True)).order_by(User.id)
        ).all()
        users = [u for u in users if complaint is None or not access.is_named(u, complaint)]
        if users:
            return users
    return []


def monitors_for(unit, complaint=None):
    """Active monitors whose subtree holds `unit` (its monitoring office first)."""
    office = unit.monitoring_office() if unit is not None else None
    query = select(User).where(User.role == "monitor", User.is_active_account.is_(True)).order_by(User.id)
    if office is not None:
        users = db.session.scalars(query.where(User.unit_id == office.id)).all()
    else:
        users = []
    if not users:
        users = [u for u in db.session.scalars(query).all() if unit is None or access.unit_in_scope(u, unit)]
    return [u for u in users if complaint is None or not access.is_named(u, complaint)]


# --- assignment, notes, messages, files ----------------------------------------------------------

def eligible_handlers(complaint, actor):
    """Handlers the head may assign: active, inside the head's subtree, able to see the case's unit."""
    if complaint.unit is None:
        return []
    scope = access.scope_unit(actor)
    query = select(User).where(User.role == "handler", User.is_active_account.is_(True), User.unit_id.is_not(None))
    if scope is not None:
        query = query.where(access.scope_clause(actor, User.unit_id))
    users = db.session.scalars(query.order_by(User.full_name, User.id)).all()
    return [u for u in users if complaint.unit.is_within(u.unit) and not access.is_named(u, complaint)]


def assign_case(complaint, handler, actor):
    _require_open(complaint)
    if handler is None or handler not in eligible_handlers(complaint, actor):
        raise CaseError(_("Chuyên viên được chọn không thuộc đơn vị xử lý phản ánh này."), field="handler_id")
    previous = complaint.assigned_to
    complaint.assigned_to = handler
    _event(complaint, "assignment", actor, body=handler.full_name)
    audit.record("case.assigned", actor=actor, obj=complaint, handler_id=handler.id,
                 previous_id=getattr(previous, "id", None))
    _notify(handler, complaint, "assigned",
            _("Được giao xử lý phản ánh %(code)s.", code=complaint.tracking_code))
    db.session.flush()


def add_note(complaint, actor, body):
    event = _event(complaint, "note", actor, body=body.strip())
    audit.record("case.note", actor=actor, obj=complaint)
    db.session.flush()
    return event


def message_citizen(complaint, actor, body, is_question=False):
    """Send a message to the citizen through the outbox and show it on the tracking page.

    The unit never sees the citizen's number: `notify_complainant` looks it up. A
    question is sent with purpose "question" (the SMS webhook may treat the next
    reply as the answer). Anonymous citizens read it on the tracking page only.
    Returns (event, OutboundMessage or None).
    """
    body = body.strip()
    event = _event(complaint, "message_out", actor, body=body, public=True)
    db.session.flush()
    with force_locale(complaint.language):
        text = _("Phản ánh %(code)s: %(body)s", code=complaint.tracking_code, body=body)
        if is_question:
            text += " " + _("Xin vui lòng trả lời tin nhắn này hoặc tại %(url)s",
                            url=current_app.config["PUBLIC_BASE_URL"] + "/track")
    message = notify_complainant(complaint, text, "question" if is_question else "notice",
                                 dedupe_key=f"msg:{event.id}")
    audit.record("case.message", actor=actor, obj=complaint, question=bool(is_question),
                 outbound_id=getattr(message, "id", None))
    return event, message


def add_attachment(complaint, actor, upload):
    """Store a file the unit adds (evidence); raises CaseError when the file is refused."""
    try:
        checked = attachments.inspect(upload)
    except ValueError as exc:
        raise CaseError(str(exc), field="file") from exc
    event = _event(complaint, "attachment", actor, body=checked.original_name)
    db.session.flush()
    row = attachments.store(checked, complaint, event=event, uploaded_by=actor, is_evidence=True)
    db.session.flush()
    audit.record("case.attachment", actor=actor, obj=complaint, attachment_id=row.id, sha256=row.sha256)
    return row


# --- accept, decline, merge -------------------------------------------------------------------------

def accepted_text(complaint):
    """The SMS telling the citizen their case was accepted (one segment)."""
    with force_locale(complaint.language):
        return _("Phản ánh %(code)s đã được thụ lý, hạn trả lời %(date)s.", code=complaint.tracking_code,
                 date=_date(complaint.answer_due_at))


def accept_case(complaint, actor, kind=None, urgency=None, reason=None, decision=None):
    """Thụ lý: the unit decides the case's kind and urgency (a change of urgency needs a reason); a
    tố cáo needs the number of the decision to accept it. The clocks follow the kind's law."""
    if complaint.status != "received":
        raise CaseError(_("Chỉ thụ lý được phản ánh đang ở trạng thái “Đã tiếp nhận”."))
    kind = kind or complaint.kind
    urgency = urgency or complaint.urgency
    if kind not in rules.CASE_KINDS:
        raise CaseError(_("Vui lòng chọn loại đơn trong danh sách."), field="kind")
    if urgency not in rules.URGENCIES:
        raise CaseError(_("Vui lòng chọn mức độ trong danh sách."), field="urgency")
    reason = (reason or "").strip()
    if urgency != complaint.urgency and not reason:
        raise CaseError(_("Vui lòng nêu lý do thay đổi mức độ."), field="reason")
    decision = (decision or "").strip()
    if rules.track(kind).decision_to_accept and not decision:
        raise CaseError(_("Tố cáo được thụ lý bằng quyết định: vui lòng nhập số quyết định thụ lý."), field="decision")
    changed = (kind, urgency) != (complaint.kind, complaint.urgency)
    complaint.kind, complaint.urgency = kind, urgency
    complaint.acceptance_decision = decision[:60] or None
    transition(complaint, "accepted", actor=actor)
    # Khiếu nại and tố cáo are resolved within their days from acceptance; a phản ánh keeps counting
    # from receipt (under its possibly new urgency).
    _accept_due, complaint.answer_due_at = rules.deadlines(kind, urgency, complaint.category, complaint.submitted_at,
                                                           accepted_at=complaint.accepted_at)
    if changed or decision:
        _event(complaint, "note", actor, public=True, body=recorded(
            "Thụ lý: %(kind)s, mức độ %(urgency)s%(decision)s.%(reason)s Căn cứ: %(law)s",
            kind=rules.CASE_KINDS[kind], urgency=rules.URGENCIES[urgency],
            decision=recorded(", quyết định thụ lý số %(n)s", n=decision) if decision else "",
            reason=(" " + recorded("Lý do: %(r)s.", r=reason)) if reason else "", law=rules.track(kind).law))
    audit.record("case.accepted", actor=actor, obj=complaint, kind=kind, urgency=urgency, decision=decision or None,
                 reason=reason or None, answer_due=complaint.answer_due_at)
    notify_complainant(complaint, accepted_text(complaint), "notice", dedupe_key=f"accepted:{complaint.id}")
    db.session.flush()


def set_urgency(complaint, actor, urgency, reason):
    """The unit head changes an open case's urgency, with a reason; the answer deadline follows."""
    _require_open(complaint)
    if urgency not in rules.URGENCIES:
        raise CaseError(_("Vui lòng chọn mức độ trong danh sách."), field="urgency")
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(_("Vui lòng nêu lý do thay đổi mức độ."), field="reason")
    if urgency == complaint.urgency:
        raise CaseError(_("Phản ánh đã ở mức độ này."), field="urgency")
    old, old_due = complaint.urgency, complaint.answer_due_at
    complaint.urgency = urgency
    _accept_due, complaint.answer_due_at = rules.deadlines(complaint.kind, urgency, complaint.category,
                                                           complaint.submitted_at, accepted_at=complaint.accepted_at)
    _event(complaint, "deadline", actor, public=True, body=recorded(
        "Mức độ: %(old)s → %(new)s. Lý do: %(reason)s. Hạn trả lời: %(date)s.", old=rules.URGENCIES[old],
        new=rules.URGENCIES[urgency], reason=reason, date=_date(complaint.answer_due_at)))
    audit.record("case.urgency", actor=actor, obj=complaint, old=old, new=urgency, reason=reason, old_due=old_due,
                 new_due=complaint.answer_due_at)
    db.session.flush()


def find_original(actor, complaint, code):
    """The case a duplicate is merged into: visible to the actor, not itself, not a duplicate."""
    code = (code or "").strip().upper()
    if not code:
        raise CaseError(_("Vui lòng nhập mã phản ánh gốc."), field="duplicate_code")
    original = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
    if original is None or not access.can_view(actor, original):
        raise CaseError(_("Không tìm thấy phản ánh gốc có mã này trong phạm vi được xem."), field="duplicate_code")
    if original.id == complaint.id:
        raise CaseError(_("Không thể gộp một phản ánh vào chính nó."), field="duplicate_code")
    if original.duplicate_of_id is not None:
        raise CaseError(_("Phản ánh gốc đã được gộp vào phản ánh khác; hãy chọn phản ánh gốc cuối cùng."),
                        field="duplicate_code")
    return original


def decline_case(complaint, actor, reason, note=None, duplicate_code=None, referred_to=None):
    """Không thụ lý with a listed reason. Out of scope (a khiếu nại, tố cáo or matter of another body)
    is sent to the competent body, named here: the citizen is told where, gets a referral notice, and the
    unit records the outcome later (`record_referral_outcome`)."""
    if complaint.status not in ("received", "accepted"):
        raise CaseError(_("Chỉ từ chối thụ lý được phản ánh chưa xác minh."))
    if reason not in DECLINE_REASONS:
        raise CaseError(_("Vui lòng chọn lý do trong danh sách."), field="reason")
    referred_to = (referred_to or "").strip()
    if reason == "out_of_scope":
        if not referred_to:
            raise CaseError(_("Vui lòng nêu cơ quan có thẩm quyền mà đơn được chuyển đến."), field="referred_to")
        complaint.referred_to, complaint.referred_at = referred_to[:255], utcnow()
    original = find_original(actor, complaint, duplicate_code) if reason == "duplicate" else None
    label = recorded(DECLINE_REASONS[reason])  # the reason in Vietnamese, shown translated
    note = (note or "").strip()
    # The citizen sees the reason from the list; the head's free text stays an internal note.
    transition(complaint, "declined", actor=actor, note=label)
    if note:
        _event(complaint, "note", actor, body=note)
    complaint.decline_reason = reason
    if original is not None:
        complaint.duplicate_of_id = original.id
        _event(complaint, "merge", actor, body=f"merged_into:{original.tracking_code}")
        _event(original, "merge", actor, body=f"merged_from:{complaint.tracking_code}")
        audit.record("case.merged", actor=actor, obj=complaint, into=original.tracking_code)
    with force_locale(complaint.language):
        if complaint.referred_to and reason == "out_of_scope":
            text = _("Phản ánh %(code)s thuộc thẩm quyền của %(body)s; đơn đã được chuyển đến đó và được theo dõi "
                     "đến khi có kết quả.", code=complaint.tracking_code, body=complaint.referred_to)
        else:
            text = _("Phản ánh %(code)s không được thụ lý. Lý do: %(reason)s.", code=complaint.tracking_code,
                     reason=str(DECLINE_REASONS[reason]))
    if complaint.referred_to and reason == "out_of_scope":
        _event(complaint, "transfer", actor, public=True, body=recorded(
            "Chuyển đơn đến cơ quan có thẩm quyền: %(body)s.", body=complaint.referred_to))
        audit.record("case.referred", actor=actor, obj=complaint, body=complaint.referred_to)
    notify_complainant(complaint, text, "notice", dedupe_key=f"declined:{complaint.id}")
    db.session.flush()
    return original


def record_referral_outcome(complaint, actor, outcome):
    """What the competent body did with a referred case; the referral is then closed."""
    if not complaint.referred_to or complaint.referral_closed_at is not None:
        raise CaseError(_("Không có việc chuyển đơn nào đang theo dõi."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise CaseError(_("Vui lòng ghi kết quả giải quyết của cơ quan có thẩm quyền."), field="outcome")
    complaint.referral_outcome, complaint.referral_closed_at = outcome[:2000], utcnow()
    _event(complaint, "transfer", actor, public=True, body=recorded("Kết quả giải quyết của %(body)s: %(outcome)s",
                                                             body=complaint.referred_to, outcome=outcome))
    audit.record("case.referral_outcome", actor=actor, obj=complaint, outcome=outcome[:500])
    with force_locale(complaint.language):
        text = _("Phản ánh %(code)s: %(body)s đã có kết quả giải quyết. Xem tại trang tra cứu.",
                 code=complaint.tracking_code, body=complaint.referred_to)
    notify_complainant(complaint, text, "notice", dedupe_key=f"referral-outcome:{complaint.id}")
    db.session.flush()


# --- deadlines: extension, transfer, triage ---------------------------------------------------------

def can_extend(complaint):
    return (complaint.extension_count or 0) < rules.track(complaint.kind).max_extensions


def extend_deadline(complaint, actor, days, reason):
    """Gia hạn under the kind's law: a phản ánh once by ≤ 30 working days, a tố cáo at most twice by
    ≤ 30 days each (Luật Tố cáo 2018, Điều 30), a khiếu nại not at all (its complex clock is 45 days)."""
    _require_open(complaint)
    track = rules.track(complaint.kind)
    if track.max_extensions == 0:
        raise CaseError(_("%(kind)s không được gia hạn; vụ việc phức tạp chọn mức độ “Phức tạp”. Căn cứ: %(law)s",
                          kind=rules.CASE_KINDS[complaint.kind], law=track.law))
    if not can_extend(complaint):
        raise CaseError(_("Phản ánh này đã được gia hạn %(n)d lần; không thể gia hạn thêm.", n=complaint.extension_count))
    if not isinstance(days, int) or not 1 <= days <= track.extension_limit:
        unit = _("ngày làm việc") if track.extension_in_working_days else _("ngày")
        raise CaseError(_("Số ngày gia hạn phải từ 1 đến %(n)d %(unit)s.", n=track.extension_limit, unit=unit),
                        field="days")
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(_("Vui lòng nêu lý do gia hạn."), field="reason")
    old_due = complaint.answer_due_at or utcnow()
    start = max(old_due, utcnow())
    new_due = (working_calendar().add_working_days(start, days) if track.extension_in_working_days
               else start + timedelta(days=days))
    complaint.answer_due_at = new_due
    complaint.extension_count = (complaint.extension_count or 0) + 1
    complaint.extended = True
    complaint.extension_reason = reason
    _event(complaint, "extension", actor, public=True,
           body=recorded("Gia hạn trả lời đến %(date)s. Lý do: %(reason)s", date=_date(new_due), reason=reason))
    audit.record("case.extended", actor=actor, obj=complaint, days=days, old_due=old_due, new_due=new_due,
                 reason=reason)
    with force_locale(complaint.language):
        text = _("Phản ánh %(code)s được gia hạn trả lời đến ngày %(date)s. Lý do: %(reason)s",
                 code=complaint.tracking_code, date=_date(new_due), reason=reason)
    notify_complainant(complaint, text, "notice", dedupe_key=f"extension:{complaint.id}:{complaint.extension_count}")
    db.session.flush()
    return new_due


def transfer_targets(complaint, actor):
    """Units a case may be transferred to: active, in the same province tree, not the current one,
    and not led by the staff member the case names."""
    query = select(Unit).order_by(Unit.path)
    if complaint.unit is not None:
        # The province is the first code of the unit's path: no walk up the tree one parent at a time.
        query = query.where(Unit.path_subtree_clause(complaint.unit.root_path))
    today = local_today()
    return [u for u in db.session.scalars(query).all()
            if u.id != complaint.unit_id and u.is_active_on(today) and not conflicts(complaint.staff, u)]


def restart_clock(complaint, now=None):
    """The transfer clock rule: both deadlines restart from `now` under the case's kind and urgency."""
    now = now or utcnow()
    complaint.accept_due_at, complaint.answer_due_at = rules.deadlines(
        complaint.kind, complaint.urgency, complaint.category, now,
        accepted_at=now if complaint.status == "accepted" else None)


# Accepted transfers after which the monitoring office decides any further one (no ping-pong).
MAX_TRANSFERS = 2


def _check_transfer(complaint, actor, to_unit, reason):
    if complaint.status not in ("received", "accepted"):
        raise CaseError(_("Chỉ chuyển xử lý được phản ánh chưa xác minh."))
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(_("Vui lòng nêu lý do chuyển xử lý."), field="reason")
    if to_unit is None or to_unit not in transfer_targets(complaint, actor):
        raise CaseError(_("Đơn vị nhận không hợp lệ."), field="unit_id")
    return reason


def pending_transfer(complaint):
    return db.session.scalar(select(TransferRequest).where(TransferRequest.complaint_id == complaint.id,
                                                           TransferRequest.status == "pending"))


def accepted_transfers(complaint):
    return db.session.scalar(select(func.count()).select_from(TransferRequest).where(
        TransferRequest.complaint_id == complaint.id, TransferRequest.status == "accepted"))


def request_transfer(complaint, actor, to_unit, reason):
    """The sending head asks to transfer the case; it moves only once the receiving unit accepts
    (or, after MAX_TRANSFERS transfers, the monitoring office decides). Returns the TransferRequest."""
    reason = _check_transfer(complaint, actor, to_unit, reason)
    if pending_transfer(complaint) is not None:
        raise CaseError(_("Phản ánh này đang chờ đơn vị nhận trả lời đề nghị chuyển trước."))
    needs_monitor = accepted_transfers(complaint) >= MAX_TRANSFERS
    request = TransferRequest(complaint=complaint, from_unit_id=complaint.unit_id, to_unit_id=to_unit.id,
                              reason=reason[:1000], needs_monitor=needs_monitor, requested_by_id=actor.id,
                              requested_at=utcnow())
    db.session.add(request)
    db.session.flush()
    _event(complaint, "transfer", actor, body=recorded(
        "Đề nghị chuyển xử lý đến “%(dst)s”. Lý do: %(reason)s. %(who)s", dst=to_unit.name, reason=request.reason,
        who=recorded("Chờ cơ quan theo dõi quyết định (đã chuyển %(n)d lần).", n=MAX_TRANSFERS) if needs_monitor
        else recorded("Chờ đơn vị nhận đồng ý.")))
    audit.record("case.transfer_requested", actor=actor, obj=complaint, to_unit=to_unit.code, reason=request.reason,
                 needs_monitor=needs_monitor)
    deciders = monitors_for(complaint.unit, complaint) if needs_monitor else heads_for(to_unit, complaint)
    for user in deciders:
        _notify(user, complaint, "transfer", _("Đề nghị chuyển phản ánh %(code)s từ %(src)s đến %(dst)s: chờ quyết định.",
                                               code=complaint.tracking_code, src=complaint.unit.name, dst=to_unit.name),
                dedupe_key=f"transfer-request:{request.id}:u{user.id}")
    return request


def can_decide_transfer(user, request):
    """The receiving unit's head decides; the monitoring office when the case was transferred often."""
    if request.status != "pending" or access.is_named(user, request.complaint):
        return False
    if request.needs_monitor:
        return user.role == "monitor" and access.unit_in_scope(user, request.from_unit)
    return user.role == "unit_head" and access.unit_in_scope(user, request.to_unit)


def decide_transfer(request, actor, accept, note=None):
    """Accept (the case moves, both clocks restart) or return / refuse with a reason (it stays)."""
    if not can_decide_transfer(actor, request):
        raise CaseError(_("Không thể quyết định đề nghị chuyển này."))
    complaint = request.complaint
    note = (note or "").strip()
    if not accept and not note:
        raise CaseError(_("Vui lòng nêu lý do trả lại."), field="note")
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, utcnow(), note[:1000] or None
    if accept:
        if complaint.status not in ("received", "accepted") or complaint.unit_id != request.from_unit_id:
            raise CaseError(_("Phản ánh không còn ở đơn vị đề nghị chuyển."))
        request.status = "accepted"
        transfer_case(complaint, actor, request.to_unit, request.reason, checked=True)
    else:
        request.status = "refused" if request.needs_monitor else "returned"
        _event(complaint, "transfer", actor, body=recorded(
            "%(who)s không nhận chuyển xử lý đến “%(dst)s”. Lý do: %(note)s", note=note, dst=request.to_unit.name,
            who=recorded("Cơ quan theo dõi") if request.needs_monitor else request.to_unit.name))
        for head in heads_for(complaint.unit, complaint):
            _notify(head, complaint, "transfer", _("Đề nghị chuyển phản ánh %(code)s bị trả lại: %(note)s",
                                                   code=complaint.tracking_code, note=note))
    audit.record("case.transfer_decided", actor=actor, obj=complaint, request=request.id, status=request.status,
                 note=request.decision_note)
    db.session.flush()
    return request


def transfers_to_decide(user):
    """Pending transfer requests this user decides, oldest first."""
    pending = db.session.scalars(select(TransferRequest).where(TransferRequest.status == "pending")
                                 .order_by(TransferRequest.id)).all()
    return [r for r in pending if can_decide_transfer(user, r)]


def transfer_case(complaint, actor, to_unit, reason, checked=False):
    """Move the case (an accepted transfer): both deadlines restart; the citizen and the new unit are told."""
    if not checked:
        reason = _check_transfer(complaint, actor, to_unit, reason)
    from_unit = complaint.unit
    complaint.unit = to_unit
    complaint.assigned_to = None
    restart_clock(complaint)
    _event(complaint, "transfer", actor, public=True, body=recorded(
        "Chuyển xử lý từ “%(src)s” đến “%(dst)s”. Lý do: %(reason)s. Thời hạn tính lại từ ngày chuyển: "
        "hạn thụ lý %(accept)s, hạn trả lời %(answer)s.",
        src=from_unit.name, dst=to_unit.name, reason=reason, accept=_date(complaint.accept_due_at),
        answer=_date(complaint.answer_due_at)))
    audit.record("case.transferred", actor=actor, obj=complaint, from_unit=from_unit.code, to_unit=to_unit.code,
                 reason=reason, accept_due=complaint.accept_due_at, answer_due=complaint.answer_due_at)
    with force_locale(complaint.language):
        text = _("Phản ánh %(code)s đã được chuyển đến %(unit)s để xử lý. Hạn trả lời mới: %(date)s.",
                 code=complaint.tracking_code, unit=to_unit.name, date=_date(complaint.answer_due_at))
    notify_complainant(complaint, text, "notice")
    for head in heads_for(to_unit, complaint):
        _notify(head, complaint, "transfer",
                _("Phản ánh %(code)s được chuyển đến đơn vị.", code=complaint.tracking_code))
    db.session.flush()


def triage_units(actor):
    """Active units in the actor's scope, in tree order: where a triage case may be sent."""
    today = local_today()
    query = select(Unit).order_by(Unit.path)
    scope = access.scope_unit(actor)
    if scope is not None:
        query = query.where(Unit.subtree_clause(scope))
    return [u for u in db.session.scalars(query).all() if u.is_active_on(today)]


def triage_targets(actor, complaint, units=None):
    """`triage_units` (read once per page and passed in, or read here) less those the named staff member leads."""
    units = triage_units(actor) if units is None else units
    return [u for u in units if not conflicts(complaint.staff, u)]


def route_from_triage(complaint, actor, unit, note=None):
    if complaint.unit_id is not None:
        raise CaseError(_("Phản ánh này đã có đơn vị xử lý."))
    if unit is None or unit not in triage_targets(actor, complaint):
        raise CaseError(_("Đơn vị được chọn không hợp lệ."), field="unit_id")
    complaint.unit = unit
    _event(complaint, "routing", actor, body=f"triage:{unit.code}" + (f" — {note.strip()}" if note else ""))
    audit.record("case.routed", actor=actor, obj=complaint, unit=unit.code)
    for head in heads_for(unit, complaint):
        _notify(head, complaint, "transfer",
                _("Phản ánh %(code)s được phân về đơn vị.", code=complaint.tracking_code))
    db.session.flush()


# --- identity protection ---------------------------------------------------------------------------

def request_identity(complaint, actor, reason):
    if complaint.complainant_id is None:
        raise CaseError(_("Phản ánh này là ẩn danh: không có thông tin người phản ánh."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise CaseError(_("Vui lòng nêu rõ lý do (ít nhất 10 ký tự)."), field="reason")
    pending = db.session.scalar(select(IdentityRevealRequest).where(
        IdentityRevealRequest.complaint_id == complaint.id, IdentityRevealRequest.requested_by_id == actor.id,
        IdentityRevealRequest.status.in_(("requested", "approved"))).limit(1))
    if pending is not None:
        raise CaseError(_("Đã có yêu cầu đang chờ duyệt hoặc đã được duyệt cho phản ánh này."))
    req = IdentityRevealRequest(complaint=complaint, requested_by=actor, reason=reason, status="requested",
                                created_at=utcnow())
    db.session.add(req)
    db.session.flush()
    _event(complaint, "identity", actor, body=f"requested:{req.id}")
    audit.record("identity.requested", actor=actor, obj=complaint, request_id=req.id, reason=reason)
    for monitor in monitors_for(complaint.unit, complaint):
        _notify(monitor, complaint, "identity",
                _("Yêu cầu xem thông tin người phản ánh (phản ánh %(code)s).", code=complaint.tracking_code))
    db.session.flush()
    return req


def decide_identity(req, actor, approve, note=None):
    if req.status != "requested":
        raise CaseError(_("Yêu cầu này đã được xử lý."))
    if not access.can_decide_reveal(actor, req.complaint) or req.requested_by_id == actor.id:
        raise CaseError(_("Không có quyền quyết định yêu cầu này."))
    req.status = "approved" if approve else "refused"
    req.decided_by = actor
    req.decided_at = utcnow()
    req.decision_note = (note or "").strip() or None
    _event(req.complaint, "identity", actor, body=f"{req.status}:{req.id}")
    audit.record("identity.reveal_approved" if approve else "identity.reveal_refused", actor=actor,
                 obj=req.complaint, request_id=req.id, requested_by=req.requested_by_id, note=req.decision_note)
    _notify(req.requested_by, req.complaint, "identity",
            (_("Yêu cầu xem thông tin người phản ánh %(code)s đã được chấp thuận.", code=req.complaint.tracking_code)
             if approve else
             _("Yêu cầu xem thông tin người phản ánh %(code)s bị từ chối.", code=req.complaint.tracking_code)))
    db.session.flush()


# --- the written apology (phiếu xin lỗi và hẹn lại) --------------------------------------------------

# How far ahead the head may set the new date (calendar days): a promise, not a way to park a case.
LATE_NOTICE_MAX_DAYS = 60


def late_notices(complaint):
    return db.session.scalars(select(LateNotice).where(LateNotice.complaint_id == complaint.id)
                              .order_by(LateNotice.number)).all()


def default_signer_position(user):
    staff = getattr(user, "staff", None)
    return (staff.position if staff is not None and staff.position else None) or str(_("Thủ trưởng đơn vị"))


def late_notice_text(complaint, notice):
    """The SMS or e-mail that carries the notice: reason, new date, where to read the signed notice."""
    reason = notice.reason if len(notice.reason) <= 120 else notice.reason[:117].rstrip() + "…"
    with force_locale(complaint.language):
        return _("Phản ánh %(code)s: %(unit)s xin lỗi Ông/Bà vì chậm trả lời. Lý do: %(reason)s. "
                 "Hẹn trả lời trước ngày %(date)s. Thư xin lỗi: %(url)s",
                 code=complaint.tracking_code, unit=notice.unit_name, reason=reason, date=_date(notice.new_due_at),
                 url=f"{current_app.config['PUBLIC_BASE_URL']}/track?code={complaint.tracking_code}")


def issue_late_notice(complaint, actor, reason, new_date, signer_position=None):
    """The unit head apologises in writing and sets a new date, which becomes the answer deadline.

    Issued when the case is late or the head foresees it (seed 003: "hồ sơ trễ hạn phải thông báo
    xin lỗi và hẹn lại rõ ràng thời gian trả kết quả lần sau"). A second miss needs a second notice.
    """
    _require_open(complaint)
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(_("Vui lòng nêu lý do chậm trả lời."), field="reason")
    calendar = working_calendar()
    today = to_local(utcnow()).date()
    if new_date is None or new_date <= today:
        raise CaseError(_("Ngày hẹn trả lời mới phải sau hôm nay."), field="new_date")
    if (new_date - today).days > LATE_NOTICE_MAX_DAYS:
        raise CaseError(_("Ngày hẹn trả lời mới không quá %(n)d ngày kể từ hôm nay.", n=LATE_NOTICE_MAX_DAYS),
                        field="new_date")
    if not calendar.is_working_day(new_date):
        raise CaseError(_("Ngày hẹn trả lời mới phải là ngày làm việc."), field="new_date")
    new_due = to_utc(datetime.combine(new_date, calendar.periods[-1][1]))
    old_due = complaint.answer_due_at
    if old_due is not None and new_due <= old_due:
        raise CaseError(_("Ngày hẹn mới phải sau hạn trả lời hiện tại (%(date)s).", date=_date(old_due)),
                        field="new_date")
    number = len(late_notices(complaint)) + 1
    # In the name of the head's own unit (a phường for a case at its one-stop counter).
    issuer = actor.unit if actor.unit is not None and complaint.unit.is_within(actor.unit) else complaint.unit
    notice = LateNotice(
        complaint=complaint, number=number, reason=reason[:2000], old_due_at=old_due, new_due_at=new_due,
        unit_id=issuer.id, unit_name=issuer.name, signer_name=actor.full_name,
        signer_position=(signer_position or "").strip()[:120] or default_signer_position(actor),
        issued_by_id=actor.id, issued_at=utcnow(),
    )
    db.session.add(notice)
    complaint.answer_due_at = new_due
    db.session.flush()
    _event(complaint, "deadline", actor, public=True, body=recorded(
        "Thư xin lỗi số %(n)d của %(unit)s: chậm trả lời vì %(reason)s. Hẹn trả lời trước ngày %(date)s.",
        n=number, unit=notice.unit_name, reason=notice.reason, date=_date(new_due)))
    audit.record("case.late_notice", actor=actor, obj=complaint, number=number, old_due=old_due, new_due=new_due,
                 reason=notice.reason)
    notify_complainant(complaint, late_notice_text(complaint, notice), "apology",
                       dedupe_key=f"late_notice:{notice.id}")
    for monitor in monitors_for(complaint.unit, complaint):
        _notify(monitor, complaint, "late", _(
            "Phản ánh %(code)s (%(unit)s): thư xin lỗi số %(n)d, hẹn trả lời trước %(date)s.",
            code=complaint.tracking_code, unit=notice.unit_name, n=number, date=_date(new_due)))
    return notice
