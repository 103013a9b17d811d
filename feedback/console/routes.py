import secrets

from flask import Response, abort, flash, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from feedback.calendar import local_today
from feedback.auth.access import roles_required, tree_order
from feedback.console import CONSOLE_ROLES, bp, services
from feedback.console.forms import CallForm, ConvertForm, DismissForm
from feedback.extensions import db
from feedback.models import CaseEvent, Category, InboundMedia, IntakeItem, Staff, Unit
from feedback.models.case import CHANNELS

SECRET_KEY = "console_case_secret"
EVENT_LABELS = {
    "answer": "Trả lời người dân", "message_out": "Tin nhắn gửi người dân", "message_in": "Người dân bổ sung thông tin",
    "note": "Ghi chú", "rating": "Người dân đánh giá", "extension": "Gia hạn xử lý", "transfer": "Chuyển đơn vị xử lý",
    "assignment": "Phân công xử lý", "escalation": "Chuyển cơ quan theo dõi", "deadline": "Thời hạn",
}


def _unit_choices():
    units = db.session.scalars(select(Unit).where(Unit.currently_active(local_today()))).all()
    choices = [("", _("— Chưa xác định (chuyển bộ phận phân loại) —"))]
    choices += [(str(u.id), "\u00a0\u00a0" * depth + u.name) for u, depth in tree_order(units)]
    return choices


def _staff_choices(unit_id):
    choices = [("", _("— Không nêu tên / không rõ —"))]
    if unit_id:
        staff = db.session.scalars(
            select(Staff).where(Staff.unit_id == unit_id, Staff.active.is_(True)).order_by(Staff.full_name)
        ).all()
        choices += [(str(s.id), f"{s.full_name} – {s.position}" + (f" ({_('quầy')} {s.counter_number})" if s.counter_number else ""))
                    for s in staff]
    return choices


def _category_choices():
    categories = db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.sort_order, Category.name_vi)
    ).all()
    return [("", _("— Chưa phân loại —"))] + [(str(c.id), c.name_vi) for c in categories]


def _prepare(form):
    form.unit_id.choices = _unit_choices()
    form.staff_id.choices = _staff_choices(form.unit_id.data)
    form.category_id.choices = _category_choices()


def _remember_secret(result):
    """An anonymous caller's secret is shown to the operator once, to read out."""
    if result.created and result.secret:
        session[SECRET_KEY] = [result.complaint.tracking_code, result.secret]


def _learn_from(result, data):
    """The operator's choice of unit for what the caller said (or the voicemail held): triage learns it."""
    if result.created and data.unit is not None:
        from feedback.triage.services import record_choice

        record_choice(result.complaint, current_user, unit=data.unit, category=data.category, staff=data.staff)


@bp.route("/", methods=["GET", "POST"])
@roles_required(*CONSOLE_ROLES)
def index():
    """Log a phone call or a walk-in on the citizen's behalf."""
    form = CallForm()
    _prepare(form)
    if request.method == "GET":
        form.nonce.data = secrets.token_hex(16)
    if form.validate_on_submit():
        data = services.case_input(form)
        if data is not None:
            try:
                result = services.log_call(data, channel=form.channel.data, operator=current_user, nonce=form.nonce.data)
            except services.ConsoleError as exc:
                form.channel.errors.append(str(exc))
            else:
                _learn_from(result, data)
                db.session.commit()
                _remember_secret(result)
                if result.created:
                    flash(_("Đã tạo phản ánh %(code)s.", code=result.complaint.tracking_code), "success")
                else:
                    flash(_("Biểu mẫu này đã được gửi trước đó: phản ánh %(code)s.", code=result.complaint.tracking_code), "info")
                return redirect(url_for("console.case", code=result.complaint.tracking_code))
    if form.nonce.errors:
        form.nonce.data = secrets.token_hex(16)
    return render_template("console/index.html", form=form, open_count=services.open_item_count()), (
        400 if form.errors else 200)


@bp.route("/suggest", methods=["POST"])
@roles_required(*CONSOLE_ROLES)
def suggest():
    """Triage's suggestion for the text being typed: unit, staff member and category, each with its share."""
    from feedback.models import Category
    from feedback.triage.model import current_model
    from feedback.triage.services import suggest as read

    text = (request.get_json(silent=True) or {}).get("text") or request.form.get("text") or ""
    if not isinstance(text, str) or not text.strip():
        return jsonify(unit=None, staff=None, category=None)
    result = read(text[:4000], model=current_model())
    unit = db.session.scalar(select(Unit).where(Unit.code == result.unit.value)) if result.unit.value else None
    staff = db.session.get(Staff, result.staff.id) if result.staff.id and unit is not None else None
    category = db.session.scalar(select(Category).where(Category.code == result.category.value)) \
        if result.category.value else None
    return jsonify(
        unit=None if unit is None else {"id": unit.id, "label": unit.name, "confidence": result.unit.confidence},
        staff=None if staff is None else {"id": staff.id, "unit_id": staff.unit_id, "label": staff.full_name,
                                          "confidence": result.staff.confidence},
        category=None if category is None else {"id": category.id, "label": category.name_vi,
                                                "confidence": result.category.confidence})


