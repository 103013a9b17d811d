"""Every change the back office makes: one function per change, each audited.

Callers validate input (forms) and check scope; these functions re-check what a
crafted request could break (subtree, cycles, uniqueness) and never commit.
"""
import csv
import io
import secrets
import string
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from feedback import audit
from feedback.cases.rules import URGENCIES
from feedback.extensions import db
from feedback.models import Category, Kiosk, RoutingRule, Staff, Unit, User, utcnow
from feedback.models.org import ROLES, STAFF_KINDS

# Roles whose work happens inside one unit: they must be attached to one.
ROLES_NEEDING_UNIT = {"unit_head", "handler"}


class AdminError(ValueError):
    """A change refused for a reason the administrator can read (field name optional)."""

    def __init__(self, message, field_name=None):
        super().__init__(message)
        self.message = message
        self.field_name = field_name


def _snapshot(obj, names):
    return {n: getattr(obj, n) for n in names}


def _changes(before, obj):
    return {n: [old, getattr(obj, n)] for n, old in before.items() if getattr(obj, n) != old}


def _add_audited(actor, model, data, fields, action):
    """Create a row from checked form data and audit its values."""
    obj = model(**data)
    db.session.add(obj)
    db.session.flush()
    audit.record(action, actor=actor, obj=obj, **_snapshot(obj, fields))
    return obj


def _update_audited(actor, obj, data, fields, action):
    """Apply checked form data to a row and audit what changed."""
    before = _snapshot(obj, fields)
    for name, value in data.items():
        setattr(obj, name, value)
    db.session.flush()
    audit.record(action, actor=actor, obj=obj, **_changes(before, obj))
    return obj


# --- units -------------------------------------------------------------------------------------

UNIT_FIELDS = ("code", "name", "name_en", "kind", "parent_id", "hotline", "email", "address", "opening_hours",
               "head_staff_id", "acting_head_staff_id", "is_monitoring_office", "active_from", "active_to")


def _check_parent(unit, parent, actor):
    if parent is None:
        if actor.unit is not None and (unit is None or unit.parent_id is not None):
            raise AdminError(_("Chỉ quản lý được các đơn vị thuộc phạm vi của tài khoản."), "parent_id")
        return
    if not actor.can_see_unit(parent):
        # The admin's own top unit may keep the parent it already has.
        if not (unit is not None and unit.parent_id == parent.id):
            raise AdminError(_("Đơn vị cấp trên nằm ngoài phạm vi quản lý."), "parent_id")
    if unit is not None and unit.id is not None and parent.is_within(unit):
        raise AdminError(_("Không thể chọn chính đơn vị này hoặc đơn vị cấp dưới của nó làm đơn vị cấp trên."), "parent_id")


def _check_code(code, unit=None):
    existing = db.session.scalar(select(Unit).where(func.lower(Unit.code) == code.lower()))
    if existing is not None and existing is not unit:
        raise AdminError(_("Mã đơn vị đã tồn tại."), "code")


def _check_heads(unit, data):
    for name in ("head_staff_id", "acting_head_staff_id"):
        staff_id = data.get(name)
        if staff_id is None:
            continue
        member = db.session.get(Staff, staff_id)
        if member is None or unit.id is None or member.unit_id != unit.id:
            raise AdminError(_("Người đứng đầu phải là cán bộ của chính đơn vị này."), name)


def create_unit(actor, data):
    parent = db.session.get(Unit, data["parent_id"]) if data.get("parent_id") else None
    _check_parent(None, parent, actor)
    _check_code(data["code"])
    data = {k: v for k, v in data.items() if k not in ("head_staff_id", "acting_head_staff_id")}
    unit = Unit(**data)
    unit.parent = parent
    unit.path = Unit.path_for(unit.code, parent)
    db.session.add(unit)
    db.session.flush()
    audit.record("admin.unit_created", actor=actor, obj=unit, **_snapshot(unit, UNIT_FIELDS))
    return unit


