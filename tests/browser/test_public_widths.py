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


@pytest.mark.parametrize("viewport,name", [(PHONE, "phone"), (TABLET, "tablet")])
def test_statistics_labels_are_whole_and_readable(live_server, browser, province, viewport, name):
    """Issue 14: on /statistics category labels were cut off and chart text was tiny on a phone; the period
    was a box to type "2026-Q3" in."""
    from feedback.intake.services import create_case

    long_name = factories.category("giay-to", name_vi="Yêu cầu giấy tờ ngoài thành phần hồ sơ theo quy định")
    create_case(channel="web", description="Đòi thêm giấy tờ", target_unit=province["a"], category=long_name)
    db.session.commit()
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(live_server + "/statistics")
        screenshot(page, f"statistics-{name}")
        texts = page.evaluate("""[...document.querySelectorAll('svg.chart text')].map(t => {
            const r = t.getBoundingClientRect(), s = t.closest('svg').getBoundingClientRect();
            return {text: t.textContent, height: r.height, left: r.left - s.left, right: s.right - r.right}; })""")
        assert texts
        small = [t for t in texts if t["height"] < 13]
        assert not small, small[:3]  # ~14 px text on a 390 px phone
        cut = [t for t in texts if t["left"] < -1 or t["right"] < -1]
        assert not cut, cut[:3]
        shown = " ".join(t["text"] for t in texts)
        assert all(word in shown for word in long_name.name_vi.split())
        # The period is chosen from a list; choosing a quarter reloads the page with it.
        options = page.locator("#period option")
        assert options.count() >= 3 + 4 + 12 - 3
        quarter = page.locator("#period optgroup[label='Quý'] option").first.get_attribute("value")
        page.select_option("#period", quarter)
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state()
        assert f"period={quarter}" in page.url and page.locator("#period").input_value() == quarter
    finally:
        context.close()
