"""Forms of the case page and the work queue; choices are filled per request, and every id
is checked again by the service (a crafted id is refused with a message, never a 500)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from feedback.cases.rules import CASE_KINDS, URGENCIES
from feedback.cases.services import DECLINE_REASONS, MAX_EXTENSION_DAYS
from feedback.widgets import ListSelect


class IdChoiceField(SelectField):
    """A select of database ids whose errors are in Vietnamese."""

    widget = ListSelect()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = int(valuelist[0])
            except (TypeError, ValueError):
                self.data = None

    def pre_validate(self, form):
        if self.data is None or all(self.data != value for value, _label in self.choices or []):
            raise ValidationError(_l("Lựa chọn không hợp lệ."))


class AssignForm(FlaskForm):
    handler_id = IdChoiceField(_l("Chuyên viên xử lý"))
    submit = SubmitField(_l("Giao xử lý"))


class NoteForm(FlaskForm):
    kind = RadioField(_l("Loại"), choices=[("note", _l("Ghi chú nội bộ (người dân không thấy)")),
                                           ("message", _l("Tin nhắn gửi người phản ánh"))],
                      default="note", validate_choice=False, validators=[InputRequired(_l("Vui lòng chọn loại."))])
    body = TextAreaField(_l("Nội dung"), validators=[DataRequired(_l("Vui lòng nhập nội dung.")),
                                                     Length(max=2000, message=_l("Tối đa 2000 ký tự."))],
                         render_kw={"rows": 3})
    is_question = BooleanField(_l("Đây là câu hỏi, cần người dân trả lời"))
    submit = SubmitField(_l("Lưu"))

    def validate_kind(self, field):
        if field.data not in ("note", "message"):
            raise ValidationError(_l("Lựa chọn không hợp lệ."))


class AttachmentForm(FlaskForm):
    file = FileField(_l("Tệp đính kèm (ảnh hoặc PDF)"))
    submit = SubmitField(_l("Tải lên"))


class AcceptForm(FlaskForm):
    """Thụ lý: the kind and urgency the unit decides (a changed urgency needs a reason; a tố cáo its decision)."""
    kind = SelectField(_l("Loại đơn"), choices=list(CASE_KINDS.items()), validate_choice=False)
    urgency = SelectField(_l("Mức độ"), choices=list(URGENCIES.items()), validate_choice=False)
    reason = StringField(_l("Lý do đổi mức độ"), validators=[Optional(), Length(max=500)])
    decision = StringField(_l("Số quyết định thụ lý (tố cáo)"), validators=[Optional(), Length(max=60)])
    submit = SubmitField(_l("Thụ lý"))


class UrgencyForm(FlaskForm):
    urgency = SelectField(_l("Mức độ"), choices=list(URGENCIES.items()), validate_choice=False)
    reason = StringField(_l("Lý do"), validators=[DataRequired(_l("Vui lòng nêu lý do thay đổi mức độ.")),
                                                  Length(max=500)])


class DeclineForm(FlaskForm):
    reason = SelectField(_l("Lý do không thụ lý"), choices=[("", _l("— Chọn lý do —"))] + list(DECLINE_REASONS.items()),
                         validators=[DataRequired(_l("Vui lòng chọn lý do trong danh sách."))], validate_choice=False)
    duplicate_code = StringField(_l("Mã phản ánh gốc (khi trùng)"), validators=[Optional(), Length(max=16)])
    referred_to = StringField(_l("Cơ quan có thẩm quyền nhận đơn (khi không thuộc thẩm quyền)"),
                              validators=[Optional(), Length(max=255)])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Không thụ lý"))

    def validate_reason(self, field):
        if field.data not in DECLINE_REASONS:
            raise ValidationError(_l("Vui lòng chọn lý do trong danh sách."))


class ExtendForm(FlaskForm):
    days = IntegerField(_l("Số ngày gia hạn"), default=5, validators=[
        InputRequired(_l("Vui lòng nhập số ngày.")),
        NumberRange(min=1, max=MAX_EXTENSION_DAYS, message=_l("Từ 1 đến %(n)s ngày làm việc.", n=MAX_EXTENSION_DAYS))])
    reason = TextAreaField(_l("Lý do gia hạn"), validators=[DataRequired(_l("Vui lòng nêu lý do gia hạn.")),
                                                           Length(max=1000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Gia hạn (chỉ một lần)"))


class LateNoticeForm(FlaskForm):
    """Phiếu xin lỗi và hẹn lại: the reason and the new date the head promises."""
    reason = TextAreaField(_l("Lý do chậm trả lời"), validators=[
        DataRequired(_l("Vui lòng nêu lý do chậm trả lời.")), Length(max=2000)], render_kw={"rows": 3})
    new_date = DateField(_l("Hẹn trả lời trước ngày"), validators=[
        InputRequired(_l("Vui lòng chọn ngày hẹn trả lời mới."))])
    signer_position = StringField(_l("Chức vụ người ký"), validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Lập và gửi thư xin lỗi"))


class ReviewDecisionForm(FlaskForm):
    """The monitoring office on a disputed answer or a declined case: reopen (where) or confirm."""
    decision = RadioField(_l("Quyết định"), choices=[("reopen", _l("Mở lại để xem xét")),
                                                   ("confirm", _l("Giữ nguyên"))],
                          validators=[InputRequired(_l("Vui lòng chọn mở lại hoặc giữ nguyên."))])
    unit_id = IdChoiceField(_l("Đơn vị xem xét lại"))
    note = TextAreaField(_l("Căn cứ quyết định"), validators=[DataRequired(_l("Vui lòng nêu căn cứ của quyết định.")),
                                                             Length(max=2000)], render_kw={"rows": 2})


class ReferralOutcomeForm(FlaskForm):
    outcome = TextAreaField(_l("Kết quả giải quyết của cơ quan có thẩm quyền"), validators=[
        DataRequired(_l("Vui lòng ghi kết quả giải quyết của cơ quan có thẩm quyền.")), Length(max=2000)],
        render_kw={"rows": 2})


class TransferDecisionForm(FlaskForm):
    decision = RadioField(_l("Quyết định"), choices=[("accept", _l("Nhận xử lý")), ("return", _l("Trả lại"))],
                          validators=[InputRequired(_l("Vui lòng chọn nhận hoặc trả lại."))])
    note = TextAreaField(_l("Lý do (bắt buộc khi trả lại)"), validators=[Length(max=1000)], render_kw={"rows": 2})


class TransferForm(FlaskForm):
    unit_id = IdChoiceField(_l("Chuyển đến đơn vị"))
    reason = TextAreaField(_l("Lý do chuyển"), validators=[DataRequired(_l("Vui lòng nêu lý do chuyển xử lý.")),
                                                          Length(max=1000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Chuyển xử lý"))


class RouteForm(FlaskForm):
    unit_id = IdChoiceField(_l("Đơn vị xử lý"))
    category = SelectField(_l("Loại phản ánh"), choices=[], validate_choice=False)
    # A staff member from triage's suggestion, carried by its one-click acceptance.
    suggested_staff_id = HiddenField()
    note = StringField(_l("Ghi chú"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Phân về đơn vị"))


class IdentityRequestForm(FlaskForm):
    reason = TextAreaField(_l("Lý do cần biết danh tính người phản ánh"), validators=[
        DataRequired(_l("Vui lòng nêu lý do.")), Length(min=10, max=1000, message=_l("Từ 10 đến 1000 ký tự."))],
        render_kw={"rows": 2})
    submit = SubmitField(_l("Gửi yêu cầu"))


class IdentityDecisionForm(FlaskForm):
    decision = RadioField(_l("Quyết định"), choices=[("approve", _l("Chấp thuận")), ("refuse", _l("Từ chối"))],
                          validate_choice=False, validators=[InputRequired(_l("Vui lòng chọn quyết định."))])
    note = StringField(_l("Ghi chú"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Xác nhận"))

    def validate_decision(self, field):
        if field.data not in ("approve", "refuse"):
            raise ValidationError(_l("Lựa chọn không hợp lệ."))
