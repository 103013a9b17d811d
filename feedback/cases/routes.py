"""The unit's work queue, the case page and its actions (thin: check, call a service, commit, redirect)."""
from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import joinedload

from feedback.attachments import path_of
from feedback.auth.access import roles_required
from feedback.calendar import working_calendar
from feedback.cases import access, forms, rules, services
from feedback.cases import bp
from feedback.cases.services import CaseError
from feedback.cases.workflow import OPEN_STATUSES, STATUSES
from feedback.extensions import db
from feedback.models.case import CHANNELS
from feedback.models import (Attachment, CaseEvent, Category, Complaint, IdentityRevealRequest, Notification, Staff,
                             CaseReview, TransferRequest, Unit, User, utcnow)

PAGE_SIZE = 50
# Counts in the queue's header stop here ("1.000+"); the filters still find every case.
COUNT_CAP = 1_000
SOON_WORKING_DAYS = 2


# --- the work queue --------------------------------------------------------------------------------

def _int_arg(name):
    """A small positive integer from the query string, else None (never a database overflow)."""
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return value if 0 < value < 2**31 else None


def _due_clauses(now):
    soon_until = working_calendar().add_working_days(now, SOON_WORKING_DAYS)
    is_open = Complaint.status.in_(OPEN_STATUSES)
    overdue = and_(is_open, or_(Complaint.answer_due_at < now,
                                and_(Complaint.status == "received", Complaint.accept_due_at < now)))
    soon = and_(is_open, Complaint.answer_due_at >= now, Complaint.answer_due_at <= soon_until)
    return {"soon": soon, "overdue": overdue}


