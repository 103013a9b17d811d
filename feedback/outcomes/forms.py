"""Forms for verification, discipline, the answer and the audit view."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, IntegerField, RadioField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from feedback.models.outcome import (APPEAL_OUTCOMES, CONCLUSIONS, DISCIPLINE_FORMS, LIGHTER_MEASURES, PAUSE_GROUNDS,
                                     VERIFICATION_METHODS)


class VnDateField(DateField):
    """A date field whose parse error is in Vietnamese (WTForms ships no Vietnamese catalogue)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Ngày không hợp lệ.")) from None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VerificationForm(FlaskForm):
    # Choices are checked by the service, which answers in Vietnamese.
    methods = MultiCheckboxField(_l("Đã kiểm tra bằng cách"), choices=list(VERIFICATION_METHODS.items()),
                                 validate_choice=False)
    findings = TextAreaField(_l("Kết quả xác minh"), validators=[Length(max=20000)])
    conclusion = RadioField(_l("Kết luận"), choices=list(CONCLUSIONS.items()), validators=[Optional()],
                            validate_choice=False)
    action = StringField(default="save")  # "save" or "submit", set by the button pressed


class EvidenceForm(FlaskForm):
    file = FileField(_l("Tệp chứng cứ (ảnh, PDF, tài liệu, ghi âm, video)"))


class ReviewForm(FlaskForm):
    decision = RadioField(_l("Quyết định"), choices=[("approve", _l("Duyệt")), ("return", _l("Trả lại"))],
                          validators=[InputRequired(_l("Vui lòng chọn duyệt hoặc trả lại.")),
                                      AnyOf(("approve", "return"), _l("Vui lòng chọn duyệt hoặc trả lại."))],
                          validate_choice=False)
    note = TextAreaField(_l("Ý kiến của thủ trưởng"), validators=[Length(max=5000)])


class AnswerReviewForm(ReviewForm):
    publish = BooleanField(_l("Công khai câu trả lời (người phản ánh đã đồng ý)"))
    public_summary = TextAreaField(_l("Tóm tắt nội dung phản ánh (bản công khai)"), validators=[Length(max=20000)])
    public_body = TextAreaField(_l("Nội dung trả lời (bản công khai)"), validators=[Length(max=50000)])


class CloseForm(FlaskForm):
    note = TextAreaField(_l("Ghi chú khi kết thúc (không bắt buộc)"), validators=[Length(max=1000)],
                         render_kw={"rows": 2})


class PublishForm(FlaskForm):
    public_summary = TextAreaField(_l("Tóm tắt nội dung phản ánh (bản công khai)"), validators=[Length(max=20000)])
    public_body = TextAreaField(_l("Nội dung trả lời (bản công khai)"), validators=[Length(max=50000)])


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Nội dung trả lời"), validators=[DataRequired(_l("Nội dung trả lời không được để trống.")),
                                                            Length(max=50000)])
    action = StringField(default="save")