@bp.route("/units/<int:unit_id>/staff.json")
@roles_required(*CONSOLE_ROLES)
def unit_staff(unit_id):
    """The unit's active staff, for the staff picker."""
    if db.session.get(Unit, unit_id) is None:
        abort(404)
    return jsonify(staff=[{"id": int(value), "label": label} for value, label in _staff_choices(unit_id) if value])


@bp.route("/queue")
@roles_required(*CONSOLE_ROLES)
def queue():
    """Voicemails and unclear SMS waiting for a person, oldest first."""
    after = request.args.get("after", type=int)
    items = services.open_items(limit=50, after_id=after)
    return render_template("console/queue.html", items=items, open_count=services.open_item_count())


def _item_or_404(item_id):
    item = db.session.get(IntakeItem, item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/queue/<int:item_id>", methods=["GET", "POST"])
@roles_required(*CONSOLE_ROLES)
def item(item_id):
    """One queue item: listen or read, then make it a case or dismiss it."""
    entry = _item_or_404(item_id)
    form = ConvertForm()
    if request.method == "GET":
        form.caller_phone.data = entry.from_phone
        form.description.data = entry.body
    _prepare(form)
    dismiss = DismissForm(formdata=None)
    if entry.status == "converted" and entry.complaint_id and request.method == "POST":
        flash(_("Mục này đã được chuyển thành phản ánh %(code)s.", code=entry.complaint.tracking_code), "info")
        return redirect(url_for("console.case", code=entry.complaint.tracking_code))
    if form.validate_on_submit():
        data = services.case_input(form)
        if data is not None:
            try:
                result = services.convert_item(entry.id, data, operator=current_user)
            except services.ConsoleError as exc:
                db.session.rollback()
                flash(str(exc), "error")
                return redirect(url_for("console.item", item_id=item_id))
            _learn_from(result, data)
            db.session.commit()
            _remember_secret(result)
            flash(_("Đã tạo phản ánh %(code)s từ mục này.", code=result.complaint.tracking_code), "success")
            return redirect(url_for("console.case", code=result.complaint.tracking_code))
    return render_template("console/item.html", item=entry, form=form, dismiss=dismiss,
                           media=services.item_media(entry)), (400 if form.errors else 200)


@bp.route("/queue/<int:item_id>/media/<int:media_id>")
@roles_required(*CONSOLE_ROLES)
def item_media(item_id, media_id):
    """A photo sent by MMS with this queue item (checked and re-encoded when fetched)."""
    from feedback.attachments import path_of_name

    media = db.session.get(InboundMedia, media_id)
    if media is None or media.intake_item_id != item_id or media.status != "stored":
        abort(404)
    return send_file(path_of_name(media.stored_name), mimetype=media.content_type, max_age=0)


@bp.route("/queue/<int:item_id>/recording")
@roles_required(*CONSOLE_ROLES)
def recording(item_id):
    """The voicemail's audio: fetched from Twilio with the account's credentials, else linked."""
    entry = _item_or_404(item_id)
    if not entry.recording_url:
        abort(404)
    audio = services.fetch_recording(entry.recording_url)
    if audio is None:
        return redirect(entry.recording_url)
    content, content_type = audio
    return Response(content, mimetype=content_type, headers={"Cache-Control": "private, max-age=300"})


@bp.route("/queue/<int:item_id>/dismiss", methods=["POST"])
@roles_required(*CONSOLE_ROLES)
def dismiss(item_id):
    entry = _item_or_404(item_id)
    form = DismissForm()
    if not form.validate_on_submit():
        convert = ConvertForm(formdata=None)
        convert.caller_phone.data = entry.from_phone
        convert.description.data = entry.body
        _prepare(convert)
        return render_template("console/item.html", item=entry, form=convert, dismiss=form), 400
    try:
        services.dismiss_item(entry.id, form.reason.data, operator=current_user)
    except services.ConsoleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("console.item", item_id=item_id))
    db.session.commit()
    flash(_("Đã bỏ qua mục #%(id)s.", id=item_id), "success")
    return redirect(url_for("console.queue"))


@bp.route("/search")
@roles_required(*CONSOLE_ROLES)
def search():
    """Find a caller's cases by tracking code or phone number."""
    q = (request.args.get("q") or "").strip()[:60]
    kind, cases = services.search_cases(q, current_user)
    if kind == "phone":
        db.session.commit()  # the audit record of a phone look-up
    if kind == "code" and len(cases) == 1:
        return redirect(url_for("console.case", code=cases[0].tracking_code))
    return render_template("console/search.html", q=q, kind=kind, cases=cases, channels=CHANNELS)


@bp.route("/cases/<code>")
@roles_required(*CONSOLE_ROLES)
def case(code):
    """What the operator tells a caller: status, due date, handling unit, public timeline, contact."""
    complaint = services.case_for_operator(code, current_user)
    if complaint is None:
        abort(404)
    events = db.session.scalars(
        select(CaseEvent).where(CaseEvent.complaint_id == complaint.id, CaseEvent.is_public.is_(True)).order_by(CaseEvent.id)
    ).all()
    secret = None
    remembered = session.pop(SECRET_KEY, None)
    if remembered and remembered[0] == complaint.tracking_code:
        secret = remembered[1]
    return render_template("console/case.html", case=complaint, events=events, secret=secret, channels=CHANNELS,
                           event_labels=EVENT_LABELS)
