from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from feedback.models.monitoring import FLAG_DECISIONS
from feedback.monitoring.periods import parse_period
from feedback.widgets import ListSelect


def _valid_period(form, field):
    try:
        parse_period(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class ReportForm(FlaskForm):
    period = StringField(_l("Kỳ báo cáo"), validators=[DataRequired(_l("Vui lòng nhập kỳ báo cáo.")), _valid_period],
                         description=_l("Năm (2026), quý (2026-Q3) hoặc tháng (2026-07)"))
    fmt = SelectField(_l("Định dạng"), choices=[("xlsx", "Excel (XLSX)"), ("pdf", "PDF")])


class FlagDecisionForm(FlaskForm):
    decision = SelectField(_l("Quyết định"), choices=list(FLAG_DECISIONS.items()))
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])


class OfficialSurveyForm(FlaskForm):
    unit = SelectField(_l("Đơn vị"), choices=[], validate_choice=False, widget=ListSelect())
    year = IntegerField(_l("Năm khảo sát"), validators=[DataRequired(_l("Vui lòng nhập năm.")), NumberRange(2014, 2100)])
    index_value = DecimalField(_l("Chỉ số hài lòng chính thức (%)"), places=2,
                               validators=[DataRequired(_l("Vui lòng nhập chỉ số.")), NumberRange(0, 100)])
    sample_size = IntegerField(_l("Số phiếu khảo sát"), validators=[Optional(), NumberRange(1, 10_000_000)])
    source = StringField(_l("Nguồn (văn bản công bố kết quả)"),
                         validators=[DataRequired(_l("Vui lòng ghi nguồn số liệu.")), Length(max=300)],
                         description=_l("Ví dụ: Quyết định số 123/QĐ-UBND ngày 15/01/2027 công bố Chỉ số hài lòng năm 2026"))


class SettingsForm(FlaskForm):
    target_year = IntegerField(_l("Năm"), validators=[Optional(), NumberRange(2020, 2100)])
    target_value = IntegerField(_l("Chỉ tiêu hài lòng (%)"), validators=[Optional(), NumberRange(0, 100)])
    threshold = IntegerField(_l("Số lần phản ánh đúng để cảnh báo"),
                             validators=[DataRequired(), NumberRange(1, 100)])
    window_months = IntegerField(_l("Trong khoảng (tháng)"), validators=[DataRequired(), NumberRange(1, 60)])
    triage_unit = IntegerField(_l("Tự động phân về đơn vị khi độ tin cậy từ (%)"),
                               validators=[Optional(), NumberRange(50, 100)])
    triage_staff = IntegerField(_l("Ghi cán bộ bị phản ánh khi độ tin cậy từ (%)"),
                                validators=[Optional(), NumberRange(50, 100)])
    triage_category = IntegerField(_l("Ghi loại phản ánh khi độ tin cậy từ (%)"),
                                   validators=[Optional(), NumberRange(10, 100)])