class ProposeDisciplineForm(FlaskForm):
    proposed_form = SelectField(_l("Hình thức đề xuất"), validators=[Optional()], validate_choice=False)
    notes = TextAreaField(_l("Ghi chú, căn cứ đề xuất"), validators=[Length(max=5000)])
    complex_case = BooleanField(_l("Vụ việc phức tạp (thời hạn xử lý 150 ngày thay vì 90 ngày)"))

    def __init__(self, allowed, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposed_form.choices = [("", _l("— Chưa đề xuất hình thức —"))] + [
            (f, DISCIPLINE_FORMS[f]) for f in allowed
        ]


class ReviewMeetingForm(FlaskForm):
    review_date = VnDateField(_l("Ngày họp kiểm điểm"), validators=[InputRequired(_l("Vui lòng nhập ngày họp."))])
    review_participants = TextAreaField(_l("Thành phần tham dự"), validators=[
        DataRequired(_l("Vui lòng ghi thành phần tham dự.")), Length(max=5000)], render_kw={"rows": 2})
    review_minutes = TextAreaField(_l("Biên bản họp kiểm điểm"), validators=[
        DataRequired(_l("Vui lòng ghi biên bản cuộc họp.")), Length(max=20000)])


class MeetingForm(FlaskForm):
    meeting_date = VnDateField(_l("Ngày họp Hội đồng kỷ luật"),
                             validators=[InputRequired(_l("Vui lòng nhập ngày họp."))])
    meeting_participants = TextAreaField(_l("Thành phần Hội đồng, người dự họp"), validators=[
        DataRequired(_l("Vui lòng ghi thành phần tham dự.")), Length(max=5000)], render_kw={"rows": 2})
    meeting_minutes = TextAreaField(_l("Biên bản, kết quả cuộc họp"),
                                    validators=[DataRequired(_l("Vui lòng ghi biên bản cuộc họp.")),
                                                Length(max=20000)])


class PauseForm(FlaskForm):
    ground = SelectField(_l("Căn cứ chưa xem xét xử lý kỷ luật"), choices=list(PAUSE_GROUNDS.items()),
                         validate_choice=False)
    starts_on = VnDateField(_l("Từ ngày"), validators=[InputRequired(_l("Vui lòng nhập ngày bắt đầu."))])
    ends_on = VnDateField(_l("Đến ngày"), validators=[InputRequired(_l("Vui lòng nhập ngày kết thúc."))])
    note = TextAreaField(_l("Giấy tờ làm căn cứ"), validators=[Length(max=2000)], render_kw={"rows": 2})


class AppealForm(FlaskForm):
    filed_on = VnDateField(_l("Ngày khiếu nại"), validators=[InputRequired(_l("Vui lòng nhập ngày khiếu nại."))])
    summary = TextAreaField(_l("Nội dung khiếu nại"), validators=[
        DataRequired(_l("Vui lòng nhập nội dung khiếu nại.")), Length(max=5000)], render_kw={"rows": 2})


class AppealDecisionForm(FlaskForm):
    outcome = SelectField(_l("Kết quả giải quyết"), choices=[(k, v) for k, v in APPEAL_OUTCOMES.items()
                                                             if k != "pending"], validate_choice=False)
    decided_on = VnDateField(_l("Ngày giải quyết"), validators=[InputRequired(_l("Vui lòng nhập ngày."))])
    note = TextAreaField(_l("Ghi chú, số quyết định giải quyết"), validators=[Length(max=5000)],
                         render_kw={"rows": 2})


class DecisionForm(FlaskForm):
    outcome = RadioField(_l("Kết quả"), choices=[("decided", _l("Quyết định kỷ luật")),
                                                ("no_discipline", _l("Không kỷ luật, áp dụng biện pháp nhẹ hơn"))],
                         validators=[InputRequired(_l("Vui lòng chọn kết quả.")),
                                     AnyOf(("decided", "no_discipline"), _l("Vui lòng chọn kết quả."))],
                         validate_choice=False)
    form = SelectField(_l("Hình thức kỷ luật"), validators=[Optional()], validate_choice=False)
    decision_number = StringField(_l("Số quyết định"), validators=[Length(max=60)])
    decision_date = VnDateField(_l("Ngày quyết định"), validators=[Optional()])
    signer = StringField(_l("Người ký"), validators=[Length(max=120)])
    legal_basis = StringField(_l("Căn cứ pháp lý"), validators=[Length(max=300)])
    electing_body = StringField(_l("Cơ quan biểu quyết bãi nhiệm (chỉ với bãi nhiệm)"), validators=[Length(max=200)])
    already_assessed_year = IntegerField(_l("Vi phạm đã được tính khi đánh giá, xếp loại năm (nếu có)"),
                                         validators=[Optional(), NumberRange(min=2000, max=2100)])
    lighter_measure = SelectField(_l("Biện pháp nhẹ hơn"),
                                  choices=[("", _l("— Chọn —"))] + list(LIGHTER_MEASURES.items()),
                                  validators=[Optional()], validate_choice=False)
    notes = TextAreaField(_l("Ghi chú"), validators=[Length(max=5000)])

    def __init__(self, allowed, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.choices = [("", _l("— Chọn —"))] + [(f, DISCIPLINE_FORMS[f]) for f in allowed]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.outcome.data == "decided":
            for field, message in (
                (self.form, _l("Vui lòng chọn hình thức kỷ luật.")),
                (self.decision_number, _l("Vui lòng nhập số quyết định.")),
                (self.decision_date, _l("Vui lòng nhập ngày quyết định.")),
                (self.signer, _l("Vui lòng nhập người ký quyết định.")),
            ):
                value = field.data.strip() if isinstance(field.data, str) else field.data
                if not value:
                    field.errors.append(message)
                    ok = False
        elif self.outcome.data == "no_discipline" and not self.lighter_measure.data:
            self.lighter_measure.errors.append(_l("Vui lòng chọn biện pháp nhẹ hơn đã áp dụng."))
            ok = False
        return ok


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField(_l("Hành động"), validators=[Optional(), Length(max=60)])
    object_type = StringField(_l("Đối tượng"), validators=[Optional(), Length(max=40)])
    object_id = StringField(_l("Mã đối tượng"), validators=[Optional(), Length(max=40)])
    actor = StringField(_l("Người thực hiện"), validators=[Optional(), Length(max=200)])
    date_from = VnDateField(_l("Từ ngày"), validators=[Optional()])
    date_to = VnDateField(_l("Đến ngày"), validators=[Optional()])