@bp.route("/")
@roles_required(*access.CASE_ROLES)
def queue():
    visible = access.visible_clause(current_user)
    now = utcnow()
    due_clauses = _due_clauses(now)
    filters = {
        "status": request.args.get("status") if request.args.get("status") in STATUSES else "",
        "category": _int_arg("category"),
        "staff": _int_arg("staff"),
        "due": request.args.get("due") if request.args.get("due") in due_clauses else "",
        "mine": request.args.get("mine") == "1",
    }
    query = select(Complaint).where(visible)
    if filters["status"]:
        query = query.where(Complaint.status == filters["status"])
    if filters["category"]:
        query = query.where(Complaint.category_id == filters["category"])
    if filters["staff"]:
        query = query.where(Complaint.staff_id == filters["staff"])
    if filters["due"]:
        query = query.where(due_clauses[filters["due"]])
    if filters["mine"]:
        query = query.where(Complaint.assigned_to_id == current_user.id)
    after = _parse_cursor(request.args.get("after"))
    rows = _page_after(query, after)
    next_cursor = _cursor(rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else None
    counts = _status_counts(visible, due_clauses)
    due_counts = {key: counts.pop(key) for key in due_clauses}
    categories = db.session.scalars(select(Category).order_by(Category.sort_order, Category.name_vi)).all()
    # Staff named in a visible case: one index probe per staff member of the scope, not a read of every case.
    named = db.session.scalars(
        select(Staff).where(access.scope_clause(current_user, Staff.unit_id),
                            select(Complaint.id).where(Complaint.staff_id == Staff.id, visible).exists())
        .order_by(Staff.full_name)).all()
    return render_template("cases/queue.html", cases=rows[:PAGE_SIZE], counts=counts, due_counts=due_counts,
                           total=counts.pop(None), filters=filters, after=after, next_cursor=next_cursor,
                           categories=categories, named=named, statuses=STATUSES, now=now, count_cap=COUNT_CAP)


def _cursor(complaint):
    """Where the next page starts: after this case in the queue's order (deadline, then id)."""
    due = complaint.answer_due_at.strftime("%Y%m%d%H%M%S%f") if complaint.answer_due_at else "x"
    return f"{due}~{complaint.id}"


def _parse_cursor(raw):
    """(answer_due_at or None, id) from `after=`, or None (the first page) for anything else."""
    due, _, ident = (raw or "").partition("~")
    if not ident.isdigit() or not 0 < int(ident) < 2**63:
        return None
    if due == "x":
        return None, int(ident)
    try:
        return datetime.strptime(due, "%Y%m%d%H%M%S%f"), int(ident)
    except ValueError:
        return None


def _page_after(query, after):
    """PAGE_SIZE + 1 cases in deadline order after the cursor, by index seeks however deep the page.

    Cases with a deadline come first (a row comparison the (unit_id, answer_due_at, id) index answers
    directly), then those without one in id order: one OR across both would make PostgreSQL read
    every case before the cursor.
    """
    query, rows = query.options(*_ROW_LOADS), []
    if after is None or after[0] is not None:
        dated = query.where(Complaint.answer_due_at.is_not(None))
        if after is not None:
            dated = dated.where(tuple_(Complaint.answer_due_at, Complaint.id) > tuple_(*after))
        rows = db.session.scalars(dated.order_by(Complaint.answer_due_at, Complaint.id).limit(PAGE_SIZE + 1)).all()
    if len(rows) <= PAGE_SIZE:
        undated = query.where(Complaint.answer_due_at.is_(None))
        if after is not None and after[0] is None:
            undated = undated.where(Complaint.id > after[1])
        rows += db.session.scalars(undated.order_by(Complaint.id).limit(PAGE_SIZE + 1 - len(rows))).all()
    return rows


# What a queue row shows, joined into the page's own query (small tables, by primary key), not loaded per row.
_ROW_LOADS = (joinedload(Complaint.category), joinedload(Complaint.unit), joinedload(Complaint.staff),
              joinedload(Complaint.assigned_to))


def _status_counts(visible, due_clauses):
    """Cases per status, in all (key None) and per due clause ("soon", "overdue"), in one statement, each
    counted up to COUNT_CAP + 1 and shown as "1.000+" above: an exact count of a unit's 200,000 closed
    cases, or of 11,000 overdue ones, would read them all on every view of the queue."""
    def capped(*conditions):
        return (select(func.count()).select_from(select(Complaint.id).where(visible, *conditions)
                                                 .limit(COUNT_CAP + 1).subquery()).scalar_subquery())

    keys = [None, *STATUSES, *due_clauses]
    row = db.session.execute(select(capped(), *(capped(Complaint.status == s) for s in STATUSES),
                                    *(capped(clause) for clause in due_clauses.values()))).one()
    return dict(zip(keys, row))


@bp.route("/triage")
@roles_required(*access.TRIAGE_ROLES)
def triage():
    if not access.is_province_level(current_user):
        # The triage queue is worked at province level; a commune-level office sees only that fact.
        return render_template("cases/triage.html", cases=[], route_forms={}, province_only=True)
    cases = db.session.scalars(
        select(Complaint).where(Complaint.unit_id.is_(None), access.not_named_clause(current_user))
        .order_by(Complaint.submitted_at, Complaint.id).limit(200)).all()
    from feedback.triage.services import pending_suggestions

    suggestions = pending_suggestions(cases)
    # Read once for the whole page (up to 200 cases): the units, the categories and what is suggested.
    units = services.triage_units(current_user)
    categories = _active_categories()
    lookups = ({u.code: u for u in units}, {c.code: c for c in categories},
               _staff_by_id([row.staff_id for row in suggestions.values() if row.staff_id]))
    route_forms, suggested = {}, {}
    for complaint in cases:
        form = _route_form(complaint, prefix=f"r{complaint.id}", units=units, categories=categories)
        row = suggestions.get(complaint.id)
        if row is not None:
            suggested[complaint.id] = _suggested_view(row, form, *lookups)
        route_forms[complaint.id] = form
    return render_template("cases/triage.html", cases=cases, route_forms=route_forms, suggested=suggested)


def _active_categories():
    from feedback.models import Category

    return db.session.scalars(select(Category).where(Category.active.is_(True)).order_by(Category.sort_order)).all()


def _staff_by_id(ids):
    from feedback.models import Staff

    return {s.id: s for s in db.session.scalars(select(Staff).where(Staff.id.in_(ids)))} if ids else {}


def _route_form(complaint, prefix="", formdata=None, units=None, categories=None):
    form = forms.RouteForm(prefix=prefix) if formdata is None else forms.RouteForm(formdata, prefix=prefix)
    form.unit_id.choices = [(u.id, u.name) for u in services.triage_targets(current_user, complaint, units)]
    form.category.choices = [("", _("— Giữ nguyên —"))] + [
        (c.code, c.name(str(get_locale()))) for c in (categories if categories is not None else _active_categories())]
    return form


def _suggested_view(row, form, units_by_code, categories_by_code, staff_by_id):
    """Triage's suggestion for the queue: names and percentages, and the form pre-filled with it."""
    unit = units_by_code.get(row.unit_code)
    staff = staff_by_id.get(row.staff_id)
    category = categories_by_code.get(row.category_code)
    if unit is not None and any(unit.id == value for value, _label in form.unit_id.choices):
        form.unit_id.data = unit.id
    if category is not None:
        form.category.data = category.code
    if staff is not None:
        form.suggested_staff_id.data = str(staff.id)
    others = [code for code, _c in (row.candidates or {}).get("unit", {}).get("candidates", [])]
    return {"unit": unit, "unit_confidence": row.unit_confidence, "staff": staff,
            "staff_confidence": row.staff_confidence, "category": category,
            "category_confidence": row.category_confidence,
            "alternatives": [units_by_code[c] for c in others if c in units_by_code]}


@bp.route("/escalated")
@roles_required("monitor", "admin")
def escalated():
    now = utcnow()
    overdue = _due_clauses(now)["overdue"]
    cases = db.session.scalars(
        select(Complaint).where(access.visible_clause(current_user),
                                or_(and_(Complaint.escalated.is_(True), Complaint.status.in_(OPEN_STATUSES)), overdue))
        .order_by(Complaint.answer_due_at.is_(None), Complaint.answer_due_at, Complaint.id).limit(500)).all()
    return render_template("cases/escalated.html", cases=cases, now=now)


@bp.route("/notifications", methods=["GET", "POST"])
@roles_required(*access.CASE_ROLES)
def notifications():
    if request.method == "POST":
        for row in db.session.scalars(select(Notification).where(Notification.user_id == current_user.id,
                                                                 Notification.read_at.is_(None))):
            row.read_at = utcnow()
        db.session.commit()
        return redirect(url_for("cases.notifications"))
    rows = db.session.scalars(select(Notification).where(Notification.user_id == current_user.id)
                              .order_by(Notification.id.desc()).limit(200)).all()
    return render_template("cases/notifications.html", rows=rows)


# --- identity reveal decisions (monitoring office) -------------------------------------------------

@bp.route("/identity-requests")
@roles_required("monitor")
def identity_requests():
    rows = db.session.scalars(
        select(IdentityRevealRequest).join(Complaint, IdentityRevealRequest.complaint_id == Complaint.id)
        .where(access.visible_clause(current_user))
        .order_by(IdentityRevealRequest.status != "requested", IdentityRevealRequest.id.desc()).limit(200)).all()
    decision_forms = {r.id: forms.IdentityDecisionForm(prefix=f"d{r.id}") for r in rows if r.status == "requested"}
    return render_template("cases/identity_requests.html", rows=rows, decision_forms=decision_forms)


@bp.route("/identity-requests/<int(max=9007199254740991):request_id>", methods=["POST"])
@roles_required("monitor")
def decide_identity(request_id):
    req = db.session.get(IdentityRevealRequest, request_id)
    if req is None:
        abort(404)
    if not access.can_decide_reveal(current_user, req.complaint):
        abort(403)
    form = forms.IdentityDecisionForm(prefix=f"d{req.id}")
    if not form.validate_on_submit():
        flash(_("Vui lòng chọn chấp thuận hoặc từ chối."), "error")
        return redirect(url_for("cases.identity_requests"))
    try:
        services.decide_identity(req, current_user, form.decision.data == "approve", form.note.data)
    except CaseError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("cases.identity_requests"))
    db.session.commit()
    flash(_("Đã ghi nhận quyết định."), "success")
    return redirect(url_for("cases.identity_requests"))


