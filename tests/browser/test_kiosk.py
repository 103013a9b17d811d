"""The counter kiosk on a tablet-sized window: taps, a complaint, a network loss, the idle reset."""
import time

import pytest
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import Complaint, Rating
from tests import factories
from tests.browser.conftest import TABLET, screenshot


@pytest.fixture
def tablet(browser):
    context = browser.new_context(viewport=TABLET, locale="vi-VN", has_touch=True)
    page = context.new_page()
    yield context, page
    context.close()


@pytest.fixture
def counter(app):
    tree = factories.province_tree()
    unit = tree["counter_a"]
    staff = [factories.staff(unit, name, position=pos, counter_number="3") for name, pos in (
        ("Trần Thị Lan", "Công chức Tư pháp - Hộ tịch"),
        ("Lê Văn Bình", "Công chức Địa chính - Xây dựng"),
        ("Nguyễn Thị Hồng Nhung", "Công chức Văn phòng - Thống kê"),
    )]
    factories.category("nhung_nhieu", name_vi="Gây phiền hà, đòi tiền", is_misconduct=True)
    kiosk, token = factories.kiosk(unit, name="Máy đánh giá quầy 3", counter_number="3")
    db.session.commit()
    return {"unit": unit, "staff": staff, "kiosk": kiosk, "token": token}


def wait_for(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # see what the server committed
        value = check()
        if value:
            return value
        time.sleep(0.2)
    return check()


def ratings():
    return db.session.scalars(select(Rating).order_by(Rating.id)).all()


def test_rating_and_complaint_on_a_tablet(live_server, tablet, counter):
    _context, page = tablet
    page.goto(f"{live_server}/kiosk/{counter['token']}")
    assert page.url.endswith("/kiosk/")
    assert page.locator("h1:visible").inner_text() == "Ông/Bà được cán bộ nào phục vụ?"
    screenshot(page, "kiosk-1-staff-tablet")

    # A plain rating: staff, face, reason, send.
    page.get_by_role("button", name="Trần Thị Lan").click()
    assert page.locator("#k-served").inner_text() == "Cán bộ phục vụ: Trần Thị Lan"
    screenshot(page, "kiosk-2-faces-tablet")
    page.get_by_role("button", name="Rất hài lòng", exact=True).click()
    assert page.get_by_role("button", name="Nhiệt tình, chu đáo").is_visible()
    assert not page.get_by_role("button", name="Gây phiền hà, đòi tiền").is_visible()
    page.get_by_role("button", name="Nhiệt tình, chu đáo").click()
    screenshot(page, "kiosk-3-reasons-positive-tablet")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.get_by_text("Cảm ơn Ông/Bà đã đánh giá!").wait_for()
    stored = wait_for(ratings)
    assert len(stored) == 1
    assert (stored[0].score, stored[0].staff_id, stored[0].reason_list) == (5, counter["staff"][0].id, ["good_attitude"])
    screenshot(page, "kiosk-4-thanks-tablet")
    page.get_by_role("button", name="Xong").click()
    assert page.locator("h1:visible").inner_text() == "Ông/Bà được cán bộ nào phục vụ?"

    # A complaint: very unhappy, asked for money, a few words and a phone number.
    page.get_by_role("button", name="Lê Văn Bình").click()
    page.get_by_role("button", name="Rất không hài lòng").click()
    page.get_by_role("button", name="Gây phiền hà, đòi tiền").click()
    page.get_by_role("button", name="Chờ đợi lâu").click()
    screenshot(page, "kiosk-5-reasons-negative-tablet")
    page.get_by_role("button", name="Viết thêm ý kiến, phản ánh").click()
    page.fill("#k-comment", "Anh Bình đòi 200 nghìn mới nhận hồ sơ <b>đất</b>")
    page.fill("#k-phone", "12")
    page.get_by_role("button", name="Gửi", exact=True).click()
    assert "Số điện thoại không hợp lệ" in page.locator("#k-phone-error").inner_text()
    screenshot(page, "kiosk-6-complaint-error-tablet")
    page.fill("#k-phone", "0905 123 456")
    page.get_by_role("button", name="Gửi", exact=True).click()
    page.locator("#k-case-code").wait_for()
    code = page.locator("#k-case-code").inner_text()
    screenshot(page, "kiosk-7-case-thanks-tablet")
    case = wait_for(lambda: db.session.scalar(select(Complaint)))
    assert case.tracking_code == code and case.staff_id == counter["staff"][1].id and case.channel == "kiosk"
    assert case.complainant.phone == "+84905123456"
    assert "<b>đất</b>" in case.description  # stored as typed, escaped when shown
    assert len(ratings()) == 2 and ratings()[1].complaint_id == case.id


def test_rating_tapped_offline_is_sent_once_when_the_network_returns(live_server, tablet, counter):
    context, page = tablet
    page.goto(f"{live_server}/kiosk/{counter['token']}")
    page.get_by_role("button", name="Trần Thị Lan").wait_for()
    context.set_offline(True)
    page.get_by_role("button", name="Trần Thị Lan").click()
    page.get_by_role("button", name="Hài lòng", exact=True).click()
    page.get_by_role("button", name="Giải quyết nhanh").click()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.get_by_text("sẽ tự động gửi khi có mạng").wait_for()
    assert page.locator("#k-pending").inner_text() == "1 đánh giá chưa gửi"
    assert page.locator("#k-offline").is_visible()
    screenshot(page, "kiosk-8-offline-tablet")
    time.sleep(1)
    db.session.rollback()
    assert ratings() == []
    context.set_offline(False)
    stored = wait_for(ratings)
    assert len(stored) == 1 and stored[0].score == 4 and stored[0].reason_list == ["fast"]
    page.locator("#k-pending").wait_for(state="hidden")
    # The queue is empty: nothing is sent again on the next retry.
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    time.sleep(1)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Rating.id))) == 1


def test_idle_screen_resets_and_keeps_the_face_tapped(app, live_server, tablet, counter):
    app.config["KIOSK_IDLE_SECONDS"] = 2
    try:
        _context, page = tablet
        page.goto(f"{live_server}/kiosk/{counter['token']}")
        page.get_by_role("button", name="Nguyễn Thị Hồng Nhung").click()
        page.get_by_role("button", name="Bình thường").click()
        page.get_by_role("button", name="Gửi đánh giá").wait_for()
        page.locator("h1:visible", has_text="Ông/Bà được cán bộ nào phục vụ?").wait_for(timeout=6000)
        stored = wait_for(ratings)
        assert len(stored) == 1 and stored[0].score == 3 and stored[0].staff_id == counter["staff"][2].id
    finally:
        app.config["KIOSK_IDLE_SECONDS"] = 60


def test_revoked_kiosk_shows_a_clear_page(live_server, tablet, counter):
    _context, page = tablet
    counter["kiosk"].active = False
    db.session.commit()
    response = page.goto(f"{live_server}/kiosk/{counter['token']}")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Thiết bị chưa được đăng ký hoặc đã bị thu hồi"
    screenshot(page, "kiosk-9-refused-tablet")
