"""A live server in a thread and Debian's Chromium driven by Playwright.

Chromium comes from Debian (`apt-get install chromium`); Playwright's own browser
download does not work here. CHROMIUM_PATH overrides the location.
"""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import _need

SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "instance", "screenshots"))
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def live_server(app):
    """Serve the test app on 127.0.0.1 on a free port; yields the base URL."""
    app.config["TESTING_HIDE_ERRORS"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    app.config["TESTING_HIDE_ERRORS"] = False


@pytest.fixture(scope="session")
def browser():
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        _need("Chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name):
    """Save a screenshot under instance/screenshots/ (look at it with an image viewer)."""
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    path = os.path.join(SCREENSHOT_DIR, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path
