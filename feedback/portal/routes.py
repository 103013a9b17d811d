"""Portal pages: thin views that validate, call a service, commit and redirect."""
from datetime import datetime

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from feedback import attachments as files
from feedback.calendar import local_today, working_calendar
from feedback.cases.services import late_notices
from feedback.extensions import db, limiter
from feedback.models import Complaint, utcnow
from feedback.intake.services import new_secret
from feedback.portal import bp, services
from feedback.portal.forms import DisputeForm, MessageForm, RatingForm, SubmitForm, TrackForm
from feedback.text import fold

NEUTRAL_ERROR = lambda: _("Mã phản ánh hoặc thông tin xác nhận không đúng. Vui lòng kiểm tra lại.")  # noqa: E731


def _submit_limit():
    return current_app.config["PORTAL_SUBMIT_LIMIT"]


def _track_limit():
    return current_app.config["PORTAL_TRACK_LIMIT"]


def _helper_step():
    """The no-JavaScript steps (search a unit, list its staff) re-show the form and create nothing."""
    return bool(request.form.get("find_unit") or request.form.get("load_staff"))


def _is_track_attempt():
    return request.method == "POST" or bool(request.args.get("secret"))


def _language():
    return "en" if str(get_locale()) == "en" else "vi"


# --- submission ------------------------------------------------------------------------------

def _fill_choices(form, unit):
    locale = _language()
    listed = services.public_units(form.unit_q.data)
    if unit is not None and all(u.id != unit.id for u, _d in listed):
        listed.insert(0, (unit, 0))
    # The xã/phường first, then its office: one group per commune, the province's bodies first.
    groups = {None: [("", _("— Chọn đơn vị —"))]}  # None: no optgroup around the placeholder
    for area, members in services.units_by_area([candidate for candidate, _depth in listed]):
        label = (_("Cơ quan cấp tỉnh") if area is None else
                 area.name_en if locale == "en" and area.name_en else services.area_name(area))
        groups[label] = [(member.code, member.name_en if locale == "en" and member.name_en else member.name,
                          {"data-fold": fold(member.name) + " " + member.code.lower()}) for member in members]
    form.unit.choices = groups
    form.category.choices = [("", _("— Không rõ, để cơ quan phân loại —"))] + [
        (c.code, c.name(locale)) for c in services.active_categories()
    ]
    staff_options = [("", _("— Không nêu tên hoặc không biết tên —"))]
    for member in services.public_staff(unit):
        staff_options.append((member.public_ref, _staff_label(member, unit)))
    form.staff.choices = staff_options
    return len(listed)


def _staff_label(member, unit):
    parts = [member.full_name, member.position]
    if member.counter_number:
        parts.append(_("quầy %(n)s", n=member.counter_number))
    if unit is not None and member.unit_id != unit.id:
        parts.append(member.unit.name)
    return " — ".join(parts[:2]) + (" (" + ", ".join(parts[2:]) + ")" if parts[2:] else "")


def _fake_receipt(form, unit):
    """What a bot that filled the honeypot sees: a receipt like any other, for a case that does not exist."""
    now = utcnow()
    return {
        "code": Complaint.new_tracking_code(),
        "secret": new_secret(),
        "unit": unit.name if unit else "",
        "submitted": now.isoformat(),
        "due": working_calendar().add_working_days(now, 10).isoformat(),
        "contact": form.contact_mode.data == "contact",
    }