# --- the case page ---------------------------------------------------------------------------------

def _build_forms(complaint, bound=None, pending_transfer=None):
    """Every action form the current user may use on this case (a bound one replaces its blank twin)."""
    bound = bound or {}
    made = {}
    if access.can_act(current_user, complaint):
        made["note"] = bound.get("note") or forms.NoteForm()
        made["attach"] = bound.get("attach") or forms.AttachmentForm()
        if complaint.status == "received":
            accept = bound.get("accept") or forms.AcceptForm(formdata=None, kind=complaint.kind,
                                                             urgency=complaint.urgency)
            made["accept"] = accept
    if access.is_head(current_user, complaint):
        if complaint.status in OPEN_STATUSES:
            assign = bound.get("assign") or forms.AssignForm()
            assign.handler_id.choices = [(u.id, f"{u.full_name} ({u.unit.name})")
                                         for u in services.eligible_handlers(complaint, current_user)]
            made["assign"] = assign
            if services.can_extend(complaint):
                made["extend"] = bound.get("extend") or forms.ExtendForm()
            if complaint.status != "received":
                made["urgency"] = bound.get("urgency") or forms.UrgencyForm(formdata=None, urgency=complaint.urgency)
            notice = bound.get("late_notice") or forms.LateNoticeForm()
            if notice.signer_position.data is None:
                notice.signer_position.data = services.default_signer_position(current_user)
            made["late_notice"] = notice
        if complaint.status in ("received", "accepted"):
            made["decline"] = bound.get("decline") or forms.DeclineForm()
            if pending_transfer is None:
                transfer = bound.get("transfer") or forms.TransferForm()
                transfer.unit_id.choices = [(u.id, u.name) for u in services.transfer_targets(complaint, current_user)]
                made["transfer"] = transfer
        if complaint.complainant_id is not None and not access.can_see_identity(current_user, complaint):
            made["identity"] = bound.get("identity") or forms.IdentityRequestForm()
    if access.can_route_triage(current_user, complaint):
        route = bound.get("route") or forms.RouteForm()
        route.unit_id.choices = [(u.id, u.name) for u in services.triage_targets(current_user, complaint)]
        made["route"] = route
    return made


