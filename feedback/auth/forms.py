from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Thư điện tử"), validators=[DataRequired(_l("Vui lòng nhập thư điện tử.")), Email(_l("Địa chỉ thư điện tử không hợp lệ."))])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu."))])
    submit = SubmitField(_l("Đăng nhập"))


class TotpForm(FlaskForm):
    code = StringField(_l("Mã xác thực 6 số"), validators=[DataRequired(_l("Vui lòng nhập mã xác thực.")), Length(min=6, max=8)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})
    submit = SubmitField(_l("Xác nhận"))
