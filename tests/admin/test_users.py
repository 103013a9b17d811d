"""User accounts: create with role and unit, one-time password shown once, reset, deactivate, reset TOTP."""
import re

from sqlalchemy import select

from feedback.extensions import db
from feedback.models import AuditEvent, User
from tests import factories


def _user(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _secret(response):
    return re.search(r'<code id="one-time-secret">([^<]+)</code>', response.get_data(as_text=True)).group(1)


def test_create_user_shows_a_one_time_password_once(app, as_province_admin, tree, client):
    response = as_province_admin.post("/admin/users/new", data={
        "email": "Lan.Nguyen@KhanhHoa.gov.vn", "full_name": "Nguyễn Thị Lan", "role": "unit_head",
        "unit_id": tree["a"].id})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = _secret(response)
    user = _user("lan.nguyen@khanhhoa.gov.vn")
    assert user.role == "unit_head" and user.unit_id == tree["a"].id
    assert user.check_password(password) and user.must_change_password
    assert password not in user.password_hash
    # The password is not shown again anywhere.
    assert password not in as_province_admin.get("/admin/users").get_data(as_text=True)
    assert password not in as_province_admin.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.user_created"))
    assert password not in str(event.data)


def test_create_user_errors(app, as_province_admin, tree, province_admin):
    text = as_province_admin.post("/admin/users/new", data={
        "email": "ADMIN@example.vn", "full_name": "Trùng", "role": "handler", "unit_id": tree["a"].id}
    ).get_data(as_text=True)
    assert "Thư điện tử này đã được dùng cho tài khoản khác." in text
    text = as_province_admin.post("/admin/users/new", data={
        "email": "x@example.vn", "full_name": "Không đơn vị", "role": "handler", "unit_id": ""}).get_data(as_text=True)
    assert "Vai trò này phải gắn với một đơn vị." in text
    text = as_province_admin.post("/admin/users/new", data={
        "email": "x@example.vn", "full_name": "Vai trò lạ", "role": "superuser", "unit_id": ""}).get_data(as_text=True)
    assert "Lựa chọn không hợp lệ" in text
    assert _user("x@example.vn") is None


def test_reset_password_deactivate_and_reset_totp(app, as_province_admin, tree, client):
    user = factories.user("monitor", None, email="gs@example.vn", totp_secret="JBSWY3DPEHPK3PXP", totp_enabled=True,
                          failed_logins=3)
    db.session.commit()
    response = as_province_admin.post(f"/admin/users/{user.id}/reset-password")
    password = _secret(response)
    stored = _user("gs@example.vn")
    assert stored.check_password(password) and stored.must_change_password and stored.failed_logins == 0

    as_province_admin.post(f"/admin/users/{user.id}/reset-totp")
    stored = _user("gs@example.vn")
    assert stored.totp_enabled is False and stored.totp_secret is None

    as_province_admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert _user("gs@example.vn").is_active_account is False
    assert "Đã khóa" in as_province_admin.get("/admin/users").get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))))
    assert {"admin.user_password_reset", "admin.user_totp_reset", "admin.user_deactivated"} <= actions

    # A deactivated account cannot sign in, even with the right password.
    other = app.test_client()
    assert other.post("/auth/login", data={"email": "gs@example.vn", "password": password}).status_code == 401
    as_province_admin.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert _user("gs@example.vn").is_active_account is True
    # After the TOTP reset, the monitor must enrol again.
    response = other.post("/auth/login", data={"email": "gs@example.vn", "password": password})
    assert response.headers["Location"].endswith("/auth/totp/setup")


def test_admin_cannot_lock_out_or_demote_themselves(app, as_province_admin, province_admin, tree):
    response = as_province_admin.post(f"/admin/users/{province_admin.id}/active", data={"active": "0"},
                                      follow_redirects=True)
    assert "Không thể tự khóa tài khoản đang dùng." in response.get_data(as_text=True)
    assert _user("admin@example.vn").is_active_account is True
    text = as_province_admin.post(f"/admin/users/{province_admin.id}/edit", data={
        "email": "admin@example.vn", "full_name": "Quản trị tỉnh", "role": "handler", "unit_id": tree["a"].id}
    ).get_data(as_text=True)
    assert "Không thể tự đổi vai trò hoặc đơn vị của tài khoản đang dùng." in text
    assert _user("admin@example.vn").role == "admin"


def test_edit_user_role_and_unit(app, as_province_admin, tree):
    user = factories.user("handler", tree["a"], email="cv@example.vn")
    db.session.commit()
    response = as_province_admin.post(f"/admin/users/{user.id}/edit", data={
        "email": "cv@example.vn", "full_name": "Chuyên viên mới", "role": "unit_head", "unit_id": tree["b"].id})
    assert response.status_code == 302
    stored = _user("cv@example.vn")
    assert stored.role == "unit_head" and stored.unit_id == tree["b"].id and stored.full_name == "Chuyên viên mới"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.user_updated"))
    assert event.data["role"] == ["handler", "unit_head"]