def _may_review(complaint):
    """The monitoring office sees the decision form on a case with a pending review, or a declined one."""
    from feedback.outcomes.services import can_decide_review, pending_review

    return (current_user.role == "monitor" and can_decide_review(current_user, complaint)
            and (complaint.status == "declined" or pending_review(complaint) is not None))


def render_case(complaint, bound=None, status=200):
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.complaint_id == complaint.id)
                                .order_by(CaseEvent.id)).all()
    files = db.session.scalars(select(Attachment).where(Attachment.complaint_id == complaint.id)
                               .order_by(Attachment.id)).all()
    duplicates = db.session.scalars(select(Complaint).where(Complaint.duplicate_of_id == complaint.id)
                                    .order_by(Complaint.id)).all()
    reveal_requests = db.session.scalars(
        select(IdentityRevealRequest).where(IdentityRevealRequest.complaint_id == complaint.id)
        .order_by(IdentityRevealRequest.id)).all()
    show_identity = access.can_see_identity(current_user, complaint)
    if not show_identity:
        reveal_requests = [r for r in reveal_requests if r.requested_by_id == current_user.id]
    can_act = access.can_act(current_user, complaint)
    is_head = access.is_head(current_user, complaint)
    # The case's transfer requests once: the pending one (if any) and those accepted.
    transfers = db.session.scalars(select(TransferRequest).where(TransferRequest.complaint_id == complaint.id)
                                   .order_by(TransferRequest.id)).all()
    pending_transfer = next((t for t in transfers if t.status == "pending"), None)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    # Links to the original / merged cases only where the user may open them.
    original = db.session.get(Complaint, complaint.duplicate_of_id) if complaint.duplicate_of_id else None
    related = {c.tracking_code: access.can_view(current_user, c) for c in [*duplicates, original] if c is not None}
    return render_template(
        "cases/detail.html", complaint=complaint, events=events, files=files, duplicates=duplicates,
        original=original, reveal_requests=reveal_requests, show_identity=show_identity, can_act=can_act, is_head=is_head,
        forms=_build_forms(complaint, bound, pending_transfer), related=related, now=utcnow(), channel_labels=CHANNELS,
        late_notices=services.late_notices(complaint), pending_transfer=pending_transfer,
        review_form=_review_form(complaint) if _may_review(complaint) else None,
        transfers_done=[t for t in transfers if t.status == "accepted"],
        decline_labels=services.DECLINE_REASONS, kinds=rules.CASE_KINDS, urgencies=rules.URGENCIES,
        track=rules.track(complaint.kind),
        users={u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids))).all()}
        if actor_ids else {},
    ), status


@bp.route("/<tracking_code>")
@roles_required(*access.CASE_ROLES)
def detail(tracking_code):
    complaint = access.load_case(tracking_code, "view")
    return render_case(complaint)