def update_unit(actor, unit, data):
    """Change a unit; a new code or parent rewrites the paths of its whole subtree."""
    parent = db.session.get(Unit, data["parent_id"]) if data.get("parent_id") else None
    _check_parent(unit, parent, actor)
    _check_code(data["code"], unit)
    _check_heads(unit, data)
    before = _snapshot(unit, UNIT_FIELDS)
    old_path = unit.path
    for name, value in data.items():
        setattr(unit, name, value)
    unit.parent = parent
    new_path = Unit.path_for(unit.code, parent)
    moved = 0
    if new_path != old_path:
        subtree = db.session.scalars(
            select(Unit).where(Unit.path.startswith(old_path, autoescape=True))
        ).all()
        for member in subtree:
            member.path = new_path + member.path[len(old_path):]
            moved += 1
    db.session.flush()
    changes = _changes(before, unit)
    if moved:
        changes["path"] = [old_path, new_path]
        changes["subtree_units"] = moved
    audit.record("admin.unit_updated", actor=actor, obj=unit, **changes)
    return unit


# --- staff -------------------------------------------------------------------------------------

STAFF_FIELDS = ("full_name", "position", "staff_kind", "is_leader", "unit_id", "counter_number", "badge_code",
                "active", "user_id")


def _check_staff(actor, data, member=None):
    unit = db.session.get(Unit, data["unit_id"]) if data.get("unit_id") else None
    if unit is None or not actor.can_see_unit(unit):
        raise AdminError(_("Đơn vị không tồn tại hoặc nằm ngoài phạm vi quản lý."), "unit_id")
    badge = data.get("badge_code")
    if badge:
        existing = db.session.scalar(select(Staff).where(Staff.badge_code == badge))
        if existing is not None and existing is not member:
            raise AdminError(_("Mã thẻ đã được dùng cho cán bộ khác."), "badge_code")
    user_id = data.get("user_id")
    if user_id:
        user = db.session.get(User, user_id)
        if user is None or (actor.unit is not None and not actor.can_see_unit(user.unit)):
            raise AdminError(_("Tài khoản không tồn tại hoặc nằm ngoài phạm vi quản lý."), "user_id")
        linked = db.session.scalar(select(Staff).where(Staff.user_id == user_id))
        if linked is not None and linked is not member:
            raise AdminError(_("Tài khoản này đã gắn với cán bộ khác."), "user_id")
    return unit


def create_staff(actor, data):
    _check_staff(actor, data)
    return _add_audited(actor, Staff, data, STAFF_FIELDS, "admin.staff_created")


def update_staff(actor, member, data):
    _check_staff(actor, data, member)
    return _update_audited(actor, member, data, STAFF_FIELDS, "admin.staff_updated")


# --- staff CSV import --------------------------------------------------------------------------

CSV_COLUMNS = ("full_name", "position", "staff_kind", "unit_code", "counter_number", "badge_code", "is_leader")
CSV_REQUIRED_COLUMNS = ("full_name", "position", "staff_kind", "unit_code")
MAX_IMPORT_ROWS = 5000
_TRUE = {"1", "x", "true", "yes", "y", "co", "có", "c"}
_FALSE = {"", "0", "false", "no", "n", "khong", "không", "k"}


