"""A small province with a unit head, handlers, the named clerk's own account and a monitoring office."""
import pytest
from flask import g

from feedback.extensions import db
from feedback.intake.services import create_case
from tests import factories
from tests.conftest import login

PHONE = "+84905123456"
NAME = "Trần Thị Bí Mật"


class World(dict):
    __getattr__ = dict.__getitem__

    def case(self, staff="clerk", unit=None, contact=True, category=True, description=None, **kw):
        """A case created through the one door (create_case), committed."""
        result = create_case(
            channel="web", description=description or "Cán bộ quầy số 3 yêu cầu nộp thêm giấy tờ không cần thiết.",
            category=(self["category"] if category is True else (category or None)), target_unit=unit or self["tree"]["a"],
            staff=self[staff] if staff else None,
            contact={"full_name": NAME, "phone": PHONE} if contact else None, **kw)
        db.session.commit()
        return result.complaint


@pytest.fixture
def world(app, monkeypatch):
    # Users here never sign in with a password: a cheap hash keeps the fixture fast (scrypt is slow on purpose).
    from werkzeug.security import generate_password_hash

    import feedback.models.org as org

    monkeypatch.setattr(org, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1"))
    tree = factories.province_tree()
    clerk = factories.staff(tree["counter_a"], full_name="Lê Thị Hoa", position="Công chức một cửa")
    head_a_staff = factories.staff(tree["a"], full_name="Nguyễn Văn Trưởng", position="Chủ tịch UBND phường",
                                   is_leader=True)
    tree["a"].head_staff_id = head_a_staff.id
    w = World(tree=tree, clerk=clerk, head_a_staff=head_a_staff)
    w["category"] = factories.category(code="thai-do", name_vi="Thái độ phục vụ", accept_days=1, answer_days=10)
    w["head_a"] = factories.user("unit_head", tree["a"], email="head.a@example.vn", full_name="Trưởng phường A")
    head_a_staff.user_id = w["head_a"].id
    w["handler_a"] = factories.user("handler", tree["a"], email="handler.a@example.vn", full_name="Chuyên viên An")
    w["handler_a2"] = factories.user("handler", tree["counter_a"], email="handler.a2@example.vn",
                                     full_name="Chuyên viên Bình")
    # The clerk named in cases has an account of her own (a handler at the counter).
    w["clerk_user"] = factories.user("handler", tree["counter_a"], email="clerk@example.vn", full_name="Lê Thị Hoa")
    clerk.user_id = w["clerk_user"].id
    w["head_b"] = factories.user("unit_head", tree["b"], email="head.b@example.vn", full_name="Trưởng xã B")
    w["handler_b"] = factories.user("handler", tree["b"], email="handler.b@example.vn", full_name="Chuyên viên Cam")
    w["monitor"] = factories.user("monitor", tree["monitor"], email="monitor@example.vn", full_name="Giám sát Nội vụ")
    w["operator"] = factories.user("operator", tree["province"], email="operator@example.vn",
                                   full_name="Tổng đài viên")
    w["admin"] = factories.user("admin", None, email="admin@example.vn", full_name="Quản trị")
    w["head_province"] = factories.user("unit_head", tree["province"], email="head.kh@example.vn",
                                        full_name="Lãnh đạo tỉnh")
    db.session.commit()
    return w


@pytest.fixture
def as_user(client):
    def sign_in(user):
        """Switch the test client to `user` (None: an anonymous visitor).

        Requests share the test's app context, hence `g`: Flask-Login's cached user is dropped.
        """
        g.pop("_login_user", None)
        with client.session_transaction() as session:
            session.clear()
        if user is not None:
            login(client, user)
        return client

    return sign_in