@bp.route("/<tracking_code>/files/<int(max=9007199254740991):attachment_id>")
@roles_required(*access.CASE_ROLES)
def download(tracking_code, attachment_id):
    complaint = access.load_case(tracking_code, "view")
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.complaint_id != complaint.id:
        abort(404)
    try:
        return send_file(path_of(attachment), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name)
    except FileNotFoundError:
        abort(404)


def _done(complaint, message):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("cases.detail", tracking_code=complaint.tracking_code))


def _refused(complaint, name, form, exc):
    db.session.rollback()
    complaint = db.session.get(Complaint, complaint.id)
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors or []) + [exc.message]
    else:
        flash(exc.message, "error")
    return render_case(complaint, {name: form}, 400)


def _invalid(complaint, name, form):
    return render_case(complaint, {name: form}, 400)


@bp.route("/<tracking_code>/assign", methods=["POST"])
@roles_required("unit_head")
def assign(tracking_code):
    complaint = access.load_case(tracking_code, "head")
    form = forms.AssignForm()
    form.handler_id.choices = [(u.id, u.full_name) for u in services.eligible_handlers(complaint, current_user)]
    if not form.validate_on_submit():
        return _invalid(complaint, "assign", form)
    try:
        services.assign_case(complaint, db.session.get(User, form.handler_id.data), current_user)
    except CaseError as exc:
        return _refused(complaint, "assign", form, exc)
    return _done(complaint, _("Đã giao xử lý."))


@bp.route("/<tracking_code>/note", methods=["POST"])
@roles_required(*access.ACTING_ROLES)
def note(tracking_code):
    complaint = access.load_case(tracking_code, "act")
    form = forms.NoteForm()
    if not form.validate_on_submit():
        return _invalid(complaint, "note", form)
    if form.kind.data == "message":
        _event, message = services.message_citizen(complaint, current_user, form.body.data, form.is_question.data)
        text = (_("Đã gửi tin nhắn cho người phản ánh qua hệ thống.") if message is not None else
                _("Người phản ánh không để lại cách liên hệ: tin nhắn được hiển thị trên trang tra cứu."))
        return _done(complaint, text)
    services.add_note(complaint, current_user, form.body.data)
    return _done(complaint, _("Đã lưu ghi chú nội bộ."))


@bp.route("/<tracking_code>/attach", methods=["POST"])
@roles_required(*access.ACTING_ROLES)
def attach(tracking_code):
    complaint = access.load_case(tracking_code, "act")
    form = forms.AttachmentForm()
    if not form.validate_on_submit():
        return _invalid(complaint, "attach", form)
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", None):
        form.file.errors = [_("Vui lòng chọn tệp.")]
        return _invalid(complaint, "attach", form)
    try:
        services.add_attachment(complaint, current_user, upload)
    except CaseError as exc:
        return _refused(complaint, "attach", form, exc)
    return _done(complaint, _("Đã tải tệp lên."))


@bp.route("/<tracking_code>/accept", methods=["POST"])
@roles_required(*access.ACTING_ROLES)
def accept(tracking_code):
    complaint = access.load_case(tracking_code, "act")
    form = forms.AcceptForm()
    if not form.validate_on_submit():
        return _invalid(complaint, "accept", form)
    urgency = form.urgency.data or complaint.urgency
    if urgency != complaint.urgency and not access.is_head(current_user, complaint):
        flash(_("Chỉ lãnh đạo đơn vị được thay đổi mức độ."), "error")
        return _invalid(complaint, "accept", form)
    try:
        services.accept_case(complaint, current_user, kind=form.kind.data or None, urgency=urgency,
                             reason=form.reason.data, decision=form.decision.data)
    except CaseError as exc:
        return _refused(complaint, "accept", form, exc)
    return _done(complaint, _("Đã thụ lý phản ánh."))


@bp.route("/<tracking_code>/urgency", methods=["POST"])
@roles_required("unit_head")
def urgency(tracking_code):
    """The unit head changes the case's urgency with a reason; the deadline follows."""
    complaint = access.load_case(tracking_code, "head")
    form = forms.UrgencyForm()
    if not form.validate_on_submit():
        return _invalid(complaint, "urgency", form)
    try:
        services.set_urgency(complaint, current_user, form.urgency.data, form.reason.data)
    except CaseError as exc:
        return _refused(complaint, "urgency", form, exc)
    return _done(complaint, _("Đã đổi mức độ; hạn trả lời mới %(date)s.", date=services._date(complaint.answer_due_at)))


