"""Back-office forms. Every select of units lists only the admin's subtree, and a value
outside the listed choices (a crafted request) fails validation with a Vietnamese message."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from feedback.cases.rules import URGENCIES
from feedback.models.case import CATEGORY_KINDS
from feedback.models.org import ROLES, STAFF_KINDS, UNIT_KINDS
from feedback.widgets import ListSelect

_INVALID = object()


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _opt_int(value):
    if value is None or value == "" or value == "None":
        return None
    return int(value)


class ScopedSelectField(SelectField):
    """A select whose submitted value must be one of the choices offered (ids coerced to int/None)."""

    widget = ListSelect()

    def __init__(self, label=None, validators=None, coerce=_opt_int, **kwargs):
        super().__init__(label, validators, coerce=coerce, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = self.coerce(valuelist[0])
            except (ValueError, TypeError):
                self.data = _INVALID

    def pre_validate(self, form):
        if self.data is _INVALID or self.data not in {value for value, _label in (self.choices or [])}:
            raise ValidationError(_l("Lựa chọn không hợp lệ hoặc nằm ngoài phạm vi quản lý."))


class VnDateField(DateField):
    """A date from <input type=date> (yyyy-mm-dd) or typed as dd/mm/yyyy."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                self.data = datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(_l("Ngày không hợp lệ (ngày/tháng/năm)."))


class VnIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Vui lòng nhập một số nguyên.")) from None


def _text(label, max_length, required=False, message=None, **kwargs):
    validators = [DataRequired(message or _l("Vui lòng nhập thông tin này."))] if required else [Optional()]
    validators.append(Length(max=max_length, message=_l("Tối đa %(n)s ký tự.", n=max_length)))
    return StringField(label, validators=validators, filters=[_strip], **kwargs)


_CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", message=_l("Mã chỉ gồm chữ không dấu, số, dấu gạch ngang, gạch dưới, dấu chấm."))


def form_values(form, names):
    """The submitted values of `names`, empty strings as None."""
    values = {}
    for name in names:
        value = getattr(form, name).data
        values[name] = None if value == "" else value
    return values


class UnitForm(FlaskForm):
    code = _text(_l("Mã đơn vị"), 40, required=True, message=_l("Vui lòng nhập mã đơn vị."))
    name = _text(_l("Tên đơn vị"), 200, required=True, message=_l("Vui lòng nhập tên đơn vị."))
    name_en = _text(_l("Tên tiếng Anh"), 200)
    kind = ScopedSelectField(_l("Loại đơn vị"), coerce=str, choices=list(UNIT_KINDS.items()))
    parent_id = ScopedSelectField(_l("Đơn vị cấp trên"))
    hotline = _text(_l("Số đường dây nóng"), 40)
    email = StringField(_l("Thư điện tử"), filters=[_strip],
                        validators=[Optional(), Email(_l("Địa chỉ thư điện tử không hợp lệ.")), Length(max=200)])
    address = _text(_l("Địa chỉ"), 300)
    opening_hours = _text(_l("Giờ tiếp dân"), 200)
    head_staff_id = ScopedSelectField(_l("Thủ trưởng"))
    acting_head_staff_id = ScopedSelectField(_l("Người được giao quyền thủ trưởng"))
    is_monitoring_office = BooleanField(_l("Là cơ quan theo dõi cho các đơn vị cùng cấp và cấp dưới"))
    active_from = VnDateField(_l("Hoạt động từ ngày"), validators=[Optional()])
    active_to = VnDateField(_l("Hoạt động đến ngày"), validators=[Optional()])
    submit = SubmitField(_l("Lưu"))

    FIELDS = ("code", "name", "name_en", "kind", "parent_id", "hotline", "email", "address", "opening_hours",
              "head_staff_id", "acting_head_staff_id", "is_monitoring_office", "active_from", "active_to")

    def validate_code(self, field):
        _CODE(self, field)

    def validate_active_to(self, field):
        if field.data and self.active_from.data and field.data < self.active_from.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))


class StaffForm(FlaskForm):
    full_name = _text(_l("Họ và tên"), 120, required=True, message=_l("Vui lòng nhập họ và tên."))
    position = _text(_l("Chức vụ"), 120, required=True, message=_l("Vui lòng nhập chức vụ."))
    staff_kind = ScopedSelectField(_l("Loại"), coerce=str, choices=list(STAFF_KINDS.items()))
    unit_id = ScopedSelectField(_l("Đơn vị"))
    is_leader = BooleanField(_l("Giữ chức vụ lãnh đạo, quản lý"))
    counter_number = _text(_l("Số quầy"), 20)
    badge_code = _text(_l("Mã thẻ"), 40)
    active = BooleanField(_l("Đang làm việc"), default=True)
    user_id = ScopedSelectField(_l("Tài khoản đăng nhập"))
    submit = SubmitField(_l("Lưu"))

    FIELDS = ("full_name", "position", "staff_kind", "unit_id", "is_leader", "counter_number", "badge_code",
              "active", "user_id")


