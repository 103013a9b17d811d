"""An administrator signs in with a password and a TOTP code, then creates a unit and a staff member."""
import pyotp
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Staff, Unit
from tests import factories
from tests.browser.conftest import screenshot


def test_admin_creates_a_unit_and_a_staff_member(app, live_server, page):
    units = factories.province_tree()
    secret = pyotp.random_base32()
    factories.user("admin", None, email="admin@example.vn", password="mat-khau-quan-tri",
                   totp_secret=secret, totp_enabled=True)
    db.session.commit()

    page.goto(live_server + "/auth/login")
    page.fill("#email", "admin@example.vn")
    page.fill("#password", "mat-khau-quan-tri")
    page.click("input[type=submit]")
    page.wait_for_url("**/auth/totp")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("input[type=submit]")
    page.wait_for_url(live_server + "/admin/")  # an administrator lands on the administration page

    page.click("text=Quản trị")
    page.click(".admin-nav >> text=Đơn vị")
    page.click("text=Thêm đơn vị")
    page.fill("#code", "XA-CL-MC")
    page.fill("#name", "Bộ phận Một cửa xã Cam Lâm")
    page.select_option("#kind", "one_stop")
    page.select_option("#parent_id", str(units["b"].id))
    page.fill("#hotline", "0258 3999 888")
    page.fill("#opening_hours", "Thứ Hai - Thứ Sáu, 7:30 - 17:00")
    screenshot(page, "admin-unit-form")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/units")
    row = page.locator("tr", has_text="Bộ phận Một cửa xã Cam Lâm")
    assert row.get_attribute("data-depth") == "2"
    screenshot(page, "admin-units-tree")

    page.click(".admin-nav >> text=Cán bộ")
    page.click("text=Thêm cán bộ")
    page.fill("#full_name", "Nguyễn Thị Hòa")
    page.fill("#position", "Công chức Một cửa")
    page.select_option("#staff_kind", "cong_chuc")
    unit_id = db.session.scalar(select(Unit.id).where(Unit.code == "XA-CL-MC"))
    page.select_option("#unit_id", str(unit_id))
    page.fill("#counter_number", "2")
    page.fill("#badge_code", "CL-0002")
    page.click("input[type=submit]")
    page.wait_for_selector("text=Đã thêm cán bộ Nguyễn Thị Hòa.")
    assert "Nguyễn Thị Hòa" in page.locator("table").inner_text()
    screenshot(page, "admin-staff-created")

    db.session.expire_all()
    unit = db.session.get(Unit, unit_id)
    assert unit.path == "/KH/XA-B/XA-CL-MC/" and unit.hotline == "0258 3999 888"
    member = db.session.scalar(select(Staff).where(Staff.badge_code == "CL-0002"))
    assert member.full_name == "Nguyễn Thị Hòa" and member.unit_id == unit_id and member.counter_number == "2"
