"""The handler's verification form and the unit head's approval, in Chromium."""
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Verification
from tests.browser.conftest import TABLET, screenshot
from tests.outcomes.conftest import PASSWORD, make_world


def _sign_in(page, base, email):
    page.goto(base + "/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state()


def test_handler_verifies_and_head_approves(app, live_server, browser):
    world = make_world()
    code = world.case.tracking_code
    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    page = context.new_page()
    try:
        _sign_in(page, live_server, "handler@example.vn")
        page.goto(f"{live_server}/cases/{code}/verification")
        page.click("text=Bắt đầu xác minh")
        assert "Đã bắt đầu xác minh" in page.locator(".flash").first.inner_text()
        page.check("input[name=methods][value=interview]")
        page.check("input[name=methods][value=camera]")
        page.fill("textarea[name=findings]",
                  "Đã làm việc với công chức quầy số 3; trích xuất camera ngày 03/11 xác nhận nội dung phản ánh.")
        page.check("input[name=conclusion][value=substantiated]")
        screenshot(page, "outcomes-handler-verification-form")
        page.click("button[value=submit]")
        assert "Đã trình kết luận" in page.locator(".flash").first.inner_text()
        assert "Chờ thủ trưởng duyệt" in page.content()
        screenshot(page, "outcomes-handler-verification-submitted")
        page.click("form[action$='/auth/logout'] button")  # sign-out is a POST with the CSRF token
        context.clear_cookies()

        _sign_in(page, live_server, "head@example.vn")
        page.goto(f"{live_server}/cases/{code}/verification")
        assert page.locator("h2", has_text="Duyệt kết luận").is_visible()
        page.click("button.primary:has-text('Xác nhận')")  # no choice made
        assert "Vui lòng chọn duyệt hoặc trả lại" in page.content()
        page.check("input[name=decision][value=approve]")
        page.fill("textarea[name=note]", "Đồng ý với kết luận.")
        screenshot(page, "outcomes-head-approval-form")
        page.click("button.primary:has-text('Xác nhận')")
        assert "Đã duyệt kết luận xác minh" in page.locator(".flash").first.inner_text()
        assert "Đã có kết luận" in page.content()
        screenshot(page, "outcomes-head-approved")
    finally:
        context.close()
    db.session.expire_all()
    verification = db.session.scalar(select(Verification))
    assert verification.status == "approved" and verification.conclusion == "substantiated"
    assert world.case.status == "concluded"


def test_head_approves_and_publishes_a_redacted_answer(app, live_server, browser):
    from feedback.outcomes import services
    from tests.outcomes.helpers import conclude

    world = make_world()
    conclude(world)
    services.save_answer(world.case, world.handler, submit=True, body=(
        "Kính gửi bà Nguyễn Thị Lan,\nQua xác minh, ông Trần Văn Hùng đã yêu cầu giấy tờ ngoài quy định. "
        "Đơn vị đã tổ chức kiểm điểm. Liên hệ 0905 123 456 nếu cần."))
    db.session.commit()
    code = world.case.tracking_code
    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    page = context.new_page()
    try:
        _sign_in(page, live_server, "head@example.vn")
        page.goto(f"{live_server}/cases/{code}/answer")
        public_body = page.locator("textarea[name=public_body]").input_value()
        assert "Nguyễn Thị Lan" not in public_body and "0905 123 456" not in public_body
        assert "Trần Văn Hùng" not in public_body and "Công chức Bộ phận Một cửa" in public_body
        page.check("input[name=decision][value=approve]")
        page.check("input[name=publish]")
        page.fill("textarea[name=public_summary]", "Phản ánh việc yêu cầu giấy tờ ngoài quy định tại quầy số 3.")
        screenshot(page, "outcomes-head-answer-approval")
        page.click("button.primary:has-text('Xác nhận')")
        assert "công khai câu trả lời" in page.locator(".flash").first.inner_text()
        assert "Bản công khai" in page.content()
        screenshot(page, "outcomes-head-answer-published")
    finally:
        context.close()
    db.session.expire_all()
    assert world.case.status == "published"


def test_head_records_a_discipline_decision(app, live_server, browser):
    from datetime import date

    from feedback.models import DisciplineDecision
    from feedback.outcomes import services
    from tests.outcomes.helpers import conclude

    world = make_world(staff_kind="vien_chuc")
    conclude(world)
    services.propose_discipline(world.case, world.handler, proposed_form="khien_trach")
    services.record_review(world.case, world.head, review_date=date(2025, 12, 5), minutes="Họp kiểm điểm.",
                           participants="Tổ chuyên môn")
    db.session.commit()
    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    page = context.new_page()
    try:
        _sign_in(page, live_server, "head@example.vn")
        page.goto(f"{live_server}/cases/{world.case.tracking_code}/discipline")
        options = page.locator("select[name=form] option").all_inner_texts()
        assert "Cách chức" not in options and "Bãi nhiệm" not in options and "Cảnh cáo" in options
        assert "112/2020/NĐ-CP" in page.locator("input[name=legal_basis]").input_value()
        page.check("input[name=outcome][value=decided]")
        page.select_option("select[name=form]", "canh_cao")
        page.fill("input[name=decision_number]", "45/QĐ-TTPVHCC")
        page.fill("input[name=decision_date]", "2025-12-12")
        page.click("form[action$='/discipline/decision'] button.primary")
        assert "Vui lòng nhập người ký" in page.content()
        page.fill("input[name=signer]", "Giám đốc Trung tâm Phục vụ hành chính công")
        page.click("form[action$='/discipline/decision'] button.primary")
        assert "Đã ghi nhận kết quả xử lý kỷ luật" in page.locator(".flash").first.inner_text()
        assert "không hoàn thành nhiệm vụ" in page.content()
        screenshot(page, "outcomes-head-discipline-decided")
    finally:
        context.close()
    db.session.expire_all()
    decision = db.session.scalar(select(DisciplineDecision))
    assert (decision.status, decision.form, decision.decision_number) == ("decided", "canh_cao", "45/QĐ-TTPVHCC")
