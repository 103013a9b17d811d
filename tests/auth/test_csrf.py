"""With CSRF protection on (as in production), a POST without a valid token is refused and changes nothing."""
import re

import pytest
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import Unit, User
from tests import factories
from tests.conftest import login

MESSAGE = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ"


@pytest.fixture
def csrf_client(make_app, app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def _token(client, path):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_login_post_without_token_is_refused(app, csrf_client):
    user = factories.user("handler", email="x@example.vn")
    db.session.commit()
    response = csrf_client.post("/auth/login", data={"email": "x@example.vn", "password": "correct horse battery"})
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is None
    assert csrf_client.get("/auth/account").status_code == 302


def test_admin_post_without_or_with_a_forged_token_changes_nothing(app, csrf_client):
    admin = factories.user("admin", None, totp_secret="JBSWY3DPEHPK3PXP", totp_enabled=True)
    db.session.commit()
    login(csrf_client, admin)
    data = {"code": "XA-MOI", "name": "Xã Mới", "kind": "commune", "parent_id": ""}
    for extra in ({}, {"csrf_token": "forged"}):
        response = csrf_client.post("/admin/units/new", data=data | extra)
        assert response.status_code == 400
        assert MESSAGE in response.get_data(as_text=True)
    reset = csrf_client.post(f"/admin/users/{admin.id}/reset-password")
    assert reset.status_code == 400
    assert db.session.scalar(select(func.count(Unit.id))) == 0
    # With the token from the form, the same post works.
    token = _token(csrf_client, "/admin/units/new")
    assert csrf_client.post("/admin/units/new", data=data | {"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(Unit.name).where(Unit.code == "XA-MOI")) == "Xã Mới"
