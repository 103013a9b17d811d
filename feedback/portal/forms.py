"""Forms of the public portal."""
import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, MultipleFileField, RadioField, SelectField, StringField,
                     SubmitField, TextAreaField, FileField)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from feedback.calendar import local_today
from feedback.widgets import ListSelect

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 5000


def normalise_phone(raw, region="VN"):
    """'0905 123 456' -> '+84905123456'; raises ValueError when it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("invalid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SubmitForm(FlaskForm):
    description = TextAreaField(
        _l("Nội dung phản ánh"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Vui lòng cho biết sự việc đã xảy ra.")),
            Length(min=DESCRIPTION_MIN, max=DESCRIPTION_MAX,
                   message=_l("Nội dung cần từ %(min)d đến %(max)d ký tự.", min=DESCRIPTION_MIN, max=DESCRIPTION_MAX)),
        ],
        render_kw={"rows": 6, "maxlength": DESCRIPTION_MAX},
    )
    incident_date = DateField(_l("Ngày xảy ra"), validators=[Optional()],
                              render_kw={"max": ""})
    incident_place = StringField(_l("Nơi xảy ra"), filters=[_strip],
                                 validators=[Optional(), Length(max=300, message=_l("Tối đa 300 ký tự."))],
                                 render_kw={"maxlength": 300, "placeholder": _l("Ví dụ: quầy số 3, Trung tâm Phục vụ hành chính công xã")})
    unit_q = StringField(_l("Tìm đơn vị"), filters=[_strip], validators=[Optional(), Length(max=100)],
                         render_kw={"type": "search", "autocomplete": "off", "placeholder": _l("Gõ tên, ví dụ: nha trang")})
    unit = SelectField(_l("Đơn vị"), choices=[], validate_choice=False, widget=ListSelect())
    category = SelectField(_l("Loại phản ánh"), choices=[], validate_choice=False, widget=ListSelect())
    staff = SelectField(_l("Cán bộ Ông/Bà muốn phản ánh"), choices=[], validate_choice=False,
                        widget=ListSelect())
    staff_description = StringField(
        _l("Nếu không biết tên: mô tả cán bộ"), filters=[_strip],
        validators=[Optional(), Length(max=300, message=_l("Tối đa 300 ký tự."))],
        render_kw={"maxlength": 300, "placeholder": _l("Ví dụ: nam, khoảng 40 tuổi, ngồi quầy số 2")},
    )
    contact_mode = RadioField(
        _l("Cách nhận kết quả"),
        choices=[("contact", _l("Để lại thông tin liên hệ")), ("anonymous", _l("Gửi ẩn danh"))],
        default="contact",
        validators=[InputRequired(_l("Vui lòng chọn một cách."))],
    )
    full_name = StringField(_l("Họ và tên"), filters=[_strip], validators=[Optional(), Length(max=120)],
                            render_kw={"autocomplete": "name", "maxlength": 120})
    phone = StringField(_l("Số điện thoại"), filters=[_strip], validators=[Optional(), Length(max=30)],
                        render_kw={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "placeholder": "0905 123 456"})
    email = StringField(_l("Thư điện tử"), filters=[_strip],
                        validators=[Optional(), Length(max=200),
                                    Email(_l("Địa chỉ thư điện tử không hợp lệ."), check_deliverability=False)],
                        render_kw={"type": "email", "autocomplete": "email"})
    consent_publish = BooleanField(_l("Tôi đồng ý công khai câu trả lời (không kèm thông tin cá nhân của tôi)"))
    attachments = MultipleFileField(_l("Ảnh hoặc tài liệu (không bắt buộc)"))
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Trang web (để trống)"), render_kw={"tabindex": "-1", "autocomplete": "off"})
    submission_key = HiddenField()
    find_unit = SubmitField(_l("Tìm đơn vị"))
    load_staff = SubmitField(_l("Xem danh sách cán bộ"))
    submit = SubmitField(_l("Gửi phản ánh"))

    def validate_incident_date(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_l("Ngày xảy ra không thể ở tương lai."))

    def validate_unit(self, field):
        if not field.data:
            raise ValidationError(_l("Vui lòng chọn đơn vị."))

    def validate_phone(self, field):
        if self.contact_mode.data == "anonymous" or not field.data:
            return
        try:
            field.data = normalise_phone(field.data)
        except ValueError:
            raise ValidationError(_l("Số điện thoại không hợp lệ. Ví dụ đúng: 0905 123 456.")) from None

    def validate_email(self, field):
        if field.data:
            field.data = field.data.lower()

    def validate_contact_mode(self, field):
        if field.data == "contact" and not (self.phone.data or self.email.data):
            raise ValidationError(
                _l("Vui lòng nhập số điện thoại hoặc thư điện tử để nhận kết quả, hoặc chọn gửi ẩn danh.")
            )


class TrackForm(FlaskForm):
    code = StringField(_l("Mã phản ánh"), filters=[_strip],
                       validators=[DataRequired(_l("Vui lòng nhập mã phản ánh.")), Length(max=30)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "placeholder": "PAXXXXXXXX"})
    secret = StringField(_l("Mã bí mật, hoặc mã xác nhận gửi qua SMS"), filters=[_strip],
                         validators=[Length(max=200)], render_kw={"autocomplete": "off"})
    submit = SubmitField(_l("Tra cứu"))
    send_code = SubmitField(_l("Gửi mã xác nhận qua SMS"))

    def validate_secret(self, field):
        if not self.send_code.data and not field.data:
            raise ValidationError(_l("Vui lòng nhập mã bí mật hoặc mã xác nhận."))


class MessageForm(FlaskForm):
    message = TextAreaField(
        _l("Thông tin bổ sung"), filters=[_strip],
        validators=[DataRequired(_l("Vui lòng nhập nội dung.")),
                    Length(max=3000, message=_l("Tối đa %(max)d ký tự.", max=3000))],
        render_kw={"rows": 4, "maxlength": 3000},
    )
    attachment = FileField(_l("Kèm ảnh hoặc PDF (không bắt buộc)"))
    submit = SubmitField(_l("Gửi thông tin"))


class RatingForm(FlaskForm):
    satisfied = RadioField(_l("Ông/Bà có hài lòng với câu trả lời không?"),
                           choices=[("yes", _l("Hài lòng")), ("no", _l("Chưa hài lòng"))],
                           validators=[InputRequired(_l("Vui lòng chọn Hài lòng hoặc Chưa hài lòng."))])
    reason = TextAreaField(_l("Lý do (bắt buộc nếu chưa hài lòng)"), filters=[_strip],
                           validators=[Optional(), Length(max=1000, message=_l("Tối đa %(max)d ký tự.", max=1000))],
                           render_kw={"rows": 3, "maxlength": 1000})
    submit = SubmitField(_l("Gửi đánh giá"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and self.satisfied.data == "no" and not self.reason.data:
            self.reason.errors = [_l("Vui lòng cho biết lý do Ông/Bà chưa hài lòng.")]
            return False
        return valid


class DisputeForm(FlaskForm):
    dispute_reason = TextAreaField(
        _l("Vì sao Ông/Bà không đồng ý với câu trả lời?"), filters=[_strip],
        validators=[DataRequired(_l("Vui lòng nêu lý do không đồng ý với câu trả lời.")),
                    Length(max=2000, message=_l("Tối đa %(max)d ký tự.", max=2000))],
        render_kw={"rows": 4, "maxlength": 2000},
    )
    submit = SubmitField(_l("Đề nghị xem xét lại"))
