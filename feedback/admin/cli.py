"""`flask users create --email E --role R [--unit CODE] [--password P] [--name N]`."""
import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup
from sqlalchemy import func, select

from feedback.admin import services
from feedback.extensions import db
from feedback.models import Unit
from feedback.models.org import ROLES

users_cli = AppGroup("users", help="Quản lý tài khoản cán bộ (user accounts).")


@users_cli.command("create")
@click.option("--email", required=True, help="Thư điện tử dùng để đăng nhập.")
@click.option("--role", required=True, help="Vai trò: " + ", ".join(ROLES))
@click.option("--unit", "unit_code", default=None, help="Mã đơn vị giới hạn phạm vi (bỏ trống: toàn tỉnh).")
@click.option("--password", default=None, help="Mật khẩu; bỏ trống để hệ thống tạo mật khẩu dùng một lần.")
@click.option("--name", "full_name", default=None, help="Họ và tên.")
def create_user_command(email, role, unit_code, password, full_name):
    """Create a user; prints a one-time password unless --password is given."""
    if role not in ROLES:
        raise click.ClickException(f"Vai trò không hợp lệ: {role!r}. Chọn một trong: {', '.join(ROLES)}.")
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(func.lower(Unit.code) == unit_code.strip().lower()))
        if unit is None:
            raise click.ClickException(f"Không có đơn vị mã {unit_code!r}.")
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise click.ClickException(f"Địa chỉ thư điện tử không hợp lệ: {email!r}.") from None
    if password is not None and len(password) < 10:
        raise click.ClickException("Mật khẩu phải có ít nhất 10 ký tự.")
    data = {"email": email, "full_name": full_name or email.split("@")[0], "role": role,
            "unit_id": unit.id if unit else None}
    try:
        user, secret = services.create_user(None, data, password=password)
    except services.AdminError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} ({email})") from None
    db.session.commit()
    scope = unit.name if unit else "toàn tỉnh"
    click.echo(f"Đã tạo tài khoản {user.email} (vai trò {role}, phạm vi: {scope}).")
    if password is None:
        click.echo(f"Mật khẩu dùng một lần: {secret}")
        click.echo("Người dùng phải đổi mật khẩu ở lần đăng nhập đầu tiên.")
    if user.needs_totp:
        click.echo("Vai trò này bắt buộc xác thực hai lớp: người dùng sẽ đăng ký ở lần đăng nhập đầu tiên.")
