from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from feedback.calendar import local_today
from feedback.cases.rules import CASE_KINDS
from feedback.kiosk.services import normalise_phone
from feedback.widgets import ListSelect


def int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CaseFieldsForm(FlaskForm):
    """What an operator types for a case: caller, unit, staff, category, what happened."""

    caller_phone = StringField(
        _l("Số điện thoại người phản ánh"), validators=[Optional(), Length(max=30)],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off", "placeholder": "0905 123 456"},
    )
    caller_name = StringField(_l("Họ và tên người phản ánh"), validators=[Optional(), Length(max=120)])
    unit_id = SelectField(_l("Đơn vị bị phản ánh"), coerce=int_or_none, validate_choice=False, widget=ListSelect())
    staff_id = SelectField(_l("Cán bộ bị phản ánh"), coerce=int_or_none, validate_choice=False, widget=ListSelect())
    staff_description = StringField(_l("Mô tả cán bộ khi không rõ tên"), validators=[Optional(), Length(max=300)])
    category_id = SelectField(_l("Loại phản ánh"), coerce=int_or_none, validate_choice=False)
    description = TextAreaField(
        _l("Nội dung phản ánh"),
        validators=[DataRequired(_l("Vui lòng nhập nội dung phản ánh.")),
                    Length(min=10, max=5000, message=_l("Nội dung phải dài từ 10 đến 5000 ký tự."))],
    )
    incident_date = DateField(_l("Ngày xảy ra"), validators=[Optional()])
    incident_place = StringField(_l("Nơi xảy ra"), validators=[Optional(), Length(max=300)])
    consent_publish = BooleanField(_l("Người phản ánh đồng ý công khai câu trả lời (đã ẩn thông tin cá nhân)"))
    kind = SelectField(_l("Loại đơn (đơn vị xác định lại khi thụ lý)"), choices=list(CASE_KINDS.items()),
                       default="phan_anh", validate_choice=False)
    denunciation_flag = BooleanField(_l("Có dấu hiệu tố cáo (đòi tiền, nhũng nhiễu, vi phạm pháp luật)"))

    def validate_caller_phone(self, field):
        try:
            field.data = normalise_phone(field.data)
        except ValueError as exc:
            raise ValidationError(_l("Số điện thoại không hợp lệ. Ví dụ: 0905 123 456 hoặc +84 905 123 456.")) from exc

    def validate_incident_date(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_l("Ngày xảy ra không được ở tương lai."))


class CallForm(CaseFieldsForm):
    # One random value per rendered form: the same form sent twice creates one case.
    nonce = HiddenField()
    channel = RadioField(
        _l("Hình thức tiếp nhận"),
        choices=[("operator", _l("Cuộc gọi điện thoại")), ("counter", _l("Người dân đến trực tiếp"))],
        default="operator", validate_choice=False,
        validators=[InputRequired(_l("Vui lòng chọn hình thức tiếp nhận."))],
    )
    submit = SubmitField(_l("Tạo phản ánh"))

    def validate_channel(self, field):
        if field.data not in ("operator", "counter"):
            raise ValidationError(_l("Vui lòng chọn hình thức tiếp nhận."))

    def validate_nonce(self, field):
        value = field.data or ""
        if not (8 <= len(value) <= 64 and value.isalnum()):
            raise ValidationError(_l("Biểu mẫu không hợp lệ, vui lòng tải lại trang."))


class ConvertForm(CaseFieldsForm):
    submit = SubmitField(_l("Tạo phản ánh từ mục này"))


class DismissForm(FlaskForm):
    reason = StringField(
        _l("Lý do bỏ qua"),
        validators=[DataRequired(_l("Vui lòng nhập lý do bỏ qua.")), Length(min=3, max=300, message=_l("Lý do dài từ 3 đến 300 ký tự."))],
        render_kw={"placeholder": _l("Ví dụ: tin nhắn rác, cuộc gọi nhầm, không có nội dung")},
    )
    submit = SubmitField(_l("Bỏ qua mục này"))