@bp.route("/<tracking_code>/decline", methods=["POST"])
@roles_required("unit_head")
def decline(tracking_code):
    complaint = access.load_case(tracking_code, "head")
    form = forms.DeclineForm()
    if not form.validate_on_submit():
        return _invalid(complaint, "decline", form)
    try:
        services.decline_case(complaint, current_user, form.reason.data, form.note.data, form.duplicate_code.data,
                              form.referred_to.data)
    except CaseError as exc:
        return _refused(complaint, "decline", form, exc)
    return _done(complaint, _("Đã ghi nhận không thụ lý."))


@bp.route("/<tracking_code>/extend", methods=["POST"])
@roles_required("unit_head")
def extend(tracking_code):
    complaint = access.load_case(tracking_code, "head")
    form = forms.ExtendForm()
    if not form.validate_on_submit():
        return _invalid(complaint, "extend", form)
    try:
        services.extend_deadline(complaint, current_user, form.days.data, form.reason.data)
    except CaseError as exc:
        return _refused(complaint, "extend", form, exc)
    return _done(complaint, _("Đã gia hạn và báo cho người phản ánh."))


@bp.route("/<tracking_code>/late-notice", methods=["POST"])
@roles_required("unit_head")
def late_notice(tracking_code):
    """The head's written apology with a new date (which becomes the deadline), sent to the citizen."""
    complaint = access.load_case(tracking_code, "head")
    form = forms.LateNoticeForm()
    if not form.validate_on_submit():
        return _invalid(complaint, "late_notice", form)
    try:
        notice = services.issue_late_notice(complaint, current_user, form.reason.data, form.new_date.data,
                                            form.signer_position.data)
    except CaseError as exc:
        return _refused(complaint, "late_notice", form, exc)
    return _done(complaint, _("Đã lập thư xin lỗi số %(n)d và gửi cho người phản ánh; hạn trả lời mới %(date)s.",
                              n=notice.number, date=services._date(notice.new_due_at)))


@bp.route("/<tracking_code>/late-notices/<int(max=9007199254740991):number>.pdf")
@roles_required(*access.CASE_ROLES)
def late_notice_pdf(tracking_code, number):
    """The signed notice, printable (A4)."""
    from feedback.cases.printing import late_notice_response

    response = late_notice_response(access.load_case(tracking_code, "view"), number)
    if response is None:
        abort(404)
    return response


@bp.route("/<tracking_code>/transfer", methods=["POST"])
@roles_required("unit_head")
def transfer(tracking_code):
    """Ask to transfer the case; the receiving unit (or the monitoring office) decides."""
    complaint = access.load_case(tracking_code, "head")
    form = forms.TransferForm()
    form.unit_id.choices = [(u.id, u.name) for u in services.transfer_targets(complaint, current_user)]
    if not form.validate_on_submit():
        return _invalid(complaint, "transfer", form)
    try:
        request_row = services.request_transfer(complaint, current_user, db.session.get(Unit, form.unit_id.data),
                                                form.reason.data)
    except CaseError as exc:
        return _refused(complaint, "transfer", form, exc)
    return _done(complaint, _("Đã gửi đề nghị chuyển đến %(unit)s; phản ánh ở lại đơn vị cho đến khi được nhận.",
                              unit=request_row.to_unit.name))


def _review_form(complaint, bound=None):
    from feedback.outcomes.services import review_targets

    form = bound or forms.ReviewDecisionForm(prefix=f"r{complaint.id}")
    form.unit_id.choices = [(u.id, u.name) for u in review_targets(current_user, complaint)]
    if form.unit_id.data is None:
        form.unit_id.data = complaint.unit_id
    return form


@bp.route("/reviews")
@roles_required("monitor")
def reviews():
    """Citizens' requests to look again at an answer or a decline, for the monitoring office to decide."""
    from feedback.outcomes.services import can_decide_review

    rows = db.session.scalars(select(CaseReview).where(CaseReview.status == "pending").order_by(CaseReview.id)).all()
    rows = [r for r in rows if can_decide_review(current_user, r.complaint)]
    return render_template("cases/reviews.html", rows=rows, forms={r.id: _review_form(r.complaint) for r in rows})


