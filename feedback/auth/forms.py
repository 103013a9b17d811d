from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Thư điện tử"), validators=[DataRequired(_l("Vui lòng nhập thư điện tử.")), Email(_l("Địa chỉ thư điện tử không hợp lệ."))])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu."))])
    submit = SubmitField(_l("Đăng nhập"))


class TotpForm(FlaskForm):
    code = StringField(_l("Mã xác thực 6 số"), validators=[DataRequired(_l("Vui lòng nhập mã xác thực.")), Length(min=6, max=8)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})
    submit = SubmitField(_l("Xác nhận"))


MIN_PASSWORD_LENGTH = 10


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu hiện tại."))],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("Mật khẩu mới"),
        validators=[DataRequired(_l("Vui lòng nhập mật khẩu mới.")),
                    Length(min=MIN_PASSWORD_LENGTH, max=200, message=_l("Mật khẩu mới phải có ít nhất %(n)s ký tự.", n=MIN_PASSWORD_LENGTH))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[DataRequired(_l("Vui lòng nhập lại mật khẩu mới.")),
                                        EqualTo("new_password", _l("Hai lần nhập mật khẩu mới không khớp."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Đổi mật khẩu"))
