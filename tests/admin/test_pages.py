"""Every back-office page renders for a province-wide and a commune admin."""
from feedback.extensions import db
from feedback.models import Kiosk, RoutingRule
from tests import factories
from tests.conftest import login


def test_every_page_renders(app, client, tree, province_admin, admin_a):
    member = factories.staff(tree["counter_a"], "Cán bộ quầy")
    user = factories.user("handler", tree["a"], email="cv.a@example.vn")
    category = factories.category("C-1")
    kiosk = Kiosk(name="Máy đánh giá A", unit=tree["counter_a"])
    kiosk.issue_token()
    rule = RoutingRule(priority=1, category=category, match_unit=tree["a"], route_to_unit=tree["counter_a"])
    db.session.add_all([kiosk, rule])
    db.session.commit()
    pages = ["/admin/", "/admin/units", "/admin/units/new", f"/admin/units/{tree['a'].id}/edit",
             f"/admin/units/new?parent={tree['a'].id}", "/admin/staff", f"/admin/staff?unit={tree['a'].id}&q=quầy",
             "/admin/staff/new", f"/admin/staff/{member.id}/edit", "/admin/staff/import", "/admin/categories",
             "/admin/users", "/admin/users?role=handler&q=cv", "/admin/users/new", f"/admin/users/{user.id}/edit",
             "/admin/kiosks", "/admin/kiosks/new", f"/admin/kiosks/{kiosk.id}/edit", "/admin/rules",
             "/admin/rules/new", f"/admin/rules/{rule.id}/edit"]
    for admin in (province_admin, admin_a):
        login(client, admin)
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (admin.email, path)
            assert "Quản trị" in response.get_data(as_text=True)
    login(client, province_admin)
    assert client.get(f"/admin/categories/{category.id}/edit").status_code == 200
    assert client.get("/admin/categories/new").status_code == 200
    assert client.get("/admin/units/999999/edit").status_code == 404
    scoped_home = client.get("/admin/").get_data(as_text=True)
    login(client, admin_a)
    assert "Phạm vi quản lý" in client.get("/admin/").get_data(as_text=True)
    assert "Phạm vi quản lý" not in scoped_home
