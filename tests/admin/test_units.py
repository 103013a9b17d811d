"""Units: the tree page, creating and editing, paths kept right when a unit moves or is renamed."""
from datetime import date

from sqlalchemy import select

from feedback.extensions import db
from feedback.models import AuditEvent, Unit
from tests import factories
from tests.conftest import login


def _unit(code):
    db.session.expire_all()
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _form(unit, **changes):
    data = {"code": unit.code, "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id or "",
            "hotline": unit.hotline or "", "email": unit.email or "", "address": unit.address or "",
            "opening_hours": unit.opening_hours or "", "head_staff_id": unit.head_staff_id or "",
            "acting_head_staff_id": unit.acting_head_staff_id or "", "active_from": "", "active_to": ""}
    if unit.is_monitoring_office:
        data["is_monitoring_office"] = "y"
    data.update(changes)
    return data


def test_admin_area_needs_sign_in_and_the_admin_role(app, client, tree):
    assert "/auth/login" in client.get("/admin/units").headers["Location"]
    handler = factories.user("handler", tree["a"])
    monitor = factories.user("monitor", None)
    db.session.commit()
    for user in (handler, monitor):
        login(client, user)
        response = client.get("/admin/")
        assert response.status_code == 403, response.headers.get("Location")
        assert client.post("/admin/units/new", data={"code": "X", "name": "X", "kind": "commune"}).status_code == 403
    assert _unit("X") is None


def test_admin_whose_second_factor_was_reset_must_enrol_again(app, client, tree):
    admin = factories.user("admin", None)
    db.session.commit()
    login(client, admin)
    response = client.get("/admin/units")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/totp/setup")
    response = client.post("/admin/units/new", data={"code": "X", "name": "X", "kind": "commune", "parent_id": ""})
    assert response.status_code == 302 and _unit("X") is None


def test_staff_menu_shows_admin_entry_for_admins_only(app, client, tree, province_admin):
    handler = factories.user("handler", tree["a"])
    db.session.commit()
    login(client, province_admin)
    assert 'href="/admin/"' in client.get("/auth/account").get_data(as_text=True)
    login(client, handler)
    assert 'href="/admin/"' not in client.get("/auth/account").get_data(as_text=True)


def test_tree_view_indents_children(app, as_province_admin):
    text = as_province_admin.get("/admin/units").get_data(as_text=True)
    rows = text.split('<tr data-depth="')[1:]
    depths = {row.split("<code>")[1].split("</code>")[0]: int(row.split('"')[0]) for row in rows}
    assert depths == {"KH": 0, "KH-SNV": 1, "XA-A": 1, "XA-B": 1, "XA-A-MC": 2}
    assert text.index("<code>XA-A</code>") < text.index("<code>XA-A-MC</code>")
    assert "Cơ quan theo dõi" in text


def test_create_unit_with_every_field(app, as_province_admin, tree):
    response = as_province_admin.post("/admin/units/new", data={
        "code": "XA-C", "name": "Xã Cam Hải", "name_en": "Cam Hai commune", "kind": "commune",
        "parent_id": tree["province"].id, "hotline": "0258 3850 111", "email": "camhai@khanhhoa.gov.vn",
        "address": "Thôn 1, xã Cam Hải", "opening_hours": "Thứ Hai - Thứ Sáu, 7:30-17:00",
        "is_monitoring_office": "y", "active_from": "2025-07-01", "active_to": ""})
    assert response.status_code == 302
    unit = _unit("XA-C")
    assert unit.path == "/KH/XA-C/" and unit.parent_id == tree["province"].id
    assert unit.hotline == "0258 3850 111" and unit.is_monitoring_office
    assert unit.active_from == date(2025, 7, 1) and unit.active_to is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.unit_created"))
    assert event.object_id == str(unit.id) and event.data["code"] == "XA-C"


