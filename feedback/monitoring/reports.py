"""Periodic reports of the feedback work (for the administrative-reform report), as XLSX and PDF.

Both formats are written from the same `ReportData`, built from aggregate queries
(rollup tables and GROUP BY in the database): memory depends on the number of
units, categories and named staff, never on the number of cases or ratings.
"""
import os
from dataclasses import dataclass

from feedback.models.case import CHANNELS
from feedback.models.outcome import DISCIPLINE_FORMS, LIGHTER_MEASURES
from feedback.monitoring import queries

FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "fonts")


@dataclass
class Table:
    title: str
    headers: list
    rows: list
    totals: list | None = None
    # Column indexes holding percentages (formatted as such).
    percent_columns: tuple = ()


@dataclass
class ReportData:
    title: str
    subtitle: str
    summary: list  # (label, value)
    tables: list  # Table
    trend: list  # (month label, received, on-time share)
    # The administrative document around the figures (Nghị định 30/2020/NĐ-CP): who issues it, to whom.
    issuer: str = "SỞ NỘI VỤ"
    issuer_parent: str = "UBND TỈNH KHÁNH HÒA"
    issued_on: str = ""
    recipients: tuple = ()


def _pct(value):
    return None if value is None else round(value, 1)


def _verdict(row):
    if row.index is not None and row.index >= row.target:
        return "Đạt"
    if row.below_target:
        return "Chưa đạt"
    return "Chưa đủ số liệu"


def build_report_data(root, period, progress=lambda pct: None):
    """Gather every figure of the report for `root`'s subtree over `period`."""
    from sqlalchemy import select

    from feedback.extensions import db
    from feedback.models import DisciplineDecision, Staff

    from feedback.monitoring import plan_each_query

    def step(percent):
        progress(percent)  # may commit (the background job records its progress)
        plan_each_query()

    plan_each_query()
    scope_name = root.name if root is not None else "Toàn tỉnh"
    dashboard = queries.case_dashboard(root, period)
    step(30)
    sat = queries.satisfaction(root, period)
    step(55)
    named = queries.named_staff(root, period.start_utc, period.end_utc)
    step(70)
    decisions = db.session.execute(
        select(DisciplineDecision, Staff)
        .join(Staff, Staff.id == DisciplineDecision.staff_id)
        .where(DisciplineDecision.status.in_(("decided", "no_discipline")),
               Staff.unit_id.in_(queries.subtree_ids(root)),
               DisciplineDecision.updated_at >= period.start_utc, DisciplineDecision.updated_at < period.end_utc)
        .order_by(DisciplineDecision.decision_date, DisciplineDecision.id)
    ).all()
    step(80)

    totals = dashboard.totals
    summary = [
        ("Số phản ánh, kiến nghị tiếp nhận", totals.received),
        ("Số đã trả lời", totals.answered),
        ("Số trả lời đúng hạn", totals.on_time),
        ("Tỷ lệ trả lời đúng hạn (%)", _pct(totals.on_time_share)),
        ("Thời gian trả lời trung bình (ngày)", totals.average_days),
        ("Đang xử lý (hiện tại)", dashboard.open_now),
        ("Quá hạn (hiện tại)", dashboard.overdue_now),
        ("Số lượt đánh giá mức độ hài lòng", sat["overall"].total),
        ("Chỉ số hài lòng (%)", _pct(sat["overall"].index)),
        ("Chỉ tiêu hài lòng năm (%)", sat["target"]),
        ("Cán bộ bị phản ánh đích danh", len(named)),
        ("Quyết định kỷ luật", sum(1 for d, _s in decisions if d.status == "decided")),
    ]

    def figure_row(label, f):
        return [label, f.received, f.answered, f.on_time, _pct(f.on_time_share), f.average_days]

    case_headers = ["", "Tiếp nhận", "Đã trả lời", "Đúng hạn", "Tỷ lệ đúng hạn (%)", "TB ngày trả lời"]
    total_row = figure_row("Tổng cộng", totals)
    tables = [
        Table("Theo đơn vị", ["Đơn vị"] + case_headers[1:] + ["Đang xử lý", "Quá hạn"],
              [figure_row(u.name, f) + [o, d] for u, f, o, d in dashboard.by_unit],
              total_row + [dashboard.open_now, dashboard.overdue_now], percent_columns=(4,)),
        Table("Theo loại phản ánh", ["Loại phản ánh"] + case_headers[1:],
              [figure_row(name, f) for name, f in dashboard.by_category], total_row, percent_columns=(4,)),
        Table("Theo kênh tiếp nhận", ["Kênh"] + case_headers[1:],
              [figure_row(str(CHANNELS.get(c, c)), f) for c, f in dashboard.by_channel], total_row,
              percent_columns=(4,)),
        Table("Mức độ hài lòng theo đơn vị",
              ["Đơn vị", "Lượt đánh giá", "Hài lòng, rất hài lòng", "Chỉ số (%)", "Chỉ tiêu (%)", "Đạt"],
              [[r.label, r.total, r.satisfied, _pct(r.index), r.target, _verdict(r)] for r in sat["units"]],
              ["Tổng cộng", sat["overall"].total, sat["overall"].satisfied, _pct(sat["overall"].index),
               sat["target"], ""], percent_columns=(3, 4)),
        Table("Mức độ hài lòng theo cán bộ",
              ["Cán bộ", "Lượt đánh giá", "Hài lòng, rất hài lòng", "Chỉ số (%)"],
              [[r.label, r.total, r.satisfied, _pct(r.index)] for r in sat["staff"]], None, percent_columns=(3,)),
        Table("Cán bộ bị phản ánh đích danh",
              ["Cán bộ", "Chức vụ", "Đơn vị", "Số lần bị phản ánh", "Số lần đúng", "Số lần bị kỷ luật"],
              [[r.staff.full_name, r.staff.position, r.staff.unit.name, r.named, r.substantiated, r.disciplined]
               for r in named],
              ["Tổng cộng", "", "", sum(r.named for r in named), sum(r.substantiated for r in named),
               sum(r.disciplined for r in named)]),
        Table("Kết quả xử lý kỷ luật",
              ["Cán bộ", "Đơn vị", "Hình thức", "Số quyết định", "Ngày", "Người ký"],
              [[s.full_name, s.unit.name,
                DISCIPLINE_FORMS.get(d.form) if d.status == "decided" else
                "Không kỷ luật — " + LIGHTER_MEASURES.get(d.lighter_measure or "", d.lighter_measure or ""),
                d.decision_number or "", d.decision_date.strftime("%d/%m/%Y") if d.decision_date else "",
                d.signer or ""] for d, s in decisions]),
    ]
    trend = [(m.strftime("%m/%Y"), f.received, f.on_time_share) for m, f in dashboard.trend]
    step(90)
    from feedback.calendar import local_today

    office = root.monitoring_office() if root is not None else None
    issuer = (office.name if office is not None else "Sở Nội vụ tỉnh Khánh Hòa").upper()
    parent = (office.parent.name if office is not None and office.parent is not None else "UBND tỉnh Khánh Hòa")
    today = local_today()
    return ReportData(
        title="BÁO CÁO CÔNG TÁC TIẾP NHẬN, XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ",
        subtitle=f"{scope_name} — {period.label}",
        summary=summary,
        tables=tables,
        trend=trend,
        issuer=issuer,
        issuer_parent=parent.upper(),
        issued_on=f"Khánh Hòa, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
        recipients=(f"- {parent} (để báo cáo);", f"- Các đơn vị thuộc {scope_name};", "- Lưu: VT."),
    )


