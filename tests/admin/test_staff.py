"""Staff directory: list with unit filter and search, create and edit, link to a user account."""
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import AuditEvent, Staff
from tests import factories


def _staff(**where):
    db.session.expire_all()
    return db.session.scalar(select(Staff).filter_by(**where))


def _form(unit_id, **changes):
    data = {"full_name": "Nguyễn Thị Lan", "position": "Công chức một cửa", "staff_kind": "cong_chuc",
            "unit_id": unit_id, "counter_number": "3", "badge_code": "NT-0001", "active": "y", "user_id": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_list_filters_by_unit_subtree_and_searches(app, as_province_admin, tree):
    factories.staff(tree["a"], "Nguyễn Văn An", badge_code="A-1")
    factories.staff(tree["counter_a"], "Trần Thị Bình", position="Văn thư")
    factories.staff(tree["b"], "Lê Văn Cường")
    db.session.commit()
    everyone = as_province_admin.get("/admin/staff").get_data(as_text=True)
    assert all(name in everyone for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"))
    in_a = as_province_admin.get(f"/admin/staff?unit={tree['a'].id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in in_a and "Trần Thị Bình" in in_a and "Lê Văn Cường" not in in_a
    found = as_province_admin.get("/admin/staff?q=Bình").get_data(as_text=True)
    assert "Trần Thị Bình" in found and "Nguyễn Văn An" not in found
    by_badge = as_province_admin.get("/admin/staff?q=a-1").get_data(as_text=True)
    assert "Nguyễn Văn An" in by_badge and "Lê Văn Cường" not in by_badge


def test_create_staff_with_every_field_and_audit(app, as_province_admin, tree):
    account = factories.user("handler", tree["a"], full_name="Nguyễn Thị Lan")
    db.session.commit()
    response = as_province_admin.post("/admin/staff/new", data=_form(tree["counter_a"].id, is_leader="y",
                                                                     user_id=account.id, staff_kind="vien_chuc"))
    assert response.status_code == 302
    member = _staff(badge_code="NT-0001")
    assert member.full_name == "Nguyễn Thị Lan" and member.unit_id == tree["counter_a"].id
    assert member.staff_kind == "vien_chuc" and member.is_leader and member.active
    assert member.counter_number == "3" and member.user_id == account.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.staff_created")).object_id == str(member.id)


def test_staff_errors_are_shown_in_vietnamese(app, as_province_admin, tree):
    factories.staff(tree["a"], badge_code="NT-0001")
    db.session.commit()
    text = as_province_admin.post("/admin/staff/new", data=_form(tree["a"].id, full_name="", staff_kind="chief")
                                  ).get_data(as_text=True)
    assert "Vui lòng nhập họ và tên." in text and "Lựa chọn không hợp lệ" in text
    text = as_province_admin.post("/admin/staff/new", data=_form(tree["a"].id)).get_data(as_text=True)
    assert "Mã thẻ đã được dùng cho cán bộ khác." in text
    assert db.session.scalar(select(Staff).where(Staff.full_name == "Nguyễn Thị Lan")) is None


def test_edit_staff_and_deactivate(app, as_province_admin, tree):
    member = factories.staff(tree["a"], "Hồ Văn Dũng", badge_code="D-1")
    db.session.commit()
    page = as_province_admin.get(f"/admin/staff/{member.id}/edit").get_data(as_text=True)
    assert 'value="Hồ Văn Dũng"' in page
    response = as_province_admin.post(f"/admin/staff/{member.id}/edit", data=_form(
        tree["b"].id, full_name="Hồ Văn Dũng", badge_code="D-1", active=None, counter_number=""))
    assert response.status_code == 302
    member = _staff(id=member.id)
    assert member.unit_id == tree["b"].id and member.active is False and member.counter_number is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.staff_updated"))
    assert event.data["active"] == [True, False]


def test_a_user_account_links_to_one_staff_member_only(app, as_province_admin, tree):
    account = factories.user("handler", tree["a"])
    factories.staff(tree["a"], "Đã gắn", user=account)
    other = factories.staff(tree["a"], "Chưa gắn")
    db.session.commit()
    page = as_province_admin.get(f"/admin/staff/{other.id}/edit").get_data(as_text=True)
    user_select = page.split('id="user_id"')[1].split("</select>")[0]
    assert f'value="{account.id}"' not in user_select
    response = as_province_admin.post(f"/admin/staff/{other.id}/edit",
                                      data=_form(tree["a"].id, full_name="Chưa gắn", badge_code="", user_id=account.id))
    assert "Lựa chọn không hợp lệ" in response.get_data(as_text=True)
    assert _staff(id=other.id).user_id is None