def test_bad_input_gets_vietnamese_errors_next_to_the_fields(app, as_province_admin, tree):
    response = as_province_admin.post("/admin/units/new", data={
        "code": "XA-A", "name": "", "kind": "commune", "parent_id": tree["province"].id,
        "email": "không-phải-email", "active_from": "2025-13-45"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vui lòng nhập tên đơn vị." in text
    assert "Địa chỉ thư điện tử không hợp lệ." in text
    assert "Ngày không hợp lệ" in text
    response = as_province_admin.post("/admin/units/new", data={
        "code": "xa-a", "name": "Trùng mã", "kind": "commune", "parent_id": tree["province"].id})
    assert "Mã đơn vị đã tồn tại." in response.get_data(as_text=True)
    response = as_province_admin.post("/admin/units/new", data={
        "code": "A/B", "name": "Mã xấu", "kind": "commune", "parent_id": tree["province"].id})
    assert "Mã chỉ gồm chữ không dấu" in response.get_data(as_text=True)
    response = as_province_admin.post("/admin/units/new", data={
        "code": "XA-K", "name": "Loại lạ", "kind": "planet", "parent_id": tree["province"].id})
    assert "Lựa chọn không hợp lệ" in response.get_data(as_text=True)
    assert _unit("A/B") is None and _unit("XA-K") is None


def test_moving_a_unit_rewrites_the_paths_of_its_whole_subtree(app, as_province_admin, tree):
    office = factories.unit("XA-A-MC-T1", "Tổ 1", kind="office", parent=tree["counter_a"])
    db.session.commit()
    response = as_province_admin.post(f"/admin/units/{tree['a'].id}/edit",
                                      data=_form(tree["a"], parent_id=tree["b"].id))
    assert response.status_code == 302
    assert _unit("XA-A").path == "/KH/XA-B/XA-A/"
    assert _unit("XA-A-MC").path == "/KH/XA-B/XA-A/XA-A-MC/"
    assert _unit("XA-A-MC-T1").path == "/KH/XA-B/XA-A/XA-A-MC/XA-A-MC-T1/"
    assert _unit("XA-B").path == "/KH/XA-B/"
    assert _unit("XA-A-MC-T1").is_within(_unit("XA-B"))
    assert office.id


def test_renaming_a_code_rewrites_paths_and_leaves_lookalike_siblings_alone(app, as_province_admin, tree):
    lookalike = factories.unit("XA-AB", "Xã giống tên", parent=tree["province"])
    db.session.commit()
    response = as_province_admin.post(f"/admin/units/{tree['a'].id}/edit", data=_form(tree["a"], code="PH-NT"))
    assert response.status_code == 302
    assert _unit("PH-NT").path == "/KH/PH-NT/"
    assert _unit("XA-A-MC").path == "/KH/PH-NT/XA-A-MC/"
    assert _unit("XA-AB").path == "/KH/XA-AB/" and lookalike.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.unit_updated"))
    assert event.data["code"] == ["XA-A", "PH-NT"] and event.data["subtree_units"] == 2


def test_a_unit_cannot_move_under_itself_or_its_children(app, as_province_admin, tree):
    for target in (tree["a"], tree["counter_a"]):
        response = as_province_admin.post(f"/admin/units/{tree['a'].id}/edit",
                                          data=_form(tree["a"], parent_id=target.id))
        assert response.status_code == 200
        assert "Lựa chọn không hợp lệ" in response.get_data(as_text=True)
    assert _unit("XA-A").path == "/KH/XA-A/"


def test_head_and_acting_head_are_picked_from_the_units_staff(app, as_province_admin, tree):
    head = factories.staff(tree["a"], "Lê Văn Trưởng", position="Chủ tịch UBND", is_leader=True)
    deputy = factories.staff(tree["a"], "Phạm Thị Phó", position="Phó Chủ tịch UBND", is_leader=True)
    outsider = factories.staff(tree["b"], "Người xã khác")
    db.session.commit()
    page = as_province_admin.get(f"/admin/units/{tree['a'].id}/edit").get_data(as_text=True)
    assert "Lê Văn Trưởng" in page and "Người xã khác" not in page
    refused = as_province_admin.post(f"/admin/units/{tree['a'].id}/edit",
                                     data=_form(tree["a"], head_staff_id=outsider.id))
    assert "Lựa chọn không hợp lệ" in refused.get_data(as_text=True)
    assert _unit("XA-A").head_staff_id is None
    ok = as_province_admin.post(f"/admin/units/{tree['a'].id}/edit",
                                data=_form(tree["a"], head_staff_id=head.id, acting_head_staff_id=deputy.id))
    assert ok.status_code == 302
    unit = _unit("XA-A")
    assert unit.head_staff_id == head.id and unit.acting_head_staff_id == deputy.id


def test_active_to_must_follow_active_from(app, as_province_admin, tree):
    response = as_province_admin.post(f"/admin/units/{tree['b'].id}/edit",
                                      data=_form(tree["b"], active_from="01/07/2025", active_to="30/06/2025"))
    assert "Ngày kết thúc phải sau ngày bắt đầu." in response.get_data(as_text=True)
    response = as_province_admin.post(f"/admin/units/{tree['b'].id}/edit",
                                      data=_form(tree["b"], active_from="01/07/2025", active_to="30/06/2026"))
    assert response.status_code == 302
    assert _unit("XA-B").active_to == date(2026, 6, 30)
