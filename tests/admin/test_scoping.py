"""An admin of commune A manages A's subtree only: by URL and by crafted form field."""
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import Kiosk, RoutingRule, Staff, Unit, User
from tests import factories


def _fresh(model, object_id):
    db.session.expire_all()
    return db.session.get(model, object_id)


def test_lists_show_only_the_own_subtree(app, as_admin_a, tree):
    factories.staff(tree["counter_a"], "Cán bộ phường A")
    factories.staff(tree["b"], "Cán bộ xã B")
    factories.user("handler", tree["a"], email="in.a@example.vn")
    factories.user("handler", tree["b"], email="in.b@example.vn")
    factories.user("monitor", None, email="province@example.vn")
    kiosk_b = Kiosk(name="Máy đánh giá xã B", unit=tree["b"])
    kiosk_b.issue_token()
    kiosk_a = Kiosk(name="Máy đánh giá phường A", unit=tree["counter_a"])
    kiosk_a.issue_token()
    db.session.add_all([kiosk_a, kiosk_b])
    db.session.commit()
    units = as_admin_a.get("/admin/units").get_data(as_text=True)
    assert "<code>XA-A</code>" in units and "<code>XA-A-MC</code>" in units
    assert "<code>XA-B</code>" not in units and "<code>KH</code>" not in units
    staff = as_admin_a.get("/admin/staff").get_data(as_text=True)
    assert "Cán bộ phường A" in staff and "Cán bộ xã B" not in staff
    assert "Xã Cam Lâm" not in staff.split('id="unit"')[1].split("</select>")[0]
    users = as_admin_a.get("/admin/users").get_data(as_text=True)
    assert "in.a@example.vn" in users and "in.b@example.vn" not in users and "province@example.vn" not in users
    kiosks = as_admin_a.get("/admin/kiosks").get_data(as_text=True)
    assert "Máy đánh giá phường A" in kiosks and "Máy đánh giá xã B" not in kiosks


def test_other_communes_objects_are_forbidden_by_url(app, as_admin_a, tree):
    member_b = factories.staff(tree["b"], "Cán bộ xã B", badge_code="B-1")
    user_b = factories.user("handler", tree["b"], email="in.b@example.vn")
    province_user = factories.user("monitor", None, email="province@example.vn")
    kiosk_b = Kiosk(name="Máy đánh giá xã B", unit=tree["b"])
    token_b = kiosk_b.issue_token()
    db.session.add(kiosk_b)
    rule_b = RoutingRule(match_unit=tree["b"], route_to_unit=tree["b"], priority=1)
    db.session.add(rule_b)
    db.session.commit()
    for path in (f"/admin/units/{tree['b'].id}/edit", f"/admin/units/{tree['province'].id}/edit",
                 f"/admin/staff/{member_b.id}/edit", f"/admin/staff?unit={tree['b'].id}",
                 f"/admin/users/{user_b.id}/edit", f"/admin/users/{province_user.id}/edit",
                 f"/admin/kiosks/{kiosk_b.id}/edit", f"/admin/rules/{rule_b.id}/edit"):
        assert as_admin_a.get(path).status_code == 403, path
    posts = {
        f"/admin/units/{tree['b'].id}/edit": {"code": "XA-B", "name": "Đổi tên", "kind": "commune",
                                              "parent_id": tree["province"].id},
        f"/admin/staff/{member_b.id}/edit": {"full_name": "Đổi tên", "position": "X", "staff_kind": "cong_chuc",
                                             "unit_id": tree["a"].id},
        f"/admin/users/{user_b.id}/edit": {"email": "in.b@example.vn", "full_name": "Đổi tên", "role": "admin",
                                           "unit_id": tree["a"].id},
        f"/admin/users/{user_b.id}/reset-password": {},
        f"/admin/users/{user_b.id}/active": {"active": "0"},
        f"/admin/users/{province_user.id}/reset-totp": {},
        f"/admin/kiosks/{kiosk_b.id}/revoke": {},
        f"/admin/kiosks/{kiosk_b.id}/reissue": {},
        f"/admin/rules/{rule_b.id}/delete": {},
    }
    for path, data in posts.items():
        assert as_admin_a.post(path, data=data).status_code == 403, path
    assert _fresh(Unit, tree["b"].id).name == "Xã Cam Lâm"
    assert _fresh(Staff, member_b.id).full_name == "Cán bộ xã B"
    user_b = _fresh(User, user_b.id)
    assert user_b.role == "handler" and user_b.is_active_account and user_b.check_password("correct horse battery")
    kiosk_b = _fresh(Kiosk, kiosk_b.id)
    assert kiosk_b.active and kiosk_b.token_hash == Kiosk.hash_token(token_b)
    assert _fresh(RoutingRule, rule_b.id) is not None


