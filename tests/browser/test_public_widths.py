"""No public page scrolls sideways on a phone (390 px) or a tablet (1024 px) (issue 14)."""
import pytest

from feedback.extensions import db
from tests import factories
from tests.browser.conftest import PHONE, TABLET, screenshot
from tests.publication.helpers import publish

PAGES = ["/", "/gui-phan-anh", "/track", "/answers", "/hotlines", "/statistics", "/xep-hang", "/bao-ve-du-lieu-ca-nhan"]


@pytest.fixture
def province(app):
    tree = factories.province_tree()
    category = factories.category("thai-do", name_vi="Thái độ phục vụ")
    for unit in tree.values():
        unit.hotline, unit.email = "0258 3822 222", f"{unit.code.lower()}.mot-cua-khanhhoa-rat-dai@khanhhoa.gov.vn"
        unit.address = "Số 1 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa"
    publish(tree["a"], category, "Công chức một cửa nói trống không với người cao tuổi",
            "Đã nhắc nhở công chức, xin lỗi Ông/Bà.", conclusion="substantiated")
    db.session.commit()
    return tree


@pytest.mark.parametrize("viewport,name", [(PHONE, "phone"), (TABLET, "tablet")])
def test_public_pages_fit_the_screen(live_server, browser, province, viewport, name):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    pages = PAGES + [f"/units/{province['a'].code}/poster"]
    problems = []
    try:
        for path in pages:
            page.goto(live_server + path)
            page.wait_for_load_state()
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(e =>
                    e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                         (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''))
                    .slice(0, 6)""")
                problems.append(f"{path}: {width}px {wide}")
                screenshot(page, f"too-wide-{name}-{path.strip('/').replace('/', '-') or 'home'}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
