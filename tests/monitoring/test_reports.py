"""The periodic report, read back: XLSX with openpyxl, PDF with pdftotext."""
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from feedback.extensions import db
from feedback.jobs import relay_pending
from feedback.models import ReportRun
from tests.conftest import login
from tests.monitoring.conftest import local, make_case, rate


def _data(world):
    a = world["a"]
    make_case(a, local(2026, 7, 2, 9), answered=local(2026, 7, 3, 9), due=local(2026, 7, 10, 17), category=world["cat"])
    make_case(a, local(2026, 8, 2, 9), answered=local(2026, 8, 20, 9), due=local(2026, 8, 10, 17), channel="sms")
    make_case(world["other_ward"], local(2026, 8, 3, 9))
    rate(world["counter_a"], [5, 4, 4, 2], local(2026, 7, 15, 9), staff=world["clerk"], counter="3")
    db.session.commit()


def test_flask_report_xlsx_matches_the_figures(world, runner, tmp_path):
    _data(world)
    out = tmp_path / "q3.xlsx"
    result = runner.invoke(args=["report", "--period", "2026-Q3", "--format", "xlsx", "--out", str(out),
                                 "--unit", "KH"])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames[:3] == ["Tổng hợp", "Theo đơn vị", "Theo loại phản ánh"]
    summary = {row[0].value: row[1].value for row in book["Tổng hợp"].iter_rows(min_row=1) if row[0].value}
    assert summary["Số phản ánh, kiến nghị tiếp nhận"] == 2
    assert summary["Số trả lời đúng hạn"] == 1
    assert summary["Tỷ lệ trả lời đúng hạn (%)"] == 50.0
    assert summary["Chỉ số hài lòng (%)"] == 75.0
    units = book["Theo đơn vị"]
    rows = [[c.value for c in row] for row in units.iter_rows(min_row=5)]
    assert rows[0][:3] == ["Phường Nha Trang", 2, 2]
    assert rows[-1][0] == "Tổng cộng" and rows[-1][1] == 2
    assert all("Hải Châu" not in str(row) for row in rows)
    assert units["A4"].font.bold


def test_bad_period_and_unit_are_refused(world, runner, tmp_path):
    result = runner.invoke(args=["report", "--period", "2026-13", "--format", "pdf", "--out", str(tmp_path / "x")])
    assert result.exit_code != 0 and "Tháng không hợp lệ" in result.output
    result = runner.invoke(args=["report", "--period", "2026", "--format", "pdf", "--out", str(tmp_path / "x"),
                                 "--unit", "NOPE"])
    assert result.exit_code != 0 and "NOPE" in result.output


def test_pdf_report_text_has_vietnamese_and_figures(world, runner, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is needed (apt-get install poppler-utils)")
    _data(world)
    out = tmp_path / "y.pdf"
    result = runner.invoke(args=["report", "--period", "2026", "--format", "pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "BÁO CÁO CÔNG TÁC TIẾP NHẬN, XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ" in text
    assert "Toàn tỉnh — Năm 2026" in text
    # Issue 14: filed as a báo cáo (Nghị định 30/2020): Quốc hiệu, Tiêu ngữ, issuer, number, recipients, signer.
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "SỞ NỘI VỤ", "Số:",
                  "/BC-PAKN", "Khánh Hòa, ngày", "Nơi nhận:", "- Lưu: VT.", "THỦ TRƯỞNG CƠ QUAN"):
        assert words in text, words
    assert "Mức độ hài lòng theo đơn vị" in text and "Bộ phận Một cửa phường Nha Trang" in text
    # Whole province this time: three cases received, one of two answered on time.
    line = next(line for line in text.splitlines() if "Số phản ánh, kiến nghị tiếp nhận" in line)
    assert line.split()[-1] == "3"
    assert any("Tỷ lệ trả lời đúng hạn (%)" in line and line.split()[-1] == "50.0" for line in text.splitlines())


def test_report_from_the_dashboard_is_built_in_the_background(world, client):
    _data(world)
    login(client, world["monitor"])
    response = client.post("/monitoring/reports", data={"period": "2026-Q3", "fmt": "xlsx"})
    assert response.status_code == 302
    run = db.session.query(ReportRun).one()
    # No Redis in this test: the job ran in-process after the request.
    relay_pending()
    status = client.get(f"/monitoring/reports/{run.id}.json").json
    assert status["status"] == "done" and status["progress"] == 100
    download = client.get(status["download"])
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert "bao-cao-pakn-2026-Q3.xlsx" in download.headers["Content-Disposition"]
    bad = client.post("/monitoring/reports", data={"period": "quý 3", "fmt": "xlsx"})
    assert "Kỳ báo cáo không hợp lệ" in bad.get_data(as_text=True)


def test_xlsx_report_is_laid_out_as_a_bao_cao_signed_by_the_office_head(world, runner, tmp_path):
    """Issue 14: the report needs Quốc hiệu, Tiêu ngữ, issuer, number, place and date, recipients and the
    signer's position and name (Nghị định 30/2020/NĐ-CP), in XLSX as in PDF."""
    from tests import factories

    office = world["a"].monitoring_office()
    head = factories.staff(office, full_name="Võ Thị Thanh Hà", position="Giám đốc Sở")
    office.head_staff_id = head.id
    _data(world)
    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"q3.{fmt}"
        result = runner.invoke(args=["report", "--period", "2026-Q3", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        if fmt == "xlsx":
            sheet = load_workbook(out)["Tổng hợp"]
            text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
            assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
        else:
            text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                                  check=True).stdout
        for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", office.name.upper(),
                      "Số:", "/BC-PAKN", "Khánh Hòa, ngày", "BÁO CÁO CÔNG TÁC TIẾP NHẬN", "Nơi nhận:", "- Lưu: VT.",
                      "GIÁM ĐỐC SỞ", "(Ký, ghi rõ họ tên, đóng dấu)", "Võ Thị Thanh Hà"):
            assert words in text, (fmt, words)


@pytest.mark.parametrize("count", range(20, 75))
def test_no_pdf_page_holds_one_or_two_rows_of_a_table(tmp_path, app, count):
    """Issue 14: tables continued onto pages holding two rows."""
    from feedback.monitoring.reports import ReportData, Table, write_pdf

    rows = [[f"Đơn vị thứ {i:03d}", i, i, 50.0] for i in range(count)]
    data = ReportData(title="BÁO CÁO", subtitle="Thử", summary=[("Tổng", 1)], trend=[],
                      tables=[Table("Theo đơn vị", ["Đơn vị", "Tiếp nhận", "Đã trả lời", "Đúng hạn (%)"], rows)])
    out = tmp_path / "t.pdf"
    write_pdf(data, str(out))
    pages = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    per_page = [sum(1 for i in range(count) if f"Đơn vị thứ {i:03d}" in page) for page in pages]
    table_pages = [n for n in per_page if n]
    assert sum(table_pages) == count
    assert all(n >= 3 for n in table_pages), per_page