@bp.route("/<tracking_code>/review", methods=["POST"])
@roles_required("monitor")
def decide_review(tracking_code):
    """Reopen (to the same or another unit) or confirm; a declined case may be reopened unasked."""
    from feedback.outcomes.services import OutcomeError, decide_review as decide

    complaint = access.load_case(tracking_code, "view")
    form = _review_form(complaint, forms.ReviewDecisionForm(prefix=f"r{complaint.id}"))
    back = request.form.get("next") == "case"
    target = url_for("cases.detail", tracking_code=tracking_code) if back else url_for("cases.reviews")
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(target)
    try:
        decide(complaint, current_user, reopen=form.decision.data == "reopen", note=form.note.data,
               unit=db.session.get(Unit, form.unit_id.data))
    except OutcomeError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(target)
    db.session.commit()
    flash(_("Đã mở lại phản ánh %(code)s.", code=tracking_code) if form.decision.data == "reopen"
          else _("Đã giữ nguyên kết quả của phản ánh %(code)s.", code=tracking_code), "success")
    return redirect(target)


@bp.route("/ratings")
@roles_required("unit_head", "monitor")
def ratings():
    """Low kiosk ratings naming misconduct (the lighter track): unit heads acknowledge them."""
    from feedback.kiosk.services import low_ratings
    from feedback.models.rating import RATING_REASONS

    rows = low_ratings(current_user)
    per_staff = {}
    for row in rows:
        if row.staff is not None:
            per_staff[row.staff] = per_staff.get(row.staff, 0) + 1
    return render_template("cases/ratings.html", rows=rows, reasons=RATING_REASONS,
                           per_staff=sorted(per_staff.items(), key=lambda item: -item[1]),
                           can_ack=current_user.role == "unit_head")


@bp.route("/ratings/<int(max=9007199254740991):rating_id>/ack", methods=["POST"])
@roles_required("unit_head")
def acknowledge_rating(rating_id):
    from feedback.kiosk.services import RatingError, acknowledge_rating as acknowledge
    from feedback.models import Rating

    row = db.session.get(Rating, rating_id)
    if row is None:
        abort(404)
    try:
        acknowledge(row, current_user, request.form.get("note"))
    except RatingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("cases.ratings"))
    db.session.commit()
    flash(_("Đã ghi nhận đánh giá."), "success")
    return redirect(url_for("cases.ratings"))


@bp.route("/referrals")
@roles_required("unit_head", "monitor")
def referrals():
    """Cases sent to a competent body outside the system, followed until its outcome is recorded."""
    rows = db.session.scalars(select(Complaint).where(
        access.visible_clause(current_user), Complaint.referred_to.is_not(None))
        .order_by(Complaint.referral_closed_at.is_not(None), Complaint.referred_at.desc()).limit(300)).all()
    return render_template("cases/referrals.html", rows=rows,
                           forms={c.id: forms.ReferralOutcomeForm(prefix=f"o{c.id}") for c in rows})


@bp.route("/<tracking_code>/referral-outcome", methods=["POST"])
@roles_required("unit_head", "monitor")
def referral_outcome(tracking_code):
    complaint = access.load_case(tracking_code, "view")
    if current_user.role == "unit_head" and not access.is_head(current_user, complaint):
        abort(403)
    form = forms.ReferralOutcomeForm(prefix=f"o{complaint.id}")
    if not form.validate_on_submit():
        flash(_("Vui lòng ghi kết quả giải quyết của cơ quan có thẩm quyền."), "error")
        return redirect(url_for("cases.referrals"))
    try:
        services.record_referral_outcome(complaint, current_user, form.outcome.data)
    except CaseError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("cases.referrals"))
    db.session.commit()
    flash(_("Đã ghi nhận kết quả của cơ quan có thẩm quyền."), "success")
    return redirect(url_for("cases.referrals"))


