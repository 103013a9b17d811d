"""A citizen on a phone: submit feedback, read the receipt, track the case (Playwright + Debian Chromium)."""
import re

import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Attachment, Complaint, Rating
from tests.browser.conftest import TABLET, screenshot
from tests.portal.helpers import png_bytes, send_answer, setup_directory


@pytest.fixture
def directory(app):
    return setup_directory()


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "anh-quay-3.png"
    path.write_bytes(png_bytes((64, 48)))
    return str(path)


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_citizen_with_contact_and_photo_submits_then_tracks(live_server, page, directory, photo):
    page.goto(f"{live_server}/gui-phan-anh")
    assert page.locator("h1").inner_text() == "Gửi phản ánh, kiến nghị"
    page.fill("#description", "Cán bộ quầy số 3 yêu cầu nộp bản sao giấy khai sinh không có trong quy định.")
    page.fill("#incident_place", "Bộ phận Một cửa phường Nha Trang")
    # Live, accent-insensitive unit filter.
    page.fill("#unit_q", "nha trang")
    assert page.locator("#unit-live-count").inner_text() == "Tìm thấy 2 đơn vị."
    assert page.locator("#unit option[value=XA-B]").evaluate("o => o.hidden")
    page.select_option("#unit", "XA-A")
    page.wait_for_selector(f"#staff option[value='{directory['clerk'].public_ref}']", state="attached")
    page.select_option("#staff", directory["clerk"].public_ref)
    page.fill("#full_name", "Trần Thị Bí Mật")
    page.fill("#phone", "0905 123 456")
    page.check("#consent_publish")
    page.set_input_files("#attachments", photo)
    assert _no_sideways_scroll(page)
    screenshot(page, "portal-form-phone")
    page.click("#submit")

    page.wait_for_url("**/gui-phan-anh/bien-nhan")
    code = page.locator("#tracking-code").inner_text()
    assert re.fullmatch(r"PA[0-9A-Z]{8}", code)
    secret = page.locator("#tracking-secret").inner_text()  # every case has a secret (issue 11)
    assert re.fullmatch(r"[0-9A-Z]{8}", secret)
    body = page.locator("main").inner_text()
    assert "đã được gửi tới số điện thoại hoặc thư điện tử" in body and "Trần Thị Bí Mật" not in body
    screenshot(page, "portal-receipt-phone")
    case = db.session.scalar(select(Complaint))
    assert case.tracking_code == code and case.staff_id == directory["clerk"].id
    assert case.complainant.phone == "+84905123456"
    assert db.session.scalar(select(Attachment)).original_name == "anh-quay-3.png"

    # Later, on another visit: code + secret (the phone's last digits no longer open anything).
    page.context.clear_cookies()
    page.goto(f"{live_server}/track")
    page.fill("#code", code)
    page.fill("#secret", "0000")
    page.click("#submit")
    assert "không đúng" in page.locator("#track-error").inner_text()
    page.fill("#code", code.lower())
    page.fill("#secret", "3456")
    page.click("#submit")
    assert "không đúng" in page.locator("#track-error").inner_text()
    page.fill("#code", code)
    page.fill("#secret", secret.lower())
    page.click("#submit")
    assert page.locator("#case-status").inner_text() == "Đã tiếp nhận"
    assert "Trần Thị Bí Mật" not in page.content()
    page.fill("#message", "Tôi có biên lai nộp hồ sơ, xin gửi kèm.")
    page.click("#add-info input[type=submit]")
    page.wait_for_selector(".event-message_in")
    assert "Tôi có biên lai nộp hồ sơ" in page.locator("#timeline").inner_text()
    screenshot(page, "portal-track-phone")
    assert _no_sideways_scroll(page)


