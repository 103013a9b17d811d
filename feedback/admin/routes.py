"""Back-office pages. Every view is for admins only and limited to the admin's unit subtree."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from feedback.calendar import local_today
from feedback.admin import bp, services
from feedback.admin.forms import (CategoryForm, KioskForm, RoutingRuleForm, StaffForm, StaffImportForm, UnitForm,
                                  UserForm, form_values)
from feedback.admin.services import AdminError
from feedback.auth.access import require_unit_access, units_in_scope
from feedback.extensions import db, login_manager
from feedback.models import Category, Kiosk, RoutingRule, Staff, Unit, User, utcnow
from feedback.models.case import CATEGORY_KINDS
from feedback.models.org import ROLES, STAFF_KINDS, UNIT_KINDS

PER_PAGE = 50


@bp.before_request
def _admins_only():
    """The whole blueprint is for admins: sign in first, then 403 for other roles."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role != "admin":
        abort(403)
    if not current_user.totp_enabled:
        # Sign-in already forces enrolment; this also covers a session whose second factor was reset since.
        flash(_("Quản trị viên phải bật xác thực hai lớp trước khi sử dụng trang quản trị."), "warning")
        return redirect(url_for("auth.totp_setup"))
    return None


@bp.context_processor
def _labels():
    return {"UNIT_KINDS": UNIT_KINDS, "STAFF_KINDS": STAFF_KINDS, "ROLES": ROLES, "CATEGORY_KINDS": CATEGORY_KINDS,
            "province_wide": current_user.is_authenticated and current_user.unit is None}


