"""The unit head writes the apology with a new date in Chromium, on a phone and a tablet; the signed
notice is checked as text and rendered to an image for a person to look at (issue 13)."""
import shutil
import subprocess

import pytest

from feedback.calendar import to_local, working_calendar
from feedback.extensions import db
from feedback.models import LateNotice
from tests.browser.conftest import PHONE, SCREENSHOT_DIR, TABLET, screenshot
from tests.outcomes.conftest import PASSWORD, make_world


def _next_working_day_after(day, skip):
    calendar = working_calendar()
    for _ in range(skip):
        day = calendar.next_working_day(day)
    return day


@pytest.mark.parametrize("viewport,name", [(PHONE, "phone"), (TABLET, "tablet")])
def test_the_head_issues_the_written_apology_and_prints_it(app, live_server, browser, tmp_path, viewport, name):
    world = make_world()
    code = world.case.tracking_code
    new_date = _next_working_day_after(to_local(world.case.answer_due_at).date(), 3)
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(live_server + "/auth/login")
        page.fill("input[name=email]", "head@example.vn")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server}/cases/{code}")
        page.click("text=Lập thư xin lỗi và hẹn lại ngày trả lời")
        page.fill("#late-notices textarea[name=reason]", "Chờ Phòng Kinh tế cung cấp bản sao hồ sơ gốc")
        page.fill("#late-notices input[name=new_date]", new_date.isoformat())
        page.fill("#late-notices input[name=signer_position]", "Trưởng Bộ phận Một cửa")
        screenshot(page, f"late-notice-form-{name}")
        page.click("#late-notices button[type=submit]")
        page.wait_for_load_state()
        assert "Đã lập thư xin lỗi số 1" in page.content()
        screenshot(page, f"late-notice-issued-{name}")
        wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right
                                 > document.documentElement.clientWidth + 1).map(e => e.tagName + '.' + e.className
                                 + '#' + e.id).slice(0, 8)""")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], wide
        link = page.locator("#late-notices a", has_text="Thư số 1")
        response = context.request.get(live_server + link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        pdf_bytes = response.body()
    finally:
        context.close()
    db.session.expire_all()
    notice = db.session.query(LateNotice).one()
    assert to_local(notice.new_due_at).date() == new_date and notice.signer_position == "Trưởng Bộ phận Một cửa"
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf_bytes)
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.fail("poppler-utils is needed (apt-get install poppler-utils)")
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
                    .stdout.split())
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ LỜI" in text and new_date.strftime("%d/%m/%Y") in text
    assert "TRƯỞNG BỘ PHẬN MỘT CỬA" in text and "Phạm Quốc Bảo" in text
    # The first page as an image beside the screenshots, to be looked at.
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path),
                    f"{SCREENSHOT_DIR}/late-notice-pdf-{name}"], check=True)