def test_anonymous_citizen_without_attachment_keeps_code_and_secret(live_server, page, directory):
    page.goto(f"{live_server}/gui-phan-anh?unit=XA-B")
    assert page.locator("#unit").input_value() == "XA-B"
    page.fill("#description", "Cán bộ tư pháp xã nói chuyện điện thoại riêng khi người dân chờ.")
    page.check("#contact_mode-1")
    assert page.locator(".contact-fields").is_hidden()
    page.fill("#staff_description", "Nam, khoảng 40 tuổi, quầy tư pháp")
    page.click("#submit")
    page.wait_for_url("**/gui-phan-anh/bien-nhan")
    code = page.locator("#tracking-code").inner_text()
    secret = page.locator("#tracking-secret").inner_text()
    assert "chỉ hiển thị một lần" in page.locator("main").inner_text()
    page.set_viewport_size(TABLET)
    screenshot(page, "portal-receipt-anonymous-tablet")
    page.reload()
    assert page.locator("#tracking-secret").count() == 0  # shown once

    page.context.clear_cookies()
    page.goto(f"{live_server}/track?code={code}")
    page.fill("#secret", secret)
    page.click("#submit")
    assert page.locator("#case-status").inner_text() == "Đã tiếp nhận"
    assert "Cán bộ tư pháp xã" in page.locator("#case-description").text_content()

    # The unit answers; the citizen reads it and rates it.
    send_answer(db.session.scalar(select(Complaint)), body="UBND xã đã nhắc nhở công chức tư pháp.")
    page.reload()
    assert page.locator("#answer-body").inner_text() == "UBND xã đã nhắc nhở công chức tư pháp."
    screenshot(page, "portal-track-answer-tablet")
    page.check("#satisfied-0")
    page.click(".rating-form input[type=submit]")
    assert page.locator("#answer-rated").inner_text() == "Ông/Bà đã đánh giá: Hài lòng"
    assert db.session.scalar(select(Rating)).score == 4


def test_form_on_tablet_and_small_phone(live_server, page, directory):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/gui-phan-anh")
    page.click("#submit")  # nothing filled in
    assert "Vui lòng cho biết sự việc đã xảy ra." in page.locator("#description-error").inner_text()
    assert page.locator("#unit-error").inner_text() == "Vui lòng chọn đơn vị."
    assert _no_sideways_scroll(page)
    screenshot(page, "portal-form-errors-360")
    page.set_viewport_size(TABLET)
    page.goto(f"{live_server}/gui-phan-anh?unit=XA-A")
    screenshot(page, "portal-form-tablet")
    assert _no_sideways_scroll(page)


def test_form_works_without_javascript(live_server, browser, directory):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/gui-phan-anh")
        page.fill("#description", "Xin khen cán bộ tư pháp đã hướng dẫn rất tận tình.")
        page.fill("#unit_q", "CAM LAM")
        page.click("#find_unit")
        options = [t.strip() for t in page.locator("#unit option").all_text_contents()]
        assert options[1:] == ["Xã Cam Lâm"]
        page.select_option("#unit", "XA-B")
        page.click("#load_staff")
        page.select_option("#staff", directory["other"].public_ref)
        page.check("#contact_mode-1")
        page.click("#submit")
        page.wait_for_url("**/gui-phan-anh/bien-nhan")
        assert page.locator("#tracking-secret").count() == 1
        case = db.session.scalar(select(Complaint))
        assert case.staff_id == directory["other"].id and case.is_anonymous
    finally:
        context.close()


def test_what_the_citizen_writes_pre_fills_the_unit_and_they_can_change_it(live_server, page, directory):
    """Issue 15: the portal pre-fills the unit as the citizen types; a choice of theirs is never overridden."""
    page.goto(f"{live_server}/gui-phan-anh")
    page.fill("#description", "Cán bộ quầy số 3 phường Nha Trang yêu cầu nộp thêm giấy tờ không có trong quy định")
    from playwright.sync_api import expect

    expect(page.locator("#unit")).to_have_value("XA-A-MC", timeout=5000)
    assert page.locator("#suggested-note").is_visible()
    screenshot(page, "portal-suggested-unit-phone")
    # The citizen picks another unit; writing more does not take it back.
    page.select_option("#unit", "XA-B")
    page.fill("#description", "Cán bộ quầy số 3 phường Nha Trang yêu cầu nộp thêm giấy tờ, lần thứ hai")
    page.wait_for_timeout(1200)
    assert page.locator("#unit").input_value() == "XA-B"
