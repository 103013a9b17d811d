"""The monitoring office's screens and one rendered page of each report format, looked at."""
import subprocess

from html import escape

import pyotp
from openpyxl import load_workbook

from feedback.extensions import db
from feedback.jobs import relay_pending
from feedback.models import ReportRun
from feedback.monitoring.periods import parse_period
from feedback.monitoring.reports import build_report
from tests.browser.conftest import TABLET, screenshot
from tests.monitoring.conftest import world  # noqa: F401  (fixture)
from tests.monitoring.test_reports import _data


def _sign_in(page, live_server, user, secret):
    page.goto(live_server + "/auth/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct horse battery")
    page.click("main form [type=submit]")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("main form [type=submit]")
    page.wait_for_url(live_server + "/monitoring/")  # a monitor lands on the dashboard


def test_dashboard_report_and_pdf_page(world, live_server, browser, tmp_path):
    _data(world)
    secret = pyotp.random_base32()
    monitor = world["monitor"]
    monitor.totp_secret, monitor.totp_enabled = secret, True
    db.session.commit()
    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live_server, monitor, secret)

    page.goto(live_server + "/monitoring/?period=2026-Q3")
    assert "Tình hình tiếp nhận, xử lý phản ánh" in page.inner_text("h1")
    # Two cases in Q3 in the province (the Đà Nẵng one is outside), one answered on time.
    assert page.locator(".stat strong").first.inner_text() == "2"
    assert "50.0%" in page.inner_text(".stats")
    screenshot(page, "monitoring-dashboard")

    page.goto(live_server + "/monitoring/reports")
    page.fill("input[name=period]", "2026-Q3")
    page.select_option("select[name=fmt]", "pdf")
    page.click("main form [type=submit]")
    relay_pending()  # in-process jobs: the report is built here
    page.wait_for_selector("text=Tải báo cáo", timeout=10000)
    assert page.locator("progress").get_attribute("value") == "100"
    run = db.session.query(ReportRun).one()
    page.goto(live_server + f"/monitoring/reports/{run.id}/preview")
    assert "BÁO CÁO CÔNG TÁC TIẾP NHẬN" in page.inner_text("h1")
    assert "Phường Nha Trang" in page.inner_text("article")
    screenshot(page, "monitoring-report-preview")

    # The PDF itself, page 1 rendered to PNG and shown in the browser.
    db.session.refresh(run)
    subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", run.file_path, str(tmp_path / "p")],
                   check=True)
    png = next(tmp_path.glob("p*.png"))
    page.goto(png.as_uri())
    screenshot(page, "monitoring-report-pdf-page1")

    # The XLSX's first sheet, read back with openpyxl and laid out as a page.
    out = tmp_path / "q3.xlsx"
    build_report(world["province"], parse_period("2026-Q3"), "xlsx", str(out))
    sheet = load_workbook(out).active
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c.value if c.value is not None else ''))}</td>" for c in row) + "</tr>"
        for row in sheet.iter_rows(max_col=3, max_row=20)
    )
    sheet_page = tmp_path / "sheet1.html"
    sheet_page.write_text(f"<meta charset=utf-8><h3>{escape(sheet.title)}</h3><table border=1>{rows}</table>",
                          encoding="utf-8")
    page.goto(sheet_page.as_uri())
    assert "Số phản ánh, kiến nghị tiếp nhận" in page.inner_text("table")
    screenshot(page, "monitoring-report-xlsx-sheet1")
    context.close()