def _get_or_404(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _unit_label(unit, depth=0):
    return "\u2003" * depth + f"{unit.name} ({unit.code})"


def _unit_choices(blank=None, exclude_within=None):
    choices = [(None, blank)] if blank else []
    for unit, depth in units_in_scope():
        if exclude_within is not None and unit.is_within(exclude_within):
            continue
        choices.append((unit.id, _unit_label(unit, depth)))
    return choices


def _apply_error(form, error):
    db.session.rollback()
    target = getattr(form, error.field_name, None) if error.field_name else None
    if target is not None:
        target.errors = list(target.errors) + [error.message]
    else:
        flash(error.message, "error")


def _render_form(title, form, cancel, **context):
    return render_template("admin/form.html", title=title, form=form, cancel=cancel, **context)


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
def index():
    """The back office's front page: what the admin manages, with counts."""
    scope = current_user
    counts = {
        "units": len(units_in_scope()),
        "staff": db.session.scalar(select(func.count(Staff.id)).where(scope.unit_scope_clause(Staff.unit_id))),
        "users": db.session.scalar(select(func.count(User.id)).where(_user_scope())),
        "kiosks": db.session.scalar(select(func.count(Kiosk.id)).where(scope.unit_scope_clause(Kiosk.unit_id))),
        "categories": db.session.scalar(select(func.count(Category.id))),
        "rules": db.session.scalar(select(func.count(RoutingRule.id)).where(_rule_scope())),
    }
    return render_template("admin/index.html", counts=counts)


# --- units -------------------------------------------------------------------------------------

@bp.route("/units")
def units():
    tree = units_in_scope()
    today = local_today()
    staff_counts = dict(db.session.execute(
        select(Staff.unit_id, func.count(Staff.id)).where(current_user.unit_scope_clause(Staff.unit_id))
        .group_by(Staff.unit_id)).all())
    return render_template("admin/units.html", tree=tree, today=today, staff_counts=staff_counts)


def _unit_form_choices(form, unit=None):
    exclude = unit if unit is not None else None
    province_wide = current_user.unit is None
    choices = _unit_choices(blank=_("— Không có (đơn vị cấp cao nhất) —") if province_wide else None,
                            exclude_within=exclude)
    if unit is not None and unit.parent is not None and not current_user.can_see_unit(unit.parent):
        # The admin's own top unit keeps its parent, which lies outside the admin's subtree.
        choices.insert(0, (unit.parent.id, _unit_label(unit.parent)))
    if unit is not None and unit.parent is None and not province_wide:
        choices.insert(0, (None, _("— Không có (đơn vị cấp cao nhất) —")))
    form.parent_id.choices = choices
    members = []
    if unit is not None:
        members = db.session.scalars(
            select(Staff).where(Staff.unit_id == unit.id, Staff.active.is_(True)).order_by(Staff.full_name)).all()
    staff_choices = [(None, _("— Chưa chọn —"))] + [(m.id, f"{m.full_name} – {m.position}") for m in members]
    form.head_staff_id.choices = staff_choices
    form.acting_head_staff_id.choices = staff_choices


@bp.route("/units/new", methods=["GET", "POST"])
def unit_new():
    form = UnitForm()
    _unit_form_choices(form)
    if request.method == "GET" and request.args.get("parent", type=int):
        form.parent_id.data = request.args.get("parent", type=int)
    if form.validate_on_submit():
        data = form_values(form, UnitForm.FIELDS)
        try:
            unit = services.create_unit(current_user, data)
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã tạo đơn vị %(name)s.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
    return _render_form(_("Thêm đơn vị"), form, url_for("admin.units"),
                        hint=_("Chọn thủ trưởng sau khi đã có cán bộ của đơn vị."))


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def unit_edit(unit_id):
    unit = require_unit_access(_get_or_404(Unit, unit_id))
    form = UnitForm(obj=unit)
    _unit_form_choices(form, unit)
    if form.validate_on_submit():
        data = form_values(form, UnitForm.FIELDS)
        try:
            services.update_unit(current_user, unit, data)
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu đơn vị %(name)s.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
    return _render_form(_("Sửa đơn vị: %(name)s", name=unit.name), form, url_for("admin.units"), unit=unit)


# --- staff -------------------------------------------------------------------------------------

@bp.route("/staff")
def staff_list():
    unit_id = request.args.get("unit", type=int)
    q = (request.args.get("q") or "").strip()
    query = select(Staff).where(current_user.unit_scope_clause(Staff.unit_id))
    selected = None
    if unit_id:
        selected = require_unit_access(_get_or_404(Unit, unit_id))
        query = query.where(Staff.unit_id.in_(select(Unit.id).where(Unit.subtree_clause(selected))))
    if q:
        pattern = f"%{q}%"
        query = query.where(or_(Staff.full_name.ilike(pattern), Staff.badge_code.ilike(pattern),
                                Staff.position.ilike(pattern), Staff.counter_number.ilike(pattern)))
    page = db.paginate(query.order_by(Staff.full_name, Staff.id), per_page=PER_PAGE, error_out=False)
    return render_template("admin/staff.html", page=page, q=q, selected=selected,
                           unit_choices=_unit_choices(blank=_("Tất cả đơn vị")))


def _staff_form_choices(form, member=None):
    form.unit_id.choices = _unit_choices()
    linked = select(Staff.user_id).where(Staff.user_id.is_not(None))
    if member is not None and member.user_id:
        linked = linked.where(Staff.user_id != member.user_id)
    users = db.session.scalars(
        select(User).where(_user_scope(), User.id.not_in(linked)).order_by(User.full_name)).all()
    form.user_id.choices = [(None, _("— Không gắn tài khoản —"))] + [(u.id, f"{u.full_name} <{u.email}>") for u in users]


@bp.route("/staff/new", methods=["GET", "POST"])
def staff_new():
    form = StaffForm()
    _staff_form_choices(form)
    if request.method == "GET" and request.args.get("unit", type=int):
        form.unit_id.data = request.args.get("unit", type=int)
    if form.validate_on_submit():
        try:
            member = services.create_staff(current_user, form_values(form, StaffForm.FIELDS))
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã thêm cán bộ %(name)s.", name=member.full_name), "success")
            return redirect(url_for("admin.staff_list", unit=member.unit_id))
    return _render_form(_("Thêm cán bộ"), form, url_for("admin.staff_list"))


@bp.route("/staff/<int:staff_id>/edit", methods=["GET", "POST"])
def staff_edit(staff_id):
    member = _get_or_404(Staff, staff_id)
    require_unit_access(member.unit)
    form = StaffForm(obj=member)
    _staff_form_choices(form, member)
    if form.validate_on_submit():
        try:
            services.update_staff(current_user, member, form_values(form, StaffForm.FIELDS))
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu cán bộ %(name)s.", name=member.full_name), "success")
            return redirect(url_for("admin.staff_list", unit=member.unit_id))
    return _render_form(_("Sửa cán bộ: %(name)s", name=member.full_name), form, url_for("admin.staff_list"))


@bp.route("/staff/import", methods=["GET", "POST"])
def staff_import():
    form = StaffImportForm()
    report = None
    if form.validate_on_submit():
        raw = form.file.data.read()
        report = services.import_staff_csv(current_user, raw)
        db.session.commit()
        if report.fatal:
            form.file.errors = [report.fatal]
        elif report.imported:
            flash(_("Đã nhập %(n)s cán bộ.", n=len(report.imported)), "success")
    return render_template("admin/staff_import.html", form=form, report=report, columns=services.CSV_COLUMNS)


# --- categories --------------------------------------------------------------------------------

@bp.route("/categories")
def categories():
    rows = db.session.scalars(select(Category).order_by(Category.sort_order, Category.name_vi)).all()
    return render_template("admin/categories.html", categories=rows)


def _require_province_admin():
    if current_user.unit is not None:
        abort(403)


@bp.route("/categories/new", methods=["GET", "POST"])
def category_new():
    _require_province_admin()
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = services.create_category(current_user, form_values(form, CategoryForm.FIELDS))
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã thêm loại phản ánh %(name)s.", name=category.name_vi), "success")
            return redirect(url_for("admin.categories"))
    return _render_form(_("Thêm loại phản ánh"), form, url_for("admin.categories"))


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
def category_edit(category_id):
    _require_province_admin()
    category = _get_or_404(Category, category_id)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            services.update_category(current_user, category, form_values(form, CategoryForm.FIELDS))
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu loại phản ánh %(name)s.", name=category.name_vi), "success")
            return redirect(url_for("admin.categories"))
    return _render_form(_("Sửa loại phản ánh: %(name)s", name=category.name_vi), form, url_for("admin.categories"))


# --- users -------------------------------------------------------------------------------------

def _user_scope():
    """Users the current admin manages: those attached to a unit in the subtree (all, province-wide)."""
    if current_user.unit is None:
        return User.id.is_not(None)
    return current_user.unit_scope_clause(User.unit_id)


def _managed_user(user_id):
    user = _get_or_404(User, user_id)
    if current_user.unit is not None and (user.unit is None or not current_user.can_see_unit(user.unit)):
        abort(403)
    return user


@bp.route("/users")
def users():
    q = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    query = select(User).where(_user_scope())
    if q:
        query = query.where(or_(User.full_name.ilike(f"%{q}%"), User.email.ilike(f"%{q}%")))
    if role in ROLES:
        query = query.where(User.role == role)
    page = db.paginate(query.order_by(User.email), per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, q=q, role=role, now=utcnow())


def _user_form_choices(form):
    form.unit_id.choices = _unit_choices(blank=_("— Toàn tỉnh —") if current_user.unit is None else None)


def _show_secret(title, user, secret, note):
    return _no_store(render_template("admin/secret.html", title=title, user=user, secret=secret, note=note,
                                     back=url_for("admin.users")))


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserForm()
    _user_form_choices(form)
    if form.validate_on_submit():
        try:
            user, password = services.create_user(current_user, form_values(form, UserForm.FIELDS))
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            return _show_secret(_("Đã tạo tài khoản"), user, password,
                                _("Mật khẩu tạm thời chỉ hiển thị một lần. Người dùng phải đổi mật khẩu ở lần đăng nhập đầu tiên."))
    return _render_form(_("Thêm tài khoản"), form, url_for("admin.users"),
                        hint=_("Hệ thống sẽ tạo mật khẩu tạm thời và hiển thị một lần sau khi lưu."))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id):
    user = _managed_user(user_id)
    form = UserForm(obj=user)
    _user_form_choices(form)
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, form_values(form, UserForm.FIELDS))
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu tài khoản %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", form=form, user=user, now=utcnow())


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def user_reset_password(user_id):
    user = _managed_user(user_id)
    password = services.reset_password(current_user, user)
    db.session.commit()
    return _show_secret(_("Đã cấp lại mật khẩu"), user, password,
                        _("Mật khẩu tạm thời chỉ hiển thị một lần. Người dùng phải đổi mật khẩu khi đăng nhập."))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_set_active(user_id):
    user = _managed_user(user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_user_active(current_user, user, active)
    except AdminError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Đã mở khóa tài khoản %(email)s.", email=user.email) if active
              else _("Đã khóa tài khoản %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-totp", methods=["POST"])
def user_reset_totp(user_id):
    user = _managed_user(user_id)
    services.reset_totp(current_user, user)
    db.session.commit()
    flash(_("Đã xóa xác thực hai lớp của %(email)s; người dùng sẽ đăng ký lại ở lần đăng nhập sau.", email=user.email),
          "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# --- kiosks ------------------------------------------------------------------------------------

def _managed_kiosk(kiosk_id):
    kiosk = _get_or_404(Kiosk, kiosk_id)
    require_unit_access(kiosk.unit)
    return kiosk


@bp.route("/kiosks")
def kiosks():
    rows = db.session.scalars(
        select(Kiosk).where(current_user.unit_scope_clause(Kiosk.unit_id)).order_by(Kiosk.unit_id, Kiosk.name)).all()
    return render_template("admin/kiosks.html", kiosks=rows)


def _show_token(kiosk, token):
    return _no_store(render_template("admin/kiosk_token.html", kiosk=kiosk, token=token))


@bp.route("/kiosks/new", methods=["GET", "POST"])
def kiosk_new():
    form = KioskForm()
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            kiosk, token = services.create_kiosk(current_user, form_values(form, KioskForm.FIELDS))
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            return _show_token(kiosk, token)
    return _render_form(_("Đăng ký máy đánh giá"), form, url_for("admin.kiosks"),
                        hint=_("Mã thiết bị được tạo và hiển thị một lần sau khi lưu."))


@bp.route("/kiosks/<int:kiosk_id>/edit", methods=["GET", "POST"])
def kiosk_edit(kiosk_id):
    kiosk = _managed_kiosk(kiosk_id)
    form = KioskForm(obj=kiosk)
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            services.update_kiosk(current_user, kiosk, form_values(form, KioskForm.FIELDS))
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu máy đánh giá %(name)s.", name=kiosk.name), "success")
            return redirect(url_for("admin.kiosks"))
    return _render_form(_("Sửa máy đánh giá: %(name)s", name=kiosk.name), form, url_for("admin.kiosks"))


@bp.route("/kiosks/<int:kiosk_id>/revoke", methods=["POST"])
def kiosk_revoke(kiosk_id):
    kiosk = _managed_kiosk(kiosk_id)
    services.revoke_kiosk(current_user, kiosk)
    db.session.commit()
    flash(_("Đã thu hồi máy đánh giá %(name)s; thiết bị không gửi được dữ liệu nữa.", name=kiosk.name), "success")
    return redirect(url_for("admin.kiosks"))


@bp.route("/kiosks/<int:kiosk_id>/reissue", methods=["POST"])
def kiosk_reissue(kiosk_id):
    kiosk = _managed_kiosk(kiosk_id)
    token = services.reissue_kiosk(current_user, kiosk)
    db.session.commit()
    return _show_token(kiosk, token)


# --- routing rules -----------------------------------------------------------------------------

def _rule_scope():
    if current_user.unit is None:
        return RoutingRule.id.is_not(None)
    in_scope = select(Unit.id).where(Unit.subtree_clause(current_user.unit))
    return or_(RoutingRule.match_unit_id.in_(in_scope), RoutingRule.route_to_unit_id.in_(in_scope))


def _managed_rule(rule_id):
    rule = _get_or_404(RoutingRule, rule_id)
    if not services.can_manage_rule(current_user, rule):
        abort(403)
    return rule


@bp.route("/rules")
def rules():
    rows = db.session.scalars(select(RoutingRule).where(_rule_scope())
                              .order_by(RoutingRule.priority, RoutingRule.id)).all()
    return render_template("admin/rules.html", rules=rows, can_manage=lambda r: services.can_manage_rule(current_user, r))


def _rule_form_choices(form):
    categories = db.session.scalars(select(Category).order_by(Category.sort_order, Category.name_vi)).all()
    form.category_id.choices = [(None, _("— Mọi loại —"))] + [(c.id, c.name_vi) for c in categories]
    form.match_unit_id.choices = _unit_choices(blank=_("— Mọi đơn vị —") if current_user.unit is None else None)
    form.route_to_unit_id.choices = _unit_choices()


@bp.route("/rules/new", methods=["GET", "POST"])
def rule_new():
    form = RoutingRuleForm()
    _rule_form_choices(form)
    if form.validate_on_submit():
        try:
            services.create_rule(current_user, form_values(form, RoutingRuleForm.FIELDS))
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã thêm quy tắc chuyển xử lý."), "success")
            return redirect(url_for("admin.rules"))
    return _render_form(_("Thêm quy tắc chuyển xử lý"), form, url_for("admin.rules"),
                        hint=_("Phản ánh mới khớp loại và đơn vị sẽ được chuyển đến đơn vị xử lý; quy tắc có số ưu tiên nhỏ hơn được xét trước. Phản ánh đích danh cán bộ luôn về thủ trưởng đơn vị của cán bộ đó."))


@bp.route("/rules/<int:rule_id>/edit", methods=["GET", "POST"])
def rule_edit(rule_id):
    rule = _managed_rule(rule_id)
    form = RoutingRuleForm(obj=rule)
    _rule_form_choices(form)
    if form.validate_on_submit():
        try:
            services.update_rule(current_user, rule, form_values(form, RoutingRuleForm.FIELDS))
        except AdminError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu quy tắc chuyển xử lý."), "success")
            return redirect(url_for("admin.rules"))
    return _render_form(_("Sửa quy tắc chuyển xử lý"), form, url_for("admin.rules"), delete_rule=rule)


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
def rule_delete(rule_id):
    rule = _managed_rule(rule_id)
    services.delete_rule(current_user, rule)
    db.session.commit()
    flash(_("Đã xóa quy tắc chuyển xử lý."), "success")
    return redirect(url_for("admin.rules"))
