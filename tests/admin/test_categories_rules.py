"""Categories with their deadlines, and routing rules."""
from sqlalchemy import select

from feedback.cases.routing import route
from feedback.extensions import db
from feedback.models import AuditEvent, Category, RoutingRule
from tests import factories


def _category(code):
    db.session.expire_all()
    return db.session.scalar(select(Category).where(Category.code == code))


CATEGORY = {"code": "THAI-DO", "name_vi": "Thái độ không đúng mực", "name_en": "Rude attitude",
            "kind": "staff_complaint", "is_misconduct": "y", "accept_days": "1", "answer_days": "5",
            "answer_template": "Kính gửi Ông/Bà...", "sort_order": "10", "active": "y"}


def test_create_and_edit_category(app, as_province_admin):
    assert as_province_admin.post("/admin/categories/new", data=CATEGORY).status_code == 302
    category = _category("THAI-DO")
    assert category.name_en == "Rude attitude" and category.is_misconduct and category.answer_days == 5
    assert category.answer_template == "Kính gửi Ông/Bà..."
    response = as_province_admin.post(f"/admin/categories/{category.id}/edit",
                                      data=CATEGORY | {"answer_days": "7", "accept_days": "0", "active": ""})
    assert response.status_code == 302
    category = _category("THAI-DO")
    assert category.answer_days == 7 and category.accept_days == 0 and category.active is False
    assert "Thái độ không đúng mực" in as_province_admin.get("/admin/categories").get_data(as_text=True)
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["admin.category_created", "admin.category_updated"]


def test_category_deadline_errors(app, as_province_admin):
    text = as_province_admin.post("/admin/categories/new",
                                  data=CATEGORY | {"answer_days": "0", "accept_days": "mười"}).get_data(as_text=True)
    assert "Từ 1 đến 90 ngày." in text and "Vui lòng nhập một số nguyên." in text
    text = as_province_admin.post("/admin/categories/new", data=CATEGORY | {"answer_days": ""}).get_data(as_text=True)
    assert "Vui lòng nhập số ngày." in text
    assert _category("THAI-DO") is None


def test_scoped_admin_cannot_change_province_wide_categories(app, as_admin_a):
    category = factories.category("C-1")
    db.session.commit()
    assert "Loại C-1" in as_admin_a.get("/admin/categories").get_data(as_text=True)
    assert as_admin_a.post("/admin/categories/new", data=CATEGORY).status_code == 403
    assert as_admin_a.post(f"/admin/categories/{category.id}/edit", data=CATEGORY).status_code == 403
    assert _category("THAI-DO") is None


def test_routing_rule_create_edit_delete_and_effect(app, as_province_admin, tree):
    category = factories.category("THU-TUC", kind="suggestion")
    db.session.commit()
    response = as_province_admin.post("/admin/rules/new", data={
        "priority": "10", "category_id": category.id, "match_unit_id": tree["a"].id,
        "route_to_unit_id": tree["counter_a"].id, "active": "y", "note": "Thủ tục về quầy một cửa"})
    assert response.status_code == 302
    rule = db.session.scalar(select(RoutingRule))
    assert route(category.id, tree["a"]) == (tree["counter_a"], "rule")
    assert route(category.id, tree["b"]) == (tree["b"], "chosen_unit")
    as_province_admin.post(f"/admin/rules/{rule.id}/edit", data={
        "priority": "5", "category_id": "", "match_unit_id": tree["a"].id, "route_to_unit_id": tree["monitor"].id,
        "active": "y", "note": ""})
    db.session.expire_all()
    assert route(None, tree["a"]) == (tree["monitor"], "rule")
    as_province_admin.post(f"/admin/rules/{rule.id}/delete")
    db.session.expire_all()
    assert db.session.scalar(select(RoutingRule)) is None
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["admin.routing_rule_created", "admin.routing_rule_updated", "admin.routing_rule_deleted"]


def test_a_template_with_an_unknown_placeholder_is_refused(app, as_province_admin):
    """Issue 14: {unit} and {bien_phap} were left literal in answers; now only known placeholders are saved."""
    data = {**CATEGORY, "code": "THU", "answer_template": "Kính gửi Ông/Bà, {unit_name} đã nhận {ket_luan}."}
    response = as_province_admin.post("/admin/categories/new", data=data)
    assert response.status_code in (200, 400) and "{unit_name}" in response.get_data(as_text=True)
    assert "{don_vi}" in response.get_data(as_text=True)  # the list of what may be used
    data["answer_template"] = "Kính gửi Ông/Bà, {don_vi} đã nhận. Qua xác minh, {ket_luan}. {bien_phap}"
    assert as_province_admin.post("/admin/categories/new", data=data).status_code == 302