def _fold(text):
    """Lower case without Vietnamese marks (đ included) for matching labels."""
    text = unicodedata.normalize("NFD", (text or "").strip().casefold().replace("đ", "d"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn").replace("_", " ")


_KIND_LOOKUP = {}
for _code, _label in STAFF_KINDS.items():
    _KIND_LOOKUP[_fold(_code)] = _code
    _KIND_LOOKUP[_fold(_label)] = _code


@dataclass
class ImportReport:
    imported: list = field(default_factory=list)  # Staff rows created
    errors: list = field(default_factory=list)  # (line number, reason)
    fatal: str | None = None  # the whole file was refused

    @property
    def ok(self):
        return self.fatal is None and not self.errors


def _decode(raw):
    if isinstance(raw, str):
        return raw.lstrip("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def import_staff_csv(actor, raw):
    """Import a staff list. Good rows are saved, each bad row is reported with its line and reason.

    A bad row saves nothing of itself; each good row is written in its own savepoint.
    """
    report = ImportReport()
    text = _decode(raw)
    if text is None:
        report.fatal = _("Tệp không đọc được: hãy lưu tệp CSV với bảng mã UTF-8.")
        return report
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        report.fatal = _("Tệp trống.")
        return report
    header = [h.strip().lower().lstrip("\ufeff") for h in header]
    missing = [c for c in CSV_REQUIRED_COLUMNS if c not in header]
    if missing:
        report.fatal = _("Thiếu cột bắt buộc: %(cols)s. Dòng đầu tiên phải là: %(all)s.",
                         cols=", ".join(missing), all=",".join(CSV_COLUMNS))
        return report
    index = {name: header.index(name) for name in CSV_COLUMNS if name in header}

    scope_units = {u.code.casefold(): u for u in db.session.scalars(
        select(Unit).where(Unit.subtree_clause(actor.unit)) if actor.unit is not None else select(Unit))}
    seen_badges = {}
    rows = 0
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if rows > MAX_IMPORT_ROWS:
                report.errors.append((line, _("Tệp có quá %(n)s dòng; các dòng còn lại không được nhập.", n=MAX_IMPORT_ROWS)))
                break

            def cell(name, row=row):
                position = index.get(name)
                return row[position].strip() if position is not None and position < len(row) else ""

            reasons = []
            full_name, position = cell("full_name"), cell("position")
            if not full_name:
                reasons.append(_("thiếu họ tên"))
            elif len(full_name) > 120:
                reasons.append(_("họ tên quá dài (tối đa 120 ký tự)"))
            if not position:
                reasons.append(_("thiếu chức vụ"))
            elif len(position) > 120:
                reasons.append(_("chức vụ quá dài (tối đa 120 ký tự)"))
            kind = _KIND_LOOKUP.get(_fold(cell("staff_kind")))
            if kind is None:
                reasons.append(_("loại cán bộ không hợp lệ “%(value)s” (cán bộ, công chức, viên chức, khác)",
                                 value=cell("staff_kind")))
            unit_code = cell("unit_code")
            unit = scope_units.get(unit_code.casefold())
            if not unit_code:
                reasons.append(_("thiếu mã đơn vị"))
            elif unit is None:
                reasons.append(_("không có đơn vị mã “%(code)s” trong phạm vi quản lý", code=unit_code))
            counter = cell("counter_number")
            if len(counter) > 20:
                reasons.append(_("số quầy quá dài (tối đa 20 ký tự)"))
            badge = cell("badge_code") or None
            if badge:
                if len(badge) > 40:
                    reasons.append(_("mã thẻ quá dài (tối đa 40 ký tự)"))
                elif badge in seen_badges:
                    reasons.append(_("mã thẻ “%(badge)s” trùng với dòng %(line)s", badge=badge, line=seen_badges[badge]))
                elif db.session.scalar(select(Staff.id).where(Staff.badge_code == badge)) is not None:
                    reasons.append(_("mã thẻ “%(badge)s” đã có trong danh bạ", badge=badge))
            leader_text = _fold(cell("is_leader"))
            if leader_text not in _TRUE and leader_text not in _FALSE:
                reasons.append(_("cột is_leader phải là có/không (1/0)"))
            if reasons:
                report.errors.append((line, "; ".join(reasons)))
                continue
            if badge:
                seen_badges[badge] = line
            member = Staff(full_name=full_name, position=position, staff_kind=kind, unit=unit,
                           counter_number=counter or None, badge_code=badge, is_leader=leader_text in _TRUE)
            try:
                with db.session.begin_nested():
                    db.session.add(member)
                    db.session.flush()
            except Exception as exc:  # a constraint the checks above did not foresee: report, go on
                report.errors.append((line, _("không lưu được (%(error)s)", error=type(exc).__name__)))
                continue
            report.imported.append(member)
    except csv.Error as exc:
        report.errors.append((reader.line_num, _("dòng CSV hỏng: %(error)s", error=str(exc))))
    audit.record("admin.staff_imported", actor=actor, object_type="staff", imported=len(report.imported),
                 rejected=len(report.errors), lines_rejected=[line for line, _r in report.errors][:200])
    return report


# --- categories --------------------------------------------------------------------------------

CATEGORY_FIELDS = ("code", "name_vi", "name_en", "kind", "is_misconduct", "accept_days", "answer_days",
                   "default_urgency", "urgent_answer_hours", "answer_template", "sort_order", "active")


def _check_category(actor, data, category=None):
    if actor.unit is not None:
        raise AdminError(_("Chỉ quản trị viên cấp tỉnh được sửa danh mục phản ánh."))
    existing = db.session.scalar(select(Category).where(func.lower(Category.code) == data["code"].lower()))
    if existing is not None and existing is not category:
        raise AdminError(_("Mã loại phản ánh đã tồn tại."), "code")
    from feedback.outcomes.services import TEMPLATE_FIELDS, unknown_placeholders

    unknown = unknown_placeholders(data.get("answer_template"))
    if unknown:
        raise AdminError(_("Mẫu trả lời có chỗ điền không dùng được: %(bad)s. Dùng được: %(ok)s.",
                           bad=", ".join("{" + n + "}" for n in unknown),
                           ok=", ".join("{" + n + "}" for n in TEMPLATE_FIELDS)), "answer_template")
    data["urgent_answer_hours"] = data.get("urgent_answer_hours") or 8
    data["default_urgency"] = data.get("default_urgency") or "normal"
    if data["default_urgency"] not in URGENCIES:
        raise AdminError(_("Vui lòng chọn mức độ trong danh sách."), "default_urgency")


def create_category(actor, data):
    _check_category(actor, data)
    return _add_audited(actor, Category, data, CATEGORY_FIELDS, "admin.category_created")


def update_category(actor, category, data):
    _check_category(actor, data, category)
    return _update_audited(actor, category, data, CATEGORY_FIELDS, "admin.category_updated")


# --- users -------------------------------------------------------------------------------------

USER_FIELDS = ("email", "full_name", "role", "unit_id", "is_active_account")
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0OoIl1")


def one_time_password(length=14):
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def _check_user(actor, data, user=None):
    if data["role"] not in ROLES:
        raise AdminError(_("Vai trò không hợp lệ."), "role")
    unit = db.session.get(Unit, data["unit_id"]) if data.get("unit_id") else None
    if data.get("unit_id") and unit is None:
        raise AdminError(_("Đơn vị không tồn tại."), "unit_id")
    # actor None: the command line, which acts for the whole province.
    if actor is not None and actor.unit is not None and (unit is None or not actor.can_see_unit(unit)):
        raise AdminError(_("Đơn vị nằm ngoài phạm vi quản lý."), "unit_id")
    if unit is None and data["role"] in ROLES_NEEDING_UNIT:
        raise AdminError(_("Vai trò này phải gắn với một đơn vị."), "unit_id")
    email = data["email"].strip().lower()
    existing = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if existing is not None and existing is not user:
        raise AdminError(_("Thư điện tử này đã được dùng cho tài khoản khác."), "email")
    data["email"] = email
    return unit


def create_user(actor, data, password=None):
    """Create an account; without a password a one-time one is generated. Returns (user, password)."""
    _check_user(actor, data)
    generated = password is None
    password = password or one_time_password()
    user = User(email=data["email"], full_name=data["full_name"], role=data["role"], unit_id=data.get("unit_id"),
                must_change_password=generated)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("admin.user_created", actor=actor, actor_label=None if actor else "cli", obj=user,
                 **_snapshot(user, USER_FIELDS))
    return user, password


def update_user(actor, user, data):
    _check_user(actor, data, user)
    if user.id == actor.id and (data["role"] != user.role or data.get("unit_id") != user.unit_id):
        raise AdminError(_("Không thể tự đổi vai trò hoặc đơn vị của tài khoản đang dùng."), "role")
    return _update_audited(actor, user, data, USER_FIELDS, "admin.user_updated")


def reset_password(actor, user):
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    user.end_sessions()
    audit.record("admin.user_password_reset", actor=actor, obj=user)
    return password


def set_user_active(actor, user, active):
    if user.id == actor.id and not active:
        raise AdminError(_("Không thể tự khóa tài khoản đang dùng."))
    user.is_active_account = active
    audit.record("admin.user_activated" if active else "admin.user_deactivated", actor=actor, obj=user)


def reset_totp(actor, user):
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_counter = None
    user.end_sessions()
    audit.record("admin.user_totp_reset", actor=actor, obj=user)


# --- kiosks ------------------------------------------------------------------------------------

def _check_kiosk_unit(actor, unit_id):
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None or not actor.can_see_unit(unit):
        raise AdminError(_("Đơn vị không tồn tại hoặc nằm ngoài phạm vi quản lý."), "unit_id")
    return unit


def create_kiosk(actor, data):
    """Register a kiosk; returns (kiosk, token). Only the token's hash is stored."""
    _check_kiosk_unit(actor, data["unit_id"])
    kiosk = Kiosk(name=data["name"], unit_id=data["unit_id"], counter_number=data.get("counter_number") or None)
    token = kiosk.issue_token()
    db.session.add(kiosk)
    db.session.flush()
    audit.record("admin.kiosk_created", actor=actor, obj=kiosk, name=kiosk.name, unit_id=kiosk.unit_id,
                 counter_number=kiosk.counter_number, token_hint=kiosk.token_hint)
    return kiosk, token


def update_kiosk(actor, kiosk, data):
    _check_kiosk_unit(actor, data["unit_id"])
    before = _snapshot(kiosk, ("name", "unit_id", "counter_number"))
    kiosk.name, kiosk.unit_id, kiosk.counter_number = data["name"], data["unit_id"], data.get("counter_number") or None
    db.session.flush()
    audit.record("admin.kiosk_updated", actor=actor, obj=kiosk, **_changes(before, kiosk))
    return kiosk


def revoke_kiosk(actor, kiosk):
    kiosk.active = False
    kiosk.revoked_at = utcnow()
    audit.record("admin.kiosk_revoked", actor=actor, obj=kiosk, token_hint=kiosk.token_hint)


def reissue_kiosk(actor, kiosk):
    """A new token (the old one stops working at once); the kiosk is active again."""
    old_hint = kiosk.token_hint
    token = kiosk.issue_token()
    kiosk.active = True
    kiosk.revoked_at = None
    db.session.flush()
    audit.record("admin.kiosk_token_reissued", actor=actor, obj=kiosk, old_hint=old_hint, token_hint=kiosk.token_hint)
    return token


# --- routing rules -----------------------------------------------------------------------------

RULE_FIELDS = ("priority", "category_id", "match_unit_id", "route_to_unit_id", "active", "note")


def can_manage_rule(actor, rule):
    if actor.unit is None:
        return True
    return rule.match_unit is not None and actor.can_see_unit(rule.match_unit) and actor.can_see_unit(rule.route_to_unit)


def _check_rule(actor, data):
    match_unit = db.session.get(Unit, data["match_unit_id"]) if data.get("match_unit_id") else None
    route_to = db.session.get(Unit, data["route_to_unit_id"]) if data.get("route_to_unit_id") else None
    if data.get("category_id") and db.session.get(Category, data["category_id"]) is None:
        raise AdminError(_("Loại phản ánh không tồn tại."), "category_id")
    if route_to is None or not actor.can_see_unit(route_to):
        raise AdminError(_("Đơn vị xử lý không tồn tại hoặc nằm ngoài phạm vi quản lý."), "route_to_unit_id")
    if data.get("match_unit_id") and match_unit is None:
        raise AdminError(_("Đơn vị không tồn tại."), "match_unit_id")
    if actor.unit is not None and (match_unit is None or not actor.can_see_unit(match_unit)):
        raise AdminError(_("Quy tắc phải áp dụng cho một đơn vị trong phạm vi quản lý."), "match_unit_id")


def create_rule(actor, data):
    _check_rule(actor, data)
    return _add_audited(actor, RoutingRule, data, RULE_FIELDS, "admin.routing_rule_created")


def update_rule(actor, rule, data):
    _check_rule(actor, data)
    return _update_audited(actor, rule, data, RULE_FIELDS, "admin.routing_rule_updated")


def delete_rule(actor, rule):
    snapshot = _snapshot(rule, RULE_FIELDS)
    rule_id = rule.id
    db.session.delete(rule)
    db.session.flush()
    audit.record("admin.routing_rule_deleted", actor=actor, object_type="routing_rules", object_id=rule_id, **snapshot)