@bp.route("/<tracking_code>/referral-notice.pdf")
@roles_required(*access.CASE_ROLES)
def referral_notice_pdf(tracking_code):
    from feedback.cases.printing import referral_notice_pdf as render

    complaint = access.load_case(tracking_code, "view")
    if not complaint.referred_to:
        abort(404)
    signer = db.session.scalar(select(User).join(CaseEvent, CaseEvent.actor_id == User.id).where(
        CaseEvent.complaint_id == complaint.id, CaseEvent.to_status == "declined").limit(1))
    return Response(render(complaint, signer), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="phieu-chuyen-don-{complaint.tracking_code}.pdf"'})


@bp.route("/<tracking_code>/transfer-notices/<int(max=9007199254740991):request_id>.pdf")
@roles_required(*access.CASE_ROLES)
def transfer_notice_pdf(tracking_code, request_id):
    from feedback.cases.printing import transfer_notice_pdf as render

    complaint = access.load_case(tracking_code, "view")
    row = db.session.get(TransferRequest, request_id)
    if row is None or row.complaint_id != complaint.id or row.status != "accepted":
        abort(404)
    return Response(render(complaint, row, db.session.get(User, row.decided_by_id)), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="phieu-chuyen-{complaint.tracking_code}.pdf"'})


@bp.route("/transfers")
@roles_required("unit_head", "monitor")
def transfers():
    """Transfers waiting for this user's decision: the receiving head's, or the monitoring office's."""
    rows = services.transfers_to_decide(current_user)
    return render_template("cases/transfers.html", rows=rows, max_transfers=services.MAX_TRANSFERS,
                           forms={r.id: forms.TransferDecisionForm(prefix=f"t{r.id}") for r in rows})


@bp.route("/transfers/<int(max=9007199254740991):request_id>", methods=["POST"])
@roles_required("unit_head", "monitor")
def decide_transfer(request_id):
    row = db.session.get(TransferRequest, request_id)
    if row is None or not services.can_decide_transfer(current_user, row):
        abort(404)
    form = forms.TransferDecisionForm(prefix=f"t{row.id}")
    if form.validate_on_submit():
        try:
            services.decide_transfer(row, current_user, form.decision.data == "accept", form.note.data)
        except CaseError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("cases.transfers"))
        db.session.commit()
        flash(_("Đã nhận phản ánh %(code)s.", code=row.complaint.tracking_code) if row.status == "accepted"
              else _("Đã trả lại đề nghị chuyển phản ánh %(code)s.", code=row.complaint.tracking_code), "success")
    else:
        flash(_("Vui lòng chọn nhận hoặc trả lại."), "error")
    return redirect(url_for("cases.transfers"))


@bp.route("/<tracking_code>/route", methods=["POST"])
@roles_required(*access.TRIAGE_ROLES)
def route_case(tracking_code):
    from feedback.cases.routing import climb_for, conflicts
    from feedback.models import Category, Staff
    from feedback.triage.services import record_choice

    complaint = access.load_case(tracking_code, "triage")
    prefix = request.form.get("prefix", "")
    form = _route_form(complaint, prefix=prefix if prefix == f"r{complaint.id}" else "", formdata=request.form)
    if not form.validate_on_submit():
        return _invalid(complaint, "route", form)
    unit = db.session.get(Unit, form.unit_id.data)
    category = db.session.scalar(select(Category).where(Category.code == form.category.data)) \
        if form.category.data else None
    staff = db.session.get(Staff, int(form.suggested_staff_id.data)) if (form.suggested_staff_id.data or "").isdigit() else None
    if staff is not None and complaint.staff_id is None and unit is not None and staff.unit.is_within(unit):
        complaint.staff = staff  # triage's suggestion, accepted with the unit it belongs to
    if complaint.staff is not None and unit is not None and conflicts(complaint.staff, unit):
        unit = climb_for(complaint.staff, unit)[0] or unit  # nobody judges a complaint about themselves
    try:
        services.route_from_triage(complaint, current_user, unit, form.note.data)
    except CaseError as exc:
        db.session.rollback()
        return _refused(complaint, "route", form, exc)
    if category is not None:
        complaint.category = category
    record_choice(complaint, current_user, unit=unit, category=category or complaint.category,
                  staff=complaint.staff)
    db.session.commit()
    flash(_("Đã phân phản ánh về đơn vị."), "success")
    return redirect(url_for("cases.triage"))


@bp.route("/<tracking_code>/identity", methods=["POST"])
@roles_required("unit_head")
def request_identity(tracking_code):
    complaint = access.load_case(tracking_code, "head")
    form = forms.IdentityRequestForm()
    if not form.validate_on_submit():
        return _invalid(complaint, "identity", form)
    try:
        services.request_identity(complaint, current_user, form.reason.data)
    except CaseError as exc:
        return _refused(complaint, "identity", form, exc)
    return _done(complaint, _("Đã gửi yêu cầu đến cơ quan theo dõi."))