def write_xlsx(data, path):
    """One sheet per table, bold headers, totals, column widths, percentages formatted."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    header_fill = PatternFill("solid", fgColor="B3261E")
    header_font = Font(bold=True, color="FFFFFF")
    thin = Side(style="thin", color="BBBBBB")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    sheet = book.active
    sheet.title = "Tổng hợp"
    sheet["A1"] = data.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = data.subtitle
    for index, (label, value) in enumerate(data.summary, start=4):
        sheet.cell(index, 1, label).border = border
        cell = sheet.cell(index, 2, value)
        cell.border = border
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 16
    trend_row = len(data.summary) + 6
    sheet.cell(trend_row, 1, "Tháng").font = Font(bold=True)
    sheet.cell(trend_row, 2, "Tiếp nhận").font = Font(bold=True)
    sheet.cell(trend_row, 3, "Tỷ lệ đúng hạn (%)").font = Font(bold=True)
    for offset, (label, received, on_time) in enumerate(data.trend, start=1):
        sheet.cell(trend_row + offset, 1, label)
        sheet.cell(trend_row + offset, 2, received)
        sheet.cell(trend_row + offset, 3, on_time)
    chart = BarChart()
    chart.title = "Số phản ánh tiếp nhận theo tháng"
    chart.add_data(Reference(sheet, min_col=2, min_row=trend_row, max_row=trend_row + len(data.trend)),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=trend_row + 1, max_row=trend_row + len(data.trend)))
    sheet.add_chart(chart, "E4")

    used = set()
    for table in data.tables:
        name = table.title[:31]
        while name in used:
            name = name[:29] + "_2"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([data.subtitle])
        sheet.append([])
        sheet.append(table.headers)
        for cell in sheet[4]:
            cell.fill, cell.font, cell.border = header_fill, header_font, border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in table.rows:
            sheet.append(row)
        if table.totals:
            sheet.append(table.totals)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row):
            for cell in row:
                cell.border = border
                if cell.column - 1 in table.percent_columns and isinstance(cell.value, (int, float)):
                    cell.number_format = "0.0"
        for index, header in enumerate(table.headers, start=1):
            width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in table.rows[:500]])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(10, width + 2), 60)
        sheet.freeze_panes = "A5"
    book.save(path)


def _font_path(name):
    for folder in (FONT_DIR, "/usr/share/fonts/truetype/dejavu"):
        candidate = os.path.join(folder, name)
        if os.path.exists(candidate):
            return candidate
    raise RuntimeError(f"font {name} not found (vendored under feedback/static/fonts)")


def write_pdf(data, path):
    """Headings, tables and a bar chart, in Vietnamese with DejaVu Sans."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", _font_path("DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", _font_path("DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    _document_heading(pdf, data)
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, data.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 7, data.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, "1. Tổng hợp", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    with pdf.table(col_widths=(120, 40), width=160, align="LEFT", first_row_as_headings=False) as table:
        for label, value in data.summary:
            row = table.row()
            row.cell(label)
            row.cell("" if value is None else str(value))
    pdf.ln(4)
    _bar_chart(pdf, "Số phản ánh tiếp nhận theo tháng", data.trend)
    _signature_block(pdf, data)
    heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=(179, 38, 30))
    for number, table_data in enumerate(data.tables, start=2):
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 8, f"{number}. {table_data.title}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        rows = table_data.rows + ([table_data.totals] if table_data.totals else [])
        if not rows:
            pdf.cell(0, 8, "Không có số liệu trong kỳ.", new_x="LMARGIN", new_y="NEXT")
            continue
        first = 90 if len(table_data.headers) > 4 else 120
        other = (277 - first) / (len(table_data.headers) - 1)
        with pdf.table(col_widths=[first] + [other] * (len(table_data.headers) - 1), headings_style=heading,
                       line_height=6, text_align="LEFT") as table:
            header = table.row()
            for title in table_data.headers:
                header.cell(str(title))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell("" if value is None else str(value))
    pdf.output(path)


def _document_heading(pdf, data):
    """Issuing body (left) and Quốc hiệu, Tiêu ngữ (right), then the number and the place and date."""
    half = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(half, 5, data.issuer_parent, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half, 5, data.issuer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(half, 6, "Số:       /BC-PAKN", align="C", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(half, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(half, 6, data.issued_on, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 4)


def _signature_block(pdf, data):
    """Nơi nhận (left) and the signer's position and name, to be signed (right)."""
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(4)
    half = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(half, 5, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for line in data.recipients:
        pdf.multi_cell(half, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(half, 6, "THỦ TRƯỞNG CƠ QUAN", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(half, 5, "(Ký, ghi rõ họ tên, đóng dấu)", align="C", new_x="LMARGIN", new_y="NEXT")


def _bar_chart(pdf, title, series):
    """A simple bar chart of (label, value, ...) drawn with rectangles."""
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    values = [s[1] or 0 for s in series]
    top = max(values + [1])
    x0, y0, height = pdf.l_margin + 5, pdf.get_y() + 2, 45
    bar_width = min(16, (pdf.w - 2 * pdf.l_margin - 10) / max(1, len(series)) - 3)
    pdf.set_font("DejaVu", "", 7)
    for index, (label, value, *_rest) in enumerate(series):
        value = value or 0
        bar = height * value / top
        x = x0 + index * (bar_width + 3)
        pdf.set_fill_color(179, 38, 30)
        if bar > 0:
            pdf.rect(x, y0 + height - bar, bar_width, bar, style="F")
        pdf.text(x, y0 + height - bar - 1, str(value))
        pdf.text(x, y0 + height + 4, label)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_y(y0 + height + 8)


def build_report(root, period, fmt, path, progress=lambda pct: None):
    """Build the report file at `path`; `progress` is called with 0-100."""
    if fmt not in ("xlsx", "pdf"):
        raise ValueError("Định dạng phải là xlsx hoặc pdf.")
    progress(5)
    data = build_report_data(root, period, progress)
    (write_xlsx if fmt == "xlsx" else write_pdf)(data, path)
    progress(100)
    return path
