from tests.browser.conftest import screenshot


def test_home_page_renders_in_vietnamese_on_a_phone(live_server, page):
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text().startswith("Phản ánh, kiến nghị")
    page.click("text=English")
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "home-phone")