@bp.route("/submit", methods=["GET", "POST"])
@bp.route("/gui-phan-anh", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"], exempt_when=_helper_step)
def new():
    """The feedback form."""
    form = SubmitForm()
    if request.method == "GET":
        form.submission_key.data = services.new_submission_key()
        preset = services.unit_by_code(request.args.get("unit"))
        if preset is not None:
            form.unit.data = preset.code
    unit = services.unit_by_code(form.unit.data)
    if form.unit.data and unit is None:
        form.unit.data = ""
    # The lists of units, categories and staff are built only for a page to show: a POST that creates the
    # case redirects without them (the select fields do not validate against their choices).
    if request.method == "POST" and _helper_step():
        if not form.submission_key.data:
            form.submission_key.data = services.new_submission_key()
        return _render_form(form, unit)
    if request.method == "POST" and form.website.data:
        session[services.SESSION_RECEIPT] = _fake_receipt(form, unit)
        return redirect(url_for("portal.receipt"))
    if request.method == "POST":
        valid = form.validate_on_submit()
        # The checks that need the database and the files run even when a field is wrong,
        # so the citizen sees every problem at once.
        staff = category = None
        checked = []
        if form.staff.data:
            staff = services.staff_in_unit(unit, form.staff.data)
            if staff is None and unit is not None:
                form.staff.errors = [*form.staff.errors, _("Cán bộ đã chọn không thuộc đơn vị này. Vui lòng chọn lại.")]
        if form.category.data:
            category = services.category_by_code(form.category.data)
            if category is None:
                form.category.errors = [*form.category.errors, _("Loại phản ánh không hợp lệ.")]
        try:
            checked = files.inspect_all(request.files.getlist(form.attachments.name))
        except ValueError as error:
            form.attachments.errors = [*form.attachments.errors, str(error)]
        if valid and not (form.staff.errors or form.category.errors or form.attachments.errors):
            return _create(form, unit, staff, category, checked)
        return _render_form(form, unit, 422)
    return _render_form(form, unit)


def _render_form(form, unit, status=200):
    matches = _fill_choices(form, unit)
    return render_template(
        "portal/new.html", form=form, unit=unit, matches=matches, max_files=files.MAX_FILES,
        max_size=files.human_size(files.max_bytes()), accept=files.ACCEPT_ATTRIBUTE, today=local_today().isoformat(),
    ), status


def _create(form, unit, staff, category, checked):
    anonymous = form.contact_mode.data == "anonymous"
    contact = None
    if not anonymous:
        contact = {"full_name": form.full_name.data, "phone": form.phone.data, "email": form.email.data,
                   "ip_address": request.remote_addr}
    stored = []
    try:
        result, stored = services.submit_case(
            checked_uploads=checked,
            submission_key=form.submission_key.data,
            description=form.description.data,
            category=category,
            target_unit=unit,
            staff=staff,
            staff_description=form.staff_description.data or None,
            incident_date=form.incident_date.data,
            incident_place=form.incident_place.data or None,
            contact=contact,
            consent_publish=form.consent_publish.data,
            language=_language(),
        )
        complaint = result.complaint
        receipt = {
            "code": complaint.tracking_code,
            "secret": result.secret,
            "unit": (complaint.target_unit.name if complaint.target_unit else ""),
            "submitted": complaint.submitted_at.isoformat(),
            "due": complaint.answer_due_at.isoformat() if complaint.answer_due_at else None,
            "contact": not complaint.is_anonymous,
        }
        db.session.commit()
    except Exception:
        db.session.rollback()
        files.discard(stored)
        raise
    session[services.SESSION_RECEIPT] = receipt
    services.remember_case(receipt["code"])
    return redirect(url_for("portal.receipt"))


@bp.route("/gui-phan-anh/bien-nhan")
def receipt():
    """The receipt: tracking code, and the anonymous citizen's secret shown this once."""
    data = session.get(services.SESSION_RECEIPT)
    if not data:
        return redirect(url_for("portal.new"))
    secret = data.get("secret")
    if secret:
        session[services.SESSION_RECEIPT] = {**data, "secret": None, "secret_shown": True}
    return render_template(
        "portal/receipt.html", receipt=data, secret=secret,
        submitted=datetime.fromisoformat(data["submitted"]),
        due=datetime.fromisoformat(data["due"]) if data.get("due") else None,
    )


# --- directory for the form's live pickers ---------------------------------------------------

@bp.route("/api/units")
def api_units():
    """Units matching ?q= (accents optional): code and name."""
    found = services.public_units(request.args.get("q", "")[:100])[:50]
    return jsonify(units=[{"code": u.code, "name": u.name, "name_en": u.name_en} for u, _d in found])


@bp.route("/gui-phan-anh/goi-y", methods=["POST"])
@limiter.limit(lambda: current_app.config.get("PORTAL_SUGGEST_LIMIT", "30 per minute"))
def suggest():
    """The unit and category the text the citizen is typing speaks of (to pre-fill; the citizen decides)."""
    from feedback.triage.model import current_model
    from feedback.triage.services import current_thresholds, suggest as read

    text = (request.get_json(silent=True) or {}).get("text")
    if not isinstance(text, str) or len(text.strip()) < 15:
        return jsonify(unit=None, category=None)
    result = read(text[:4000], model=current_model())
    # A pre-fill the citizen sees and may change: a little below the unit's routing threshold is enough.
    thresholds = current_thresholds()
    unit = result.unit.value if result.names_unit and result.unit.confidence >= thresholds["unit"] - 0.1 else None
    category = result.category.value if result.category.confidence >= thresholds["category"] else None
    return jsonify(unit=unit, category=category)


@bp.route("/api/units/<code>/staff")
def api_unit_staff(code):
    """The unit's public staff directory: name, position, counter and public reference only."""
    unit = services.unit_by_code(code)
    if unit is None:
        abort(404)
    return jsonify(
        unit={"code": unit.code, "name": unit.name},
        staff=[services.staff_public_fields(m) for m in services.public_staff(unit)],
    )


# --- tracking --------------------------------------------------------------------------------

def _track_case_key():
    return "track-case:" + (services.normalise_code(request.values.get("code")) or "-")


@bp.route("/track", methods=["GET", "POST"])
@limiter.shared_limit(_track_limit, scope="portal-track", exempt_when=lambda: not _is_track_attempt(),
                      deduct_when=lambda response: response.status_code != 302)
# Per case as well as per address: guesses spread over many addresses still stop at this many a code.
@limiter.limit(lambda: current_app.config["TRACK_CASE_LIMIT"], key_func=_track_case_key,
               exempt_when=lambda: not _is_track_attempt(), deduct_when=lambda response: response.status_code != 302)
def track():
    """Follow a case: its code and secret, or a one-time code sent to the complainant's phone."""
    code = services.normalise_code(request.values.get("code"))
    if request.method == "GET":
        complaint = services.opened_case(code)
        if complaint is not None:
            return _render_case(complaint)
        form = TrackForm(formdata=None, code=code)
        if request.args.get("secret"):
            return _try_open(form, code, request.args.get("secret"))
        return render_template("portal/track.html", form=form, error=None)
    form = TrackForm()
    if form.validate_on_submit():
        if form.send_code.data:
            services.send_one_time_code(code)
            db.session.commit()
            # The same words whether or not the case exists or has a phone.
            return render_template("portal/track.html", form=form, error=None, info=_(
                "Nếu phản ánh này có số điện thoại, mã xác nhận đã được gửi tới số đó. "
                "Nhập mã vào ô trên trong vòng 10 phút."))
        return _try_open(form, code, form.secret.data)
    return render_template("portal/track.html", form=form, error=None), 422


def _try_open(form, code, key):
    complaint = services.find_case(code, key)
    if complaint is None:
        form.secret.data = ""
        return render_template("portal/track.html", form=form, error=NEUTRAL_ERROR()), 200
    db.session.commit()  # a one-time code is used up
    services.remember_case(complaint.tracking_code)
    return redirect(url_for("portal.track", code=complaint.tracking_code))


def _render_case(complaint, message_form=None, rating_form=None, dispute_form=None, status=200):
    events = services.public_events(complaint)
    review_deadline = services.decline_review_deadline(complaint) if complaint.status == "declined" else None
    answer = services.sent_answer(complaint)
    deadline = services.dispute_deadline(answer)
    review = services.pending_review(complaint)
    return render_template(
        "portal/case.html", case=complaint, events=events, answer=answer, rating=services.answer_rating(answer),
        # While the monitoring office reviews a dispute or a decline, it is the one handling the case.
        reviewing_office=(complaint.unit.monitoring_office() or complaint.unit.parent) if review and complaint.unit
        else None,
        awaiting_reply=services.awaiting_reply(events),
        can_message=complaint.status not in services.CLOSED_FOR_MESSAGES,
        can_dispute=answer is not None and complaint.status in ("answered", "published", "closed")
        and deadline is not None and utcnow() <= deadline and review is None,
        dispute_deadline=deadline,
        message_form=message_form or MessageForm(formdata=None),
        rating_form=rating_form or RatingForm(formdata=None),
        dispute_form=dispute_form or DisputeForm(formdata=None),
        accept=files.ACCEPT_ATTRIBUTE,
        citizen_files=[a for a in complaint.attachments if not a.is_evidence],
        late_notices=late_notices(complaint),
        can_review_decline=review_deadline is not None and utcnow() <= review_deadline
        and review is None,
        decline_review_deadline=review_deadline,
    ), status


def _case_or_ask(code):
    complaint = services.opened_case(code)
    if complaint is None:
        flash(_("Vui lòng nhập lại mã phản ánh và thông tin xác nhận."), "warning")
    return complaint


@bp.route("/track/<code>/thu-xin-loi/<int(max=9007199254740991):number>.pdf")
def late_notice_pdf(code, number):
    """The unit head's written apology, for the citizen who opened the case in this browser."""
    from feedback.cases.printing import late_notice_response

    complaint = _case_or_ask(code)
    if complaint is None:
        return redirect(url_for("portal.track", code=services.normalise_code(code)))
    response = late_notice_response(complaint, number)
    if response is None:
        abort(404)
    return response


@bp.route("/track/<code>/bo-sung", methods=["POST"])
@limiter.limit("10 per minute;60 per hour")
def add_info(code):
    """The citizen adds information or answers the handler's question."""
    complaint = _case_or_ask(code)
    if complaint is None:
        return redirect(url_for("portal.track", code=services.normalise_code(code)))
    form = MessageForm()
    if form.validate_on_submit():
        try:
            checked = files.inspect_all([request.files.get(form.attachment.name)], max_files=1)
        except ValueError as error:
            form.attachment.errors = [str(error)]
        else:
            stored = []
            try:
                _event, stored = services.add_information(complaint, form.message.data, checked)
                db.session.commit()
            except ValueError:
                db.session.rollback()
                files.discard(stored)
                flash(_("Hồ sơ đã đóng, không thể bổ sung thông tin."), "warning")
                return redirect(url_for("portal.track", code=complaint.tracking_code))
            except Exception:
                db.session.rollback()
                files.discard(stored)
                raise
            flash(_("Đã gửi thông tin bổ sung. Cảm ơn Ông/Bà."), "success")
            return redirect(url_for("portal.track", code=complaint.tracking_code) + "#timeline")
    return _render_case(complaint, message_form=form, status=422)


def _outcome_step(code, form_class, form_arg, action, done_message, anchor):
    """Rating and dispute: check access and form, call the outcomes service, commit, back to the case."""
    complaint = _case_or_ask(code)
    if complaint is None:
        return redirect(url_for("portal.track", code=services.normalise_code(code)))
    form = form_class()
    if not form.validate_on_submit():
        return _render_case(complaint, **{form_arg: form}, status=422)
    try:
        action(complaint, form)
        db.session.commit()
    except ValueError as error:  # OutcomeError: not allowed now, message for the citizen
        db.session.rollback()
        flash(str(error), "warning")
    else:
        flash(done_message, "success")
    return redirect(url_for("portal.track", code=complaint.tracking_code) + anchor)


@bp.route("/track/<code>/danh-gia", methods=["POST"])
@limiter.limit("10 per minute")
def rate(code):
    """The citizen rates the answer: satisfied or not, with a reason."""
    return _outcome_step(
        code, RatingForm, "rating_form",
        lambda complaint, form: services.rate_answer(complaint, form.satisfied.data == "yes", form.reason.data or None),
        _("Cảm ơn Ông/Bà đã đánh giá."), "#answer",
    )


@bp.route("/track/<code>/khong-dong-y", methods=["POST"])
@limiter.limit("10 per minute")
def dispute(code):
    """The citizen disagrees with the answer: the case is re-opened and escalated."""
    return _outcome_step(
        code, DisputeForm, "dispute_form",
        lambda complaint, form: services.dispute_answer(complaint, form.dispute_reason.data),
        _("Đã gửi đề nghị xem xét lại. Cơ quan theo dõi sẽ quyết định và báo cho Ông/Bà."), "#timeline",
    )


@bp.route("/track/<code>/xem-xet-lai", methods=["POST"])
@limiter.limit("10 per minute")
def decline_review(code):
    """The citizen asks the monitoring office to review a decline."""
    return _outcome_step(
        code, DisputeForm, "dispute_form",
        lambda complaint, form: services.request_decline_review(complaint, form.dispute_reason.data),
        _("Đã gửi đề nghị xem xét lại. Cơ quan theo dõi sẽ quyết định và báo cho Ông/Bà."), "#timeline",
    )
