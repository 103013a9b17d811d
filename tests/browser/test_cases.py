"""The unit head's and the handler's screens in a browser: queue, case page, assignment, acceptance, note."""
import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import CaseEvent, Complaint
from tests import factories
from tests.browser.conftest import TABLET, screenshot

PASSWORD = "mật khẩu đơn vị 2026"


@pytest.fixture
def ward(app):
    tree = factories.province_tree()
    clerk = factories.staff(tree["counter_a"], "Lê Thị Hoa", position="Công chức một cửa", counter_number="3")
    category = factories.category("thai-do", name_vi="Thái độ phục vụ", is_misconduct=True)
    head = factories.user("unit_head", tree["a"], email="truong@example.vn", full_name="Nguyễn Văn Trưởng",
                          password=PASSWORD)
    handler = factories.user("handler", tree["a"], email="chuyenvien@example.vn", full_name="Phạm Thị An",
                             password=PASSWORD)
    cases = []
    for text in ("Cán bộ quầy số 3 yêu cầu nộp thêm bản sao giấy khai sinh không có trong quy định.",
                 "Cán bộ quầy số 3 nói chuyện điện thoại riêng khi người dân chờ."):
        cases.append(create_case(channel="web", description=text, category=category, target_unit=tree["a"],
                                 staff=clerk, contact={"full_name": "Trần Bí Mật", "phone": "+84905123456"}).complaint)
    db.session.commit()
    return {"tree": tree, "head": head, "handler": handler, "cases": cases}


def _sign_in(page, live_server, email):
    page.goto(f"{live_server}/auth/login?next=/cases/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url("**/cases/")


def test_unit_head_assigns_and_handler_accepts_and_notes(live_server, browser, ward):
    code = ward["cases"][0].tracking_code
    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    page = context.new_page()
    try:
        _sign_in(page, live_server, "truong@example.vn")
        assert page.locator("h1").inner_text() == "Hồ sơ phản ánh của đơn vị"
        assert page.locator("table.case-table tbody tr").count() == 2
        assert "Trần Bí Mật" not in page.content() and "905123456" not in page.content()
        screenshot(page, "cases-1-head-queue")
        page.get_by_role("link", name=code).click()
        page.wait_for_url(f"**/cases/{code}")
        assert "Danh tính người phản ánh được bảo vệ" in page.inner_text("section.identity")
        page.select_option("select[name=handler_id]", label="Phạm Thị An (Phường Nha Trang)")
        page.get_by_role("button", name="Giao xử lý").click()
        page.wait_for_url(f"**/cases/{code}")
        assert "Đã giao xử lý." in page.inner_text(".flash")
        assert page.inner_text("dd.assigned") == "Phạm Thị An"
        screenshot(page, "cases-2-head-case-assigned")
        page.click("form[action$='/auth/logout'] button")  # sign-out is a POST with the CSRF token

        _sign_in(page, live_server, "chuyenvien@example.vn")
        page.goto(f"{live_server}/cases/?mine=1")
        assert page.locator("table.case-table tbody tr").count() == 1
        screenshot(page, "cases-3-handler-queue")
        page.get_by_role("link", name=code).click()
        page.get_by_role("button", name="Thụ lý").click()
        assert "Đã thụ lý phản ánh." in page.inner_text(".flash")
        page.fill("textarea[name=body]", "Đã làm việc với cán bộ quầy số 3, chờ trích xuất camera.")
        page.get_by_role("button", name="Lưu").click()
        assert "Đã lưu ghi chú nội bộ." in page.inner_text(".flash")
        assert "chờ trích xuất camera" in page.inner_text("ol.timeline")
        page.get_by_label("Tin nhắn gửi người phản ánh").check()
        page.fill("textarea[name=body]", "Xin cho biết giờ bạn đến quầy?")
        page.get_by_role("button", name="Lưu").click()
        assert "Đã gửi tin nhắn cho người phản ánh qua hệ thống." in page.inner_text(".flash")
        screenshot(page, "cases-4-handler-case")
        db.session.rollback()
        case = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
        assert case.status == "accepted" and case.assigned_to_id == ward["handler"].id
        kinds = [e.kind for e in db.session.scalars(select(CaseEvent).where(CaseEvent.complaint_id == case.id))]
        assert "note" in kinds and "message_out" in kinds
    finally:
        context.close()