def test_crafted_form_fields_outside_the_subtree_are_refused(app, as_admin_a, tree):
    member_a = factories.staff(tree["a"], "Cán bộ A")
    user_a = factories.user("handler", tree["a"], email="in.a@example.vn")
    db.session.commit()
    unit_count = db.session.scalar(select(func.count(Unit.id)))
    cases = [
        ("/admin/units/new", {"code": "XA-MOI", "name": "Xã mới", "kind": "commune", "parent_id": tree["b"].id}),
        ("/admin/units/new", {"code": "XA-MOI", "name": "Xã gốc", "kind": "commune", "parent_id": ""}),
        (f"/admin/units/{tree['counter_a'].id}/edit", {"code": "XA-A-MC", "name": "Một cửa", "kind": "one_stop",
                                                        "parent_id": tree["b"].id}),
        ("/admin/staff/new", {"full_name": "Mới", "position": "X", "staff_kind": "cong_chuc", "unit_id": tree["b"].id}),
        (f"/admin/staff/{member_a.id}/edit", {"full_name": "Cán bộ A", "position": "X", "staff_kind": "cong_chuc",
                                              "unit_id": tree["b"].id}),
        ("/admin/users/new", {"email": "new@example.vn", "full_name": "Mới", "role": "admin", "unit_id": ""}),
        ("/admin/users/new", {"email": "new@example.vn", "full_name": "Mới", "role": "handler",
                              "unit_id": tree["b"].id}),
        (f"/admin/users/{user_a.id}/edit", {"email": "in.a@example.vn", "full_name": "X", "role": "handler",
                                            "unit_id": tree["province"].id}),
        ("/admin/kiosks/new", {"name": "Máy đánh giá", "unit_id": tree["b"].id}),
        ("/admin/rules/new", {"priority": "1", "category_id": "", "match_unit_id": tree["a"].id,
                              "route_to_unit_id": tree["b"].id}),
        ("/admin/rules/new", {"priority": "1", "category_id": "", "match_unit_id": "",
                              "route_to_unit_id": tree["a"].id}),
        ("/admin/units/new", {"code": "XA-MOI", "name": "Xã mới", "kind": "commune", "parent_id": "abc"}),
    ]
    for path, data in cases:
        response = as_admin_a.post(path, data=data)
        assert response.status_code == 200, (path, data)
        assert "Lựa chọn không hợp lệ hoặc nằm ngoài phạm vi quản lý." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Unit.id))) == unit_count
    assert _fresh(Unit, tree["counter_a"].id).parent_id == tree["a"].id
    assert _fresh(Staff, member_a.id).unit_id == tree["a"].id
    assert db.session.scalar(select(func.count(Staff.id))) == 1
    assert db.session.scalar(select(User).where(User.email == "new@example.vn")) is None
    assert _fresh(User, user_a.id).unit_id == tree["a"].id
    assert db.session.scalar(select(func.count(Kiosk.id))) == 0
    assert db.session.scalar(select(func.count(RoutingRule.id))) == 0


def test_scoped_admin_works_inside_the_subtree(app, as_admin_a, tree):
    response = as_admin_a.post("/admin/units/new", data={
        "code": "XA-A-VH", "name": "Phòng Văn hóa - Xã hội", "kind": "office", "parent_id": tree["a"].id,
        "is_monitoring_office": "y"})
    assert response.status_code == 302
    office = db.session.scalar(select(Unit).where(Unit.code == "XA-A-VH"))
    assert office.path == "/KH/XA-A/XA-A-VH/"
    # The admin's own top unit can be edited and keeps its parent outside the subtree.
    response = as_admin_a.post(f"/admin/units/{tree['a'].id}/edit", data={
        "code": "XA-A", "name": "Phường Nha Trang (mới)", "kind": "ward", "parent_id": tree["province"].id,
        "hotline": "0258 1111"})
    assert response.status_code == 302
    unit = _fresh(Unit, tree["a"].id)
    assert unit.name == "Phường Nha Trang (mới)" and unit.parent_id == tree["province"].id
    response = as_admin_a.post("/admin/users/new", data={
        "email": "head.a@example.vn", "full_name": "Thủ trưởng", "role": "unit_head", "unit_id": tree["counter_a"].id})
    assert response.status_code == 200 and 'id="one-time-secret"' in response.get_data(as_text=True)
    response = as_admin_a.post("/admin/rules/new", data={
        "priority": "1", "category_id": "", "match_unit_id": tree["a"].id, "route_to_unit_id": tree["counter_a"].id,
        "active": "y"})
    assert response.status_code == 302
