"""The operator console in a browser: sign in, log a call, work the queue."""
import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Complaint, IntakeItem
from tests import factories
from tests.browser.conftest import PHONE, TABLET, screenshot


@pytest.fixture
def office(app):
    tree = factories.province_tree()
    operator = factories.user("operator", None, email="tongdai@example.vn", full_name="Hồ Thị Thu", password="mật khẩu tổng đài 1")
    clerk = factories.staff(tree["counter_a"], "Trần Thị Lan", counter_number="3")
    factories.staff(tree["b"], "Võ Minh Tâm")
    factories.category("attitude", name_vi="Thái độ không đúng mực", is_misconduct=True)
    item = factories.intake_item("sms", from_phone="+84912000111", body="can bo xa cam lam doi tien lam giay to", message_sid="SM1")
    db.session.commit()
    return {"tree": tree, "operator": operator, "clerk": clerk, "item": item}


def sign_in(page, live_server):
    page.goto(f"{live_server}/auth/login?next=/console/")
    page.fill("input[name=email]", "tongdai@example.vn")
    page.fill("input[name=password]", "mật khẩu tổng đài 1")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url("**/console/")


def test_operator_logs_a_call_on_a_tablet(live_server, browser, office):
    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, live_server)
        assert page.get_by_role("link", name="Tổng đài").is_visible()
        page.fill("input[name=caller_phone]", "0905 123 456")
        page.fill("input[name=caller_name]", "Nguyễn Văn Dân")
        # Typing without accents narrows the unit list; picking the unit loads its staff.
        page.fill("#unit-filter", "mot cua nha trang")
        assert page.locator("select[name=unit_id]").input_value() == str(office["tree"]["counter_a"].id)
        page.locator("select[name=staff_id] option", has_text="Trần Thị Lan").wait_for(state="attached")
        page.select_option("select[name=staff_id]", label="Trần Thị Lan – Công chức một cửa (quầy 3)")
        page.select_option("select[name=category_id]", label="Thái độ không đúng mực")
        page.fill("textarea[name=description]", "Người dân gọi phản ánh cán bộ quầy 3 quát tháo, <i>không</i> hướng dẫn.")
        page.fill("input[name=incident_place]", "Bộ phận Một cửa phường Nha Trang")
        screenshot(page, "console-1-call-form-tablet")
        page.get_by_role("button", name="Tạo phản ánh").click()
        page.wait_for_url("**/console/cases/**")
        db.session.rollback()
        case = db.session.scalar(select(Complaint))
        assert case.channel == "operator" and case.created_by_id == office["operator"].id
        assert case.staff_id == office["clerk"].id and case.complainant.phone == "+84905123456"
        assert page.locator("h1").inner_text() == f"Phản ánh {case.tracking_code}"
        assert "<i>không</i>" in page.locator("p.pre").inner_text()  # shown as text, not markup
        screenshot(page, "console-2-case-tablet")
    finally:
        context.close()


def test_operator_turns_an_sms_into_a_case_on_a_phone(live_server, browser, office):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.get_by_role("link", name="Hàng chờ xử lý").click()
        assert "can bo xa cam lam doi tien" in page.locator(f"#item-{office['item'].id}").inner_text()
        screenshot(page, "console-3-queue-phone")
        page.get_by_role("link", name=f"Xử lý mục #{office['item'].id}").click()
        assert page.locator("input[name=caller_phone]").input_value() == "+84912000111"
        page.fill("textarea[name=description]", "Cán bộ xã Cam Lâm đòi tiền khi làm giấy tờ.")
        page.fill("#unit-filter", "cam lam")
        screenshot(page, "console-4-convert-phone")
        page.get_by_role("button", name="Tạo phản ánh từ mục này").click()
        page.wait_for_url("**/console/cases/**")
        db.session.rollback()
        item = db.session.get(IntakeItem, office["item"].id)
        assert item.status == "converted"
        assert item.complaint.channel == "sms" and item.complaint.target_unit_id == office["tree"]["b"].id
        screenshot(page, "console-5-case-phone")
    finally:
        context.close()


def test_the_console_fills_unit_and_staff_from_what_the_operator_types(live_server, browser, office):
    """Issue 15: as the operator types what the caller says, triage fills the unit and the staff member."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.fill("textarea[name=description]", "Người dân phản ánh chị Lan quầy 3 trung tâm phường Nha Trang quát tháo")
        expect(page.locator("select[name=unit_id]")).to_have_value(str(office["tree"]["counter_a"].id), timeout=5000)
        expect(page.locator("select[name=staff_id]")).to_have_value(str(office["clerk"].id), timeout=5000)
        expect(page.locator("#triage-hint")).to_contain_text("Gợi ý từ nội dung")
        screenshot(page, "console-triage-suggestion-tablet")
    finally:
        context.close()