class StaffImportForm(FlaskForm):
    file = FileField(_l("Tệp CSV danh sách cán bộ"), validators=[FileRequired(_l("Vui lòng chọn tệp CSV."))],
                     render_kw={"accept": ".csv,text/csv"})
    submit = SubmitField(_l("Nhập danh sách"))


class CategoryForm(FlaskForm):
    code = _text(_l("Mã"), 40, required=True, message=_l("Vui lòng nhập mã."))
    name_vi = _text(_l("Tên (tiếng Việt)"), 200, required=True, message=_l("Vui lòng nhập tên tiếng Việt."))
    name_en = _text(_l("Tên (tiếng Anh)"), 200, required=True, message=_l("Vui lòng nhập tên tiếng Anh."))
    kind = ScopedSelectField(_l("Nhóm"), coerce=str, choices=list(CATEGORY_KINDS.items()))
    is_misconduct = BooleanField(_l("Là hành vi sai phạm (báo cơ quan theo dõi, kiểm tra)"))
    accept_days = VnIntegerField(_l("Hạn thụ lý (ngày làm việc)"), default=1, validators=[
        InputRequired(_l("Vui lòng nhập số ngày.")),
        NumberRange(min=0, max=60, message=_l("Từ 0 đến 60 ngày."))])
    answer_days = VnIntegerField(_l("Hạn trả lời (ngày làm việc)"), default=10, validators=[
        InputRequired(_l("Vui lòng nhập số ngày.")), NumberRange(min=1, max=90, message=_l("Từ 1 đến 90 ngày."))])
    default_urgency = ScopedSelectField(_l("Mức độ mặc định"), coerce=str, choices=list(URGENCIES.items()),
                                        default="normal")
    urgent_answer_hours = VnIntegerField(_l("Hạn trả lời khi khẩn (giờ làm việc)"), default=8, validators=[
        Optional(), NumberRange(min=1, max=80, message=_l("Từ 1 đến 80 giờ."))])
    answer_template = TextAreaField(_l("Mẫu trả lời"), filters=[_strip], validators=[Optional(), Length(max=5000)])
    sort_order = VnIntegerField(_l("Thứ tự hiển thị"), default=100, validators=[Optional()])
    active = BooleanField(_l("Đang sử dụng"), default=True)
    submit = SubmitField(_l("Lưu"))

    FIELDS = ("code", "name_vi", "name_en", "kind", "is_misconduct", "accept_days", "answer_days",
              "default_urgency", "urgent_answer_hours", "answer_template", "sort_order", "active")

    def validate_code(self, field):
        _CODE(self, field)


class UserForm(FlaskForm):
    email = EmailField(_l("Thư điện tử"), filters=[_strip], validators=[
        DataRequired(_l("Vui lòng nhập thư điện tử.")), Email(_l("Địa chỉ thư điện tử không hợp lệ.")), Length(max=200)])
    full_name = _text(_l("Họ và tên"), 120, required=True, message=_l("Vui lòng nhập họ và tên."))
    role = ScopedSelectField(_l("Vai trò"), coerce=str, choices=list(ROLES.items()))
    unit_id = ScopedSelectField(_l("Đơn vị (phạm vi được xem)"))
    submit = SubmitField(_l("Lưu"))

    FIELDS = ("email", "full_name", "role", "unit_id")


class KioskForm(FlaskForm):
    name = _text(_l("Tên máy đánh giá"), 120, required=True, message=_l("Vui lòng nhập tên máy đánh giá."))
    unit_id = ScopedSelectField(_l("Đơn vị"))
    counter_number = _text(_l("Số quầy"), 20)
    submit = SubmitField(_l("Lưu"))

    FIELDS = ("name", "unit_id", "counter_number")


class RoutingRuleForm(FlaskForm):
    priority = VnIntegerField(_l("Thứ tự ưu tiên (số nhỏ xét trước)"), default=100, validators=[
        InputRequired(_l("Vui lòng nhập thứ tự ưu tiên.")), NumberRange(min=1, max=10000, message=_l("Từ 1 đến 10000."))])
    category_id = ScopedSelectField(_l("Loại phản ánh"))
    match_unit_id = ScopedSelectField(_l("Áp dụng cho phản ánh về đơn vị (và cấp dưới)"))
    route_to_unit_id = ScopedSelectField(_l("Chuyển đến đơn vị xử lý"))
    active = BooleanField(_l("Đang áp dụng"), default=True)
    note = _text(_l("Ghi chú"), 200)
    submit = SubmitField(_l("Lưu"))

    FIELDS = ("priority", "category_id", "match_unit_id", "route_to_unit_id", "active", "note")
