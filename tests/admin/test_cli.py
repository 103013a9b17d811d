"""`flask users create` (CONTRACT.md)."""
import re

from sqlalchemy import select

from feedback.extensions import db
from feedback.models import AuditEvent, User
from tests import factories


def _user(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_create_prints_a_one_time_password(app, runner):
    factories.province_tree()
    db.session.commit()
    result = runner.invoke(args=["users", "create", "--email", "Head.A@example.vn", "--role", "unit_head",
                                 "--unit", "xa-a", "--name", "Nguyễn Văn Trưởng"])
    assert result.exit_code == 0, result.output
    password = re.search(r"Mật khẩu dùng một lần: (\S+)", result.output).group(1)
    user = _user("head.a@example.vn")
    assert user.role == "unit_head" and user.unit.code == "XA-A" and user.full_name == "Nguyễn Văn Trưởng"
    assert user.check_password(password) and user.must_change_password
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.user_created"))
    assert event.actor_label == "cli" and password not in str(event.data)


def test_create_with_a_given_password_prints_no_password(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "root@example.vn", "--role", "admin",
                                 "--password", "mot-mat-khau-dai"])
    assert result.exit_code == 0, result.output
    assert "Mật khẩu dùng một lần" not in result.output and "mot-mat-khau-dai" not in result.output
    assert "xác thực hai lớp" in result.output
    user = _user("root@example.vn")
    assert user.unit is None and user.check_password("mot-mat-khau-dai") and not user.must_change_password


def test_clear_errors(app, runner):
    factories.user("handler", None, email="taken@example.vn")
    db.session.commit()
    cases = [
        (["--email", "x@example.vn", "--role", "boss"], "Vai trò không hợp lệ: 'boss'"),
        (["--email", "x@example.vn", "--role", "handler", "--unit", "NOPE"], "Không có đơn vị mã 'NOPE'"),
        (["--email", "TAKEN@example.vn", "--role", "operator"], "Thư điện tử này đã được dùng cho tài khoản khác."),
        (["--email", "not-an-email", "--role", "operator"], "Địa chỉ thư điện tử không hợp lệ"),
        (["--email", "x@example.vn", "--role", "operator", "--password", "short"], "ít nhất 10 ký tự"),
        (["--email", "x@example.vn", "--role", "handler"], "Vai trò này phải gắn với một đơn vị."),
    ]
    for args, message in cases:
        result = runner.invoke(args=["users", "create", *args])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
    assert _user("x@example.vn") is None
